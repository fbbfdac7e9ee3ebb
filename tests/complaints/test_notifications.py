"""A reply reaches the requester's 消息中心; the rating deadline is reminded once; anonymous reports get none."""

import pytest
from django.utils import timezone

from chengnuo import reminders
from complaints import services
from complaints.models import DeadlinePolicy
from portal import workdays
from portal.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture
def replied(complaint, clerk):
    services.sign_for(actor=clerk, ticket_pk=complaint.pk)
    return services.reply(actor=clerk, ticket_pk=complaint.pk, text="已责成窗口按告知承诺制受理。")


def test_a_reply_tells_the_requester_with_a_link_to_the_ticket(replied, citizen):
    message = Message.objects.get(user=citizen, kind="complaint")
    assert message.title == "您的投诉已答复"
    assert replied.number in message.body and "评价" in message.body
    assert message.link == f"/complaints/mine/{replied.number}/"


def test_the_rating_deadline_is_reminded_once(replied, citizen):
    rating_days = DeadlinePolicy.for_kind(replied.kind)[2]
    due = workdays.add_workdays(timezone.localtime(replied.replied_at).date(), rating_days)
    assert reminders.remind_due(today=due) == 1
    assert reminders.remind_due(today=due) == 0
    assert "评价" in Message.objects.get(user=citizen, kind="deadline").title


def test_an_anonymous_report_gets_no_message(anonymous_report, operator, agency, clerk):
    ticket = services.route(actor=operator, ticket_pk=anonymous_report.pk, agency=agency)
    services.sign_for(actor=clerk, ticket_pk=ticket.pk)
    services.reply(actor=clerk, ticket_pk=ticket.pk, text="已转核查。")
    assert not Message.objects.exists()
