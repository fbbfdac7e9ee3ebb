"""Every write of the complaints desk: atomic, through the ticket's transitions, with an audit event each.

Idempotency: beat tasks re-read the state under a row lock and skip what is done; reminders and the
verification referral are claimed by a conditional UPDATE (only one caller sees ``1`` row changed).
"""

import logging
import secrets

from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commitments.api import CommitmentsError, sniff_upload
from portal import audit, roles, transitions, workdays
from portal.models import User
from portal.notifications import in_chinese, notify
from verification import api as verification

from . import references
from .models import (
    HANDLER_ROLES,
    MAX_CONTENT,
    MAX_REPLY,
    MAX_TITLE,
    Channel,
    ComplaintsError,
    DeadlinePolicy,
    Kind,
    Rating,
    Referral,
    Ticket,
    TicketAttachment,
    TicketCounter,
    Topic,
)

log = logging.getLogger(__name__)
S = Ticket.State
STALE = _("该工单的状态已经变化（可能已被他人处理），请刷新页面后重新操作。")
PREFIX = {Kind.CONSULTATION: "ZX", Kind.COMPLAINT: "TS", Kind.REPORT: "JB"}
_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
MAX_ATTACHMENTS = 5


# --- numbers, codes, deadlines -----------------------------------------------------------------
def next_number(kind: str) -> str:
    """``JB202610090007``: kind prefix, date, the day's sequence (one counter row per day, row-locked)."""
    today = timezone.localdate()
    with transaction.atomic():
        TicketCounter.objects.get_or_create(day=today)
        TicketCounter.objects.filter(day=today).update(value=F("value") + 1)
        value = TicketCounter.objects.values_list("value", flat=True).get(day=today)
    return f"{PREFIX[Kind(kind)]}{today:%Y%m%d}{value:04d}"


def new_lookup_code() -> str:
    return "".join(secrets.choice(_CODE_ALPHABET) for _i in range(8))


def hash_code(number: str, code: str) -> str:
    normalised = (code or "").strip().upper().replace(" ", "").replace("-", "")
    return salted_hmac("complaints.lookup-code", f"{number}:{normalised}").hexdigest()


def code_matches(ticket: Ticket, code: str) -> bool:
    return constant_time_compare(ticket.lookup_hash, hash_code(ticket.number, code))


def deadlines(kind: str, start) -> tuple:
    """(sign-for due date, reply due date) counted in working days from ``start``."""
    sign, reply = counted_deadlines(kind, start)
    return sign.date, reply.date


def counted_deadlines(kind: str, start) -> tuple:
    """``deadlines`` as ``workdays.Deadline`` values, which say whether each date is provisional (暂定)."""
    sign_days, reply_days, _rating = DeadlinePolicy.for_kind(kind)
    return workdays.deadline(start, sign_days), workdays.deadline(start, reply_days)


def _track_deadlines(ticket, sign, reply) -> None:
    people = [ticket.requester_id]
    workdays.track(ticket, "sign_due", sign, people=people, replaces=True)
    workdays.track(ticket, "reply_due", reply, people=people, replaces=True)


# --- helpers ------------------------------------------------------------------------------------
def _lock(ticket_pk) -> Ticket:
    return Ticket.objects.select_for_update(of=("self",)).select_related("agency").get(pk=ticket_pk)


def _check_expected(ticket, expected_state):
    if expected_state is not None and str(expected_state) != ticket.state:
        raise ComplaintsError(STALE, code="stale")


# Source state, then conditions, then permission (only for a person: ``actor=None`` is the system).
REFUSALS = transitions.Refusals(error=ComplaintsError, stale=STALE, forbidden=gettext_lazy("您无权对该工单执行此操作。"))


def _audit(action, ticket, actor, before, summary="", request=None, **data):
    audit.record(f"complaints.{action}", obj=ticket, actor=actor, agency=ticket.agency, from_state=before,
                 to_state=ticket.state, summary=summary, data=data, request=request)


def _clean_text(value: str, limit: int, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ComplaintsError(_("请填写%(label)s。") % {"label": label}, field=field, code="required")
    if len(value) > limit:
        raise ComplaintsError(_("%(label)s不能超过 %(n)s 个字。") % {"label": label, "n": limit}, field=field, code="too_long")
    return value


def sniff(upload, field="attachments") -> tuple[str, str]:
    """(content type, sha256): the same check as proof uploads (first bytes decide, at most 10 MB)."""
    try:
        return sniff_upload(upload, field=field)
    except CommitmentsError as exc:
        raise ComplaintsError(exc.message, field=field, code=exc.code) from None


def check_uploads(uploads, field="attachments") -> list:
    uploads = [u for u in (uploads or []) if u]
    if len(uploads) > MAX_ATTACHMENTS:
        raise ComplaintsError(_("最多上传 %(n)s 个附件。") % {"n": MAX_ATTACHMENTS}, field=field)
    return [(u, *sniff(u, field)) for u in uploads]


def _store(ticket, checked, part, user):
    for upload, content_type, digest in checked:
        attachment = TicketAttachment(
            ticket=ticket, part=part, original_name=(upload.name or "")[-200:], content_type=content_type,
            size=upload.size, sha256=digest, uploaded_by=user if getattr(user, "is_authenticated", False) else None,
        )
        upload.seek(0)
        attachment.file.save("upload", ContentFile(upload.read()), save=False)
        attachment.save()


def responsible_agency(*, about_agency=None, matter=None, application_number="", commitment_ref=""):
    """Where a ticket goes: the agency named, else the matter's requesting agency (索要单位), else the
    agency of the referenced application or commitment. ``None``: the 12345 desk decides."""
    if about_agency is not None:
        return about_agency
    if matter is not None:
        return matter.requesting_agency
    return references.agency_for(application_number=application_number, commitment_ref=commitment_ref)


# --- filing -------------------------------------------------------------------------------------
def file_ticket(
    *, kind, channel, title, content, topic=Topic.OTHER, requester=None, anonymous=False, contact_name="",
    contact_phone="", entered_by=None, about_agency=None, matter=None, application_number="", commitment_ref="",
    publish_consent=False, uploads=(), route_to=None, auto_route=True, request=None,
) -> tuple[Ticket, str]:
    """Create a ticket; return it and its lookup code (shown once, stored only as a keyed hash).

    ``route_to`` (12345 and window) assigns it at once; otherwise, when ``auto_route`` and the ticket
    names an agency or a catalogue matter, it goes to that agency; else it waits at the 12345 desk.
    """
    if kind not in Kind.values:
        raise ComplaintsError(_("请选择类型。"), field="kind", code="required")
    if topic not in Topic.values:
        raise ComplaintsError(_("请选择反映事项。"), field="topic", code="required")
    title = _clean_text(title, MAX_TITLE, "title", _("标题"))
    content = _clean_text(content, MAX_CONTENT, "content", _("内容"))
    if anonymous and kind != Kind.REPORT:
        raise ComplaintsError(_("只有举报可以匿名提交；咨询和投诉请登录后提交。"), field="kind")
    if channel == Channel.PORTAL and not anonymous and not getattr(requester, "is_authenticated", False):
        raise ComplaintsError(_("请登录后提交，或选择匿名举报。"))
    if channel != Channel.PORTAL and entered_by is None:
        raise ComplaintsError(_("热线和窗口工单须由工作人员录入。"))
    checked = check_uploads(uploads)
    code = new_lookup_code()
    with transaction.atomic():
        number = next_number(kind)
        dispatch_due = counted_deadlines(kind, timezone.localtime(timezone.now()).date())[0]
        ticket = Ticket(
            number=number, lookup_hash=hash_code(number, code), kind=kind, channel=channel, topic=topic,
            title=title, content=content, requester=None if anonymous else requester, anonymous=anonymous,
            contact_name=(contact_name or "").strip()[:50], contact_phone=(contact_phone or "").strip()[:20],
            entered_by=entered_by, about_agency=about_agency, matter=matter,
            matter_name=matter.name if matter is not None else "",
            application_number=(application_number or "").strip()[:32],
            commitment_ref=(commitment_ref or "").strip()[:32],
            publish_consent=bool(publish_consent) and kind == Kind.CONSULTATION,
            # Until routed, the sign-for deadline is the 12345 desk's deadline to dispatch it.
            sign_due=dispatch_due.date, deadline_provisional=dispatch_due.provisional,
        )
        ticket.save()
        workdays.track(ticket, "sign_due", dispatch_due, people=[ticket.requester_id])
        _store(ticket, checked, TicketAttachment.Part.REQUEST, entered_by or requester)
        actor = entered_by or requester
        _audit("filed", ticket, actor, "", _("%(channel)s受理%(kind)s") % {
            "channel": ticket.get_channel_display(), "kind": ticket.get_kind_display()}, request=request,
            channel=channel, kind=kind)
        target = route_to
        if target is None and auto_route:
            target = responsible_agency(about_agency=about_agency, matter=matter,
                                        application_number=application_number, commitment_ref=commitment_ref)
        if target is not None:
            _route(ticket, target, actor=entered_by, reason="", automatic=True, entered=route_to is not None,
                   request=request)
    return ticket, code


# --- routing, signing, replying ---------------------------------------------------------------------
def _route(ticket, agency, *, actor, reason, automatic=False, entered=False, request=None):
    before = ticket.state
    rerouting = before != S.RECEIVED
    now = timezone.now()
    sign, reply = counted_deadlines(ticket.kind, timezone.localtime(now).date())
    sign_due, reply_due = sign.date, reply.date
    previous = ticket.agency.name if ticket.agency_id else ""
    ticket.deadline_provisional = sign.provisional or reply.provisional
    # Routing at filing (automatic, or chosen by the staff who entered the call) needs no desk permission.
    transitions.run(ticket, "route", actor=None if automatic else actor, agency=agency, at=now, sign_due=sign_due,
                    reply_due=reply_due, refusals=REFUSALS)
    _track_deadlines(ticket, sign, reply)
    if entered:
        summary = _("录入时分派至%(agency)s") % {"agency": agency.name}
    elif automatic:
        summary = _("系统按反映的机关或证明事项分派至%(agency)s") % {"agency": agency.name}
    elif rerouting:
        summary = _("由%(old)s改派至%(agency)s：%(reason)s") % {"old": previous, "agency": agency.name, "reason": reason}
    else:
        summary = _("分派至%(agency)s") % {"agency": agency.name}
    _audit("rerouted" if rerouting else "routed", ticket, actor, before, summary, request=request,
           agency_id=agency.pk, reason=reason, sign_due=str(sign_due), reply_due=str(reply_due))
    if ticket.kind == Kind.REPORT and ticket.topic == Topic.FALSE_COMMITMENT:
        open_verification_for_report(ticket, actor=actor)


def route(*, actor, ticket_pk, agency, reason="", expected_state=None, request=None) -> Ticket:
    """分派 (from the desk) or 改派 with a reason."""
    with transaction.atomic():
        ticket = _lock(ticket_pk)
        _check_expected(ticket, expected_state)
        reason = (reason or "").strip()[:200]
        if ticket.state != S.RECEIVED:
            if not reason:
                raise ComplaintsError(_("改派须说明理由。"), field="reason")
            if agency.pk == ticket.agency_id:
                raise ComplaintsError(_("工单已在该机关办理，请选择其他机关。"), field="agency")
        _route(ticket, agency, actor=actor, reason=reason, request=request)
    return ticket


def sign_for(*, actor, ticket_pk, expected_state=None, request=None) -> Ticket:
    """签收: the handling agency takes the ticket on; on time if by the end of the sign-for due day."""
    with transaction.atomic():
        ticket = _lock(ticket_pk)
        _check_expected(ticket, expected_state)
        before = ticket.state
        now = timezone.now()
        on_time = ticket.sign_due is None or timezone.localtime(now).date() <= ticket.sign_due
        transitions.run(ticket, "sign_for", actor=actor, at=now, on_time=on_time, refusals=REFUSALS)
        _audit("signed", ticket, actor, before, _("%(agency)s签收") % {"agency": ticket.agency.name}, request=request)
    return ticket


def reply(*, actor, ticket_pk, text, publish=False, faq_question="", uploads=(), expected_state=None,
          request=None) -> Ticket:
    """答复. A consultation whose requester agreed may be published in the FAQ (without personal data)."""
    text = _clean_text(text, MAX_REPLY, "text", _("答复内容"))
    checked = check_uploads(uploads)
    with transaction.atomic():
        ticket = _lock(ticket_pk)
        _check_expected(ticket, expected_state)
        before = ticket.state
        now = timezone.now()
        on_time = ticket.reply_due is None or timezone.localtime(now).date() <= ticket.reply_due
        transitions.run(ticket, "answer", actor=actor, by=actor, text=text, at=now, on_time=on_time, refusals=REFUSALS)
        if publish and ticket.kind == Kind.CONSULTATION and ticket.publish_consent:
            question = _clean_text(faq_question or ticket.content, MAX_CONTENT, "faq_question", _("公开的问题表述"))
            Ticket.objects.filter(pk=ticket.pk).update(faq_published=True, faq_question=question)
            ticket.faq_published, ticket.faq_question = True, question
        _store(ticket, checked, TicketAttachment.Part.REPLY, actor)
        _audit("replied", ticket, actor, before, _("%(agency)s答复") % {"agency": ticket.agency.name},
               request=request, on_time=on_time, faq=ticket.faq_published)
        with in_chinese():  # stored and sent later: Chinese, whatever the page's language
            notify(ticket.requester, "complaint", _("您的%(k)s已答复") % {"k": ticket.get_kind_display()}, _("%(a)s已答复您的%(k)s %(n)s“%(t)s”。请查看答复并作出评价。") % {"a": ticket.agency.name, "k": ticket.get_kind_display(), "n": ticket.number, "t": ticket.title}, ("complaints:my_ticket", ticket.number), key=f"complaint:reply:{ticket.pk}:{ticket.reopen_count}")
    return ticket


def rate(*, ticket_pk, rating, comment="", actor=None, via_callback=False, expected_state=None,
         request=None) -> Ticket:
    """评价: satisfied → closed; not satisfied → reopened (once), the second time closed as not satisfied.

    ``via_callback``: a 12345 operator records the requester's rating from the call-back (回访).
    """
    if rating not in Rating.values:
        raise ComplaintsError(_("请选择满意或不满意。"), field="rating", code="required")
    comment = (comment or "").strip()
    if len(comment) > 200:
        raise ComplaintsError(_("评价意见不能超过 200 个字。"), field="comment", code="too_long")
    if rating == Rating.NOT_SATISFIED and not comment:
        raise ComplaintsError(_("请说明不满意的原因，便于重新办理。"), field="comment", code="required")
    with transaction.atomic():
        ticket = _lock(ticket_pk)
        _check_expected(ticket, expected_state)
        if via_callback and not roles.has_role(actor, roles.COMPLAINTS_OPERATOR):
            raise ComplaintsError(_("您无权对该工单执行此操作。"), code="forbidden")
        before = ticket.state
        now = timezone.now()
        who = _("（12345 回访录入）") if via_callback else ""
        if rating == Rating.NOT_SATISFIED and ticket.can_reopen() and ticket.state == S.REPLIED:
            sign, reply = counted_deadlines(ticket.kind, timezone.localtime(now).date())
            ticket.deadline_provisional = sign.provisional or reply.provisional
            transitions.run(ticket, "reopen", actor=None, at=now, comment=comment, sign_due=sign.date,
                            reply_due=reply.date, refusals=REFUSALS)
            _track_deadlines(ticket, sign, reply)
            _audit("reopened", ticket, actor, before, _("提交人不满意，重新办理") + who, request=request,
                   comment=comment)
        else:
            transitions.run(ticket, "close", actor=None, at=now, rating=rating, comment=comment, refusals=REFUSALS)
            label = Rating(rating).label
            _audit("rated", ticket, actor, before, _("提交人评价：%(r)s，工单办结") % {"r": label} + who,
                   request=request, rating=rating, comment=comment)
    return ticket


# --- item 4: a report of a false commitment opens a verification task --------------------------------
def open_verification_for_report(ticket, actor=None) -> str:
    """Refer a report of a suspected false commitment to verification; return the referral state.

    Claimed by a conditional UPDATE (``referral`` empty → pending), so calling it twice is harmless.
    If ``verification.services`` offers ``open_task_for_report(commitment, reason, ...)`` it is called
    and the task's id is kept; until then the referral stays *pending* on the ticket and in the audit
    trail, and the handling agency sees it on the ticket page.
    """
    if ticket.kind != Kind.REPORT:
        return ticket.referral
    claimed = Ticket.objects.filter(pk=ticket.pk, referral="").update(referral=Referral.PENDING)
    if not claimed:
        return Ticket.objects.values_list("referral", flat=True).get(pk=ticket.pk)
    ticket.referral = Referral.PENDING
    opener = _verification_opener()
    commitment = references.commitment_for(ticket.commitment_ref)
    if opener is not None and commitment is not None:
        task = opener(
            commitment, _("举报工单 %(n)s：%(t)s") % {"n": ticket.number, "t": ticket.title},
            source=f"complaints:{ticket.number}", actor=actor,
        )
        ref = str(getattr(task, "pk", task) or "")[:40]
        Ticket.objects.filter(pk=ticket.pk).update(referral=Referral.OPENED, referral_ref=ref)
        ticket.referral, ticket.referral_ref = Referral.OPENED, ref
        audit.record("complaints.verification_opened", obj=ticket, actor=actor, agency=ticket.agency,
                     summary=_("已据举报生成核查任务"), data={"task": ref, "commitment": ticket.commitment_ref})
    else:
        audit.record(
            "complaints.verification_pending", obj=ticket, actor=actor, agency=ticket.agency,
            summary=_("举报涉嫌虚假承诺，已登记转核查（待核查系统接收）"),
            data={"commitment": ticket.commitment_ref, "application": ticket.application_number,
                  "pending": True, "reason": "verification_unavailable" if opener is None else "commitment_unresolved"},
        )
    return ticket.referral


def _verification_opener():
    """The verification app's door for a report (a seam the tests replace to simulate it being down)."""
    return verification.open_task_for_report


# --- beat: reminders, escalation, auto-close -----------------------------------------------------------
def _handler_emails(agency_id) -> list[str]:
    return list(
        User.objects.filter(agency_id=agency_id, is_active=True, groups__name__in=HANDLER_ROLES)
        .exclude(email="").values_list("email", flat=True).distinct()
    )


def send_reminders(today=None) -> int:
    """Remind the handling agency on the day a sign-for or reply deadline falls; once per deadline."""
    today = today or timezone.localdate()
    due_today = Ticket.objects.filter(
        Q(state__in=Ticket.AWAITING_SIGN, sign_due=today)
        | Q(state=S.IN_PROGRESS, reply_due=today)
    ).exclude(reminded_for=today).values_list("pk", "number", "agency_id", "title")
    sent = 0
    for pk, number, agency_id, title in due_today:
        with transaction.atomic():
            if not Ticket.objects.filter(pk=pk).exclude(reminded_for=today).update(reminded_for=today):
                continue  # another run got there first
            ticket = Ticket.objects.select_related("agency").get(pk=pk)
            audit.record("complaints.reminded", obj=ticket, agency=ticket.agency,
                         summary=_("办理期限今日届满，已提醒承办机关"), data={"due": str(today)})
            emails = _handler_emails(agency_id)
            if emails:
                transaction.on_commit(lambda e=emails, n=number, t=title: send_mail(
                    _("【承诺通】工单 %(n)s 今日到期") % {"n": n}, _("工单 %(n)s“%(t)s”的办理期限为今日，请及时处理。") % {
                        "n": n, "t": t}, None, e, fail_silently=True))
            sent += 1
    return sent


def escalate_overdue(today=None) -> int:
    """Escalate (督办) every open ticket whose current deadline is past; the supervisor sees it."""
    today = today or timezone.localdate()
    overdue = Ticket.objects.filter(
        Q(state=S.RECEIVED, sign_due__lt=today)
        | Q(state__in=Ticket.AWAITING_SIGN, sign_due__lt=today)
        | Q(state=S.IN_PROGRESS, reply_due__lt=today)
    ).values_list("pk", flat=True)
    count = 0
    for pk in overdue:
        with transaction.atomic():
            ticket = _lock(pk)
            if ticket.state not in (S.RECEIVED, S.ASSIGNED, S.REOPENED, S.IN_PROGRESS):
                continue
            before = ticket.state
            late_sign = ticket.signed_at is None and ticket.sign_due is not None and ticket.sign_due < today
            late_reply = ticket.reply_due is not None and ticket.reply_due < today
            if not (late_sign or late_reply):
                continue
            if before == S.RECEIVED:
                reason = _("超过分派期限未分派")
            elif late_sign:
                reason = _("超过签收期限未签收")
            else:
                reason = _("超过答复期限未答复")
            transitions.run(ticket, "escalate", actor=None, at=timezone.now(), reason=reason,
                            late_sign=late_sign and before != S.RECEIVED, late_reply=late_reply, refusals=REFUSALS)
            _audit("escalated", ticket, None, before, _("%(reason)s，已提交监督人员督办") % {"reason": reason},
                   reason=reason)
            count += 1
    return count


def close_unrated(today=None) -> int:
    """Close replied tickets whose requester did not rate within the rating period (rating stays empty)."""
    today = today or timezone.localdate()
    count = 0
    for pk, kind, replied_at in Ticket.objects.filter(state=S.REPLIED).values_list("pk", "kind", "replied_at"):
        _sign, _reply, rating_days = DeadlinePolicy.for_kind(kind)
        if workdays.add_workdays(timezone.localtime(replied_at).date(), rating_days) >= today:
            continue
        with transaction.atomic():
            ticket = _lock(pk)
            if ticket.state != S.REPLIED:
                continue
            transitions.run(ticket, "close", actor=None, at=timezone.now(), refusals=REFUSALS)
            _audit("auto_closed", ticket, None, S.REPLIED, _("评价期限届满未评价，工单自动办结"))
            count += 1
    return count


def create_reply_template(*, agency, kind, title, body) -> None:
    """Demo/admin helper: one reply template (idempotent by agency and title)."""
    from .models import ReplyTemplate

    try:
        with transaction.atomic():
            ReplyTemplate.objects.get_or_create(agency=agency, title=title, defaults={"kind": kind, "body": body})
    except IntegrityError:  # pragma: no cover - concurrent seed
        pass


# --- §三 the 市行政审批服务局: window service standards and one-time notice templates ------------------------
@transaction.atomic
def publish_standard(*, actor, kind, title, body, request=None):
    """Publish a window service standard or a one-time notice template (窗口服务标准 / 一次性告知模板)."""
    from .models import ServiceStandard

    if actor.agency_id is None:
        raise ComplaintsError(_("您的账号未关联机关，不能制定窗口服务标准。"))
    if ServiceStandard.objects.filter(agency_id=actor.agency_id, kind=kind, title=title.strip()).exists():
        raise ComplaintsError(_("本机关已有同名的%(kind)s。") % {"kind": ServiceStandard.Kind(kind).label}, code="duplicate_standard")
    standard = ServiceStandard.objects.create(kind=kind, title=title.strip(), body=body.strip(),
                                              agency_id=actor.agency_id, author=actor)
    audit.record("complaints.standard_published", obj=standard, actor=actor, agency=actor.agency,
                 summary=standard.title, request=request)
    return standard


@transaction.atomic
def retire_standard(*, actor, pk, request=None):
    """Withdraw one of the own agency's standards (kept for the record, no longer shown to windows)."""
    from .models import ServiceStandard

    if not ServiceStandard.objects.filter(pk=pk, agency_id=actor.agency_id, is_active=True).update(is_active=False):
        raise ComplaintsError(_("该标准不存在或已停用。"))
    standard = ServiceStandard.objects.get(pk=pk)
    audit.record("complaints.standard_retired", obj=standard, actor=actor, agency=actor.agency,
                 summary=standard.title, request=request)
    return standard
