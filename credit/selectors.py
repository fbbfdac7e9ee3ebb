"""Every scoped read of the credit app. Views ask here; "who may see what" lives only in this file.

- A subject (citizen or enterprise account) sees its own records, repairs, objections and files.
- A credit officer handles the records decided by its own agency (``portal.scope``: case work), and
  the repairs and objections raised against them. No government, justice bureau or other
  department above or beside it handles them.
- Any staff member may look up a subject's restrictions (一处失信、处处受限); credit officers
  may open any subject's integrity file (credit information is shared city-wide). Both are audited
  by the views through ``services.record_lookup``.
- The blacklist is public.
"""

from dataclasses import dataclass

from django.db.models import Count, F, Q
from django.http import Http404
from django.utils import timezone

from portal import roles, scope
from portal.figures import grouped
from portal.models import Agency, Subject

from .models import (
    Attachment,
    CommitmentOutcome,
    CreditRepair,
    DishonestyRecord,
    Objection,
    PushOutbox,
    Severity,
    SeverityPolicy,
)

R = DishonestyRecord.Status


def _officer_records(user):
    qs = DishonestyRecord.objects.select_related("subject", "deciding_agency")
    if user.is_superuser:
        return qs
    if not roles.has_role(user, roles.CREDIT_OFFICER):
        return qs.none()
    q = scope.case_q(user, "deciding_agency")
    return qs.none() if q is None else qs.filter(q)


def _get(qs, pk):
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


# --- subject's own --------------------------------------------------------------------------
def own_records(user):
    if user.bound_subject_id is None:  # only a proofed binding gives a subject's file (portal.identity)
        return DishonestyRecord.objects.none()
    return DishonestyRecord.objects.filter(subject_id=user.bound_subject_id).select_related("deciding_agency")


def own_record(user, pk) -> DishonestyRecord:
    return _get(own_records(user), pk)


def own_repairs(user):
    if user.bound_subject_id is None:
        return CreditRepair.objects.none()
    return CreditRepair.objects.filter(record__subject_id=user.bound_subject_id).select_related("record").order_by("-submitted_at")


def own_objections(user):
    if user.bound_subject_id is None:
        return Objection.objects.none()
    return Objection.objects.filter(record__subject_id=user.bound_subject_id).select_related("record").order_by("-submitted_at")


# --- officer's --------------------------------------------------------------------------------
def officer_records(user, status: str | None = None, query: str = ""):
    qs = _officer_records(user)
    if status:
        qs = qs.filter(status=status)
    if query:
        qs = qs.filter(Q(subject__name__icontains=query) | Q(decision_number__icontains=query))
    return qs


def officer_record(user, pk) -> DishonestyRecord:
    return _get(_officer_records(user), pk)


def repair_queue(user, open_only=True):
    qs = CreditRepair.objects.filter(record__in=_officer_records(user)).select_related("record__subject", "applicant")
    if open_only:
        qs = qs.filter(status=CreditRepair.Status.SUBMITTED)
    return qs.order_by("due_on", "submitted_at")


def officer_repair(user, pk) -> CreditRepair:
    return _get(repair_queue(user, open_only=False), pk)


def objection_queue(user, open_only=True):
    qs = Objection.objects.filter(record__in=_officer_records(user)).select_related("record__subject", "applicant")
    if open_only:
        qs = qs.filter(status=Objection.Status.SUBMITTED)
    return qs.order_by("due_on", "submitted_at")


def officer_objection(user, pk) -> Objection:
    return _get(objection_queue(user, open_only=False), pk)


def officer_scope_agencies(user):
    """The deciding agencies an officer may enter a record for: its own (superusers: any)."""
    if user.is_superuser:
        return Agency.objects.filter(is_active=True)
    if user.agency_id is None:
        return Agency.objects.none()
    return Agency.objects.filter(pk=user.agency_id, is_active=True)


def attachment_for(user, pk) -> Attachment:
    """The attachment if ``user`` owns its record's subject or handles the record; otherwise 404."""
    att = Attachment.objects.select_related("repair__record", "objection__record").filter(pk=pk).first()
    if att is None:
        raise Http404
    record = att.record
    if getattr(user, "bound_subject_id", None) is not None and record.subject_id == user.bound_subject_id:
        return att
    if _officer_records(user).filter(pk=record.pk).exists():
        return att
    raise Http404


# --- integrity file -----------------------------------------------------------------------------
@dataclass
class IntegrityFile:
    subject: Subject
    records: list
    kept: int
    broken: int
    outcomes: list


def integrity_file(subject: Subject) -> IntegrityFile:
    records = list(subject.dishonesty_records.select_related("deciding_agency").order_by("-decision_date", "-pk"))
    counts = CommitmentOutcome.objects.filter(subject=subject).aggregate(
        kept=Count("pk", filter=Q(outcome="kept")), broken=Count("pk", filter=Q(outcome="broken"))
    )
    outcomes = list(CommitmentOutcome.objects.filter(subject=subject)[:20])
    return IntegrityFile(subject, records, counts["kept"], counts["broken"], outcomes)


def subject_for_staff(user, pk) -> Subject:
    """Credit officers (and superusers) may open any subject's integrity file."""
    if not (user.is_superuser or roles.has_role(user, roles.CREDIT_OFFICER)):
        raise Http404
    return _get(Subject.objects.all(), pk)


def find_subject(kind: str, number: str) -> Subject | None:
    return Subject.objects.by_identifier(kind, number).first()


def records_in_effect(subject):
    return DishonestyRecord.objects.filter(subject=subject, status__in=DishonestyRecord.IN_EFFECT)


# --- public -----------------------------------------------------------------------------------------
def blacklist(today=None, query: str = ""):
    """虚假承诺黑名单: blacklisted false-commitment records still in effect and inside their period."""
    today = today or timezone.localdate()
    qs = DishonestyRecord.objects.filter(
        blacklisted=True, kind=DishonestyRecord.Kind.FALSE_COMMITMENT,
        status__in=DishonestyRecord.IN_EFFECT, publicity_end__gte=today,
    ).select_related("subject", "deciding_agency")
    if query:
        qs = qs.filter(Q(subject__name__icontains=query) | Q(decision_number__icontains=query))
    return qs.order_by("-decision_date", "-pk")


# --- configuration and push -----------------------------------------------------------------------
def policies():
    return SeverityPolicy.objects.all().order_by("min_publicity_months", "pk")


def policy(severity: str) -> SeverityPolicy:
    obj = SeverityPolicy.objects.filter(severity=severity).first()
    if obj is None:
        raise Http404
    return obj


def outbox(status: str | None = None):
    qs = PushOutbox.objects.select_related("record__subject")
    if status:
        qs = qs.filter(status=status)
    return qs


def outbox_summary() -> dict:
    now = timezone.now()
    agg = PushOutbox.objects.aggregate(
        pending=Count("pk", filter=Q(status="pending")),
        delivered=Count("pk", filter=Q(status="delivered")),
        failing=Count("pk", filter=Q(status="pending", attempts__gt=0)),
    )
    agg["oldest_pending"] = (
        PushOutbox.objects.filter(status="pending").order_by("created_at").values_list("created_at", flat=True).first()
    )
    agg["now"] = now
    return agg


def due_pushes(now=None, limit=500):
    now = now or timezone.now()
    return (
        PushOutbox.objects.filter(status=PushOutbox.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:limit]
    )


# --- supervision figures ---------------------------------------------------------------------------------
def figures(scope, period, today=None) -> dict:
    """监督统计 from credit for deciding agencies in ``scope`` (``portal.scope.Scope``): dishonesty records decided
    in ``period`` (per agency and by grade), and repairs and objections submitted in the period that are decided
    (handled, or past due) and handled by their due date. Four aggregate queries."""
    today = today or timezone.localdate()
    first, after = period.bounds()
    records = DishonestyRecord.objects.filter(scope.q("deciding_agency"), decision_date__gte=period.start,
                                              decision_date__lte=period.end)
    by_agency = grouped(records, "deciding_agency_id", records=Count("pk"))
    grades = dict(records.values_list("severity").annotate(n=Count("pk")).order_by())
    for model in (CreditRepair, Objection):
        handled = model.objects.filter(scope.q("record__deciding_agency"), submitted_at__gte=first,
                                       submitted_at__lt=after)
        for agency_id, values in grouped(
            handled, "record__deciding_agency_id",
            credit_decided=Count("pk", filter=~Q(status="submitted") | Q(due_on__lt=today)),
            credit_on_time=Count("pk", filter=~Q(status="submitted") & Q(decided_at__date__lte=F("due_on"))),
        ).items():
            row = by_agency.setdefault(agency_id, {})
            for name, value in values.items():
                row[name] = row.get(name, 0) + (value or 0)
    return {"by_agency": by_agency,
            "grades": [(str(label), grades.get(value, 0)) for value, label in Severity.choices]}
