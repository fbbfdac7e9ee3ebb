"""Every read of tickets that depends on who asks. Views ask here; scoping lives nowhere else.

* requester — their own tickets (logged in), or one ticket unlocked with number + lookup code;
* handling agency staff (window clerks, complaints liaisons) — tickets routed to their own agency
  only (``portal.scope.case_q``; no government or justice bureau handles another agency's tickets);
* 12345 operators — every ticket, city-wide (they dispatch and call back);
* supervisors — tickets handled by agencies they oversee (``portal.scope.supervision_q``), read-only,
  without contact details; the view audits each read of another agency's ticket;
* the public — the FAQ of answered consultations whose requester agreed to publication.

Contact details (name, phone) of the requester are shown to the requester, to the handling
agency and to the 12345 desk that calls back, and to nobody else.
"""

from django.db.models import Case, Count, DateField, F, Prefetch, Q, QuerySet, When
from django.http import Http404
from django.utils.translation import gettext as _

from portal import audit, inputs, roles, scope
from portal.figures import grouped_by_month
from portal.models import Agency
from verification.api import VerificationTask

from .models import HANDLER_ROLES, Kind, Rating, Referral, ReplyTemplate, Ticket, TicketAttachment, in_scope

S = Ticket.State
LIST_FIELDS = (
    "pk", "number", "kind", "channel", "topic", "state", "title", "created_at", "sign_due", "reply_due",
    "signed_at", "replied_at", "rating", "reopen_count", "anonymous", "agency__name", "agency__path",
)


def _due():
    return Case(When(signed_at__isnull=True, then=F("sign_due")), default=F("reply_due"), output_field=DateField())


def _scope_filter(user) -> Q:
    """Tickets whose handling agency a supervisor oversees (figures, escalations: read-only)."""
    if user.is_superuser:
        return Q()
    if user.agency is None:
        return Q(pk__in=[])
    return user.agency.scope_q("agency")


def _handling_filter(user) -> Q:
    """Tickets routed to the user's own agency (the inbox: case work)."""
    q = scope.case_q(user, "agency")
    return Q(pk__in=[]) if q is None else q


def is_operator(user) -> bool:
    return user.is_superuser or roles.has_role(user, roles.COMPLAINTS_OPERATOR)


def is_agency_handler(user) -> bool:
    return user.is_superuser or (roles.has_role(user, *HANDLER_ROLES) and user.agency_id is not None)


# --- lists --------------------------------------------------------------------------------------
def requester_tickets(user) -> QuerySet[Ticket]:
    return (Ticket.objects.filter(requester=user).select_related("agency").only(*LIST_FIELDS)
            .order_by("-created_at", "-pk"))


def inbox(user, *, view: str = "open") -> QuerySet[Ticket]:
    """The tickets routed to the user's agency, most urgent deadline first (one query)."""
    tickets = Ticket.objects.filter(_handling_filter(user)).exclude(agency=None)
    if view == "open":
        tickets = tickets.filter(state__in=[S.ASSIGNED, S.IN_PROGRESS, S.REOPENED, S.ESCALATED])
    elif view == "replied":
        tickets = tickets.filter(state=S.REPLIED)
    elif view == "closed":
        tickets = tickets.filter(state=S.CLOSED)
    return (tickets.select_related("agency").only(*LIST_FIELDS).annotate(due=_due())
            .order_by(F("due").asc(nulls_last=True), "created_at", "pk"))


def desk(*, view: str = "received", kind: str = "", q: str = "") -> QuerySet[Ticket]:
    """The 12345 desk: tickets to route first; all tickets city-wide (operators only)."""
    tickets = Ticket.objects.all()
    if view == "received":
        tickets = tickets.filter(state=S.RECEIVED)
    elif view == "escalated":
        tickets = tickets.filter(state=S.ESCALATED)
    elif view == "replied":
        tickets = tickets.filter(state=S.REPLIED)
    elif view == "open":
        tickets = tickets.filter(state__in=Ticket.OPEN_STATES)
    if kind in Kind.values:
        tickets = tickets.filter(kind=kind)
    q = (q or "").strip()[:40]
    if q:
        tickets = tickets.filter(Q(number__iexact=q) | Q(title__icontains=q))
    return (tickets.select_related("agency").only(*LIST_FIELDS).annotate(due=_due())
            .order_by(F("due").asc(nulls_last=True), "created_at", "pk"))


def escalated(user) -> QuerySet[Ticket]:
    """Escalated tickets in a supervisor's scope (unrouted ones only for a city-level supervisor)."""
    scope = _scope_filter(user)
    if user.is_superuser or (user.agency is not None and user.agency.scope_root().parent_id is None):
        scope |= Q(agency=None)
    return (Ticket.objects.filter(scope, state=S.ESCALATED).select_related("agency").only(*LIST_FIELDS)
            .annotate(due=_due()).order_by(F("due").asc(nulls_last=True), "pk"))


# --- one ticket ---------------------------------------------------------------------------------
def _detail_qs():
    return Ticket.objects.select_related(
        "agency", "about_agency", "matter", "requester", "entered_by", "replied_by"
    ).prefetch_related(Prefetch("attachments", queryset=TicketAttachment.objects.order_by("uploaded_at", "pk")))


def staff_ticket(user, number: str) -> Ticket:
    """A ticket the staff member may see, or 404 (never 403: its existence is not disclosed)."""
    ticket = _detail_qs().filter(number=inputs.number(number)).first()
    if ticket is None or not can_view_as_staff(user, ticket):
        raise Http404
    return ticket


def can_view_as_staff(user, ticket) -> bool:
    if is_operator(user):
        return True
    if ticket.agency_id is None:
        return False
    if roles.has_role(user, *HANDLER_ROLES) and scope.handles_cases_of(user, ticket.agency_id):
        return True
    return roles.has_role(user, roles.SUPERVISOR) and in_scope(ticket.agency_id, ticket.agency.path, user)


def requester_ticket(user, number: str) -> Ticket:
    ticket = _detail_qs().filter(number=inputs.number(number), requester=user).first()
    if ticket is None:
        raise Http404
    return ticket


def tracked_ticket(number: str, code: str) -> Ticket | None:
    """The ticket when the number and the lookup code match; ``None`` otherwise (same answer either way)."""
    from .services import code_matches, hash_code

    number = (number or "").strip().upper()[:20]
    ticket = _detail_qs().filter(number=inputs.number(number)).first() if number else None
    if ticket is None:
        hash_code("X", code)  # same work whether the number exists or not
        return None
    return ticket if code_matches(ticket, code) else None


def unlocked_ticket(number: str, unlocked: list) -> Ticket:
    """A ticket unlocked earlier in this session through the tracking form, or 404."""
    if number not in (unlocked or []):
        raise Http404
    ticket = _detail_qs().filter(number=inputs.number(number)).first()
    if ticket is None:
        raise Http404
    return ticket


def contact_visible(user, ticket) -> bool:
    """Requester contact details: the requester, the handling agency and the 12345 desk only."""
    if not getattr(user, "is_authenticated", False):
        return False
    if ticket.requester_id is not None and ticket.requester_id == user.pk:
        return True
    if is_operator(user):
        return True
    return (roles.has_role(user, *HANDLER_ROLES) and ticket.agency_id is not None
            and scope.handles_cases_of(user, ticket.agency_id))


def attachment(user, pk: int, *, unlocked=()) -> TicketAttachment:
    """An attachment of a ticket the user may see (staff, owner, or unlocked by code), or 404."""
    item = TicketAttachment.objects.select_related("ticket__agency").filter(pk=pk).first()
    if item is None:
        raise Http404
    ticket = item.ticket
    allowed = ticket.number in (unlocked or ())
    if getattr(user, "is_authenticated", False):
        allowed = allowed or ticket.requester_id == user.pk or can_view_as_staff(user, ticket)
    if not allowed:
        raise Http404
    return item


def timeline(ticket, *, public: bool = False) -> list:
    """The ticket's history. The public version (requester) hides internal notes' actors and data."""
    events = list(audit.timeline(ticket))
    if public:
        hidden = {"complaints.reminded"}
        events = [e for e in events if e.action not in hidden]
    return events


def reply_templates(user, kind: str) -> QuerySet[ReplyTemplate]:
    agency_q = Q(agency=None)
    if user.agency_id is not None:
        agency_q |= Q(agency_id=user.agency_id)
    return ReplyTemplate.objects.filter(agency_q, Q(kind="") | Q(kind=kind), is_active=True).order_by("title", "pk")


def routing_agencies() -> QuerySet[Agency]:
    return Agency.objects.filter(is_active=True).only("pk", "name", "path").order_by("path")


# --- public FAQ --------------------------------------------------------------------------------------
def faq(q: str = "") -> QuerySet[Ticket]:
    """Answered consultations published with the requester's consent; searchable by words."""
    entries = Ticket.objects.filter(kind=Kind.CONSULTATION, faq_published=True, state__in=[S.REPLIED, S.CLOSED])
    q = (q or "").strip()[:50]
    for word in q.split()[:5]:
        entries = entries.filter(Q(title__icontains=word) | Q(faq_question__icontains=word) | Q(reply__icontains=word))
    return (entries.select_related("agency").only("pk", "number", "title", "faq_question", "reply", "replied_at",
                                                   "agency__name").order_by("-replied_at", "-pk"))


# --- figures for supervisors --------------------------------------------------------------------------
def _rate(part, whole):
    return None if not whole else round(100 * part / whole, 1)


def ticket_figures(user, *, start=None, end=None) -> dict:
    """On-time sign-for and reply rates and satisfaction, per handling agency and kind.

    Aggregate queries only (one for the rows, one for the totals). A ticket counts towards:
    * sign-for rate — when its sign-for is decided (``signed_on_time`` set: signed, or escalated late);
    * reply rate — when its reply is decided (``replied_on_time`` set);
    * satisfaction — when rated (satisfied ÷ rated).
    ``start``/``end`` filter on the filing date (inclusive).
    """
    tickets = Ticket.objects.filter(_scope_filter(user)).exclude(agency=None)
    if start:
        tickets = tickets.filter(created_at__date__gte=start)
    if end:
        tickets = tickets.filter(created_at__date__lte=end)
    measures = {
        "total": Count("pk"),
        "sign_decided": Count("pk", filter=Q(signed_on_time__isnull=False)),
        "sign_on_time": Count("pk", filter=Q(signed_on_time=True)),
        "reply_decided": Count("pk", filter=Q(replied_on_time__isnull=False)),
        "reply_on_time": Count("pk", filter=Q(replied_on_time=True)),
        "rated": Count("pk", filter=~Q(rating="")),
        "satisfied": Count("pk", filter=Q(rating=Rating.SATISFIED)),
        "escalated": Count("pk", filter=Q(escalated_at__isnull=False) | Q(state=S.ESCALATED)),
    }
    rows = list(
        tickets.values("agency_id", "agency__name", "agency__path", "kind").annotate(**measures)
        .order_by("agency__path", "kind")
    )
    totals = tickets.aggregate(**measures)
    kinds = dict(Kind.choices)
    for row in (*rows, totals):
        row["sign_rate"] = _rate(row["sign_on_time"], row["sign_decided"])
        row["reply_rate"] = _rate(row["reply_on_time"], row["reply_decided"])
        row["satisfaction"] = _rate(row["satisfied"], row["rated"])
        if "kind" in row:
            row["kind_label"] = kinds.get(row["kind"], row["kind"])
    return {"rows": rows, "totals": totals}


def referral_outcome(ticket) -> str:
    """What became of a report referred to verification, in general terms (no personal data)."""
    if ticket.referral != Referral.OPENED or not (ticket.referral_ref or "").isdigit():
        return ""
    task = VerificationTask.objects.filter(pk=int(ticket.referral_ref)).values("state", "result").first()
    if task is None:
        return ""
    if task["state"] != VerificationTask.State.CONCLUDED:
        return _("核查部门正在核查，核查结束后将在此告知结果。")
    return {
        "true": _("经核查，未发现承诺不实的情况。"),
        "false": _("经核查，该承诺不实，核查部门已依法处理。"),
        "unverifiable": _("核查部门已开展核查，但现有条件下无法核实。"),
        "withdrawn": _("申请人在作出决定前撤回了该承诺，改为提交证明，核查随之结束。"),
    }.get(task["result"], "")


# --- §三 the 市行政审批服务局 (second lead agency) ------------------------------------------------------------
def _government_root(user):
    """The government tree the bureau's staff oversee: its parent government (the bureau itself otherwise)."""
    agency = user.agency
    if agency is None:
        return None
    return agency.parent if agency.parent_id and agency.parent.is_government else agency


def window_follow_up(user) -> QuerySet[Ticket]:
    """Open complaints about windows demanding proof (索要证明) in the bureau's government tree, most urgent first."""
    if user.is_superuser:
        scope_q = Q()
    else:
        root = _government_root(user)
        if root is None:
            return Ticket.objects.none()
        scope_q = Q(agency__path__startswith=root.path) | Q(about_agency__path__startswith=root.path)
    from .models import Topic

    return (Ticket.objects.filter(scope_q, kind=Kind.COMPLAINT, topic=Topic.PROOF_DEMAND).exclude(state=S.CLOSED)
            .select_related("agency").only(*LIST_FIELDS).annotate(due=_due())
            .order_by(F("due").asc(nulls_last=True), "pk"))


def service_standards(user, *, active_only=True):
    """The standards and one-time notice templates of the bureau's own agency."""
    from .models import ServiceStandard

    qs = ServiceStandard.objects.filter(agency_id=user.agency_id).select_related("author")
    return qs.filter(is_active=True) if active_only else qs


# --- supervision figures ---------------------------------------------------------------------------------
def figures(scope, period) -> dict:
    """监督统计 from complaints for handling agencies in ``scope`` (``portal.scope.Scope``): tickets filed in
    ``period``, replies decided and on time, rated and satisfied — per agency and per month (one query)."""
    first, after = period.bounds()
    reply_decided, reply_on_time = Q(replied_on_time__isnull=False), Q(replied_on_time=True)
    tickets = Ticket.objects.filter(scope.q("agency"), agency__isnull=False, created_at__gte=first,
                                    created_at__lt=after)
    by_agency, months = grouped_by_month(
        tickets, "agency_id", "created_at", period, ["tickets", "reply_decided", "reply_on_time"],
        tickets=Count("pk"),
        reply_decided=Count("pk", filter=reply_decided),
        reply_on_time=Count("pk", filter=reply_on_time),
        rated=Count("pk", filter=~Q(rating="")),
        satisfied=Count("pk", filter=Q(rating=Rating.SATISFIED)),
    )
    return {"by_agency": by_agency, "months": months}
