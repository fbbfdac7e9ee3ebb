import pytest
from django.urls import reverse

from portal.models import AuditEvent, Subject, User
from tests.factories import PASSWORD, CitizenFactory

pytestmark = pytest.mark.django_db

PERSON = {
    "full_name": "赵小云",
    "id_number": "610113198805203217",
    "mobile": "13712345678",
    "email": "",
    "password1": "Qinling#2026",
    "password2": "Qinling#2026",
    "agree": "on",
}
ENTERPRISE = {
    "name": "西安秦川软件科技有限公司",
    "uscc": "91610131ma6uq1234u",
    "legal_representative": "赵国栋",
    "contact_name": "钱晓燕",
    "mobile": "13912345678",
    "email": "qian@example.cn",
    "password1": "Qinling#2026",
    "password2": "Qinling#2026",
    "agree": "on",
}


def test_citizen_registers_an_account_bound_to_no_record_and_is_sent_to_identity_proofing(client):
    response = client.post(reverse("register_person"), PERSON)
    assert response.status_code == 302 and response["Location"] == reverse("identity")
    user = User.objects.get(username="13712345678")
    assert user.subject is None and user.identity_verified_at is None
    assert not Subject.objects.exists()  # the typed ID number is ignored: only proofing binds a record
    assert user.groups.filter(name="applicant").exists()
    assert AuditEvent.objects.filter(action="account.registered", object_id=str(user.pk)).exists()
    workspace = client.get(reverse("workspace")).content.decode()
    assert "赵小云" in workspace and "尚未完成实名认证" in workspace


def test_enterprise_contact_registers_and_is_sent_to_the_enterprise_proofing(client):
    response = client.post(reverse("register_enterprise"), ENTERPRISE)
    assert response.status_code == 302 and response["Location"] == reverse("identity") + "?for=enterprise"
    user = User.objects.get(username="13912345678")
    assert user.subject is None and user.full_name == "钱晓燕"
    assert not Subject.objects.exists()


def test_registration_asks_for_no_id_number(client):
    page = client.get(reverse("register_person")).content.decode()
    assert 'name="id_number"' not in page
    assert 'name="uscc"' not in client.get(reverse("register_enterprise")).content.decode()


def test_registering_a_taken_mobile_number_is_refused(client):
    CitizenFactory(mobile="13712345678")
    response = client.post(reverse("register_person"), PERSON)
    assert "该手机号码已注册" in response.context["form"].errors["mobile"][0]


@pytest.mark.parametrize(
    ("password", "expected"),
    [("12345678", "只包含数字"), ("abc", "太短"), ("password", "太常见"), ("13712345678x", None)],
)
def test_weak_passwords_get_chinese_messages(client, password, expected):
    response = client.post(reverse("register_person"), {**PERSON, "password1": password, "password2": password})
    errors = " ".join(response.context["form"].errors.get("password1", []))
    assert errors, "a weak password must be refused"
    if expected:
        assert expected in errors


def test_mismatched_passwords_are_flagged_on_the_confirmation_field(client):
    response = client.post(reverse("register_person"), {**PERSON, "password2": "Other#2026x"})
    assert "两次输入的密码不一致" in response.context["form"].errors["password2"][0]


def test_user_can_log_in_with_mobile_number(client, citizen):
    response = client.post(reverse("login"), {"username": citizen.mobile, "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == reverse("workspace")


def test_wrong_password_shows_chinese_message(client, citizen):
    response = client.post(reverse("login"), {"username": citizen.username, "password": "wrong-pass"})
    assert response.status_code == 200
    assert "用户名（手机号码）或密码不正确" in response.content.decode()


def test_five_failed_logins_lock_the_account_for_that_address(client, citizen):
    for _ in range(5):
        client.post(reverse("login"), {"username": citizen.username, "password": "wrong-pass"})
    response = client.post(reverse("login"), {"username": citizen.username, "password": PASSWORD})
    assert response.status_code == 429
    assert "已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_password_change_requires_the_old_password(client, citizen):
    client.force_login(citizen)
    response = client.post(
        reverse("password_change"),
        {"old_password": "nope", "new_password1": "Daming#Palace9", "new_password2": "Daming#Palace9"},
    )
    assert response.status_code == 200
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Daming#Palace9", "new_password2": "Daming#Palace9"},
    )
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert citizen.check_password("Daming#Palace9")


def test_password_reset_sends_a_chinese_email_with_a_working_link(client, citizen, mailoutbox):
    citizen.email = "zhang@example.cn"
    citizen.save()
    client.post(reverse("password_reset"), {"email": "zhang@example.cn"})
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert "重置密码" in message.subject
    link = next(line for line in message.body.splitlines() if "/accounts/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    response = client.get(path, follow=True)
    assert "设置新密码" in response.content.decode()


def test_logout_is_a_post_and_ends_the_session(client, citizen):
    client.force_login(citizen)
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_reset_link_lives_the_24_hours_its_email_promises_and_no_longer(client, citizen, mailoutbox):
    from django.contrib.auth.tokens import default_token_generator as tokens

    citizen.email = "zhang@example.cn"
    citizen.save()
    client.post(reverse("password_reset"), {"email": "zhang@example.cn"})
    assert "24小时" in mailoutbox[0].body
    now = tokens._num_seconds(tokens._now())
    assert tokens.check_token(citizen, tokens._make_token_with_timestamp(citizen, now - 23 * 3600, tokens.secret))
    assert not tokens.check_token(citizen, tokens._make_token_with_timestamp(citizen, now - 25 * 3600, tokens.secret))
