"""Private helpers shared by the verification services: the audit line, today, evidence, the held task."""

import datetime
import logging

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, transitions

from .. import selectors
from ..models import (
    VerificationError,
    VerificationTask,
)

log = logging.getLogger(__package__)  # "verification.services", as before the split
T = VerificationTask.State
STALE = _("该核查任务的状态已经变化（可能已被他人处理），请刷新页面后重新操作。")


def _audit(action, obj, actor, before="", after="", summary="", agency=None, request=None, **data):
    audit.record(f"verification.{action}", obj=obj, actor=actor, agency=agency, from_state=before, to_state=after,
                 summary=summary, data=data, request=request)


def _today():
    return timezone.localdate()


def _evidence(task, kind, **data):
    entry = {"kind": kind, "at": timezone.now().isoformat(timespec="seconds"), **data}
    task.evidence = [*task.evidence, entry]
    VerificationTask.objects.filter(pk=task.pk).update(evidence=task.evidence)


def _locked(user, task_id) -> VerificationTask:
    selectors.task_for_verifier(user, task_id)  # scope check (404 outside it)
    return (VerificationTask.objects.select_for_update(of=("self",))
            .select_related("agency", "application", "subject", "matter", "commitment").get(pk=task_id))


REFUSALS = transitions.Refusals(error=VerificationError, stale=STALE,
                                forbidden=gettext_lazy("只有认领该任务的核查人员可以办理。"))


def _held(user, task_id) -> VerificationTask:
    task = _locked(user, task_id)
    if task.state not in VerificationTask.ACTIVE_STATES:
        raise VerificationError(_("请先认领该任务。") if task.state == T.OPEN else STALE,
                                code="not_claimed" if task.state == T.OPEN else "stale")
    if task.claimed_by_id != user.pk and not user.is_superuser:
        raise VerificationError(_("只有认领该任务的核查人员可以办理。"), code="forbidden")
    return task


def _cn(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"
