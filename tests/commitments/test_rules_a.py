"""The plan's rules on the letter and on who may sign: Chinese letters whatever the page language (issue 17
item 5) and an eligibility change between opening the sign page and submitting it (§二(二))."""

import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from commitments import services
from commitments.models import Commitment
from credit import services as credit
from credit.models import DishonestyRecord, Severity
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def test_letter_signed_in_english_is_chinese_with_a_chinese_date(citizen, start, sign):
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) is not installed")
    with translation.override("en"):
        application = start(citizen)
        commitment = sign(citizen, application, "无犯罪记录证明")
        content = services.letter_pdf(commitment.pk)
    commitment = Commitment.objects.get(pk=commitment.pk)
    assert "Administrative" not in commitment.notification_text
    assert not re.search(r"\d{4}-\d{2}-\d{2}", commitment.notification.get("catalogue_published_at", ""))
    text = subprocess.run(["pdftotext", "-", "-"], input=content, capture_output=True, check=True).stdout.decode()
    assert "告知承诺书" in text
    assert re.search(r"\d{4}年\d{1,2}月\d{1,2}日", text)
    assert "Administrative licence" not in text and "Inter-agency" not in text


def test_a_record_entered_after_opening_the_sign_page_refuses_the_signature_with_its_reason(citizen, start, sign):
    application = start(citizen)
    credit.enter_record(subject=citizen.subject, kind=DishonestyRecord.Kind.OTHER, severity=Severity.MINOR,
                        decision_number="西市监罚〔2026〕9号", decision_date=timezone.localdate(),
                        deciding_agency=application.agency, facts="未按期年报。", basis="《陕西省社会信用条例》第二十条")
    with pytest.raises(services.CommitmentsError) as refused:
        sign(citizen, application, "无犯罪记录证明")
    assert "西市监罚〔2026〕9号" in str(refused.value) and "信用修复前不适用告知承诺制" in str(refused.value)
    assert not Commitment.objects.filter(application=application).exists()


@pytest.mark.parametrize("outcome", ["exempted", "verified"])
def test_a_pooled_or_checked_commitment_can_still_be_withdrawn_until_the_decision(accepted, citizen, outcome):
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    services.conclude_commitment(commitment_pk=c.pk, outcome=outcome)
    services.withdraw_commitment(user=citizen, letter_number=c.letter_number, reason="改为提交证明")
    c.refresh_from_db()
    assert c.state == "withdrawn" and c.withdrawal_reason == "改为提交证明"


def test_a_commitment_found_false_cannot_be_withdrawn(accepted, citizen):
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    services.conclude_commitment(commitment_pk=c.pk, outcome="found_false")
    with refused("wrong_state", services.CommitmentsError):
        services.withdraw_commitment(user=citizen, letter_number=c.letter_number, reason="想撤回")


def test_start_page_tells_a_subject_with_a_minor_record_to_bring_proof_and_how_to_repair(client, citizen, service):
    record = credit.enter_record(subject=citizen.subject, kind=DishonestyRecord.Kind.OTHER, severity=Severity.MINOR,
                                 decision_number="西市监罚〔2026〕11号", decision_date=timezone.localdate(),
                                 deciding_agency=service.agency, facts="未按期年报。",
                                 basis="《陕西省社会信用条例》第二十条")
    from tests.commitments.test_views import _login

    _login(client, citizen)
    html = client.get(reverse("commitments:start") + f"?service={service.pk}").content.decode()
    assert "暂不适用告知承诺制，办理时请提交证明材料" in html
    assert "西市监罚〔2026〕11号" in html and "在信用修复前不适用告知承诺制" in html
    assert reverse("credit:apply_repair", args=[record.pk]) in html
    assert reverse("credit:raise_objection", args=[record.pk]) in html and "个工作日" in html
