import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal import roles

pytestmark = pytest.mark.django_db

PUBLIC_PREFIXES = (
    "", "accounts/login/", "accounts/register", "accounts/password/reset", "healthz", "favicon.ico",
    "care-mode/", "terms/", "privacy/", "i18n/", "catalog/", "letters/verify/", "publicity/", "spot-checks/", "credit/blacklist/",
    "complaints/new/", "complaints/track/", "complaints/faq/", "transparency/", "static/",
    # Anonymous reporters reach their own attachments through the tracking code; others get 404.
    "complaints/attachments/",
)


def _all_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _all_routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            yield route, pattern


def _example_path(route: str) -> str:
    import re

    path = re.sub(r"<int:[^>]+>", "1", route)
    path = re.sub(r"<[^>]+>", "x", path)
    return "/" + path.lstrip("^").rstrip("$").replace("\\Z", "")


def test_home_page_explains_the_commitment_system_in_chinese(client):
    response = client.get("/")
    text = response.content.decode()
    assert response.status_code == 200
    assert 'lang="zh-CN"' in text
    assert "不用再开证明" in text and "承诺是自愿的" in text


@pytest.mark.parametrize("role", list(roles.ROLES))
def test_each_role_lands_on_its_own_workspace(client, user_for_role, role):
    user = user_for_role[role]
    client.force_login(user)
    response = client.get(reverse("workspace"))
    assert response.status_code == 200
    sections = [r.name for r, _links in response.context["sections"]]
    assert sections == [role]
    assert str(roles.ROLES[role].label) in response.content.decode()


def test_user_without_role_is_told_to_ask_an_administrator(client, db):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert "还没有分配角色" in client.get(reverse("workspace")).content.decode()


def test_every_non_public_url_sends_anonymous_visitors_to_login(client):
    checked = 0
    for route, _pattern in _all_routes():
        if route.startswith("admin/") or any(route == p or (p and route.startswith(p)) for p in PUBLIC_PREFIXES):
            continue
        path = _example_path(route)
        response = client.get(path)
        assert response.status_code in (302, 405), f"{path} answered {response.status_code} to an anonymous visitor"
        if response.status_code == 302:
            assert response["Location"].startswith(reverse("login")), f"{path} redirected to {response['Location']}"
        checked += 1
    assert checked >= 3


def test_admin_is_closed_to_anonymous_and_to_applicants(client, citizen):
    assert client.get("/admin/").status_code == 302
    client.force_login(citizen)
    assert client.get("/admin/").status_code == 302


def test_pages_not_found_and_forbidden_are_in_chinese(client, citizen, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_care_mode_toggle_is_remembered_in_a_cookie_and_returns_to_the_page(client):
    response = client.post(reverse("care_mode"), {"next": "/accounts/login/"})
    assert response.status_code == 302 and response["Location"] == "/accounts/login/"
    assert response.cookies["care_mode"].value == "1"
    assert "care-mode" in client.get("/accounts/login/").content.decode()
    response = client.post(reverse("care_mode"), {"next": "https://evil.example/"})
    assert response["Location"] == "/"


def test_english_is_available_as_second_language(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.get("/").content.decode().count('lang="en"') == 1


def test_healthz_reports_database_and_broker(client):
    response = client.get("/healthz")
    body = json.loads(response.content)
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert response.status_code == 200


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response["Content-Security-Policy"]
    script_src = next(part for part in csp.split(";") if part.strip().startswith("script-src"))
    assert "'unsafe-inline'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_no_template_has_an_inline_script():
    for template in Path(settings.BASE_DIR, "templates").rglob("*.html"):
        text = template.read_text(encoding="utf-8")
        for chunk in text.split("<script")[1:]:
            assert "src=" in chunk.split(">", 1)[0], f"inline <script> in {template}"


def test_production_settings_pass_check_deploy_and_refuse_to_start_without_secrets(tmp_path):
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_ENV": "production",
        "VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }
    manage = [sys.executable, str(Path(settings.BASE_DIR, "manage.py"))]
    refused = subprocess.run([*manage, "check"], env=env, capture_output=True, text=True, timeout=60)
    assert refused.returncode != 0
    assert "SECRET_KEY" in refused.stderr and "FIELD_ENCRYPTION_KEY" in refused.stderr
    env.update(
        SECRET_KEY="p7$Kq!v2#Lm9@zX4^wR8&nB3*cT6(yH1)uJ5-eG0+aF7=dS2_hQ",
        ALLOWED_HOSTS="chengnuo.xa.gov.cn",
        FIELD_ENCRYPTION_KEY="another-long-random-field-key-for-production",
    )
    deploy = [*manage, "check", "--deploy", "--fail-level", "WARNING"]
    unsealed = subprocess.run(deploy, env=env, capture_output=True, text=True, timeout=60)
    assert unsealed.returncode != 0 and "SEAL_KEYSTORE_PASSPHRASE" in unsealed.stderr  # no letter could be issued
    env.update(SEAL_KEYSTORE_PASSPHRASE="a-long-random-keystore-passphrase", SEAL_TSA_URL="https://tsa.example.cn/tsr")
    _write_root_certificate(tmp_path / "seals" / "trust" / "root.pem")
    result = subprocess.run(deploy, env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr


def _write_root_certificate(path):
    """A CA's root in the key store's trust/ folder (the agencies' seals are checked against it)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test Root CA")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + datetime.timedelta(days=30))
            .sign(key, hashes.SHA256()))
    path.parent.mkdir(parents=True)
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))


def test_every_beat_schedule_entry_names_an_importable_task():
    from chengnuo.celery import app

    app.loader.import_default_modules()
    for name, entry in settings.CELERY_BEAT_SCHEDULE.items():
        assert entry["task"] in app.tasks, f"beat entry {name} names unknown task {entry['task']}"


def test_an_expired_form_gets_a_chinese_page_with_the_way_back_to_the_form(db):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    response = browser.post(reverse("care_mode"), {"next": "/catalog/"}, HTTP_REFERER="http://testserver/catalog/")
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in html and "DEBUG" not in html
    assert 'href="http://testserver/catalog/"' in html and "回到原页面" in html
    # A referrer from another site is never offered as the way back.
    html = browser.post(reverse("care_mode"), HTTP_REFERER="https://evil.example/").content.decode()
    assert "evil.example" not in html and 'href="/"' in html


def test_the_500_page_is_styled_and_renders_without_a_request_or_database(client):
    from django.db import connections

    from portal.views import server_error

    with pytest.MonkeyPatch.context() as mp:  # any database access now fails loudly
        mp.setattr(connections["default"], "cursor", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("db down")))
        response = server_error(None)
    html = response.content.decode()
    assert response.status_code == 500 and "portal.css" in html and "系统繁忙" in html and "承诺通" in html


def test_an_unknown_address_in_development_gets_the_chinese_404_page(client, rf):
    from django.http import Http404
    from django.views import debug

    from portal.middleware import ChineseNotFoundInDevelopment

    request = rf.get("/no-such-page/")
    from django.contrib.auth.models import AnonymousUser
    request.user = AnonymousUser()
    technical = debug.technical_404_response(request, Http404("x"))
    response = ChineseNotFoundInDevelopment(lambda r: technical)(request)
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_the_user_agreement_and_privacy_policy_exist_and_registration_links_them(client):
    terms = client.get(reverse("terms")).content.decode()
    privacy = client.get(reverse("privacy")).content.decode()
    assert "用户服务协议" in terms and "告知承诺" in terms
    for text in ("个人信息保护法", "保存多久", "您的权利", "居民身份证号码"):
        assert text in privacy
    html = client.get(reverse("register_person")).content.decode()
    assert f'href="{reverse("terms")}"' in html and f'href="{reverse("privacy")}"' in html


def test_django_form_messages_read_as_natural_chinese():
    from django import forms
    from django.utils import translation

    class Form(forms.Form):
        reason = forms.CharField(min_length=15)
        email = forms.EmailField()

    with translation.override("zh-hans"):
        form = Form({"reason": "太短", "email": "x"})
        form.is_valid()
        assert "请至少输入 15 个字" in str(form.errors["reason"]) and "请输入有效的电子邮箱地址" in str(form.errors["email"])
        assert "请填写此项" in str(Form({}).errors["reason"])
