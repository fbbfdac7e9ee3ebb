"""Every write of the verification app.

Each write runs in ``transaction.atomic`` and appends an ``AuditEvent``; state changes go through
the django-fsm transitions on the models (saved as ``UPDATE … WHERE state = old``) or, for claiming,
a conditional ``UPDATE … WHERE state = 'open'`` so that two verifiers never hold the same task.
Commitments and applications change only through ``commitments.api``, and so does credit: a false
finding's record goes through ``commitments.api.record_false_finding``. Refusals are ``VerificationError`` with the reason in Chinese.

One module per duty; every public name is re-exported here, so ``services.X`` keeps working:

- ``planning``: 核查强度 policies, the stable sample, planning an accepted application (核查计划);
- ``queue``: claiming and releasing tasks;
- ``checks``: data-sharing checks and the written-material check (书面核查);
- ``assistance``: assistance requests (协查函) — sending, replying, refusing, reminders, escalation;
- ``inspections``: on-site inspections (现场核查);
- ``conclusion``: concluding a task, 一诺一果 siblings, dispositions (§二(五));
- ``rectification``: 责令限期整改 — the applicant's proof and the overdue termination;
- ``spot_checks``: 双随机、一公开 — the draw, the runs, publishing;
- ``reports``: a report from the complaints desk opens a task;
- ``_common``: private helpers shared by the above (audit line, today, evidence, the held-task lock).
"""

from ..models import VerificationError  # the refusal every service raises
from ._common import REFUSALS, STALE, T
from .assistance import (
    escalate_assistance,
    refuse_assistance,
    remind_assistance,
    reply_assistance,
    reply_letter_pdf,
    send_assistance,
)
from .checks import record_document_review, run_data_check
from .conclusion import DISPOSITION_KEYS, allowed_dispositions, conclude
from .inspections import assign_inspection, record_findings
from .planning import DEFAULT_POLICIES, plan_application, plan_unplanned, policy_for, sampled, update_policy
from .queue import claim, claim_next, release
from .rectification import submit_rectification_proof, terminate_overdue_rectifications
from .reports import open_task_for_report
from .spot_checks import (
    SMALL_POOL,
    draw,
    period_for,
    publish_ready_runs,
    redraw,
    run_due_spot_checks,
    run_spot_check,
)

__all__ = [
    "VerificationError",
    "DEFAULT_POLICIES",
    "DISPOSITION_KEYS",
    "REFUSALS",
    "SMALL_POOL",
    "STALE",
    "T",
    "allowed_dispositions",
    "assign_inspection",
    "claim",
    "claim_next",
    "conclude",
    "draw",
    "escalate_assistance",
    "open_task_for_report",
    "period_for",
    "plan_application",
    "plan_unplanned",
    "policy_for",
    "publish_ready_runs",
    "record_document_review",
    "record_findings",
    "redraw",
    "refuse_assistance",
    "release",
    "remind_assistance",
    "reply_assistance",
    "reply_letter_pdf",
    "run_data_check",
    "run_due_spot_checks",
    "run_spot_check",
    "sampled",
    "send_assistance",
    "submit_rectification_proof",
    "terminate_overdue_rectifications",
    "update_policy",
]
