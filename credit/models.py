"""信用管理: dishonesty records and their severity policy, credit repair, objections, outbound push.

Every invariant that the database can hold is a constraint here; every status change is a
django-fsm transition declared on its model (services call them inside a transaction).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, TransitionNotAllowed, transition


class Severity(models.TextChoices):
    """失信程度 (national 2025 rules: 轻微 / 一般 / 严重; Xi'an adds 较重)."""

    MINOR = "minor", _("轻微")
    GENERAL = "general", _("一般")
    MAJOR = "major", _("较重")
    SERIOUS = "serious", _("严重")


SEVERITY_RANK = {Severity.MINOR: 1, Severity.GENERAL: 2, Severity.MAJOR: 3, Severity.SERIOUS: 4}


class SeverityPolicy(models.Model):
    """One row per grade: how long a record is published and what it sets off. Editable by credit officers.

    A record copies the policy when it is entered (or corrected): a later policy change does not
    reach back into decisions already made.
    """

    severity = models.CharField(_("失信程度"), max_length=10, choices=Severity.choices, unique=True)
    min_publicity_months = models.PositiveSmallIntegerField(_("最短公示期（月）"))
    default_publicity_months = models.PositiveSmallIntegerField(_("默认公示期（月）"))
    max_publicity_months = models.PositiveSmallIntegerField(_("最长公示期（月）"))
    bars_commitment = models.BooleanField(_("修复前不适用告知承诺制"), default=True)
    mandatory_onsite = models.BooleanField(_("核查须现场进行"), default=False)
    blacklists = models.BooleanField(_("列入虚假承诺黑名单"), default=False)
    min_months_before_repair = models.PositiveSmallIntegerField(_("可申请修复的最短期限（月）"), default=0)
    repair_cooldown_months = models.PositiveSmallIntegerField(
        _("两次修复最短间隔（月）"), default=12,
        help_text=_("主体在此期限内已有记录获准修复的，不予再次修复。"),
    )
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("失信分级规则")
        verbose_name_plural = _("失信分级规则")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_publicity_months__lte=models.F("default_publicity_months"))
                & Q(default_publicity_months__lte=models.F("max_publicity_months")),
                name="credit_policy_publicity_range_ordered",
            ),
            models.CheckConstraint(condition=Q(max_publicity_months__lte=60), name="credit_policy_publicity_at_most_5y"),
            models.CheckConstraint(
                condition=Q(severity__in=[s.value for s in Severity]), name="credit_policy_severity_valid"
            ),
        ]

    def __str__(self):
        return str(self.get_severity_display())

    @property
    def rank(self) -> int:
        return SEVERITY_RANK[self.severity]


class DishonestyRecord(ConcurrentTransitionMixin, models.Model):
    """失信记录 about one subject, resting on one decision."""

    class Kind(models.TextChoices):
        FALSE_COMMITMENT = "false_commitment", _("虚假承诺")
        OTHER = "other", _("其他失信行为")

    class Status(models.TextChoices):
        ACTIVE = "active", _("公示中")
        UNDER_OBJECTION = "under_objection", _("异议处理中")
        REPAIRED = "repaired", _("已信用修复")
        REVOKED = "revoked", _("已撤销")
        EXPIRED = "expired", _("公示期满")

    IN_EFFECT = (Status.ACTIVE, Status.UNDER_OBJECTION)

    subject = models.ForeignKey("portal.Subject", verbose_name=_("失信主体"), on_delete=models.PROTECT, related_name="dishonesty_records")
    kind = models.CharField(_("失信类型"), max_length=20, choices=Kind.choices)
    commitment_ref = models.CharField(_("承诺书编号"), max_length=64, blank=True)
    basis = models.CharField(_("认定依据"), max_length=300, blank=True)
    severity = models.CharField(_("失信程度"), max_length=10, choices=Severity.choices)
    decision_number = models.CharField(_("决定文号"), max_length=64)
    decision_date = models.DateField(_("决定日期"))
    deciding_agency = models.ForeignKey("portal.Agency", verbose_name=_("认定机关"), on_delete=models.PROTECT, related_name="+")
    facts = models.TextField(_("失信事实"))
    publicity_months = models.PositiveSmallIntegerField(_("公示期（月）"))
    publicity_end = models.DateField(_("公示截止日期"))
    repair_allowed_on = models.DateField(_("可申请修复日期"))
    bars_commitment = models.BooleanField(_("修复前不适用告知承诺制"))
    mandatory_onsite = models.BooleanField(_("核查须现场进行"))
    blacklisted = models.BooleanField(_("列入虚假承诺黑名单"))
    status = FSMField(_("状态"), max_length=20, choices=Status.choices, default=Status.ACTIVE, protected=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    ended_on = models.DateField(_("失效日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("失信记录")
        verbose_name_plural = _("失信记录")
        ordering = ["-decision_date", "-pk"]
        indexes = [models.Index(fields=["subject", "status"], name="credit_record_subject_status")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="false_commitment") | ~Q(commitment_ref=""),
                name="credit_record_false_commitment_has_ref",
            ),
            models.CheckConstraint(condition=~Q(kind="other") | ~Q(basis=""), name="credit_record_other_has_basis"),
            models.CheckConstraint(condition=~Q(decision_number=""), name="credit_record_has_decision_number"),
            models.CheckConstraint(condition=Q(publicity_end__gte=models.F("decision_date")), name="credit_record_end_after_decision"),
            models.CheckConstraint(
                condition=Q(repair_allowed_on__gte=models.F("decision_date")), name="credit_record_repair_after_decision"
            ),
            models.CheckConstraint(
                condition=Q(blacklisted=False) | Q(kind="false_commitment"), name="credit_record_blacklist_only_false_commitment"
            ),
            models.CheckConstraint(
                condition=Q(status__in=["active", "under_objection"], ended_on__isnull=True)
                | Q(status__in=["repaired", "revoked", "expired"], ended_on__isnull=False),
                name="credit_record_ended_iff_closed",
            ),
            models.UniqueConstraint(
                fields=["subject", "commitment_ref"], condition=Q(kind="false_commitment"),
                name="credit_record_one_per_false_commitment",
            ),
        ]

    def __str__(self):
        return f"{self.decision_number}（{self.get_severity_display()}）"

    @property
    def in_effect(self) -> bool:
        return self.status in self.IN_EFFECT

    @property
    def is_blacklist_entry(self) -> bool:
        return self.blacklisted and self.in_effect

    # --- transitions ------------------------------------------------------------------
    @transition(field=status, source=Status.ACTIVE, target=Status.UNDER_OBJECTION)
    def raise_objection(self):
        """The subject challenges the record: it shows "异议处理中" while handled."""

    @transition(field=status, source=Status.UNDER_OBJECTION, target=Status.ACTIVE)
    def maintain(self):
        """Objection handled: the record stands as it was."""

    @transition(field=status, source=Status.UNDER_OBJECTION, target=Status.ACTIVE)
    def correct(self):
        """Objection handled: the record stands, with corrected content (the service changes it)."""

    @transition(field=status, source=[Status.ACTIVE, Status.UNDER_OBJECTION], target=Status.REVOKED)
    def revoke(self, on):
        """The record was wrong: it loses every effect (and leaves the blacklist)."""
        self.ended_on = on

    # EXPIRED too: a false commitment whose publicity ended (before this rule) still bars until repaired.
    @transition(field=status, source=[Status.ACTIVE, Status.EXPIRED], target=Status.REPAIRED)
    def repair(self, on):
        """信用修复 approved: the record's effect ends; it stays in the file as history."""
        self.ended_on = on

    @transition(field=status, source=Status.ACTIVE, target=Status.EXPIRED)
    def expire(self, on):
        """公示期满: the record's effect ends by itself — only once ``on`` is after the period's last day."""
        if not self._period_over(on):
            raise TransitionNotAllowed("公示期尚未届满")
        self.ended_on = on

    def _period_over(self, today=None) -> bool:
        from django.utils import timezone

        return (today or timezone.localdate()) > self.publicity_end


def attachment_path(instance, filename):
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"credit/{uuid.uuid4().hex}.{ext}"


class SubjectRequest(ConcurrentTransitionMixin, models.Model):
    """What a repair request and an objection share: who asked, when, the working-day deadline and the decision."""

    applicant = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    due_on = models.DateField(_("办理期限"))
    # True while the date was counted across a year without a published holiday schedule (portal.workdays).
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False, editable=False)
    overdue = models.BooleanField(_("已超期"), default=False)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办理人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(_("办理时间"), null=True, blank=True)
    decision_reason = models.TextField(_("办理意见"), blank=True)

    class Meta:
        abstract = True
        ordering = ["due_on", "pk"]

    def _decide(self, by, at, reason):
        self.decided_by, self.decided_at, self.decision_reason = by, at, reason

    @staticmethod
    def decided_iff_closed(name):
        return models.CheckConstraint(
            condition=Q(status="submitted", decided_at__isnull=True) | (~Q(status="submitted") & Q(decided_at__isnull=False)),
            name=name,
        )


class CreditRepair(SubjectRequest):
    """信用修复 request: rectification done, repair commitment signed; an officer decides in working days."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待审核")
        APPROVED = "approved", _("已准予修复")
        REFUSED = "refused", _("不予修复")

    record = models.ForeignKey(DishonestyRecord, verbose_name=_("失信记录"), on_delete=models.PROTECT, related_name="repairs")
    rectification = models.TextField(_("整改情况"))
    commitment_text = models.TextField(_("信用修复承诺"))
    status = FSMField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, protected=True)

    class Meta(SubjectRequest.Meta):
        verbose_name = _("信用修复申请")
        verbose_name_plural = _("信用修复申请")
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(status="submitted"), name="credit_repair_one_open_per_record"),
            models.CheckConstraint(condition=~Q(status="refused") | ~Q(decision_reason=""), name="credit_repair_refusal_has_reason"),
            SubjectRequest.decided_iff_closed("credit_repair_decided_iff_closed"),
            models.CheckConstraint(condition=~Q(rectification="") & ~Q(commitment_text=""), name="credit_repair_has_content"),
        ]

    def __str__(self):
        return f"信用修复申请 #{self.pk}"

    @transition(field=status, source=Status.SUBMITTED, target=Status.APPROVED)
    def approve(self, by, at, reason=""):
        self._decide(by, at, reason)

    @transition(field=status, source=Status.SUBMITTED, target=Status.REFUSED)
    def refuse(self, by, at, reason):
        self._decide(by, at, reason)


class Objection(SubjectRequest):
    """异议: the subject challenges a record; outcome corrected / revoked / maintained within working days."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("处理中")
        CORRECTED = "corrected", _("已更正")
        REVOKED = "revoked", _("已撤销记录")
        MAINTAINED = "maintained", _("维持原记录")

    record = models.ForeignKey(DishonestyRecord, verbose_name=_("失信记录"), on_delete=models.PROTECT, related_name="objections")
    reasons = models.TextField(_("异议理由"))
    status = FSMField(_("状态"), max_length=20, choices=Status.choices, default=Status.SUBMITTED, protected=True)

    class Meta(SubjectRequest.Meta):
        verbose_name = _("异议")
        verbose_name_plural = _("异议")
        constraints = [
            models.UniqueConstraint(fields=["record"], condition=Q(status="submitted"), name="credit_objection_one_open_per_record"),
            models.CheckConstraint(condition=~Q(reasons=""), name="credit_objection_has_reasons"),
            models.CheckConstraint(
                condition=Q(status="submitted") | ~Q(decision_reason=""), name="credit_objection_decision_has_reason"
            ),
            SubjectRequest.decided_iff_closed("credit_objection_decided_iff_closed"),
        ]

    def __str__(self):
        return f"异议 #{self.pk}"

    @transition(field=status, source=Status.SUBMITTED, target=Status.CORRECTED)
    def mark_corrected(self, by, at, reason):
        self._decide(by, at, reason)

    @transition(field=status, source=Status.SUBMITTED, target=Status.REVOKED)
    def mark_revoked(self, by, at, reason):
        self._decide(by, at, reason)

    @transition(field=status, source=Status.SUBMITTED, target=Status.MAINTAINED)
    def mark_maintained(self, by, at, reason):
        self._decide(by, at, reason)


class Attachment(models.Model):
    """A file a subject uploaded: rectification proof (repair) or supporting evidence (objection)."""

    repair = models.ForeignKey(CreditRepair, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    objection = models.ForeignKey(Objection, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments")
    file = models.FileField(_("文件"), upload_to=attachment_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=50)
    size = models.PositiveIntegerField(_("大小（字节）"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(repair__isnull=False, objection__isnull=True) | Q(repair__isnull=True, objection__isnull=False),
                name="credit_attachment_exactly_one_owner",
            ),
            models.CheckConstraint(condition=Q(size__gt=0, size__lte=10 * 1024 * 1024), name="credit_attachment_size_limit"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]), name="credit_attachment_type_allowed"
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def record(self):
        return (self.repair or self.objection).record


class CommitmentOutcome(models.Model):
    """守诺 / 失诺: how a commitment ended, reported by the commitments and verification apps."""

    class Outcome(models.TextChoices):
        KEPT = "kept", _("守诺")
        BROKEN = "broken", _("失诺")

    subject = models.ForeignKey("portal.Subject", verbose_name=_("承诺人"), on_delete=models.PROTECT, related_name="commitment_outcomes")
    commitment_ref = models.CharField(_("承诺书编号"), max_length=64)
    outcome = models.CharField(_("履约情况"), max_length=10, choices=Outcome.choices)
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("承诺履约情况")
        verbose_name_plural = _("承诺履约情况")
        ordering = ["-recorded_at"]
        constraints = [
            models.UniqueConstraint(fields=["commitment_ref"], name="credit_outcome_one_per_commitment"),
            models.CheckConstraint(condition=Q(outcome__in=["kept", "broken"]), name="credit_outcome_valid"),
        ]

    def __str__(self):
        return f"{self.commitment_ref} {self.get_outcome_display()}"


class PushOutbox(models.Model):
    """One row per record change, to be delivered to the national credit information sharing platform.

    The row is written in the same transaction as the change, so nothing is lost when the
    endpoint or the broker is down; a beat task re-sends whatever is still pending.
    """

    class Event(models.TextChoices):
        CREATE = "create", _("新增")
        CORRECT = "correct", _("更正")
        REPAIR = "repair", _("信用修复")
        REVOKE = "revoke", _("撤销")
        EXPIRE = "expire", _("公示期满")

    class Status(models.TextChoices):
        PENDING = "pending", _("待推送")
        DELIVERED = "delivered", _("已送达")

    record = models.ForeignKey(DishonestyRecord, verbose_name=_("失信记录"), on_delete=models.PROTECT, related_name="pushes")
    event = models.CharField(_("变更类型"), max_length=10, choices=Event.choices)
    idempotency_key = models.UUIDField(_("幂等键"), default=uuid.uuid4, unique=True, editable=False)
    payload = models.JSONField(_("推送内容"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    last_attempt_at = models.DateTimeField(_("最近尝试时间"), null=True, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("信用信息推送")
        verbose_name_plural = _("信用信息推送")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="credit_outbox_pending_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="pending", delivered_at__isnull=True) | Q(status="delivered", delivered_at__isnull=False),
                name="credit_outbox_delivered_iff_time",
            ),
            models.CheckConstraint(condition=Q(status__in=["pending", "delivered"]), name="credit_outbox_status_valid"),
        ]

    def __str__(self):
        return f"{self.get_event_display()} {self.record_id} ({self.get_status_display()})"


class JointPunishmentCheck(models.Model):
    """One answer of the national platform's 联合惩戒 (joint punishment) list query, kept as the eligibility record.

    Written by ``credit.platform.joint_punishment_status``: listed, clear, or unavailable (with the error), and
    when. A commitment signed within ``CREDIT_PLATFORM_MAX_AGE`` seconds of a check relied on that answer.
    """

    class State(models.TextChoices):
        CLEAR = "clear", _("未列入联合惩戒名单")
        LISTED = "listed", _("已列入联合惩戒名单")
        UNAVAILABLE = "unavailable", _("平台无法查询")

    subject = models.ForeignKey("portal.Subject", verbose_name=_("主体"), on_delete=models.PROTECT,
                                related_name="joint_punishment_checks")
    state = models.CharField(_("查询结果"), max_length=12, choices=State.choices)
    lists = models.JSONField(_("所列名单"), default=list, blank=True)
    error = models.CharField(_("错误"), max_length=300, blank=True)
    checked_at = models.DateTimeField(_("查询时间"), db_index=True)

    class Meta:
        verbose_name = _("联合惩戒名单查询")
        verbose_name_plural = _("联合惩戒名单查询")
        ordering = ["-checked_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["clear", "listed", "unavailable"]),
                                   name="credit_jp_check_state_valid"),
        ]

    def __str__(self):
        return f"{self.subject_id} {self.get_state_display()} {self.checked_at:%Y-%m-%d %H:%M}"
