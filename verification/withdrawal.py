"""A withdrawn commitment closes its open verification tasks (撤回承诺，未结核查任务以“已撤回”结束，§二(七)).

Registered in ``VerificationConfig.ready`` on ``commitments.hooks.ON_COMMITMENT_WITHDRAWN``, so it runs
inside the withdrawal's transaction: either the commitment is withdrawn and its tasks are closed, or neither.
"""

from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit

from .models import TASK_WITHDRAWN, VerificationTask

T = VerificationTask.State


def close_tasks_of_withdrawn(commitment, *, reason, actor=None, request=None) -> list[int]:
    """Close every open task of ``commitment`` with the result 已撤回; returns their ids (none twice)."""
    tasks = list(
        VerificationTask.objects.select_for_update(of=("self",))
        .filter(commitment_id=commitment.pk)
        .exclude(state=T.CONCLUDED)
        .select_related("agency")
    )
    text = (
        _("申请人撤回告知承诺书 %(n)s，核查任务随之结束：%(r)s")
        % {"n": commitment.letter_number, "r": reason}
    )[:4000]
    user = actor if getattr(actor, "is_authenticated", False) else None
    closed = []
    for task in tasks:
        # Conditional UPDATE: a task a verifier concluded meanwhile keeps its own result.
        done = (
            VerificationTask.objects.filter(pk=task.pk)
            .exclude(state=T.CONCLUDED)
            .update(
                state=T.CONCLUDED,
                result=TASK_WITHDRAWN,
                conclusion=text,
                concluded_at=timezone.now(),
                concluded_by=task.claimed_by,
                claimed_by=task.claimed_by,
            )
        )
        if done:
            closed.append(task.pk)
            audit.record(
                "verification.task.withdrawn",
                obj=task,
                actor=user,
                agency=task.agency,
                from_state=task.state,
                to_state=T.CONCLUDED,
                summary=text[:300],
                request=request,
                data={"letter_number": commitment.letter_number},
            )
    return closed
