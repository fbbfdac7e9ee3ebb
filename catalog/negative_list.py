"""告知承诺制负面清单 as rules (§二(二)): what each entry checks, in a small closed set.

An entry is either a *subject condition* the portal checks itself from what it knows about the applicant
(age from the ID number, kind of subject, an earlier false commitment for this matter, a dishonesty
record), or a *situation question* asked before signing (“申请事项是否涉及……？”). The catalogue keeps
only the definitions; ``commitments.negative_list`` evaluates them (it may read commitments and credit).
"""

from django.db import models
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy


class Check(models.TextChoices):
    """核对方式: how the portal decides whether an entry applies to an applicant."""

    QUESTION = "question", gettext_lazy("情形问题（签署前询问申请人）")
    AGE_BELOW = "age_below", gettext_lazy("主体条件：年龄未满N周岁")
    AGE_AT_LEAST = "age_at_least", gettext_lazy("主体条件：年龄已满N周岁")
    SUBJECT_KIND = "subject_kind", gettext_lazy("主体条件：申请人类型")
    FALSE_COMMITMENT = "false_commitment", gettext_lazy("主体条件：曾就本证明事项作出虚假承诺")
    DISHONESTY = "dishonesty", gettext_lazy("主体条件：存在未修复的失信记录")


class SubjectKind(models.TextChoices):
    """申请人类型 for the ``subject_kind`` condition (an enterprise: 统一社会信用代码 registered by 市场监管, first char 9)."""

    PERSON = "person", gettext_lazy("自然人")
    ENTERPRISE = "enterprise", gettext_lazy("企业")
    NON_ENTERPRISE = "non_enterprise", gettext_lazy("机关、事业单位、社会组织等非企业单位")


AGE_CHECKS = (Check.AGE_BELOW, Check.AGE_AT_LEAST)
# Checks whose N is optional: the false commitment's look-back in years (blank = ever).
YEARS_CHECKS = (Check.FALSE_COMMITMENT,)
MAX_AGE = 120
MAX_YEARS = 50


def problems(check: str, number, subject_kind: str) -> dict[str, str]:
    """Field → Chinese message for a structured entry that does not fit its check (empty when it fits)."""
    out = {}
    if check not in Check.values:
        return {"check": _("请选择核对方式。")}
    if check in AGE_CHECKS:
        if number is None:
            out["number"] = _("年龄条件须填写周岁数。")
        elif not 1 <= number <= MAX_AGE:
            out["number"] = _("周岁数应在1到%(max)s之间。") % {"max": MAX_AGE}
    elif check in YEARS_CHECKS:
        if number is not None and not 1 <= number <= MAX_YEARS:
            out["number"] = _("年限应在1到%(max)s年之间；不限年限的请留空。") % {"max": MAX_YEARS}
    elif number is not None:
        out["number"] = _("该核对方式不填写数字。")
    if check == Check.SUBJECT_KIND:
        if subject_kind not in SubjectKind.values:
            out["subject_kind"] = _("请选择不适用的申请人类型。")
    elif subject_kind:
        out["subject_kind"] = _("只有“申请人类型”条件填写申请人类型。")
    return out


def condition_text(check: str, number=None, subject_kind: str = "") -> str:
    """The condition in words, e.g. “申请人未满18周岁（按身份证件号码中的出生日期计算）”."""
    if check == Check.AGE_BELOW:
        return _("申请人未满%(n)s周岁（按身份证件号码中的出生日期计算）") % {"n": number}
    if check == Check.AGE_AT_LEAST:
        return _("申请人已满%(n)s周岁（按身份证件号码中的出生日期计算）") % {"n": number}
    if check == Check.SUBJECT_KIND:
        return _("申请人为%(k)s") % {
            "k": SubjectKind(subject_kind).label if subject_kind in SubjectKind.values else subject_kind
        }
    if check == Check.FALSE_COMMITMENT:
        if number:
            return _("申请人%(n)s年内曾就本证明事项作出虚假承诺") % {"n": number}
        return _("申请人曾就本证明事项作出虚假承诺")
    if check == Check.DISHONESTY:
        return _("申请人存在未修复的失信记录（与信用核对结果一致）")
    return ""


def question_text(description: str, question: str = "") -> str:
    """The question asked before signing; by default built from the entry (“申请事项是否涉及……？”)."""
    question = (question or "").strip()
    if question:
        return question if question.endswith(("？", "?")) else question + "？"
    text = (description or "").strip().rstrip("。；;，,")
    return _("申请事项是否涉及：%(t)s？") % {"t": text}
