"""Who sees which supervision notice; the figures' scope is ``portal.scope.supervision_scope``.

* supervisors and government approvers — every notice issued inside their scope, drafts included;
* any staff member — the published notices that name their agency;
* the public — published notices (they name agencies, never persons).
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from catalog import selectors as catalog
from portal import roles, scope
from portal.models import NoticeAgency, SupervisionNotice

NOTICE_ROLES = (roles.SUPERVISOR, roles.GOVERNMENT_APPROVER)


def _with_names(qs: QuerySet) -> QuerySet:
    return qs.select_related("issuing_agency", "author", "approved_by").prefetch_related(
        Prefetch("named", queryset=NoticeAgency.objects.select_related("agency")))


def staff_notices(user) -> QuerySet[SupervisionNotice]:
    if user.is_superuser:
        return _with_names(SupervisionNotice.objects.all())
    q = Q(pk__in=[])
    figures_scope = scope.supervision_scope(user)
    if figures_scope is not None and roles.has_role(user, *NOTICE_ROLES):
        q |= figures_scope.q("issuing_agency")
    if user.agency_id:
        q |= Q(state=SupervisionNotice.State.PUBLISHED, named__agency_id=user.agency_id)
    return _with_names(SupervisionNotice.objects.filter(q).distinct())


def staff_notice(user, pk) -> SupervisionNotice:
    notice = staff_notices(user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def public_notices() -> QuerySet[SupervisionNotice]:
    return _with_names(SupervisionNotice.objects.filter(state=SupervisionNotice.State.PUBLISHED))


def public_notice(pk) -> SupervisionNotice:
    notice = public_notices().filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def matters_without_controls(user, limit=100) -> list:
    """§二(七): commitment matters in the user's scope with no risk control listed (``catalog.selectors``)."""
    figures_scope = scope.supervision_scope(user)
    return [] if figures_scope is None else catalog.matters_without_controls(figures_scope, limit)
