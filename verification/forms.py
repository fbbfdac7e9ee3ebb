"""Forms of the verification pages; every error is Chinese and shown beside its field."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.api import VerificationMethod
from portal.models import Agency
from portal.widgets import QuickSelect

from . import connectors
from .models import AssistanceRequest, Result, ReviewResult

REQUIRED = {"required": _("请填写此项。")}
CHOOSE = {"required": _("请选择此项。"), "invalid_choice": _("请从列表中选择。")}


class QueueFilterForm(forms.Form):
    STATES = [("open", _("待认领")), ("mine", _("我认领的")), ("active", _("核查中（全部）")), ("concluded", _("已办结"))]
    DUE = [("", _("全部期限")), ("overdue", _("已超期")), ("soon", _("两个工作日内到期")), ("later", _("其他"))]

    state = forms.ChoiceField(label=_("任务"), choices=STATES, required=False)
    matter = forms.ChoiceField(label=_("证明事项"), required=False)
    method = forms.ChoiceField(label=_("核查方式"), required=False,
                               choices=[("", _("全部方式"))] + [c for c in VerificationMethod.choices if c[0] != "exempt"])
    due = forms.ChoiceField(label=_("期限"), choices=DUE, required=False)

    def __init__(self, *args, matters=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["matter"].choices = [("", _("全部事项"))] + [(m, m) for m in matters]


class DataCheckForm(forms.Form):
    connector = forms.ChoiceField(label=_("数据来源"), choices=connectors.choices, error_messages=CHOOSE)


class AssistanceForm(forms.Form):
    to_agency = forms.ModelChoiceField(label=_("协查机关"), queryset=Agency.objects.none(), error_messages=CHOOSE,
                                       empty_label=_("请选择"), widget=QuickSelect)  # every agency of the city
    question = forms.CharField(label=_("协查事项"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                               error_messages=REQUIRED,
                               help_text=_("写明需要对方确认的事实，例如：申请人是否在贵单位参加社会保险。"))

    def __init__(self, *args, own_agency=None, **kwargs):
        super().__init__(*args, **kwargs)
        qs = Agency.objects.filter(is_active=True).order_by("path")
        if own_agency is not None:
            qs = qs.exclude(pk=own_agency.pk)
        self.fields["to_agency"].queryset = qs


class InspectionForm(forms.Form):
    inspectors = forms.ModelMultipleChoiceField(label=_("现场检查人员"), queryset=None, error_messages={
        "required": _("请至少选择一名现场检查人员。"), "invalid_choice": _("请从列表中选择。")},
        widget=forms.CheckboxSelectMultiple)
    planned_date = forms.DateField(label=_("计划检查日期"), widget=forms.DateInput(attrs={"type": "date"}),
                                   error_messages={"required": _("请填写计划检查日期。"), "invalid": _("日期格式不正确。")})
    address = forms.CharField(label=_("检查地点"), max_length=200, required=False)

    def __init__(self, *args, inspectors=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["inspectors"].queryset = inspectors
        self.fields["inspectors"].label_from_instance = lambda u: u.get_full_name()
        self.initial.setdefault("planned_date", timezone.localdate())


SEVERITIES = [("minor", _("轻微")), ("general", _("一般")), ("major", _("较重")), ("serious", _("严重"))]


class ConcludeForm(forms.Form):
    result = forms.ChoiceField(label=_("核查结论"), choices=Result.choices, widget=forms.RadioSelect, error_messages=CHOOSE)
    conclusion = forms.CharField(label=_("核查情况和依据"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                                 error_messages=REQUIRED)
    terminate = forms.BooleanField(label=_("终止办理（尚未作出决定的）"), required=False)
    revoke = forms.BooleanField(label=_("撤销已作出的行政决定"), required=False)
    rectify = forms.BooleanField(label=_("责令限期整改（生成整改复查任务）"), required=False)
    rectify_days = forms.IntegerField(label=_("整改期限（工作日）"), required=False, min_value=1, max_value=90,
                                      error_messages={"min_value": _("整改期限至少 1 个工作日。"),
                                                      "max_value": _("整改期限最多 90 个工作日。"),
                                                      "invalid": _("请填写整数。")})
    penalty = forms.BooleanField(label=_("予以行政处罚"), required=False)
    penalty_note = forms.CharField(label=_("处罚内容"), max_length=200, required=False)
    refer_judicial = forms.BooleanField(label=_("涉嫌犯罪，移送司法机关"), required=False)
    severity = forms.ChoiceField(label=_("失信程度"), choices=[("", _("请选择"))] + SEVERITIES, required=False)
    decision_number = forms.CharField(label=_("认定文号"), max_length=60, required=False,
                                      help_text=_("认定承诺不实、记入信用记录的文号"))
    legal_basis = forms.CharField(label=_("法律依据"), max_length=300, required=False,
                                  error_messages={"max_length": _("法律依据最多 300 个字。")},
                                  help_text=_("写明法律名称和条款，例如：《中华人民共和国行政许可法》第六十九条"))
    document_number = forms.CharField(label=_("文书编号"), max_length=60, required=False,
                                      error_messages={"max_length": _("文书编号最多 60 个字。")},
                                      help_text=_("终止办理、撤销、处罚等处理决定书的编号，本机关内不得重复"))
    referral_organ = forms.CharField(label=_("接收机关（移送司法机关时填写）"), max_length=100, required=False)
    referral_date = forms.DateField(label=_("移送日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                                    error_messages={"invalid": _("日期格式不正确。")})
    referral_number = forms.CharField(label=_("移送文号"), max_length=60, required=False)

    DISPOSITION_FIELDS = ("terminate", "revoke", "rectify", "rectify_days", "penalty", "penalty_note", "refer_judicial",
                          "referral_organ", "referral_date", "referral_number", "severity", "decision_number",
                          "legal_basis", "document_number")

    def disposition(self) -> dict:
        return {k: self.cleaned_data.get(k) for k in self.DISPOSITION_FIELDS}


class AssistanceReplyForm(forms.Form):
    answer = forms.ChoiceField(label=_("协查结论"), choices=AssistanceRequest.Answer.choices, widget=forms.RadioSelect,
                               error_messages=CHOOSE)
    text = forms.CharField(label=_("回复内容"), widget=forms.Textarea(attrs={"rows": 4}), max_length=2000,
                           error_messages=REQUIRED)


class AssistanceRefuseForm(forms.Form):
    reason = forms.CharField(label=_("拒绝理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=1000,
                             error_messages={"required": _("拒绝协查须写明理由。")},
                             help_text=_("被请求部门应当及时履行协助义务，不得无故推诿或拒绝。"))


class _MultiFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    widget = _MultiFileInput

    def clean(self, data, initial=None):
        if not data:
            return []
        files = data if isinstance(data, list | tuple) else [data]
        return [super(PhotosField, self).clean(f, initial) for f in files]


class DocumentReviewForm(forms.Form):
    """书面核查: what the verifier read and what it shows."""

    materials = forms.CharField(label=_("审查的材料"), widget=forms.Textarea(attrs={"rows": 2}), max_length=1000,
                                error_messages=REQUIRED,
                                help_text=_("如：告知承诺书、上传的证明材料、申请表，以及调取的档案。"))
    findings = forms.CharField(label=_("审查情况"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000,
                               error_messages=REQUIRED, help_text=_("材料与承诺内容是否一致，有无涂改、矛盾或缺漏。"))
    result = forms.ChoiceField(label=_("审查结论"), choices=ReviewResult.choices, widget=forms.RadioSelect,
                               error_messages=CHOOSE)


class FindingsForm(forms.Form):
    result = forms.ChoiceField(label=_("检查结论"), choices=Result.choices, widget=forms.RadioSelect, error_messages=CHOOSE)
    findings = forms.CharField(label=_("检查情况"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000,
                               error_messages=REQUIRED)
    photos = PhotosField(label=_("现场照片（可多选，JPG 或 PNG，每张不超过 10 MB）"), required=False,
                         widget=_MultiFileInput(attrs={"accept": "image/jpeg,image/png", "capture": "environment"}))


class RectificationProofForm(forms.Form):
    """责令限期整改: the applicant's proof (the same upload checks as every proof, portal.uploads)."""

    file = forms.FileField(label=_("整改证明材料（PDF、JPG 或 PNG，不超过 10 MB）"),
                           error_messages={"required": _("请选择要提交的整改证明材料。"),
                                           "empty": _("上传的文件是空的。")},
                           widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}))
