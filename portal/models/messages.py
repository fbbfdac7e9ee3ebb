"""站内消息 and its outbox: a message to one user, and its e-mail/SMS deliveries.

A ``Message`` is written inside the service transaction that caused it (受理, 一次性告知, 核查结果…),
with a ``key`` unique per user so a retried service or a second beat never writes it twice. Each
channel the user chose gets a ``Delivery`` row in the same transaction; a Celery task sends it
after commit (``portal.notifications``), and a beat task re-sends whatever is still pending.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Message(models.Model):
    """站内消息: what happened, in plain Chinese, with a link to the page about it."""

    class Kind(models.TextChoices):
        ACCEPTED = "accepted", _("办件受理")
        NOTICE = "notice", _("一次性告知")
        DEADLINE = "deadline", _("期限提醒")
        OUTCOME = "outcome", _("核查结果")
        CREDIT = "credit", _("信用变动")
        COMPLAINT = "complaint", _("咨询投诉答复")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.CASCADE, related_name="inbox_messages"
    )
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    title = models.CharField(_("标题"), max_length=60)
    body = models.TextField(_("内容"))
    link = models.CharField(_("链接"), max_length=300, blank=True)
    key = models.CharField(_("幂等键"), max_length=120, editable=False)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("站内消息")
        verbose_name_plural = _("站内消息")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="message_once_per_user_and_key"),
            models.CheckConstraint(condition=~Q(title="") & ~Q(body="") & ~Q(key=""), name="message_has_title_body_key"),
            models.CheckConstraint(
                condition=Q(kind__in=["accepted", "notice", "deadline", "outcome", "credit", "complaint"]),
                name="message_kind_valid",
            ),
        ]
        indexes = [
            # The bell: unread messages of one user.
            models.Index(fields=["user", "read_at"], name="message_user_unread_idx"),
            models.Index(fields=["user", "-created_at"], name="message_user_recent_idx"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """消息推送: one message sent by e-mail or SMS (the outbox row)."""

    class Channel(models.TextChoices):
        EMAIL = "email", _("电子邮件")
        SMS = "sms", _("短信")

    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("已取消")

    message = models.ForeignKey(Message, verbose_name=_("消息"), on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(_("渠道"), max_length=8, choices=Channel.choices)
    # Sent to the gateway with every attempt, so a retry after a lost answer is recognised there.
    idempotency_key = models.UUIDField(_("幂等键"), default=uuid.uuid4, unique=True, editable=False)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(_("下次尝试时间"), null=True, blank=True)
    locked_until = models.DateTimeField(null=True, blank=True, editable=False)
    provider_id = models.CharField(_("网关回执号"), max_length=80, blank=True)
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("消息推送")
        verbose_name_plural = _("消息推送")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["message", "channel"], name="delivery_once_per_channel"),
            models.CheckConstraint(condition=Q(channel__in=["email", "sms"]), name="delivery_channel_valid"),
            models.CheckConstraint(
                condition=Q(status__in=["pending", "sent", "failed", "cancelled"]), name="delivery_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status="sent", sent_at__isnull=False) | (~Q(status="sent") & Q(sent_at__isnull=True)),
                name="delivery_sent_iff_time",
            ),
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_pending_idx")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.message_id} ({self.get_status_display()})"


class NotificationSettings(models.Model):
    """提醒方式: which channels besides the in-portal message a user wants. No row: both on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, verbose_name=_("用户"), on_delete=models.CASCADE, primary_key=True,
        related_name="notification_settings",
    )
    by_email = models.BooleanField(_("邮件提醒"), default=True)
    by_sms = models.BooleanField(_("短信提醒"), default=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        verbose_name = _("提醒方式")
        verbose_name_plural = _("提醒方式")

    def __str__(self):
        return str(self.user_id)
