import datetime

import pytest

from complaints import demo, tasks
from complaints.models import Ticket
from portal import demo as portal_demo

pytestmark = pytest.mark.django_db


def test_demo_seed_creates_tickets_in_several_states_and_is_idempotent():
    portal_demo.seed()
    demo.seed()
    states = set(Ticket.objects.values_list("state", flat=True))
    assert {"received", "assigned", "in_progress", "replied", "closed"} <= states
    count = Ticket.objects.count()
    demo.seed()
    assert Ticket.objects.count() == count == len(demo.TICKETS)


def test_beat_tasks_call_the_services_and_are_idempotent(complaint):
    assert tasks.send_reminders() == 0
    assert tasks.escalate_overdue() == 0
    assert tasks.close_unrated() == 0


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_escalation_task_runs_on_a_real_worker(celery_worker, citizen, agency):
    from complaints import services
    from complaints.models import Channel, Kind
    from tests.conftest import wait_for

    ticket, _code = services.file_ticket(kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen, title="t",
                                         content="c", about_agency=agency)
    Ticket.objects.filter(pk=ticket.pk).update(sign_due=datetime.date(2020, 1, 2), reply_due=datetime.date(2020, 1, 9))
    tasks.escalate_overdue.delay()
    assert wait_for(lambda: Ticket.objects.filter(pk=ticket.pk, state="escalated").exists())
