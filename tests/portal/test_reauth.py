"""Re-authentication (确认身份) before blacklist and catalogue approval actions (issue 9, item 5)."""

import datetime
import time

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from catalog import services as catalog_services
from catalog.models import Catalogue
from credit import services as credit_services
from credit.models import DishonestyRecord
from portal import reauth, two_factor
from portal.models import AuditEvent
from supervision import figures
from supervision import services as supervision_services
from tests.catalog.conftest import add_matter
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

REQUIRED = "请输入登录密码或6位动态验证码以确认身份。"
WRONG = "登录密码或动态验证码不正确。"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.REAUTH_MINUTES = 5


def logged_in_long_ago(client, user):
    """Logged in with both factors, but the last proof of identity is six minutes old."""
    client.force_login(user)
    session = client.session
    session[reauth.SESSION_KEY] = int(time.time()) - 6 * 60
    session.save()
    return two_factor.confirmed_device(user)


def record_data(agency, **extra):
    return {
        "subject_kind": "person", "subject_name": "赵小云", "id_number": "610113198805203217",
        "kind": "false_commitment", "commitment_ref": "CN-2026-00077", "severity": "serious",
        "decision_number": "西人社罚〔2026〕9号", "decision_date": "2026-01-05", "deciding_agency": agency.pk,
        "facts": "承诺具有完全民事行为能力，经核查不实。", **extra,
    }


def field_errors(response):
    return response.context["form"].errors.get(reauth.FIELD, [])


def test_blacklisting_needs_the_password_again_after_five_minutes(client, credit_officer, agency):
    logged_in_long_ago(client, credit_officer)
    page = client.get(reverse("credit:record_new")).content.decode()
    assert "确认身份" in page and "此操作须再次确认身份" in page
    response = client.post(reverse("credit:record_new"), record_data(agency))
    assert field_errors(response) == [REQUIRED]
    assert not DishonestyRecord.objects.exists()

    response = client.post(reverse("credit:record_new"), record_data(agency, confirm_identity="not-my-password"))
    assert field_errors(response) == [WRONG]
    assert not DishonestyRecord.objects.exists()
    assert AuditEvent.objects.filter(action="auth.reauth.failed", actor=credit_officer).count() == 1


def test_the_password_confirms_and_the_next_action_within_five_minutes_needs_nothing(client, credit_officer, agency):
    logged_in_long_ago(client, credit_officer)
    response = client.post(reverse("credit:record_new"), record_data(agency, confirm_identity=PASSWORD))
    record = DishonestyRecord.objects.get()
    assert response.status_code == 302 and record.blacklisted
    assert AuditEvent.objects.filter(action="auth.reauth.confirmed", actor=credit_officer).count() == 1
    # Revoking right after: the proof is fresh, the field may stay empty.
    assert "本次可以不填" in client.get(reverse("credit:record", args=[record.pk])).content.decode()
    client.post(reverse("credit:record_revoke", args=[record.pk]), {"reason": "原处罚决定已被复议撤销"})
    record.refresh_from_db()
    assert record.status == DishonestyRecord.Status.REVOKED


def test_a_code_from_the_authenticator_confirms_as_well(client, credit_officer, agency):
    device = logged_in_long_ago(client, credit_officer)
    response = client.post(reverse("credit:record_new"),
                           record_data(agency, confirm_identity=two_factor.next_code(device)))
    assert response.status_code == 302
    assert DishonestyRecord.objects.count() == 1


def test_taking_someone_off_the_list_needs_the_proof_too(client, credit_officer, agency, citizen):
    record = credit_services.enter_record(
        subject=citizen.subject, kind="false_commitment", severity="serious", decision_number="西人社罚〔2026〕1号",
        decision_date=timezone.localdate() - datetime.timedelta(days=30), deciding_agency=agency,
        facts="经核查不实。", commitment_ref="CN-1", actor=credit_officer)
    logged_in_long_ago(client, credit_officer)
    response = client.post(reverse("credit:record_revoke", args=[record.pk]), {"reason": "复议撤销"})
    assert response.status_code == 200
    assert response.context["revoke_form"].errors[reauth.FIELD] == [REQUIRED]
    assert "<details class=\"mt-4\" open>" in response.content.decode()
    record.refresh_from_db()
    assert record.status == DishonestyRecord.Status.ACTIVE


def test_failed_confirmations_share_the_authenticators_throttle(client, credit_officer, agency, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 60
    logged_in_long_ago(client, credit_officer)
    client.post(reverse("credit:record_new"), record_data(agency, confirm_identity="wrong-password"))
    response = client.post(reverse("credit:record_new"), record_data(agency, confirm_identity=PASSWORD))
    assert "错误次数过多" in field_errors(response)[0]
    assert not DishonestyRecord.objects.exists()


@pytest.fixture
def reviewed(editor, reviewer):
    catalogue = catalog_services.start_version(actor=editor)
    add_matter(catalogue)
    catalogue = catalog_services.submit(actor=editor, catalogue=catalogue)
    return catalog_services.pass_review(actor=reviewer, catalogue=catalogue)


def test_approving_a_catalogue_needs_a_fresh_proof_shown_beside_the_field(client, approver, reviewed):
    device = logged_in_long_ago(client, approver)
    url = reverse("catalog:transition", args=[reviewed.pk, "approve"])
    page = client.get(reverse("catalog:catalogue", args=[reviewed.pk])).content.decode()
    assert 'name="confirm_identity"' in page
    response = client.post(url, {"comment": "同意", "publish_now": "1"})
    assert response.status_code == 200
    assert response.context["approval_form"].errors[reauth.FIELD] == [REQUIRED]
    assert "同意</textarea>" in response.content.decode()  # the comment typed is kept
    assert Catalogue.objects.get(pk=reviewed.pk).state == "reviewed"

    response = client.post(url, {"comment": "同意", "publish_now": "1", "confirm_identity": two_factor.next_code(device)})
    assert response.status_code == 302
    assert Catalogue.objects.get(pk=reviewed.pk).state == "published"


def test_publishing_an_approved_catalogue_needs_the_proof_but_returning_it_does_not(client, approver, reviewed):
    catalogue = catalog_services.approve(actor=approver, catalogue=reviewed)
    logged_in_long_ago(client, approver)
    client.post(reverse("catalog:transition", args=[catalogue.pk, "publish"]), {})
    assert Catalogue.objects.get(pk=catalogue.pk).state == "approved"
    client.post(reverse("catalog:transition", args=[catalogue.pk, "publish"]), {"confirm_identity": PASSWORD})
    assert Catalogue.objects.get(pk=catalogue.pk).state == "published"


def test_logging_in_with_both_factors_counts_as_a_fresh_proof(client, approver, reviewed):
    device = two_factor.confirmed_device(approver) or TOTPDevice.objects.create(
        user=approver, name=two_factor.DEVICE_NAME, confirmed=True)
    client.post(reverse("login"), {"username": approver.username, "password": PASSWORD})
    client.post(reverse("two_factor"), {"token": two_factor.next_code(device)})
    client.post(reverse("catalog:transition", args=[reviewed.pk, "approve"]), {"comment": ""})
    assert Catalogue.objects.get(pk=reviewed.pk).state == "approved"


def test_returning_a_catalogue_for_changes_needs_no_proof(client, approver, reviewed):
    logged_in_long_ago(client, approver)
    client.post(reverse("catalog:transition", args=[reviewed.pk, "return_for_changes"]), {"comment": "请补充依据"})
    assert Catalogue.objects.get(pk=reviewed.pk).state != "reviewed"


def test_approving_a_supervision_notice_needs_the_proof_too(client, approver, supervisor):
    notice = supervision_services.draft(author=supervisor, title="关于一季度告知承诺制落实情况的通报", body="通报正文",
                            period=figures.Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31)))
    logged_in_long_ago(client, approver)
    assert 'name="confirm_identity"' in client.get(reverse("supervision_notice", args=[notice.pk])).content.decode()
    response = client.post(reverse("supervision_notice_approve", args=[notice.pk]), {})
    assert response.context["confirm_form"].errors[reauth.FIELD] == [REQUIRED]
    notice.refresh_from_db()
    assert notice.state == "draft"
    client.post(reverse("supervision_notice_approve", args=[notice.pk]), {"confirm_identity": PASSWORD})
    notice.refresh_from_db()
    assert notice.state == "approved"


def test_editing_a_blacklist_policy_needs_a_fresh_proof_of_identity(client, credit_officer):
    from credit.models import SeverityPolicy

    logged_in_long_ago(client, credit_officer)
    url = reverse("credit:policy_edit", args=["serious"])
    data = {"min_publicity_months": 6, "default_publicity_months": 12, "max_publicity_months": 36,
            "bars_commitment": "on", "mandatory_onsite": "on", "min_months_before_repair": 12,
            "repair_cooldown_months": 12}  # "blacklists" unticked: nobody would be blacklisted any more
    response = client.post(url, data)
    assert field_errors(response) == [REQUIRED]
    assert SeverityPolicy.objects.get(severity="serious").blacklists
    response = client.post(url, {**data, "confirm_identity": PASSWORD})
    assert response.status_code == 302
    assert not SeverityPolicy.objects.get(severity="serious").blacklists
    assert AuditEvent.objects.filter(action="credit.policy.updated", actor=credit_officer).exists()
