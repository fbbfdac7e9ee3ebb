"""A report (举报) from the complaints desk opens a verification task, or joins the letter's check."""


from django.db import transaction

from catalog.api import VerificationMethod
from commitments.api import Commitment
from credit import api as credit
from portal import workdays

from .. import conf
from ..models import (
    Result,
    TaskOrigin,
    VerificationTask,
)
from ._common import _audit, _today


def open_task_for_report(commitment, reason: str, *, source: str = "", actor=None):
    """A report (举报) of a suspected false commitment opens a verification task against it.

    Idempotent per commitment: while a report task for it is still open, that one is returned
    (several reports about the same letter are worked together).
    """
    with transaction.atomic():
        commitment = (Commitment.objects.select_for_update(of=("self",)).select_related("application", "matter", "requirement")
                      .get(pk=commitment.pk))
        # 一诺一果: a report joins any open check of this letter (plan, sample or an earlier report);
        # a letter already verified or found false is answered with that outcome, never checked twice.
        tasks = VerificationTask.objects.filter(commitment=commitment).exclude(origin=TaskOrigin.RECTIFICATION)
        existing = tasks.exclude(state=VerificationTask.State.CONCLUDED).order_by("pk").first()
        if existing is None and commitment.state in (Commitment.State.VERIFIED, Commitment.State.FOUND_FALSE):
            existing = (tasks.filter(state=VerificationTask.State.CONCLUDED)
                        .exclude(result=Result.UNVERIFIABLE).order_by("-concluded_at", "-pk").first())
        if existing is not None:
            _audit("task.report_attached", existing, actor, existing.state, existing.state, agency=existing.agency,
                   summary=reason[:300], source=source)
            return existing
        application, matter = commitment.application, commitment.matter
        methods = [m for m in (matter.verification_methods or []) if m != VerificationMethod.EXEMPT]
        due = workdays.deadline(_today(), matter.verification_days or conf.DEFAULT_VERIFICATION_WORKDAYS)
        task = VerificationTask.objects.create(
            agency=application.agency, application=application, requirement=commitment.requirement,
            commitment=commitment, subject=application.subject, matter=matter,
            method=methods[0] if methods else VerificationMethod.DATA_SHARING, origin=TaskOrigin.REPORT,
            credit_level=credit.credit_level(application.subject),
            due_date=due.date, deadline_provisional=due.provisional, conclusion="",
        )
        workdays.track(task, "due_date", due)
        _audit("task.opened_from_report", task, actor, after=task.state, summary=reason[:300],
               agency=application.agency, source=source)
    return task
