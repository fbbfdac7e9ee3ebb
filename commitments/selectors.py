"""Every scoped read of the commitments app. Views ask here; "who may see what" lives only in this file.

* The applicant (owner) sees the applications of its subject — an enterprise's accounts all act
  for the organisation — and those it filed as a legal guardian.
* Case staff (window clerks, verifiers, inspectors) see the applications of their own agency only
  (``portal.scope.case_q``): no government or justice bureau handles another agency's cases.
* Supervisors read (never act on) the letters, proofs and notices of the agencies they supervise
  (``portal.scope.supervises``); the views audit each such read of another agency's case.
* Superusers see everything.
* The public sees a letter's existence and status (no personal data) and the publicity board (masked).
"""

import datetime
import re

from django.db.models import Prefetch, Q, QuerySet, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog import api as catalog
from catalog.api import AdministrativeService, Catalogue
from credit import api as credit
from portal import audit, inputs, pagination, roles, scope
from portal.figures import daily_counts, grouped_by_month
from portal.models import Subject

from .models import (
    Application,
    Commitment,
    CommitmentsError,
    OneTimeNotice,
    ProofDocument,
    Requirement,
    in_agency_scope,
)
from .rollups import APPLICATIONS, COMMITMENTS

CASE_STAFF = (roles.WINDOW_CLERK, roles.VERIFIER, roles.INSPECTOR)


# --- who is who ---------------------------------------------------------------------------------
def is_owner(application, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if application.applicant_user_id == user.pk:
        return True
    subject_id = user.bound_subject_id  # only a proofed binding (portal.identity) makes a subject's cases one's own
    return bool(subject_id) and subject_id == application.subject_id and roles.has_role(user, roles.APPLICANT)


def is_handling_staff(application, user) -> bool:
    """Case staff of the application's own agency (they may act on it)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return roles.has_role(user, *CASE_STAFF) and in_agency_scope(application.agency_id, user)


def may_read_as_staff(application, user) -> bool:
    """Its case staff, or a supervisor above its agency (read-only; the view audits the read)."""
    return is_handling_staff(application, user) or scope.supervises(user, application.agency)


def _owner_q(user) -> Q:
    q = Q(applicant_user_id=user.pk)
    if user.bound_subject_id and roles.has_role(user, roles.APPLICANT):
        q |= Q(subject_id=user.bound_subject_id)
    return q


def _staff_q(user) -> Q | None:
    if user.is_superuser:
        return Q()
    if not roles.has_role(user, *CASE_STAFF):
        return None
    return scope.case_q(user)


def _get(qs, **kwargs):
    if any(isinstance(v, str) and not inputs.number(v) for v in kwargs.values()):
        raise Http404  # a number from a URL with NUL in it (PostgreSQL refuses to even compare it)
    obj = qs.filter(**kwargs).first()
    if obj is None:
        raise Http404
    return obj


# --- catalogue side ---------------------------------------------------------------------------------
def online_services() -> list:
    """Administrative services with matters in a current public catalogue (for the picker)."""
    return catalog.public_filter_choices()["services"]


def desk_services(user) -> QuerySet[AdministrativeService]:
    qs = AdministrativeService.objects.filter(matters__catalogue__state__in=Catalogue.PUBLIC_STATES)
    if not user.is_superuser:
        q = scope.case_q(user)
        qs = qs.filter(q) if q is not None else qs.none()
    return qs.select_related("agency").order_by("name").distinct()


def public_service(service_id) -> tuple[AdministrativeService, list]:
    """A service and every matter it requires in the current public catalogue, or 404."""
    matters = list(catalog.public_matters(service=str(service_id)).defer(None).select_related("service__agency"))
    if not matters:
        raise Http404
    return matters[0].service, matters


def notification_matter(matter_pk):
    """The matter with its full notification (its version may since have been superseded: it stays readable)."""
    return catalog.public_matter(matter_pk)


def eligibility_for(subject):
    """Credit eligibility, asked once per page (the answer does not depend on the matter)."""
    return credit.eligibility(subject)


def matter_rows(matters, result, subject=None) -> list[dict]:
    """For the service page: each matter and whether / why not it can be committed (credit, then the
    matter's 负面清单 subject conditions; its questions are asked before signing)."""
    from . import negative_list

    rows = []
    for m in matters:
        if not m.commitment_allowed:
            why = [m.exclusion_reason]
        elif not result.allowed:
            why = list(result.reasons)
        elif subject is not None:
            why = negative_list.reasons(negative_list.conditions_met(negative_list.evaluate(subject, m)))
        else:
            why = []
        rows.append({"matter": m, "can_commit": not why, "why_not": why})
    return rows


# --- the applicant's own ------------------------------------------------------------------------------
def own_applications(user) -> QuerySet[Application]:
    if not getattr(user, "is_authenticated", False):
        return Application.objects.none()
    return Application.objects.filter(_owner_q(user)).select_related("service", "agency", "subject")


def _detailed(qs):
    return qs.select_related("service", "agency", "subject", "applicant_user", "filed_by").prefetch_related(
        Prefetch("requirements", queryset=Requirement.objects.select_related("matter").prefetch_related(
            # The commitment's state label reads its application's state: joined, not one query per letter.
            Prefetch("commitments", queryset=Commitment.objects.select_related("application").order_by("signed_at")),
            Prefetch("proofs", queryset=ProofDocument.objects.order_by("uploaded_at")),
        )),
        Prefetch("notices", queryset=OneTimeNotice.objects.select_related("issued_by")),
    )


def own_application(user, pk) -> Application:
    return _get(_detailed(own_applications(user)), pk=pk)


def own_commitment(user, letter_number) -> Commitment:
    return _get(Commitment.objects.filter(application__in=own_applications(user)).select_related("application"),
                letter_number=letter_number)


def requirement_of(application, requirement_pk) -> Requirement:
    try:
        return Requirement.objects.select_related("matter").get(pk=requirement_pk, application=application)
    except (Requirement.DoesNotExist, ValueError):
        raise CommitmentsError("该证明事项不属于此办件。") from None


def signing_requirement(application, requirement_pk) -> Requirement:
    """For the signing page (404 if the matter is not part of this application)."""
    for r in application.requirements.all():
        if str(r.pk) == str(requirement_pk):
            return r
    raise Http404


def missing_items(application) -> list[dict]:
    """Everything not yet provided, as the one-time notice lists it."""
    items = []
    for r in application.requirements.select_related("matter").prefetch_related("commitments", "proofs"):
        if r.is_met:
            continue
        m = r.matter
        if r.proof_only or not m.commitment_allowed:
            how = "请提交证明原件或扫描件（本事项须提交证明）。"
        else:
            how = "请提交证明，或签署告知承诺书代替证明。"
        items.append({"matter": m.name, "issuing_unit": m.issuing_unit, "how": how, "requirement": r.pk})
    return items


# --- staff ------------------------------------------------------------------------------------------------
NUMBER_PART = re.compile(r"[0-9A-Za-z]")  # what a search must contain to be part of an application number


def desk_applications(user, *, state="", query="") -> QuerySet[Application]:
    """The agency's applications, newest first; with ``query``, those whose number, applicant's name or
    service's name contains it — the newest of each kind, one more than a desk list counts."""
    q = _staff_q(user)
    if q is None:
        return Application.objects.none()
    qs = Application.objects.filter(q)
    if state in Application.State.values:
        qs = qs.filter(state=state)
    query = (query or "").strip()[:40]
    if query:
        qs = Application.objects.filter(pk__in=_matching_applications(qs, query, pagination.count_cap() + 1))
    return qs.select_related("service", "subject", "agency")


def _matching_applications(applications, query, found) -> list[int]:
    """Ids of ``applications`` whose number, applicant's name or service's name contains ``query`` (for a
    query of one or two characters: the applicants whose name starts with it, and the services).

    One small query per kind, each for the ``found`` newest matches of its own index, rather than one OR
    across three joined tables (0.5–2.8 s at a million) or a UNION whose size PostgreSQL cannot foresee (it
    hashed the union and read every application of the agency to join it: 0.5 s at a million). The newest
    ``found`` of all matches are among the newest ``found`` of each kind, so the list's first pages are
    exact; the list counts no further than that (``portal.pagination.CappedPaginator``).
    """
    short = len(query) < 3  # shorter than a trigram: no index could serve "contains"
    # A two-character name or a surname: the names that start with it.
    names = Subject.objects.filter(name__startswith=query) if short else Subject.objects.filter(name__icontains=query)
    branches = [applications.filter(subject__in=names.values("pk"))]
    # The services are a few hundred rows: matched here, so a name that fits none asks nothing more. (As a
    # subquery PostgreSQL guessed one service would bring 16,667 applications and walked all the agency's
    # million newest-first looking for them: 2.6 s.)
    services = list(AdministrativeService.objects.filter(name__icontains=query).values_list("pk", flat=True))
    if services:
        branches.append(applications.filter(service__in=services))
    # A 办件编号 (BJ-2026-000123) is Latin letters, digits and hyphens: a name in Chinese is never part of one,
    # and one or two characters of it identify nothing.
    if not short and NUMBER_PART.search(query):
        branches.append(applications.filter(number__icontains=query))
    newest = ("-created_at", "-id")
    return list({pk for branch in branches for pk in branch.order_by(*newest).values_list("pk", flat=True)[:found]})


def desk_application(user, pk) -> Application:
    q = _staff_q(user)
    if q is None:
        raise Http404
    return _get(_detailed(Application.objects.filter(q)), pk=pk)


def find_subject(kind, number) -> Subject | None:
    return Subject.objects.by_identifier(kind, number).first()


def subject_applications(user, subject) -> QuerySet[Application]:
    return desk_applications(user).filter(subject=subject)[:20]


def notice_for(user, pk) -> OneTimeNotice:
    notice = _get(OneTimeNotice.objects.select_related("application__agency", "application__subject",
                                                       "application__service", "issued_by"), pk=pk)
    if not (is_owner(notice.application, user) or may_read_as_staff(notice.application, user)):
        raise Http404
    return notice


# --- files ----------------------------------------------------------------------------------------------
def letter_for(user, letter_number) -> Commitment:
    """The letter for its owner, its agency's case staff, supervisors above it and superusers; else 404."""
    commitment = _get(Commitment.objects.select_related("application__agency"), letter_number=letter_number)
    if is_owner(commitment.application, user) or may_read_as_staff(commitment.application, user):
        return commitment
    raise Http404


def proof_for(user, pk) -> ProofDocument:
    proof = _get(ProofDocument.objects.select_related("requirement__application__agency"), pk=pk)
    application = proof.requirement.application
    if is_owner(application, user) or may_read_as_staff(application, user):
        return proof
    raise Http404


def letters_to_render(limit=100) -> list[int]:
    return list(Commitment.objects.filter(letter_file="").order_by("pk").values_list("pk", flat=True)[:limit])


# --- public -----------------------------------------------------------------------------------------------
def public_letter(letter_number) -> Commitment:
    """For the verification page: only what it shows, no personal data."""
    return _get(
        Commitment.objects.only("pk", "letter_number", "state", "matter_name", "service_name", "agency_name",
                                "catalogue_version", "signed_at", "content_hash", "withdrawn_at", "method",
                                "signer_relation", "letter_sha256", "letter_sealed_by", "letter_rendered_at"),
        letter_number=letter_number,
    )


def publicity_board(today: datetime.date | None = None, query: str = "") -> QuerySet[Commitment]:
    """Accepted commitments of publicity matters, inside their publicity period."""
    today = today or timezone.localdate()
    qs = Commitment.objects.filter(
        publicity_start__lte=today, publicity_end__gte=today,
        state__in=[Commitment.State.SIGNED, Commitment.State.VERIFIED, Commitment.State.EXEMPTED],
        application__state__in=[Application.State.ACCEPTED, Application.State.APPROVED],
    ).select_related("application__subject").defer("notification", "notification_text")
    query = (query or "").strip()[:40]
    if query:
        qs = qs.filter(Q(matter_name__icontains=query) | Q(service_name__icontains=query)
                       | Q(agency_name__icontains=query))
    return qs.order_by("-publicity_start", "-pk")


def letter_for_copy(sha256: str, letter_number: str = "") -> tuple[Commitment | None, bool]:
    """The letter a checked copy is (register hash) or claims to be (number in its embedded data), with
    whether it matches the register exactly. Only what the public check page shows."""
    fields = ("pk", "letter_number", "state", "matter_name", "service_name", "agency_name", "catalogue_version",
              "signed_at", "content_hash", "withdrawn_at", "method", "signer_relation", "letter_sha256",
              "letter_sealed_by", "letter_rendered_at")
    found = Commitment.objects.only(*fields).filter(letter_sha256=sha256).first() if sha256 else None
    if found is not None:
        return found, True
    if letter_number:
        return Commitment.objects.only(*fields).filter(letter_number=str(letter_number)[:32]).first(), False
    return None, False


def _readable_date(value) -> str:
    """A date kept in an audit event's data (ISO text) as the page's language writes dates (2026年12月31日)."""
    from django.utils.formats import date_format

    try:
        return date_format(datetime.date.fromisoformat(str(value)), "DATE_FORMAT") if value else ""
    except ValueError:
        return str(value)


def _plain_event(event, user) -> dict:
    """One timeline entry in the words of the citizen reading it (办理记录): who, from the citizen's side
    (“您”, the agency, or 承诺通 itself), and what it means for them — not internal counts or codes."""
    data = event.data or {}
    action = event.action
    if event.actor_id and event.actor_id == user.pk:
        who = _("您")
    elif event.agency_id:
        who = event.agency.name
    else:
        who = _("承诺通")
    if action == "commitments.application.created":
        text = _("创建了办件，下一步请为每个证明事项选择签署告知承诺书或上传证明。")
    elif action == "commitments.application.submitted":
        text = _("提交了办件，等待窗口受理。")
    elif action == "commitments.application.accepted":
        due = _readable_date(data.get("due_date"))
        text = (_("受理了您的办件，将在 %(due)s 前作出决定。") % {"due": due}) if due else _("受理了您的办件。")
    elif action == "verification.plan.created":
        if data.get("tasks"):
            text = _("将依法核查您承诺的内容；您不需要做什么，有结果会在这里告诉您。")
        elif data.get("pooled"):
            text = _("您的承诺不需要逐项核查，已纳入随机抽查范围，可能被抽中核查；您不需要做什么。")
        else:
            text = _("您的办件不需要核查承诺内容。")
    elif action == "commitments.notice.issued":
        text = _("出具了一次性告知书，请按告知书补齐材料后再办理。")
    else:
        text = event.summary
    return {"at": event.at, "who": who, "text": text}


def citizen_timeline(application, user) -> list[dict]:
    """The application's history as its applicant reads it, oldest first."""
    return [_plain_event(e, user) for e in audit.timeline(application)]


# --- by reference, unscoped (complaints routes a report by the references a citizen typed) ----------
def application_by_number(number: str) -> Application | None:
    """The application (办件) numbered ``number``, or ``None``."""
    number = (number or "").strip()
    if not number:
        return None
    return Application.objects.filter(number=number).select_related("agency").first()


def commitment_by_letter_number(ref: str) -> Commitment | None:
    """The commitment (告知承诺书) whose letter number is ``ref``, or ``None``."""
    ref = (ref or "").strip()
    if not ref:
        return None
    return Commitment.objects.filter(letter_number=ref).select_related("application__agency").first()


# --- supervision figures ---------------------------------------------------------------------------------
def figures(scope, period) -> dict:
    """监督统计 from the commitments app for agencies in ``scope`` (``portal.scope.Scope``) over ``period``:
    applications submitted and commitments signed (withdrawn, verified, found false), per agency and per month.

    Read from the daily counts that triggers keep (``commitments.rollups``: applications by submission day,
    commitments by signing day and state), so the work is at most days × agencies rows however many
    applications there are. Two aggregate queries.
    """
    applications = daily_counts(APPLICATIONS.kind, scope, period)
    by_agency, months = grouped_by_month(applications, "agency_id", "day", period, ["applications"],
                                         applications=Sum("n"))
    C = Commitment.State
    signed, signed_months = grouped_by_month(
        daily_counts(COMMITMENTS.kind, scope, period), "agency_id", "day", period, ["commitments"],
        commitments=Sum("n"),
        withdrawn=Sum("n", filter=Q(bucket=C.WITHDRAWN)),
        verified=Sum("n", filter=Q(bucket=C.VERIFIED)),
        found_false=Sum("n", filter=Q(bucket=C.FOUND_FALSE)),
    )
    months.update(signed_months)
    for agency_id, values in signed.items():
        by_agency.setdefault(agency_id, {}).update(values)
    return {"by_agency": by_agency, "months": months}
