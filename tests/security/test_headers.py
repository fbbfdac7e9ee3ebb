"""Response headers and cookies as a browser gets them from the production configuration.

A real server: gunicorn serving ``chengnuo.wsgi`` with ``DJANGO_ENV=production`` (settings are read
at import, so production can only be had in a process of its own), on a SQLite file migrated and
seeded with the demo data, static files collected as a deployment does. Requests arrive as the
reverse proxy sends them: over loopback, with ``X-Forwarded-Proto: https`` and the public host name.
"""

import http.client
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import pytest
from django.conf import settings

HOST = "chengnuo.xa.gov.cn"
CITIZEN, PASSWORD = "13800000001", "Chengnuo@2026"  # a demo applicant (portal/demo.py)
ONE_YEAR = 31536000


class Browser:
    """Requests as the proxy forwards them; cookies kept as a browser keeps them."""

    def __init__(self, port):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method, path, body=None, headers=None, https=True):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        sent = {"Host": HOST, "Accept-Language": "zh-CN", **(headers or {})}
        if https:
            sent["X-Forwarded-Proto"] = "https"
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            body = urlencode(body)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=sent)
        response = connection.getresponse()
        response.body = response.read()
        response.path = path
        connection.close()
        response.set_cookies = response.headers.get_all("Set-Cookie") or []
        for line in response.set_cookies:
            name, value = line.split(";", 1)[0].split("=", 1)
            self.cookies[name.strip()] = value
        return response

    def get(self, path, **kwargs):
        return self.request("GET", path, **kwargs)

    def log_in(self, username, password):
        form = self.get("/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.body.decode()).group(1)
        done = self.request("POST", "/accounts/login/", body={
            "csrfmiddlewaretoken": token, "username": username, "password": password},
            headers={"Origin": f"https://{HOST}", "Referer": f"https://{HOST}/accounts/login/"})
        return form, done


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def port(tmp_path_factory):
    """Start the production server once for this module; its port."""
    var = tmp_path_factory.mktemp("production")
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(var),
        "DJANGO_ENV": "production",
        "SECRET_KEY": "p7$Kq!v2#Lm9@zX4^wR8&nB3*cT6(yH1)uJ5-eG0+aF7=dS2_hQ-headers",
        "FIELD_ENCRYPTION_KEY": "another-long-random-field-key-for-production",
        "ALLOWED_HOSTS": HOST,
        "VAR_DIR": str(var),
        "DATABASE_URL": f"sqlite:///{var / 'db.sqlite3'}",
        "CELERY_TASK_ALWAYS_EAGER": "1",  # the demo's letters are rendered while seeding
        # …and sealed: production settings with demo data need the demo seals (电子印章, portal/seals.py)
        "SEAL_DEMO_CA": "1",
        "SEAL_KEYSTORE_PASSPHRASE": "a-long-random-keystore-passphrase-for-the-headers-test",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR, "manage.py"))]

    def run(*args):
        result = subprocess.run([*manage, *args], env=env, capture_output=True, text=True, timeout=300,
                                cwd=settings.BASE_DIR)
        assert result.returncode == 0, result.stdout + result.stderr

    collect = subprocess.Popen([*manage, "collectstatic", "--noinput"], env=env, cwd=settings.BASE_DIR,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    run("migrate", "--noinput")
    run("seed_demo", "--force", "--quiet-logins")
    assert collect.wait(timeout=300) == 0, collect.stderr.read()

    number = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "chengnuo.wsgi", "--bind", f"127.0.0.1:{number}", "--workers", "1",
         "--threads", "2"],
        env=env, cwd=settings.BASE_DIR, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if Browser(number).get("/healthz").status == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.2)
        yield number
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.fixture(scope="module")
def citizen_pages(port):
    """The demo applicant logs in through the form, then opens the pages that show personal data."""
    browser = Browser(port)
    login_form, login = browser.log_in(CITIZEN, PASSWORD)
    pages = {"login_form": login_form, "login": login}
    pages["credit"] = browser.get("/credit/me/")
    pages["applications"] = browser.get("/applications/")
    for pk in dict.fromkeys(re.findall(r'href="/applications/(\d+)/"', pages["applications"].body.decode())):
        detail = browser.get(f"/applications/{pk}/")
        letter = re.search(r'href="(/letters/[^"]+\.pdf)"', detail.body.decode())
        if letter:
            pages["application"], pages["letter"] = detail, browser.get(letter.group(1))
            break
    assert "letter" in pages, f"the demo applicant {CITIZEN} has no application with a letter to download"
    return pages


def _directives(csp: str) -> dict[str, list[str]]:
    parts = (part.split() for part in csp.split(";") if part.strip())
    return {words[0]: words[1:] for words in parts}


def assert_hardened(response):
    """The headers every answer carries, whatever it is (page, PDF, error)."""
    where = f"{response.path} ({response.status})"
    h = response.headers
    csp = _directives(h.get("Content-Security-Policy", ""))
    assert csp, f"{where}: no Content-Security-Policy"
    scripts = csp.get("script-src", csp.get("default-src"))
    assert scripts == ["'self'"], f"{where}: script-src {scripts}"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert csp["frame-ancestors"] == ["'none'"] and csp["object-src"] == ["'none'"], where
    assert csp["base-uri"] == ["'self'"] and csp["form-action"] == ["'self'"], where
    hsts = h.get("Strict-Transport-Security", "")
    max_age = re.search(r"max-age=(\d+)", hsts)
    assert max_age and int(max_age.group(1)) >= ONE_YEAR and "includeSubDomains" in hsts, f"{where}: HSTS {hsts!r}"
    assert h.get("X-Content-Type-Options") == "nosniff", where
    assert h.get("X-Frame-Options") == "DENY", where
    assert h.get("Referrer-Policy") == "same-origin", where
    assert h.get("Cross-Origin-Opener-Policy") == "same-origin", where
    assert "X-Powered-By" not in h, where
    assert not re.search(r"\d", h.get("Server", "")), f"{where}: the Server header names a version: {h['Server']}"


def _cookie(response, name) -> str:
    lines = [line for line in response.set_cookies if line.startswith(f"{name}=")]
    assert lines, f"{response.path} set no {name} cookie (it set {response.set_cookies})"
    return lines[-1]


def _attributes(line) -> dict[str, str]:
    attrs = {}
    for part in line.split(";")[1:]:
        key, _eq, value = part.strip().partition("=")
        attrs[key.lower()] = value
    return attrs


# --- tests ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path,status", [("/", 200), ("/accounts/login/", 200), ("/catalog/", 200),
                                         ("/credit/blacklist/", 200), ("/no-such-page/", 404)])
def test_public_pages_and_errors_carry_csp_hsts_and_the_other_headers(port, path, status):
    response = Browser(port).get(path)
    assert response.status == status
    assert_hardened(response)


def test_pages_of_a_signed_in_applicant_carry_the_headers_and_are_never_stored(citizen_pages):
    assert citizen_pages["login"].status == 302 and citizen_pages["login"].getheader("Location") == "/workspace/"
    for name in ("credit", "applications", "application", "letter"):
        response = citizen_pages[name]
        assert response.status == 200, name
        assert_hardened(response)
        cache = {d.strip() for d in response.getheader("Cache-Control", "").split(",")}
        assert {"no-store", "private"} <= cache, f"{name}: Cache-Control {cache}"
    assert "我的信用" in citizen_pages["credit"].body.decode()


def test_letter_pdf_is_a_download_of_a_real_pdf(citizen_pages):
    letter = citizen_pages["letter"]
    assert letter.getheader("Content-Type") == "application/pdf" and letter.body.startswith(b"%PDF")
    assert letter.getheader("Content-Disposition", "").startswith(("attachment", "inline"))
    assert letter.getheader("X-Content-Type-Options") == "nosniff"


def test_session_cookie_is_host_prefixed_secure_httponly_and_same_site_lax(citizen_pages):
    line = _cookie(citizen_pages["login"], "__Host-sessionid")
    attrs = _attributes(line)
    assert "secure" in attrs and "httponly" in attrs, line
    assert attrs.get("samesite") == "Lax" and attrs.get("path") == "/" and "domain" not in attrs, line
    assert "sessionid=" not in " ".join(citizen_pages["login"].set_cookies).replace("__Host-sessionid=", "")


def test_csrf_cookie_is_host_prefixed_secure_and_same_site(citizen_pages):
    line = _cookie(citizen_pages["login_form"], "__Host-csrftoken")
    attrs = _attributes(line)
    assert "secure" in attrs and attrs.get("samesite") == "Lax" and attrs.get("path") == "/", line
    assert "domain" not in attrs and "httponly" in attrs, line


def test_plain_http_is_sent_to_https(port):
    response = Browser(port).get("/accounts/login/", https=False)
    assert response.status == 301
    assert response.getheader("Location") == f"https://{HOST}/accounts/login/"


def test_error_page_is_the_chinese_page_without_debug_details(port):
    response = Browser(port).get("/no-such-page/")
    body = response.body.decode()
    assert response.status == 404 and "页面不存在" in body
    assert "Traceback" not in body and "DEBUG" not in body and "urlpatterns" not in body.lower()


def test_a_foreign_host_name_is_refused(port):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request("GET", "/", headers={"Host": "evil.example", "X-Forwarded-Proto": "https"})
    response = connection.getresponse()
    assert response.status == 400
    connection.close()
