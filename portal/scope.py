"""Scope by duty (按职责划定范围): which agencies' rows a staff member may touch, for which purpose.

One function per duty; the apps' selectors ask here and nowhere else.

* **Case work** (办件受理与决定、一次性告知、证明材料和承诺书、核查任务与协查、现场检查、投诉办理、
  信用记录): the staff member's *own agency* only, plus what is explicitly routed to it — the caller
  filters on the routing field (an assistance request's ``to_agency``, a ticket's handling ``agency``).
  No government, no justice bureau handles another agency's cases.
* **Catalogue review and approval** (清单审核、批准): the government tree (``Agency.scope_root``): a
  justice bureau reviews, and its government approves, every department's catalogue under that
  government. This wide view is for catalogues only.
* **Supervision** (监督): supervisors read over the same tree — read-only, never acting — and every
  time one opens a case of an agency other than their own, an ``AuditEvent`` says so
  (``note_supervisory_read``). The justice bureau's supervisors get this view because the plan makes
  the 市司法局 the lead unit that guides and supervises the reform.
"""

from django.db.models import Q

from . import audit, roles


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


# --- catalogue review ----------------------------------------------------------------------------
def catalogue_review_q(user, field: str = "agency") -> Q | None:
    """Catalogues a justice reviewer or government approver follows: its government's tree."""
    agency = _agency(user)
    if agency is None:
        return None
    return Q(**{f"{field}__path__startswith": agency.scope_root().path})


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
