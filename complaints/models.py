"""咨询 / 投诉 / 举报 工单: tickets from the portal, the 12345 hotline and the window, and their closed loop.

§二(八) of the Xi'an plan: accept → dispatch → handle → reply → supervise → close → call back → rate.

Workflow (django-fsm-2, every transition declared here)::

    received ──route──▶ assigned ──sign_for──▶ in_progress ──reply──▶ replied ──close──▶ closed
        │                  ▲  │                     │                    │
        │       re-route   │  │                     │                    └─reopen (once)─▶ reopened ─sign_for─▶ …
        └──────────────────┴──┴──── escalate (deadline passed) ──────────▶ escalated ─sign_for / reply / route─▶ …

Deadlines are in working days (``portal.workdays``), per kind, from ``DeadlinePolicy`` rows that an
administrator may edit (defaults: sign-for 1, consultation reply 2, complaint and report reply 10).
"""

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal import roles, scope
from portal.errors import Refused

MAX_TITLE = 60
MAX_CONTENT = 2000
MAX_REPLY = 4000
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024

# Roles that work an agency's inbox: the window staff and the agency's complaints liaison.
HANDLER_ROLES = (roles.WINDOW_CLERK, roles.COMPLAINTS_OPERATOR)


class ComplaintsError(Refused):
    """A refused action, with a Chinese message shown beside ``field`` (or at the top of the form)."""


class Kind(models.TextChoices):
    CONSULTATION = "consultation", _("咨询")
    COMPLAINT = "complaint", _("投诉")
    REPORT = "report", _("举报")


class Channel(models.TextChoices):
    PORTAL = "portal", _("网上提交")
    HOTLINE = "12345", _("12345 热线")
    WINDOW = "window", _("窗口")


class Topic(models.TextChoices):
    PROOF_DEMAND = "proof_demand", _("索要已告知承诺或清单外的证明")
    HANDLING = "handling", _("办理不规范、推诿拖延")
    FALSE_COMMITMENT = "false_commitment", _("涉嫌虚假承诺")
    POLICY = "policy", _("政策和办理流程")
    OTHER = "other", _("其他")


class Rating(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    NOT_SATISFIED = "not_satisfied", _("不满意")


class Referral(models.TextChoices):
    NONE = "", _("无")
    PENDING = "pending", _("已转核查，待核查系统接收")
    OPENED = "opened", _("已生成核查任务")


DEFAULT_DEADLINES = {
    # kind: (sign-for working days, reply working days, working days to rate before auto-close)
    Kind.CONSULTATION: (1, 2, 5),
    Kind.COMPLAINT: (1, 10, 5),
    Kind.REPORT: (1, 10, 5),
}


class DeadlinePolicy(models.Model):
    """办理时限: working days per kind, editable by administrators (the defaults come from the issue)."""

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, unique=True)
    sign_days = models.PositiveSmallIntegerField(_("签收时限（工作日）"), default=1)
    reply_days = models.PositiveSmallIntegerField(_("答复时限（工作日）"))
    rating_days = models.PositiveSmallIntegerField(
        _("评价期限（工作日）"), default=5, help_text=_("答复后超过此期限未评价的，自动办结。")
    )

    class Meta:
        verbose_name = _("办理时限")
        verbose_name_plural = _("办理时限")
        ordering = ["kind"]
        constraints = [
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="deadline_kind_valid"),
            models.CheckConstraint(condition=Q(sign_days__gte=1, sign_days__lte=30), name="deadline_sign_days_range"),
            models.CheckConstraint(condition=Q(reply_days__gte=1, reply_days__lte=60), name="deadline_reply_days_range"),
            models.CheckConstraint(condition=Q(reply_days__gte=models.F("sign_days")), name="deadline_reply_after_sign"),
            models.CheckConstraint(condition=Q(rating_days__gte=1, rating_days__lte=30), name="deadline_rating_days_range"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()}：签收 {self.sign_days} 个工作日，答复 {self.reply_days} 个工作日"

    @classmethod
    def for_kind(cls, kind: str) -> tuple[int, int, int]:
        row = cls.objects.filter(kind=kind).values_list("sign_days", "reply_days", "rating_days").first()
        return tuple(row) if row else DEFAULT_DEADLINES[Kind(kind)]


class TicketCounter(models.Model):
    """One row per day; the tracking number's sequence is incremented under the row's lock."""

    day = models.DateField(unique=True)
    value = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号计数器")
        verbose_name_plural = _("工单编号计数器")

    def __str__(self):
        return f"{self.day}: {self.value}"


def in_scope(agency_id, agency_path: str, user) -> bool:
    """Whether ``user``'s agency is, or oversees (``Agency.scoped_agencies``), the agency given.

    Oversight only (a supervisor's read-only view); handling a ticket is ``is_handler``'s: own agency."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    own = getattr(user, "agency", None)
    if own is None or agency_id is None:
        return False
    return own.covers(agency_id, agency_path)


def is_handler(ticket, user) -> bool:
    """Staff of the handling agency itself with an inbox role (``portal.scope``: case work is routed, never
    inherited by a government or a justice bureau above it)."""
    if ticket.agency_id is None or user is None:
        return False
    if not (user.is_superuser or roles.has_role(user, *HANDLER_ROLES)):
        return False
    return scope.handles_cases_of(user, ticket.agency_id)


def is_dispatcher(ticket, user) -> bool:
    """The 12345 desk routes any ticket, city-wide."""
    return bool(user is not None and (user.is_superuser or roles.has_role(user, roles.COMPLAINTS_OPERATOR)))


class TicketState(models.TextChoices):
    RECEIVED = "received", _("已受理，待分派")
    ASSIGNED = "assigned", _("已分派，待签收")
    IN_PROGRESS = "in_progress", _("办理中")
    REPLIED = "replied", _("已答复，待评价")
    CLOSED = "closed", _("已办结")
    REOPENED = "reopened", _("不满意，重新办理")
    ESCALATED = "escalated", _("已超期，督办中")


ROUTED_STATES = ("assigned", "in_progress", "replied", "closed", "reopened")


class Ticket(ConcurrentTransitionMixin, models.Model):
    """工单: one consultation, complaint or report, with its routing, deadlines, reply and rating."""

    State = TicketState
    OPEN_STATES = (State.RECEIVED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED, State.ESCALATED)
    ROUTED_STATES = ROUTED_STATES
    AWAITING_SIGN = (State.ASSIGNED, State.REOPENED)

    number = models.CharField(_("工单编号"), max_length=20, unique=True)
    lookup_hash = models.CharField(_("查询码摘要"), max_length=64, editable=False)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    topic = models.CharField(_("反映事项"), max_length=20, choices=Topic.choices, default=Topic.OTHER)
    state = FSMField(_("状态"), max_length=12, choices=State.choices, default=State.RECEIVED, protected=True)

    title = models.CharField(_("标题"), max_length=MAX_TITLE)
    content = models.TextField(_("内容"), max_length=MAX_CONTENT)
    # Who asks. Anonymous reports have no account; contact details are optional for them.
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提交人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaint_tickets",
    )
    anonymous = models.BooleanField(_("匿名"), default=False)
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("录入人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    # What it is about.
    about_agency = models.ForeignKey(
        "portal.Agency", verbose_name=_("反映的机关"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    matter = models.ForeignKey(
        "catalog.CertificationMatter", verbose_name=_("证明事项"), null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    matter_name = models.CharField(_("证明事项名称"), max_length=200, blank=True)
    # Plain references until the commitments app's models are settled (see ``references``).
    application_number = models.CharField(_("办件编号"), max_length=32, blank=True)
    commitment_ref = models.CharField(_("告知承诺书或公示编号"), max_length=32, blank=True)

    # Routing and deadlines.
    agency = models.ForeignKey(
        "portal.Agency", verbose_name=_("承办机关"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="complaint_tickets",
    )
    assigned_at = models.DateTimeField(_("分派时间"), null=True, blank=True)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    sign_due = models.DateField(_("签收期限"), null=True, blank=True)
    reply_due = models.DateField(_("答复期限"), null=True, blank=True)
    # True while the date was counted across a year without a published holiday schedule (portal.workdays).
    deadline_provisional = models.BooleanField(_("期限暂定"), default=False, editable=False)
    signed_on_time = models.BooleanField(_("按时签收"), null=True, blank=True)
    replied_on_time = models.BooleanField(_("按时答复"), null=True, blank=True)
    reminded_for = models.DateField(_("已提醒的期限"), null=True, blank=True, editable=False)
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    escalation_reason = models.CharField(_("督办原因"), max_length=100, blank=True)

    # Reply, rating, FAQ.
    reply = models.TextField(_("答复内容"), max_length=MAX_REPLY, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("答复人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    replied_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    reopen_count = models.PositiveSmallIntegerField(_("重新办理次数"), default=0)
    rating = models.CharField(_("评价"), max_length=16, choices=Rating.choices, blank=True)
    rating_comment = models.CharField(_("评价意见"), max_length=200, blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    publish_consent = models.BooleanField(_("同意公开答复"), default=False)
    faq_published = models.BooleanField(_("已公开到常见问题"), default=False)
    faq_question = models.TextField(_("公开的问题表述"), max_length=MAX_CONTENT, blank=True)

    # A report of a false commitment is referred to verification (see ``services.open_verification_for_report``).
    referral = models.CharField(_("转核查"), max_length=10, choices=Referral.choices, blank=True, default="")
    referral_ref = models.CharField(_("核查任务编号"), max_length=40, blank=True)

    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("工单")
        verbose_name_plural = _("工单")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(number=""), name="ticket_number_not_empty"),
            models.CheckConstraint(condition=~Q(lookup_hash=""), name="ticket_lookup_hash_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=Kind.values), name="ticket_kind_valid"),
            models.CheckConstraint(condition=Q(channel__in=Channel.values), name="ticket_channel_valid"),
            models.CheckConstraint(condition=Q(topic__in=Topic.values), name="ticket_topic_valid"),
            models.CheckConstraint(condition=Q(state__in=TicketState.values), name="ticket_state_valid"),
            models.CheckConstraint(condition=~Q(title="") & ~Q(content=""), name="ticket_has_title_and_content"),
            # Only reports may be anonymous, and an anonymous ticket has no account behind it.
            models.CheckConstraint(
                condition=Q(anonymous=False) | Q(kind=Kind.REPORT, requester__isnull=True),
                name="ticket_anonymous_only_reports",
            ),
            # A portal ticket is filed by an account unless it is an anonymous report.
            models.CheckConstraint(
                condition=~Q(channel=Channel.PORTAL) | Q(anonymous=True) | Q(requester__isnull=False),
                name="ticket_portal_has_requester",
            ),
            # Hotline and window tickets name the staff member who entered them.
            models.CheckConstraint(
                condition=Q(channel=Channel.PORTAL) | Q(entered_by__isnull=False),
                name="ticket_staff_channel_has_enterer",
            ),
            # Routed tickets have a handling agency and both deadlines.
            models.CheckConstraint(
                condition=~Q(state__in=ROUTED_STATES)
                | Q(agency__isnull=False, assigned_at__isnull=False, reply_due__isnull=False),
                name="ticket_routed_has_agency_and_deadlines",
            ),
            models.CheckConstraint(
                condition=Q(sign_due__isnull=True) | Q(reply_due__isnull=True) | Q(reply_due__gte=models.F("sign_due")),
                name="ticket_reply_due_after_sign_due",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["in_progress", "replied", "closed"]) | Q(signed_at__isnull=False),
                name="ticket_worked_is_signed",
            ),
            models.CheckConstraint(
                condition=~Q(state__in=["replied", "closed"]) | (~Q(reply="") & Q(replied_at__isnull=False)),
                name="ticket_replied_has_reply",
            ),
            models.CheckConstraint(
                condition=~Q(state="closed") | Q(closed_at__isnull=False), name="ticket_closed_has_time"
            ),
            models.CheckConstraint(
                condition=Q(rating="") | Q(rating__in=Rating.values, rated_at__isnull=False), name="ticket_rating_valid"
            ),
            models.CheckConstraint(condition=Q(reopen_count__lte=1), name="ticket_reopened_at_most_once"),
            models.CheckConstraint(
                condition=Q(faq_published=False)
                | Q(kind=Kind.CONSULTATION, publish_consent=True, state__in=["replied", "closed"]),
                name="ticket_faq_only_consented_answered_consultations",
            ),
            models.CheckConstraint(
                condition=Q(referral__in=Referral.values) & (Q(referral="") | Q(kind=Kind.REPORT)),
                name="ticket_referral_only_reports",
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "state", "reply_due"], name="ticket_inbox_idx"),
            models.Index(fields=["agency", "created_at"], name="ticket_agency_created_idx"),
            models.Index(fields=["state", "sign_due"], name="ticket_sign_due_idx"),
            models.Index(fields=["state", "reply_due"], name="ticket_reply_due_idx"),
            models.Index(fields=["kind", "faq_published"], name="ticket_faq_idx"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    # --- derived ---------------------------------------------------------------------------------
    @property
    def is_open(self) -> bool:
        return self.state in self.OPEN_STATES

    @property
    def awaiting_sign(self) -> bool:
        return self.state in self.AWAITING_SIGN or (self.state == self.State.ESCALATED and self.signed_at is None)

    @property
    def current_due(self) -> datetime.date | None:
        """The deadline that matters now: sign-for until signed, then the reply."""
        if self.state in (self.State.REPLIED, self.State.CLOSED):
            return None
        if self.signed_at is None:
            return self.sign_due
        return self.reply_due

    def can_reopen(self) -> bool:
        return self.reopen_count == 0

    def _routable(self) -> bool:
        return True

    def _signed(self) -> bool:
        return self.signed_at is not None

    def _unsigned(self) -> bool:
        return self.signed_at is None

    def _has_agency(self) -> bool:
        return self.agency_id is not None

    # --- transitions ---------------------------------------------------------------------------
    @transition(
        field=state,
        source=[State.RECEIVED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED, State.ESCALATED],
        target=State.ASSIGNED,
        permission=is_dispatcher,
    )
    def route(self, agency, *, at, sign_due, reply_due):
        """分派 / 改派: to the responsible agency; the clock starts again there."""
        self.agency = agency
        self.assigned_at = at
        self.sign_due, self.reply_due = sign_due, reply_due
        self.signed_at = None
        self.signed_on_time = self.replied_on_time = None
        self.escalated_at, self.escalation_reason = None, ""

    @transition(
        field=state,
        source=[State.ASSIGNED, State.REOPENED, State.ESCALATED],
        target=State.IN_PROGRESS,
        conditions=[_has_agency, _unsigned],
        permission=is_handler,
    )
    def sign_for(self, *, at, on_time):
        """签收."""
        self.signed_at = at
        if self.signed_on_time is None:
            self.signed_on_time = on_time

    @transition(
        field=state,
        source=[State.IN_PROGRESS, State.ESCALATED],
        target=State.REPLIED,
        conditions=[_signed],
        permission=is_handler,
    )
    def answer(self, *, by, text, at, on_time):
        """答复."""
        self.reply, self.replied_by, self.replied_at = text, by, at
        if self.replied_on_time is None:
            self.replied_on_time = on_time

    @transition(field=state, source=State.REPLIED, target=State.CLOSED)
    def close(self, *, at, rating="", comment=""):
        """办结: after the requester's rating, or when the rating period ran out (rating stays empty)."""
        if rating:
            self.rating, self.rating_comment, self.rated_at = rating, comment, at
        self.closed_at = at

    @transition(field=state, source=State.REPLIED, target=State.REOPENED, conditions=[can_reopen])
    def reopen(self, *, at, comment, sign_due, reply_due):
        """不满意，重新办理（仅一次）: back to the same agency with fresh deadlines."""
        self.rating, self.rating_comment, self.rated_at = Rating.NOT_SATISFIED, comment, at
        self.reopen_count += 1
        self.signed_at = None
        self.sign_due, self.reply_due = sign_due, reply_due
        self.escalated_at, self.escalation_reason = None, ""

    @transition(
        field=state,
        source=[State.RECEIVED, State.ASSIGNED, State.IN_PROGRESS, State.REOPENED],
        target=State.ESCALATED,
    )
    def escalate(self, *, at, reason, late_sign: bool, late_reply: bool):
        """超期督办: the deadline passed; the supervisor sees it and the lateness is recorded for the figures."""
        self.escalated_at, self.escalation_reason = at, reason
        if late_sign and self.signed_on_time is None:
            self.signed_on_time = False
        if late_reply and self.replied_on_time is None:
            self.replied_on_time = False


def _attachment_path(instance, filename):
    return f"private/complaints/{instance.ticket_id}/{instance.sha256[:16]}{instance.extension}"


class TicketAttachment(models.Model):
    """附件: PDF, JPG or PNG (recognised by their first bytes), at most 10 MB, never served publicly."""

    class Part(models.TextChoices):
        REQUEST = "request", _("反映材料")
        REPLY = "reply", _("答复材料")

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="attachments")
    part = models.CharField(_("类别"), max_length=8, choices=Part.choices, default=Part.REQUEST)
    file = models.FileField(_("文件"), upload_to=_attachment_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=40)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    class Meta:
        verbose_name = _("工单附件")
        verbose_name_plural = _("工单附件")
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(content_type__in=["application/pdf", "image/jpeg", "image/png"]),
                name="ticket_attachment_type_allowed",
            ),
            models.CheckConstraint(
                condition=Q(size__gte=1, size__lte=MAX_ATTACHMENT_BYTES), name="ticket_attachment_size_range"
            ),
            models.CheckConstraint(condition=Q(part__in=["request", "reply"]), name="ticket_attachment_part_valid"),
        ]

    def __str__(self):
        return self.original_name

    @property
    def extension(self) -> str:
        return self.EXTENSIONS.get(self.content_type, ".bin")


class ReplyTemplate(models.Model):
    """答复模板: reusable reply text, for one agency or (without agency) for every agency."""

    agency = models.ForeignKey(
        "portal.Agency", verbose_name=_("适用机关"), null=True, blank=True, on_delete=models.CASCADE,
        related_name="+", help_text=_("留空则所有机关可用"),
    )
    kind = models.CharField(_("适用类型"), max_length=16, choices=Kind.choices, blank=True)
    title = models.CharField(_("模板名称"), max_length=60)
    body = models.TextField(_("模板内容"), max_length=MAX_REPLY)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("答复模板")
        verbose_name_plural = _("答复模板")
        ordering = ["title", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title="") & ~Q(body=""), name="reply_template_not_empty"),
            models.CheckConstraint(condition=Q(kind="") | Q(kind__in=Kind.values), name="reply_template_kind_valid"),
        ]

    def __str__(self):
        return self.title


class ServiceStandard(models.Model):
    """窗口服务标准 / 一次性告知模板: published by the 市行政审批服务局 (§三, the second lead agency).

    A window service standard says how every window treats a commitment applicant; a one-time notice template
    (一次性告知) lists, once and completely, what an applicant must bring. Windows read the active ones.
    """

    class Kind(models.TextChoices):
        WINDOW_STANDARD = "window_standard", _("窗口服务标准")
        ONE_TIME_NOTICE = "one_time_notice", _("一次性告知模板")

    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=80)
    body = models.TextField(_("内容"), max_length=4000)
    agency = models.ForeignKey("portal.Agency", verbose_name=_("制定机关"), on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("制定人"), on_delete=models.PROTECT,
                               related_name="+")
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("制定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("窗口服务标准")
        verbose_name_plural = _("窗口服务标准")
        ordering = ["kind", "title", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "kind", "title"], name="service_standard_unique_title"),
            models.CheckConstraint(condition=~Q(title="") & ~Q(body=""), name="service_standard_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=["window_standard", "one_time_notice"]),
                                   name="service_standard_kind_valid"),
        ]

    def __str__(self):
        return self.title
