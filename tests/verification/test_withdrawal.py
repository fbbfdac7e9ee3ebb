"""§二(七): withdrawing a commitment closes its open verification tasks as 已撤回, in the same transaction."""

import pytest

from commitments import hooks
from commitments import services as commitments
from commitments.models import Commitment, CommitmentsError
from portal.models import AuditEvent
from verification import services
from verification.models import VerificationTask

pytestmark = pytest.mark.django_db


def test_withdrawing_a_commitment_closes_its_open_and_claimed_tasks_as_withdrawn(task, verifier, citizen):
    services.claim(user=verifier, task_id=task.pk)
    commitment = Commitment.objects.get(pk=task.commitment_id)
    commitments.withdraw_commitment(
        user=citizen, letter_number=commitment.letter_number, reason="改为提交证明"
    )
    closed = VerificationTask.objects.get(pk=task.pk)
    assert closed.state == "concluded" and closed.result == "withdrawn"
    assert closed.get_result_display() == "已撤回"
    assert commitment.letter_number in closed.conclusion and "改为提交证明" in closed.conclusion
    assert AuditEvent.objects.filter(action="verification.task.withdrawn", object_id=str(task.pk)).exists()
    # Other commitments' tasks stay open.
    others = VerificationTask.objects.filter(application=task.application).exclude(
        commitment_id=commitment.pk
    )
    assert others.exists() and not others.filter(state="concluded").exists()


def test_a_concluded_task_keeps_its_result_when_the_commitment_is_withdrawn_later(task, verifier, citizen):
    services.claim(user=verifier, task_id=task.pk)
    services.conclude(user=verifier, task_id=task.pk, result="true", conclusion="数据共享核查一致。")
    commitment = Commitment.objects.get(pk=task.commitment_id)
    commitments.withdraw_commitment(
        user=citizen, letter_number=commitment.letter_number, reason="改为提交证明"
    )
    assert VerificationTask.objects.get(pk=task.pk).result == "true"


def test_withdrawing_the_accepted_application_closes_the_tasks_of_every_signed_commitment(planned, citizen):
    commitments.withdraw_application(user=citizen, application_pk=planned.pk, reason="不再办理")
    tasks = VerificationTask.objects.filter(application=planned, commitment__isnull=False)
    assert tasks.exists() and set(tasks.values_list("result", flat=True)) == {"withdrawn"}


def test_a_failing_hook_rolls_the_withdrawal_back(task, citizen):
    commitment = Commitment.objects.get(pk=task.commitment_id)

    def broken(*args, **kwargs):
        raise CommitmentsError("核查系统暂时无法关闭任务")

    hooks.ON_COMMITMENT_WITHDRAWN.append(broken)
    try:
        with pytest.raises(CommitmentsError):
            commitments.withdraw_commitment(
                user=citizen, letter_number=commitment.letter_number, reason="改为提交证明"
            )
    finally:
        hooks.ON_COMMITMENT_WITHDRAWN.remove(broken)
    assert Commitment.objects.get(pk=commitment.pk).state != "withdrawn"
    assert VerificationTask.objects.get(pk=task.pk).state == "open"
