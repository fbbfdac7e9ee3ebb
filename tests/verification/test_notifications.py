"""A verification outcome reaches the applicant's 消息中心; a rectification deadline is reminded once."""

import pytest

from chengnuo import reminders
from portal.models import Message
from verification import services
from verification.models import Disposition

pytestmark = pytest.mark.django_db

FALSE = {"terminate": True, "severity": "general", "decision_number": "西人社核〔2026〕7号",
         "legal_basis": "《中华人民共和国行政许可法》第六十九条", "document_number": "西人社处〔2026〕7号"}


def test_a_true_outcome_thanks_the_applicant(claimed, verifier, citizen):
    services.conclude(user=verifier, task_id=claimed.pk, result="true", conclusion="数据共享核查一致。")
    message = Message.objects.get(user=citizen, kind="outcome")
    assert message.title == "核查结果：承诺属实" and claimed.matter.name in message.body
    assert message.link == f"/applications/{claimed.application_id}/"


def test_a_false_outcome_says_what_follows_and_a_credit_record_is_told_too(claimed, verifier, citizen):
    services.conclude(user=verifier, task_id=claimed.pk, result="false", conclusion="户籍系统查无此人。",
                      disposition={**FALSE, "rectify": True, "rectify_days": 10})
    outcome = Message.objects.get(user=citizen, kind="outcome")
    assert outcome.title == "核查结果：承诺不实" and "西人社核〔2026〕7号" in outcome.body and "终止办理" in outcome.body
    credit = Message.objects.get(user=citizen, kind="credit")
    assert credit.title == "您有一条新的失信记录" and credit.link.startswith("/credit/me/records/")


def test_an_unverifiable_outcome_writes_no_outcome_message(claimed, verifier, citizen):
    services.conclude(user=verifier, task_id=claimed.pk, result="unverifiable", conclusion="系统无数据。")
    assert not Message.objects.filter(user=citizen, kind="outcome").exists()


def test_the_rectification_deadline_is_reminded_once(claimed, verifier, citizen):
    services.conclude(user=verifier, task_id=claimed.pk, result="false", conclusion="户籍系统查无此人。",
                      disposition={**FALSE, "rectify": True, "rectify_days": 10})
    due = Disposition.objects.get(task=claimed).rectify_due
    assert reminders.remind_due(today=due) == 1
    assert reminders.remind_due(today=due) == 0
    message = Message.objects.get(user=citizen, kind="deadline")
    assert "整改期限" in message.title and "西人社核〔2026〕7号" in message.body
