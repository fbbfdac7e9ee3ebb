"""Forms of the credit app. Every error is in Chinese and shown beside its field."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import identifiers
from portal.models import Subject
from portal.reauth import ReauthFormMixin

from . import files
from .models import DishonestyRecord, Objection, Severity, SeverityPolicy
from .services import REPAIR_COMMITMENT

REQUIRED = {"required": _("请填写此项。")}


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several PDF/JPG/PNG files, each ≤ 10 MB and checked by content."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}))
        kwargs.setdefault("error_messages", {"required": _("请上传至少一个文件。"), "invalid": _("上传的文件无效。"),
                                             "empty": _("上传的文件是空文件。")})
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        uploads = [single(d, initial) for d in data] if isinstance(data, list | tuple) else ([single(data, initial)] if data else [])
        uploads = [u for u in uploads if u]
        if self.required and not uploads:
            raise ValidationError(self.error_messages["required"], code="required")
        if len(uploads) > 10:
            raise ValidationError(_("一次最多上传 10 个文件。"), code="too_many")
        errors = []
        for upload in uploads:
            try:
                files.check_upload(upload)
            except ValidationError as exc:
                errors.extend(exc.error_list)
        if errors:
            raise ValidationError(errors)
        return uploads


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class RecordForm(ReauthFormMixin, forms.Form):
    """A credit officer enters a dishonesty record (a false commitment may put the subject on the public
    blacklist), so the officer confirms who they are, as for revoking, repairs and objections."""

    subject_kind = forms.ChoiceField(label=_("主体类型"), choices=Subject.Kind.choices, widget=forms.RadioSelect,
                                     initial=Subject.Kind.PERSON, error_messages=REQUIRED)
    subject_name = forms.CharField(label=_("主体名称（姓名或单位名称）"), max_length=100, error_messages=REQUIRED)
    id_number = forms.CharField(label=_("证件号码（居民身份证号或统一社会信用代码）"), max_length=20, error_messages=REQUIRED)
    kind = forms.ChoiceField(label=_("失信类型"), choices=DishonestyRecord.Kind.choices, widget=forms.RadioSelect,
                             initial=DishonestyRecord.Kind.FALSE_COMMITMENT, error_messages=REQUIRED)
    commitment_ref = forms.CharField(label=_("承诺书编号"), max_length=64, required=False,
                                     help_text=_("失信类型为“虚假承诺”时必填。"))
    basis = forms.CharField(label=_("认定依据"), max_length=300, required=False,
                            help_text=_("失信类型为“其他失信行为”时必填，写明法律法规名称及条款。"))
    severity = forms.ChoiceField(label=_("失信程度"), choices=Severity.choices, error_messages=REQUIRED)
    publicity_months = forms.IntegerField(label=_("公示期（月）"), required=False, min_value=0, max_value=60,
                                          help_text=_("不填则按失信分级规则的默认公示期。"),
                                          error_messages={"invalid": _("请输入整数月数。"), "min_value": _("公示期不能为负数。"),
                                                          "max_value": _("公示期最长 60 个月。")})
    decision_number = forms.CharField(label=_("决定文号"), max_length=64, error_messages=REQUIRED)
    decision_date = forms.DateField(label=_("决定日期"), widget=DateInput(),
                                    error_messages={**REQUIRED, "invalid": _("请按“年-月-日”格式填写日期。")})
    deciding_agency = forms.ModelChoiceField(label=_("认定机关"), queryset=None, error_messages={
        **REQUIRED, "invalid_choice": _("请选择您管辖范围内的机关。")})
    facts = forms.CharField(label=_("失信事实"), widget=forms.Textarea(attrs={"rows": 4}), error_messages=REQUIRED)

    def __init__(self, *args, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["deciding_agency"].queryset = agencies

    def clean(self):
        data = super().clean()
        kind, number = data.get("subject_kind"), data.get("id_number")
        if number and kind:
            try:
                validate = identifiers.validate_resident_id if kind == Subject.Kind.PERSON else identifiers.validate_uscc
                data["id_number"] = validate(number)
            except ValidationError as exc:
                self.add_error("id_number", exc)
        if data.get("kind") == DishonestyRecord.Kind.FALSE_COMMITMENT and not data.get("commitment_ref"):
            self.add_error("commitment_ref", _("虚假承诺须填写对应的承诺书编号。"))
        if data.get("kind") == DishonestyRecord.Kind.OTHER and not data.get("basis"):
            self.add_error("basis", _("其他失信行为须写明认定依据。"))
        return data


class RepairForm(forms.Form):
    rectification = forms.CharField(label=_("整改情况"), widget=forms.Textarea(attrs={"rows": 5}),
                                    help_text=_("说明已经采取的整改措施和结果。"), error_messages=REQUIRED)
    proof = MultipleFileField(label=_("整改证明材料"), help_text=_("PDF、JPG 或 PNG，每个文件不超过 10 MB，可选择多个。"))
    agree = forms.BooleanField(label=REPAIR_COMMITMENT, error_messages={"required": _("请阅读并勾选信用修复承诺。")})


class ObjectionForm(forms.Form):
    reasons = forms.CharField(label=_("异议理由"), widget=forms.Textarea(attrs={"rows": 5}),
                              help_text=_("说明记录哪里有误，以及您掌握的事实。"), error_messages=REQUIRED)
    attachments = MultipleFileField(label=_("证明材料（可选）"), required=False,
                                    help_text=_("PDF、JPG 或 PNG，每个文件不超过 10 MB，可选择多个。"))


class RepairDecisionForm(ReauthFormMixin, forms.Form):
    decision = forms.ChoiceField(label=_("审核结果"), widget=forms.RadioSelect, error_messages=REQUIRED,
                                 choices=[("approve", _("准予修复")), ("refuse", _("不予修复"))])
    reason = forms.CharField(label=_("审核意见"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                             help_text=_("不予修复时必须写明理由。"))

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not data.get("reason", "").strip():
            self.add_error("reason", _("不予修复须写明理由。"))
        return data


class ObjectionDecisionForm(ReauthFormMixin, forms.Form):
    outcome = forms.ChoiceField(label=_("处理结果"), widget=forms.RadioSelect, error_messages=REQUIRED, choices=[
        ("maintained", Objection.Status.MAINTAINED.label), ("corrected", _("更正记录")), ("revoked", _("撤销记录"))])
    reason = forms.CharField(label=_("处理意见"), widget=forms.Textarea(attrs={"rows": 3}), error_messages=REQUIRED)
    severity = forms.ChoiceField(label=_("更正后的失信程度"), choices=[("", _("不变"))] + list(Severity.choices), required=False)
    facts = forms.CharField(label=_("更正后的失信事实"), widget=forms.Textarea(attrs={"rows": 3}), required=False,
                            help_text=_("仅在“更正记录”时填写；不填则不变。"))


class RevokeForm(ReauthFormMixin, forms.Form):
    reason = forms.CharField(label=_("撤销理由"), widget=forms.Textarea(attrs={"rows": 3}),
                             error_messages={"required": _("撤销须写明理由。")})


class PolicyForm(ReauthFormMixin, forms.ModelForm):
    """失信分级规则: which severity blacklists and bars commitments — changed only after 确认身份."""

    class Meta:
        model = SeverityPolicy
        fields = ["min_publicity_months", "default_publicity_months", "max_publicity_months",
                  "mandatory_onsite", "blacklists", "min_months_before_repair", "repair_cooldown_months"]

    def clean(self):
        data = super().clean()
        low, default, high = (data.get(k) for k in ("min_publicity_months", "default_publicity_months", "max_publicity_months"))
        if None not in (low, default, high) and not low <= default <= high:
            self.add_error("default_publicity_months", _("默认公示期应在最短和最长公示期之间。"))
        if high is not None and high > 60:
            self.add_error("max_publicity_months", _("最长公示期不超过 60 个月。"))
        return data


class LookupForm(forms.Form):
    kind = forms.ChoiceField(label=_("主体类型"), choices=Subject.Kind.choices, widget=forms.RadioSelect,
                             initial=Subject.Kind.PERSON, error_messages=REQUIRED)
    id_number = forms.CharField(label=_("证件号码"), max_length=20, error_messages=REQUIRED)

    def clean(self):
        data = super().clean()
        if data.get("kind") and data.get("id_number"):
            validate = identifiers.validate_resident_id if data["kind"] == Subject.Kind.PERSON else identifiers.validate_uscc
            try:
                data["id_number"] = validate(data["id_number"])
            except ValidationError as exc:
                self.add_error("id_number", exc)
        return data
