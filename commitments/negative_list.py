"""Applying a matter's 告知承诺制负面清单 to one applicant (§二(二)).

Subject conditions are checked here from what the portal knows (``catalog.negative_list`` defines them);
situation questions are answered by the applicant before signing. An entry that applies — a condition
met or a question answered “是” — sends that requirement to the proof path, with the entry quoted.
The findings (with the answers) are copied into the letter's snapshot.
"""

import datetime
import hashlib
import json
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.api import NegativeListCheck as Check
from catalog.api import SubjectKind
from credit import api as credit
from portal import identifiers
from portal.models import Subject

from .models import Commitment


@dataclass(frozen=True)
class Finding:
    """One negative-list entry applied to one applicant: ``applies`` is None for a question not answered yet."""

    entry_pk: int
    kind: str
    kind_label: str
    description: str
    rule: str
    condition: str = ""  # the subject condition in words (empty for a question)
    question: str = ""  # the question asked (empty for a condition)
    applies: bool | None = None
    detail: str = ""  # what the portal found (e.g. 出生日期), or the applicant's answer
    bars: tuple = field(default=(), repr=False)  # credit bars, for the dishonesty condition

    @property
    def is_question(self) -> bool:
        return self.rule == Check.QUESTION

    @property
    def quoted(self) -> str:
        return _("“%(k)s：%(d)s”") % {"k": self.kind_label, "d": self.description}

    def as_snapshot(self) -> dict:
        return {
            "kind": self.kind_label,
            "description": self.description,
            "rule": self.rule,
            "condition": self.condition,
            "question": self.question,
            "applies": self.applies,
            "detail": self.detail,
        }


def _age(subject: Subject, today: datetime.date) -> int | None:
    if subject.kind != Subject.Kind.PERSON:
        return None
    try:
        born = identifiers.birth_date(subject.id_number)
    except (ValueError, TypeError):
        return None
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def _subject_kind(subject: Subject) -> str:
    if subject.kind == Subject.Kind.PERSON:
        return SubjectKind.PERSON
    # GB 32100: the first character names the registering authority; 9 = 市场监督管理（工商）, i.e. an enterprise.
    return SubjectKind.ENTERPRISE if (subject.id_number or "")[:1] == "9" else SubjectKind.NON_ENTERPRISE


def _condition(entry, subject, matter, today) -> tuple[bool, str, tuple]:
    """(applies, what was found, credit bars) for one subject condition."""
    rule = entry.rule
    if rule in (Check.AGE_BELOW, Check.AGE_AT_LEAST):
        age = _age(subject, today)
        if age is None:
            return False, _("申请人不是自然人，不适用年龄条件"), ()
        applies = age < entry.number if rule == Check.AGE_BELOW else age >= entry.number
        return applies, _("按身份证件号码，申请人现年%(a)s周岁") % {"a": age}, ()
    if rule == Check.SUBJECT_KIND:
        kind = _subject_kind(subject)
        return kind == entry.subject_kind, _("申请人为%(k)s") % {"k": SubjectKind(kind).label}, ()
    if rule == Check.FALSE_COMMITMENT:
        found = Commitment.objects.filter(
            application__subject=subject, matter__key=matter.key, state=Commitment.State.FOUND_FALSE
        )
        if entry.number:
            since = (
                today.replace(year=today.year - entry.number)
                if not (today.month == 2 and today.day == 29)
                else today.replace(year=today.year - entry.number, day=28)
            )
            found = found.filter(concluded_at__date__gte=since)
        letters = list(found.values_list("letter_number", flat=True)[:5])
        if letters:
            return True, _("告知承诺书 %(n)s 经核查不实") % {"n": "、".join(letters)}, ()
        return False, _("平台中没有该申请人就本证明事项的虚假承诺记录"), ()
    if rule == Check.DISHONESTY:
        result = credit.eligibility(subject, matter, today=today)
        if result.bars:
            return True, "".join(b.reason for b in result.bars), tuple(result.bars)
        return False, _("信用核对：无未修复的失信记录"), ()
    return False, "", ()


def evaluate(subject, matter, entries=None, answers=None, today=None) -> list[Finding]:
    """Every entry of ``matter``'s negative list applied to ``subject``; ``answers`` = {entry pk: bool}."""
    today = today or timezone.localdate()
    entries = list(matter.negative_entries.all()) if entries is None else list(entries)
    answers = answers or {}
    out = []
    for e in entries:
        base = {
            "entry_pk": e.pk,
            "kind": e.kind,
            "kind_label": str(e.get_kind_display()),
            "description": e.description,
            "rule": e.rule,
        }
        if e.is_question:
            answer = answers.get(e.pk)
            out.append(
                Finding(
                    **base,
                    question=e.question_text,
                    applies=answer,
                    detail="" if answer is None else (_("申请人回答：是") if answer else _("申请人回答：否")),
                )
            )
        else:
            applies, detail, bars = _condition(e, subject, matter, today)
            out.append(Finding(**base, condition=e.condition_text, applies=applies, detail=detail, bars=bars))
    return out


def conditions_met(findings) -> list[Finding]:
    """Subject conditions that apply: the requirement needs its proof."""
    return [f for f in findings if not f.is_question and f.applies]


def questions(findings) -> list[Finding]:
    return [f for f in findings if f.is_question]


def applying(findings) -> list[Finding]:
    return [f for f in findings if f.applies]


def seen_token(findings) -> str:
    """A short digest of the entries and the conditions' outcomes as a page showed them: a sign form carries
    it, and signing is refused when the situation is no longer the one the applicant read."""
    payload = [
        (f.entry_pk, f.rule, f.description, None if f.is_question else bool(f.applies)) for f in findings
    ]
    return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode("utf-8")).hexdigest()[:32]


def reasons(findings) -> list[str]:
    """Each applying entry quoted, with what was found: shown to the applicant, stored on the requirement."""
    out = []
    for f in applying(findings):
        if f.is_question:
            out.append(
                _("属于本证明事项告知承诺制负面清单所列情形%(q)s（%(d)s）") % {"q": f.quoted, "d": f.detail}
            )
        else:
            out.append(_("属于本证明事项告知承诺制负面清单%(q)s：%(d)s") % {"q": f.quoted, "d": f.detail})
    return out


def check_before_signing(subject, matter, *, answers, seen=None, today=None) -> list[Finding]:
    """The findings a signature rests on, or ``CommitmentsError`` with the reason (nothing is signed).

    ``seen``: the token the sign page carried; a different one means a condition (or the list) changed
    after the page was opened, and the applicant is told what, not asked to sign what they did not read.
    """
    from .models import CommitmentsError

    if answers is None:
        # A caller that asked nothing (replayed demo history, imports of paper letters): the confirmed statement
        # “不属于本证明事项告知承诺制负面清单所列的情形或对象” answers every question “否”. The sign pages always ask.
        answers = {e.pk: False for e in matter.negative_entries.all() if e.is_question}
    findings = evaluate(subject, matter, answers=answers, today=today)
    now_met = conditions_met(findings)
    if seen is not None and seen != seen_token(findings):
        why = "；".join(reasons(now_met)) if now_met else _("负面清单的核对结果已经变化")
        raise CommitmentsError(
            _("打开签署页后情况发生了变化，未签署告知承诺书：%(why)s。请重新打开签署页核对。") % {"why": why}
        )
    if now_met:
        raise CommitmentsError(
            _("本证明事项不能以告知承诺方式办理，须提交证明：%(why)s。")
            % {"why": "；".join(reasons(now_met))}
        )
    unanswered = [f for f in questions(findings) if f.applies is None]
    if unanswered:
        raise CommitmentsError(
            _("请逐项回答负面清单问题：%(q)s") % {"q": unanswered[0].question}, field="negative"
        )
    yes = [f for f in questions(findings) if f.applies]
    if yes:
        raise CommitmentsError(
            _("本证明事项不能以告知承诺方式办理，须提交证明：%(why)s。") % {"why": "；".join(reasons(yes))},
            field="negative",
        )
    return findings
