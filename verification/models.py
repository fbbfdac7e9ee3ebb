"""核查监管: plans by credit level, verification tasks, data checks, assistance requests, inspections, 双随机 spot checks.

* ``VerificationPolicy``: per credit level (A–D), how hard to check (sample ratio, always, on-site).
* ``VerificationPlan``: one per accepted application — the marker that makes planning idempotent.
* ``VerificationTask`` (核查任务): open → claimed → waiting_assistance → concluded (true | false | unverifiable).
* ``DataCheck``: one online data-sharing query and its answer (the evidence).
* ``DocumentReview`` (书面核查): the verifier's desk check of the written material submitted, with its finding.
* ``AssistanceRequest`` (协查函): pending → answered | refused, due in working days.
* ``Inspection`` / ``InspectionPhoto`` (现场核查): inspectors, findings and photos.
* ``SpotCheckPoolEntry`` / ``SpotCheckPlan`` / ``SpotCheckRun`` / ``SpotCheckItem`` (双随机、一公开).
* ``Disposition``: what follows a false commitment (terminate, rectify, revoke, penalty, referral).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from catalog.api import VerificationMethod
from portal import roles, scope
from portal.errors import Refused


class VerificationError(Refused):
    """A refused action; the message (Chinese) is shown beside the form field or as a page message."""


class CreditLevel(models.TextChoices):
    A = "A", _("A 级（守信）")
    B = "B", _("B 级（轻微失信）")
    C = "C", _("C 级（一般或较重失信）")
    D = "D", _("D 级（严重失信）")


class VerificationPolicy(models.Model):
    """核查强度: by the committer's credit level (editable by administrators)."""

    level = models.CharField(_("信用等级"), max_length=1, choices=CreditLevel.choices, unique=True)
    sample_percent = models.PositiveSmallIntegerField(
        _("核查比例（%）"), help_text=_("需核查事项中实际生成核查任务的比例；其余纳入双随机抽查库")
    )
    verify_exempt_matters = models.BooleanField(_("免核查事项也须核查"), default=False)
    force_on_site = models.BooleanField(_("一律现场核查"), default=False)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("核查强度策略")
        verbose_name_plural = _("核查强度策略")
        ordering = ["level"]
        constraints = [
            models.CheckConstraint(condition=Q(sample_percent__gte=0, sample_percent__lte=100),
                                   name="policy_sample_percent_range"),
            models.CheckConstraint(condition=Q(level__in=["A", "B", "C", "D"]), name="policy_level_valid"),
            # Whoever is checked on-site is always checked.
            models.CheckConstraint(condition=Q(force_on_site=False) | Q(sample_percent=100, verify_exempt_matters=True),
                                   name="policy_on_site_means_always"),
        ]

    def __str__(self):
        return str(self.get_level_display())


class VerificationPlan(models.Model):
    """核查计划: made once per accepted application (the unique row makes planning idempotent)."""

    application = models.OneToOneField("commitments.Application", on_delete=models.PROTECT, related_name="+")
    credit_level = models.CharField(_("信用等级"), max_length=1, choices=CreditLevel.choices)
    tasks_created = models.PositiveIntegerField(_("生成核查任务"), default=0)
    pooled = models.PositiveIntegerField(_("纳入抽查库"), default=0)
    planned_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("核查计划")
        verbose_name_plural = _("核查计划")

    def __str__(self):
        return f"{self.application_id}"


class TaskOrigin(models.TextChoices):
    PLAN = "plan", _("受理后核查")
    SPOT_CHECK = "spot_check", _("双随机抽查")
    RECTIFICATION = "rectification", _("整改复查")
    REPORT = "report", _("投诉举报核查")


class Result(models.TextChoices):
    TRUE = "true", _("承诺属实")
    FALSE = "false", _("承诺不实")
    UNVERIFIABLE = "unverifiable", _("无法核实")


# A task's result may also be 已撤回: set only when the applicant withdraws the commitment
# (verification/withdrawal.py), never chosen by a verifier, so it is not one of ``Result``'s choices.
TASK_WITHDRAWN = "withdrawn"
TASK_RESULTS = [*Result.choices, (TASK_WITHDRAWN, _("已撤回"))]


def can_work(task, user) -> bool:
    """A verifier of the task's own agency (``portal.scope``: case work); a task with user=None is the system."""
    if user is None:
        return True
    own = getattr(user, "agency", None)
    if not getattr(user, "is_authenticated", False) or own is None or not roles.has_role(user, roles.VERIFIER):
        return getattr(user, "is_superuser", False)
    return scope.handles_cases_of(user, task.agency_id)


def _holder(task, user) -> bool:
    return user is None or task.claimed_by_id == getattr(user, "pk", None) or getattr(user, "is_superuser", False)


class VerificationTask(ConcurrentTransitionMixin, models.Model):
    """核查任务: checking one requirement (usually a commitment) by one method before a due date."""

    class State(models.TextChoices):
        OPEN = "open", _("待认领")
        CLAIMED = "claimed", _("核查中")
        WAITING_ASSISTANCE = "waiting_assistance", _("等待协查回复")
        CONCLUDED = "concluded", _("已办结")

    ACTIVE_STATES = (State.CLAIMED, State.WAITING_ASSISTANCE)

    agency = models.ForeignKey("portal.Agency", verbose_name=_("核查机关"), on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("commitments.Application", verbose_name=_("办件"), on_delete=models.PROTECT,
                                    related_name="+")
    requirement = models.ForeignKey("commitments.Requirement", on_delete=models.PROTECT, related_name="+")
    commitment = models.ForeignKey("commitments.Commitment", verbose_name=_("告知承诺书"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("portal.Subject", verbose_name=_("承诺人"), on_delete=models.PROTECT, related_name="+")
    matter = models.ForeignKey("catalog.CertificationMatter", verbose_name=_("证明事项"), on_delete=models.PROTECT,
                               related_name="+")
    method = models.CharField(_("核查方式"), max_length=16, choices=VerificationMethod.choices)
    origin = models.CharField(_("来源"), max_length=16, choices=TaskOrigin.choices, default=TaskOrigin.PLAN)
    credit_level = models.CharField(_("信用等级"), max_length=1, choices=CreditLevel.choices, default="A")
    state = FSMField(_("状态"), default=State.OPEN, choices=State.choices, protected=True, max_length=20)
    result = models.CharField(_("核查结论"), max_length=12, choices=TASK_RESULTS, blank=True)
    due_date = models.DateField(_("核查期限"))
    # True while the date was counted across a year without a published holiday schedule (portal.workdays).
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False, editable=False)
    claimed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("核查人"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    concluded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("办结人"), null=True, blank=True,
                                     on_delete=models.PROTECT, related_name="+")
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    conclusion = models.TextField(_("核查情况"), blank=True)
    evidence = models.JSONField(_("核查依据"), default=list, blank=True)
    parent = models.ForeignKey("self", verbose_name=_("原核查任务"), null=True, blank=True, on_delete=models.PROTECT,
                               related_name="follow_ups")
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("核查任务")
        verbose_name_plural = _("核查任务")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["open", "claimed", "waiting_assistance", "concluded"]),
                                   name="task_state_valid"),
            models.CheckConstraint(condition=Q(method__in=[c.value for c in VerificationMethod])
                                   & ~Q(method="exempt"), name="task_method_valid"),
            models.CheckConstraint(condition=Q(origin__in=[c.value for c in TaskOrigin]), name="task_origin_valid"),
            # Concluded ⇔ a result, who and when.
            models.CheckConstraint(
                condition=(Q(state="concluded") & Q(result__in=["true", "false", "unverifiable", "withdrawn"])
                           & Q(concluded_at__isnull=False))
                | (~Q(state="concluded") & Q(result="")),
                name="task_concluded_has_result",
            ),
            # Someone holds a task that is being worked.
            models.CheckConstraint(
                condition=Q(state="open") | Q(claimed_by__isnull=False) | Q(state="concluded"),
                name="task_worked_has_holder",
            ),
            # One plan task per requirement; a follow-up always points at its original.
            models.UniqueConstraint(fields=["requirement"], condition=Q(origin="plan"), name="task_one_plan_per_requirement"),
            models.CheckConstraint(condition=~Q(origin="rectification") | Q(parent__isnull=False),
                                   name="task_rectification_has_parent"),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "due_date", "id"], name="task_queue_idx"),
            # 监督统计: tasks due in a period per agency, read from the index alone.
            models.Index(fields=["agency", "due_date", "state", "concluded_at"], name="task_agency_due_idx"),
            # A wide read (a superuser, a supervisor's figures) walks open tasks in due order
            # instead of sorting the whole open backlog.
            models.Index(fields=["due_date", "id"], condition=Q(state="open"), name="task_open_due_idx"),
            models.Index(fields=["claimed_by", "state"], name="task_holder_idx"),
            models.Index(fields=["subject", "origin"], name="task_subject_idx"),
        ]

    def __str__(self):
        return _("核查任务 %(pk)s") % {"pk": self.pk}

    @property
    def is_concluded(self) -> bool:
        return self.state == self.State.CONCLUDED

    # --- transitions (claiming itself is a conditional UPDATE in services.claim) -------------------
    @transition(field=state, source=State.OPEN, target=State.CLAIMED, permission=can_work)
    def claim(self, by):
        self.claimed_by = by

    @transition(field=state, source=State.CLAIMED, target=State.OPEN, permission=_holder)
    def release(self, by):
        self.claimed_by = None
        self.claimed_at = None

    @transition(field=state, source=[State.CLAIMED, State.WAITING_ASSISTANCE], target=State.WAITING_ASSISTANCE,
                permission=_holder)
    def await_assistance(self, by):
        pass

    @transition(field=state, source=State.WAITING_ASSISTANCE, target=State.CLAIMED)
    def assistance_settled(self, by=None):
        pass

    @transition(field=state, source=[State.CLAIMED, State.WAITING_ASSISTANCE], target=State.CONCLUDED,
                permission=_holder)
    def conclude(self, by, result, conclusion=""):
        self.result = result
        self.conclusion = conclusion
        self.concluded_by = by
        self.concluded_at = timezone.now()


class DataCheck(models.Model):
    """数据共享核查: one query to a data-sharing connector and its answer, kept as evidence."""

    class Outcome(models.TextChoices):
        FOUND = "found", _("查有记录")
        NOT_FOUND = "not_found", _("查无记录")
        FAILED = "failed", _("接口不可用")

    task = models.ForeignKey(VerificationTask, on_delete=models.PROTECT, related_name="data_checks")
    connector = models.CharField(_("数据来源"), max_length=32)
    outcome = models.CharField(_("查询结果"), max_length=10, choices=Outcome.choices)
    answer = models.JSONField(_("接口返回"), default=dict, blank=True)
    error = models.CharField(_("错误信息"), max_length=300, blank=True)
    elapsed_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    checked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    checked_at = models.DateTimeField(_("查询时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("数据共享核查记录")
        verbose_name_plural = _("数据共享核查记录")
        ordering = ["checked_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(outcome__in=["found", "not_found", "failed"]), name="datacheck_outcome_valid"),
            models.CheckConstraint(condition=~Q(outcome="failed") | ~Q(error=""), name="datacheck_failure_has_error"),
        ]

    def __str__(self):
        return f"{self.connector} {self.outcome}"


class AssistanceRequest(ConcurrentTransitionMixin, models.Model):
    """协查函: one agency asks another to confirm a fact it holds; the other must answer in time."""

    class State(models.TextChoices):
        PENDING = "pending", _("待回复")
        ANSWERED = "answered", _("已回复")
        REFUSED = "refused", _("已拒绝")

    class Answer(models.TextChoices):
        CONFIRMED = "confirmed", _("情况属实")
        DENIED = "denied", _("情况不属实")
        NO_RECORD = "no_record", _("无相关记录")

    task = models.ForeignKey(VerificationTask, on_delete=models.PROTECT, related_name="assistance_requests")
    number = models.CharField(_("协查函编号"), max_length=32, unique=True)
    from_agency = models.ForeignKey("portal.Agency", verbose_name=_("请求机关"), on_delete=models.PROTECT,
                                    related_name="+")
    to_agency = models.ForeignKey("portal.Agency", verbose_name=_("协查机关"), on_delete=models.PROTECT,
                                  related_name="+")
    question = models.TextField(_("协查事项"))
    state = FSMField(_("状态"), default=State.PENDING, choices=State.choices, protected=True, max_length=10)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("发函时间"), auto_now_add=True)
    due_date = models.DateField(_("回复期限"))
    # True while the date was counted across a year without a published holiday schedule (portal.workdays).
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False, editable=False)
    answer = models.CharField(_("协查结论"), max_length=10, choices=Answer.choices, blank=True)
    reply_text = models.TextField(_("回复内容"), blank=True)
    refusal_reason = models.TextField(_("拒绝理由"), blank=True)
    answered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    answered_at = models.DateTimeField(_("回复时间"), null=True, blank=True)
    answered_on_time = models.BooleanField(_("按时回复"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("协查函")
        verbose_name_plural = _("协查函")
        ordering = ["due_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_agency=F("to_agency")), name="assistance_other_agency"),
            models.CheckConstraint(condition=~Q(question=""), name="assistance_question_not_empty"),
            models.CheckConstraint(condition=Q(state__in=["pending", "answered", "refused"]),
                                   name="assistance_state_valid"),
            models.CheckConstraint(
                condition=Q(state="pending", answered_at__isnull=True)
                | Q(state="answered", answered_at__isnull=False, answer__in=["confirmed", "denied", "no_record"])
                | (Q(state="refused", answered_at__isnull=False) & ~Q(refusal_reason="")),
                name="assistance_closed_consistently",
            ),
        ]
        indexes = [models.Index(fields=["to_agency", "state", "due_date"], name="assistance_inbox_idx")]

    def __str__(self):
        return self.number

    @transition(field=state, source=State.PENDING, target=State.ANSWERED)
    def reply(self, by, answer, text):
        self.answer, self.reply_text, self.answered_by = answer, text, by

    @transition(field=state, source=State.PENDING, target=State.REFUSED)
    def refuse(self, by, reason):
        self.refusal_reason, self.answered_by = reason, by


class ReviewResult(models.TextChoices):
    """书面审查结论: the same three outcomes as a task's result, worded for what the documents show."""

    TRUE = "true", _("材料与承诺一致")
    FALSE = "false", _("材料与承诺不符")
    UNVERIFIABLE = "unverifiable", _("材料不足以判断")


class DocumentReview(models.Model):
    """书面核查: the verifier reads the written material the applicant submitted (the signed commitment,
    uploaded proofs, the application form) against what was promised, and records what was read and found."""

    task = models.ForeignKey(VerificationTask, on_delete=models.PROTECT, related_name="document_reviews")
    materials = models.TextField(_("审查的材料"))
    findings = models.TextField(_("审查情况"))
    result = models.CharField(_("审查结论"), max_length=12, choices=ReviewResult.choices)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("审查人"), on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(_("审查时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("书面核查记录")
        verbose_name_plural = _("书面核查记录")
        ordering = ["reviewed_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(materials="") & ~Q(findings=""), name="document_review_has_text"),
            models.CheckConstraint(condition=Q(result__in=["true", "false", "unverifiable"]),
                                   name="document_review_result_valid"),
        ]

    def __str__(self):
        return self.findings[:40]


class Inspection(models.Model):
    """现场核查: inspectors visit, record findings and photos; the task's verifier concludes."""

    class State(models.TextChoices):
        ASSIGNED = "assigned", _("待检查")
        DONE = "done", _("已检查")

    task = models.ForeignKey(VerificationTask, on_delete=models.PROTECT, related_name="inspections")
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("检查人员"), related_name="+")
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.ASSIGNED)
    planned_date = models.DateField(_("计划检查日期"))
    address = models.CharField(_("检查地点"), max_length=200, blank=True)
    findings = models.TextField(_("检查情况"), blank=True)
    finding_result = models.CharField(_("检查结论"), max_length=12, choices=Result.choices, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    recorded_at = models.DateTimeField(_("记录时间"), null=True, blank=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("现场核查")
        verbose_name_plural = _("现场核查")
        ordering = ["planned_date", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(state__in=["assigned", "done"]), name="inspection_state_valid"),
            models.CheckConstraint(
                condition=Q(state="assigned", recorded_at__isnull=True)
                | (Q(state="done", recorded_at__isnull=False) & ~Q(findings="") & ~Q(finding_result="")),
                name="inspection_done_has_findings",
            ),
        ]

    def __str__(self):
        return _("现场核查 %(pk)s") % {"pk": self.pk}


def _photo_path(instance, filename):
    return f"verification/photos/{uuid.uuid4().hex}{instance.extension}"


class InspectionPhoto(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.PROTECT, related_name="photos")
    file = models.FileField(_("照片"), upload_to=_photo_path)
    content_type = models.CharField(max_length=20)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("现场照片")
        verbose_name_plural = _("现场照片")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(content_type__in=["image/jpeg", "image/png"]), name="photo_type_allowed"),
            models.CheckConstraint(condition=Q(size__gte=1, size__lte=10 * 1024 * 1024), name="photo_size_limit"),
        ]

    def __str__(self):
        return f"{self.inspection_id}/{self.pk}"

    @property
    def extension(self) -> str:
        return ".png" if self.content_type == "image/png" else ".jpg"


class Disposition(models.Model):
    """不实承诺的处理: chosen when a task concludes "false", carried out in the same transaction."""

    task = models.OneToOneField(VerificationTask, on_delete=models.PROTECT, related_name="disposition")
    terminate = models.BooleanField(_("终止办理"), default=False)
    rectify = models.BooleanField(_("责令限期整改"), default=False)
    rectify_due = models.DateField(_("整改期限"), null=True, blank=True)
    # True while the date was counted across a year without a published holiday schedule (portal.workdays).
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False, editable=False)
    revoke = models.BooleanField(_("撤销行政决定"), default=False)
    penalty = models.BooleanField(_("予以行政处罚"), default=False)
    penalty_note = models.CharField(_("处罚内容"), max_length=200, blank=True)
    refer_judicial = models.BooleanField(_("移送司法机关"), default=False)
    severity = models.CharField(_("失信程度"), max_length=10)
    decision_number = models.CharField(_("认定文号"), max_length=60)
    # §二(五): every disposition names its legal basis (law and article) and the number of the document that
    # carries it (文书编号, unique per issuing agency); a referral also the receiving organ, date and number.
    agency = models.ForeignKey("portal.Agency", verbose_name=_("作出机关"), null=True, on_delete=models.PROTECT,
                               related_name="+")
    legal_basis = models.CharField(_("法律依据"), max_length=300, default="")
    document_number = models.CharField(_("文书编号"), max_length=60, default="")
    referral_organ = models.CharField(_("接收机关"), max_length=100, blank=True)
    referral_date = models.DateField(_("移送日期"), null=True, blank=True)
    referral_number = models.CharField(_("移送文号"), max_length=60, blank=True)
    # §三(一): a penalty chosen for a matter whose catalogue entry has no penalty basis (立法修改建议候选).
    legislative_candidate = models.BooleanField(_("立法修改建议候选"), default=False)
    credit_record_id = models.PositiveBigIntegerField(_("失信记录编号"), null=True, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("不实承诺处理")
        verbose_name_plural = _("不实承诺处理")
        constraints = [
            models.CheckConstraint(condition=Q(terminate=True) | Q(rectify=True) | Q(revoke=True) | Q(penalty=True)
                                   | Q(refer_judicial=True), name="disposition_chooses_something"),
            models.CheckConstraint(condition=Q(rectify=False) | Q(rectify_due__isnull=False),
                                   name="disposition_rectify_has_due"),
            models.CheckConstraint(condition=Q(penalty=False) | ~Q(penalty_note=""), name="disposition_penalty_noted"),
            models.CheckConstraint(condition=~(Q(terminate=True) & Q(revoke=True)),
                                   name="disposition_terminate_or_revoke"),
            models.CheckConstraint(condition=~Q(decision_number=""), name="disposition_has_decision_number"),
            models.UniqueConstraint(fields=["decision_number"], name="disposition_decision_number_unique"),
            models.CheckConstraint(condition=~Q(legal_basis="") & ~Q(document_number=""),
                                   name="disposition_has_basis_and_document"),
            models.UniqueConstraint(fields=["agency", "document_number"], name="disposition_document_unique_per_agency"),
            models.CheckConstraint(
                condition=Q(refer_judicial=False)
                | (~Q(referral_organ="") & Q(referral_date__isnull=False) & ~Q(referral_number="")),
                name="disposition_referral_recorded"),
            models.CheckConstraint(condition=Q(legislative_candidate=False) | Q(penalty=True),
                                   name="disposition_candidate_is_penalty"),
        ]
        indexes = [models.Index(fields=["legislative_candidate", "agency"], name="disposition_candidate_idx",
                                condition=Q(legislative_candidate=True))]

    def __str__(self):
        return self.decision_number


# --- 双随机、一公开 -----------------------------------------------------------------------------------


class SpotCheckPoolEntry(models.Model):
    """抽查库: an accepted requirement not verified case by case (commitment or proof path alike)."""

    class Path(models.TextChoices):
        COMMITMENT = "commitment", _("告知承诺")
        PROOF = "proof", _("提交证明")

    requirement = models.OneToOneField("commitments.Requirement", on_delete=models.PROTECT, related_name="+")
    application = models.ForeignKey("commitments.Application", on_delete=models.PROTECT, related_name="+")
    commitment = models.ForeignKey("commitments.Commitment", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+")
    subject = models.ForeignKey("portal.Subject", on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey("portal.Agency", on_delete=models.PROTECT, related_name="+")
    matter = models.ForeignKey("catalog.CertificationMatter", on_delete=models.PROTECT, related_name="+")
    matter_key = models.CharField(max_length=32)
    path = models.CharField(_("办理方式"), max_length=12, choices=Path.choices)
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("抽查库条目")
        verbose_name_plural = _("抽查库")
        constraints = [
            models.CheckConstraint(condition=Q(path="proof", commitment__isnull=True)
                                   | Q(path="commitment", commitment__isnull=False), name="pool_path_matches"),
        ]
        indexes = [models.Index(fields=["agency", "id"], name="pool_agency_idx")]

    def __str__(self):
        return f"{self.pk}"


class SpotCheckPlan(models.Model):
    """双随机抽查计划: scope, ratio, frequency and the inspector pool."""

    class Frequency(models.TextChoices):
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")

    name = models.CharField(_("计划名称"), max_length=100)
    owner = models.ForeignKey("portal.Agency", verbose_name=_("组织机关"), on_delete=models.PROTECT, related_name="+")
    agencies = models.ManyToManyField("portal.Agency", verbose_name=_("抽查范围（机关）"), related_name="+")
    matter_keys = models.JSONField(_("抽查范围（证明事项标识）"), default=list, blank=True,
                                   help_text=_("留空表示范围内机关的全部证明事项"))
    ratio_permille = models.PositiveIntegerField(_("抽查比例（‰）"), default=50)
    minimum = models.PositiveIntegerField(_("每期至少抽取"), default=1)
    frequency = models.CharField(_("频次"), max_length=10, choices=Frequency.choices, default=Frequency.MONTHLY)
    inspectors = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name=_("检查人员库"), related_name="+")
    inspectors_per_check = models.PositiveSmallIntegerField(_("每户检查人数"), default=2)
    due_workdays = models.PositiveSmallIntegerField(_("检查时限（工作日）"), default=15)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("双随机抽查计划")
        verbose_name_plural = _("双随机抽查计划")
        constraints = [
            models.CheckConstraint(condition=Q(inspectors_per_check__gte=2), name="plan_two_inspectors_at_least"),
            models.CheckConstraint(condition=Q(ratio_permille__gte=1, ratio_permille__lte=1000),
                                   name="plan_ratio_range"),
            models.CheckConstraint(condition=Q(frequency__in=["weekly", "monthly", "quarterly"]),
                                   name="plan_frequency_valid"),
        ]

    def __str__(self):
        return self.name


class SpotCheckRun(models.Model):
    """One period's draw of a plan — exactly once (unique plan + period), reproducible from its seed."""

    plan = models.ForeignKey(SpotCheckPlan, on_delete=models.PROTECT, related_name="runs")
    period = models.CharField(_("抽查期次"), max_length=10)
    seed = models.BigIntegerField(_("随机种子"))
    pool_max_id = models.BigIntegerField(_("抽查库截止编号"))
    pool_size = models.PositiveIntegerField(_("抽查库数量"))
    sample_size = models.PositiveIntegerField(_("抽取数量"))
    drawn_at = models.DateTimeField(_("抽取时间"), auto_now_add=True)
    published_at = models.DateTimeField(_("公开时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("双随机抽查批次")
        verbose_name_plural = _("双随机抽查批次")
        ordering = ["-drawn_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "period"], name="spotcheck_run_once_per_period"),
            models.CheckConstraint(condition=Q(sample_size__lte=F("pool_size")), name="spotcheck_sample_within_pool"),
        ]

    def __str__(self):
        return f"{self.plan.name} {self.period}"


class SpotCheckItem(models.Model):
    run = models.ForeignKey(SpotCheckRun, on_delete=models.PROTECT, related_name="items")
    entry = models.ForeignKey(SpotCheckPoolEntry, on_delete=models.PROTECT, related_name="+")
    task = models.OneToOneField(VerificationTask, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="spot_check_item")
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("抽查对象")
        verbose_name_plural = _("抽查对象")
        ordering = ["run", "pk"]
        constraints = [models.UniqueConstraint(fields=["run", "entry"], name="spotcheck_item_once_per_run")]

    def __str__(self):
        return f"{self.run_id}/{self.entry_id}"
