"""The verifiers' queue: claiming a task (exactly one claimer wins) and releasing it."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, roles, transitions

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
    """Claim the earliest-due open task (``SELECT … FOR UPDATE SKIP LOCKED``), or None if none is left."""
    _may_verify(user)
    with transaction.atomic():
        pk = (selectors.open_for_claiming(user).select_for_update(skip_locked=True, of=("self",))
              .values_list("pk", flat=True).first())
        if pk is None:
            return None
        won = VerificationTask.objects.filter(pk=pk, state=T.OPEN).update(
            state=T.CLAIMED, claimed_by=user, claimed_at=timezone.now())
        if not won:
            return None
        _audit_claim(pk, user, request)
    return VerificationTask(pk=pk)


def _audit_claim(pk, user, request):
    audit.record("verification.task.claimed", obj=VerificationTask(pk=pk), actor=user, from_state=T.OPEN,
                 to_state=T.CLAIMED, summary=_("认领核查任务"), request=request)


def release(*, user, task_id, request=None) -> VerificationTask:
    with transaction.atomic():
        task = _locked(user, task_id)
        before = task.state
        transitions.run(task, "release", user, actor=user, refusals=REFUSALS)
        _audit("task.released", task, user, before, task.state, agency=task.agency, request=request,
               summary=_("退回队列"))
    return task
