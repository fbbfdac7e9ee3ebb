"""协查函: asking another agency to confirm a fact, its reply or refusal, reminders and escalation."""


from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from commitments import api as commitments
from portal import roles, transitions, workdays

from .. import conf, selectors
from ..models import (
    AssistanceRequest,
    VerificationError,
    VerificationTask,
)
from ._common import REFUSALS, T, _audit, _cn, _evidence, _held, _today, log


def send_assistance(*, user, task_id, to_agency, question, request=None) -> AssistanceRequest:
    question = (question or "").strip()
    if not question:
        raise VerificationError(_("请写明需要协查确认的事项。"), field="question")
    with transaction.atomic():
        task = _held(user, task_id)
        if to_agency is None or to_agency.pk == task.agency_id:
            raise VerificationError(_("请选择本机关以外的协查机关。"), field="to_agency")
        before = task.state
        transitions.run(task, "await_assistance", user, actor=user, refusals=REFUSALS)
        due = workdays.deadline(_today(), conf.assistance_workdays())
        req = AssistanceRequest.objects.create(
            task=task, number=commitments.next_number("XC"), from_agency=task.agency, to_agency=to_agency,
            question=question, sent_by=user, due_date=due.date, deadline_provisional=due.provisional,
        )
        workdays.track(req, "due_date", due, people=[user.pk])
        _evidence(task, "assistance_sent", number=req.number, to=to_agency.name)
        _audit("assistance.sent", task, user, before, task.state, agency=task.agency, request=request,
               summary=_("向%(agency)s发出协查函 %(number)s") % {"agency": to_agency.name, "number": req.number},
               number=req.number, due=req.due_date.isoformat())
    return req


def _settle(req, user):
    task = VerificationTask.objects.select_for_update(of=("self",)).get(pk=req.task_id)
    _evidence(task, "assistance_" + req.state, number=req.number, answer=req.answer,
              text=req.reply_text or req.refusal_reason)
    pending = task.assistance_requests.filter(state=AssistanceRequest.State.PENDING).exists()
    if task.state == T.WAITING_ASSISTANCE and not pending:
        task.assistance_settled(user)
        task.save()


def _answer(user, request_id, method, *args):
    """Reply to or refuse a request of the user's inbox: the transition, the on-time stamp, the task settles."""
    closed = _("该协查函已经回复或拒绝。")
    req = selectors.inbox_answerable(user, request_id)
    req = AssistanceRequest.objects.select_for_update().get(pk=req.pk)
    if not can_proceed(getattr(req, method)):
        raise VerificationError(closed)
    getattr(req, method)(user, *args)
    req.answered_at = timezone.now()
    req.answered_on_time = _today() <= req.due_date
    try:
        req.save()
    except ConcurrentTransition:
        raise VerificationError(closed) from None
    _settle(req, user)
    return req


def reply_assistance(*, user, request_id, answer, text, request=None) -> AssistanceRequest:
    text = (text or "").strip()
    if answer not in AssistanceRequest.Answer.values:
        raise VerificationError(_("请选择协查结论。"), field="answer")
    if not text:
        raise VerificationError(_("请填写回复内容。"), field="text")
    with transaction.atomic():
        req = _answer(user, request_id, "reply", answer, text)
        _audit("assistance.answered", req, user, "pending", req.state, request=request,
               summary=req.get_answer_display(), on_time=req.answered_on_time)
    return req


def refuse_assistance(*, user, request_id, reason, request=None) -> AssistanceRequest:
    reason = (reason or "").strip()
    if not reason:
        raise VerificationError(_("拒绝协查须写明理由（被请求部门不得无故推诿或拒绝）。"), field="reason")
    with transaction.atomic():
        req = _answer(user, request_id, "refuse", reason)
        _audit("assistance.refused", req, user, "pending", req.state, request=request, summary=reason[:200])
    return req


def reply_letter_pdf(req) -> bytes:
    """协助回复函 (rendered through portal.pdf, the one PDF entry), sealed by the answering agency
    (raises ``portal.seals.SealError`` rather than hand out an unsealed reply)."""
    from portal import pdf

    return pdf.render_pdf("verification/assistance_reply_pdf.html", {
        "req": req, "today": _today(), "seal_reason": f"协助回复函 {req.number}"}, seal_by=req.to_agency)


def _staff_emails(agencies, role) -> list[str]:
    from portal.models import User

    return list(User.objects.filter(agency__in=agencies, groups__name=role, is_active=True).exclude(email="")
                .values_list("email", flat=True).distinct())


def remind_assistance(today=None) -> int:
    """Beat: remind the asked agency one working day before the deadline (once per request)."""
    today = today or _today()
    horizon = workdays.add_workdays(today, 1)
    done = 0
    for req in AssistanceRequest.objects.filter(state="pending", reminded_at__isnull=True, due_date__gte=today,
                                                due_date__lte=horizon).select_related("to_agency"):
        with transaction.atomic():
            if not AssistanceRequest.objects.filter(pk=req.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                continue
            _audit("assistance.reminded", req, None, agency=req.to_agency, summary=_("协查函即将到期提醒"))
            emails = _staff_emails([req.to_agency], roles.VERIFIER)
            transaction.on_commit(lambda r=req, e=emails: _mail(
                e, _("协查函 %(n)s 即将到期") % {"n": r.number},
                _("协查函 %(n)s 的回复期限为 %(d)s，请及时回复。") % {"n": r.number, "d": _cn(r.due_date)}))
        done += 1
    return done


def escalate_assistance(today=None) -> int:
    """Beat: requests past their deadline go to the supervisors above the asked agency (once per request)."""
    today = today or _today()
    done = 0
    for req in AssistanceRequest.objects.filter(state="pending", escalated_at__isnull=True,
                                                due_date__lt=today).select_related("to_agency"):
        with transaction.atomic():
            if not AssistanceRequest.objects.filter(pk=req.pk, escalated_at__isnull=True).update(
                    escalated_at=timezone.now()):
                continue
            _audit("assistance.escalated", req, None, agency=req.to_agency,
                   summary=_("协查函逾期未回复，已提请督办"))
            chain = []
            agency = req.to_agency
            while agency is not None:
                chain.append(agency)
                agency = agency.parent
            emails = _staff_emails(chain, roles.SUPERVISOR)
            transaction.on_commit(lambda r=req, e=emails: _mail(
                e, _("协查函 %(n)s 逾期未回复") % {"n": r.number},
                _("%(a)s 收到的协查函 %(n)s 已超过回复期限 %(d)s，请督办。")
                % {"a": r.to_agency.name, "n": r.number, "d": _cn(r.due_date)}))
        done += 1
    return done


def _mail(recipients, subject, body):
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:  # mail is a courtesy; the audit trail and the inbox carry the fact
        log.exception("verification mail failed")
