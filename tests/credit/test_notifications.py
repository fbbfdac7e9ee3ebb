"""Credit changes reach the subject's 消息中心: a new record, repair and objection decisions, revocation."""

import pytest

from credit import services
from credit.models import Severity
from portal.models import Message
from tests.credit.conftest import pdf_upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(citizen, make_record):
    return make_record(citizen.subject, severity=Severity.SERIOUS, months_ago=13)


def test_a_new_record_tells_the_subject_what_it_means_and_where_to_object(record, citizen, other_citizen):
    message = Message.objects.get(user=citizen, kind="credit")
    assert message.title == "您有一条新的失信记录"
    assert record.decision_number in message.body and "提出异议" in message.body
    assert message.link == f"/credit/me/records/{record.pk}/"
    assert not Message.objects.filter(user=other_citizen).exists()


def test_a_repair_decision_is_told(record, citizen, credit_officer):
    repair = services.apply_for_repair(record=record, applicant=citizen, rectification="已整改", uploads=[pdf_upload()])
    services.decide_repair(repair, officer=credit_officer, approve=False, reason="整改材料不足以证明已纠正失信行为")
    message = Message.objects.get(user=citizen, title="信用修复申请有结果了")
    assert "未获准" in message.body and "整改材料不足" in message.body


def test_an_objection_decision_is_told(record, citizen, credit_officer):
    objection = services.raise_objection(record=record, applicant=citizen, reasons="事实有误")
    services.decide_objection(objection, officer=credit_officer, outcome="revoked", reason="认定依据不足")
    message = Message.objects.get(user=citizen, title="异议处理有结果了")
    assert "认定依据不足" in message.body and record.decision_number in message.body


def test_a_revoked_record_is_told(record, citizen, credit_officer):
    services.revoke_record(record, officer=credit_officer, reason="行政复议撤销原决定")
    assert Message.objects.get(user=citizen, title="失信记录已撤销").link == f"/credit/me/records/{record.pk}/"
