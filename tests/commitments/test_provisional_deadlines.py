"""Deadlines counted into a year without a published holiday schedule are provisional (暂定), shown
as such, and counted again — once, however many beats run — when the schedule is entered."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from commitments.models import Application
from portal import holidays, tasks, workdays
from portal.models import AuditEvent, HolidaySchedule, Message, ProvisionalDeadline
from tests.portal.test_holiday_calendar import HYPOTHETICAL_2027

from .conftest import services

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def christmas_eve_2026(monkeypatch):
    """Today is Thursday 24 December 2026, and 2027's schedule is not out."""
    HolidaySchedule.objects.filter(year__gte=2027).delete()
    workdays.forget_scheduled_years()
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: D(2026, 12, 24))


def test_accepting_on_christmas_eve_gives_a_provisional_decision_date_that_skips_new_year(
        christmas_eve_2026, submitted, clerk, citizen, client):
    application = services.accept(clerk=clerk, application_pk=submitted.pk)
    application.refresh_from_db()
    # 20 working days: 12-25 … 12-31 (5), 元旦 skipped, then January 4 … 22 (15) → 22 January 2027.
    assert application.due_date == D(2027, 1, 22)
    assert application.deadline_provisional
    record = ProvisionalDeadline.objects.get(model="commitments.application", object_id=str(application.pk))
    assert set(record.people) == {clerk.pk, citizen.pk}
    client.force_login(citizen)
    page = client.get(reverse("commitments:application", args=[application.pk])).content.decode()
    assert "（暂定）" in page


def test_the_schedule_arriving_moves_the_date_once_audits_it_and_tells_the_people(
        christmas_eve_2026, submitted, clerk, citizen, client):
    application = services.accept(clerk=clerk, application_pk=submitted.pk)
    assert application.due_date == D(2027, 1, 22)
    assert tasks.settle_provisional_deadlines() == {"waiting": 1}  # 2027 unknown: nothing moves yet
    # The schedule gives Monday 4 January as a bridging day: the date moves to Monday 25 January.
    holidays.enter_schedule(holidays.parse_schedule("日期,类型,说明\n2027-01-01,休,元旦\n2027-01-04,休,元旦\n"),
                            source=HolidaySchedule.Source.CSV)
    # Two beats (or a beat and the import command) run the task: the second finds nothing to do.
    assert tasks.settle_provisional_deadlines() == {"moved": 1}
    assert tasks.settle_provisional_deadlines() == {}
    application = Application.objects.get(pk=application.pk)
    assert application.due_date == D(2027, 1, 25)
    assert not application.deadline_provisional
    event = AuditEvent.objects.get(object_type="commitments.application", object_id=str(application.pk),
                                   action="workdays.deadline_recomputed")
    assert event.data["fields"]["due_date"] == {"from": "2027-01-22", "to": "2027-01-25"}
    for person in (citizen, clerk):
        assert Message.objects.filter(user=person, kind=Message.Kind.DEADLINE).count() == 1
    client.force_login(citizen)
    page = client.get(reverse("workspace")).content.decode()
    assert "期限调整提醒" in page and "2027年01月25日" in page
    assert "（暂定）" not in client.get(reverse("commitments:application", args=[application.pk])).content.decode()


def test_a_schedule_that_changes_nothing_confirms_the_date_quietly(christmas_eve_2026, submitted, clerk, citizen):
    application = services.accept(clerk=clerk, application_pk=submitted.pk)
    holidays.enter_schedule(holidays.parse_schedule(HYPOTHETICAL_2027), source=HolidaySchedule.Source.NOTICE)
    assert tasks.settle_provisional_deadlines() == {"confirmed": 1}
    application = Application.objects.get(pk=application.pk)
    assert application.due_date == D(2027, 1, 22) and not application.deadline_provisional
    assert AuditEvent.objects.filter(action="workdays.deadline_confirmed", object_id=str(application.pk)).count() == 1
    assert not Message.objects.filter(kind=Message.Kind.DEADLINE).exists()


def test_a_date_changed_by_hand_meanwhile_is_left_alone(christmas_eve_2026, submitted, clerk):
    application = services.accept(clerk=clerk, application_pk=submitted.pk)
    Application.objects.filter(pk=application.pk).update(due_date=D(2027, 3, 1))
    holidays.enter_schedule(holidays.parse_schedule("日期,类型\n2027-01-04,休\n"), source=HolidaySchedule.Source.CSV)
    assert tasks.settle_provisional_deadlines() == {"superseded": 1}
    assert Application.objects.get(pk=application.pk).due_date == D(2027, 3, 1)
    assert ProvisionalDeadline.objects.get().settled_at is not None


def test_a_beat_that_lost_the_race_changes_nothing(christmas_eve_2026, submitted, clerk):
    application = services.accept(clerk=clerk, application_pk=submitted.pk)
    holidays.enter_schedule(holidays.parse_schedule("日期,类型\n2027-01-04,休\n"), source=HolidaySchedule.Source.CSV)
    record = ProvisionalDeadline.objects.get()
    # The other beat settled the record between this beat's read and its claim.
    ProvisionalDeadline.objects.filter(pk=record.pk).update(settled_at=timezone.now())
    assert holidays._settle_object("commitments.application", str(application.pk), [record], timezone.now()) == "taken"
    assert Application.objects.get(pk=application.pk).due_date == D(2027, 1, 22)
    assert not AuditEvent.objects.filter(action__startswith="workdays.deadline_").exists()


def test_a_deadline_inside_a_published_year_leaves_no_record(submitted, clerk, monkeypatch):
    monkeypatch.setattr(timezone, "localdate", lambda *args, **kwargs: D(2026, 9, 1))
    application = services.accept(clerk=clerk, application_pk=submitted.pk)
    assert not application.deadline_provisional
    assert not ProvisionalDeadline.objects.exists()
