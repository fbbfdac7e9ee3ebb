"""Every write of the credit app, and the answers other apps ask for (eligibility, level).

Each write runs in ``transaction.atomic``, moves a django-fsm transition (whose saving is a
conditional ``UPDATE … WHERE status = old``), appends an AuditEvent and, for record changes,
writes a PushOutbox row whose delivery is queued with ``transaction.on_commit``.
Refusals are ``CreditError`` (a ``portal.errors.Refused``) with the reason in Chinese.
"""

import datetime
import logging
from dataclasses import dataclass, field

from dateutil.relativedelta import relativedelta
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import can_proceed

from portal import audit, transitions, workdays
from portal.errors import Refused
from portal.models import Subject
from portal.notifications import in_chinese, notify

from . import conf, files, platform, push, selectors
from .models import (
    SEVERITY_RANK,
    Attachment,
    CommitmentOutcome,
    CreditRepair,
    DishonestyRecord,
    Objection,
    PushOutbox,
    Severity,
    SeverityPolicy,
)

log = logging.getLogger(__name__)
Status = DishonestyRecord.Status

# Defaults per DOMAIN.md §二(六): 轻微 ≤ 3 months, 一般 3–12 months, 严重 1–3 years (较重 in between).
DEFAULT_POLICIES = {
    Severity.MINOR: dict(min_publicity_months=0, default_publicity_months=3, max_publicity_months=3, bars_commitment=True,
                         mandatory_onsite=False, blacklists=False, min_months_before_repair=0, repair_cooldown_months=12),
    Severity.GENERAL: dict(min_publicity_months=3, default_publicity_months=6, max_publicity_months=12, bars_commitment=True,
                           mandatory_onsite=True, blacklists=False, min_months_before_repair=3, repair_cooldown_months=12),
    Severity.MAJOR: dict(min_publicity_months=6, default_publicity_months=12, max_publicity_months=24, bars_commitment=True,
                         mandatory_onsite=True, blacklists=False, min_months_before_repair=6, repair_cooldown_months=12),
    Severity.SERIOUS: dict(min_publicity_months=12, default_publicity_months=36, max_publicity_months=36, bars_commitment=True,
                           mandatory_onsite=True, blacklists=True, min_months_before_repair=12, repair_cooldown_months=12),
}

REPAIR_COMMITMENT = (
    "本人（本单位）承诺：已按要求完成整改，所提交的整改材料真实、有效；修复后将诚信守诺，"
    "如再次作出虚假承诺或提供虚假材料，自愿承担相应法律责任，并接受撤销信用修复的处理。"
)


class CreditError(Refused):
    """A refusal with its reason in Chinese (``field`` names the form field it belongs beside)."""


def cn_date(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _today():
    return timezone.localdate()


# --- answers other apps ask for ------------------------------------------------------------
@dataclass(frozen=True)
class Bar:
    """One reason a subject may not commit (失信约束): the record, the reason in Chinese and what to do next."""

    reason: str
    record: object = None
    can_repair: bool = False
    repair_from: datetime.date | None = None
    repair_workdays: int = 0
    can_object: bool = False
    objection_workdays: int = 0
    lapses_on: datetime.date | None = None

    @property
    def record_pk(self):
        return getattr(self.record, "pk", None)

    @property
    def repair_open(self) -> bool:
        """Repair may be applied for today (the form would refuse an earlier application)."""
        return self.can_repair and (self.repair_from is None or self.repair_from <= timezone.localdate())


@dataclass(frozen=True)
class Eligibility:
    """Whether a subject may use the commitment system (告知承诺制适用对象), and every bar in the way."""

    allowed: bool
    reasons: tuple[str, ...] = ()
    level: str = "A"
    mandatory_onsite: bool = False
    matter_name: str = ""
    records: tuple = field(default=(), repr=False)
    bars: tuple[Bar, ...] = field(default=(), repr=False)

    def __bool__(self):
        return self.allowed


def _in_effect(subject, today=None):
    today = today or _today()
    return list(
        selectors.records_in_effect(subject).filter(publicity_end__gte=today).select_related("deciding_agency").order_by("pk")
    )


def lapses_by_time(record) -> bool:
    """Whether the record's bar ends with its period: never for a false commitment (only 信用修复 lifts it, §二(二)),
    nor for a record whose grade sets no period (0 months would otherwise bar for a single day)."""
    return record.kind != DishonestyRecord.Kind.FALSE_COMMITMENT and record.publicity_months > 0


def _barring(subject, today):
    """Every record that bars commitment today: any record in effect inside its period, and any false commitment
    or period-less record not yet repaired or revoked (even once its publicity has ended)."""
    qs = DishonestyRecord.objects.filter(subject=subject).select_related("deciding_agency").order_by("pk")
    out = []
    for r in qs:
        if r.status in (Status.REPAIRED, Status.REVOKED):
            continue
        if lapses_by_time(r) and (r.status == Status.EXPIRED or r.publicity_end < today):
            continue
        out.append(r)
    return out


def _bar_for(record, today) -> Bar:
    args = {"number": record.decision_number, "agency": record.deciding_agency.name,
            "severity": record.get_severity_display()}
    if record.kind == DishonestyRecord.Kind.FALSE_COMMITMENT:
        reason = _("存在虚假承诺失信记录（%(number)s，%(agency)s认定，%(severity)s），在信用修复前不适用告知承诺制。") % args
    else:
        reason = _("存在%(severity)s失信记录（%(number)s，%(agency)s认定），在信用修复前不适用告知承诺制。") % args
    if record.blacklisted and record.publicity_end >= today and record.status in DishonestyRecord.IN_EFFECT:
        reason += _("已列入虚假承诺黑名单，公示至%(end)s。") % {"end": cn_date(record.publicity_end)}
    lapses = record.publicity_end if lapses_by_time(record) else None
    if lapses:
        reason += _("该记录公示期至%(end)s，期满后不再限制。") % {"end": cn_date(lapses)}
    if record.status == Status.UNDER_OBJECTION:
        reason += _("异议正在处理中。")
    return Bar(
        reason=reason, record=record,
        can_repair=record.status in (Status.ACTIVE, Status.EXPIRED), repair_from=record.repair_allowed_on,
        repair_workdays=conf.repair_workdays(), can_object=record.status == Status.ACTIVE,
        objection_workdays=conf.objection_workdays(), lapses_on=lapses,
    )


# Further checks (e.g. the national joint-punishment list) register here: each is
# ``check(subject, matter, today) -> iterable of Bar`` and its bars refuse commitment like a local record.
EXTRA_CHECKS: list = []


def _level_of(records) -> str:
    if not records:
        return "A"
    if any(r.blacklisted or r.severity == Severity.SERIOUS for r in records):
        return "D"
    if any(SEVERITY_RANK[r.severity] >= SEVERITY_RANK[Severity.GENERAL] for r in records):
        return "C"
    return "B"


LEVEL_LABELS = {"A": gettext_lazy("A 级（守信）"), "B": gettext_lazy("B 级（有轻微失信记录）"),
                "C": gettext_lazy("C 级（有一般或较重失信记录）"), "D": gettext_lazy("D 级（严重失信或列入黑名单）")}


def credit_level(subject, today=None) -> str:
    """A good; B minor records; C general or 较重; D serious or blacklisted. Only records in effect count."""
    return _level_of(_in_effect(subject, today))


def eligibility(subject, matter=None, today=None) -> Eligibility:
    """May ``subject`` commit (for ``matter``, any object with an optional ``name``)? The plan's one rule (§二(二)):
    any dishonesty record in effect, or any false commitment not yet repaired, bars every matter."""
    today = today or _today()
    barring = _barring(subject, today)
    bars = [_bar_for(r, today) for r in barring]
    # §二(六) 联合惩戒 (national platform, docs/rules.md): a bar without a local record.
    bars.extend(Bar(reason=r) for r in platform.joint_punishment_reasons(subject))
    for check in EXTRA_CHECKS:
        bars.extend(check(subject, matter, today))
    in_effect = [r for r in barring if r.status in DishonestyRecord.IN_EFFECT and r.publicity_end >= today]
    return Eligibility(
        allowed=not bars, reasons=tuple(b.reason for b in bars), level=_level_of(in_effect),
        mandatory_onsite=any(r.mandatory_onsite for r in barring),
        matter_name=str(getattr(matter, "name", "") or ""), records=tuple(barring), bars=tuple(bars),
    )


# --- policies and records ---------------------------------------------------------------------
def policy_for(severity: str) -> SeverityPolicy:
    existing = SeverityPolicy.objects.filter(severity=severity).first()
    if existing is None:
        existing, _created = SeverityPolicy.objects.get_or_create(severity=severity, defaults=DEFAULT_POLICIES[severity])
    return existing


def _apply_policy(record: DishonestyRecord, months: int | None):
    policy = policy_for(record.severity)
    if months is None:
        months = policy.default_publicity_months
    if not policy.min_publicity_months <= months <= policy.max_publicity_months:
        raise CreditError(
            _("%(severity)s失信的公示期应在 %(low)s 至 %(high)s 个月之间。")
            % {"severity": policy.get_severity_display(), "low": policy.min_publicity_months, "high": policy.max_publicity_months},
            field="publicity_months",
        )
    record.publicity_months = months
    record.publicity_end = record.decision_date + relativedelta(months=months)
    record.repair_allowed_on = record.decision_date + relativedelta(months=policy.min_months_before_repair)
    # §二(二): every dishonesty record bars commitment until repaired (or lapsed); the policy cannot relax it.
    record.bars_commitment = True
    record.mandatory_onsite = policy.mandatory_onsite
    record.blacklisted = policy.blacklists and record.kind == DishonestyRecord.Kind.FALSE_COMMITMENT


def ensure_subject(kind: str, name: str, number: str) -> Subject:
    """The subject with this identifier, created (validated) if the portal does not know it yet."""
    existing = selectors.find_subject(kind, number)
    if existing is not None:
        return existing
    subject = Subject(kind=kind, name=name, id_number=number)
    subject.clean()
    subject.save()
    return subject


@transaction.atomic
def enter_record(*, subject, kind, severity, decision_number, decision_date, deciding_agency, facts,
                 basis="", commitment_ref="", publicity_months=None, actor=None, request=None) -> DishonestyRecord:
    """A credit officer (or another app) enters a dishonesty record; the policy sets its period and effects."""
    if decision_date > _today():
        raise CreditError(_("决定日期不能晚于今天。"), field="decision_date", code="future_date")
    record = DishonestyRecord(
        subject=subject, kind=kind, severity=severity, decision_number=decision_number.strip(),
        decision_date=decision_date, deciding_agency=deciding_agency, facts=facts, basis=basis,
        commitment_ref=commitment_ref, entered_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _apply_policy(record, publicity_months)
    record.save()
    audit.record("credit.record.created", obj=record, actor=actor, agency=deciding_agency, to_state=record.status,
                 summary=_("录入%(severity)s失信记录 %(number)s") % {"severity": record.get_severity_display(), "number": record.decision_number},
                 data={"kind": kind, "severity": severity, "blacklisted": record.blacklisted}, request=request)
    with in_chinese():  # stored and sent later: Chinese, whatever the page's language
        notify(subject, "credit", _("您有一条新的失信记录"), _("%(a)s作出失信认定（%(n)s），程度为%(sev)s，公示至%(end)s；公示期间%(bar)s。如认为有误，可以在“我的信用”中提出异议；符合条件的，可以申请信用修复。") % {"a": deciding_agency.name, "n": record.decision_number, "sev": record.get_severity_display(), "end": cn_date(record.publicity_end), "bar": _("不能以告知承诺方式办理") if record.bars_commitment else _("仍可以告知承诺方式办理")}, ("credit:my_record", record.pk), key=f"credit:record:{record.pk}")
    _queue_push(record, PushOutbox.Event.CREATE)
    return record


def _attr(obj, name, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def record_false_commitment(subject, commitment_ref, severity, decision, actor=None) -> DishonestyRecord:
    """Record a false commitment found by verification; idempotent per (subject, commitment_ref).

    ``decision`` is a mapping or object with ``number``, ``date``, ``agency`` (an Agency) and ``facts``.
    """
    existing = DishonestyRecord.objects.filter(
        subject=subject, kind=DishonestyRecord.Kind.FALSE_COMMITMENT, commitment_ref=str(commitment_ref)
    ).first()
    if existing is not None:
        return existing
    # The one route from a false finding to the integrity file: the broken commitment (失诺) is noted here too.
    record_commitment_outcome(subject, commitment_ref, kept=False)
    try:
        with transaction.atomic():
            return enter_record(
                subject=subject, kind=DishonestyRecord.Kind.FALSE_COMMITMENT, severity=severity,
                decision_number=str(_attr(decision, "number")), decision_date=_attr(decision, "date") or _today(),
                deciding_agency=_attr(decision, "agency"), facts=str(_attr(decision, "facts", "")) or _("经核查，承诺内容与事实不符。"),
                basis=str(_attr(decision, "basis", "") or ""), commitment_ref=str(commitment_ref), actor=actor,
            )
    except IntegrityError:
        return DishonestyRecord.objects.get(
            subject=subject, kind=DishonestyRecord.Kind.FALSE_COMMITMENT, commitment_ref=str(commitment_ref)
        )


def record_commitment_outcome(subject, commitment_ref, kept: bool) -> CommitmentOutcome:
    """Note in the integrity file that a commitment was kept (守诺) or broken (失诺). Idempotent per commitment."""
    outcome = CommitmentOutcome.Outcome.KEPT if kept else CommitmentOutcome.Outcome.BROKEN
    with transaction.atomic():
        row, created = CommitmentOutcome.objects.get_or_create(
            commitment_ref=str(commitment_ref), defaults={"subject": subject, "outcome": outcome}
        )
        if created:
            audit.record("credit.commitment.outcome", obj=row, to_state=outcome, summary=str(commitment_ref))
    return row


def _lock(model, pk):
    return model.objects.select_for_update().get(pk=pk)


# A step refused (its state changed meanwhile) reads "the state has changed"; no step here has a permission.
REFUSALS = transitions.Refusals(error=CreditError)


@transaction.atomic
def revoke_record(record, *, officer, reason, request=None) -> DishonestyRecord:
    """The decision behind a record was annulled: revoke it (objections are handled in ``decide_objection``)."""
    record = _lock(DishonestyRecord, record.pk)
    if record.status == Status.UNDER_OBJECTION:
        raise CreditError(_("该记录正在异议处理中，请在异议处理中作出撤销决定。"), code="under_objection")
    before = record.status
    transitions.run(record, "revoke", on=_today(), refusals=REFUSALS)
    audit.record("credit.record.revoked", obj=record, actor=officer, from_state=before, to_state=record.status,
                 summary=reason[:300], request=request)
    with in_chinese():  # stored and sent later: Chinese, whatever the page's language
        notify(record.subject, "credit", _("失信记录已撤销"), _("失信记录 %(n)s 已撤销，不再产生影响。理由：%(r)s") % {"n": record.decision_number, "r": reason}, ("credit:my_record", record.pk), key=f"credit:revoked:{record.pk}")
    _queue_push(record, PushOutbox.Event.REVOKE)
    return record


def expire_records(today=None) -> int:
    """公示期满: end every active record whose period is over. Idempotent; returns how many ended."""
    today = today or _today()
    done = 0
    # A false commitment (and a period-less record) stays in effect after its publicity: only repair lifts its bar.
    due = (DishonestyRecord.objects.filter(status=Status.ACTIVE, publicity_end__lt=today, publicity_months__gt=0)
           .exclude(kind=DishonestyRecord.Kind.FALSE_COMMITMENT))
    for pk in list(due.values_list("pk", flat=True)):
        with transaction.atomic():
            record = _lock(DishonestyRecord, pk)
            if record.status != Status.ACTIVE or not record._period_over(today) or not lapses_by_time(record):
                continue
            record.expire(on=today)
            record.save()
            audit.record("credit.record.expired", obj=record, from_state=Status.ACTIVE, to_state=record.status,
                         summary=_("公示期满，记录自动失效"))
            _queue_push(record, PushOutbox.Event.EXPIRE)
            done += 1
    return done


# --- repair -------------------------------------------------------------------------------------------
def _save_attachments(uploads, **owner):
    for upload in uploads:
        content_type = files.check_upload(upload)
        Attachment.objects.create(file=upload, original_name=upload.name[:200], content_type=content_type,
                                  size=upload.size, **owner)


def repair_refusal(record, today=None) -> str | None:
    """Why ``record`` cannot be repaired now (Chinese), or None if the subject may apply."""
    today = today or _today()
    if record.status == Status.UNDER_OBJECTION:
        return _("该记录正在异议处理中，异议处理完毕后方可申请信用修复。")
    if record.status != Status.ACTIVE and not (record.status == Status.EXPIRED and not lapses_by_time(record)):
        return _("该记录已不再产生影响（%(status)s），无需申请信用修复。") % {"status": record.get_status_display()}
    if today < record.repair_allowed_on:
        return _("按%(severity)s失信的规定，须自%(date)s起方可申请信用修复。") % {
            "severity": record.get_severity_display(), "date": cn_date(record.repair_allowed_on)}
    if record.repairs.filter(status=CreditRepair.Status.SUBMITTED).exists():
        return _("该记录已有待审核的信用修复申请，请等待审核结果。")
    cooldown = policy_for(record.severity).repair_cooldown_months
    if cooldown:
        since = timezone.now() - relativedelta(months=cooldown)
        last = (CreditRepair.objects.filter(record__subject_id=record.subject_id, status=CreditRepair.Status.APPROVED,
                                            decided_at__gte=since).order_by("-decided_at").first())
        if last is not None:
            last_day = timezone.localtime(last.decided_at).date()
            return _("您已于%(date)s获准信用修复，%(months)s个月内不得再次申请（%(next)s起可申请）。") % {
                "date": cn_date(last_day), "months": cooldown, "next": cn_date(last_day + relativedelta(months=cooldown))}
    return None


@transaction.atomic
def apply_for_repair(*, record, applicant, rectification, uploads, request=None) -> CreditRepair:
    record = _lock(DishonestyRecord, record.pk)
    if record.subject_id != applicant.subject_id:
        raise CreditError(_("只能为本人（本单位）的失信记录申请信用修复。"), code="not_own_record")
    reason = repair_refusal(record)
    if reason:
        raise CreditError(reason, code="repair_not_allowed")
    if not uploads:
        raise CreditError(_("请上传整改证明材料。"), field="proof", code="required")
    today = _today()
    due = workdays.deadline(today, conf.repair_workdays())
    repair = CreditRepair.objects.create(
        record=record, applicant=applicant, rectification=rectification, commitment_text=REPAIR_COMMITMENT,
        due_on=due.date, deadline_provisional=due.provisional,
    )
    workdays.track(repair, "due_on", due, people=[applicant.pk])
    _save_attachments(uploads, repair=repair)
    audit.record("credit.repair.submitted", obj=repair, actor=applicant, to_state=repair.status,
                 summary=_("申请修复 %(number)s") % {"number": record.decision_number}, request=request)
    audit.record("credit.record.repair_requested", obj=record, actor=applicant, summary=_("收到信用修复申请"), request=request)
    return repair


@transaction.atomic
def decide_repair(repair, *, officer, approve: bool, reason="", request=None) -> CreditRepair:
    repair = _lock(CreditRepair, repair.pk)
    record = _lock(DishonestyRecord, repair.record_id)
    now = timezone.now()
    if approve:
        if record.status != Status.ACTIVE:
            raise CreditError(_("该记录当前为“%(status)s”，不能准予修复。") % {"status": record.get_status_display()})
        transitions.run(repair, "approve", officer, now, reason, refusals=REFUSALS)
        transitions.run(record, "repair", on=_today(), refusals=REFUSALS)
        audit.record("credit.record.repaired", obj=record, actor=officer, from_state=Status.ACTIVE, to_state=record.status,
                     summary=_("信用修复获准，记录不再产生影响"), request=request)
        _queue_push(record, PushOutbox.Event.REPAIR)
    else:
        if not reason.strip():
            raise CreditError(_("不予修复须写明理由。"), field="reason", code="reason_required")
        transitions.run(repair, "refuse", officer, now, reason, refusals=REFUSALS)
    audit.record("credit.repair.decided", obj=repair, actor=officer, from_state=CreditRepair.Status.SUBMITTED,
                 to_state=repair.status, summary=reason[:300], request=request)
    with in_chinese():  # stored and sent later: Chinese, whatever the page's language
        notify(record.subject, "credit", _("信用修复申请有结果了"), (_("您对失信记录 %(n)s 的信用修复申请已获准，该记录不再产生影响。") if approve else _("您对失信记录 %(n)s 的信用修复申请未获准。理由：%(r)s")) % {"n": record.decision_number, "r": reason}, ("credit:my_record", record.pk), key=f"credit:repair:{repair.pk}")
    return repair


# --- objections ------------------------------------------------------------------------------------
@transaction.atomic
def raise_objection(*, record, applicant, reasons, uploads=(), request=None) -> Objection:
    record = _lock(DishonestyRecord, record.pk)
    if record.subject_id != applicant.subject_id:
        raise CreditError(_("只能对本人（本单位）的失信记录提出异议。"), code="not_own_record")
    if record.status == Status.UNDER_OBJECTION:
        raise CreditError(_("该记录已有正在处理的异议，请等待处理结果。"), code="objection_pending")
    if record.status != Status.ACTIVE:
        raise CreditError(_("该记录已不再产生影响（%(status)s），无需提出异议。") % {"status": record.get_status_display()}, code="no_longer_effective")
    if record.repairs.filter(status=CreditRepair.Status.SUBMITTED).exists():
        raise CreditError(_("该记录有待审核的信用修复申请，请在修复审核完毕后再提出异议。"), code="repair_pending")
    transitions.run(record, "raise_objection", refusals=REFUSALS)
    due = workdays.deadline(_today(), conf.objection_workdays())
    objection = Objection.objects.create(
        record=record, applicant=applicant, reasons=reasons, due_on=due.date, deadline_provisional=due.provisional,
    )
    workdays.track(objection, "due_on", due, people=[applicant.pk])
    _save_attachments(uploads, objection=objection)
    audit.record("credit.objection.submitted", obj=objection, actor=applicant, to_state=objection.status, request=request)
    audit.record("credit.record.objection", obj=record, actor=applicant, from_state=Status.ACTIVE, to_state=record.status,
                 summary=_("申请人提出异议"), request=request)
    return objection


OUTCOMES = ("maintained", "corrected", "revoked")


@transaction.atomic
def decide_objection(objection, *, officer, outcome, reason, severity=None, facts=None, publicity_months=None,
                     request=None) -> Objection:
    """维持 / 更正 / 撤销 an objected record. Correction re-applies the severity policy to the new grade."""
    if outcome not in OUTCOMES:
        raise CreditError(_("请选择处理结果。"), field="outcome", code="required")
    if not reason.strip():
        raise CreditError(_("请写明处理意见。"), field="reason", code="required")
    objection = _lock(Objection, objection.pk)
    record = _lock(DishonestyRecord, objection.record_id)
    now, before = timezone.now(), record.status
    if outcome == "maintained":
        transitions.run(objection, "mark_maintained", officer, now, reason, refusals=REFUSALS)
        transitions.run(record, "maintain", refusals=REFUSALS)
        event = None
    elif outcome == "revoked":
        transitions.run(objection, "mark_revoked", officer, now, reason, refusals=REFUSALS)
        transitions.run(record, "revoke", on=_today(), refusals=REFUSALS)
        event = PushOutbox.Event.REVOKE
    else:
        transitions.run(objection, "mark_corrected", officer, now, reason, refusals=REFUSALS)
        transitions.run(record, "correct", refusals=REFUSALS)
        changes = {}
        if severity and severity != record.severity:
            changes["severity"] = [record.severity, severity]
            record.severity = severity
        if facts and facts.strip() and facts != record.facts:
            changes["facts"] = True
            record.facts = facts
        _apply_policy(record, publicity_months)
        event = PushOutbox.Event.CORRECT
    record.save()  # a correction's new grade and facts (the row is locked: no one else changes it)
    audit.record("credit.objection.decided", obj=objection, actor=officer, from_state=Objection.Status.SUBMITTED,
                 to_state=objection.status, summary=reason[:300], request=request)
    audit.record("credit.record.objection_decided", obj=record, actor=officer, from_state=before, to_state=record.status,
                 summary=objection.get_status_display(), data=changes if outcome == "corrected" else {}, request=request)
    with in_chinese():  # stored and sent later: Chinese, whatever the page's language
        notify(record.subject, "credit", _("异议处理有结果了"), _("您对失信记录 %(n)s 提出的异议已处理：%(o)s。处理意见：%(r)s") % {"n": record.decision_number, "o": objection.get_status_display(), "r": reason}, ("credit:my_record", record.pk), key=f"credit:objection:{objection.pk}")
    if event:
        _queue_push(record, event)
    return objection


# --- deadlines, policies, look-ups -------------------------------------------------------------------
def flag_overdue(today=None) -> int:
    """Mark repair requests and objections past their working-day deadline. Idempotent."""
    today = today or _today()
    flagged = 0
    for model, label in ((CreditRepair, _("信用修复申请已超过办理期限")), (Objection, _("异议已超过办理期限"))):
        with transaction.atomic():
            ids = list(model.objects.filter(status="submitted", overdue=False, due_on__lt=today).values_list("pk", flat=True))
            for pk in ids:
                if model.objects.filter(pk=pk, status="submitted", overdue=False).update(overdue=True):
                    audit.record("credit.overdue", obj=model(pk=pk), summary=label)
                    flagged += 1
    return flagged


@transaction.atomic
def update_policy(policy, *, actor, request=None, **values) -> SeverityPolicy:
    policy = _lock(SeverityPolicy, policy.pk)
    changes = {k: [getattr(policy, k), v] for k, v in values.items() if getattr(policy, k) != v}
    for key, value in values.items():
        setattr(policy, key, value)
    policy.save()
    audit.record("credit.policy.updated", obj=policy, actor=actor, summary=_("修改%(s)s失信分级规则") % {"s": policy.get_severity_display()},
                 data={k: [str(a), str(b)] for k, (a, b) in changes.items()}, request=request)
    return policy


def record_lookup(*, actor, subject, purpose, query_masked="", request=None):
    """Audit one staff look-up of a subject's credit (file view or joint-restriction check)."""
    audit.record(f"credit.{purpose}", obj=subject, actor=actor,
                 summary=(_("查询 %(m)s") % {"m": query_masked or getattr(subject, "id_masked", "")})[:300],
                 data={"found": subject is not None}, request=request)


# --- outbound push -------------------------------------------------------------------------------------
def _queue_push(record, event) -> PushOutbox:
    row = PushOutbox.objects.create(record=record, event=event, payload=push.snapshot(record, event))
    transaction.on_commit(lambda: push.enqueue(row.pk))
    return row


def retry_push_now(*, actor, request=None) -> int:
    """A credit officer asks to re-send every pending push now (clears the back-off wait)."""
    with transaction.atomic():
        ids = list(PushOutbox.objects.filter(status=PushOutbox.Status.PENDING).values_list("pk", flat=True))
        PushOutbox.objects.filter(pk__in=ids, status=PushOutbox.Status.PENDING).update(next_attempt_at=None)
        audit.record("credit.push.retry", actor=actor, summary=_("手动重新推送 %(n)s 条") % {"n": len(ids)}, request=request)
    for pk in ids:
        push.enqueue(pk)
    return len(ids)


def can_repair(record) -> bool:
    return can_proceed(record.repair) and repair_refusal(record) is None
