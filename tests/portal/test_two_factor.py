"""Two-factor login for credit officers, government approvers and superusers (issue 9, item 5)."""

import base64
import io
import re
import time
from urllib.parse import parse_qs, urlparse

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import roles, two_factor
from portal.models import AuditEvent, User
from tests.factories import PASSWORD


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def log_in(client, user, next_url=None):
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    data = {"username": user.username, "password": PASSWORD}
    if next_url:
        data["next"] = next_url
    return client.post(url, data, follow=True)


def device_for(user):
    return TOTPDevice.objects.create(user=user, name=two_factor.DEVICE_NAME, confirmed=True)


def wrong_code(device):
    return f"{(int(two_factor.next_code(device)) + 1) % 1_000_000:06d}"


def test_the_roles_that_need_two_factor_are_credit_officers_and_approvers():
    assert set(roles.TWO_FACTOR_ROLES) == {roles.CREDIT_OFFICER, roles.GOVERNMENT_APPROVER}


def test_an_approver_with_an_authenticator_is_asked_for_the_code_after_the_password(client, approver):
    device_for(approver)
    response = log_in(client, approver)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor"))
    assert "输入动态验证码" in response.content.decode()
    # Until the code is given, staff pages (and the workspace) send the approver back to the code page.
    for url in (reverse("catalog:approve"), reverse("workspace"), reverse("home")):
        response = client.get(url)
        assert response.status_code == 302
        assert urlparse(response["Location"]).path == reverse("two_factor")


def test_the_right_code_completes_the_login_and_returns_to_the_page_asked_for(client, approver):
    device = device_for(approver)
    response = log_in(client, approver, next_url=reverse("catalog:approve"))
    verify_url = response.redirect_chain[-1][0]
    assert parse_qs(urlparse(verify_url).query)["next"] == [reverse("catalog:approve")]
    response = client.post(verify_url, {"token": two_factor.next_code(device), "next": reverse("catalog:approve")},
                           follow=True)
    assert response.redirect_chain[-1][0] == reverse("catalog:approve")
    assert "清单审批" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.two_factor.verified", actor=approver).exists()


def test_a_wrong_code_is_refused_beside_the_field_and_then_throttled(client, credit_officer, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60  # a minute after the first failure, so a slow machine still sees it
    device = device_for(credit_officer)
    log_in(client, credit_officer)
    response = client.post(reverse("two_factor"), {"token": wrong_code(device)})
    assert response.status_code == 200
    assert "动态验证码不正确或已过期" in response.content.decode()
    # Right after a failure the next attempt must wait, even with the right code.
    response = client.post(reverse("two_factor"), {"token": two_factor.next_code(device)})
    assert re.search(r"错误次数过多，请在\d+秒后再试", response.content.decode())
    assert client.get(reverse("credit:officer")).status_code == 302
    assert AuditEvent.objects.filter(action="auth.two_factor.failed", actor=credit_officer).count() == 2


def test_a_code_cannot_be_used_twice(client, approver):
    device = device_for(approver)
    log_in(client, approver)
    code = two_factor.next_code(device)
    client.post(reverse("two_factor"), {"token": code})
    assert client.get(reverse("catalog:approve")).status_code == 200
    client.post(reverse("logout"))
    log_in(client, approver)
    response = client.post(reverse("two_factor"), {"token": code})
    assert "动态验证码不正确或已过期" in response.content.decode()


def test_first_login_enrols_an_authenticator_with_a_qr_code_and_the_key_in_groups(client, approver):
    response = log_in(client, approver)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_enrol"))
    page = response.content.decode()
    assert "绑定验证器应用" in page
    assert 'src="data:image/svg+xml' in page
    groups = re.findall(r'<span class="me-2">([A-Z2-7]{4})</span>', page)
    assert len(groups) == 8
    device = TOTPDevice.objects.get(user=approver)
    assert not device.confirmed
    assert "".join(groups) == two_factor.secret_base32(device)

    # The code an app computes from the key shown confirms the device and completes the login.
    key = base64.b32decode("".join(groups))
    t = int(time.time()) // 30
    response = client.post(reverse("two_factor_enrol"), {"token": f"{hotp(key, t):06d}"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("workspace")
    assert "验证器应用已绑定" in response.content.decode()
    device.refresh_from_db()
    assert device.confirmed
    assert AuditEvent.objects.filter(action="auth.two_factor.enrolled", actor=approver).exists()
    assert client.get(reverse("catalog:approve")).status_code == 200


def test_enrolment_shows_the_same_key_until_confirmed_and_refuses_a_wrong_code(client, credit_officer):
    log_in(client, credit_officer)
    first = client.get(reverse("two_factor_enrol")).content.decode()
    again = client.get(reverse("two_factor_enrol")).content.decode()
    key = re.findall(r'<span class="me-2">([A-Z2-7]{4})</span>', first)
    assert key and key == re.findall(r'<span class="me-2">([A-Z2-7]{4})</span>', again)
    response = client.post(reverse("two_factor_enrol"), {"token": "12345"})
    assert "请输入验证器应用显示的6位数字动态验证码" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=credit_officer, confirmed=True).exists()


def test_someone_with_the_password_only_cannot_enrol_a_second_authenticator(client, approver):
    device_for(approver)
    log_in(client, approver)
    response = client.get(reverse("two_factor_enrol"))
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse("two_factor")
    assert TOTPDevice.objects.filter(user=approver).count() == 1


def test_other_staff_and_citizens_log_in_with_the_password_alone(client, clerk, citizen):
    for user in (clerk, citizen):
        response = log_in(client, user)
        assert response.redirect_chain[-1][0] == reverse("workspace")
        assert response.status_code == 200
        client.post(reverse("logout"))
    assert not TOTPDevice.objects.exists()


def test_an_unverified_superuser_cannot_open_the_admin_site(client, password_only_login, db):
    admin = User.objects.create_superuser(username="root", password=PASSWORD, full_name="管理员")
    password_only_login(client, admin)
    response = client.get("/admin/")
    assert response.status_code == 302
    assert urlparse(response["Location"]).path == reverse("two_factor_enrol") or \
        urlparse(response["Location"]).path == reverse("two_factor")


def test_a_pending_htmx_request_is_sent_to_the_code_page(client, approver, password_only_login):
    password_only_login(client, approver)
    response = client.get(reverse("catalog:approve"), headers={"HX-Request": "true"})
    assert response["HX-Redirect"].startswith(reverse("two_factor"))


def test_the_code_page_never_returns_to_another_site(client, approver):
    device = device_for(approver)
    log_in(client, approver)
    response = client.post(reverse("two_factor") + "?next=https://evil.example/",
                           {"token": two_factor.next_code(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("workspace")


def test_a_pending_user_can_log_out(client, approver, password_only_login):
    password_only_login(client, approver)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_an_administrator_resets_a_lost_authenticator_and_the_user_enrols_again(client, approver):
    device_for(approver)
    admin = User.objects.create_superuser(username="root", password=PASSWORD, full_name="管理员")
    client.force_login(admin)
    response = client.post(reverse("admin:portal_user_changelist"),
                           {"action": "reset_two_factor", "_selected_action": [approver.pk]}, follow=True)
    assert "已重置 1 个账号的验证器绑定" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=approver).exists()
    event = AuditEvent.objects.get(action="auth.two_factor.reset")
    assert event.actor == admin and event.object_id == str(approver.pk)
    client.post(reverse("logout"))
    response = log_in(client, approver)
    assert response.redirect_chain[-1][0].startswith(reverse("two_factor_enrol"))


def test_the_admin_never_shows_authenticator_keys(client, approver):
    device = device_for(approver)
    admin = User.objects.create_superuser(username="root", password=PASSWORD, full_name="管理员")
    client.force_login(admin)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk])).content.decode()
    assert device.key not in page


def test_the_demo_gives_two_factor_accounts_a_device_and_prints_their_code(settings, db):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    for username in ("approver", "credit", "yanta_approver", "admin"):
        assert two_factor.confirmed_device(User.objects.get(username=username)) is not None
    assert two_factor.confirmed_device(User.objects.get(username="clerk")) is None
    out = io.StringIO()
    call_command("demo_otp_code", "approver", stdout=out)
    code = out.getvalue().strip()
    assert re.fullmatch(r"\d{6}", code)
    two_factor.check_code(two_factor.confirmed_device(User.objects.get(username="approver")), code)


def test_the_demo_code_command_refuses_outside_debug(settings, approver):
    settings.DEBUG = False
    device_for(approver)
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("demo_otp_code", approver.username)


def test_a_role_given_later_brings_the_second_factor_at_the_next_request(client, clerk, password_only_login):
    password_only_login(client, clerk)
    assert client.get(reverse("workspace")).status_code == 200
    clerk.groups.add(Group.objects.get(name=roles.CREDIT_OFFICER))
    response = client.get(reverse("workspace"))
    assert urlparse(response["Location"]).path == reverse("two_factor")
