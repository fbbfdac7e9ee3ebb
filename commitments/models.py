"""办件与告知承诺书: applications, their certification-matter requirements, signed commitments, proofs, notices.

* ``Application`` (办件): one application for one administrative service by one subject.
  draft → submitted → accepted → approved | denied; any open state → withdrawn;
  submitted/accepted → terminated (false commitment found before the decision);
  approved → revoked (after the decision).
* ``Requirement``: one certification matter the service needs, and how the applicant meets it
  (commit or submit the proof). Withdrawing a commitment turns it into "proof required".
* ``Commitment`` (告知承诺书): the signed notification + commitment for one matter, with an
  immutable snapshot of the exact text, catalogue version, signer, time, letter number and hash.
  signed → withdrawn | verified | found_false | exempted.
* ``ProofDocument``: an uploaded proof (PDF/JPG/PNG by content), stored privately.
* ``OneTimeNotice`` (一次性告知书): everything missing, listed at once.
* ``Counter``: race-safe sequential numbers (application and letter numbers).
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from catalog.api import decision_words
from portal import roles, scope
from portal.errors import Refused


class CommitmentsError(Refused):
    """A refused action; the message (Chinese) is shown beside the form or as a page message."""


class Counter(models.Model):
    """One sequence per scope (e.g. ``application-2026``); incremented under a row lock."""

    scope = models.CharField(max_length=40, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("编号计数器")
        verbose_name_plural = _("编号计数器")

    def __str__(self):
        return f"{self.scope}={self.value}"


# --- transition permissions ---------------------------------------------------------------------


def _is_owner(application, user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if application.applicant_user_id and application.applicant_user_id == user.pk:
        return True
    return bool(user.subject_id) and user.subject_id == application.subject_id and roles.has_role(user, roles.APPLICANT)


def in_agency_scope(agency, user) -> bool:
    """Whether ``user`` works the cases of ``agency``: its own agency only (``portal.scope``, case work)."""
    return scope.handles_cases_of(user, agency)


def _is_desk_clerk(application, user) -> bool:
    """A window clerk of the handling agency."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "agency_id", None):
        return False
    if not roles.has_role(user, roles.WINDOW_CLERK):
        return False
    return in_agency_scope(application.agency, user)


def _is_case_staff(application, user) -> bool:
    """Staff of the handling agency who may end a case after a false commitment (clerk, verifier)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "agency_id", None):
        return False
    if not roles.has_role(user, roles.WINDOW_CLERK, roles.VERIFIER, roles.INSPECTOR):
        return False
    return in_agency_scope(application.agency, user)


def _owner_or_clerk(application, user) -> bool:
    return _is_owner(application, user) or _is_desk_clerk(application, user)


def _system_or_staff(application, user) -> bool:
    # Verification calls these transitions with ``user=None`` (a task) or a staff member.
    return user is None or _is_case_staff(application, user) or getattr(user, "is_superuser", False)


class Application(ConcurrentTransitionMixin, models.Model):
    """办件: one application for one administrative service."""

    class State(models.TextChoices):
        DRAFT = "draft", _("填写中")
        SUBMITTED = "submitted", _("已提交")
        ACCEPTED = "accepted", _("已受理")
        # Shown through ``state_label``: the wording depends on the service kind (catalog.models.decision_words).
        APPROVED = "approved", _("已作出准予决定（已办结）")
        DENIED = "denied", _("已作出不予决定（已办结）")
        WITHDRAWN = "withdrawn", _("已撤回")
        TERMINATED = "terminated", _("已终止办理")
        REVOKED = "revoked", _("决定已撤销")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上申请")
        WINDOW = "window", _("窗口受理")

    OPEN_STATES = (State.DRAFT, State.SUBMITTED, State.ACCEPTED)
    CONCLUDED_STATES = (State.APPROVED, State.DENIED, State.WITHDRAWN, State.TERMINATED, State.REVOKED)
    EDITABLE_STATES = (State.DRAFT, State.SUBMITTED, State.ACCEPTED)

    number = models.CharField(_("办件编号"), max_length=32, unique=True)
    client_token = models.UUIDField(_("提交标识"), default=uuid.uuid4, editable=False)
    service = models.ForeignKey(
        "catalog.AdministrativeService", verbose_name=_("办理事项"), on_delete=models.PROTECT, related_name="+"
    )
    agency = models.ForeignKey("portal.Agency", verbose_name=_("办理机关"), on_delete=models.PROTECT, related_name="+")
    subject = models.ForeignKey("portal.Subject", verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+")
    applicant_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("网上申请账号"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("窗口经办人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    guardian_name = models.CharField(_("监护人姓名"), max_length=50, blank=True)
    guardian_relation = models.CharField(_("与申请人关系"), max_length=20, blank=True)
    channel = models.CharField(_("申请渠道"), max_length=10, choices=Channel.choices)
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True, max_length=12)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    concluded_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    due_date = models.DateField(_("承诺办结日期"), null=True, blank=True)
    # True while the date was counted across a year without a published holiday schedule (portal.workdays).
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False, editable=False)
    decision_number = models.CharField(_("决定文号"), max_length=60, blank=True)
    reason = models.TextField(_("理由"), blank=True)

    class Meta:
        verbose_name = _("办件")
        verbose_name_plural = _("办件")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["subject", "client_token"], name="application_unique_client_token"),
            models.CheckConstraint(condition=~Q(number=""), name="application_number_not_empty"),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "accepted", "approved", "denied", "withdrawn",
                                       "terminated", "revoked"]),
                name="application_state_valid",
            ),
            models.CheckConstraint(condition=Q(channel__in=["online", "window"]), name="application_channel_valid"),
            # Online: filed by an account; window: filed by a clerk.
            models.CheckConstraint(
                condition=Q(channel="online", applicant_user__isnull=False)
                | Q(channel="window", filed_by__isnull=False),
                name="application_filed_by_someone",
            ),
            # A guardian is recorded with the relationship, or not at all.
            models.CheckConstraint(
                condition=Q(guardian_name="", guardian_relation="") | (~Q(guardian_name="") & ~Q(guardian_relation="")),
                name="application_guardian_with_relation",
            ),
            # A draft withdrawn before it was ever submitted keeps no submission time.
            models.CheckConstraint(
                condition=Q(state__in=["draft", "withdrawn"]) | Q(submitted_at__isnull=False),
                name="application_submitted_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["accepted", "approved"]) | Q(accepted_at__isnull=False),
                name="application_accepted_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["approved", "revoked"]) | ~Q(decision_number=""),
                name="application_approved_has_decision_number",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["denied", "withdrawn", "terminated", "revoked"]) | ~Q(reason=""),
                name="application_closed_with_reason",
            ),
            models.CheckConstraint(
                condition=Q(state__in=["draft", "submitted", "accepted"]) | Q(concluded_at__isnull=False),
                name="application_concluded_stamped",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "-created_at"], name="application_agency_state_idx"),
            models.Index(fields=["agency", "submitted_at"], name="application_agency_sub_idx"),
            models.Index(fields=["subject", "-created_at"], name="application_subject_idx"),
            # the desk's list (every state, newest first): without it PostgreSQL sorted all of an
            # agency's applications for each page (0.67 s at 1M, tests/bench/test_scale_bench.py)
            models.Index(fields=["agency", "-created_at", "-id"], name="application_agency_recent_idx"),
        ]

    def __str__(self):
        return self.number

    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def decision_words(self) -> tuple[str, str]:
        """(准予, 不予) wording for this application's service kind — what the desk buttons and pages print."""
        return decision_words(self.service.kind)

    @property
    def state_label(self) -> str:
        """The state as citizens and staff read it: a decision in the words of its service kind."""
        if self.state == self.State.APPROVED:
            return _("%(d)s（已办结）") % {"d": self.decision_words[0]}
        if self.state == self.State.DENIED:
            return _("%(d)s（已办结）") % {"d": self.decision_words[1]}
        return str(self.get_state_display())

    @property
    def is_editable(self) -> bool:
        return self.state in self.EDITABLE_STATES

    def missing_requirements(self) -> list:
        """Requirements not yet met (uses prefetched ``requirements`` when present)."""
        return [r for r in self.requirements.all() if not r.is_met]

    def _complete(self) -> bool:
        reqs = list(self.requirements.all())
        return bool(reqs) and all(r.is_met for r in reqs)

    def _has_requirements(self) -> bool:
        return self.requirements.exists()

    # --- transitions -----------------------------------------------------------------------
    @transition(field=state, source=State.DRAFT, target=State.SUBMITTED, conditions=[_has_requirements],
                permission=_owner_or_clerk)
    def submit(self, by=None):
        self.submitted_at = timezone.now()

    @transition(field=state, source=State.SUBMITTED, target=State.ACCEPTED, conditions=[_complete],
                permission=_is_desk_clerk)
    def accept(self, by=None, due_date=None):
        self.accepted_at = timezone.now()
        self.due_date = due_date

    @transition(field=state, source=State.ACCEPTED, target=State.APPROVED, conditions=[_complete],
                permission=_is_desk_clerk)
    def approve(self, by=None, decision_number=""):
        self.decision_number = decision_number
        self.concluded_at = timezone.now()

    @transition(field=state, source=[State.SUBMITTED, State.ACCEPTED], target=State.DENIED, permission=_is_desk_clerk)
    def deny(self, by=None, reason=""):
        self.reason = reason
        self.concluded_at = timezone.now()

    @transition(field=state, source=[State.DRAFT, State.SUBMITTED, State.ACCEPTED], target=State.WITHDRAWN,
                permission=_is_owner)
    def withdraw(self, by=None, reason=""):
        self.reason = reason
        self.concluded_at = timezone.now()

    @transition(field=state, source=[State.SUBMITTED, State.ACCEPTED], target=State.TERMINATED,
                permission=_system_or_staff)
    def terminate(self, by=None, reason=""):
        self.reason = reason
        self.concluded_at = timezone.now()

    @transition(field=state, source=State.APPROVED, target=State.REVOKED, permission=_system_or_staff)
    def revoke(self, by=None, reason=""):
        self.reason = reason
        self.concluded_at = timezone.now()


class Requirement(models.Model):
    """One certification matter the application needs, and how the applicant meets it."""

    class Mode(models.TextChoices):
        UNDECIDED = "undecided", _("尚未选择")
        COMMIT = "commit", _("告知承诺")
        PROOF = "proof", _("提交证明")

    application = models.ForeignKey(Application, on_delete=models.CASCADE, related_name="requirements")
    matter = models.ForeignKey(
        "catalog.CertificationMatter", verbose_name=_("证明事项"), on_delete=models.PROTECT, related_name="+"
    )
    seq = models.PositiveIntegerField(_("序号"))
    mode = models.CharField(_("办理方式"), max_length=10, choices=Mode.choices, default=Mode.UNDECIDED)
    proof_only = models.BooleanField(_("须提交证明"), default=False,
                                     help_text=_("事项不实行告知承诺，或承诺已撤回，或属于负面清单所列情形"))
    # Why the proof path was set by the applicant's answer to the negative list (the entry quoted), and the answers.
    proof_reason = models.TextField(_("须提交证明的原因"), blank=True)
    negative_answers = models.JSONField(_("负面清单核对"), default=list, blank=True)

    class Meta:
        verbose_name = _("所需证明")
        verbose_name_plural = _("所需证明")
        ordering = ["application", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["application", "matter"], name="requirement_unique_matter"),
            models.CheckConstraint(condition=Q(mode__in=["undecided", "commit", "proof"]), name="requirement_mode_valid"),
            models.CheckConstraint(condition=Q(proof_only=False) | ~Q(mode="commit"),
                                   name="requirement_proof_only_never_commit"),
        ]

    def __str__(self):
        return f"{self.application_id}/{self.matter_id}"

    @property
    def active_commitment(self):
        for c in self.commitments.all():
            if c.state != Commitment.State.WITHDRAWN:
                return c
        return None

    @property
    def is_met(self) -> bool:
        if self.mode == self.Mode.COMMIT:
            return self.active_commitment is not None
        if self.mode == self.Mode.PROOF:
            return bool(list(self.proofs.all()))
        return False


def _proof_path(instance, filename):
    return f"commitments/proofs/{uuid.uuid4().hex}{instance.extension}"


def _letter_path(instance, filename):
    return f"commitments/letters/{uuid.uuid4().hex}.pdf"


def _scan_path(instance, filename):
    return f"commitments/scans/{uuid.uuid4().hex}{instance.scan_extension}"


class Commitment(ConcurrentTransitionMixin, models.Model):
    """告知承诺书: signed for one matter of one application; its snapshot never changes."""

    class State(models.TextChoices):
        SIGNED = "signed", _("有效")
        WITHDRAWN = "withdrawn", _("已撤回")
        VERIFIED = "verified", _("经核查属实")
        FOUND_FALSE = "found_false", _("经核查不实")
        EXEMPTED = "exempted", _("免予核查")  # only for matters that are themselves exempt

    class Method(models.TextChoices):
        ONLINE = "online", _("网上电子签署")
        SCREEN = "screen", _("窗口当场电子签署")
        PAPER = "paper", _("纸质签署（扫描件）")

    class Relation(models.TextChoices):
        SELF = "self", _("本人")
        GUARDIAN = "guardian", _("法定监护人")
        REPRESENTATIVE = "representative", _("法定代表人")
        AGENT = "agent", _("单位授权经办人")

    # Fields that may change after signing; everything else is the immutable snapshot.
    MUTABLE_FIELDS = frozenset({"state", "letter_file", "letter_rendered_at", "letter_sha256", "letter_sealed_by",
                                "withdrawn_at", "withdrawal_reason",
                                "concluded_at", "publicity_start", "publicity_end"})

    requirement = models.ForeignKey(Requirement, on_delete=models.PROTECT, related_name="commitments")
    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="commitments")
    # The application's handling agency (办理机关), copied on creation (``save``): the supervision figures count
    # commitments by agency without joining every application (docs/performance.md, 1M commitments).
    agency = models.ForeignKey("portal.Agency", verbose_name=_("办理机关"), on_delete=models.PROTECT,
                               related_name="+", editable=False)
    matter = models.ForeignKey("catalog.CertificationMatter", on_delete=models.PROTECT, related_name="+")
    letter_number = models.CharField(_("承诺书编号"), max_length=32, unique=True)
    state = FSMField(_("状态"), default=State.SIGNED, choices=State.choices, protected=True, max_length=12)
    # --- snapshot (immutable) ---
    matter_name = models.CharField(_("证明事项"), max_length=200)
    service_name = models.CharField(_("办理事项"), max_length=200)
    agency_name = models.CharField(_("行政机关"), max_length=100)
    catalogue_version = models.PositiveIntegerField(_("清单版本"))
    notification = models.JSONField(_("告知内容（快照）"))
    notification_text = models.TextField(_("告知承诺书全文（快照）"))
    signer_user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    signer_name = models.CharField(_("签署人"), max_length=50)
    signer_relation = models.CharField(_("签署人身份"), max_length=16, choices=Relation.choices)
    subject_name = models.CharField(_("承诺人"), max_length=100)
    subject_id_masked = models.CharField(_("证件号码"), max_length=18)
    method = models.CharField(_("签署方式"), max_length=8, choices=Method.choices)
    witnessed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+", verbose_name=_("窗口见证人"))
    paper_scan = models.FileField(_("纸质承诺书扫描件"), upload_to=_scan_path, blank=True)
    credit_level = models.CharField(_("签署时信用等级"), max_length=1, default="A")
    signed_at = models.DateTimeField(_("签署时间"))
    content_hash = models.CharField(_("内容摘要（SHA-256）"), max_length=64)
    # --- may change ---
    letter_file = models.FileField(_("告知承诺书 PDF"), upload_to=_letter_path, blank=True)
    letter_rendered_at = models.DateTimeField(null=True, blank=True)
    # The register (登记簿) of the issued, sealed PDF: any copy with this SHA-256 is exactly ours.
    letter_sha256 = models.CharField(_("告知承诺书 PDF 摘要（SHA-256）"), max_length=64, blank=True, db_index=True)
    letter_sealed_by = models.CharField(_("电子签章证书持有者"), max_length=200, blank=True)
    withdrawn_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("撤回理由"), blank=True)
    concluded_at = models.DateTimeField(_("核查办结时间"), null=True, blank=True)
    publicity_start = models.DateField(_("公示开始"), null=True, blank=True)
    publicity_end = models.DateField(_("公示结束"), null=True, blank=True)

    scan_extension = ".pdf"

    class Meta:
        verbose_name = _("告知承诺书")
        verbose_name_plural = _("告知承诺书")
        ordering = ["-signed_at", "-pk"]
        constraints = [
            # One live commitment per requirement; a withdrawn one stays for the record.
            models.UniqueConstraint(fields=["requirement"], condition=~Q(state="withdrawn"),
                                    name="commitment_one_live_per_requirement"),
            models.CheckConstraint(condition=~Q(letter_number=""), name="commitment_letter_number_not_empty"),
            models.CheckConstraint(condition=Q(content_hash__regex=r"^[0-9a-f]{64}$"), name="commitment_hash_sha256"),
            models.CheckConstraint(condition=~Q(signer_name="") & ~Q(notification_text=""),
                                   name="commitment_signed_text_and_signer"),
            models.CheckConstraint(
                condition=Q(state__in=["signed", "withdrawn", "verified", "found_false", "exempted"]),
                name="commitment_state_valid",
            ),
            models.CheckConstraint(
                condition=~Q(state="withdrawn") | (Q(withdrawn_at__isnull=False) & ~Q(withdrawal_reason="")),
                name="commitment_withdrawn_with_reason",
            ),
            models.CheckConstraint(condition=Q(method="online", signer_user__isnull=False) | ~Q(method="online"),
                                   name="commitment_online_has_account"),
            models.CheckConstraint(condition=Q(method="online") | Q(witnessed_by__isnull=False),
                                   name="commitment_window_has_witness"),
            models.CheckConstraint(condition=~Q(method="paper") | ~Q(paper_scan=""),
                                   name="commitment_paper_has_scan"),
            models.CheckConstraint(
                condition=Q(publicity_start__isnull=True, publicity_end__isnull=True)
                | Q(publicity_start__isnull=False, publicity_end__gte=models.F("publicity_start")),
                name="commitment_publicity_period_valid",
            ),
        ]
        indexes = [
            models.Index(fields=["publicity_end", "state"], name="commitment_publicity_idx"),
            # 监督统计: a range of signing dates per agency, read from the index alone (state is in it).
            models.Index(fields=["agency", "signed_at", "state"], name="commitment_agency_signed_idx"),
        ]

    def __str__(self):
        return self.letter_number

    def save(self, *args, **kwargs):
        if not self._state.adding:
            fields = kwargs.get("update_fields")
            if fields is None or not set(fields) <= self.MUTABLE_FIELDS:
                raise PermissionError("告知承诺书签署后内容不可修改")
        elif self.agency_id is None:
            self.agency_id = self.application.agency_id
        super().save(*args, **kwargs)

    @property
    def is_valid(self) -> bool:
        return self.state in (self.State.SIGNED, self.State.VERIFIED, self.State.EXEMPTED)

    @property
    def public_state_label(self) -> str:
        """What the citizen sees: whether or not a check was drawn is internal (§二(五)); only an exempt matter
        shows 免予核查."""
        if self.state == self.State.SIGNED and self.application.state in (
                Application.State.ACCEPTED, Application.State.APPROVED):
            return str(_("已受理，按本事项核查办法处理"))
        return str(self.get_state_display())

    def _application_open(self) -> bool:
        return self.application.state in Application.OPEN_STATES

    # §二(七): withdrawable until the decision whatever its verification state (pooled or checked); a
    # commitment found false is not — the finding and its consequences stand.
    @transition(field=state, source=[State.SIGNED, State.EXEMPTED, State.VERIFIED], target=State.WITHDRAWN,
                conditions=[_application_open])
    def withdraw(self, reason=""):
        self.withdrawal_reason = reason

    # An exempted commitment sits in the spot-check pool (双随机): a spot check may still verify it or find it false.
    @transition(field=state, source=[State.SIGNED, State.EXEMPTED], target=State.VERIFIED)
    def mark_verified(self):
        pass

    @transition(field=state, source=[State.SIGNED, State.EXEMPTED], target=State.FOUND_FALSE)
    def mark_false(self):
        pass

    @transition(field=state, source=State.SIGNED, target=State.EXEMPTED)
    def mark_exempted(self):
        pass


class ProofDocument(models.Model):
    """An uploaded proof, checked by content, stored under a generated name outside the web root."""

    requirement = models.ForeignKey(Requirement, on_delete=models.CASCADE, related_name="proofs")
    file = models.FileField(_("文件"), upload_to=_proof_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(size__gte=1, size__lte=10 * 1024 * 1024), name="proof_size_limit"),
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]), name="proof_type_allowed"
            ),
        ]

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        return {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}.get(self.content_type, ".bin")


class OneTimeNotice(models.Model):
    """一次性告知书: every missing item of an application, listed at once."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="notices")
    number = models.CharField(_("告知书编号"), max_length=32, unique=True)
    items = models.JSONField(_("需补正的材料"))
    note = models.TextField(_("其他说明"), blank=True)
    due_date = models.DateField(_("补正期限"))
    # True while the date was counted across a year without a published holiday schedule (portal.workdays).
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False, editable=False)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField(_("告知时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("一次性告知书")
        verbose_name_plural = _("一次性告知书")
        ordering = ["-issued_at", "-pk"]
        constraints = [models.CheckConstraint(condition=~Q(items=[]), name="notice_lists_something")]

    def __str__(self):
        return self.number
