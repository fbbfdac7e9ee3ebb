"""Desk checks of a held task: data sharing (数据共享核查) and the written material (书面核查)."""


from django.db import transaction
from django.utils.translation import gettext as _

from .. import connectors
from ..models import (
    DataCheck,
    DocumentReview,
    ReviewResult,
    VerificationError,
)
from ._common import _audit, _evidence, _held


def run_data_check(*, user, task_id, connector, request=None) -> DataCheck:
    """Ask a data-sharing connector about the subject; the answer (or the failure) is kept as evidence."""
    with transaction.atomic():
        task = _held(user, task_id)
    try:
        source = connectors.get(connector)
    except connectors.ConnectorError as exc:
        raise VerificationError(str(exc), field="connector") from None
    number = task.subject.id_number
    try:
        answer = source.lookup(number)
        outcome = DataCheck.Outcome.FOUND if answer.found else DataCheck.Outcome.NOT_FOUND
        record, error, elapsed = answer.record, "", answer.elapsed_ms
    except connectors.ConnectorError as exc:
        outcome, record, error, elapsed = DataCheck.Outcome.FAILED, {}, str(exc)[:300], 0
    with transaction.atomic():
        task = _held(user, task_id)
        check = DataCheck.objects.create(task=task, connector=connector, outcome=outcome, answer=record, error=error,
                                         elapsed_ms=elapsed, checked_by=user)
        _evidence(task, "data_check", connector=connector, source=str(source.label), outcome=outcome, check=check.pk)
        _audit("data_check", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("数据共享核查（%(source)s）：%(outcome)s") % {"source": source.label,
                                                                  "outcome": check.get_outcome_display()},
               connector=connector, outcome=outcome)
    return check


def record_document_review(*, user, task_id, materials, findings, result, request=None) -> DocumentReview:
    """A desk check of the written material the applicant submitted: what was read and what it shows."""
    materials, findings = (materials or "").strip(), (findings or "").strip()
    if not materials:
        raise VerificationError(_("请写明审查了哪些材料。"), field="materials")
    if not findings:
        raise VerificationError(_("请填写书面审查情况。"), field="findings")
    if result not in ReviewResult.values:
        raise VerificationError(_("请选择审查结论。"), field="result")
    with transaction.atomic():
        task = _held(user, task_id)
        review = DocumentReview.objects.create(task=task, materials=materials, findings=findings, result=result,
                                               reviewed_by=user)
        _evidence(task, "document_review", review=review.pk, result=result, findings=findings[:500])
        _audit("document_review", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("书面核查：%(r)s") % {"r": review.get_result_display()}, review=review.pk, result=result)
    return review
