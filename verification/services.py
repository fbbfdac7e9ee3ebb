"""Every write of the verification app.

Each write runs in ``transaction.atomic`` and appends an ``AuditEvent``; state changes go through
the django-fsm transitions on the models (saved as ``UPDATE … WHERE state = old``) or, for claiming,
a conditional ``UPDATE … WHERE state = 'open'`` so that two verifiers never hold the same task.
Commitments and applications change only through ``commitments.api``, and so does credit: a false
finding's record goes through ``commitments.api.record_false_finding``. Refusals are ``VerificationError`` with the reason in Chinese.
"""

import datetime
import hashlib
import logging
import math
import random
import re
import secrets

from django.core.mail import send_mail
from django.db import IntegrityError, connection, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed

from catalog.api import VerificationMethod, verification_promise
from commitments import api as commitments
from commitments.api import Application, Commitment, CommitmentsError, Requirement
from credit import api as credit
from portal import audit, roles, transitions, workdays
from portal.models import Agency
from portal.notifications import notify

from . import conf, connectors, selectors
from .models import (
    AssistanceRequest,
    DataCheck,
    Disposition,
    DocumentReview,
    Inspection,
    InspectionPhoto,
    Result,
    ReviewResult,
    SpotCheckItem,
    SpotCheckPlan,
    SpotCheckPoolEntry,
    SpotCheckRun,
    TaskOrigin,
    VerificationError,
    VerificationPlan,
    VerificationPolicy,
    VerificationTask,
)

log = logging.getLogger(__name__)
T = VerificationTask.State
STALE = _("该核查任务的状态已经变化（可能已被他人处理），请刷新页面后重新操作。")

# 核查强度 by credit level (§二(五): the committer's credit sets the intensity). D cannot commit at all
# (credit.eligibility refuses it); should a D commitment exist, it is checked on-site. Migration 0002 seeded
# the same values from its own frozen copy; these fill in a level that is missing at run time.
DEFAULT_POLICIES = {
    "A": dict(sample_percent=20, verify_exempt_matters=False, force_on_site=False, note="守信主体低比例抽取核查"),
    "B": dict(sample_percent=60, verify_exempt_matters=False, force_on_site=False, note="轻微失信主体提高核查比例"),
    "C": dict(sample_percent=100, verify_exempt_matters=True, force_on_site=True, note="一律现场核查"),
    "D": dict(sample_percent=100, verify_exempt_matters=True, force_on_site=True, note="不适用告知承诺制；如有则现场核查"),
}


def _audit(action, obj, actor, before="", after="", summary="", agency=None, request=None, **data):
    audit.record(f"verification.{action}", obj=obj, actor=actor, agency=agency, from_state=before, to_state=after,
                 summary=summary, data=data, request=request)


def _today():
    return timezone.localdate()


def _evidence(task, kind, **data):
    entry = {"kind": kind, "at": timezone.now().isoformat(timespec="seconds"), **data}
    task.evidence = [*task.evidence, entry]
    VerificationTask.objects.filter(pk=task.pk).update(evidence=task.evidence)


def policy_for(level: str) -> VerificationPolicy:
    policy = VerificationPolicy.objects.filter(level=level).first()
    if policy is None:
        policy, _created = VerificationPolicy.objects.get_or_create(level=level, defaults=DEFAULT_POLICIES[level])
    return policy


def update_policy(policy, *, actor, request=None, **values) -> VerificationPolicy:
    with transaction.atomic():
        before = {k: getattr(policy, k) for k in values}
        for k, v in values.items():
            setattr(policy, k, v)
        policy.save()
        _audit("policy.updated", policy, actor, summary=str(policy), request=request,
               before={k: str(v) for k, v in before.items()}, after={k: str(v) for k, v in values.items()})
    return policy


def sampled(key: str, percent: int) -> bool:
    """A stable draw (the same commitment always draws the same way, so re-planning never changes it)."""
    if percent >= 100:
        return True
    if percent <= 0:
        return False
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) % 100 < percent


# --- planning ----------------------------------------------------------------------------------------
def _choose(commitment, matter, policy) -> str | None:
    """The method of the task to create for this commitment, or None (→ spot-check pool).

    Reads the same promise the notification and the letter print (catalog.models.verification_promise):
    a high-risk matter is always verified whatever the credit level.
    """
    promise = verification_promise(matter)
    if policy.force_on_site:
        return VerificationMethod.ON_SITE
    if promise["always"]:
        return promise["methods"][0]
    if promise["exempt"]:
        return VerificationMethod.DATA_SHARING if policy.verify_exempt_matters else None
    return promise["methods"][0] if sampled(commitment.letter_number, policy.sample_percent) else None


def plan_application(application_id) -> VerificationPlan | None:
    """Create the tasks an accepted application needs, put the rest in the spot-check pool. Idempotent."""
    application = Application.objects.select_related("subject", "agency").filter(pk=application_id).first()
    if application is None or application.state not in (Application.State.ACCEPTED, Application.State.APPROVED):
        return None
    existing = VerificationPlan.objects.filter(application=application).first()
    if existing is not None:
        return existing
    level = credit.credit_level(application.subject)
    policy = policy_for(level)
    start = timezone.localtime(application.accepted_at).date() if application.accepted_at else _today()
    try:
        with transaction.atomic():
            plan = VerificationPlan.objects.create(application=application, credit_level=level)
            requirements = (Requirement.objects.filter(application=application)
                            .select_related("matter").prefetch_related("commitments__matter").order_by("seq"))
            tasks, pooled = 0, 0
            for req in requirements:
                commitment = next((c for c in req.commitments.all() if c.state == Commitment.State.SIGNED), None)
                if req.mode == Requirement.Mode.PROOF:
                    _pool(application, req, None, req.matter)
                    pooled += 1
                    continue
                if commitment is None:
                    continue
                matter = commitment.matter
                method = _choose(commitment, matter, policy)
                if method is None:
                    # 免予核查 is a state only for matters that are exempt; not being drawn is internal (the
                    # commitment stays signed in the spot-check pool).
                    if matter.is_exempt:
                        commitments.conclude_commitment(commitment_pk=commitment.pk, outcome="exempted")
                    _pool(application, req, commitment, matter)
                    pooled += 1
                    continue
                days = matter.verification_days or conf.DEFAULT_VERIFICATION_WORKDAYS
                due = workdays.deadline(start, days)
                task = VerificationTask.objects.create(
                    agency=application.agency, application=application, requirement=req, commitment=commitment,
                    subject=application.subject, matter=matter, method=method, origin=TaskOrigin.PLAN,
                    credit_level=level, due_date=due.date, deadline_provisional=due.provisional,
                )
                workdays.track(task, "due_date", due)
                tasks += 1
            VerificationPlan.objects.filter(pk=plan.pk).update(tasks_created=tasks, pooled=pooled)
            plan.tasks_created, plan.pooled = tasks, pooled
            _audit("plan.created", application, None, summary=_("制定核查计划：核查任务 %(t)s 项，纳入抽查库 %(p)s 项")
                   % {"t": tasks, "p": pooled}, agency=application.agency, level=level, tasks=tasks, pooled=pooled)
    except IntegrityError:  # planned concurrently: the other one won
        return VerificationPlan.objects.filter(application=application).first()
    return plan


def _pool(application, req, commitment, matter):
    SpotCheckPoolEntry.objects.get_or_create(requirement=req, defaults=dict(
        application=application, commitment=commitment, subject=application.subject, agency=application.agency,
        matter=matter, matter_key=matter.key,
        path=SpotCheckPoolEntry.Path.COMMITMENT if commitment else SpotCheckPoolEntry.Path.PROOF,
    ))


def plan_unplanned(limit=200) -> int:
    """Beat safety net: plan every accepted application that has no plan yet."""
    done = 0
    for pk in selectors.unplanned_accepted(limit):
        done += plan_application(pk) is not None
    return done


# --- the queue ---------------------------------------------------------------------------------------
def _may_verify(user):
    if not (user.is_superuser or roles.has_role(user, roles.VERIFIER)):
        raise VerificationError(_("只有核查人员可以认领核查任务。"))


def claim(*, user, task_id, request=None) -> VerificationTask:
    """Claim one open task of the user's scope. A conditional UPDATE: of two claimers exactly one wins."""
    _may_verify(user)
    with transaction.atomic():
        task = selectors.task_for_verifier(user, task_id)
        won = VerificationTask.objects.filter(pk=task.pk, state=T.OPEN).update(
            state=T.CLAIMED, claimed_by=user, claimed_at=timezone.now())
        if not won:
            raise VerificationError(_("该任务已被其他核查人员认领或已办结。"), code="already_claimed")
        _audit("task.claimed", task, user, T.OPEN, T.CLAIMED, agency=task.agency, request=request,
               summary=_("认领核查任务"))
    return selectors.task_for_verifier(user, task_id)


def claim_next(*, user, request=None) -> VerificationTask | None:
    """Claim the earliest-due open task of the user's scope, or None if none is left.

    PostgreSQL: one statement, ``UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1) RETURNING``,
    so a claim is a single round trip before its audit line; other databases (SQLite, no SKIP LOCKED):
    read the first open task, then the same conditional UPDATE.
    """
    _may_verify(user)
    candidates = selectors.open_for_claiming(user)
    with transaction.atomic():
        if connection.features.has_select_for_update_skip_locked:
            claimed = _claim_first(candidates, user)
        else:
            pk = candidates.values_list("pk", flat=True).first()
            won = pk is not None and VerificationTask.objects.filter(pk=pk, state=T.OPEN).update(
                state=T.CLAIMED, claimed_by=user, claimed_at=timezone.now())
            claimed = (pk, VerificationTask.objects.filter(pk=pk).values_list("agency_id", flat=True)[0]) if won else None
        if claimed is None:
            return None
        pk, agency_id = claimed
        _audit_claim(pk, user, request, agency_id)
    return VerificationTask(pk=pk, agency_id=agency_id)


def _claim_first(candidates, user):
    """(id, agency id) of the task this statement claimed, or None. The subquery is the selector's own
    query (scope and order), locked with SKIP LOCKED so concurrent claimers take different rows."""
    first, params = candidates.select_for_update(skip_locked=True, of=("self",)).values("pk")[:1].query.sql_with_params()
    table = connection.ops.quote_name(VerificationTask._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} AS claimed SET state = %s, claimed_by_id = %s, claimed_at = %s "  # noqa: S608
            f"WHERE claimed.id = ({first}) AND claimed.state = %s RETURNING claimed.id, claimed.agency_id",
            [T.CLAIMED, user.pk, timezone.now(), *params, T.OPEN],
        )
        return cursor.fetchone()


def _audit_claim(pk, user, request, agency_id):
    # the task's agency, as ``claim`` records it (for a verifier it is the user's own, read without a query)
    audit.record("verification.task.claimed", obj=VerificationTask(pk=pk), actor=user, from_state=T.OPEN,
                 to_state=T.CLAIMED, summary=_("认领核查任务"), request=request, agency=Agency(pk=agency_id))


def _locked(user, task_id) -> VerificationTask:
    selectors.task_for_verifier(user, task_id)  # scope check (404 outside it)
    return (VerificationTask.objects.select_for_update(of=("self",))
            .select_related("agency", "application", "subject", "matter", "commitment").get(pk=task_id))


REFUSALS = transitions.Refusals(error=VerificationError, stale=STALE,
                                forbidden=gettext_lazy("只有认领该任务的核查人员可以办理。"))


def release(*, user, task_id, request=None) -> VerificationTask:
    with transaction.atomic():
        task = _locked(user, task_id)
        before = task.state
        transitions.run(task, "release", user, actor=user, refusals=REFUSALS)
        _audit("task.released", task, user, before, task.state, agency=task.agency, request=request,
               summary=_("退回队列"))
    return task


def _held(user, task_id) -> VerificationTask:
    task = _locked(user, task_id)
    if task.state not in VerificationTask.ACTIVE_STATES:
        raise VerificationError(_("请先认领该任务。") if task.state == T.OPEN else STALE,
                                code="not_claimed" if task.state == T.OPEN else "stale")
    if task.claimed_by_id != user.pk and not user.is_superuser:
        raise VerificationError(_("只有认领该任务的核查人员可以办理。"), code="forbidden")
    return task


# --- data sharing ------------------------------------------------------------------------------------
def run_data_check(*, user, task_id, connector, request=None) -> DataCheck:
    """Ask a data-sharing connector about the subject; the answer (or the failure) is kept as evidence."""
    with transaction.atomic():
        task = _held(user, task_id)
    try:
        source = connectors.get(connector)
    except connectors.ConnectorError as exc:
        raise VerificationError(str(exc), field="connector") from None
    number = task.subject.id_number
    try:
        answer = source.lookup(number)
        outcome = DataCheck.Outcome.FOUND if answer.found else DataCheck.Outcome.NOT_FOUND
        record, error, elapsed = answer.record, "", answer.elapsed_ms
    except connectors.ConnectorError as exc:
        outcome, record, error, elapsed = DataCheck.Outcome.FAILED, {}, str(exc)[:300], 0
    with transaction.atomic():
        task = _held(user, task_id)
        check = DataCheck.objects.create(task=task, connector=connector, outcome=outcome, answer=record, error=error,
                                         elapsed_ms=elapsed, checked_by=user)
        _evidence(task, "data_check", connector=connector, source=str(source.label), outcome=outcome, check=check.pk)
        _audit("data_check", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("数据共享核查（%(source)s）：%(outcome)s") % {"source": source.label,
                                                                  "outcome": check.get_outcome_display()},
               connector=connector, outcome=outcome)
    return check


# --- written-material check (书面核查) ------------------------------------------------------------------
def record_document_review(*, user, task_id, materials, findings, result, request=None) -> DocumentReview:
    """A desk check of the written material the applicant submitted: what was read and what it shows."""
    materials, findings = (materials or "").strip(), (findings or "").strip()
    if not materials:
        raise VerificationError(_("请写明审查了哪些材料。"), field="materials")
    if not findings:
        raise VerificationError(_("请填写书面审查情况。"), field="findings")
    if result not in ReviewResult.values:
        raise VerificationError(_("请选择审查结论。"), field="result")
    with transaction.atomic():
        task = _held(user, task_id)
        review = DocumentReview.objects.create(task=task, materials=materials, findings=findings, result=result,
                                               reviewed_by=user)
        _evidence(task, "document_review", review=review.pk, result=result, findings=findings[:500])
        _audit("document_review", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("书面核查：%(r)s") % {"r": review.get_result_display()}, review=review.pk, result=result)
    return review


# --- assistance requests -------------------------------------------------------------------------------
def send_assistance(*, user, task_id, to_agency, question, request=None) -> AssistanceRequest:
    question = (question or "").strip()
    if not question:
        raise VerificationError(_("请写明需要协查确认的事项。"), field="question")
    with transaction.atomic():
        task = _held(user, task_id)
        if to_agency is None or to_agency.pk == task.agency_id:
            raise VerificationError(_("请选择本机关以外的协查机关。"), field="to_agency")
        before = task.state
        transitions.run(task, "await_assistance", user, actor=user, refusals=REFUSALS)
        due = workdays.deadline(_today(), conf.assistance_workdays())
        req = AssistanceRequest.objects.create(
            task=task, number=commitments.next_number("XC"), from_agency=task.agency, to_agency=to_agency,
            question=question, sent_by=user, due_date=due.date, deadline_provisional=due.provisional,
        )
        workdays.track(req, "due_date", due, people=[user.pk])
        _evidence(task, "assistance_sent", number=req.number, to=to_agency.name)
        _audit("assistance.sent", task, user, before, task.state, agency=task.agency, request=request,
               summary=_("向%(agency)s发出协查函 %(number)s") % {"agency": to_agency.name, "number": req.number},
               number=req.number, due=req.due_date.isoformat())
    return req


def _settle(req, user):
    task = VerificationTask.objects.select_for_update(of=("self",)).get(pk=req.task_id)
    _evidence(task, "assistance_" + req.state, number=req.number, answer=req.answer,
              text=req.reply_text or req.refusal_reason)
    pending = task.assistance_requests.filter(state=AssistanceRequest.State.PENDING).exists()
    if task.state == T.WAITING_ASSISTANCE and not pending:
        task.assistance_settled(user)
        task.save()


def _answer(user, request_id, method, *args):
    """Reply to or refuse a request of the user's inbox: the transition, the on-time stamp, the task settles."""
    closed = _("该协查函已经回复或拒绝。")
    req = selectors.inbox_answerable(user, request_id)
    req = AssistanceRequest.objects.select_for_update().get(pk=req.pk)
    if not can_proceed(getattr(req, method)):
        raise VerificationError(closed)
    getattr(req, method)(user, *args)
    req.answered_at = timezone.now()
    req.answered_on_time = _today() <= req.due_date
    try:
        req.save()
    except ConcurrentTransition:
        raise VerificationError(closed) from None
    _settle(req, user)
    return req


def reply_assistance(*, user, request_id, answer, text, request=None) -> AssistanceRequest:
    text = (text or "").strip()
    if answer not in AssistanceRequest.Answer.values:
        raise VerificationError(_("请选择协查结论。"), field="answer")
    if not text:
        raise VerificationError(_("请填写回复内容。"), field="text")
    with transaction.atomic():
        req = _answer(user, request_id, "reply", answer, text)
        _audit("assistance.answered", req, user, "pending", req.state, request=request,
               summary=req.get_answer_display(), on_time=req.answered_on_time)
    return req


def refuse_assistance(*, user, request_id, reason, request=None) -> AssistanceRequest:
    reason = (reason or "").strip()
    if not reason:
        raise VerificationError(_("拒绝协查须写明理由（被请求部门不得无故推诿或拒绝）。"), field="reason")
    with transaction.atomic():
        req = _answer(user, request_id, "refuse", reason)
        _audit("assistance.refused", req, user, "pending", req.state, request=request, summary=reason[:200])
    return req


def reply_letter_pdf(req) -> bytes:
    """协助回复函 (rendered through portal.pdf, the one PDF entry), sealed by the answering agency
    (raises ``portal.seals.SealError`` rather than hand out an unsealed reply)."""
    from portal import pdf

    return pdf.render_pdf("verification/assistance_reply_pdf.html", {
        "req": req, "today": _today(), "seal_reason": f"协助回复函 {req.number}"}, seal_by=req.to_agency)


def _staff_emails(agencies, role) -> list[str]:
    from portal.models import User

    return list(User.objects.filter(agency__in=agencies, groups__name=role, is_active=True).exclude(email="")
                .values_list("email", flat=True).distinct())


def remind_assistance(today=None) -> int:
    """Beat: remind the asked agency one working day before the deadline (once per request)."""
    today = today or _today()
    horizon = workdays.add_workdays(today, 1)
    done = 0
    for req in AssistanceRequest.objects.filter(state="pending", reminded_at__isnull=True, due_date__gte=today,
                                                due_date__lte=horizon).select_related("to_agency"):
        with transaction.atomic():
            if not AssistanceRequest.objects.filter(pk=req.pk, reminded_at__isnull=True).update(reminded_at=timezone.now()):
                continue
            _audit("assistance.reminded", req, None, agency=req.to_agency, summary=_("协查函即将到期提醒"))
            emails = _staff_emails([req.to_agency], roles.VERIFIER)
            transaction.on_commit(lambda r=req, e=emails: _mail(
                e, _("协查函 %(n)s 即将到期") % {"n": r.number},
                _("协查函 %(n)s 的回复期限为 %(d)s，请及时回复。") % {"n": r.number, "d": _cn(r.due_date)}))
        done += 1
    return done


def escalate_assistance(today=None) -> int:
    """Beat: requests past their deadline go to the supervisors above the asked agency (once per request)."""
    today = today or _today()
    done = 0
    for req in AssistanceRequest.objects.filter(state="pending", escalated_at__isnull=True,
                                                due_date__lt=today).select_related("to_agency"):
        with transaction.atomic():
            if not AssistanceRequest.objects.filter(pk=req.pk, escalated_at__isnull=True).update(
                    escalated_at=timezone.now()):
                continue
            _audit("assistance.escalated", req, None, agency=req.to_agency,
                   summary=_("协查函逾期未回复，已提请督办"))
            chain = []
            agency = req.to_agency
            while agency is not None:
                chain.append(agency)
                agency = agency.parent
            emails = _staff_emails(chain, roles.SUPERVISOR)
            transaction.on_commit(lambda r=req, e=emails: _mail(
                e, _("协查函 %(n)s 逾期未回复") % {"n": r.number},
                _("%(a)s 收到的协查函 %(n)s 已超过回复期限 %(d)s，请督办。")
                % {"a": r.to_agency.name, "n": r.number, "d": _cn(r.due_date)}))
        done += 1
    return done


def _cn(d: datetime.date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _mail(recipients, subject, body):
    if not recipients:
        return
    try:
        send_mail(subject, body, None, recipients, fail_silently=False)
    except Exception:  # mail is a courtesy; the audit trail and the inbox carry the fact
        log.exception("verification mail failed")


# --- inspections ------------------------------------------------------------------------------------
def assign_inspection(*, user, task_id, inspectors, planned_date, address="", request=None) -> Inspection:
    inspectors = list(inspectors or [])
    if not inspectors:
        raise VerificationError(_("请至少选择一名现场检查人员。"), field="inspectors")
    if planned_date < _today():
        raise VerificationError(_("计划检查日期不能早于今天。"), field="planned_date")
    with transaction.atomic():
        task = _held(user, task_id)
        allowed = set(selectors.inspectors_in_scope(user).values_list("pk", flat=True))
        if any(i.pk not in allowed for i in inspectors):
            raise VerificationError(_("只能指派本机关的现场检查人员。"), field="inspectors")
        inspection = Inspection.objects.create(task=task, planned_date=planned_date, address=(address or "").strip(),
                                               assigned_by=user)
        inspection.inspectors.set(inspectors)
        _evidence(task, "inspection_assigned", inspection=inspection.pk,
                  inspectors=[i.get_full_name() for i in inspectors])
        _audit("inspection.assigned", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("指派现场核查：%(names)s") % {"names": "、".join(i.get_full_name() for i in inspectors)},
               inspection=inspection.pk)
    return inspection


def record_findings(*, user, inspection_id, findings, result, photos=(), request=None) -> Inspection:
    findings = (findings or "").strip()
    if not findings:
        raise VerificationError(_("请填写现场检查情况。"), field="findings")
    if result not in Result.values:
        raise VerificationError(_("请选择检查结论。"), field="result")
    checked = []
    for photo in photos:
        try:
            content_type, digest = commitments.sniff_upload(photo, field="photos")
        except CommitmentsError as exc:
            raise VerificationError(exc.message, field="photos") from None
        if content_type not in ("image/jpeg", "image/png"):
            raise VerificationError(_("现场照片只能是 JPG 或 PNG 图片。"), field="photos")
        checked.append((photo, content_type, digest))
    with transaction.atomic():
        inspection = selectors.inspection_for(user, inspection_id)
        inspection = Inspection.objects.select_for_update().get(pk=inspection.pk)
        if inspection.state != Inspection.State.ASSIGNED:
            raise VerificationError(_("该现场检查已经记录过结果。"))
        for photo, content_type, digest in checked:
            row = InspectionPhoto(inspection=inspection, content_type=content_type, sha256=digest, size=photo.size,
                                  uploaded_by=user)
            row.file.save("photo", photo, save=False)
            row.save()
        inspection.findings, inspection.finding_result = findings, result
        inspection.state, inspection.recorded_by, inspection.recorded_at = Inspection.State.DONE, user, timezone.now()
        inspection.save()
        task = VerificationTask.objects.select_for_update(of=("self",)).get(pk=inspection.task_id)
        _evidence(task, "inspection", inspection=inspection.pk, result=result, findings=findings[:500],
                  photos=len(checked))
        _audit("inspection.recorded", task, user, task.state, task.state, agency=task.agency, request=request,
               summary=_("现场检查结论：%(r)s") % {"r": inspection.get_finding_result_display()},
               inspection=inspection.pk, result=result)
    return inspection


# --- concluding --------------------------------------------------------------------------------------
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
            credit_level=task.credit_level, due_date=rectify_due, parent=task,
        )
    chosen = [str(Disposition._meta.get_field(k).verbose_name) for k in
              ("terminate", "rectify", "revoke", "penalty", "refer_judicial") if getattr(disposition, k)]
    _audit("disposition", task, user, task.state, task.state, agency=task.agency, request=request,
           summary="、".join(chosen), decision=disposition.decision_number, credit_record=disposition.credit_record_id,
           legal_basis=disposition.legal_basis, document=disposition.document_number,
           referral=[disposition.referral_organ, str(disposition.referral_date or ""), disposition.referral_number]
           if refer else None)
    _notify_applicant(application, task, chosen, disposition)


def _notify_applicant(application, task, chosen, disposition):
    """Tell the applicant (the audit line is the record; the message and its e-mail/SMS go through portal.notifications)."""
    body = _("您的办件 %(app)s 中“%(m)s”的告知承诺经核查不实（认定文号 %(num)s），处理措施：%(c)s。"
             "如有异议，可在“我的信用”中提出异议。") % {
        "app": application.number, "m": task.matter.name, "num": disposition.decision_number, "c": "、".join(chosen)}
    audit.record("verification.applicant_notified", obj=application, agency=task.agency, summary=body[:300])
    notify(application.applicant_user or application.subject, "outcome", _("核查结果：承诺不实"), body, ("commitments:application", application.pk), key=f"outcome:{task.pk}")


def terminate_overdue_rectifications(today=None) -> int:
    """责令限期整改 missed: the case still waiting for its proof is terminated once the deadline has passed.

    Idempotent (two beats terminate once): the application is locked and only an open case whose
    requirement still has no proof is terminated; the follow-up task closes with the same outcome.
    """
    today = today or _today()
    done = 0
    due = (Disposition.objects.filter(rectify=True, rectify_due__lt=today,
                                      task__application__state__in=[Application.State.SUBMITTED,
                                                                    Application.State.ACCEPTED])
           .values_list("pk", flat=True))
    for pk in list(due):
        with transaction.atomic():
            disposition = Disposition.objects.select_related("task", "task__matter").get(pk=pk)
            task = disposition.task
            application = Application.objects.select_for_update().get(pk=task.application_id)
            if application.state not in (Application.State.SUBMITTED, Application.State.ACCEPTED):
                continue
            if Requirement.objects.filter(pk=task.requirement_id, proofs__isnull=False).exists():
                continue  # the applicant supplied the proof in time
            reason = _("责令限期整改（%(n)s）期限 %(d)s 已过，申请人未补交“%(m)s”的证明材料，终止办理。") % {
                "n": disposition.decision_number, "d": _cn(disposition.rectify_due), "m": task.matter.name}
            commitments.terminate_application(application_pk=application.pk, reason=reason)
            VerificationTask.objects.filter(parent=task, origin=TaskOrigin.RECTIFICATION).exclude(
                state=T.CONCLUDED).update(state=T.CONCLUDED, result=Result.FALSE, conclusion=reason,
                                          concluded_at=timezone.now(), claimed_by=disposition.decided_by,
                                          concluded_by=disposition.decided_by)
            _audit("rectification.overdue", task, None, task.state, task.state, agency=task.agency, summary=reason)
            notify(application.applicant_user or application.subject, "outcome", _("办件已终止办理"), reason,
                   ("commitments:application", application.pk), key=f"rectify-overdue:{disposition.pk}")
            done += 1
    return done


# --- 双随机、一公开 ------------------------------------------------------------------------------------
def period_for(plan, today) -> str:
    if plan.frequency == SpotCheckPlan.Frequency.WEEKLY:
        year, week, _day = today.isocalendar()
        return f"{year}-W{week:02d}"
    if plan.frequency == SpotCheckPlan.Frequency.QUARTERLY:
        return f"{today.year}-Q{(today.month - 1) // 3 + 1}"
    return f"{today.year}-{today.month:02d}"


SMALL_POOL = 20_000


def draw(pool_qs, seed: int, max_id: int, k: int) -> list[int]:
    """Draw ``k`` distinct pool ids fairly at random, reproducibly from ``seed`` — never ``ORDER BY random()``.

    A small pool is read as sorted ids and sampled. A large one is probed with random primary keys
    in [min, max] (rejection sampling: each existing row is equally likely), a batch per query.
    """
    rng = random.Random(seed)  # noqa: S311 - reproducible draw; the seed itself comes from `secrets`  # nosec B311
    qs = pool_qs.filter(pk__lte=max_id)
    bounds = qs.aggregate(low=Min("pk"), n=Max("pk"))
    if bounds["low"] is None or k <= 0:
        return []
    low, high = bounds["low"], bounds["n"]
    if high - low < SMALL_POOL:
        ids = list(qs.order_by("pk").values_list("pk", flat=True))
        return rng.sample(ids, min(k, len(ids)))
    chosen: list[int] = []
    seen: set[int] = set()
    for _round in range(200):
        need = k - len(chosen)
        if need <= 0:
            break
        probes = [rng.randint(low, high) for _ in range(need * 2 + 16)]
        found = set(qs.filter(pk__in=set(probes)).values_list("pk", flat=True))
        for pk in probes:
            if pk in found and pk not in seen:
                seen.add(pk)
                chosen.append(pk)
                if len(chosen) == k:
                    break
    return chosen


def redraw(run) -> list[int]:
    """Re-run a stored draw from its seed (for audit): the same ids in the same order."""
    return draw(selectors.pool(run.plan), run.seed, run.pool_max_id, run.sample_size)


def _conflicted(entry) -> set[int]:
    """Staff who handled this subject: filed or witnessed its applications, or worked its tasks."""
    apps = Application.objects.filter(subject_id=entry.subject_id)
    ids = set(apps.exclude(filed_by=None).values_list("filed_by", flat=True))
    ids |= set(Commitment.objects.filter(application__subject_id=entry.subject_id).exclude(witnessed_by=None)
               .values_list("witnessed_by", flat=True))
    for field in ("claimed_by", "concluded_by"):
        ids |= set(VerificationTask.objects.filter(subject_id=entry.subject_id).exclude(**{field: None})
                   .values_list(field, flat=True))
    return ids


def _attach_to_existing_check(run, entry) -> bool:
    """一诺一果: a drawn commitment that already has an open check joins it; one already checked is answered
    with that outcome. No second task. True when the item was recorded that way."""
    tasks = VerificationTask.objects.filter(requirement_id=entry.requirement_id).exclude(origin=TaskOrigin.RECTIFICATION)
    if entry.commitment_id:
        tasks = VerificationTask.objects.filter(commitment_id=entry.commitment_id).exclude(
            origin=TaskOrigin.RECTIFICATION)
    task = tasks.exclude(state=T.CONCLUDED).order_by("pk").first()
    if task is not None:
        note = _("已并入未办结的核查任务 %(pk)s（同一承诺只作一个核查结论）") % {"pk": task.pk}
    else:
        task = (tasks.filter(state=T.CONCLUDED).exclude(result=Result.UNVERIFIABLE)
                .order_by("-concluded_at", "-pk").first())
        if task is None:
            return False
        note = _("已有核查结论（核查任务 %(pk)s），不重复核查") % {"pk": task.pk}
    linked = not SpotCheckItem.objects.filter(task=task).exists()
    SpotCheckItem.objects.create(run=run, entry=entry, task=task if linked else None, note=note[:200])
    _audit("task.spot_check_attached", task, None, task.state, task.state, agency=task.agency, summary=note,
           run=run.pk)
    return True


def run_spot_check(plan_id, today=None, seed=None) -> SpotCheckRun | None:
    """Create this period's run of a plan exactly once; draw subjects and inspectors; create the tasks."""
    today = today or _today()
    plan = SpotCheckPlan.objects.filter(pk=plan_id, active=True).select_related("owner").first()
    if plan is None:
        return None
    period = period_for(plan, today)
    existing = SpotCheckRun.objects.filter(plan=plan, period=period).first()
    if existing is not None:
        return existing
    seed = seed if seed is not None else secrets.randbits(62)
    pool_qs = selectors.pool(plan)
    max_id = pool_qs.aggregate(m=Max("pk"))["m"] or 0
    pool_size = pool_qs.filter(pk__lte=max_id).count()
    k = min(pool_size, max(plan.minimum, math.ceil(pool_size * plan.ratio_permille / 1000))) if pool_size else 0
    inspectors = list(plan.inspectors.filter(is_active=True).order_by("pk"))
    try:
        with transaction.atomic():
            run = SpotCheckRun.objects.create(plan=plan, period=period, seed=seed, pool_max_id=max_id,
                                              pool_size=pool_size, sample_size=k)
            ids = draw(pool_qs, seed, max_id, k)
            entries = SpotCheckPoolEntry.objects.in_bulk(ids)
            rng = random.Random(seed ^ 0x5EED)  # noqa: S311 - reproducible assignment from the stored seed  # nosec B311
            deadline = workdays.deadline(today, plan.due_workdays)
            due = deadline.date
            for pk in ids:
                entry = entries[pk]
                if _attach_to_existing_check(run, entry):
                    continue
                blocked = _conflicted(entry)
                candidates = [i for i in inspectors if i.pk not in blocked]
                if len(candidates) < plan.inspectors_per_check:
                    SpotCheckItem.objects.create(run=run, entry=entry, note=_("可用检查人员不足（已回避经办人员）"))
                    continue
                picked = rng.sample(candidates, plan.inspectors_per_check)
                task = VerificationTask.objects.create(
                    agency=entry.agency, application=entry.application, requirement=entry.requirement,
                    commitment=entry.commitment, subject=entry.subject, matter=entry.matter,
                    method=VerificationMethod.ON_SITE, origin=TaskOrigin.SPOT_CHECK, due_date=due,
                    deadline_provisional=deadline.provisional,
                )
                workdays.track(task, "due_date", deadline, people=[i.pk for i in picked])
                inspection = Inspection.objects.create(task=task, planned_date=due)
                inspection.inspectors.set(picked)
                SpotCheckItem.objects.create(run=run, entry=entry, task=task)
            _audit("spot_check.drawn", run, None, agency=plan.owner,
                   summary=_("%(plan)s %(period)s：从 %(n)s 户中随机抽取 %(k)s 户") % {
                       "plan": plan.name, "period": period, "n": pool_size, "k": k},
                   seed=str(seed), pool_max_id=max_id, drawn=ids)
    except IntegrityError:  # another beat or worker drew this period first
        return SpotCheckRun.objects.filter(plan=plan, period=period).first()
    return run


def run_due_spot_checks(today=None) -> int:
    made = 0
    for pk in SpotCheckPlan.objects.filter(active=True).values_list("pk", flat=True):
        before = SpotCheckRun.objects.count()
        run_spot_check(pk, today=today)
        made += SpotCheckRun.objects.count() > before
    return made


def _maybe_publish(task):
    item = SpotCheckItem.objects.filter(task=task).select_related("run").first()
    if item is not None:
        publish_ready_runs(run_ids=[item.run_id])


def publish_ready_runs(run_ids=None) -> int:
    """一公开: a run whose tasks are all concluded is published (idempotent)."""
    qs = selectors.runs_ready_to_publish()
    if run_ids is not None:
        qs = qs.filter(pk__in=run_ids)
    done = 0
    for run in qs:
        if SpotCheckRun.objects.filter(pk=run.pk, published_at__isnull=True).update(published_at=timezone.now()):
            _audit("spot_check.published", run, None, agency=run.plan.owner, summary=str(run))
            done += 1
    return done


# --- reports from the complaints desk ------------------------------------------------------------------
def open_task_for_report(commitment, reason: str, *, source: str = "", actor=None):
    """A report (举报) of a suspected false commitment opens a verification task against it.

    Idempotent per commitment: while a report task for it is still open, that one is returned
    (several reports about the same letter are worked together).
    """
    with transaction.atomic():
        commitment = (Commitment.objects.select_for_update(of=("self",)).select_related("application", "matter", "requirement")
                      .get(pk=commitment.pk))
        # 一诺一果: a report joins any open check of this letter (plan, sample or an earlier report);
        # a letter already verified or found false is answered with that outcome, never checked twice.
        tasks = VerificationTask.objects.filter(commitment=commitment).exclude(origin=TaskOrigin.RECTIFICATION)
        existing = tasks.exclude(state=VerificationTask.State.CONCLUDED).order_by("pk").first()
        if existing is None and commitment.state in (Commitment.State.VERIFIED, Commitment.State.FOUND_FALSE):
            existing = (tasks.filter(state=VerificationTask.State.CONCLUDED)
                        .exclude(result=Result.UNVERIFIABLE).order_by("-concluded_at", "-pk").first())
        if existing is not None:
            _audit("task.report_attached", existing, actor, existing.state, existing.state, agency=existing.agency,
                   summary=reason[:300], source=source)
            return existing
        application, matter = commitment.application, commitment.matter
        methods = [m for m in (matter.verification_methods or []) if m != VerificationMethod.EXEMPT]
        due = workdays.deadline(_today(), matter.verification_days or conf.DEFAULT_VERIFICATION_WORKDAYS)
        task = VerificationTask.objects.create(
            agency=application.agency, application=application, requirement=commitment.requirement,
            commitment=commitment, subject=application.subject, matter=matter,
            method=methods[0] if methods else VerificationMethod.DATA_SHARING, origin=TaskOrigin.REPORT,
            credit_level=credit.credit_level(application.subject),
            due_date=due.date, deadline_provisional=due.provisional, conclusion="",
        )
        workdays.track(task, "due_date", due)
        _audit("task.opened_from_report", task, actor, after=task.state, summary=reason[:300],
               agency=application.agency, source=source)
    return task


# --- 责令限期整改: the applicant hands in the proof ---------------------------------------------------------
def submit_rectification_proof(*, user, disposition_id, upload, request=None):
    """The applicant hands in the rectification proof from the case page, until the deadline's last day;
    the proof is stored with the requirement (``commitments.services.upload_proof``) and noted on the
    rectification review task, which the verifier then concludes."""
    disposition = selectors.rectification_for_applicant(user, disposition_id)
    task = disposition.task
    if _today() > disposition.rectify_due:
        raise VerificationError(_("整改期限（%(d)s）已过，不能再提交整改证明材料。") % {"d": _cn(disposition.rectify_due)},
                                field="file")
    with transaction.atomic():
        follow_up = (VerificationTask.objects.select_for_update(of=("self",))
                     .filter(parent=task, origin=TaskOrigin.RECTIFICATION).order_by("pk").first())
        if follow_up is None or follow_up.state == T.CONCLUDED:
            raise VerificationError(_("整改复查已经办结，不能再提交整改证明材料。"), field="file")
        try:
            proof = commitments.upload_proof(user=user, application_pk=task.application_id,
                                             requirement_pk=task.requirement_id, upload=upload, rectification=True,
                                             request=request)
        except CommitmentsError as exc:
            raise VerificationError(exc.message, field="file") from None
        _evidence(follow_up, "rectification_proof", proof=proof.pk, name=proof.original_name, sha256=proof.sha256)
        _audit("rectification.proof_submitted", follow_up, user, follow_up.state, follow_up.state,
               agency=follow_up.agency, request=request,
               summary=_("申请人提交整改证明材料“%(f)s”（%(n)s）") % {"f": proof.original_name,
                                                            "n": disposition.document_number})
    return proof
