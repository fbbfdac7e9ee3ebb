"""Hooks other apps register to hear of commitments events (承诺事件的登记回调).

Verification sits to the right of commitments (import-linter's layers contract), so commitments
may not import it. Yet a withdrawn commitment must close its open verification tasks in the same
transaction (§二(七)): a Celery task after commit could be lost or run late, leaving a verifier
with a task for a letter that no longer stands. So verification appends a callable here in its
``AppConfig.ready`` (like ``credit.services.EXTRA_CHECKS``) and commitments calls every one inside
its own ``transaction.atomic``; an exception in a hook rolls the withdrawal back.
"""

# Each: ``hook(commitment, *, reason, actor, request)``; called after the commitment is saved as withdrawn.
ON_COMMITMENT_WITHDRAWN: list = []


def commitment_withdrawn(commitment, *, reason, actor=None, request=None) -> None:
    for hook in ON_COMMITMENT_WITHDRAWN:
        hook(commitment, reason=reason, actor=actor, request=request)
