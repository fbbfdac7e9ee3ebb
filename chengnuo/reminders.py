"""期限提醒: tell citizens of their own deadlines that fall within the next two working days.

Composition (reads every app's models), run hourly by beat (``chengnuo.tasks.remind_deadlines``).
Each item is told once: the message key names the item and its date (``deadline:notice:<pk>:<due>``),
so a second beat, a rerun or an overlapping run writes nothing new, and a changed date is told anew.

The deadlines a citizen has in this portal:
- 补正期限 of a one-time notice (一次性告知书) while the application is open and items are still missing;
- 整改期限 of a rectification ordered after a false commitment (责令限期整改);
- 评价期限 of a replied complaint, consultation or report (a ticket not rated by then is closed unrated).
Repair and objection decisions have deadlines too, but they bind the credit officer, not the citizen
(``credit.services.flag_overdue`` flags them).
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from commitments import selectors as commitment_selectors
from commitments.models import Application, OneTimeNotice
from complaints.models import DeadlinePolicy, Ticket
from portal import workdays
from portal.models import Message
from portal.notifications import notify
from verification.models import Disposition

WORKDAYS_AHEAD = 2


def cn_date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def window(today=None) -> tuple[datetime.date, datetime.date]:
    """From today to the end of the second working day after it."""
    today = today or timezone.localdate()
    return today, workdays.add_workdays(today, WORKDAYS_AHEAD)


def _owner(application):
    return application.applicant_user or application.subject


def _notices(start, end) -> int:
    count = 0
    open_states = (Application.State.DRAFT, Application.State.SUBMITTED, Application.State.ACCEPTED)
    rows = (OneTimeNotice.objects.filter(due_date__range=(start, end), application__state__in=open_states)
            .select_related("application__applicant_user", "application__subject", "application__service"))
    for notice in rows:
        application = notice.application
        if not commitment_selectors.missing_items(application):
            continue  # supplemented already
        with transaction.atomic():
            count += len(notify(
                _owner(application), Message.Kind.DEADLINE, _("补正材料将于%(d)s到期") % {"d": cn_date(notice.due_date)},
                _("您的办件 %(n)s（%(s)s）按一次性告知书 %(g)s 需要补正材料，补正期限是%(d)s。"
                  "请在期限前上传或改为承诺，逾期未补正的，办理机关可能不予受理。")
                % {"n": application.number, "s": application.service.name, "g": notice.number,
                   "d": cn_date(notice.due_date)},
                reverse("commitments:application", args=[application.pk]),
                key=f"deadline:notice:{notice.pk}:{notice.due_date.isoformat()}",
            ))
    return count


def _rectifications(start, end) -> int:
    count = 0
    rows = (Disposition.objects.filter(rectify=True, rectify_due__range=(start, end))
            .select_related("task__application__applicant_user", "task__application__subject", "task__matter"))
    for disposition in rows:
        application = disposition.task.application
        with transaction.atomic():
            count += len(notify(
                _owner(application), Message.Kind.DEADLINE,
                _("整改期限将于%(d)s到期") % {"d": cn_date(disposition.rectify_due)},
                _("您的办件 %(n)s 中“%(m)s”的告知承诺经核查不实（认定文号 %(num)s），已责令限期整改，"
                  "整改期限是%(d)s。请按要求完成整改并向办理机关提交整改情况。")
                % {"n": application.number, "m": disposition.task.matter.name, "num": disposition.decision_number,
                   "d": cn_date(disposition.rectify_due)},
                reverse("commitments:application", args=[application.pk]),
                key=f"deadline:rectify:{disposition.pk}:{disposition.rectify_due.isoformat()}",
            ))
    return count


def _ratings(start, end) -> int:
    count = 0
    rating_days = {}
    rows = (Ticket.objects.filter(state=Ticket.State.REPLIED, requester__isnull=False, replied_at__isnull=False)
            .select_related("requester"))
    for ticket in rows:
        if ticket.kind not in rating_days:
            rating_days[ticket.kind] = DeadlinePolicy.for_kind(ticket.kind)[2]
        due = workdays.add_workdays(timezone.localtime(ticket.replied_at).date(), rating_days[ticket.kind])
        if not start <= due <= end:
            continue
        with transaction.atomic():
            count += len(notify(
                ticket.requester, Message.Kind.DEADLINE, _("请在%(d)s前评价答复") % {"d": cn_date(due)},
                _("您的%(k)s %(n)s 已经答复，请在%(d)s前对答复作出评价；不满意的可以要求重新办理。"
                  "到期未评价的，工单将自动办结。") % {"k": ticket.get_kind_display(), "n": ticket.number, "d": cn_date(due)},
                reverse("complaints:my_ticket", args=[ticket.number]),
                key=f"deadline:rating:{ticket.pk}:{due.isoformat()}",
            ))
    return count


def remind_due(today=None) -> int:
    """Write the reminders due now; returns how many messages were written (0 when all were told before)."""
    start, end = window(today)
    return _notices(start, end) + _rectifications(start, end) + _ratings(start, end)
