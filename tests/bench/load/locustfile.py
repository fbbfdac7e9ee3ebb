"""Locust scenario of the load test: citizens, officers, anonymous complainants and the baseline view.

Run by ``tests/bench/test_load.py`` (``locust -f tests/bench/load/locustfile.py --headless …``) with:

- ``LOAD_PLAN``: the JSON written by ``tests/bench/load/seed.py`` (accounts, service, matters);
- ``LOAD_RPS``: the request rate all users share (default 50); every HTTP request waits for a slot,
  so the server sees a steady arrival rate whatever the mix, and response times exclude that wait;
- ``LOAD_SAMPLES``: a file receiving one JSON line per request (name, start, ms, status, error).

The client stands where a TLS-terminating proxy would: plain HTTP on loopback with
``X-Forwarded-Proto: https`` (the proxy header the production settings trust) and the ``Secure``
``__Host-`` cookies passed back as a browser does over HTTPS. TLS itself is not measured. POSTs
carry ``Origin`` and ``Referer`` like a browser, and the CSRF token of the page they come from.
Redirects are followed by hand so each page is timed under its own name.

Anonymous complainants each come from their own loopback address (127.x.y.z): the portal limits
filings per client address (``REMOTE_ADDR``), and one address per visitor keeps every filing real.

The load generator shares the 2 cores with what it measures, so every user but the complainant
runs on locust's FastHttpUser (geventhttpclient: less CPU per request than the requests-based
HttpUser); the complainant keeps HttpUser for its per-visitor source address.
"""

import itertools
import json
import os
import random
import re
import time
import uuid
from urllib.parse import quote

import gevent
from locust import FastHttpUser, HttpUser, between, events, task
from requests.adapters import HTTPAdapter

PLAN = json.load(open(os.environ["LOAD_PLAN"], encoding="utf-8"))
RPS = float(os.environ.get("LOAD_RPS", "50"))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九十")}


# --- pacing and raw samples -------------------------------------------------------------------------
class _Pacer:
    """A shared slot every 1/RPS seconds; a request waits for the next free slot (gevent: no lock needed)."""

    next_slot = 0.0

    @classmethod
    def wait(cls):
        now = time.monotonic()
        slot = max(cls.next_slot, now)
        cls.next_slot = slot + 1.0 / RPS
        if slot > now:
            gevent.sleep(slot - now)


_samples = open(os.environ["LOAD_SAMPLES"], "a", encoding="utf-8") if os.environ.get("LOAD_SAMPLES") else None  # noqa: SIM115


@events.request.add_listener
def _record(request_type, name, response_time, response_length, response=None, exception=None, start_time=None,
            **kwargs):
    if _samples is not None:
        status = getattr(response, "status_code", 0) if response is not None else 0
        _samples.write(json.dumps({"name": name, "t": start_time, "ms": round(response_time, 2), "status": status,
                                   "error": str(exception)[:200] if exception else ""}, ensure_ascii=False) + "\n")


@events.quitting.add_listener
def _close(**kwargs):
    if _samples is not None:
        _samples.flush()


# --- an HTTPS-behind-a-proxy browser ----------------------------------------------------------------
class _SourceAddress(HTTPAdapter):
    def __init__(self, address, **kwargs):
        self.address = address
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs["source_address"] = (self.address, 0)
        super().init_poolmanager(*args, **kwargs)


class _Pages:
    """What every visitor does, over either of locust's HTTP clients."""

    def on_start(self):
        self.origin = "https://" + self.host.split("://", 1)[1].rstrip("/")
        self.page = ""  # the last page's HTML (for its CSRF token and links)
        self.path = ""  # the last page's path (where a redirect led)
        self.referer = self.origin + "/"

    def _cookies(self):
        return self.client.cookiejar if hasattr(self.client, "cookiejar") else self.client.cookies

    def _request(self, method, url, name, expect, **kwargs):
        _Pacer.wait()
        for cookie in self._cookies():  # the visitor's side of the proxy is HTTPS: Secure cookies go along
            cookie.secure = False
        headers = {"X-Forwarded-Proto": "https", "Accept-Language": "zh-CN,zh;q=0.9",
                   "X-Load-Page": quote(name)}  # for gunicorn's access log: time inside the worker, per page
        if method == "POST":
            headers |= {"Origin": self.origin, "Referer": self.referer}
        with self.client.request(method, url, name=name, headers=headers, allow_redirects=False,
                                 catch_response=True, **kwargs) as response:
            if response.status_code != expect:
                where = response.headers.get("Location", "") or _alert(response.text)
                response.failure(f"{response.status_code} (expected {expect}) {where}"[:300])
            else:
                response.success()
        if method == "GET" and response.status_code == 200:
            self.path = url
            self.referer = self.origin + url
            if "html" in response.headers.get("Content-Type", ""):
                self.page = response.text
        return response

    def get(self, url, name, expect=200, **kwargs):
        return self._request("GET", url, name, expect, **kwargs)

    def post(self, url, name, data, expect=302, then=None, **kwargs):
        """POST with the current page's CSRF token; on a redirect, GET the target as ``then``."""
        data = {"csrfmiddlewaretoken": _csrf(self.page), **data}
        response = self._request("POST", url, name, expect, data=data, **kwargs)
        location = response.headers.get("Location", "")
        if then and response.status_code == 302 and location.startswith("/"):
            return self.get(location, then)
        return response

    def login(self, username, password):
        self.get("/accounts/login/", "GET /accounts/login/")
        self.post("/accounts/login/", "POST /accounts/login/", {"username": username, "password": password},
                  then="GET /workspace/")

    def browse_catalogue(self):
        roll = random.random()
        if roll < 0.35:
            self.get("/catalog/", "GET /catalog/")
        elif roll < 0.6:
            # The search box posts (portal/search.py); the results page carries only the mark s=1.
            self.get("/catalog/", "GET /catalog/")
            self.post("/catalog/", "POST /catalog/ (search)", {"q": random.choice(PLAN["search_words"])},
                      then="GET /catalog/?s=1")
        else:
            self.get(f"/catalog/matters/{random.choice(PLAN['matters'])}/", "GET /catalog/matters/[id]/")


class Visitor(_Pages, FastHttpUser):
    abstract = True


def _csrf(html):
    found = CSRF.search(html)
    return found.group(1) if found else ""


def _alert(html):
    found = re.search(r'class="[^"]*(?:invalid-feedback|alert-danger)[^"]*"[^>]*>(.*?)</', html or "", re.S)
    return re.sub(r"<[^>]+>|\s+", " ", found.group(1)).strip() if found else ""


# --- who comes --------------------------------------------------------------------------------------
class Browser(Visitor):
    """Anonymous visitors reading the catalogue (the bulk of the traffic)."""

    fixed_count = 28
    wait_time = between(0.3, 1.0)

    @task(10)
    def catalogue(self):
        self.browse_catalogue()

    @task(1)
    def home(self):
        self.get("/", "GET /")

    @task(1)
    def publicity(self):
        self.get("/publicity/", "GET /publicity/")


_citizens = itertools.cycle(PLAN["citizens"])


class Citizen(Visitor):
    """A logged-in applicant: follows their applications, applies and signs, downloads letters."""

    fixed_count = 14
    wait_time = between(0.3, 1.0)

    def on_start(self):
        super().on_start()
        self.account = next(_citizens)
        self.login(self.account["username"], PLAN["password"])
        self.applications = []

    @task(3)
    def my_applications(self):
        self.get("/applications/", "GET /applications/")
        self.applications = sorted(set(re.findall(r'href="/applications/(\d+)/"', self.page)))

    @task(3)
    def application(self):
        if self.applications:
            self.get(f"/applications/{random.choice(self.applications)}/", "GET /applications/[id]/")

    @task(3)
    def catalogue(self):
        self.browse_catalogue()

    @task(2)
    def letter(self):
        """Open an application and download one of its letters (as the worker stored it)."""
        if not self.applications:
            return
        self.get(f"/applications/{random.choice(self.applications)}/", "GET /applications/[id]/")
        numbers = re.findall(r'href="/letters/([^"/]+)\.pdf"', self.page)
        if numbers:
            response = self.get(f"/letters/{random.choice(numbers)}.pdf", "GET /letters/[number].pdf")
            if response.status_code == 200 and not response.content.startswith(b"%PDF"):
                response.failure("not a PDF")

    @task(1)
    def apply(self):
        """Apply online: start, commit to each matter that allows it, upload proofs for the rest, submit."""
        service = PLAN["service_id"]
        self.get(f"/applications/new/?service={service}", "GET /applications/new/?service=")
        token = re.search(r'name="token" value="([^"]+)"', self.page)
        response = self.post("/applications/new/", "POST /applications/new/",
                             {"service": service, "token": token.group(1) if token else str(uuid.uuid4())},
                             then="GET /applications/[id]/")
        found = re.match(r"/applications/(\d+)/", self.path if response.status_code == 200 else "")
        if not found:
            return
        pk = found.group(1)
        self.applications = sorted(set(self.applications) | {pk})
        base = f"/applications/{pk}/requirements/"
        for requirement in sorted(set(re.findall(base + r'(\d+)/commit/"', self.page))):
            self.get(f"{base}{requirement}/commit/", "GET …/commit/ (sign page)")
            statements = re.findall(r'name="(statement_\d+)"', self.page)
            questions = set(re.findall(r'name="(negative_\d+)"', self.page))  # the 负面清单 questions: “否”
            seen = re.search(r'name="negative_seen" value="([^"]*)"', self.page)  # as a browser echoes it
            self.post(f"{base}{requirement}/commit/", "POST …/commit/ (sign)",
                      {"full_name": self.account["name"], "password": PLAN["password"], "state": _state(self.page),
                       **dict.fromkeys(statements, "on"), **dict.fromkeys(questions, "no"),
                       **({"negative_seen": seen.group(1)} if seen else {})},
                      then="GET /applications/[id]/")
        for requirement in sorted(set(re.findall(base + r'(\d+)/proof/"', self.page))):
            self.get(f"{base}{requirement}/proof/", "GET …/proof/ (upload page)")
            self.post(f"{base}{requirement}/proof/", "POST …/proof/ (upload)", {"state": _state(self.page)},
                      files={"file": ("证明.pdf", PDF, "application/pdf")}, then="GET /applications/[id]/")
        self.post(f"/applications/{pk}/submit/", "POST /applications/[id]/submit/", {"state": _state(self.page)},
                  then="GET /applications/[id]/")


def _state(html):
    found = re.search(r'name="state" value="([^"]*)"', html)
    return found.group(1) if found else ""


class Officer(Visitor):
    """A member of staff, logged in with the next of ``accounts``."""

    abstract = True
    accounts = None
    wait_time = between(0.3, 1.0)

    def on_start(self):
        super().on_start()
        self.login(next(self.accounts), PLAN["password"])


class Verifier(Officer):
    """A verifier works the queue: look, claim the next task, read it, put it back."""

    fixed_count = 4
    accounts = itertools.cycle(PLAN["verifiers"])

    @task(3)
    def queue(self):
        self.get("/verification/queue/", "GET /verification/queue/")

    @task(1)
    def claim_read_release(self):
        self.get("/verification/queue/", "GET /verification/queue/")
        response = self.post("/verification/queue/claim-next/", "POST /verification/queue/claim-next/", {},
                             then="GET /verification/tasks/[id]/")
        found = re.match(r"/verification/tasks/(\d+)/", self.path if response.status_code == 200 else "")
        if found:
            self.post(f"/verification/tasks/{found.group(1)}/release/", "POST /verification/tasks/[id]/release/", {},
                      then="GET /verification/queue/")


class Clerk(Officer):
    """A window clerk: the desk list, an application, and accepting what citizens submitted."""

    fixed_count = 3
    accounts = itertools.cycle(PLAN["clerks"])

    @task(2)
    def desk(self):
        self.get("/desk/", "GET /desk/")

    @task(2)
    def accept_submitted(self):
        self.get("/desk/?state=submitted", "GET /desk/?state=submitted")
        pks = re.findall(r'href="/desk/applications/(\d+)/"', self.page)
        if not pks:
            return
        pk = random.choice(pks[:5])
        self.get(f"/desk/applications/{pk}/", "GET /desk/applications/[id]/")
        if f"/desk/applications/{pk}/accept/" in self.page:
            self.post(f"/desk/applications/{pk}/accept/", "POST /desk/applications/[id]/accept/",
                      {"state": _state(self.page)}, then="GET /desk/applications/[id]/")


_addresses = (f"127.{a}.{b}.{c}" for a in range(10, 250) for b in range(1, 255) for c in range(1, 255))


class Complainant(_Pages, HttpUser):
    """An anonymous visitor filing a report (举报) through the public form, challenge answered."""

    fixed_count = 1
    wait_time = between(3, 6)

    def on_start(self):
        super().on_start()
        self.client.mount("http://", _SourceAddress(next(_addresses)))

    @task(1)
    def faq(self):
        self.get("/complaints/faq/", "GET /complaints/faq/")

    @task(3)
    def file_report(self):
        # A new visitor from a new address each time: no cookies, one filing per address.
        self.client.cookies.clear()
        self.client.mount("http://", _SourceAddress(next(_addresses)))
        self.get("/complaints/new/", "GET /complaints/new/")
        token = re.search(r'name="challenge_token" value="([^"]+)"', self.page)
        self.post("/complaints/new/", "POST /complaints/new/", {
            "topic": "false_commitment", "title": "公示的承诺疑似不实",
            "content": "公示栏中某申请人承诺无犯罪记录，据了解其曾受过刑事处罚，请核查。",
            "about_agency": "", "matter": "", "commitment_ref": "", "application_number": "", "contact_phone": "",
            "challenge_token": token.group(1) if token else "", "challenge_answer": _answer(self.page),
        }, then="GET /complaints/new/done/")


def _answer(html) -> str:
    """The number the form's token accepts. No regex reads it off the page (complaints/abuse.py):
    the load generator holds the server's SECRET_KEY (same environment), as tests/challenge.py does."""
    import base64
    import json
    import os

    from django.utils.crypto import salted_hmac

    found = re.search(r'name="challenge_token" value="([^"]+)"', html)
    if not found:
        return ""
    encoded = found.group(1).split(":")[0]
    data = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    secret = os.environ.get("SECRET_KEY", "")
    for n in range(-20, 200):
        if salted_hmac("complaints.challenge", f"{data['n']}:{n}", secret=secret).hexdigest() == data["h"]:
            return str(n)
    return ""


class Baseline(Visitor):
    """The minimal one-query Django view, through the same middleware, in the same run."""

    fixed_count = 1
    wait_time = between(0.3, 1.0)

    @task
    def minimal(self):
        self.get("/bench/minimal/", "GET /bench/minimal/ (baseline)")
