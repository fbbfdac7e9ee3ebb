"""The supervision figures the way they were computed before the daily counts (``portal.rollup``): straight from
the application, commitment and task rows. Kept for the tests only, as the answer the rollup must give."""

from django.db.models import Count, F, Q

from commitments.models import Application, Commitment
from portal.figures import grouped_by_month
from verification.models import VerificationTask


def commitment_figures(scope, period) -> dict:
    first, after = period.bounds()
    applications = Application.objects.filter(scope.q("agency"), submitted_at__gte=first, submitted_at__lt=after)
    by_agency, months = grouped_by_month(applications, "agency_id", "submitted_at", period, ["applications"],
                                         applications=Count("submitted_at"))
    C = Commitment.State
    commitments = Commitment.objects.filter(scope.q("agency"), signed_at__gte=first, signed_at__lt=after)
    signed, signed_months = grouped_by_month(
        commitments, "agency_id", "signed_at", period, ["commitments"],
        commitments=Count("signed_at"),
        withdrawn=Count("signed_at", filter=Q(state=C.WITHDRAWN)),
        verified=Count("signed_at", filter=Q(state=C.VERIFIED)),
        found_false=Count("signed_at", filter=Q(state=C.FOUND_FALSE)),
    )
    months.update(signed_months)
    for agency_id, values in signed.items():
        by_agency.setdefault(agency_id, {}).update(values)
    return {"by_agency": by_agency, "months": months}


def task_figures(scope, period, today) -> dict:
    T = VerificationTask.State
    decided = Q(state=T.CONCLUDED) | Q(due_date__lt=today)
    on_time = Q(state=T.CONCLUDED, concluded_at__date__lte=F("due_date"))
    tasks = VerificationTask.objects.filter(scope.q("agency"), due_date__gte=period.start, due_date__lte=period.end)
    by_agency, months = grouped_by_month(
        tasks, "agency_id", "due_date", period, ["tasks_decided", "tasks_on_time"],
        tasks_decided=Count("due_date", filter=decided),
        tasks_on_time=Count("due_date", filter=on_time),
        tasks_overdue=Count("due_date", filter=~Q(state=T.CONCLUDED) & Q(due_date__lt=today)),
    )
    return {"by_agency": by_agency, "months": months}
