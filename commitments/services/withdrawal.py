"""撤回承诺 (§二(七)): the applicant withdraws a commitment; the matter then needs its proof."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from .. import hooks, selectors
from ..models import (
    Commitment,
    CommitmentsError,
    Requirement,
)
from ._common import STALE, _audit, _check_expected, _lock


def withdraw_commitment(*, user, letter_number, reason, expected_state=None, request=None) -> Commitment:
    """撤回承诺 (§二(七)): before the application is concluded; the matter then needs its proof."""
    reason = (reason or "").strip()
    if not reason:
        raise CommitmentsError(_("请填写撤回理由。"), field="reason")
    commitment = selectors.own_commitment(user, letter_number)
    with transaction.atomic():
        application = _lock(commitment.application_id)
        _check_expected(application, expected_state)
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        commitment.application = application
        if commitment.state not in (Commitment.State.SIGNED, Commitment.State.EXEMPTED, Commitment.State.VERIFIED):
            raise CommitmentsError(_("该告知承诺书当前状态为“%(state)s”，不能撤回。") % {"state": commitment.get_state_display()}, code="wrong_state")
        if not can_proceed(commitment.withdraw):
            raise CommitmentsError(_("办件已办结，不能再撤回承诺。"), code="closed")
        try:
            commitment.withdraw(reason=reason)
            commitment.withdrawn_at = timezone.now()
            commitment.save(update_fields=["state", "withdrawal_reason", "withdrawn_at"])
        except ConcurrentTransition:
            raise CommitmentsError(STALE, code="stale") from None
        Requirement.objects.filter(pk=commitment.requirement_id).update(mode=Requirement.Mode.PROOF, proof_only=True)
        hooks.commitment_withdrawn(commitment, reason=reason, actor=user, request=request)  # closes its open checks
        _audit("commitment.withdrawn", application, user, application.state,
               summary=_("撤回《%(matter)s》告知承诺书 %(number)s，改为提交证明：%(reason)s")
               % {"matter": commitment.matter_name, "number": commitment.letter_number, "reason": reason},
               request=request, letter_number=commitment.letter_number)
    return commitment
