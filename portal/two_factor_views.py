"""The second login step: enter the 6-digit code, or enrol an authenticator app the first time."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from portal import roles, two_factor


class CodeForm(forms.Form):
    token = forms.CharField(
        label=gettext_lazy("6位动态验证码"), max_length=12, strip=True,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True,
                                      "pattern": r"[0-9 ]*"}),
        error_messages={"required": gettext_lazy("请输入验证器应用显示的6位动态验证码。")},
    )

    def __init__(self, *args, check, **kwargs):
        super().__init__(*args, **kwargs)
        self._check = check

    def clean_token(self):
        token = self.cleaned_data["token"]
        try:
            self._check(token)
        except two_factor.Refused as exc:
            raise forms.ValidationError(str(exc), code="refused") from None
        return token


def _with_next(name: str, next_url: str) -> str:
    return reverse(name) + ("?" + urlencode({"next": next_url}) if next_url else "")


@never_cache
@login_required
def verify(request):
    """Second step of the login for accounts that need two-factor authentication."""
    next_url = two_factor.safe_next(request)
    if not roles.second_factor_pending(request.user):
        return redirect(next_url)
    if two_factor.confirmed_device(request.user) is None:
        return redirect(_with_next("two_factor_enrol", next_url))
    return _code_step(request, next_url, lambda token: two_factor.verify(request, token),
                      "registration/two_factor_verify.html")


@never_cache
@login_required
def enrol(request):
    """First login: bind an authenticator app (scan the QR code or type the key), confirm with a code."""
    next_url = two_factor.safe_next(request)
    if not roles.second_factor_pending(request.user):
        return redirect(next_url)
    if two_factor.confirmed_device(request.user) is not None:
        return redirect(_with_next("two_factor", next_url))
    device = two_factor.pending_enrolment(request.user)
    return _code_step(
        request, next_url, lambda token: two_factor.confirm_enrolment(request, device, token),
        "registration/two_factor_enrol.html",
        {"qr": two_factor.qr_data_uri(device), "secret_groups": two_factor.secret_groups(device)},
        done=_("验证器应用已绑定。以后登录时，输入密码后还需输入应用显示的动态验证码。"),
    )


def _code_step(request, next_url, check, template, context=None, done=None):
    """The code form of either page: a valid code (``check`` raises ``Refused`` otherwise) → ``next``."""
    form = CodeForm(request.POST or None, check=check)
    if request.method == "POST" and form.is_valid():
        if done:
            messages.success(request, done)
        return redirect(next_url)
    return render(request, template, {"form": form, "next": next_url, **(context or {})})
