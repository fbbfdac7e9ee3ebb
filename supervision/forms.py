from django import forms
from django.utils.translation import gettext_lazy as _

from portal.figures import Period
from portal.models import Agency
from portal.scope import Scope


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NoticeForm(forms.Form):
    title = forms.CharField(label=_("标题"), max_length=120)
    period_start = forms.DateField(label=_("统计期间起"), widget=DateInput())
    period_end = forms.DateField(label=_("统计期间止"), widget=DateInput())
    body = forms.CharField(label=_("通报内容"), widget=forms.Textarea(attrs={"rows": 12}), max_length=8000,
                           help_text=_("已根据统计数据生成初稿，请核对并修改。不得写入个人姓名、证件号码等个人信息。"))
    praised = forms.ModelMultipleChoiceField(
        label=_("通报表扬的机关"), queryset=Agency.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple)
    criticised = forms.ModelMultipleChoiceField(
        label=_("督促整改的机关"), queryset=Agency.objects.none(), required=False,
        widget=forms.CheckboxSelectMultiple, help_text=_("被点名的机关登录后可在“督查通报”中看到本通报。"))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = scope.agencies().only("pk", "name", "path")
        self.fields["praised"].queryset = agencies
        self.fields["criticised"].queryset = agencies

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("统计期间止不能早于统计期间起。"))
        both = set(data.get("praised") or []) & set(data.get("criticised") or [])
        if both:
            self.add_error("criticised", _("同一机关不能既被表扬又被督促整改。"))
        return data

    @property
    def period(self) -> Period:
        return Period(self.cleaned_data["period_start"], self.cleaned_data["period_end"])
