"""Resident ID numbers stay out of logs, URLs, task messages and the audit trail.

The flows that handle an 18-digit 居民身份证号 are driven as a browser would: each page's form is
read from the HTML and submitted with its own method (a GET form would put the number into the
URL). Meanwhile every log record at DEBUG (taken before any filter masks it), every Celery task
message and every URL — requested, redirected to, or linked from a page — is collected; none may
hold the number, and no database column but the encrypted one stores it (free text a person wrote
about themselves excepted). ``portal/logging.py`` masks ID numbers in what is written anyway (defence in
depth) and is checked on its own, end to end.
"""

import logging
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlencode, urljoin

import pytest
from celery.signals import before_task_publish, task_prerun
from django.apps import apps
from django.conf import settings
from django.db.models import CharField, JSONField, TextField
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from encrypted_fields.fields import EncryptedFieldMixin

from commitments.models import Application
from complaints.models import Ticket
from portal import identifiers
from portal.models import AuditEvent, Subject
from tests.factories import CitizenFactory, SubjectFactory, resident_id
from tests.verification.conftest import simulator  # noqa: F401 - the exchange simulator fixture
from tests.verification.factories import accepted_application, publish_catalogue, service_of
from verification import connectors
from verification.models import DataCheck, VerificationTask

pytestmark = pytest.mark.django_db
ANY_ID = identifiers.RESIDENT_ID_IN_TEXT
ZHANG = "610113198805203217"  # known to the exchange simulator


# --- a small browser over the test client ------------------------------------------------------------
class _Page(HTMLParser):
    """The forms of a page (fields with their default values) and every URL it links to."""

    URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data-url", "hx-get", "hx-post", "poster", "srcset"}

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.urls: list[str] = []
        self._select = self._textarea = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.urls += [v for k, v in attrs if k in self.URL_ATTRIBUTES and v]
        if tag == "option" and self._select and self.forms:
            fields = self.forms[-1]["fields"]
            if self._select not in fields or "selected" in a:
                fields[self._select] = a.get("value", "")
            return
        if tag == "form":
            self.forms.append({"method": (a.get("method") or "get").lower(), "action": a.get("action") or "",
                               "fields": {}, "names": set()})
            return
        if not self.forms or not a.get("name"):
            return
        form, name = self.forms[-1], a["name"]
        form["names"].add(name)
        if tag == "input":
            kind = (a.get("type") or "text").lower()
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    form["fields"][name] = a.get("value", "on")
            elif kind not in ("submit", "button", "file", "image", "reset"):
                form["fields"][name] = a.get("value", "")
        elif tag == "select":
            self._select = name
        elif tag == "textarea":
            self._textarea = name
            form["fields"][name] = ""

    def handle_data(self, data):
        if self._textarea and self.forms:
            self.forms[-1]["fields"][self._textarea] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


class Browser:
    """Follows redirects by hand and records every URL requested, redirected to and linked."""

    def __init__(self, client, on_commit):
        self.client, self.on_commit = client, on_commit
        self.urls: list[str] = []

    def _send(self, method, url, data=None):
        with self.on_commit(execute=True):
            response = getattr(self.client, method)(url, data or {})
        self.urls.append(url)
        while response.status_code in (301, 302, 303, 307, 308):
            url = urljoin(url, response["Location"])
            self.urls.append(response["Location"])
            with self.on_commit(execute=True):
                response = self.client.get(url)
            self.urls.append(url)
        if "html" in response.get("Content-Type", ""):
            response.page = _Page(response.content.decode())
            self.urls += response.page.urls
        response.url = url
        return response

    def get(self, url):
        return self._send("get", url)

    def submit(self, response, field: str, data: dict, action: str = ""):
        """Submit the page's form that has ``field`` (and, if given, an action ending in ``action``)."""
        forms = [f for f in response.page.forms if field in f["names"] and f["action"].endswith(action)]
        assert forms, f"no form with {field!r} on {response.url}"
        form = forms[0]
        target = urljoin(response.url, form["action"] or response.url)
        values = {**form["fields"], **data}
        if form["method"] == "get":
            return self._send("get", f"{target.split('?')[0]}?{urlencode(values)}")
        return self._send("post", target, values)


# --- what is watched -------------------------------------------------------------------------------------
class _Capture(logging.Handler):
    """Keeps every record as it arrives, before the masking filter of another handler can change it."""

    def __init__(self):
        super().__init__(level=logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record):
        text = [record.getMessage(), repr(vars(record))]
        if record.exc_info:
            text.append(logging.Formatter().formatException(record.exc_info))
        self.lines.append("\n".join(text))


@pytest.fixture
def watched(settings):
    """Logging as with LOG_LEVEL=DEBUG, every Celery task's arguments; tasks run in-process (eager).

    The root logger goes down to DEBUG; loggers keep the levels the settings give them (Django's
    own ``django`` logger stays at INFO: its template DEBUG records would carry whole template
    contexts, which is why nobody should lower it in production).
    """
    from chengnuo.celery import app

    capture = _Capture()
    root = logging.getLogger()
    loggers = [root] + [lg for lg in logging.Logger.manager.loggerDict.values()
                        if isinstance(lg, logging.Logger) and not lg.propagate]
    level = root.level
    root.setLevel(logging.DEBUG)
    for lg in loggers:
        lg.handlers.insert(0, capture)
    logging.getLogger("verification.connectors").debug("capture works")
    messages: list[str] = []

    def published(body=None, headers=None, **kwargs):
        messages.append(repr(body) + repr(headers))

    def started(task_id=None, task=None, args=None, kwargs=None, **extra):
        messages.append(f"{task.name} {args!r} {kwargs!r}")

    before_task_publish.connect(published, weak=False)
    task_prerun.connect(started, weak=False)
    eager = app.conf.task_always_eager
    app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = True
    capture.tasks = messages
    try:
        yield capture
    finally:
        app.conf.task_always_eager = settings.CELERY_TASK_ALWAYS_EAGER = eager
        before_task_publish.disconnect(published)
        task_prerun.disconnect(started)
        root.setLevel(level)
        for lg in loggers:
            lg.handlers.remove(capture)


def assert_nowhere(number: str, *, browser: Browser, watched: _Capture):
    """The full number is in no URL, no log record, no task message and no audit event."""
    assert "capture works" in watched.lines[0], "the log capture is broken"
    for url in browser.urls:
        assert number not in url and not ANY_ID.search(url), f"ID number in a URL: {url}"
    for line in watched.lines:
        assert number not in line, f"ID number logged: {line[:300]}"
    for message in watched.tasks:
        assert number not in message, f"ID number in a task message: {message[:300]}"
    for event in AuditEvent.objects.all():
        stored = f"{event.summary} {event.data} {event.object_id}"
        assert number not in stored and not ANY_ID.search(stored), f"ID number in audit event {event.action}: {stored}"
    assert not stored_in_plain_text(number), f"ID number stored unencrypted in {stored_in_plain_text(number)}"


# Free text a person wrote keeps what they wrote (a complaint quoting their own ID number).
WRITTEN_BY_A_PERSON = {"complaints.ticket.title", "complaints.ticket.content"}


def stored_in_plain_text(number: str) -> list[str]:
    """Every text or JSON column holding the number, but the encrypted one (whose value here is decrypted)."""
    found = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            where = f"{model._meta.label_lower}.{field.name}"
            if isinstance(field, EncryptedFieldMixin) or where in WRITTEN_BY_A_PERSON:
                continue
            if isinstance(field, CharField | TextField | JSONField):
                values = model._base_manager.values_list(field.attname, flat=True)
                if any(number in str(value) for value in values):
                    found.append(where)
    return found


@pytest.fixture
def browser(client, django_capture_on_commit_callbacks):
    return Browser(client, django_capture_on_commit_callbacks)


@pytest.fixture
def service(agency, justice_bureau, city_government):
    return service_of(publish_catalogue(agency, justice_bureau, city_government))


# --- the flows --------------------------------------------------------------------------------------------
def test_binding_an_account_by_id_number_leaves_it_in_no_url_log_or_audit_event(browser, watched, clerk):
    from portal import identity

    number = resident_id(901)
    code, _row = identity.issue_binding_code(clerk=clerk, kind="person", name="韩梅", id_number=number, basis="id_card")
    page = browser.get(reverse("register_person"))
    done = browser.submit(page, "full_name", {
        "full_name": "韩梅", "mobile": "13712345678", "email": "",
        "password1": "Qinling#2026x", "password2": "Qinling#2026x", "agree": "on"})
    assert done.status_code == 200 and done.url == reverse("identity"), done.url
    bound = browser.submit(done, "code", {"id_number": number, "code": code})
    assert bound.url == reverse("workspace"), bound.url
    browser.get(reverse("credit:me"))
    assert_nowhere(number, browser=browser, watched=watched)


def test_counter_lookup_walk_in_and_filing_keep_the_id_number_out_of_urls(browser, watched, clerk, service):
    number = resident_id(902)
    browser.client.force_login(clerk)
    desk = browser.get(reverse("commitments:desk"))
    found = browser.submit(desk, "number", {"kind": "person", "number": number})
    assert "平台中没有该申请人" in found.content.decode()
    registered = browser.submit(found, "name", {"name": "王建国"})
    assert "已登记申请人" in registered.content.decode()
    filed = browser.submit(registered, "service", {"service": str(service.pk)})
    application = Application.objects.get(subject__in=Subject.objects.by_identifier(Subject.Kind.PERSON, number))
    assert filed.url == reverse("commitments:desk_application", args=[application.pk])
    again = browser.submit(browser.get(reverse("commitments:desk")), "number", {"kind": "person", "number": number})
    assert application.number in again.content.decode()
    assert_nowhere(number, browser=browser, watched=watched)


def test_joint_restriction_lookup_by_id_number_is_a_post_and_is_audited_masked(browser, watched, clerk, citizen):
    number = citizen.subject.id_number
    browser.client.force_login(clerk)
    page = browser.get(reverse("credit:lookup"))
    answer = browser.submit(page, "id_number", {"kind": "person", "id_number": number})
    assert citizen.subject.name in answer.content.decode()
    unknown = browser.submit(answer, "id_number", {"kind": "person", "id_number": resident_id(904)})
    assert unknown.status_code == 200
    lookups = AuditEvent.objects.filter(action__startswith="credit.lookup")
    assert lookups.count() == 2 and identifiers.mask(number) in str([e.data for e in lookups] + [e.summary for e in lookups])
    assert_nowhere(number, browser=browser, watched=watched)
    assert_nowhere(resident_id(904), browser=browser, watched=watched)


def test_data_check_sends_the_id_number_in_the_body_and_keeps_it_masked(
        browser, watched, simulator, service, clerk, verifier):  # noqa: F811 - fixture
    zhang = CitizenFactory(full_name="张伟", subject=SubjectFactory(name="张伟", id_number=ZHANG))
    from verification import services as verification
    from verification.models import VerificationPolicy

    VerificationPolicy.objects.update(sample_percent=100)
    connectors.reset_breakers()
    application = accepted_application(service, clerk, zhang)
    verification.plan_application(application.pk)
    task = VerificationTask.objects.get(application=application, method="data_sharing")
    browser.client.force_login(verifier)
    page = browser.submit(browser.get(reverse("verification:task", args=[task.pk])), "csrfmiddlewaretoken", {},
                          action="/claim/")
    checked = browser.submit(page, "connector", {"connector": "household"})
    html = checked.content.decode()
    check = DataCheck.objects.get(task=task)
    assert check.outcome == DataCheck.Outcome.FOUND
    assert check.answer["registered_address"] == "陕西省西安市雁塔区小寨东路12号"
    assert ZHANG not in str(check.answer) and identifiers.mask(ZHANG) in str(check.answer)  # stored masked
    assert identifiers.mask(ZHANG) in html and ZHANG not in html
    assert simulator.paths == ["/household"]  # the number went in the body
    assert_nowhere(ZHANG, browser=browser, watched=watched)


def test_a_complaint_quoting_an_id_number_keeps_it_out_of_urls_logs_and_audit(browser, watched, citizen, operator):
    number = resident_id(903)
    browser.client.force_login(citizen)
    page = browser.get(reverse("complaints:new"))
    filed = browser.submit(page, "content", {
        "kind": "complaint", "topic": page.page.forms[-1]["fields"].get("topic", "other"),
        "title": f"身份证 {number} 被冒用",
        "content": f"我的身份证号码是{number}，有人冒用它办理了承诺，请核查。"})
    assert filed.status_code == 200, filed.url
    ticket = Ticket.objects.get()
    browser.get(reverse("complaints:my_ticket", args=[ticket.number]))
    browser.client.logout()
    browser.client.force_login(operator)
    browser.get(reverse("complaints:operator"))
    detail = browser.get(reverse("complaints:detail", args=[ticket.number]))
    assert detail.status_code == 200 and "冒用" in detail.content.decode()
    assert_nowhere(number, browser=browser, watched=watched)


# --- the pieces the flows rely on --------------------------------------------------------------------------
def test_audit_trail_masks_id_numbers_quoted_in_free_text(citizen):
    from portal import audit

    number = resident_id(905)
    event = audit.record("test.note", obj=citizen.subject, summary=f"举报人称 {number} 冒用",
                         data={"reason": f"身份证{number}", "items": [number], number: "as a key"})
    event.refresh_from_db()
    assert number not in f"{event.summary}{event.data}"
    assert identifiers.mask(number) in event.summary and event.data["items"] == [identifiers.mask(number)]


def test_no_url_route_takes_anything_but_a_letter_or_ticket_number_as_text():
    """Every text parameter of a URL is a letter, ticket or workflow name, never an identifier."""
    # "key": a catalogue matter's key (a random hex string shared by its versions), not a person's
    allowed = {"number", "action", "severity", "uidb64", "token", "key"}

    def routes(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                yield from routes(pattern, route)
            elif isinstance(pattern, URLPattern):
                yield route

    names = set()
    for route in routes(get_resolver()):
        if route.startswith("admin/"):  # the admin's own object ids (primary keys)
            continue
        for converter, name in re.findall(r"<(?:(\w+):)?(\w+)>", route):
            if converter != "int":
                names.add(name)
    assert names <= allowed, f"a URL takes {names - allowed} as text: could it carry an ID number?"


def test_letter_and_ticket_numbers_never_look_like_an_id_number(citizen, browser, watched):
    browser.client.force_login(citizen)
    page = browser.get(reverse("complaints:new"))
    browser.submit(page, "content", {"kind": "consultation", "title": "咨询", "content": "如何办理？"})
    ticket = Ticket.objects.get()
    assert not ANY_ID.search(ticket.number)
    for number in Application.objects.values_list("number", flat=True):
        assert not ANY_ID.search(number)


def test_log_output_masks_id_numbers_in_messages_and_tracebacks():
    script = (
        "import logging\n"
        "logging.getLogger('chengnuo.test').warning('subject %s', '11010519491231002X')\n"
        "try:\n"
        "    raise ValueError('bad 440524188001010014')\n"
        "except ValueError:\n"
        "    logging.getLogger('chengnuo.test').exception('failed for %s', '610113198805203217')\n"
        "from celery.utils.log import get_task_logger\n"
        "from chengnuo.celery import app\n"
        "app.log.setup(loglevel='INFO')\n"
        "get_task_logger('chengnuo.task').warning('worker saw 610103199203154827')\n"
        "logging.getLogger('django.server').info('\"GET /x/?number=610102196011110029 HTTP/1.1\" 200 9')\n"
    )
    result = subprocess.run(
        [sys.executable, str(Path(settings.BASE_DIR, "manage.py")), "shell", "-c", script],
        capture_output=True, text=True, timeout=60, cwd=settings.BASE_DIR,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for number in ("11010519491231002X", "440524188001010014", "610113198805203217", "610103199203154827",
                   "610102196011110029"):
        assert number not in output
        assert identifiers.mask(number) in output, output
    assert "Traceback" in output

