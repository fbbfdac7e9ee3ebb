"""Registration forms. Every message is Chinese and sits beside its field."""

import re

from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import identifiers
from portal.models import BindingCode, Subject, User

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
    """A citizen's account. No ID number here: the account is bound to a record only by proofing (portal.identity),
    so registration cannot tell anyone whether a number is known."""

    full_name = forms.CharField(label=_("姓名"), max_length=50)
    field_order = ["full_name", "mobile", "email", "password1", "password2", "agree"]

    def clean_full_name(self):
        name = self.cleaned_data["full_name"].strip()
        if not name:
            raise ValidationError(_("请填写姓名。"))
        return name

    def _display_name(self):
        return self.cleaned_data.get("full_name", "")


class EnterpriseRegistrationForm(_AccountFields):
    """An enterprise contact's account, bound to the enterprise afterwards (legal representative's proofing or counter code)."""

    contact_name = forms.CharField(label=_("经办人姓名"), max_length=50)
    field_order = ["contact_name", "mobile", "email", "password1", "password2", "agree"]

    def clean_contact_name(self):
        name = self.cleaned_data["contact_name"].strip()
        if not name:
            raise ValidationError(_("请填写经办人姓名。"))
        return name

    def _display_name(self):
        return self.cleaned_data.get("contact_name", "")


def _either_identifier(value: str) -> str:
    """A resident ID number or a USCC (both 18 characters), validated as what it looks like."""
    number = identifiers.normalise(value)
    if number[:17].isdigit():
        return identifiers.validate_resident_id(number)
    return identifiers.validate_uscc(number)


class EnterpriseProofingForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=18, min_length=18,
                           help_text=_("由法定代表人本人认证；认证后与市场主体登记的法定代表人比对。"))

    def clean_uscc(self):
        return identifiers.validate_uscc(self.cleaned_data["uscc"])


class BindingCodeEntryForm(forms.Form):
    id_number = forms.CharField(label=_("证件号码"), max_length=18, min_length=18,
                                help_text=_("个人填写居民身份证号码，企业填写统一社会信用代码，须与窗口核验的证件一致。"))
    code = forms.CharField(label=_("绑定码"), max_length=12, min_length=8,
                           help_text=_("窗口工作人员核验证件后发给您的8位绑定码，30分钟内有效，只能使用一次。"))

    def clean_id_number(self):
        return _either_identifier(self.cleaned_data["id_number"])

    def clean_code(self):
        return identifiers.normalise(self.cleaned_data["code"])


class IssueBindingCodeForm(forms.Form):
    """Counter: the clerk has the ID document in hand (or the agent's letter with the enterprise's licence)."""

    kind = forms.ChoiceField(label=_("主体类型"), choices=Subject.Kind.choices, initial=Subject.Kind.PERSON)
    name = forms.CharField(label=_("姓名或企业名称（按证件填写）"), max_length=100)
    id_number = forms.CharField(label=_("证件号码（按证件填写）"), max_length=18, min_length=18)
    basis = forms.ChoiceField(label=_("已核验的证件"), choices=[])
    holder_name = forms.CharField(label=_("领取人姓名"), max_length=50, required=False,
                                  help_text=_("企业经办人或监护人领取时填写。"))

    BASES = {
        Subject.Kind.PERSON: ("id_card", "guardian"),
        Subject.Kind.ORGANISATION: ("agent_letter", "legal_representative"),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["basis"].choices = BindingCode.Basis.choices

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError(_("请按证件填写姓名或名称。"))
        return name

    def clean(self):
        cleaned = super().clean()
        kind, number, basis = cleaned.get("kind"), cleaned.get("id_number"), cleaned.get("basis")
        if kind and number:
            try:
                if kind == Subject.Kind.PERSON:
                    cleaned["id_number"] = identifiers.validate_resident_id(number)
                else:
                    cleaned["id_number"] = identifiers.validate_uscc(number)
            except ValidationError as error:
                self.add_error("id_number", error)
        if kind and basis and basis not in self.BASES.get(kind, ()):
            self.add_error("basis", _("所选证件与主体类型不符：个人核验身份证件，企业核验授权委托书或法定代表人证件。"))
        if basis in ("agent_letter", "guardian") and not cleaned.get("holder_name", "").strip():
            self.add_error("holder_name", _("经办人或监护人领取时，请填写领取人姓名。"))
        return cleaned
