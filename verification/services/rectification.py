"""责令限期整改: the applicant hands in the proof in time, or the case is terminated once the deadline passed."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import api as commitments
from commitments.api import Application, CommitmentsError, Requirement
from portal.notifications import notify

from .. import selectors
from ..models import (
    Disposition,
    Result,
    TaskOrigin,
    VerificationError,
    VerificationTask,
)
from ._common import T, _audit, _cn, _evidence, _today


def terminate_overdue_rectifications(today=None) -> int:
    """责令限期整改 missed: the case still waiting for its proof is terminated once the deadline has passed.

    Idempotent (two beats terminate once): the application is locked and only an open case whose
    requirement still has no proof is terminated; the follow-up task closes with the same outcome.
    """
    today = today or _today()
    done = 0
    due = (Disposition.objects.filter(rectify=True, rectify_due__lt=today,
                                      task__application__state__in=[Application.State.SUBMITTED,
                                                                    Application.State.ACCEPTED])
           .values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            disposition = Disposition.objects.select_related("task", "task__matter").get(pk=pk)
            task = disposition.task
            application = Application.objects.select_for_update().get(pk=task.application_id)
            if application.state not in (Application.State.SUBMITTED, Application.State.ACCEPTED):
                continue
            if Requirement.objects.filter(pk=task.requirement_id, proofs__isnull=False).exists():
                continue  # the applicant supplied the proof in time
            reason = _("责令限期整改（%(n)s）期限 %(d)s 已过，申请人未补交“%(m)s”的证明材料，终止办理。") % {
                "n": disposition.decision_number, "d": _cn(disposition.rectify_due), "m": task.matter.name}
            commitments.terminate_application(application_pk=application.pk, reason=reason)
            VerificationTask.objects.filter(parent=task, origin=TaskOrigin.RECTIFICATION).exclude(
                state=T.CONCLUDED).update(state=T.CONCLUDED, result=Result.FALSE, conclusion=reason,
                                          concluded_at=timezone.now(), claimed_by=disposition.decided_by,
                                          concluded_by=disposition.decided_by)
            _audit("rectification.overdue", task, None, task.state, task.state, agency=task.agency, summary=reason)
            notify(application.applicant_user or application.subject, "outcome", _("办件已终止办理"), reason,
                   ("commitments:application", application.pk), key=f"rectify-overdue:{disposition.pk}")
            done += 1
    return done


def submit_rectification_proof(*, user, disposition_id, upload, request=None):
    """The applicant hands in the rectification proof from the case page, until the deadline's last day;
    the proof is stored with the requirement (``commitments.services.upload_proof``) and noted on the
    rectification review task, which the verifier then concludes."""
    disposition = selectors.rectification_for_applicant(user, disposition_id)
    task = disposition.task
    if _today() > disposition.rectify_due:
        raise VerificationError(_("整改期限（%(d)s）已过，不能再提交整改证明材料。") % {"d": _cn(disposition.rectify_due)},
                                field="file")
    with transaction.atomic():
        follow_up = (VerificationTask.objects.select_for_update(of=("self",))
                     .filter(parent=task, origin=TaskOrigin.RECTIFICATION).order_by("pk").first())
        if follow_up is None or follow_up.state == T.CONCLUDED:
            raise VerificationError(_("整改复查已经办结，不能再提交整改证明材料。"), field="file")
        try:
            proof = commitments.upload_proof(user=user, application_pk=task.application_id,
                                             requirement_pk=task.requirement_id, upload=upload, rectification=True,
                                             request=request)
        except CommitmentsError as exc:
            raise VerificationError(exc.message, field="file") from None
        _evidence(follow_up, "rectification_proof", proof=proof.pk, name=proof.original_name, sha256=proof.sha256)
        _audit("rectification.proof_submitted", follow_up, user, follow_up.state, follow_up.state,
               agency=follow_up.agency, request=request,
               summary=_("申请人提交整改证明材料“%(f)s”（%(n)s）") % {"f": proof.original_name,
                                                            "n": disposition.document_number})
    return proof
