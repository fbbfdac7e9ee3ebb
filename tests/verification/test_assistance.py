import datetime

import pytest

from portal.models import AuditEvent, Workday
from verification import selectors, services
from verification.models import AssistanceRequest, VerificationError

pytestmark = pytest.mark.django_db


def send(verifier, claimed, to):
    return services.send_assistance(user=verifier, task_id=claimed.pk, to_agency=to, question="请确认申请人户籍情况。")


def test_due_date_is_three_working_days_on_the_calendar(verifier, claimed, other_agency, monkeypatch):
    # Friday 2026-09-25, then 国庆: 10-01..10-08 off, Sunday 09-27 and Saturday 10-10 调休 working days
    monkeypatch.setattr(services.assistance, "_today", lambda: datetime.date(2026, 9, 25))
    Workday.objects.bulk_create([Workday(date=datetime.date(2026, 9, 27), is_workday=True)] + [
        Workday(date=datetime.date(2026, 10, d), is_workday=False) for d in range(1, 9)], ignore_conflicts=True)
    req = send(verifier, claimed, other_agency)
    # working days after Fri 09-25: Sun 09-27 (调休), Mon 09-28, Tue 09-29
    assert req.due_date == datetime.date(2026, 9, 29)


def test_the_deadline_is_configurable(settings, verifier, claimed, other_agency, monkeypatch):
    settings.VERIFICATION_ASSISTANCE_WORKDAYS = 1
    monkeypatch.setattr(services.assistance, "_today", lambda: datetime.date(2026, 11, 27))  # a Friday
    Workday.objects.filter(date__in=[datetime.date(2026, 11, 28), datetime.date(2026, 11, 29)]).delete()
    assert send(verifier, claimed, other_agency).due_date == datetime.date(2026, 11, 30)


def test_cannot_ask_ones_own_agency(verifier, claimed, agency):
    with pytest.raises(VerificationError) as exc:
        send(verifier, claimed, agency)
    assert exc.value.field == "to_agency"


def test_reply_after_the_deadline_counts_as_late(verifier, claimed, other_agency, other_agency_verifier, monkeypatch):
    req = send(verifier, claimed, other_agency)
    monkeypatch.setattr(services.assistance, "_today", lambda: req.due_date + datetime.timedelta(days=1))
    req = services.reply_assistance(user=other_agency_verifier, request_id=req.pk, answer="confirmed", text="属实")
    assert req.answered_on_time is False


def test_refusal_is_recorded_and_the_task_can_go_on(verifier, claimed, other_agency, other_agency_verifier):
    req = send(verifier, claimed, other_agency)
    req = services.refuse_assistance(user=other_agency_verifier, request_id=req.pk, reason="本局不掌握该信息")
    assert req.state == "refused"
    assert claimed.__class__.objects.get(pk=claimed.pk).state == "claimed"
    with pytest.raises(VerificationError):
        services.reply_assistance(user=other_agency_verifier, request_id=req.pk, answer="confirmed", text="x")


def test_task_waits_until_every_request_is_settled(verifier, claimed, other_agency, other_agency_verifier, city_government):
    from tests.factories import AgencyFactory

    third = AgencyFactory(code="610100-MZJ", name="西安市民政局", parent=city_government)
    a, _b = send(verifier, claimed, other_agency), send(verifier, claimed, third)
    services.reply_assistance(user=other_agency_verifier, request_id=a.pk, answer="confirmed", text="属实")
    assert claimed.__class__.objects.get(pk=claimed.pk).state == "waiting_assistance"


def test_reminder_goes_once_the_day_before_and_escalation_once_after(verifier, claimed, other_agency, supervisor,
                                                                      other_agency_verifier, mailoutbox, settings):
    other_agency_verifier.email = "xu@example.cn"
    other_agency_verifier.save()
    supervisor.email = "zheng@example.cn"
    supervisor.save()
    req = send(verifier, claimed, other_agency)
    day_before = req.due_date - datetime.timedelta(days=1)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("django.db.transaction.on_commit", lambda f, *a, **k: f())
        assert services.remind_assistance(today=day_before) == 1
        assert services.remind_assistance(today=day_before) == 0
        assert services.escalate_assistance(today=req.due_date) == 0
        late = req.due_date + datetime.timedelta(days=1)
        assert services.escalate_assistance(today=late) == 1
        assert services.escalate_assistance(today=late) == 0
    assert [m.to for m in mailoutbox] == [["xu@example.cn"], ["zheng@example.cn"]]
    assert AuditEvent.objects.filter(action="verification.assistance.escalated", object_id=str(req.pk)).count() == 1


def test_figures_count_on_time_late_refused_and_pending_per_agency(verifier, claimed, other_agency,
                                                                    other_agency_verifier, city_government):
    from tests.factories import AgencyFactory

    third = AgencyFactory(code="610100-MZJ", name="西安市民政局", parent=city_government)
    a = send(verifier, claimed, other_agency)
    b = send(verifier, claimed, other_agency)
    send(verifier, claimed, third)
    services.reply_assistance(user=other_agency_verifier, request_id=a.pk, answer="confirmed", text="属实")
    services.refuse_assistance(user=other_agency_verifier, request_id=b.pk, reason="无此信息")
    overdue = send(verifier, claimed, other_agency)
    AssistanceRequest.objects.filter(pk=overdue.pk).update(due_date=datetime.date(2020, 1, 1))
    rows = {r["to_agency__name"]: r for r in selectors.assistance_figures()}
    assert rows[other_agency.name] == {"to_agency__name": other_agency.name, "total": 3, "on_time": 1, "late": 1,
                                       "refused": 1, "pending": 1}
    assert rows["西安市民政局"]["pending"] == 1


def test_reply_letter_pdf_renders(verifier, claimed, other_agency, other_agency_verifier):
    req = send(verifier, claimed, other_agency)
    req = services.reply_assistance(user=other_agency_verifier, request_id=req.pk, answer="denied", text="查无此人")
    req = selectors.assistance_for(other_agency_verifier, req.pk)
    assert services.reply_letter_pdf(req).startswith(b"%PDF")
