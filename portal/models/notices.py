"""督查通报: a supervision notice drafted from the figures, approved by someone else, then published.

Workflow: draft → approved → published. Who approves: a supervisor whose agency is a government
(市政府、区县政府、新区管委会) or a government approver, within whose scope the issuing agency lies,
and never the author. The author or any such approver publishes an approved notice.
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django_fsm import ConcurrentTransitionMixin, FSMField, transition

from portal import roles

from .agencies import Agency


def in_scope_of(user, agency) -> bool:
    """Whether ``agency`` lies among the agencies the user's agency supervises (``Agency.scoped_agencies``)."""
    own = getattr(user, "agency", None)
    return own is not None and own.supervises(agency)


def may_approve_notices(user) -> bool:
    """The approver role for notices: a government's supervisor, or a government approver."""
    if not getattr(user, "is_authenticated", False) or getattr(user, "agency", None) is None:
        return False
    if roles.has_role(user, roles.GOVERNMENT_APPROVER):
        return True
    return roles.has_role(user, roles.SUPERVISOR) and user.agency.is_government


def can_approve(notice: "SupervisionNotice", user) -> bool:
    return (
        may_approve_notices(user)
        and user.pk != notice.author_id
        and in_scope_of(user, notice.issuing_agency)
    )


def can_publish(notice: "SupervisionNotice", user) -> bool:
    if getattr(user, "is_authenticated", False) and user.pk == notice.author_id:
        return True
    return may_approve_notices(user) and in_scope_of(user, notice.issuing_agency)


class SupervisionNotice(ConcurrentTransitionMixin, models.Model):
    """督查通报."""

    class State(models.TextChoices):
        DRAFT = "draft", _("草稿")
        APPROVED = "approved", _("已审核")
        PUBLISHED = "published", _("已发布")

    title = models.CharField(_("标题"), max_length=120)
    body = models.TextField(_("通报内容"))
    period_start = models.DateField(_("统计期间起"))
    period_end = models.DateField(_("统计期间止"))
    issuing_agency = models.ForeignKey(
        Agency, verbose_name=_("发布机关"), on_delete=models.PROTECT, related_name="issued_notices"
    )
    agencies = models.ManyToManyField(
        Agency, verbose_name=_("点名机关"), through="NoticeAgency", related_name="supervision_notices", blank=True
    )
    state = FSMField(_("状态"), default=State.DRAFT, choices=State.choices, protected=True, max_length=10)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("起草人"), on_delete=models.PROTECT, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("审核人"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("督查通报")
        verbose_name_plural = _("督查通报")
        ordering = ["-published_at", "-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(title="") & ~Q(body=""), name="notice_has_title_and_body"),
            models.CheckConstraint(condition=Q(period_end__gte=F("period_start")), name="notice_period_ordered"),
            models.CheckConstraint(condition=Q(state__in=["draft", "approved", "published"]), name="notice_state_valid"),
            models.CheckConstraint(
                condition=Q(approved_by__isnull=True) | ~Q(approved_by=F("author")), name="notice_approver_is_not_author"
            ),
            models.CheckConstraint(
                condition=Q(state="draft") | Q(approved_by__isnull=False, approved_at__isnull=False),
                name="notice_approved_stamped",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False), name="notice_published_stamped"
            ),
        ]
        indexes = [models.Index(fields=["state", "-published_at"], name="notice_state_published_idx")]

    def __str__(self):
        return self.title

    @property
    def is_draft(self) -> bool:
        return self.state == self.State.DRAFT

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    @transition(field=state, source=State.DRAFT, target=State.APPROVED, permission=can_approve)
    def approve(self, by=None):
        pass

    @transition(field=state, source=State.APPROVED, target=State.PUBLISHED, permission=can_publish)
    def publish(self, by=None):
        pass


class NoticeAgency(models.Model):
    """An agency a notice names, praised or urged to rectify."""

    class Verdict(models.TextChoices):
        PRAISED = "praised", _("通报表扬")
        CRITICISED = "criticised", _("督促整改")

    notice = models.ForeignKey(SupervisionNotice, on_delete=models.CASCADE, related_name="named")
    agency = models.ForeignKey(Agency, verbose_name=_("机关"), on_delete=models.PROTECT, related_name="+")
    verdict = models.CharField(_("通报类型"), max_length=12, choices=Verdict.choices)

    class Meta:
        verbose_name = _("通报点名机关")
        verbose_name_plural = _("通报点名机关")
        ordering = ["verdict", "agency__path"]
        constraints = [
            models.UniqueConstraint(fields=["notice", "agency"], name="notice_names_agency_once"),
            models.CheckConstraint(condition=Q(verdict__in=["praised", "criticised"]), name="notice_verdict_valid"),
        ]

    def __str__(self):
        return f"{self.agency_id}:{self.verdict}"
