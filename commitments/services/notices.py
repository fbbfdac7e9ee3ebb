"""一次性告知: everything still missing, listed at once, with a deadline in working days."""


from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from portal import workdays
from portal.notifications import cn_date, in_chinese, notify

from .. import selectors
from ..models import (
    CommitmentsError,
    OneTimeNotice,
    in_agency_scope,
)
from ._common import S, _audit, _check_expected, _lock
from .numbers import next_number

NOTICE_WORKDAYS = 5


def issue_notice(*, clerk, application_pk, note="", expected_state=None, request=None) -> OneTimeNotice:
    """一次性告知: list everything still missing, at once."""
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        if not (clerk.is_superuser or in_agency_scope(application.agency, clerk)):
            raise CommitmentsError(_("您无权对该办件执行此操作。"), code="forbidden")
        if application.state not in (S.DRAFT, S.SUBMITTED, S.ACCEPTED):
            raise CommitmentsError(_("办件已办结，无需补正。"), code="closed")
        with translation.override("zh-hans"):  # the stored notice is Chinese whatever the page language
            items = selectors.missing_items(application)
        if not items:
            raise CommitmentsError(_("材料已经齐全，无需出具一次性告知书。"), code="nothing_missing")
        due = workdays.deadline(timezone.localdate(), NOTICE_WORKDAYS)
        notice = OneTimeNotice.objects.create(
            application=application, number=next_number("GZ"), items=items, note=(note or "").strip(),
            due_date=due.date, deadline_provisional=due.provisional, issued_by=clerk,
        )
        workdays.track(notice, "due_date", due, people=[clerk.pk, application.applicant_user_id])
        _audit("notice.issued", application, clerk, application.state,
               summary=_("出具一次性告知书 %(number)s，需补正 %(n)s 项") % {"number": notice.number, "n": len(items)},
               request=request, notice=notice.number)
        with in_chinese():  # stored and sent later: Chinese, whatever the page's language
            notify(application.applicant_user or application.subject, "notice", _("请补正办件材料"), _("您的办件 %(n)s 还缺 %(k)s 项材料：%(items)s。请在%(d)s前补正（上传证明或签署告知承诺书），一次性告知书 %(g)s 可在办件页下载。") % {"n": application.number, "k": len(items), "items": "、".join(i["matter"] for i in items), "d": cn_date(notice.due_date), "g": notice.number}, ("commitments:application", application.pk), key=f"notice:{notice.pk}")
    return notice
