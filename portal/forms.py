"""Registration forms. Every message is Chinese and sits beside its field."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import identifiers
from portal.models import Subject, User

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")


class _AccountFields(forms.Form):
    mobile = forms.CharField(label=_("手机号码"), max_length=11, help_text=_("用于登录和接收办理进度通知。"))
    email = forms.EmailField(label=_("电子邮箱（选填）"), required=False, help_text=_("用于找回密码。"))
    password1 = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("至少8位，不能全是数字，不能与个人信息过于相似。"),
    )
    password2 = forms.CharField(
        label=_("确认密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )
    agree = forms.BooleanField(label=_("我已阅读并同意《用户服务协议》和《隐私政策》"))

    def clean_mobile(self):
        mobile = self.cleaned_data["mobile"].strip()
        if not MOBILE_RE.match(mobile):
            raise ValidationError(_("请输入11位中国大陆手机号码。"))
        if User.objects.filter(mobile=mobile).exists() or User.objects.filter(username=mobile).exists():
            raise ValidationError(_("该手机号码已注册，请直接登录或找回密码。"))
        return mobile

    def clean(self):
        cleaned = super().clean()
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("两次输入的密码不一致。"))
        elif p1:
            probe = User(username=cleaned.get("mobile", ""), full_name=self._display_name(), email=cleaned.get("email", ""))
            try:
                password_validation.validate_password(p1, probe)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def _display_name(self) -> str:
        return ""


class PersonRegistrationForm(_AccountFields):
    full_name = forms.CharField(label=_("姓名"), max_length=50)
    id_number = forms.CharField(
        label=_("居民身份证号码"), max_length=18, min_length=15,
        help_text=_("港澳台居民请填写居住证号码，外国人请填写永久居留身份证号码（18位）。"),
    )
    field_order = ["full_name", "id_number", "mobile", "email", "password1", "password2", "agree"]

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise ValidationError(_("请填写姓名。"))
        return name

    def clean_id_number(self):
        number = identifiers.validate_resident_id(self.cleaned_data["id_number"])
        if User.objects.filter(subject__in=Subject.objects.by_identifier(Subject.Kind.PERSON, number)).exists():
            raise ValidationError(_("该身份证号码已注册账号，请直接登录；如忘记密码，可通过“找回密码”重置。"))
        return number

    def _display_name(self):
        return self.cleaned_data.get("full_name", "")


class EnterpriseRegistrationForm(_AccountFields):
    name = forms.CharField(label=_("企业（组织）名称"), max_length=100)
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18)
    legal_representative = forms.CharField(label=_("法定代表人"), max_length=50)
    contact_name = forms.CharField(label=_("经办人姓名"), max_length=50)
    field_order = ["name", "uscc", "legal_representative", "contact_name", "mobile", "email", "password1", "password2", "agree"]

    def clean_uscc(self):
        number = identifiers.validate_uscc(self.cleaned_data["uscc"])
        if User.objects.filter(subject__in=Subject.objects.by_identifier(Subject.Kind.ORGANISATION, number)).exists():
            raise ValidationError(_("该统一社会信用代码已注册账号，请由原经办人登录，或联系窗口办理变更。"))
        return number

    def _display_name(self):
        return self.cleaned_data.get("contact_name", "")
