"""Acceptance and one-time notices reach the citizen's 消息中心; the 补正 deadline is reminded once."""

import pytest
from django.core import mail
from django.utils import timezone, translation

from chengnuo import reminders
from chengnuo.tasks import remind_deadlines
from commitments import services
from portal.models import Delivery, Message
from portal.notifications import due_deliveries, send_delivery
from tests.factories import CitizenFactory

pytestmark = pytest.mark.django_db


def test_acceptance_tells_the_applicant_with_a_link_to_the_application(accepted, citizen):
    message = Message.objects.get(user=citizen, kind="accepted")
    assert message.title == "办件已受理"
    assert accepted.number in message.body and "作出决定" in message.body
    assert message.link == f"/applications/{accepted.pk}/" and not message.is_read


def test_accepting_twice_tells_once(accepted, citizen, clerk):
    with pytest.raises(Exception):  # noqa: B017 - the second acceptance is refused, whatever its error
        services.accept(clerk=clerk, application_pk=accepted.pk)
    assert Message.objects.filter(user=citizen, kind="accepted").count() == 1


def test_messages_are_stored_in_chinese_when_the_clerk_works_in_english(submitted, clerk, citizen, start):
    with translation.override("en"):
        services.accept(clerk=clerk, application_pk=submitted.pk)
        services.issue_notice(clerk=clerk, application_pk=start(citizen).pk)
    accepted = Message.objects.get(user=citizen, kind="accepted")
    notice = Message.objects.get(user=citizen, kind="notice")
    assert accepted.title == "办件已受理" and "受理" in accepted.body and "年" in accepted.body
    assert notice.title == "请补正办件材料" and "还缺" in notice.body


@pytest.fixture
def noticed(start, citizen, clerk):
    application = start(citizen)
    return services.issue_notice(clerk=clerk, application_pk=application.pk)


def test_a_one_time_notice_lists_the_missing_items_in_a_message(noticed, citizen):
    message = Message.objects.get(user=citizen, kind="notice")
    assert message.title == "请补正办件材料"
    assert "无犯罪记录证明" in message.body and noticed.number in message.body
    assert message.link == f"/applications/{noticed.application_id}/"


def test_the_supplement_deadline_is_reminded_once_in_the_last_two_working_days(noticed, citizen):
    assert reminders.remind_due(today=timezone.localdate()) == 0  # five working days away: not yet
    assert reminders.remind_due(today=noticed.due_date) == 1
    assert reminders.remind_due(today=noticed.due_date) == 0  # a second beat writes nothing
    message = Message.objects.get(user=citizen, kind="deadline")
    assert "补正期限" in message.body and noticed.application.number in message.body


def test_two_beats_running_the_reminder_task_send_one_email(noticed, citizen, django_capture_on_commit_callbacks,
                                                            monkeypatch):
    citizen.email = "zhangwei@example.com"
    citizen.save()
    monkeypatch.setattr(timezone, "localdate", lambda *a: noticed.due_date)
    # The task bodies run here whatever the broker (in CI a real Redis with no worker in this test):
    # two beats' runs of the reminder, then the sending a worker would do.
    with django_capture_on_commit_callbacks(execute=False):
        remind_deadlines.apply()
        remind_deadlines.apply()
    for pk in list(due_deliveries()):  # each queued e-mail handed to two workers: sent once
        send_delivery.apply(args=[pk])
        send_delivery.apply(args=[pk])
    assert Message.objects.filter(user=citizen, kind="deadline").count() == 1
    assert Delivery.objects.filter(message__kind="deadline", status="sent").count() == 1
    assert [m.subject for m in mail.outbox].count("【承诺通】" + Message.objects.get(kind="deadline").title) == 1


def test_a_supplemented_application_is_not_reminded(noticed, citizen, sign):
    application = noticed.application
    for requirement in application.requirements.select_related("matter"):
        if requirement.matter.commitment_allowed:
            sign(citizen, application, requirement.matter.name)
        else:
            from tests.commitments.conftest import upload

            services.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=requirement.pk,
                                  upload=upload())
    assert reminders.remind_due(today=noticed.due_date) == 0


def test_a_window_application_tells_the_subjects_accounts(service, clerk, citizen):
    import uuid

    application, _ = services.file_at_window(clerk=clerk, subject=citizen.subject, service_id=service.pk,
                                             token=uuid.uuid4())
    services.issue_notice(clerk=clerk, application_pk=application.pk)
    assert Message.objects.filter(user=citizen, kind="notice").count() == 1
    stranger = CitizenFactory()
    assert not Message.objects.filter(user=stranger).exists()
