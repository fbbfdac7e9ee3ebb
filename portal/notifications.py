"""站内消息 and e-mail/SMS reminders: the one function every app calls, and the outbox sender.

``notify(to, kind, title, body, link, key=...)`` is called by an app's service inside its
transaction. It writes the in-portal message (once per user and ``key``: a retried service or a
second beat writes nothing new) and, for each channel the user chose and can receive, a
``Delivery`` row; the sending task is queued with ``transaction.on_commit``.

``deliver(pk)`` sends one row: it claims the row with a conditional UPDATE (a short lease, so two
workers never send it at once), re-reads the address, hands the text to the channel's gateway with
the row's idempotency key, and marks it sent. A failure keeps it pending with a back-off; after
``MAX_ATTEMPTS`` it is marked failed. Gateways: e-mail through Django's mail backend
(``EMAIL_BACKEND``), SMS through an HTTP gateway (``SMS_GATEWAY_URL``; ``run_sms_simulator`` serves
one locally), or another class named by ``SMS_GATEWAY_BACKEND``.
"""

import json
import logging
import os
import urllib.error
import urllib.request
from contextlib import contextmanager
from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.module_loading import import_string

from portal import audit, roles
from portal.models import Delivery, Message, NotificationSettings, Subject, User

log = logging.getLogger(__name__)

SIGNATURE = "【承诺通】"
# One SMS holds 70 characters (UCS-2); a longer text is split into 67-character parts and costs more.
SMS_SEGMENT = 70
SMS_PART = 67
MAX_ATTEMPTS = 8

SENT = "sent"
SKIPPED = "skipped"
BUSY = "busy"
FAILED = "failed"
GAVE_UP = "gave_up"
CANCELLED = "cancelled"


# --- configuration (environment variables, overridable in Django settings: tests do) ----------------
def _value(name: str, default: str = "") -> str:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, default)
    return str(value or "").strip()


def sms_gateway_url() -> str:
    """SMS_GATEWAY_URL: the SMS gateway's sending endpoint; empty = no SMS (the option is not offered)."""
    return _value("SMS_GATEWAY_URL")


def sms_gateway_token() -> str:
    """SMS_GATEWAY_TOKEN: bearer token sent to the gateway."""
    return _value("SMS_GATEWAY_TOKEN")


def sms_gateway_timeout() -> float:
    """SMS_GATEWAY_TIMEOUT: seconds to wait for the gateway (default 5)."""
    return float(_value("SMS_GATEWAY_TIMEOUT", "5") or 5)


def public_base_url() -> str:
    """PUBLIC_BASE_URL: the portal's address, for the links in e-mails."""
    return (_value("PUBLIC_BASE_URL") or "http://127.0.0.1:8000").rstrip("/")


def sms_enabled() -> bool:
    return bool(sms_gateway_url()) or bool(_value("SMS_GATEWAY_BACKEND"))


def backoff(attempts: int) -> int:
    """Seconds before the next try after ``attempts`` failures: 30 s, 60 s, 2 min … capped at 1 h."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


def lease_seconds() -> float:
    """How long one attempt holds its row: longer than any live send, short enough to recover a dead worker's."""
    return max(sms_gateway_timeout(), 10) * 3 + 30


# --- writing -------------------------------------------------------------------------------------------
def recipients(to) -> list:
    """A user, the active accounts of a subject (申请主体), or nobody (``None``: e.g. an anonymous report)."""
    if to is None:
        return []
    if isinstance(to, User):
        return [to] if to.is_active else []
    if isinstance(to, Subject):
        # The accounts that act for the subject (申请人 role), as commitments.selectors.is_owner sees them.
        return list(User.objects.filter(subject=to, is_active=True, groups__name=roles.APPLICANT).order_by("pk"))
    raise TypeError(f"notify() sends to a User or a Subject, not {type(to).__name__}")


def preferences(user) -> NotificationSettings:
    """The user's 提醒方式 (not saved when they never chose: both channels on)."""
    found = NotificationSettings.objects.filter(user=user).first()
    return found or NotificationSettings(user=user)


def channels_for(user) -> list[str]:
    """The channels this user receives besides the in-portal message: what they chose and can receive."""
    prefs = preferences(user)
    chosen = []
    if prefs.by_email and user.email:
        chosen.append(Delivery.Channel.EMAIL)
    if prefs.by_sms and user.mobile and sms_enabled():
        chosen.append(Delivery.Channel.SMS)
    return chosen


def cn_date(d) -> str:
    """``2026年12月3日``: dates in message texts."""
    return f"{d.year}年{d.month}月{d.day}日" if d else ""


@contextmanager
def in_chinese():
    """Compose a message in Chinese, whatever the language of the request that caused it.

    A message outlives the page: it is stored, e-mailed and read later, and what the portal tells people
    about their case is Chinese (the plan's language), like the letters. Wrap the whole composition —
    ``with in_chinese(): notify(..., _("…") % {...}, ...)`` — since gettext runs when the text is built.
    """
    with translation.override(settings.LANGUAGE_CODE):
        yield


def notify(to, kind: str, title: str, body: str, link="", *, key: str) -> list[Message]:
    """Write a message to ``to`` (a User or a Subject's accounts) and queue its e-mail/SMS after commit.

    Call it inside the service's transaction. ``link``: a path, or ``(url name, *args)``. ``key`` names
    the event (e.g. ``accepted:17``): a second call with the same key for the same user writes nothing.
    Returns the new messages.
    """
    if isinstance(link, tuple):
        link = reverse(link[0], args=link[1:])
    created = []
    for user in recipients(to):
        try:
            with transaction.atomic():  # a savepoint: a concurrent duplicate leaves the caller's transaction usable
                message = Message.objects.create(user=user, kind=kind, title=str(title)[:60], body=str(body),
                                                 link=str(link or ""), key=str(key)[:120])
                rows = [Delivery.objects.create(message=message, channel=channel) for channel in channels_for(user)]
        except IntegrityError:
            continue  # already told
        created.append(message)
        for row in rows:
            transaction.on_commit(lambda pk=row.pk: enqueue(pk))
    return created


def own_messages(user, unread_only=False):
    """The user's messages, newest first (the only read of messages; scoped to the owner)."""
    rows = Message.objects.filter(user=user)
    return rows.filter(read_at__isnull=True) if unread_only else rows


def unread_count(user) -> int:
    """The bell's number: one indexed query."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Message.objects.filter(user=user, read_at__isnull=True).count()


def mark_read(user, message_pk=None) -> int:
    """Mark one of the user's messages (or all, ``message_pk=None``) as read. Returns how many changed.

    Only the owner's rows are touched: another user's message number raises ``Message.DoesNotExist``.
    """
    rows = Message.objects.filter(user=user, read_at__isnull=True)
    if message_pk is not None:
        if not Message.objects.filter(user=user, pk=message_pk).exists():
            raise Message.DoesNotExist
        rows = rows.filter(pk=message_pk)
    return rows.update(read_at=timezone.now())


def update_preferences(user, *, by_email: bool, by_sms: bool, email: str, request=None) -> NotificationSettings:
    """Save the user's 提醒方式 and e-mail address (the mobile number is the one the account was registered with)."""
    with transaction.atomic():
        prefs, _created = NotificationSettings.objects.select_for_update().get_or_create(user=user)
        prefs.by_email, prefs.by_sms = bool(by_email), bool(by_sms)
        prefs.save()
        email = (email or "").strip()
        email_changed = email != user.email
        if email_changed:
            User.objects.filter(pk=user.pk).update(email=email)
            user.email = email
        audit.record("portal.notification_settings.updated", obj=user, actor=user, request=request,
                     summary=f"email={'on' if prefs.by_email else 'off'} sms={'on' if prefs.by_sms else 'off'}",
                     data={"email_changed": email_changed})
    return prefs


# --- sending -------------------------------------------------------------------------------------------
class GatewayError(Exception):
    """A failed send. ``permanent``: retrying cannot help (an invalid number, a refused text)."""

    def __init__(self, message, permanent=False):
        super().__init__(message)
        self.permanent = permanent


def sms_text(message: Message) -> str:
    """The SMS: signature, the title, where to read the rest; kept within one 70-character segment.

    The body stays in the portal: an SMS is read on a lock screen and costs by the segment.
    """
    tail = "，详情请登录承诺通查看消息中心。"
    room = SMS_SEGMENT - len(SIGNATURE) - len(tail)
    title = message.title if len(message.title) <= room else message.title[: room - 1] + "…"
    return f"{SIGNATURE}{title}{tail}"


def segments(text: str) -> int:
    """How many SMS a text costs: 1 up to 70 characters, otherwise 67 characters a part."""
    return 1 if len(text) <= SMS_SEGMENT else -(-len(text) // SMS_PART)


class EmailGateway:
    """E-mail through Django's mail backend (``EMAIL_BACKEND``: SMTP in production, the console in development)."""

    def send(self, delivery: Delivery, address: str) -> str:
        message = delivery.message
        link = f"{public_base_url()}{message.link}" if message.link.startswith("/") else message.link
        lines = [f"{message.user.display_name}：", "", message.body]
        if link:
            lines += ["", f"查看详情：{link}"]
        lines += ["", "——承诺通（西安市证明事项告知承诺制服务平台）", "本邮件由系统自动发送，请勿直接回复。"]
        email = EmailMessage(
            subject=f"{SIGNATURE}{message.title}", body="\n".join(lines), to=[address],
            # The same Message-ID on a resend after a lost answer: mail clients show it once.
            headers={"Message-ID": f"<{delivery.idempotency_key}@chengnuo>"},
        )
        try:
            email.send(fail_silently=False)
        except Exception as exc:  # noqa: BLE001 - any backend error is a failed attempt, retried
            raise GatewayError(f"{type(exc).__name__}: {exc}") from exc
        return ""


class HttpSmsGateway:
    """SMS through an HTTP gateway: ``POST SMS_GATEWAY_URL`` with JSON ``{mobile, sign, text, idempotency_key}``.

    2xx (or 409: the gateway has this key already) is sent; another 4xx is a permanent refusal;
    5xx, a timeout or a refused connection is retried.
    """

    def send(self, delivery: Delivery, address: str) -> str:
        url = sms_gateway_url()
        if not url.startswith(("https://", "http://")):
            raise GatewayError("SMS_GATEWAY_URL is not an http(s) URL", permanent=True)
        text = sms_text(delivery.message)
        payload = {"mobile": address, "sign": SIGNATURE.strip("【】"), "text": text,
                   "idempotency_key": str(delivery.idempotency_key)}
        headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": str(delivery.idempotency_key)}
        if sms_gateway_token():
            headers["Authorization"] = f"Bearer {sms_gateway_token()}"
        request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode("utf-8"),  # noqa: S310
                                         headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=sms_gateway_timeout()) as response:  # noqa: S310  # nosec B310 - http(s) checked above
                answer = response.read()
        except urllib.error.HTTPError as exc:
            if exc.code == 409:
                return ""
            raise GatewayError(f"HTTP {exc.code}", permanent=400 <= exc.code < 500 and exc.code not in (408, 429)) from exc
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise GatewayError(f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}") from exc
        try:
            return str(json.loads(answer).get("id", ""))[:80]
        except (ValueError, AttributeError):
            return ""


def gateway(channel: str):
    if channel == Delivery.Channel.EMAIL:
        return EmailGateway()
    backend = _value("SMS_GATEWAY_BACKEND")
    return import_string(backend)() if backend else HttpSmsGateway()


def enqueue(delivery_pk: int) -> None:
    """Queue sending; if the broker is down the row simply stays pending for the beat task."""
    try:
        send_delivery.delay(delivery_pk)
    except Exception as exc:  # noqa: BLE001 - a broker outage must not break the request that caused the message
        log.warning("delivery %s not queued (%s); beat will send it", delivery_pk, type(exc).__name__)


def _claim(pk: int, now) -> bool:
    return bool(
        Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=now + timedelta(seconds=lease_seconds()))
    )


def _address(delivery: Delivery) -> str:
    user = delivery.message.user
    if not user.is_active:
        return ""
    prefs = preferences(user)
    if delivery.channel == Delivery.Channel.EMAIL:
        return user.email if prefs.by_email else ""
    return user.mobile if prefs.by_sms else ""


def deliver(pk: int) -> str:
    """Try one row once. Returns SENT, SKIPPED (done already), BUSY (another attempt holds it), CANCELLED
    (the user turned the channel off or removed the address), FAILED (will be retried) or GAVE_UP."""
    now = timezone.now()
    if not _claim(pk, now):
        pending = Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING).exists()
        return BUSY if pending else SKIPPED
    row = Delivery.objects.select_related("message__user").get(pk=pk)
    pending = Delivery.objects.filter(pk=pk, status=Delivery.Status.PENDING)
    address = _address(row)
    if not address:
        pending.update(status=Delivery.Status.CANCELLED, locked_until=None, last_error="channel off or no address")
        return CANCELLED
    try:
        provider_id = gateway(row.channel).send(row, address)
    except GatewayError as exc:
        done = timezone.now()
        attempts = row.attempts + 1
        give_up = exc.permanent or attempts >= MAX_ATTEMPTS
        pending.update(
            attempts=F("attempts") + 1, last_error=str(exc)[:300], locked_until=None,
            status=Delivery.Status.FAILED if give_up else Delivery.Status.PENDING,
            next_attempt_at=None if give_up else done + timedelta(seconds=backoff(attempts)),
        )
        log.warning("delivery %s (%s) failed, attempt %s: %s", pk, row.channel, attempts, exc)
        return GAVE_UP if give_up else FAILED
    done = timezone.now()
    pending.update(status=Delivery.Status.SENT, sent_at=done, attempts=F("attempts") + 1, locked_until=None,
                   last_error="", provider_id=provider_id or "")
    return SENT


def due_deliveries(limit: int = 500):
    """Pending rows whose back-off has passed and that no live attempt holds (for the beat task)."""
    now = timezone.now()
    return (
        Delivery.objects.filter(status=Delivery.Status.PENDING)
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .order_by("pk")
        .values_list("pk", flat=True)[:limit]
    )


# --- tasks (here rather than in portal/tasks.py, which is composition: the kernel imports no app) ------
@shared_task(bind=True, max_retries=6, name="portal.notifications.send_delivery")
def send_delivery(self, delivery_id: int) -> str:
    """Send one e-mail/SMS of the outbox; on failure retry with back-off (the beat task covers what retries miss).

    If another attempt holds the row (a worker killed mid-send leaves its lease and the message comes
    back at once), try again when that lease has run out instead of dropping it.
    """
    result = deliver(delivery_id)
    if self.request.is_eager or self.request.retries >= self.max_retries:
        return result
    if result == FAILED:
        raise self.retry(countdown=backoff(self.request.retries + 1))
    if result == BUSY:
        raise self.retry(countdown=lease_seconds() + 1)
    return result


@shared_task(name="portal.notifications.send_pending_deliveries")
def send_pending_deliveries() -> int:
    """Beat: queue every pending e-mail/SMS whose back-off has passed (after a gateway or broker outage)."""
    ids = list(due_deliveries())
    for pk in ids:
        enqueue(pk)
    return len(ids)
