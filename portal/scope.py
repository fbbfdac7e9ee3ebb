"""Scope by duty (按职责划定范围): which agencies' rows a staff member may touch, for which purpose.

One function per duty; the apps' selectors ask here and nowhere else.

* **Case work** (办件受理与决定、一次性告知、证明材料和承诺书、核查任务与协查、现场检查、投诉办理、
  信用记录): the staff member's *own agency* only, plus what is explicitly routed to it — the caller
  filters on the routing field (an assistance request's ``to_agency``, a ticket's handling ``agency``).
  No government, no justice bureau handles another agency's cases.
* **Catalogue review and approval** (清单审核、批准, 本级审核批准): a justice bureau reviews, and its
  government approves, the catalogues whose approving government is that government — the city's
  for city departments and development zones, a district's for that district (never another district's).
* **Catalogue aggregation** (清单汇总): the justice bureau of a government receives the lists its lower
  governments (区县、西咸新区) approved, published and reported (报送汇总) — city-wide for 市司法局.
* **Supervision** (监督): supervisors read over the same tree — read-only, never acting — and every
  time one opens a case of an agency other than their own, an ``AuditEvent`` says so
  (``note_supervisory_read``). The justice bureau's supervisors get this view because the plan makes
  the 市司法局 the lead unit that guides and supervises the reform.
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q

from . import audit, roles
from .models import Agency


def _agency(user):
    if not getattr(user, "is_authenticated", False):
        return None
    return getattr(user, "agency", None)


# --- case work -----------------------------------------------------------------------------------
def case_q(user, field: str = "agency") -> Q | None:
    """A filter on ``field`` (a foreign key to Agency) keeping the user's own agency's rows; ``None`` for
    nothing (no agency). Superusers: everything."""
    if getattr(user, "is_superuser", False):
        return Q()
    agency = _agency(user)
    if agency is None:
        return None
    return Q(**{f"{field}_id": agency.pk})


def handles_cases_of(user, agency) -> bool:
    """Whether ``agency`` (an Agency or its id) is the user's own, i.e. the user may work its cases."""
    if getattr(user, "is_superuser", False):
        return True
    own_id = getattr(user, "agency_id", None) if getattr(user, "is_authenticated", False) else None
    agency_id = getattr(agency, "pk", agency)
    return own_id is not None and agency_id is not None and own_id == agency_id


# --- catalogue review, approval and aggregation -------------------------------------------------
def _government(user):
    """The government a justice reviewer or approver acts for: its own (a government) or its bureau's parent."""
    agency = _agency(user)
    if agency is None:
        return None
    root = agency.scope_root()
    return root if root.is_government else None


def catalogue_review_q(user, field: str = "approving_agency") -> Q | None:
    """Catalogues this user's government level reviews and approves (本级审核批准): ``field`` is the
    catalogue's approving government. ``None`` for staff of no government level."""
    government = _government(user)
    if government is None:
        return None
    return Q(**{f"{field}_id": government.pk})


def government_tree_q(user, field: str = "agency") -> Q | None:
    """Rows of agencies in this user's government tree (a government's subtree; a justice bureau's is its
    government's): what the justice bureau follows across the agencies it guides, e.g. §三(一)."""
    government = _government(user)
    if government is None:
        return None
    return Q(**{f"{field}__path__startswith": government.path})


def catalogue_aggregation_q(user, reported_to: str = "oversight_government",
                            approved_by: str = "approving_agency") -> Q | None:
    """Catalogues lower governments report to this user's government for aggregation (报送汇总): reported
    to it, approved by another government. City-wide for the city; nothing for a district."""
    government = _government(user)
    if government is None:
        return None
    return Q(**{f"{reported_to}_id": government.pk}) & ~Q(**{f"{approved_by}_id": government.pk})


def aggregates_catalogues(user) -> bool:
    """Whether the user is a justice reviewer of a government that lower governments report their lists to."""
    agency = _agency(user)
    government = _government(user)
    return bool(
        government is not None and agency.is_justice_bureau and roles.has_role(user, roles.JUSTICE_REVIEWER)
        and government.children.filter(kind__in=agency.GOVERNMENT_KINDS).exists()
    )


# --- supervision ---------------------------------------------------------------------------------
def supervision_q(user, field: str = "agency") -> Q | None:
    """What a supervisor may *read*: its oversight tree (``Agency.scope_q``); ``None`` for anyone else."""
    if getattr(user, "is_superuser", False):
        return Q()
    agency = _agency(user)
    if agency is None or not roles.has_role(user, roles.SUPERVISOR):
        return None
    return agency.scope_q(field)


def supervises(user, agency) -> bool:
    """Whether the user is a supervisor whose oversight tree holds ``agency``."""
    own = _agency(user)
    return bool(own is not None and agency is not None and roles.has_role(user, roles.SUPERVISOR)
                and own.supervises(agency))


def note_supervisory_read(user, obj, agency, *, what: str, request=None) -> None:
    """Audit a supervisor's read of another agency's case (``supervision.case_read``); nothing for one's own
    agency's case or for the staff who handle it."""
    if getattr(user, "is_superuser", False) or handles_cases_of(user, agency):
        return
    if not roles.has_role(user, roles.SUPERVISOR):
        return
    audit.record("supervision.case_read", obj=obj, actor=user, summary=f"{what} · {agency}", request=request)


# --- supervision figures ---------------------------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """The agencies a supervision figure covers: ``root`` and its subtree, only ``root``, or the whole city
    (``root`` None). Every app's ``selectors.figures(scope, period)`` filters with ``q(field)``."""

    root: Agency | None = None
    subtree: bool = True

    @property
    def key(self) -> str:
        if self.root is None:
            return "all"
        return f"{'t' if self.subtree else 'a'}{self.root.pk}"

    @cached_property
    def agency_ids(self) -> list[int]:
        """The active agencies covered, read once (one query) so that each figure filters on ids, not paths."""
        return list(self.agencies().values_list("pk", flat=True))

    def agencies(self):
        q = Q() if self.root is None else (
            Q(path__startswith=self.root.path) if self.subtree else Q(pk=self.root.pk))
        return Agency.objects.filter(q, is_active=True).order_by("path")

    def q(self, field: str) -> Q:
        """A filter on the agency reached through ``field`` (``""`` for the Agency model itself)."""
        if self.root is None:
            return Q()
        return Q(**{f"{field}__in": self.agency_ids}) if field else Q(pk__in=self.agency_ids)

    def covers(self, path: str) -> bool:
        if self.root is None:
            return True
        return path.startswith(self.root.path) if self.subtree else path == self.root.path


def supervision_scope_of(agency: Agency) -> Scope:
    """What the staff of ``agency`` supervise (mirrors ``Agency.scoped_agencies``)."""
    root = agency.scope_root()
    if root.is_government or root != agency:
        return Scope(root)
    return Scope(agency, subtree=False)


def supervision_scope(user) -> Scope | None:
    """The scope of the figures a staff member sees; the whole city for superusers; None without an agency."""
    if getattr(user, "is_superuser", False):
        return Scope()
    own = _agency(user)
    return None if own is None else supervision_scope_of(own)


def narrowed(scope: Scope, agency: Agency | None) -> Scope:
    """The scope of one agency's subtree inside ``scope`` (drill-down); unchanged when it is outside."""
    if agency is None or not scope.covers(agency.path):
        return scope
    if scope.root is not None and not scope.subtree:
        return scope
    return Scope(agency)
