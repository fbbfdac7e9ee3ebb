"""The verifiers' queue: claiming a task (exactly one claimer wins) and releasing it."""


from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, roles, transitions
from portal.models import Agency

from .. import selectors
from ..models import (
    VerificationError,
    VerificationTask,
)
from ._common import REFUSALS, T, _audit, _locked


def _may_verify(user):
    if not (user.is_superuser or roles.has_role(user, roles.VERIFIER)):
        raise VerificationError(_("只有核查人员可以认领核查任务。"))


def claim(*, user, task_id, request=None) -> VerificationTask:
    """Claim one open task of the user's scope. A conditional UPDATE: of two claimers exactly one wins."""
    _may_verify(user)
    with transaction.atomic():
        task = selectors.task_for_verifier(user, task_id)
        won = VerificationTask.objects.filter(pk=task.pk, state=T.OPEN).update(
            state=T.CLAIMED, claimed_by=user, claimed_at=timezone.now())
        if not won:
            raise VerificationError(_("该任务已被其他核查人员认领或已办结。"), code="already_claimed")
        _audit("task.claimed", task, user, T.OPEN, T.CLAIMED, agency=task.agency, request=request,
               summary=_("认领核查任务"))
    return selectors.task_for_verifier(user, task_id)


def claim_next(*, user, request=None) -> VerificationTask | None:
    """Claim the earliest-due open task of the user's scope, or None if none is left.

    PostgreSQL: one statement, ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING``,
    so a claim is a single round trip before its audit line; other databases (SQLite, no SKIP LOCKED):
    read the first open task, then the same conditional UPDATE.
    """
    _may_verify(user)
    candidates = selectors.open_for_claiming(user)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            claimed = _claim_first(candidates, user)
        else:
            pk = candidates.values_list("pk", flat=True).first()
            won = pk is not None and VerificationTask.objects.filter(pk=pk, state=T.OPEN).update(
                state=T.CLAIMED, claimed_by=user, claimed_at=timezone.now())
            claimed = (pk, VerificationTask.objects.filter(pk=pk).values_list("agency_id", flat=True)[0]) if won else None
        if claimed is None:
            return None
        pk, agency_id = claimed
        _audit_claim(pk, user, request, agency_id)
    return VerificationTask(pk=pk, agency_id=agency_id)


def _claim_first(candidates, user):
    """(id, agency id) of the task this statement claimed, or None. The subquery is the selector's own
    query (scope and order), locked with SKIP LOCKED so concurrent claimers take different rows."""
    first, params = candidates.select_for_update(skip_locked=True, of=("self",)).values("pk")[:1].query.sql_with_params()
    table = connection.ops.quote_name(VerificationTask._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS claimed SET state = %s, claimed_by_id = %s, claimed_at = %s "  # noqa: S608
            f"WHERE claimed.id = ({first}) AND claimed.state = %s RETURNING claimed.id, claimed.agency_id",
            [T.CLAIMED, user.pk, timezone.now(), *params, T.OPEN],
        )
        return cursor.fetchone()


def _audit_claim(pk, user, request, agency_id):
    # the task's agency, as ``claim`` records it (for a verifier it is the user's own, read without a query)
    audit.record("verification.task.claimed", obj=VerificationTask(pk=pk), actor=user, from_state=T.OPEN,
                 to_state=T.CLAIMED, summary=_("认领核查任务"), request=request, agency=Agency(pk=agency_id))


def release(*, user, task_id, request=None) -> VerificationTask:
    with transaction.atomic():
        task = _locked(user, task_id)
        before = task.state
        transitions.run(task, "release", user, actor=user, refusals=REFUSALS)
        _audit("task.released", task, user, before, task.state, agency=task.agency, request=request,
               summary=_("退回队列"))
    return task
