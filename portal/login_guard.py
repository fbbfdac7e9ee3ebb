"""Login protection per account and per password (登录防护), beside django-axes' per-address lock.

- **Per account**, whatever address the attempts come from: after ``LOGIN_DELAY_AFTER`` failures in
  a row each further attempt must wait 1, 2, 4 … seconds (at most ``LOGIN_MAX_DELAY_SECONDS``); after
  ``LOGIN_ACCOUNT_LOCK_FAILURES`` the account is locked for ``LOGIN_ACCOUNT_LOCK_MINUTES`` — even the
  right password is refused — and its holder is told by e-mail. A success resets the count. Names
  that match no account are counted the same way, so the answers tell nothing about which exist.
- **Per password, across accounts** (password spraying): when one password has failed
  ``LOGIN_PASSWORD_FAILURE_LIMIT`` times within an hour, on any accounts, it is refused for every
  account for ``LOGIN_PASSWORD_BLOCK_MINUTES``. Only a keyed hash of the password tried is stored.
- django-axes still locks one username from one address after ``AXES_FAILURE_LIMIT`` failures.

Every failure, refusal and lock is written to the audit trail (portal/security_events.py).
"""

import datetime
import hashlib
import hmac

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit
from portal.models import LoginThrottle

PASSWORD_WINDOW = datetime.timedelta(hours=1)


def _setting(name, default):
    return getattr(settings, name, default)


def _key(kind: str, value: str) -> str:
    secret = hmac.new(settings.FIELD_ENCRYPTION_KEY.encode("utf-8"), b"chengnuo.login-guard", hashlib.sha256).digest()
    return hmac.new(secret, f"{kind}:{value}".encode(), hashlib.sha256).hexdigest()


def account_key(user, username: str) -> str:
    """Attempts by username and by mobile number count together for an existing account."""
    if user is not None:
        return _key("user", str(user.pk))
    return _key("name", (username or "").strip().lower())


def password_key(password: str) -> str:
    return _key("password", password or "")


def _row(scope, key, now):
    row = LoginThrottle.objects.select_for_update().filter(scope=scope, key=key).first()
    if row is None:
        row, _created = LoginThrottle.objects.get_or_create(scope=scope, key=key, defaults={"window_start": now})
        row = LoginThrottle.objects.select_for_update().get(pk=row.pk)
    return row


def _wait_text(until, now) -> str:
    seconds = max(1, int((until - now).total_seconds() + 0.999))
    if seconds < 120:
        return _("%(n)s秒") % {"n": seconds}
    return _("%(n)s分钟") % {"n": (seconds + 59) // 60}


def refusal(user, username: str, password: str, now=None) -> tuple[str, str] | None:
    """(reason, Chinese message) when this attempt must be refused before the password is checked."""
    now = now or timezone.now()
    account = LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ACCOUNT, key=account_key(user, username)).first()
    if account is not None:
        if account.locked_until and account.locked_until > now:
            return "account_locked", _(
                "该账号因连续多次登录失败已被暂时锁定，请%(wait)s后再试，或通过“找回密码”重置密码。"
            ) % {"wait": _wait_text(account.locked_until, now)}
        if account.next_attempt_at and account.next_attempt_at > now:
            return "account_delayed", _("登录失败次数较多，请%(wait)s后再试。") % {
                "wait": _wait_text(account.next_attempt_at, now)}
    sprayed = LoginThrottle.objects.filter(scope=LoginThrottle.Scope.PASSWORD, key=password_key(password),
                                           locked_until__gt=now).first()
    if sprayed is not None:
        return "password_blocked", _(
            "该密码近期在多个账号上登录失败，为防范撞库已暂停用于登录。请通过“找回密码”设置新密码，或稍后再试。"
        )
    return None


def record_failure(request, user, username: str, password: str, now=None) -> None:
    """Count a wrong password (or unknown name) against the account and against the password tried."""
    now = now or timezone.now()
    delay_after = _setting("LOGIN_DELAY_AFTER", 3)
    lock_failures = _setting("LOGIN_ACCOUNT_LOCK_FAILURES", 10)
    with transaction.atomic():
        account = _row(LoginThrottle.Scope.ACCOUNT, account_key(user, username), now)
        if account.locked_until and account.locked_until <= now:
            account.failures, account.locked_until, account.window_start = 0, None, now  # a lock served
        if now - account.window_start > datetime.timedelta(hours=_setting("LOGIN_FAILURE_WINDOW_HOURS", 24)):
            account.failures, account.window_start = 0, now
        account.failures += 1
        locked = account.failures >= lock_failures
        if locked:
            account.locked_until = now + datetime.timedelta(minutes=_setting("LOGIN_ACCOUNT_LOCK_MINUTES", 30))
            account.next_attempt_at = None
        elif account.failures >= delay_after:
            delay = min(2 ** (account.failures - delay_after), _setting("LOGIN_MAX_DELAY_SECONDS", 60))
            account.next_attempt_at = now + datetime.timedelta(seconds=delay)
        account.save()

        spray = _row(LoginThrottle.Scope.PASSWORD, password_key(password), now)
        if now - spray.window_start > PASSWORD_WINDOW:
            spray.failures, spray.window_start = 0, now
        spray.failures += 1
        spray_blocked = spray.failures == _setting("LOGIN_PASSWORD_FAILURE_LIMIT", 20)
        if spray_blocked:
            spray.locked_until = now + datetime.timedelta(minutes=_setting("LOGIN_PASSWORD_BLOCK_MINUTES", 60))
        spray.save()

        audit.record("auth.login.failed", obj=user, request=request, summary=_("登录失败：密码错误或账号不存在"),
                     data={"account_failures": account.failures, "known_account": user is not None})
        if locked:
            audit.record("auth.login.account_locked", obj=user, request=request,
                         summary=_("连续%(n)s次登录失败，账号锁定至 %(until)s") % {
                             "n": account.failures, "until": timezone.localtime(account.locked_until).strftime("%H:%M")},
                         data={"locked_until": account.locked_until.isoformat()})
            if user is not None and user.email:
                transaction.on_commit(lambda: _notify_lock(user, account.locked_until))
        if spray_blocked:
            audit.record("auth.login.password_blocked", request=request,
                         summary=_("同一密码在多个账号上登录失败达%(n)s次，暂停用于登录") % {"n": spray.failures},
                         data={"password_key": spray.key[:12]})


def record_refusal(request, user, reason: str) -> None:
    audit.record("auth.login.refused", obj=user, request=request, summary=_("登录被拒绝（登录防护）"),
                 data={"reason": reason, "known_account": user is not None})


def record_success(user) -> None:
    """The right password from anywhere ends the account's run of failures (not a lock: refused before)."""
    LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ACCOUNT, key=account_key(user, "")).delete()


def _notify_lock(user, until) -> None:
    context = {"user": user, "until": timezone.localtime(until), "minutes": _setting("LOGIN_ACCOUNT_LOCK_MINUTES", 30)}
    send_mail(
        _("【承诺通】您的账号因多次登录失败已被暂时锁定"),
        render_to_string("registration/account_locked_email.txt", context),
        None, [user.email], fail_silently=True,
    )


def unlock(user, *, actor, request=None) -> None:
    """An administrator lifts an account's lock (the holder called in, identity checked)."""
    with transaction.atomic():
        LoginThrottle.objects.filter(scope=LoginThrottle.Scope.ACCOUNT, key=account_key(user, "")).delete()
        audit.record("auth.login.unlocked", obj=user, actor=actor, request=request, summary=_("管理员解除登录锁定"))
