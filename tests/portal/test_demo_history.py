"""seed_demo spreads a year of activity over the months, so every monthly chart has bars to show."""

import io

import pytest
from dateutil.relativedelta import relativedelta
from django.core.management import call_command
from django.utils import timezone

from commitments.models import Application, Commitment
from complaints.models import Ticket
from credit.models import DishonestyRecord, Objection
from portal.models import AuditEvent
from supervision import figures
from verification.models import AssistanceRequest, VerificationTask

pytestmark = pytest.mark.django_db


def _months(values) -> set[str]:
    return {timezone.localtime(v).strftime("%Y-%m") if hasattr(v, "hour") else v.strftime("%Y-%m") for v in values}


def test_the_demo_has_twelve_months_of_history_and_seeding_again_adds_nothing(settings, tmp_path):
    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    today = timezone.localdate()
    last_twelve = {(today.replace(day=1) - relativedelta(months=k)).strftime("%Y-%m") for k in range(12)}

    assert last_twelve <= _months(Application.objects.exclude(submitted_at=None).values_list("submitted_at", flat=True))
    assert last_twelve <= _months(Commitment.objects.values_list("signed_at", flat=True))
    assert last_twelve <= _months(Ticket.objects.values_list("created_at", flat=True))
    concluded = VerificationTask.objects.filter(state="concluded")
    assert len(_months(concluded.values_list("concluded_at", flat=True))) >= 10
    assert concluded.filter(result="false").exists() and concluded.filter(result="true").exists()
    assert len(_months(DishonestyRecord.objects.values_list("decision_date", flat=True))) >= 6
    assert AssistanceRequest.objects.filter(state="answered").exists()
    assert Objection.objects.exclude(status="submitted").exists()
    # Nothing is dated in the future. The audit trail is not back-dated even for the demo: its time comes
    # from the database clock (tamper-evident chain), so an old application's events carry the seeding date.
    assert not Application.objects.filter(submitted_at__gt=timezone.now()).exists()
    oldest = Application.objects.exclude(submitted_at=None).order_by("submitted_at").first()
    assert AuditEvent.objects.filter(object_type="commitments.application", object_id=str(oldest.pk)).exists()
    assert not AuditEvent.objects.filter(at__lt=timezone.now() - relativedelta(days=1)).exists()
    assert not Commitment.objects.filter(letter_file="").exists()

    # The supervision dashboard's monthly chart has a bar in every month of this year so far.
    data = figures.compute(figures.Scope(), figures.Period.current_year(today), today)
    past = [m for m in data["months"] if m["month"] <= today]
    assert all(m["applications"] and m["commitments"] and m["tickets"] for m in past)
    assert sum(1 for m in past if m["tasks_decided"]) >= min(len(past), 10) - 1

    counts = (Application.objects.count(), Ticket.objects.count(), VerificationTask.objects.count(),
              DishonestyRecord.objects.count())
    call_command("seed_demo", "--quiet-logins", stdout=io.StringIO())
    assert (Application.objects.count(), Ticket.objects.count(), VerificationTask.objects.count(),
            DishonestyRecord.objects.count()) == counts
