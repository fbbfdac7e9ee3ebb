"""Forms: every error in Chinese, beside its field. Action forms carry the state they were shown in."""

import uuid

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from portal import identifiers
from portal.models import Subject

from .models import Commitment

CONFIRM_ERROR = _("请阅读并勾选确认此项承诺。")


class StateForm(forms.Form):
    """Hidden ``state``: the application state the page showed (a stale form is refused)."""

    state = forms.CharField(widget=forms.HiddenInput, required=False)

    def expected(self):
        return self.cleaned_data.get("state") or None


class StartForm(forms.Form):
    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    for_minor = forms.BooleanField(label=_("我是法定监护人，为未成年子女（被监护人）申请"), required=False)
    child_name = forms.CharField(label=_("被监护人姓名"), max_length=50, required=False)
    child_id_number = forms.CharField(label=_("被监护人居民身份证号码"), max_length=18, required=False)
    relation = forms.ChoiceField(
        label=_("与被监护人的关系"), required=False,
        choices=[("", "—"), ("父亲", _("父亲")), ("母亲", _("母亲")), ("其他法定监护人", _("其他法定监护人"))],
    )

    def clean(self):
        data = super().clean()
        if data.get("for_minor"):
            for name, message in (("child_name", _("请填写被监护人姓名。")),
                                  ("child_id_number", _("请填写被监护人居民身份证号码。")),
                                  ("relation", _("请选择与被监护人的关系。"))):
                if not data.get(name):
                    self.add_error(name, message)
            if data.get("child_id_number"):
                try:
                    data["child_id_number"] = identifiers.validate_resident_id(data["child_id_number"])
                except ValidationError as exc:
                    self.add_error("child_id_number", exc)
        return data

    def child(self):
        d = self.cleaned_data
        if not d.get("for_minor"):
            return None
        return {"name": d["child_name"].strip(), "id_number": d["child_id_number"], "relation": d["relation"]}


YES_NO = [("yes", _("是")), ("no", _("否"))]


class _StatementsMixin:
    def add_questions(self, findings, seen=""):
        """负面清单 questions (“申请事项是否涉及……？”), each answered 是/否, and the token of what the page showed."""
        self.question_names = []
        for f in findings:
            if not f.is_question:
                continue
            name = f"negative_{f.entry_pk}"
            self.fields[name] = forms.ChoiceField(
                label=f.question, choices=YES_NO, widget=forms.RadioSelect,
                help_text=_("负面清单%(q)s。") % {"q": f.quoted},  # what "是" means is said once, above the questions
                error_messages={"required": _("请回答此问题（是或否）。"), "invalid_choice": _("请选择“是”或“否”。")})
            self.question_names.append((name, f.entry_pk))
        self.fields["negative_seen"] = forms.CharField(widget=forms.HiddenInput, required=False, initial=seen)
        self.current_seen, self.findings = seen, list(findings)

    def check_unchanged(self):
        """The page was opened on another state of the negative list: say what changed, sign nothing."""
        from . import negative_list

        posted = self.cleaned_data.get("negative_seen")
        if posted and self.current_seen and posted != self.current_seen:
            met = negative_list.conditions_met(self.findings)
            why = "；".join(negative_list.reasons(met)) if met else _("负面清单的核对结果已经变化")
            self.add_error(None, _("打开签署页后情况发生了变化，未签署告知承诺书：%(why)s。请重新打开签署页核对。")
                           % {"why": why})

    def negative_answers(self) -> dict[int, bool]:
        return {pk: self.cleaned_data.get(name) == "yes" for name, pk in getattr(self, "question_names", [])}

    def answered_yes(self) -> bool:
        return any(self.negative_answers().values())

    def negative_seen(self):
        return self.cleaned_data.get("negative_seen") or None

    def question_fields(self):
        return [self[name] for name, _pk in getattr(self, "question_names", [])]

    def add_statements(self, statements):
        for i, text in enumerate(statements):
            self.fields[f"statement_{i}"] = forms.BooleanField(
                label=text, required=True, error_messages={"required": CONFIRM_ERROR})
        self.statement_count = len(statements)

    def confirmations(self):
        return [bool(self.cleaned_data.get(f"statement_{i}")) for i in range(self.statement_count)]

    def statement_fields(self):
        return [self[f"statement_{i}"] for i in range(self.statement_count)]


class SignForm(_StatementsMixin, StateForm):
    SIGNATURE_FIELDS = ("full_name", "password")
    full_name = forms.CharField(label=_("签署人姓名"), max_length=50,
                                help_text=_("请输入与账号实名信息一致的姓名。"),
                                error_messages={"required": _("请输入您的姓名。")})
    password = forms.CharField(label=_("登录密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                               help_text=_("再次输入登录密码，以确认是您本人签署。"),
                               error_messages={"required": _("请输入登录密码。")})

    def __init__(self, *args, statements=(), findings=(), seen="", **kwargs):
        super().__init__(*args, **kwargs)
        self.add_questions(findings, seen)
        self.add_statements(statements)

    def clean(self):
        data = super().clean()
        self.check_unchanged()
        # Answered “是”: the statements and the signature are not needed (the requirement goes to the proof path).
        if self.answered_yes():
            for i in range(self.statement_count):
                self.errors.pop(f"statement_{i}", None)
            for name in self.SIGNATURE_FIELDS:
                self.errors.pop(name, None)
        return data


class WindowSignForm(_StatementsMixin, StateForm):
    SIGNATURE_FIELDS = ("signer_name", "relation", "clerk_password", "identity_checked", "scan")
    signer_name = forms.CharField(label=_("签署人姓名"), max_length=50, error_messages={"required": _("请填写签署人姓名。")})
    relation = forms.ChoiceField(label=_("签署人身份"), choices=Commitment.Relation.choices)
    scan = forms.FileField(label=_("纸质告知承诺书扫描件（当场纸质签署时上传）"), required=False,
                           help_text=_("PDF、JPG 或 PNG，不超过 10 MB。不上传则为当场电子签署。"))
    identity_checked = forms.BooleanField(label=_("已当场核验签署人的身份证件原件"), required=True,
                                          error_messages={"required": _("请先当场核验签署人的身份证件。")})
    clerk_password = forms.CharField(label=_("经办人登录密码"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                                     error_messages={"required": _("请输入您的登录密码以确认。")})

    def __init__(self, *args, statements=(), findings=(), seen="", **kwargs):
        super().__init__(*args, **kwargs)
        self.add_questions(findings, seen)
        self.add_statements(statements)

    def clean(self):
        data = super().clean()
        self.check_unchanged()
        # Answered “是”: the statements and the signature are not needed (the requirement goes to the proof path).
        if self.answered_yes():
            for i in range(self.statement_count):
                self.errors.pop(f"statement_{i}", None)
            for name in self.SIGNATURE_FIELDS:
                self.errors.pop(name, None)
        return data


class UploadForm(StateForm):
    file = forms.FileField(label=_("证明材料"), help_text=_("PDF、JPG 或 PNG 文件，不超过 10 MB。"),
                           error_messages={"required": _("请选择要上传的文件。")})


class ReasonForm(StateForm):
    reason = forms.CharField(label=_("理由"), widget=forms.Textarea(attrs={"rows": 3}), max_length=500,
                             error_messages={"required": _("请填写理由。")})


class DecisionForm(StateForm):
    decision_number = forms.CharField(label=_("决定文号"), max_length=60,
                                      error_messages={"required": _("请填写决定文号。")})


class NoticeForm(StateForm):
    note = forms.CharField(label=_("其他说明（可选）"), widget=forms.Textarea(attrs={"rows": 2}), required=False,
                           max_length=500)


class LookupForm(forms.Form):
    kind = forms.ChoiceField(label=_("证件类型"), choices=[
        (Subject.Kind.PERSON, _("居民身份证号码")), (Subject.Kind.ORGANISATION, _("统一社会信用代码"))])
    number = forms.CharField(label=_("证件号码"), max_length=30, error_messages={"required": _("请输入证件号码。")})

    def clean(self):
        data = super().clean()
        number = data.get("number")
        if number:
            try:
                if data.get("kind") == Subject.Kind.ORGANISATION:
                    data["number"] = identifiers.validate_uscc(number)
                else:
                    data["number"] = identifiers.validate_resident_id(number)
            except ValidationError as exc:
                self.add_error("number", exc)
        return data


class WalkInForm(LookupForm):
    name = forms.CharField(label=_("姓名或单位名称"), max_length=100, error_messages={"required": _("请填写姓名或单位名称。")})

    field_order = ["kind", "number", "name"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["number"].widget = forms.HiddenInput()


class DeskFileForm(LookupForm):
    """Filing at the window starts from the ID document: the ID number (or USCC) the clerk typed or a card
    reader filled, carried from the lookup; the desk finds the applicant by its keyed hash. Never a
    record number: a form that named a record would let a clerk file and sign for anyone."""

    token = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    service = forms.ModelChoiceField(label=_("办理事项"), queryset=None, empty_label=_("请选择办理事项"),
                                     error_messages={"required": _("请选择办理事项。")})
    guardian_name = forms.CharField(label=_("法定监护人姓名（申请人未满18周岁时填写）"), max_length=50, required=False)
    guardian_relation = forms.CharField(label=_("监护人与申请人的关系"), max_length=20, required=False)

    field_order = ["token", "kind", "number", "service", "guardian_name", "guardian_relation"]

    def __init__(self, *args, services=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services


class LetterCheckForm(forms.Form):
    """Anyone uploads a copy of a letter to check its seal and status (the file is read, never stored)."""

    file = forms.FileField(label=_("告知承诺书 PDF 文件"),
                           help_text=_("本平台签发的告知承诺书 PDF，不超过 10 MB。文件只用于本次核验，不会保存。"),
                           error_messages={"required": _("请选择要核验的 PDF 文件。")})

    def clean_file(self):
        from portal import seals, uploads

        upload = self.cleaned_data["file"]
        checked = uploads.check(upload)
        if checked.content_type != "application/pdf":
            raise ValidationError(_("请上传 PDF 文件：告知承诺书的扫描图片无法核验电子签章，请改用二维码或编号核验。"),
                                  code="content")
        data = upload.read()
        try:
            self.result = seals.check(data)
        except seals.UnsafePdf as exc:
            raise ValidationError(exc.message, code="unsafe") from None
        return upload
        self.fields["kind"].widget = forms.HiddenInput()
        self.fields["number"].widget = forms.HiddenInput()
