"""Private helpers shared by the commitments services: the row lock, the expected state, refusals, the audit line."""

import logging

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, transitions

from ..models import (
    Application,
    CommitmentsError,
)

log = logging.getLogger(__package__)  # "commitments.services", as before the split
S = Application.State
STALE = _("该办件的状态已经变化（可能已被他人处理），请刷新页面后重新操作。")


def _lock(application_pk) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("agency", "subject", "service").get(pk=application_pk)


def _check_expected(application, expected_state):
    if expected_state is not None and str(expected_state) != application.state:
        raise CommitmentsError(STALE, code="stale")


def _missing(application) -> str:
    missing = "、".join(r.matter.name for r in application.missing_requirements())
    return _("材料尚不齐全，还缺：%(items)s。") % {"items": missing or _("所需证明事项")}


# Source state, then conditions (the missing materials), then permission: each with its own message.
REFUSALS = transitions.Refusals(error=CommitmentsError, stale=STALE,
                                forbidden=gettext_lazy("您无权对该办件执行此操作。"), unmet=_missing)


ACTION_LABELS = {
    "application.created": _("创建办件"),
    "application.submitted": _("提交办件"),
    "application.accepted": _("窗口受理"),
    "application.approved": _("作出准予决定"),
    "application.denied": _("作出不予决定"),
    "application.withdrawn": _("申请人撤回办件"),
    "application.terminated": _("发现虚假承诺，终止办理"),
    "application.revoked": _("发现虚假承诺，撤销决定"),
    # a verification outcome on one letter (the summary then names the letter)
    "commitment.verified": _("核查告知承诺书，承诺属实"),
    "commitment.found_false": _("核查发现告知承诺书与事实不符"),
    "commitment.exempted": _("告知承诺书免予核查"),
}


def _audit(action, application, actor, before, summary="", request=None, **data):
    label = ACTION_LABELS.get(action)
    if label:
        summary = f"{label}：{summary}" if summary else str(label)
    audit.record(f"commitments.{action}", obj=application, actor=actor, agency=application.agency,
                 from_state=before, to_state=application.state, summary=summary, data=data, request=request)
