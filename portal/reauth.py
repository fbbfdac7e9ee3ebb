"""Re-authentication (确认身份) before actions that put someone on — or take someone off — a public
list, or approve and publish a catalogue.

A form that guards such an action mixes in ``ReauthFormMixin`` (``ConfirmIdentityForm`` when the
action has no other field): it gets a “确认身份” field that takes the login password or a 6-digit
code from the user's authenticator app. The field may be left empty when the user proved who they
are within ``settings.REAUTH_MINUTES`` (a timestamp in the session, ``portal.freshness``, set by
the login, by the second-factor step and by a successful confirmation). Failed attempts share the authenticator's
throttle (1, 2, 4 … seconds) and are written to the audit trail.
"""

import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal import audit, two_factor
from portal.freshness import SESSION_KEY, is_fresh, mark, minutes  # noqa: F401 (re-exported)

FIELD = "confirm_identity"


def confirm(request, secret: str) -> None:
    """Check the password or a code of the user's authenticator; raise a Chinese ``ValidationError``."""
    user = request.user
    secret = (secret or "").strip()
    device = two_factor.confirmed_device(user)
    try:
        if device is not None and re.fullmatch(r"\d{6}", secret.replace(" ", "")):
            two_factor.check_code(device, secret)
        else:
            refusal = two_factor.throttle_message(device) if device is not None else None
            if refusal:
                raise two_factor.Refused(refusal)
            if not user.check_password(secret):
                if device is not None:
                    device.throttle_increment()
                raise two_factor.Refused(_("登录密码或动态验证码不正确。"))
    except two_factor.Refused as exc:
        audit.record("auth.reauth.failed", obj=user, actor=user, summary=_("确认身份失败"), request=request)
        raise ValidationError(str(exc), code="reauth") from None
    mark(request)
    audit.record("auth.reauth.confirmed", obj=user, actor=user, summary=_("确认身份"), request=request)


class ReauthFormMixin:
    """Adds the “确认身份” field; construct the form with ``request=request``."""

    # No browser-side ``required``: the field sits in forms whose other buttons do not need it.
    use_required_attribute = False

    def __init__(self, *args, request, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        fresh = is_fresh(request)
        self.fields[FIELD] = forms.CharField(
            label=gettext_lazy("确认身份"), required=not fresh, strip=True, max_length=128,
            widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
            error_messages={"required": gettext_lazy("请输入登录密码或6位动态验证码以确认身份。")},
            help_text=(
                _("您在%(n)s分钟内已确认过身份，本次可以不填。") % {"n": minutes()} if fresh
                else _("此操作须再次确认身份：请输入登录密码，或验证器应用显示的6位动态验证码。")
            ),
        )

    def clean_confirm_identity(self):
        secret = self.cleaned_data.get(FIELD, "")
        if not secret and is_fresh(self.request):
            return ""
        if not secret:
            raise ValidationError(self.fields[FIELD].error_messages["required"], code="required")
        confirm(self.request, secret)
        return ""


class ConfirmIdentityForm(ReauthFormMixin, forms.Form):
    """Only the “确认身份” field, for an action that has no other input (e.g. publishing a notice)."""
