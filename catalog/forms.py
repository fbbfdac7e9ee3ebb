from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal.reauth import ReauthFormMixin

from . import importing, negative_list
from .models import (
    AdministrativeService,
    Catalogue,
    CertificationMatter,
    MatterField,
    NegativeListEntry,
    VerificationMethod,
)

APPLICABILITY = [("", _("全部")), ("allowed", _("实行告知承诺")), ("excluded", _("不实行告知承诺"))]


class SearchForm(forms.Form):
    """The public catalogue's search and filters (GET; every field optional)."""

    q = forms.CharField(label=_("证明名称或办理事项"), required=False, max_length=50)
    field = forms.ChoiceField(label=_("领域"), required=False, choices=[("", _("全部领域")), *MatterField.choices])
    agency = forms.ChoiceField(label=_("清单机关"), required=False)
    service = forms.ChoiceField(label=_("办理事项"), required=False)
    applicability = forms.ChoiceField(label=_("是否实行告知承诺"), required=False, choices=APPLICABILITY)

    def __init__(self, *args, agencies=(), services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agency"].choices = [("", _("全部机关")), *((str(a.pk), a.name) for a in agencies)]
        self.fields["service"].choices = [("", _("全部办理事项")), *((str(s.pk), s.name) for s in services)]
        for name in ("field", "agency", "service", "applicability"):
            self.fields[name].widget.attrs["class"] = "form-select"

    SELECTS = ("field", "applicability", "agency", "service")  # in the order the page shows them

    def selects(self, chosen: dict) -> list:
        """(bound field, chosen value) for each drop-down, for ``catalog/_filters.html``."""
        return [(self[name], chosen[name]) for name in self.SELECTS]


class NewVersionForm(forms.Form):
    change_kind = forms.ChoiceField(
        label=_("调整类型"),
        choices=[c for c in Catalogue.ChangeKind.choices if c[0] != Catalogue.ChangeKind.INITIAL],
        help_text=_("按法律依据的“立改废释”情况选择。"),
    )
    change_reason = forms.CharField(
        label=_("调整理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
        error_messages={"required": _("请填写调整理由。")},
    )
    law_reference = forms.CharField(
        label=_("相关法律依据"), required=False, max_length=300,
        help_text=_("例如：《中华人民共和国律师法》（2017年修正）第五条"),
    )

    def __init__(self, *args, first_version=False, **kwargs):
        super().__init__(*args, **kwargs)
        if first_version:
            for name in ("change_kind", "change_reason"):
                self.fields[name].required = False
            self.fields["change_kind"].widget = forms.HiddenInput()


class MatterForm(forms.ModelForm):
    verification_methods = forms.MultipleChoiceField(
        label=_("核查方式"), required=False, choices=VerificationMethod.choices, widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = CertificationMatter
        fields = [
            "seq", "name", "service", "field", "legal_basis_name", "legal_basis_number", "legal_basis_article",
            "legal_basis_level", "requesting_agency", "issuing_unit", "exercise_level", "commitment_allowed",
            "exclusion_category", "exclusion_reason", "proof_content", "commitment_content", "liability_civil",
            "liability_administrative", "liability_criminal", "penalty_basis", "verification_methods",
            "verification_days", "verification_standard", "credit_rule", "high_risk", "annual_volume", "verification_factors",
            "publicity_required", "publicity_place", "publicity_days", "insurance_note", "service_guide",
            "work_rules", "letter_template",
        ]
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in ("legal_basis_article", "exclusion_reason", "proof_content", "commitment_content",
                         "liability_civil", "liability_administrative", "liability_criminal", "penalty_basis", "insurance_note",
                         "service_guide", "work_rules", "verification_standard", "verification_factors")
        } | {"letter_template": forms.Textarea(attrs={"rows": 7})}
        error_messages = {
            name: {"required": _("此项不能为空。")}
            for name in ("seq", "name", "service", "legal_basis_name", "requesting_agency", "exercise_level")
        }

    def __init__(self, *args, services=None, requesting_agencies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seq"].required = False
        self.fields["seq"].help_text = _("留空则排在最后。")
        if services is not None:
            self.fields["service"].queryset = services
        if requesting_agencies is not None:
            self.fields["requesting_agency"].queryset = requesting_agencies
        initial = [e.as_dict() for e in self.instance.negative_entries.all()] if self.instance.pk else []
        # A post without the list's rows at all (not from this page) leaves the entries as they are.
        posted = not self.is_bound or "negative-TOTAL_FORMS" in self.data
        self.negative_formset = NegativeEntryFormSet(self.data if self.is_bound else None, prefix="negative",
                                                     initial=initial) if posted else None

    def clean(self):
        data = super().clean()
        allowed = data.get("commitment_allowed")
        if allowed:
            if data.get("exclusion_category"):
                self.add_error("exclusion_category", _("实行告知承诺的事项不填写风险类别。"))
            if (data.get("exclusion_reason") or "").strip():
                self.add_error("exclusion_reason", _("实行告知承诺的事项不填写不能实行的原因。"))
            if not data.get("verification_methods"):
                self.add_error("verification_methods", _("请至少选择一种核查方式。"))
            elif data["verification_methods"] != ["exempt"] and not data.get("verification_days"):
                self.add_error("verification_days", _("请填写核查时限（工作日）。"))
            if data.get("high_risk") and data.get("verification_methods") == ["exempt"]:
                self.add_error("verification_methods", _("高风险事项每份承诺都要核查，不能选择“免予核查”。"))
        else:
            if not data.get("exclusion_category"):
                self.add_error("exclusion_category", _("不实行告知承诺的事项须选择风险类别。"))
            if not (data.get("exclusion_reason") or "").strip():
                self.add_error("exclusion_reason", _("不实行告知承诺的事项须写明原因。"))
        if data.get("publicity_required"):
            if not (data.get("publicity_place") or "").strip():
                self.add_error("publicity_place", _("公示承诺时须写明公示地点。"))
            if not data.get("publicity_days"):
                self.add_error("publicity_days", _("公示承诺时须写明公示期限。"))
        days = data.get("verification_days")
        if days is not None and not 1 <= days <= 90:
            self.add_error("verification_days", _("核查时限应为1到90个工作日。"))
        if self.negative_formset is not None and not self.negative_formset.is_valid():
            self.add_error(None, _("负面清单有误，请查看“告知承诺制负面清单”中各条目的提示。"))
        return data

    def negative_entries(self) -> list[dict] | None:
        """The structured entries (deleted and blank rows left out), for ``services.save_matter``; None = unchanged."""
        if self.negative_formset is None:
            return None
        return [f.entry() for f in self.negative_formset.forms
                if f.cleaned_data and not f.cleaned_data.get("DELETE") and f.cleaned_data.get("description")]


class NegativeEntryForm(forms.Form):
    """告知承诺制负面清单 entry (§二(二)): the entry as published, and how the portal checks it."""

    kind = forms.ChoiceField(label=_("类型"), choices=NegativeListEntry.Kind.choices,
                             initial=NegativeListEntry.Kind.SITUATION)
    description = forms.CharField(label=_("条目内容（对外公布的原文）"), max_length=300, required=False,
                                  error_messages={"max_length": _("条目内容不能超过300个字。")})
    rule = forms.ChoiceField(label=_("核对方式"), choices=negative_list.Check.choices,
                             initial=negative_list.Check.QUESTION)
    number = forms.IntegerField(label=_("周岁数或年限"), required=False, min_value=1, max_value=negative_list.MAX_AGE,
                                help_text=_("年龄条件填周岁数；虚假承诺条件可填回溯年限（不填为不限）。"),
                                error_messages={"invalid": _("请填写整数。"),
                                                "min_value": _("应为1以上的整数。"),
                                                "max_value": _("不能超过%(limit_value)s。")})
    subject_kind = forms.ChoiceField(label=_("申请人类型"), required=False,
                                     choices=[("", "—"), *negative_list.SubjectKind.choices])
    question = forms.CharField(label=_("询问用语（情形问题，可留空）"), max_length=300, required=False,
                               help_text=_("留空则问“申请事项是否涉及：（条目内容）？”"),
                               error_messages={"max_length": _("询问用语不能超过300个字。")})

    def clean(self):
        data = super().clean()
        text = (data.get("description") or "").strip()
        data["description"] = text
        filled = any(data.get(n) for n in ("number", "subject_kind")) or (data.get("question") or "").strip()
        if not text:
            if filled or (data.get("rule") and data.get("rule") != negative_list.Check.QUESTION):
                self.add_error("description", _("请填写条目内容（对外公布的原文）。"))
            return data
        if data.get("rule") == negative_list.Check.QUESTION and (data.get("question") or "").strip() == "":
            data["question"] = ""
        elif data.get("rule") != negative_list.Check.QUESTION and (data.get("question") or "").strip():
            self.add_error("question", _("只有情形问题填写询问用语；主体条件由系统自动核对。"))
        for name, message in negative_list.problems(data.get("rule"), data.get("number"),
                                                    data.get("subject_kind") or "").items():
            self.add_error(name if name in self.fields else None, message)
        return data

    def entry(self) -> dict:
        d = self.cleaned_data
        return {"kind": d["kind"], "description": d["description"], "rule": d["rule"], "number": d.get("number"),
                "subject_kind": d.get("subject_kind") or "", "question": (d.get("question") or "").strip()}


class _NegativeFormSet(forms.BaseFormSet):
    def clean(self):
        if any(self.errors):
            return
        seen = set()
        for form in self.forms:
            d = form.cleaned_data
            if not d or d.get("DELETE") or not d.get("description"):
                continue
            key = (d["kind"], d["description"])
            if key in seen:
                form.add_error("description", _("与前面的条目重复。"))
            seen.add(key)


NegativeEntryFormSet = forms.formset_factory(NegativeEntryForm, formset=_NegativeFormSet, extra=2, can_delete=True,
                                             max_num=30, validate_max=True)


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("清单文件"), help_text=_("XLSX 或 CSV（UTF-8 或 GBK 编码），列与公布的清单一致。导入将替换本草稿中的全部证明事项。"),
        error_messages={"required": _("请选择要导入的文件。")},
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > importing.MAX_FILE_BYTES:
            raise ValidationError(_("文件不能超过 5 MB。"))
        return upload


class ConfirmImportForm(forms.Form):
    """The second step of an import: confirms the previewed file kept on the server (by its token)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=64,
                            error_messages={"required": _("缺少预览编号，请重新选择文件。")})


class CommentForm(forms.Form):
    comment = forms.CharField(label=_("意见"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class ApprovalForm(ReauthFormMixin, CommentForm):
    """Approving or publishing a catalogue: the approver confirms who they are (portal.reauth)."""


class ServiceForm(forms.ModelForm):
    class Meta:
        model = AdministrativeService
        fields = ["name", "kind"]
        error_messages = {"name": {"required": _("此项不能为空。")}, "kind": {"required": _("此项不能为空。")}}


class RiskPointForm(forms.Form):
    """风险点和防控措施 (§二(七)) of one matter in the draft."""

    matter = forms.TypedChoiceField(label=_("证明事项"), coerce=int, error_messages={
        "required": _("请选择证明事项。"), "invalid_choice": _("请选择本清单中的证明事项。")})
    description = forms.CharField(label=_("风险点"), max_length=300, error_messages={
        "required": _("请填写风险点。"), "max_length": _("风险点不能超过300个字。")})
    control = forms.CharField(label=_("防控措施"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                              help_text=_("暂未确定可留空，监督人员会看到“无防控措施”的事项。"),
                              error_messages={"max_length": _("防控措施不能超过2000个字。")})

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [("", "—")] + [(m.pk, m.name) for m in matters]

    def clean_description(self):
        text = self.cleaned_data["description"].strip()
        if not text:
            raise forms.ValidationError(_("请填写风险点。"))
        return text
