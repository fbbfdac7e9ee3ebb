"""Every write of the commitments app.

Each write runs in ``transaction.atomic``: it locks the application row, checks the caller's
expected state (a stale form is refused, nothing changes), moves a django-fsm transition (saved
as a conditional ``UPDATE … WHERE state = old``), appends an ``AuditEvent`` and, for a new
commitment, queues the letter task with ``transaction.on_commit``.
Refusals are ``CommitmentsError`` with the reason in Chinese.

One module per duty; every public name is re-exported here, so ``services.X`` keeps working:

- ``numbers``: case, letter and notice numbers (one counter row per prefix and year);
- ``filing``: starting an application online or at the window, registering a walk-in applicant;
- ``signing``: signing a letter online or at the window, and the 负面清单 route to a proof;
- ``proofs``: uploading a proof;
- ``decisions``: submitting, accepting, approving and closing an application;
- ``withdrawal``: withdrawing a commitment (撤回承诺);
- ``notices``: the one-time notice of what is missing (一次性告知);
- ``outcomes``: verification outcomes on a commitment and the route to credit;
- ``letter_files``: the stored, sealed letter PDF and its rendering task;
- ``_common``: private helpers shared by the above (the row lock, the expected-state check, the audit line).
"""

from ..models import CommitmentsError  # the refusal every service raises
from ._common import ACTION_LABELS, REFUSALS, STALE, S
from .decisions import (
    DECISION_WORKDAYS,
    PLAN_TASK,
    accept,
    approve,
    deny,
    revoke_application,
    submit,
    terminate_application,
    withdraw_application,
)
from .filing import GUARDIAN_REFUSED, file_at_window, is_minor, register_walk_in, start_online
from .letter_files import letter_pdf, render_letter, render_missing_letters
from .notices import NOTICE_WORKDAYS, issue_notice
from .numbers import next_number
from .outcomes import OUTCOMES, conclude_commitment, record_false_finding
from .proofs import upload_proof
from .signing import LETTER_TASK, route_to_proof, sign_at_window, sign_online
from .withdrawal import withdraw_commitment

__all__ = [
    "CommitmentsError",
    "ACTION_LABELS",
    "DECISION_WORKDAYS",
    "GUARDIAN_REFUSED",
    "LETTER_TASK",
    "NOTICE_WORKDAYS",
    "OUTCOMES",
    "PLAN_TASK",
    "REFUSALS",
    "S",
    "STALE",
    "accept",
    "approve",
    "conclude_commitment",
    "deny",
    "file_at_window",
    "is_minor",
    "issue_notice",
    "letter_pdf",
    "next_number",
    "record_false_finding",
    "register_walk_in",
    "render_letter",
    "render_missing_letters",
    "revoke_application",
    "route_to_proof",
    "sign_at_window",
    "sign_online",
    "start_online",
    "submit",
    "terminate_application",
    "upload_proof",
    "withdraw_application",
    "withdraw_commitment",
]
