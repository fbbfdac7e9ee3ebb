"""Who sees which supervision notice; the figures' scope lives in ``figures.scope_for``.

* supervisors and government approvers — every notice issued inside their scope, drafts included;
* any staff member — the published notices that name their agency;
* the public — published notices (they name agencies, never persons).
"""

from django.db.models import Prefetch, Q, QuerySet
from django.http import Http404

from portal import roles
from portal.models import NoticeAgency, SupervisionNotice

from . import figures as f

NOTICE_ROLES = (roles.SUPERVISOR, roles.GOVERNMENT_APPROVER)


def _with_names(qs: QuerySet) -> QuerySet:
    return qs.select_related("issuing_agency", "author", "approved_by").prefetch_related(
        Prefetch("named", queryset=NoticeAgency.objects.select_related("agency")))


def staff_notices(user) -> QuerySet[SupervisionNotice]:
    if user.is_superuser:
        return _with_names(SupervisionNotice.objects.all())
    q = Q(pk__in=[])
    scope = f.scope_for(user)
    if scope is not None and roles.has_role(user, *NOTICE_ROLES):
        q |= scope.q("issuing_agency")
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
    """§二(七): commitment matters of public catalogues in the user's scope with no risk control (防控措施) listed."""
    from django.db.models import Exists, OuterRef

    from catalog.models import Catalogue, CertificationMatter, RiskPoint

    scope = f.scope_for(user)
    if scope is None:
        return []
    controlled = RiskPoint.objects.filter(matter=OuterRef("pk")).exclude(control="")
    return list(CertificationMatter.objects.filter(scope.q("catalogue__agency"), commitment_allowed=True,
                                                   catalogue__state__in=Catalogue.PUBLIC_STATES)
                .exclude(Exists(controlled)).select_related("catalogue__agency")
                .order_by("catalogue__agency__path", "seq")[:limit])
