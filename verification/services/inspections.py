"""现场核查: assigning inspectors to a held task and recording their findings."""


from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import api as commitments
from commitments.api import CommitmentsError

from .. import selectors
from ..models import (
    Inspection,
    InspectionPhoto,
    Result,
    VerificationError,
    VerificationTask,
)
from ._common import _audit, _evidence, _held, _today


def assign_inspection(*, user, task_id, inspectors, planned_date, address="", request=None) -> Inspection:
    inspectors = list(inspectors or [])
    if not inspectors:
        raise VerificationError(_("请至少选择一名现场检查人员。"), field="inspectors")
    if planned_date < _today():
        raise VerificationError(_("计划检查日期不能早于今天。"), field="planned_date")
    with transaction.atomic():
        task = _held(user, task_id)
        allowed = set(selectors.inspectors_in_scope(user).values_list("pk", flat=True))
        if any(i.pk not in allowed for i in inspectors):
            raise VerificationError(_("只能指派本机关的现场检查人员。"), field="inspectors")
        inspection = Inspection.objects.create(task=task, planned_date=planned_date, address=(address or "").strip(),
                                               assigned_by=user)
        inspection.inspectors.set(inspectors)
        _evidence(task, "inspection_assigned", inspection=inspection.pk,
                  inspectors=[i.get_full_name() for i in inspectors])
        _audit("inspection.assigned", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("指派现场核查：%(names)s") % {"names": "、".join(i.get_full_name() for i in inspectors)},
               inspection=inspection.pk)
    return inspection


def record_findings(*, user, inspection_id, findings, result, photos=(), request=None) -> Inspection:
    findings = (findings or "").strip()
    if not findings:
        raise VerificationError(_("请填写现场检查情况。"), field="findings")
    if result not in Result.values:
        raise VerificationError(_("请选择检查结论。"), field="result")
    checked = []
    for photo in photos:
        try:
            content_type, digest = commitments.sniff_upload(photo, field="photos")
        except CommitmentsError as exc:
            raise VerificationError(exc.message, field="photos") from None
        if content_type not in ("image/jpeg", "image/png"):
            raise VerificationError(_("现场照片只能是 JPG 或 PNG 图片。"), field="photos")
        checked.append((photo, content_type, digest))
    with transaction.atomic():
        inspection = selectors.inspection_for(user, inspection_id)
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.state != Inspection.State.ASSIGNED:
            raise VerificationError(_("该现场检查已经记录过结果。"))
        for photo, content_type, digest in checked:
            row = InspectionPhoto(inspection=inspection, content_type=content_type, sha256=digest, size=photo.size,
                                  uploaded_by=user)
            row.file.save("photo", photo, save=False)
            row.save()
        inspection.findings, inspection.finding_result = findings, result
        inspection.state, inspection.recorded_by, inspection.recorded_at = Inspection.State.DONE, user, timezone.now()
        inspection.save()
        task = VerificationTask.objects.select_for_update(of=("self",)).get(pk=inspection.task_id)
        _evidence(task, "inspection", inspection=inspection.pk, result=result, findings=findings[:500],
                  photos=len(checked))
        _audit("inspection.recorded", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("现场检查结论：%(r)s") % {"r": inspection.get_finding_result_display()},
               inspection=inspection.pk, result=result)
    return inspection
