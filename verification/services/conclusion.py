"""Concluding a task: the verdict, 一诺一果 siblings, and for a false commitment the disposition (§二(五))."""

import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.api import VerificationMethod
from commitments import api as commitments
from commitments.api import Application, Commitment, CommitmentsError
from portal import audit, transitions, workdays
from portal.notifications import in_chinese, notify

from .. import selectors
from ..models import (
    Disposition,
    Result,
    TaskOrigin,
    VerificationError,
    VerificationTask,
)
from ._common import REFUSALS, T, _audit, _held, _today
from .spot_checks import _maybe_publish


def conclude(*, user, task_id, result, conclusion, disposition=None, request=None) -> VerificationTask:
    """Conclude a task. "false" also carries out the disposition, records credit and tells the applicant — one transaction.

    ``disposition``: {terminate, rectify, rectify_days, revoke, penalty, penalty_note, refer_judicial,
    severity, decision_number, legal_basis, document_number, referral_organ, referral_date, referral_number}.
    """
    conclusion = (conclusion or "").strip()
    if result not in Result.values:
        raise VerificationError(_("请选择核查结论。"), field="result")
    if not conclusion:
        raise VerificationError(_("请填写核查情况和依据。"), field="conclusion")
    with transaction.atomic():
        done = _already_concluded(user, task_id, result)
        if done is not None:
            return done
        task = _held(user, task_id)
        application = Application.objects.get(pk=task.application_id)
        if result == Result.FALSE:
            d = _check_disposition(task, application, disposition or {})
        if task.method == VerificationMethod.WRITTEN and not task.document_reviews.exists():
            raise VerificationError(_("书面核查任务须先记录书面审查情况（审查了哪些材料、发现什么），再办结。"),
                                    field="conclusion", code="written_review_missing")
        before = task.state
        transitions.run(task, "conclude", user, result, conclusion, actor=user, refusals=REFUSALS)
        commitment = Commitment.objects.filter(pk=task.commitment_id).first() if task.commitment_id else None
        # Signed (planned check) or exempted (spot-check pool): both still await a verdict.
        awaiting = (Commitment.State.SIGNED, Commitment.State.EXEMPTED)
        if commitment is not None and commitment.state in awaiting and result != Result.UNVERIFIABLE:
            commitments.conclude_commitment(commitment_pk=commitment.pk,
                                            outcome="verified" if result == Result.TRUE else "found_false",
                                            actor=user, request=request)
        _audit("task.concluded", task, user, before, task.state, agency=task.agency, request=request,
               summary=_("核查结论：%(r)s") % {"r": task.get_result_display()}, result=result)
        if result == Result.TRUE:
            with in_chinese():  # stored and sent later: Chinese, whatever the page's language
                notify(application.applicant_user or application.subject, "outcome", _("核查结果：承诺属实"), _("您的办件 %(n)s 中“%(m)s”的告知承诺已核查，结果为属实。感谢您诚信守诺，这次守诺已记入您的信用档案。") % {"n": application.number, "m": task.matter.name}, ("commitments:application", application.pk), key=f"outcome:{task.pk}")
        if result == Result.FALSE:
            _dispose(task, application, commitment, d, user, request)
        if result != Result.UNVERIFIABLE:
            for sibling_pk in _close_siblings(task, user, request):
                _maybe_publish(VerificationTask(pk=sibling_pk))
        _maybe_publish(task)
    return task


def _already_concluded(user, task_id, result):
    """Concluding twice is harmless: the same verdict on a concluded task returns it unchanged."""
    selectors.task_for_verifier(user, task_id)  # scope check (404 outside it)
    task = VerificationTask.objects.select_for_update(of=("self",)).get(pk=task_id)
    if task.state == T.CONCLUDED and task.result == result:
        return task
    return None


def _close_siblings(task, user, request) -> list[int]:
    """一诺一果: other open checks of the same commitment (plan, report, sample) close with this outcome.

    Rectification follow-ups are not siblings: they check the applicant's later proof.
    """
    if not task.commitment_id:
        return []
    siblings = list(VerificationTask.objects.select_for_update(of=("self",))
                    .filter(commitment_id=task.commitment_id).exclude(pk=task.pk)
                    .exclude(state=T.CONCLUDED).exclude(origin=TaskOrigin.RECTIFICATION))
    text = _("与核查任务 %(pk)s 合并办结（同一告知承诺书只作一个核查结论）：%(c)s") % {"pk": task.pk, "c": task.conclusion}
    for sibling in siblings:
        before = sibling.state
        VerificationTask.objects.filter(pk=sibling.pk).update(
            state=T.CONCLUDED, result=task.result, conclusion=text[:4000], concluded_by=user,
            concluded_at=timezone.now(), claimed_by=sibling.claimed_by or user, parent=sibling.parent or task)
        _audit("task.concluded_with_sibling", sibling, user, before, T.CONCLUDED, agency=sibling.agency,
               request=request, summary=text[:300], result=task.result, sibling=task.pk)
    return [s.pk for s in siblings]


DISPOSITION_KEYS = ("terminate", "rectify", "revoke", "penalty", "refer_judicial")


def allowed_dispositions(application) -> tuple[str, ...]:
    """§二(五): before the decision 终止办理/责令限期整改; after an approval 撤销行政决定; 行政处罚 and
    移送司法机关 in any state (a case already closed otherwise keeps only those two)."""
    if application.state in (Application.State.SUBMITTED, Application.State.ACCEPTED):
        return ("terminate", "rectify", "penalty", "refer_judicial")
    if application.state == Application.State.APPROVED:
        return ("revoke", "penalty", "refer_judicial")
    return ("penalty", "refer_judicial")


def _label(key) -> str:
    return str(Disposition._meta.get_field(key).verbose_name)


def _check_disposition(task, application, d) -> dict:
    if not any(d.get(k) for k in DISPOSITION_KEYS):
        raise VerificationError(_("承诺不实的，请至少选择一项处理措施。"), field="terminate")
    allowed = allowed_dispositions(application)
    for key in DISPOSITION_KEYS:
        if d.get(key) and key not in allowed:
            raise VerificationError(
                _("办件当前状态为“%(s)s”，不能选择“%(k)s”；可选择的处理措施：%(a)s。") % {
                    "s": application.get_state_display(), "k": _label(key), "a": "、".join(_label(a) for a in allowed)},
                field=key)
    if d.get("rectify") and not (d.get("rectify_days") or 0) > 0:
        raise VerificationError(_("责令整改的，请填写整改期限（工作日）。"), field="rectify_days")
    if d.get("penalty") and not (d.get("penalty_note") or "").strip():
        raise VerificationError(_("予以行政处罚的，请写明处罚内容。"), field="penalty_note")
    if not (d.get("decision_number") or "").strip():
        raise VerificationError(_("请填写认定文号。"), field="decision_number")
    if Disposition.objects.filter(decision_number=d["decision_number"].strip()).exists():
        raise VerificationError(_("认定文号 %(n)s 已被另一份处理决定使用，请核对文号。")
                                % {"n": d["decision_number"].strip()}, field="decision_number")
    _check_basis_and_document(task, d)
    if d.get("severity") not in ("minor", "general", "major", "serious"):
        raise VerificationError(_("请选择失信程度。"), field="severity")
    return d


# 《法律名称》 and 第…条: a basis names the law and the article it applies.
_LAW = re.compile(r"《[^》]+》")
_ARTICLE = re.compile(r"第[一二三四五六七八九十百千零〇两\d]+条")


def _check_basis_and_document(task, d):
    """§二(五): the legal basis (law and article) and the document number of every disposition; a referral to
    the judicial organs also records the receiving organ, the date and the transfer number."""
    basis = (d.get("legal_basis") or "").strip()
    if not basis:
        raise VerificationError(_("请填写处理措施的法律依据（法律名称和条款）。"), field="legal_basis")
    if not (_LAW.search(basis) and _ARTICLE.search(basis)):
        raise VerificationError(_("法律依据须写明法律名称（用书名号）和具体条款，例如：《中华人民共和国行政许可法》第六十九条。"),
                                field="legal_basis")
    number = (d.get("document_number") or "").strip()
    if not number:
        raise VerificationError(_("请填写处理决定的文书编号。"), field="document_number")
    if Disposition.objects.filter(agency_id=task.agency_id, document_number=number).exists():
        raise VerificationError(_("文书编号 %(n)s 已被本机关另一份处理决定使用，请核对编号。") % {"n": number},
                                field="document_number")
    if d.get("refer_judicial"):
        if not (d.get("referral_organ") or "").strip():
            raise VerificationError(_("移送司法机关的，请填写接收机关。"), field="referral_organ")
        if not d.get("referral_date"):
            raise VerificationError(_("移送司法机关的，请填写移送日期。"), field="referral_date")
        if d["referral_date"] > _today():
            raise VerificationError(_("移送日期不能晚于今天。"), field="referral_date")
        if not (d.get("referral_number") or "").strip():
            raise VerificationError(_("移送司法机关的，请填写移送文号。"), field="referral_number")


def _dispose(task, application, commitment, d, user, request):
    due = workdays.deadline(_today(), int(d["rectify_days"])) if d.get("rectify") else None
    disposition = _record_disposition(task, d, due, user, request)
    workdays.track(disposition, "rectify_due", due, people=[user.pk, application.applicant_user_id])
    reason = _("经核查，告知承诺书%(n)s所承诺的“%(m)s”与事实不符。") % {
        "n": commitment.letter_number if commitment else "", "m": task.matter.name}
    try:
        if disposition.terminate:
            commitments.terminate_application(application_pk=application.pk, reason=reason, actor=user, request=request)
        if disposition.revoke:
            commitments.revoke_application(application_pk=application.pk, reason=reason, actor=user, request=request)
    except CommitmentsError as exc:
        raise VerificationError(exc.message) from None
    if commitment is not None:
        record = commitments.record_false_finding(
            commitment, disposition.severity,
            {"number": disposition.decision_number, "date": _today(), "agency": task.agency,
             "facts": reason + " " + task.conclusion, "basis": disposition.legal_basis},
            actor=user,
        )
        Disposition.objects.filter(pk=disposition.pk).update(credit_record_id=record.pk)
        disposition.credit_record_id = record.pk
    if disposition.rectify:
        VerificationTask.objects.create(
            agency=task.agency, application=task.application, requirement=task.requirement, commitment=task.commitment,
            subject=task.subject, matter=task.matter, method=task.method, origin=TaskOrigin.RECTIFICATION,
            credit_level=task.credit_level, due_date=disposition.rectify_due, parent=task,
        )
    with in_chinese():  # named in the audit trail and the applicant's message: Chinese
        chosen = [str(Disposition._meta.get_field(k).verbose_name) for k in
                  ("terminate", "rectify", "revoke", "penalty", "refer_judicial") if getattr(disposition, k)]
    _audit("disposition", task, user, task.state, task.state, agency=task.agency, request=request,
           summary="、".join(chosen), decision=disposition.decision_number, credit_record=disposition.credit_record_id,
           legal_basis=disposition.legal_basis, document=disposition.document_number,
           referral=[disposition.referral_organ, str(disposition.referral_date or ""), disposition.referral_number]
           if disposition.refer_judicial else None)
    _notify_applicant(application, task, chosen, disposition)


def _record_disposition(task, d, due, user, request) -> Disposition:
    """The disposition row (a duplicate decision or document number is refused) and, for a penalty
    without a basis in the catalogue, its note as a 立法修改建议 candidate."""
    rectify_due = due.date if due else None
    refer = bool(d.get("refer_judicial"))
    penalty = bool(d.get("penalty"))
    # §三(一): a penalty with no penalty basis in the catalogue entry is a 立法修改建议 candidate.
    candidate = penalty and not (task.matter.penalty_basis or "").strip()
    try:
        with transaction.atomic():  # a savepoint: a concurrent duplicate number is refused, not a 500
            disposition = Disposition.objects.create(
                task=task, terminate=bool(d.get("terminate")), rectify=bool(d.get("rectify")), rectify_due=rectify_due,
                deadline_provisional=bool(due and due.provisional),
                revoke=bool(d.get("revoke")), penalty=penalty, penalty_note=(d.get("penalty_note") or "").strip(),
                refer_judicial=refer, severity=d["severity"],
                decision_number=d["decision_number"].strip(), decided_by=user, agency=task.agency,
                legal_basis=d["legal_basis"].strip(), document_number=d["document_number"].strip(),
                referral_organ=(d.get("referral_organ") or "").strip() if refer else "",
                referral_date=d.get("referral_date") if refer else None,
                referral_number=(d.get("referral_number") or "").strip() if refer else "",
                legislative_candidate=candidate,
            )
    except IntegrityError:
        raise VerificationError(_("认定文号或文书编号已被另一份处理决定使用，请核对编号。"),
                                field="document_number") from None
    if candidate:
        _audit("disposition.legislative_candidate", task, user, task.state, task.state, agency=task.agency,
               request=request, summary=_("“%(m)s”未规定处罚依据，已选择行政处罚：列为立法修改建议候选")
               % {"m": task.matter.name}, matter_key=task.matter.key, document=disposition.document_number)
    return disposition


def _notify_applicant(application, task, chosen, disposition):
    """Tell the applicant (the audit line is the record; the message and its e-mail/SMS go through portal.notifications)."""
    with in_chinese():  # the message and its audit line are stored: Chinese, whatever the page's language
        body = _("您的办件 %(app)s 中“%(m)s”的告知承诺经核查不实（认定文号 %(num)s），处理措施：%(c)s。"
                 "如有异议，可在“我的信用”中提出异议。") % {
            "app": application.number, "m": task.matter.name, "num": disposition.decision_number, "c": "、".join(chosen)}
        audit.record("verification.applicant_notified", obj=application, agency=task.agency, summary=body[:300])
        notify(application.applicant_user or application.subject, "outcome", _("核查结果：承诺不实"), body, ("commitments:application", application.pk), key=f"outcome:{task.pk}")
