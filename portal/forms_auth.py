"""Django's auth forms with Chinese labels and messages tuned for citizens."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.CharField(label=_("用户名或手机号码"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": _("用户名（手机号码）或密码不正确。多次输错将须等待后再试，并可能暂时锁定账号。"),
        "inactive": _("该账号已停用，请联系管理员。"),
    }

    def get_invalid_login_error(self):
        """The login protection's own answer (wait, locked, password paused) when it refused."""
        from django.core.exceptions import ValidationError

        from portal.auth import REFUSAL_ATTRIBUTE

        message = getattr(self.request, REFUSAL_ATTRIBUTE, None)
        if message:
            return ValidationError(message, code="throttled")
        return super().get_invalid_login_error()


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(label=_("注册时填写的电子邮箱"), max_length=254)


class SetPasswordForm(auth_forms.SetPasswordForm):
    pass
