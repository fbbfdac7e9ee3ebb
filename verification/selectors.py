"""Every scoped read of the verification app; "who may see what" lives only here.

* Verifiers see the tasks of their own agency only (``portal.scope.case_q``: case work is never
  another agency's, whatever the agency's rank). Superusers see everything.
* An agency's verifiers see the assistance requests addressed to it (the inbox: routed to it) and
  those their tasks sent; supervisors above it read them (read-only, each read audited by the view).
* Inspectors see the inspections they are assigned to, on tasks of their own agency.
* Supervisors see figures for their oversight tree (``portal.scope.supervision_q``).
* The public sees published spot-check results without personal data.
"""

import datetime
from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import (
    Avg,
    Count,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
)
from django.http import Http404
from django.utils import timezone

from commitments.api import Application, Requirement, is_owner
from portal import roles, scope, workdays
from portal.figures import daily_counts, grouped, grouped_by_month

from . import connectors
from .models import (
    AssistanceRequest,
    Disposition,
    Inspection,
    InspectionPhoto,
    SpotCheckItem,
    SpotCheckPoolEntry,
    SpotCheckRun,
    VerificationPolicy,
    VerificationTask,
)
from .rollups import ON_TIME, TASKS

T = VerificationTask.State
PAGE_SIZE = 25


def _scope_q(user, field="agency") -> Q | None:
    """Case work: the user's own agency (``portal.scope.case_q``)."""
    return scope.case_q(user, field)


def _read_q(user, field, *case_roles) -> Q | None:
    """Rows a user may read: its own agency's when it holds one of ``case_roles``, and a supervisor's
    oversight tree (read-only). ``None`` for nothing."""
    parts = [scope.supervision_q(user, field)]
    if user.is_superuser or roles.has_role(user, *case_roles):
        parts.append(scope.case_q(user, field))
    parts = [q for q in parts if q is not None]
    if not parts:
        return None
    q = parts[0]
    for other in parts[1:]:
        q |= other
    return q


def _get(qs, **kwargs):
    obj = qs.filter(**kwargs).first()
    if obj is None:
        raise Http404
    return obj


# --- tasks -----------------------------------------------------------------------------------------
def tasks_for(user) -> QuerySet[VerificationTask]:
    """Every task a verifier may see (its agency scope); nothing for anyone else."""
    if not (user.is_superuser or roles.has_role(user, roles.VERIFIER)):
        return VerificationTask.objects.none()
    q = _scope_q(user)
    return VerificationTask.objects.none() if q is None else VerificationTask.objects.filter(q)


def task_for_verifier(user, pk) -> VerificationTask:
    return _get(
        # the disposition (one-to-one, usually none) joined too: the task page shows it
        tasks_for(user).select_related("agency", "application__service", "subject", "matter", "commitment",
                                       "claimed_by", "concluded_by", "parent", "disposition"),
        pk=pk,
    )


@dataclass
class QueueFilters:
    matter: str = ""
    method: str = ""
    due: str = ""  # "" | overdue | soon | later
    state: str = "open"  # open | mine | all_active | concluded


@dataclass
class QueuePage:
    rows: list
    next_cursor: str
    today: datetime.date
    soon: datetime.date


def _cursor(task) -> str:
    return f"{task.due_date.isoformat()}_{task.pk}"


def _parse_cursor(cursor: str):
    try:
        due, pk = cursor.split("_", 1)
        return datetime.date.fromisoformat(due), int(pk)
    except (ValueError, AttributeError):
        return None


def soon_date(today) -> datetime.date:
    """Two working days after ``today`` (cached for ten minutes: the queue page asks on every request)."""
    key = f"verification:soon:{today.isoformat()}"
    value = cache.get(key)
    if value is None:
        value = workdays.add_workdays(today, 2)
        cache.set(key, value, 600)
    return value


def queue(user, filters: QueueFilters, cursor: str = "", size: int = PAGE_SIZE) -> QueuePage:
    """One page of the queue, sorted by due date then id, keyset-paginated (``WHERE (due, id) > cursor``).

    No ``COUNT(*)``: one query for the rows (size + 1 to know whether there is a next page).
    """
    today = timezone.localdate()
    soon = soon_date(today)
    qs = tasks_for(user)
    if filters.state == "mine":
        qs = qs.filter(claimed_by=user, state__in=VerificationTask.ACTIVE_STATES)
    elif filters.state == "active":
        qs = qs.filter(state__in=VerificationTask.ACTIVE_STATES)
    elif filters.state == "concluded":
        qs = qs.filter(state=T.CONCLUDED)
    else:
        qs = qs.filter(state=T.OPEN)
    if filters.matter:
        qs = qs.filter(matter__name=filters.matter)
    if filters.method:
        qs = qs.filter(method=filters.method)
    if filters.due == "overdue":
        qs = qs.filter(due_date__lt=today)
    elif filters.due == "soon":
        qs = qs.filter(due_date__gte=today, due_date__lte=soon)
    elif filters.due == "later":
        qs = qs.filter(due_date__gt=soon)
    after = _parse_cursor(cursor)
    if after:
        # A row-value comparison, so PostgreSQL walks the (agency, state, due_date, id) index from the cursor.
        qs = qs.filter(due_date__gte=after[0]).extra(  # noqa: S610 - fixed SQL, values as parameters
            where=['("verification_verificationtask"."due_date", "verification_verificationtask"."id") > (%s, %s)'],
            params=[after[0], after[1]])
    rows = list(
        qs.select_related("matter", "subject", "claimed_by", "application")
        .only("id", "due_date", "state", "method", "origin", "credit_level", "result", "claimed_by__full_name",
              "claimed_by__username", "matter__name", "subject__name", "subject__kind", "subject__id_masked",
              "application__number", "application__state", "agency_id", "claimed_by_id", "deadline_provisional")
        .order_by("due_date", "pk")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return QueuePage(rows=rows, next_cursor=_cursor(rows[-1]) if more else "", today=today, soon=soon)


def queue_offset(user, page: int, size: int = PAGE_SIZE) -> list:
    """The same page by OFFSET (only for the benchmark's comparison)."""
    return list(tasks_for(user).filter(state=T.OPEN).order_by("due_date", "pk")[(page - 1) * size: page * size])


def queue_matter_names(user) -> list[str]:
    """Matter names present in the verifier's queue scope, for the filter (one grouped query, cached 5 minutes)."""
    key = f"verification:matters:{user.pk}"
    names = cache.get(key)
    if names is None:
        names = list(tasks_for(user).exclude(state=T.CONCLUDED).values_list("matter__name", flat=True).distinct()
                     .order_by("matter__name")[:200])
        cache.set(key, names, 300)
    return names


def open_for_claiming(user) -> QuerySet[VerificationTask]:
    return tasks_for(user).filter(state=T.OPEN).order_by("due_date", "pk")


def task_detail(task):
    """Everything the task page shows besides the task itself (a few fixed queries)."""
    checks = list(task.data_checks.select_related("checked_by"))
    for c in checks:
        c.source_label, c.rows = connectors.label_of(c.connector), connectors.present(c.answer)
    return {
        "data_checks": checks,
        "assistance": list(task.assistance_requests.select_related("to_agency", "answered_by")),
        "inspections": list(task.inspections.prefetch_related("inspectors", "photos")),
        "document_reviews": list(task.document_reviews.select_related("reviewed_by")),
        "materials": submitted_materials(task),
        "follow_ups": list(task.follow_ups.all()),
    }


def submitted_materials(task) -> list:
    """The written material of the task's application that a 书面核查 reads: the uploaded proofs."""
    from commitments.api import ProofDocument

    return list(ProofDocument.objects.filter(requirement__application_id=task.application_id)
                .select_related("requirement__matter").order_by("requirement__seq", "pk"))


def submitted_materials_text(task, materials=None) -> str:
    """A starting text for “审查的材料”: the signed commitment and each uploaded proof by name.
    ``materials``: ``submitted_materials(task)`` when the caller has read them already (one query fewer)."""
    parts = []
    if task.commitment_id:
        parts.append(f"告知承诺书 {task.commitment.letter_number}")
    parts += [f"{p.requirement.matter.name}：{p.original_name}"
              for p in (submitted_materials(task) if materials is None else materials)]
    return "；".join(parts)


# --- assistance requests ---------------------------------------------------------------------------
def _assistance_staff(user) -> bool:
    return user.is_superuser or roles.has_role(user, roles.VERIFIER, roles.SUPERVISOR)


def inbox(user) -> QuerySet[AssistanceRequest]:
    """Requests addressed to the user's agency (a verifier's), or to agencies a supervisor oversees."""
    if not _assistance_staff(user):
        return AssistanceRequest.objects.none()
    q = _read_q(user, "to_agency", roles.VERIFIER)
    if q is None:
        return AssistanceRequest.objects.none()
    return AssistanceRequest.objects.filter(q).select_related("from_agency", "to_agency", "task__matter")


def assistance_for(user, pk) -> AssistanceRequest:
    """A request the user may read: addressed to or sent by their agency (a verifier's), or by/to an
    agency a supervisor oversees."""
    if not _assistance_staff(user):
        raise Http404
    to_q, from_q = _read_q(user, "to_agency", roles.VERIFIER), _read_q(user, "from_agency", roles.VERIFIER)
    if to_q is None:
        raise Http404
    return _get(
        AssistanceRequest.objects.filter(to_q | from_q).select_related(
            "from_agency", "to_agency", "sent_by", "answered_by", "task__matter", "task__subject",
            "task__application__service"),
        pk=pk,
    )


def inbox_answerable(user, pk) -> AssistanceRequest:
    """A request addressed to the verifier's own agency (only its verifiers answer; supervisors never)."""
    if not (user.is_superuser or roles.has_role(user, roles.VERIFIER)):
        raise Http404
    q = _scope_q(user, "to_agency")
    if q is None:
        raise Http404
    return _get(AssistanceRequest.objects.filter(q).select_related("from_agency", "to_agency", "task__matter"), pk=pk)


def assistance_figures(user=None, today=None):
    """On-time, late and refused replies per asked agency (one aggregate query)."""
    today = today or timezone.localdate()
    qs = AssistanceRequest.objects.all()
    if user is not None:
        q = _read_q(user, "to_agency", roles.VERIFIER)
        qs = qs.none() if q is None else qs.filter(q)
    late = Q(state=AssistanceRequest.State.ANSWERED, answered_on_time=False) | Q(
        state=AssistanceRequest.State.PENDING, due_date__lt=today)
    return list(
        qs.values("to_agency__name").annotate(
            total=Count("pk"),
            on_time=Count("pk", filter=Q(state=AssistanceRequest.State.ANSWERED, answered_on_time=True)),
            late=Count("pk", filter=late),
            refused=Count("pk", filter=Q(state=AssistanceRequest.State.REFUSED)),
            pending=Count("pk", filter=Q(state=AssistanceRequest.State.PENDING)),
        ).order_by("to_agency__name")
    )


def pending_assistance(task) -> bool:
    return task.assistance_requests.filter(state=AssistanceRequest.State.PENDING).exists()


# --- inspections -----------------------------------------------------------------------------------
def inspections_for(user) -> QuerySet[Inspection]:
    if user.is_superuser:
        qs = Inspection.objects.all()
    elif roles.has_role(user, roles.INSPECTOR) and user.agency_id is not None:
        # Assigned to them, on a task of their own agency (an inspector who moved agency loses the old ones).
        qs = Inspection.objects.filter(inspectors=user, task__agency_id=user.agency_id)
    else:
        return Inspection.objects.none()
    return qs.select_related("task__matter", "task__subject", "task__application__service", "task__commitment",
                             "task__agency")


def inspection_for(user, pk) -> Inspection:
    return _get(inspections_for(user).prefetch_related("inspectors", "photos"), pk=pk)


def photo_for(user, pk) -> InspectionPhoto:
    """A photo for one of the inspectors, or for a verifier who may see the task."""
    photo = InspectionPhoto.objects.select_related("inspection__task").filter(pk=pk).first()
    if photo is None:
        raise Http404
    if inspections_for(user).filter(pk=photo.inspection_id).exists():
        return photo
    if tasks_for(user).filter(pk=photo.inspection.task_id).exists():
        return photo
    raise Http404


def inspectors_in_scope(user):
    """Inspectors of the verifier's own agency (to assign an on-site check)."""
    from portal.models import User

    q = _scope_q(user)
    if q is None:
        return User.objects.none()
    return User.objects.filter(q, groups__name=roles.INSPECTOR, is_active=True).order_by("full_name", "pk").distinct()


# --- spot checks -----------------------------------------------------------------------------------
def published_runs() -> QuerySet[SpotCheckRun]:
    return SpotCheckRun.objects.filter(published_at__isnull=False).select_related("plan__owner").order_by(
        "-published_at", "-pk")


def published_run(pk) -> SpotCheckRun:
    return _get(published_runs(), pk=pk)


def public_items(run) -> list[dict]:
    """A published run's results with no personal data: organisations by name, persons not at all."""
    items = run.items.select_related("entry__subject", "entry__matter", "entry__agency", "task")
    rows = []
    for item in items:
        subject = item.entry.subject
        rows.append({
            "subject": subject.name if subject.kind == "organisation" else None,
            "matter": item.entry.matter.name,
            "agency": item.entry.agency.name,
            "result": item.task.get_result_display() if item.task and item.task.result else "",
            "result_code": item.task.result if item.task else "",
            "concluded_at": item.task.concluded_at if item.task else None,
            "note": item.note,
        })
    return rows


def pool(plan) -> QuerySet[SpotCheckPoolEntry]:
    qs = SpotCheckPoolEntry.objects.filter(agency__in=plan.agencies.all())
    if plan.matter_keys:
        qs = qs.filter(matter_key__in=plan.matter_keys)
    return qs


def runs_ready_to_publish() -> QuerySet[SpotCheckRun]:
    open_task = SpotCheckItem.objects.filter(run=OuterRef("pk"), task__isnull=False).exclude(task__state=T.CONCLUDED)
    return SpotCheckRun.objects.filter(published_at__isnull=True).exclude(Exists(open_task))


# --- planning --------------------------------------------------------------------------------------
def unplanned_accepted(limit=200) -> list[int]:
    from .models import VerificationPlan

    planned = VerificationPlan.objects.filter(application=OuterRef("pk"))
    return list(Application.objects.filter(state=Application.State.ACCEPTED).exclude(Exists(planned))
                .order_by("pk").values_list("pk", flat=True)[:limit])


def policies():
    return list(VerificationPolicy.objects.order_by("level"))


# --- supervision -----------------------------------------------------------------------------------
def non_discrimination(user=None) -> list[dict]:
    """Inspection rates of commitment-path and proof-path requirements per matter (two aggregate queries)."""
    states = [Application.State.ACCEPTED, Application.State.APPROVED, Application.State.DENIED,
              Application.State.TERMINATED, Application.State.REVOKED]
    reqs = Requirement.objects.filter(application__state__in=states, mode__in=["commit", "proof"])
    tasks = VerificationTask.objects.filter(Q(method="on_site") | Q(origin="spot_check"))
    if user is not None and not user.is_superuser:
        q = _read_q(user, "application__agency", roles.VERIFIER)
        reqs = reqs.none() if q is None else reqs.filter(q)
        tq = _read_q(user, "agency", roles.VERIFIER)
        tasks = tasks.none() if tq is None else tasks.filter(tq)
    totals = reqs.values("matter__name", "mode").annotate(n=Count("pk"))
    inspected = tasks.values("matter__name", "requirement__mode").annotate(n=Count("requirement", distinct=True))
    rows: dict[str, dict] = {}
    for t in totals:
        row = rows.setdefault(t["matter__name"], {"matter": t["matter__name"], "commit": 0, "proof": 0,
                                                  "commit_inspected": 0, "proof_inspected": 0})
        row[t["mode"]] += t["n"]
    for t in inspected:
        if t["matter__name"] in rows and t["requirement__mode"] in ("commit", "proof"):
            rows[t["matter__name"]][t["requirement__mode"] + "_inspected"] += t["n"]
    for row in rows.values():
        row["commit_rate"] = round(100 * row["commit_inspected"] / row["commit"], 1) if row["commit"] else None
        row["proof_rate"] = round(100 * row["proof_inspected"] / row["proof"], 1) if row["proof"] else None
    return sorted(rows.values(), key=lambda r: r["matter"])


# --- dispositions on the case page, rectification, 立法修改建议 -----------------------------------------
def dispositions_of(application) -> list[Disposition]:
    """The dispositions of one application's false findings (the case page's panel; the caller is already
    allowed to see the case). Each carries ``proof_handed_in`` for a rectification order."""
    # The case's tasks first, by their application's index: joined in one statement, PostgreSQL merged the
    # dispositions with the tasks in key order, walking every task up to the newest disposition's
    # (4 ms at 20,000 tasks for a case with none, and growing with the table).
    task_ids = list(VerificationTask.objects.filter(application_id=application.pk).values_list("pk", flat=True))
    if not task_ids:
        return []
    rows = list(Disposition.objects.filter(task_id__in=task_ids)
                .select_related("task__matter", "agency").order_by("decided_at", "pk"))
    with_proof = set(Requirement.objects.filter(pk__in=[d.task.requirement_id for d in rows], proofs__isnull=False)
                     .values_list("pk", flat=True))
    for d in rows:
        d.proof_handed_in = d.task.requirement_id in with_proof
    return rows


def rectification_for_applicant(user, disposition_id) -> Disposition:
    """A rectification order on one of the user's own cases (404 for anyone else's)."""
    d = (Disposition.objects.select_related("task__application", "task__matter", "task__requirement")
         .filter(pk=disposition_id, rectify=True).first())
    if d is None or not is_owner(d.task.application, user):
        raise Http404
    return d


def _legislative_scope(user) -> Q | None:
    """§三(一): the justice bureau follows the matters of its government tree (``scope.government_tree_q``)."""
    if getattr(user, "is_superuser", False):
        return Q()
    if not roles.has_role(user, roles.JUSTICE_REVIEWER):
        return None
    return scope.government_tree_q(user, "agency")


def legislative_candidates(user) -> list[dict]:
    """Matters penalised without a penalty basis in the catalogue (立法修改建议候选), with their counts."""
    q = _legislative_scope(user)
    if q is None:
        return []
    return list(Disposition.objects.filter(q, legislative_candidate=True)
                .values("task__matter__key")
                .annotate(count=Count("pk"), name=Max("task__matter__name"), agencies=Count("agency", distinct=True),
                          last=Max("decided_at"))
                .order_by("-count", "name"))


def legislative_cases(user, matter_key) -> list[Disposition]:
    q = _legislative_scope(user)
    if q is None:
        raise Http404
    rows = list(Disposition.objects.filter(q, legislative_candidate=True, task__matter__key=matter_key)
                .select_related("agency", "task__matter", "task__application").order_by("-decided_at", "-pk"))
    if not rows:
        raise Http404
    return rows


# --- supervision figures ---------------------------------------------------------------------------------
def figures(scope, period, today=None) -> dict:
    """监督统计 from verification for agencies in ``scope`` (``portal.scope.Scope``) over ``period``.

    * tasks due in the period: decided (concluded, or past due), concluded by the due date, overdue — per
      agency and per month;
    * assistance requests sent in the period, by the agency asked: on time, late (answered late or pending past
      due), answered, refused, pending, and the average reply time (``reply_time``, a timedelta or None);
    * spot checks: pool entries added in the period, and how many a draw has picked.
    Four aggregate queries.
    """
    today = today or timezone.localdate()
    first, after = period.bounds()
    # Tasks from the daily counts (``verification.rollups``): decided and overdue depend on today, so they are
    # derived here from the due day and the bucket, never stored.
    concluded, past = Q(bucket__in=[VerificationTask.State.CONCLUDED, ON_TIME]), Q(day__lt=today)
    by_agency, months = grouped_by_month(
        daily_counts(TASKS.kind, scope, period), "agency_id", "day", period, ["tasks_decided", "tasks_on_time"],
        tasks_decided=Sum("n", filter=concluded | past),
        tasks_on_time=Sum("n", filter=Q(bucket=ON_TIME)),
        tasks_overdue=Sum("n", filter=~concluded & past),
    )

    A = AssistanceRequest.State
    requests = AssistanceRequest.objects.filter(scope.q("to_agency"), sent_at__gte=first, sent_at__lt=after)
    reply_time = ExpressionWrapper(F("answered_at") - F("sent_at"), output_field=DurationField())
    assistance = grouped(
        requests, "to_agency_id",
        assist_total=Count("pk"),
        assist_on_time=Count("pk", filter=Q(state=A.ANSWERED, answered_on_time=True)),
        assist_late=Count("pk", filter=Q(state=A.ANSWERED, answered_on_time=False)
                          | Q(state=A.PENDING, due_date__lt=today)),
        assist_answered=Count("pk", filter=Q(state=A.ANSWERED)),
        assist_refused=Count("pk", filter=Q(state=A.REFUSED)),
        assist_pending=Count("pk", filter=Q(state=A.PENDING)),
        reply_time=Avg(reply_time, filter=Q(state=A.ANSWERED)),
    )
    pool = grouped(SpotCheckPoolEntry.objects.filter(scope.q("agency"), added_at__gte=first, added_at__lt=after),
                   "agency_id", pool=Count("pk"))
    drawn = grouped(SpotCheckItem.objects.filter(scope.q("entry__agency"), entry__added_at__gte=first,
                                                 entry__added_at__lt=after),
                    "entry__agency_id", drawn=Count("entry", distinct=True))
    for part in (assistance, pool, drawn):
        for agency_id, values in part.items():
            by_agency.setdefault(agency_id, {}).update(values)
    for values in assistance.values():
        values["reply_time"] = _duration(values["reply_time"])
    return {"by_agency": by_agency, "months": months}


def _duration(value) -> datetime.timedelta | None:
    if value is None or isinstance(value, datetime.timedelta):
        return value
    return datetime.timedelta(microseconds=float(value))  # SQLite hands back microseconds
