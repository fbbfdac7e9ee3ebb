"""The demo's staff logins each find real work in their own agency once case work is scoped by duty (issue 14)."""

import pytest
from django.core.management import call_command

from portal.models import User

pytestmark = pytest.mark.django_db


def test_every_demo_case_worker_has_work_in_their_own_agency_and_none_elsewhere(settings, tmp_path):
    from commitments import selectors as commitments
    from complaints import selectors as complaints
    from credit import selectors as credit
    from verification import selectors as verification

    settings.DEBUG = True
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("seed_demo", "--quiet-logins")
    staff = {u.username: u for u in User.objects.filter(agency__isnull=False).select_related("agency")}
    clerk, verifier, inspector = staff["clerk"], staff["verifier"], staff["inspector"]
    assert clerk.agency.name == verifier.agency.name == inspector.agency.name == "西安市司法局"

    applications = commitments.desk_applications(clerk)
    assert applications.exists() and not applications.exclude(agency=clerk.agency).exists()
    tickets = complaints.inbox(clerk, view="all")
    assert tickets.exists() and not tickets.exclude(agency=clerk.agency).exists()
    tasks = verification.tasks_for(verifier)
    assert tasks.exists() and not tasks.exclude(agency=verifier.agency).exists()
    assert inspector in verification.inspectors_in_scope(verifier)

    credit_officer, rsj_credit = staff["credit"], staff["rsj_credit"]
    assert credit.officer_records(credit_officer).exists() and credit.repair_queue(credit_officer).exists()
    assert not credit.officer_records(credit_officer).exclude(deciding_agency=credit_officer.agency).exists()
    assert credit.objection_queue(rsj_credit).exists()

    # The district clerk sees none of the city's cases.
    assert not commitments.desk_applications(staff["yanta_clerk"]).filter(agency=clerk.agency).exists()
