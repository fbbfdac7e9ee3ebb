"""Forms of the complaints desk. Every message is Chinese and sits beside its field."""

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from catalog import api as catalog_selectors

from . import abuse, selectors
from .models import MAX_CONTENT, MAX_REPLY, MAX_TITLE, Kind, Rating, Topic

REQUIRED = {"required": _("此项为必填项。")}
MATTER_CHOICES = 20  # matters offered to choose from when the typed name fits several


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"}))
        kwargs.setdefault("required", False)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class MatterChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.name}（{obj.service.name} · {obj.requesting_agency.name}）"


def _attachments():
    return MultipleFileField(label=_("附件"), help_text=_("可选，最多 5 个，PDF、JPG 或 PNG，每个不超过 10 MB。"))


def _agency_field(label, required=False, help_text=""):
    return forms.ModelChoiceField(
        label=label, queryset=selectors.routing_agencies(), required=required, empty_label=_("（请选择）"),
        help_text=help_text, error_messages={"required": _("请选择机关。"), "invalid_choice": _("请选择列表中的机关。")},
    )


class TicketFieldsMixin(forms.Form):
    """The fields every channel shares: what it is about, in the requester's words."""

    topic = forms.ChoiceField(label=_("反映事项"), choices=Topic.choices, initial=Topic.OTHER, error_messages=REQUIRED)
    title = forms.CharField(label=_("标题"), max_length=MAX_TITLE, error_messages={
        **REQUIRED, "max_length": _("标题不能超过 %(limit_value)d 个字。")})
    content = forms.CharField(
        label=_("具体内容"), max_length=MAX_CONTENT, widget=forms.Textarea(attrs={"rows": 6}),
        # Lazy: the form class is built at import, before the visitor's language is known.
        help_text=lazy(lambda: gettext("请写明时间、地点、经过和您的诉求，不超过 %(n)s 字。") % {"n": MAX_CONTENT}, str)(),
        error_messages={**REQUIRED, "max_length": _("内容不能超过 %(limit_value)d 个字（现有 %(show_value)d 字）。")},
    )
    about_agency = _agency_field(_("反映的机关"), help_text=_("可选；不清楚可不选，由 12345 热线分派。"))
    # A city's catalogue has thousands of matters: a list of all of them would be a page of options nobody
    # scrolls (and most of the page's cost). The requester types a few characters; one match is taken, a
    # few are offered to choose from (``matter``, shown only then), none or too many are said so.
    matter_text = forms.CharField(
        label=_("涉及的证明事项"), max_length=50, required=False,
        help_text=_("可选；输入事项名称中的几个字，例如“无犯罪记录”。不清楚可不填。"),
        error_messages={"max_length": _("事项名称不能超过 %(limit_value)d 个字。")},
    )
    matter = MatterChoiceField(
        label=_("请选择涉及的证明事项"), queryset=None, required=False, widget=forms.RadioSelect, empty_label=None,
        error_messages={"invalid_choice": _("请选择列表中的证明事项。")},
    )
    commitment_ref = forms.CharField(
        label=_("告知承诺书或公示编号"), max_length=32, required=False,
        help_text=_("举报公示的承诺时，请填写公示页上的编号。"),
        error_messages={"max_length": _("编号不能超过 %(limit_value)d 个字符。")},
    )
    application_number = forms.CharField(
        label=_("办件编号"), max_length=32, required=False,
        error_messages={"max_length": _("编号不能超过 %(limit_value)d 个字符。")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        text = (self.data.get(self.add_prefix("matter_text")) or "").strip()[:50] if self.is_bound else ""
        # One more than are offered, to tell "a few" from "too many"; the name search uses the catalogue's index.
        self.matter_matches = list(catalog_selectors.public_matters(q=text)[:MATTER_CHOICES + 1]) if text else []
        if 1 < len(self.matter_matches) <= MATTER_CHOICES:
            self.fields["matter"].queryset = catalog_selectors.public_matters().filter(
                pk__in=[m.pk for m in self.matter_matches])
        else:
            del self.fields["matter"]

    def clean(self):
        cleaned = super().clean()
        text, matches = cleaned.get("matter_text", ""), self.matter_matches
        exact = [m for m in matches if m.name == text]
        if text and not exact and len(matches) > MATTER_CHOICES:
            # "营业执照" is a matter's whole name and a part of many others: the whole name still wins.
            exact = list(catalog_selectors.public_matters().filter(name=text)[:2])
        if cleaned.get("matter"):
            pass  # chosen from the offered list
        elif not text:
            cleaned["matter"] = None
        elif len(matches) == 1 or len(exact) == 1:
            cleaned["matter"] = (exact or matches)[0]
        elif not matches:
            self.add_error("matter_text", _("没有找到名称含“%(text)s”的证明事项；请换几个字，或不填。") % {"text": text})
        elif len(matches) > MATTER_CHOICES:
            self.add_error("matter_text", _("名称含“%(text)s”的证明事项超过 %(n)s 项，请多输入几个字。")
                           % {"text": text, "n": MATTER_CHOICES})
        else:
            self.add_error("matter", _("有 %(n)s 项证明事项的名称含“%(text)s”，请选择其中一项。")
                           % {"n": len(matches), "text": text})
        return cleaned


class PortalTicketForm(TicketFieldsMixin):
    """Logged-in filing: consultation, complaint or report."""

    field_order = ["kind", "topic", "title", "content", "about_agency", "matter_text", "matter", "commitment_ref",
                   "application_number", "contact_phone", "publish_consent", "attachments"]
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, widget=forms.RadioSelect, error_messages={
        "required": _("请选择咨询、投诉或举报。"), "invalid_choice": _("请选择咨询、投诉或举报。")})
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                                    help_text=_("只有承办机关能看到，用于联系您。"),
                                    error_messages={"max_length": _("电话号码不能超过 %(limit_value)d 位。")})
    publish_consent = forms.BooleanField(label=_("同意将咨询及答复（不含个人信息）公开到常见问题"), required=False)
    attachments = _attachments()


class AnonymousReportForm(TicketFieldsMixin):
    """Anonymous report (举报): no account, a challenge instead."""

    field_order = ["topic", "title", "content", "about_agency", "matter_text", "matter", "commitment_ref", "application_number",
                   "contact_phone", "attachments", "challenge_answer"]
    contact_phone = forms.CharField(
        label=_("联系电话（可不填）"), max_length=20, required=False,
        help_text=_("填写后承办机关可能联系您核实情况；只有承办机关能看到。"),
        error_messages={"max_length": _("电话号码不能超过 %(limit_value)d 位。")},
    )
    attachments = _attachments()
    challenge_token = forms.CharField(widget=forms.HiddenInput, required=False)
    challenge_answer = forms.CharField(label=_("验证问题"), max_length=4, error_messages={
        "required": _("请回答验证问题。"), "max_length": _("请用阿拉伯数字填写答案，例如 12。")})

    def __init__(self, *args, question="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].initial = Topic.FALSE_COMMITMENT
        self.fields["challenge_answer"].label = _("验证问题：%(q)s（请填数字）") % {"q": question}

    def clean(self):
        cleaned = super().clean()
        if "challenge_answer" in cleaned:
            error = abuse.check_challenge(cleaned.get("challenge_token"), cleaned["challenge_answer"])
            if error:
                self.add_error("challenge_answer", error)
        return cleaned


class StaffEntryForm(TicketFieldsMixin):
    """A 12345 call or a window visit, entered by staff on the requester's behalf."""

    field_order = ["kind", "topic", "title", "content", "contact_name", "contact_phone", "about_agency", "matter_text", "matter",
                   "commitment_ref", "application_number", "route_to", "publish_consent", "attachments"]
    kind = PortalTicketForm.base_fields["kind"]
    contact_name = forms.CharField(label=_("来电人或来访人姓名"), max_length=50, required=False,
                                   help_text=_("举报人要求匿名的可不填。"),
                                   error_messages={"max_length": _("姓名不能超过 %(limit_value)d 个字。")})
    contact_phone = forms.CharField(label=_("联系电话"), max_length=20, required=False,
                                    error_messages={"max_length": _("电话号码不能超过 %(limit_value)d 位。")})
    route_to = _agency_field(_("分派至"), help_text=_("可选；不选则按反映的机关或证明事项自动分派。"))
    publish_consent = forms.BooleanField(label=_("来电人同意将咨询及答复（不含个人信息）公开"), required=False)
    attachments = _attachments()


class TrackForm(forms.Form):
    number = forms.CharField(label=_("工单编号"), max_length=20, error_messages={
        "required": _("请填写工单编号。"), "max_length": _("工单编号不超过 %(limit_value)d 位。")})
    code = forms.CharField(label=_("查询码"), max_length=12, error_messages={
        "required": _("请填写查询码。"), "max_length": _("查询码为 8 位字母和数字。")})


class RouteForm(forms.Form):
    agency = _agency_field(_("承办机关"), required=True)
    reason = forms.CharField(label=_("改派理由"), max_length=200, required=False,
                             help_text=_("改派时必填，提交人和原承办机关都能看到。"),
                             error_messages={"max_length": _("理由不能超过 %(limit_value)d 个字。")})


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("答复内容"), max_length=MAX_REPLY, widget=forms.Textarea(attrs={"rows": 8}),
                           error_messages={"required": _("请填写答复内容。"),
                                           "max_length": _("答复不能超过 %(limit_value)d 个字。")})
    publish = forms.BooleanField(label=_("公开到常见问题（提交人已同意）"), required=False, initial=True)
    faq_question = forms.CharField(
        label=_("公开的问题表述"), max_length=MAX_CONTENT, required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("请删去姓名、电话、证件号码等个人信息。"),
        error_messages={"max_length": _("不能超过 %(limit_value)d 个字。")},
    )
    attachments = _attachments()

    def __init__(self, *args, ticket=None, **kwargs):
        super().__init__(*args, **kwargs)
        if ticket is None or not (ticket.kind == Kind.CONSULTATION and ticket.publish_consent):
            del self.fields["publish"]
            del self.fields["faq_question"]


class RateForm(forms.Form):
    rating = forms.ChoiceField(label=_("您对答复是否满意？"), choices=Rating.choices, widget=forms.RadioSelect,
                               error_messages={"required": _("请选择满意或不满意。"),
                                               "invalid_choice": _("请选择满意或不满意。")})
    comment = forms.CharField(label=_("评价意见"), max_length=200, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=_("不满意时请说明原因；可申请重新办理一次。"),
                              error_messages={"max_length": _("评价意见不能超过 %(limit_value)d 个字。")})


class FiguresForm(forms.Form):
    start = forms.DateField(label=_("起始日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                            error_messages={"invalid": _("请输入有效日期，例如 2026-01-01。")})
    end = forms.DateField(label=_("截止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
                          error_messages={"invalid": _("请输入有效日期，例如 2026-12-31。")})

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("start") and cleaned.get("end") and cleaned["start"] > cleaned["end"]:
            self.add_error("end", _("截止日期不能早于起始日期。"))
        return cleaned


class ServiceStandardForm(forms.Form):
    """窗口服务标准 / 一次性告知模板 (市行政审批服务局)."""

    kind = forms.ChoiceField(label=_("类别"), choices=[("window_standard", _("窗口服务标准")),
                                                       ("one_time_notice", _("一次性告知模板"))],
                             error_messages={"required": _("请选择类别。"), "invalid_choice": _("请选择有效的类别。")})
    title = forms.CharField(label=_("标题"), max_length=80,
                            error_messages={"required": _("请填写标题。"), "max_length": _("标题不能超过80个字。")})
    body = forms.CharField(label=_("内容"), max_length=4000, widget=forms.Textarea(attrs={"rows": 6}),
                           error_messages={"required": _("请填写内容。"), "max_length": _("内容不能超过4000个字。")})

    def clean_title(self):
        title = self.cleaned_data["title"].strip()
        if not title:
            raise forms.ValidationError(_("请填写标题。"))
        return title
