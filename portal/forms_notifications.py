from django import forms
from django.utils.translation import gettext_lazy as _


class NotificationSettingsForm(forms.Form):
    """提醒方式: the in-portal message always; e-mail and SMS as the user chooses."""

    by_sms = forms.BooleanField(label=_("短信提醒（发送到注册手机号）"), required=False)
    by_email = forms.BooleanField(label=_("邮件提醒"), required=False)
    email = forms.EmailField(
        label=_("电子邮箱"), required=False, max_length=254,
        error_messages={"invalid": _("请填写正确的电子邮箱地址，例如 zhangsan@example.com。")},
    )

    def __init__(self, *args, user, sms_available: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.user, self.sms_available = user, sms_available
        if not user.mobile:
            self.fields["by_sms"].disabled = True
            self.fields["by_sms"].help_text = _("您的账号没有登记手机号码，不能接收短信提醒。")
        elif not sms_available:
            self.fields["by_sms"].disabled = True
            self.fields["by_sms"].help_text = _("本平台暂未开通短信提醒。")
        else:
            self.fields["by_sms"].help_text = _("短信只提示事由，详情请登录查看。手机号：%(m)s") % {
                "m": f"{user.mobile[:3]}****{user.mobile[-4:]}"}
        self.fields["email"].help_text = _("留空则不发送邮件提醒。")

    def clean(self):
        data = super().clean()
        if data.get("by_email") and not data.get("email"):
            self.add_error("email", _("选择邮件提醒时，请填写接收提醒的电子邮箱。"))
        return data
