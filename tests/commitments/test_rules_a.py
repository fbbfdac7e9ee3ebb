"""The plan's rules on the letter and on who may sign: Chinese letters whatever the page language (issue 17
item 5) and an eligibility change between opening the sign page and submitting it (§二(二))."""

import re
import shutil
import subprocess

import pytest
from django.utils import timezone, translation

from commitments import services
from commitments.models import Commitment
from credit import services as credit
from credit.models import DishonestyRecord, Severity

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
