"""Two-factor login (双因素认证) for credit officers, government approvers and superusers.

The policy is ``roles.requires_two_factor``; this module holds the one place that enforces it
(``SecondFactorMiddleware``: until the second factor is verified, every page but the login,
verification and enrolment pages redirects to verification) and the services the views call.
The second factor is a TOTP authenticator app (django-otp's ``TOTPDevice``), throttled after
failed codes (1, 2, 4, 8 … seconds between attempts).
"""

import base64
import math
import time

import segno
from django.db import transaction
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect
from django_otp import login as otp_login
from django_otp.oath import hotp
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal import audit, freshness, roles

# URL names a user may reach while the second factor is still pending.
OPEN_WHILE_PENDING = frozenset({
    "login", "logout", "two_factor", "two_factor_enrol", "set_language", "care_mode", "healthz",
})
DEVICE_NAME = "验证器应用"


class Refused(Exception):
    """A code was refused; ``str(exc)`` is the Chinese message shown beside the field."""


# --- enforcement -------------------------------------------------------------------------------------
class SecondFactorMiddleware:
    """After django-otp's middleware: a user who still owes the second factor sees only the login,
    verification and enrolment pages; everything else redirects to verification (then back)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or (match.url_name in OPEN_WHILE_PENDING and not match.namespace):
            return None
        if not roles.second_factor_pending(request.user):
            return None
        target = reverse("two_factor")
        if request.method in ("GET", "HEAD"):
            target += "?" + urlencode({"next": request.get_full_path()})
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return HttpResponseRedirect(target)


def safe_next(request, fallback: str = "workspace") -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(fallback)


# --- devices -----------------------------------------------------------------------------------------
def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).order_by("pk").first()


def pending_enrolment(user) -> TOTPDevice:
    """The unconfirmed device shown on the enrolment page; the same key until it is confirmed."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=False)
    return device


def secret_base32(device: TOTPDevice) -> str:
    return base64.b32encode(device.bin_key).decode("ascii").rstrip("=")


def secret_groups(device: TOTPDevice) -> list[str]:
    """The key for manual entry in groups of four characters."""
    secret = secret_base32(device)
    return [secret[i:i + 4] for i in range(0, len(secret), 4)]


def qr_data_uri(device: TOTPDevice) -> str:
    """The ``otpauth://`` URI as an SVG QR code in a data URI (the CSP allows ``img-src data:``)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)


def next_code(device: TOTPDevice) -> str:
    """The code an authenticator app would show now that the device still accepts (a code is
    accepted once; a second login in the same 30 seconds takes the next step's code)."""
    device.refresh_from_db()
    now_t = (int(time.time()) - device.t0) // device.step + device.drift
    for t in range(now_t, now_t + device.tolerance + 1):
        if t > device.last_t:
            return f"{hotp(device.bin_key, t, digits=device.digits):0{device.digits}d}"
    raise Refused(_("本时段的动态验证码已经用过，请等待30秒后再试。"))


# --- checking a code ---------------------------------------------------------------------------------
def _normalise(token: str) -> str:
    return "".join((token or "").split())


def throttle_message(device: TOTPDevice) -> str | None:
    """A Chinese refusal while the device is throttled after failed codes, else None."""
    allowed, data = device.verify_is_allowed()
    if allowed:
        return None
    seconds = max(1, math.ceil(((data or {}).get("locked_until", timezone.now()) - timezone.now()).total_seconds()))
    return _("错误次数过多，请在%(seconds)s秒后再试。") % {"seconds": seconds}


def check_code(device: TOTPDevice, token: str) -> None:
    """Verify ``token`` on ``device`` (locked row, throttled). Raises ``Refused`` with a Chinese message."""
    token = _normalise(token)
    # The refusal is raised after the block: the failure count must be committed, not rolled back.
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().get(pk=device.pk)
        refusal = throttle_message(device)
        if refusal is None and not (token.isdigit() and len(token) == device.digits):
            device.throttle_increment()
            refusal = _("请输入验证器应用显示的6位数字动态验证码。")
        if refusal is None and not device.verify_token(token):
            refusal = _("动态验证码不正确或已过期，请查看验证器应用中最新的验证码。")
    if refusal:
        raise Refused(refusal)


def _complete(request, device: TOTPDevice) -> None:
    """The second factor is proved: remember the device in a fresh session key, and count it as a
    fresh proof of identity for re-authentication."""
    otp_login(request, device)
    request.session.cycle_key()
    freshness.mark(request)


def verify(request, token: str) -> TOTPDevice:
    """Check a code from the user's confirmed device and complete the login."""
    user = request.user
    device = confirmed_device(user)
    if device is None:
        raise Refused(_("您还没有绑定验证器应用。"))
    try:
        check_code(device, token)
    except Refused:
        device.refresh_from_db()
        audit.record("auth.two_factor.failed", obj=user, actor=user, summary=_("动态验证码错误"),
                     data={"failures": device.throttling_failure_count}, request=request)
        raise
    _complete(request, device)
    audit.record("auth.two_factor.verified", obj=user, actor=user, summary=_("动态验证码登录验证通过"), request=request)
    return device


def confirm_enrolment(request, device: TOTPDevice, token: str) -> TOTPDevice:
    """The first code from the new authenticator confirms the device and completes the login."""
    user = request.user
    if device.user_id != user.pk or device.confirmed:
        raise Refused(_("绑定已失效，请刷新页面后重试。"))
    check_code(device, token)
    with transaction.atomic():
        TOTPDevice.objects.filter(pk=device.pk).update(confirmed=True)
        device.confirmed = True
        audit.record("auth.two_factor.enrolled", obj=user, actor=user, summary=_("绑定验证器应用"), request=request)
    _complete(request, device)
    return device


@transaction.atomic
def reset_devices(user, *, actor, request=None) -> int:
    """An administrator removes the user's authenticator (lost phone): the next login enrols anew."""
    count, _per_model = TOTPDevice.objects.filter(user=user).delete()
    audit.record("auth.two_factor.reset", obj=user, actor=actor, summary=_("管理员重置双因素认证设备"),
                 data={"devices": count}, request=request)
    return count


# Demo accounts that need two-factor login get a confirmed authenticator with this fixed key, so a
# person trying the demo can log in: `python manage.py demo_otp_code <username>` prints the current
# code (DEBUG only), or add the key seed_demo prints to any authenticator app. Demo only.
DEMO_KEY = b"chengnuo-demo-otp-20".hex()
DEMO_NOTE = " · 需动态验证码"


def demo_device(user, key_hex: str = DEMO_KEY) -> TOTPDevice:
    """A confirmed device with the fixed demo key (``seed_demo`` refuses to run with DEBUG off)."""
    device, _created = TOTPDevice.objects.update_or_create(
        user=user, name=DEVICE_NAME, defaults={"key": key_hex, "confirmed": True}
    )
    return device
