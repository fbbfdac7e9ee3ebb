"""Django's auth forms with Chinese labels and messages tuned for citizens."""

from django import forms
from django.contrib.auth import forms as auth_forms
from django.utils.translation import gettext_lazy as _


class LoginForm(auth_forms.AuthenticationForm):
    username = forms.CharField(label=_("用户名或手机号码"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    error_messages = {
        "invalid_login": _("用户名（手机号码）或密码不正确。连续输错5次将暂时锁定15分钟。"),
        "inactive": _("该账号已停用，请联系管理员。"),
    }


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    pass


class PasswordResetForm(auth_forms.PasswordResetForm):
    email = forms.EmailField(label=_("注册时填写的电子邮箱"), max_length=254)


class SetPasswordForm(auth_forms.SetPasswordForm):
    pass
