"""Every write of the commitments app.

Each write runs in ``transaction.atomic``: it locks the application row, checks the caller's
expected state (a stale form is refused, nothing changes), moves a django-fsm transition (saved
as a conditional ``UPDATE … WHERE state = old``), appends an ``AuditEvent`` and, for a new
commitment, queues the letter task with ``transaction.on_commit``.
Refusals are ``CommitmentsError`` with the reason in Chinese.
"""

import datetime
import hashlib
import logging
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed
from stdnum.cn import ric

from credit import api as credit
from portal import audit, queue, seals, transitions, workdays
from portal.models import Subject
from portal.notifications import cn_date, notify

from . import files, hooks, letters, negative_list, selectors
from .models import (
    Application,
    Commitment,
    CommitmentsError,
    Counter,
    OneTimeNotice,
    ProofDocument,
    Requirement,
    in_agency_scope,
)

log = logging.getLogger(__name__)
S = Application.State
DECISION_WORKDAYS = 20  # 行政许可法第四十二条: decide within twenty working days of acceptance
NOTICE_WORKDAYS = 5
STALE = _("该办件的状态已经变化（可能已被他人处理），请刷新页面后重新操作。")


# --- numbers ------------------------------------------------------------------------------------
def next_number(prefix: str) -> str:
    """``<prefix>-<year>-<000001>``: one counter row per prefix and year, incremented under its row lock."""
    year = timezone.localdate().year
    scope = f"{prefix}-{year}"
    with transaction.atomic():
        Counter.objects.get_or_create(scope=scope)
        Counter.objects.filter(scope=scope).update(value=F("value") + 1)
        value = Counter.objects.values_list("value", flat=True).get(scope=scope)
    return f"{scope}-{value:06d}"


# --- helpers ------------------------------------------------------------------------------------
def _lock(application_pk) -> Application:
    return Application.objects.select_for_update(of=("self",)).select_related("agency", "subject", "service").get(pk=application_pk)


def _check_expected(application, expected_state):
    if expected_state is not None and str(expected_state) != application.state:
        raise CommitmentsError(STALE, code="stale")


def _missing(application) -> str:
    missing = "、".join(r.matter.name for r in application.missing_requirements())
    return _("材料尚不齐全，还缺：%(items)s。") % {"items": missing or _("所需证明事项")}


# Source state, then conditions (the missing materials), then permission: each with its own message.
REFUSALS = transitions.Refusals(error=CommitmentsError, stale=STALE,
                                forbidden=gettext_lazy("您无权对该办件执行此操作。"), unmet=_missing)


ACTION_LABELS = {
    "application.created": _("创建办件"),
    "application.submitted": _("提交办件"),
    "application.accepted": _("窗口受理"),
    "application.approved": _("作出准予决定"),
    "application.denied": _("作出不予决定"),
    "application.withdrawn": _("申请人撤回办件"),
    "application.terminated": _("发现虚假承诺，终止办理"),
    "application.revoked": _("发现虚假承诺，撤销决定"),
}


def _audit(action, application, actor, before, summary="", request=None, **data):
    label = ACTION_LABELS.get(action)
    if label:
        summary = f"{label}：{summary}" if summary else str(label)
    audit.record(f"commitments.{action}", obj=application, actor=actor, agency=application.agency,
                 from_state=before, to_state=application.state, summary=summary, data=data, request=request)


def is_minor(subject: Subject, today=None) -> bool:
    if subject.kind != Subject.Kind.PERSON:
        return False
    today = today or timezone.localdate()
    born = ric.get_birth_date(subject.id_number)
    return (today.year - born.year - ((today.month, today.day) < (born.month, born.day))) < 18


def _requirements_for(application, matters):
    Requirement.objects.bulk_create([
        Requirement(application=application, matter=m, seq=i, proof_only=not m.commitment_allowed,
                    mode=Requirement.Mode.UNDECIDED if m.commitment_allowed else Requirement.Mode.PROOF)
        for i, m in enumerate(matters, start=1)
    ])


def _create(*, token, subject, service, matters, actor, request, **fields) -> tuple[Application, bool]:
    existing = Application.objects.filter(subject=subject, client_token=token).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            application = Application.objects.create(
                number=next_number("BJ"), client_token=token, subject=subject, service=service,
                agency=service.agency, **fields,
            )
            _requirements_for(application, matters)
            _audit("application.created", application, actor, "", summary=service.name, request=request,
                   channel=application.channel)
    except IntegrityError:
        # The same token raced in from a double click: the first one won.
        return Application.objects.get(subject=subject, client_token=token), False
    return application, True


# --- applying ---------------------------------------------------------------------------------------
GUARDIAN_REFUSED = gettext_lazy("未能核对被监护人的登记信息。首次在网上为未成年人办理前，请监护人携带户口簿（或出生医学证明）"
                     "和本人身份证件到政务服务窗口登记被监护人；已登记的，请核对姓名和身份证号码。")


def start_online(*, user, service_id, token, child=None, request=None) -> tuple[Application, bool]:
    """A citizen or enterprise starts an application (idempotent per form token).

    ``child``: ``{"name", "id_number", "relation"}`` when a legal guardian applies for a minor. The minor must
    already be on record — registered at a window, where the household register was checked — under exactly
    that name; the form never creates or renames a record, and it answers an unknown number and a wrong name
    alike (no existence oracle). Returns (application, created).
    """
    if user.bound_subject_id is None:
        raise CommitmentsError(_("您的账号尚未完成实名认证，无法在线申请。"))
    service, matters = selectors.public_service(service_id)
    subject, guardian = user.subject, {}
    if child:
        if user.subject.kind != Subject.Kind.PERSON:
            raise CommitmentsError(_("只有个人账号可以作为监护人为未成年人申请。"), field="child_name")
        # Decided from the number alone, before looking anything up: the answer says nothing about the records.
        if not is_minor(Subject(kind=Subject.Kind.PERSON, id_number=child["id_number"])):
            raise CommitmentsError(_("被监护人已年满18周岁，应由本人申请和承诺。"), field="child_id_number", code="ward_of_age")
        subject = Subject.objects.by_identifier(Subject.Kind.PERSON, child["id_number"]).first()
        if subject is None or subject.name != child["name"]:
            audit.record("commitments.guardian.refused", obj=user, actor=user, request=request)
            raise CommitmentsError(str(GUARDIAN_REFUSED), field="child_id_number")
        guardian = {"guardian_name": user.get_full_name(), "guardian_relation": child["relation"]}
    with transaction.atomic():
        return _create(token=token, subject=subject, service=service, matters=matters, actor=user, request=request,
                       channel=Application.Channel.ONLINE, applicant_user=user, **guardian)


def file_at_window(*, clerk, subject, service_id, token, guardian_name="", guardian_relation="",
                   request=None) -> tuple[Application, bool]:
    """A window clerk files an application for a subject who is present (idempotent per form token)."""
    service, matters = selectors.public_service(service_id)
    if not (clerk.is_superuser or in_agency_scope(service.agency, clerk)):
        raise CommitmentsError(_("只能受理本机关的办理事项。"), field="service", code="foreign_service")
    if is_minor(subject) and not guardian_name:
        raise CommitmentsError(_("申请人未满18周岁，应由法定监护人到场代为申请和承诺，请填写监护人。"), field="guardian_name")
    if bool(guardian_name) != bool(guardian_relation):
        raise CommitmentsError(_("请同时填写监护人姓名和与申请人的关系。"), field="guardian_relation")
    with transaction.atomic():
        return _create(token=token, subject=subject, service=service, matters=matters, actor=clerk, request=request,
                       channel=Application.Channel.WINDOW, filed_by=clerk, guardian_name=guardian_name,
                       guardian_relation=guardian_relation)


def register_walk_in(*, clerk, kind, name, id_number, request=None) -> Subject:
    """A walk-in applicant the portal does not know yet (ID validated with python-stdnum)."""
    with transaction.atomic():
        subject = credit.ensure_subject(kind, name, id_number)
        audit.record("commitments.subject.registered_at_window", obj=subject, actor=clerk, summary=subject.id_masked,
                     request=request)
    return subject


# --- signing ---------------------------------------------------------------------------------------
def _signable(application, requirement, subject):
    if application.state not in (S.DRAFT, S.SUBMITTED):
        raise CommitmentsError(_("该办件当前状态为“%(state)s”，不能再签署告知承诺书。") % {"state": application.get_state_display()})
    if requirement.application_id != application.pk:
        raise CommitmentsError(_("该证明事项不属于此办件。"))
    if requirement.proof_only or not requirement.matter.commitment_allowed:
        reason = requirement.matter.exclusion_reason or requirement.proof_reason or _("承诺已撤回，须提交证明。")
        raise CommitmentsError(_("本证明事项不能以告知承诺方式办理：%(reason)s") % {"reason": reason}, code="not_eligible")
    if requirement.commitments.exclude(state=Commitment.State.WITHDRAWN).exists():
        raise CommitmentsError(_("本证明事项已经签署过告知承诺书。"), code="already_signed")
    if requirement.proofs.exists():
        raise CommitmentsError(_("本证明事项已提交证明材料，无需再承诺。"))
    result = credit.eligibility(subject, requirement.matter)
    if not result.allowed:
        raise CommitmentsError(_("不能适用告知承诺制：") + "".join(result.reasons), code="not_eligible")
    return result


def _sign(*, application, requirement, signer_user, signer_name, relation, method, confirmations, actor,
          witnessed_by=None, scan=None, request=None, negative_answers=None, negative_seen=None) -> Commitment:
    result = _signable(application, requirement, application.subject)
    matter = selectors.notification_matter(requirement.matter_id)
    with translation.override("zh-hans"):  # every stored text of the letter is Chinese, whatever the page language
        # §二(二) 负面清单: conditions checked, questions answered “否”, else refused with the entry quoted.
        findings = negative_list.check_before_signing(application.subject, matter, answers=negative_answers,
                                                      seen=negative_seen)
        snap = letters.snapshot(matter, list(matter.negative_entries.all()), findings=findings)
        relation_label = str(Commitment.Relation(relation).label)
    if len(confirmations or []) != len(snap["statements"]) or not all(confirmations):
        raise CommitmentsError(_("请逐项确认承诺内容。"), field="confirmations")
    number = next_number("CN")
    signed_at = timezone.now()
    text = letters.full_text(snap, letter_number=number, subject_name=application.subject.name,
                             signer_name=signer_name, relation_label=relation_label)
    commitment = Commitment(
        requirement=requirement, application=application, matter=matter, letter_number=number,
        matter_name=snap["matter_name"], service_name=snap["service_name"], agency_name=snap["agency_name"],
        catalogue_version=snap["catalogue_version"], notification=snap, notification_text=text,
        signer_user=signer_user, signer_name=signer_name, signer_relation=relation,
        subject_name=application.subject.name, subject_id_masked=application.subject.id_masked, method=method,
        witnessed_by=witnessed_by, credit_level=result.level, signed_at=signed_at,
        content_hash=letters.content_hash(letter_number=number, text=text, signer_name=signer_name, relation=relation,
                                          subject_id_masked=application.subject.id_masked, signed_at=signed_at,
                                          method=method),
    )
    if scan is not None:
        content_type, _digest = files.sniff(scan, field="scan")
        commitment.scan_extension = files.extension_for(content_type)
        commitment.paper_scan = scan
    try:
        with transaction.atomic():
            commitment.save()
    except IntegrityError:
        raise CommitmentsError(_("本证明事项已经签署过告知承诺书。"), code="already_signed") from None
    Requirement.objects.filter(pk=requirement.pk).update(mode=Requirement.Mode.COMMIT)
    _audit("commitment.signed", application, actor, application.state,
           summary=_("签署《%(matter)s》告知承诺书 %(number)s") % {"matter": snap["matter_name"], "number": number},
           request=request, letter_number=number, method=method, relation=relation)
    pk = commitment.pk
    transaction.on_commit(lambda: _enqueue_letter(pk))
    return commitment


def _enqueue_letter(pk):
    try:
        queue.enqueue(LETTER_TASK, pk)
    except Exception:  # the download renders it on the spot; a sweep retries later
        log.exception("could not queue letter %s", pk)


def sign_online(*, user, application_pk, requirement_pk, full_name, password, confirmations, expected_state=None,
                request=None, negative_answers=None, negative_seen=None) -> Commitment:
    """The applicant signs: full name typed to match the account, password re-entered, each statement confirmed."""
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        if not selectors.is_owner(application, user):
            raise CommitmentsError(_("只能为本人（本单位）的办件签署告知承诺书，法定监护人代为承诺的除外。"), code="not_own_application")
        if application.guardian_name and application.applicant_user_id != user.pk:
            raise CommitmentsError(_("此办件由法定监护人代为承诺，只能由该监护人签署。"))
        if (full_name or "").strip() != user.get_full_name():
            raise CommitmentsError(_("签署姓名须与账号实名信息一致。"), field="full_name")
        if not user.check_password(password or ""):
            raise CommitmentsError(_("密码不正确，请重新输入登录密码。"), field="password")
        requirement = selectors.requirement_of(application, requirement_pk)
        if application.guardian_name:
            relation = Commitment.Relation.GUARDIAN
        elif application.subject.kind == Subject.Kind.ORGANISATION:
            relation = (Commitment.Relation.REPRESENTATIVE if full_name == application.subject.legal_representative
                        else Commitment.Relation.AGENT)
        else:
            relation = Commitment.Relation.SELF
        return _sign(application=application, requirement=requirement, signer_user=user, signer_name=full_name.strip(),
                     relation=relation, method=Commitment.Method.ONLINE, confirmations=confirmations, actor=user,
                     request=request, negative_answers=negative_answers, negative_seen=negative_seen)


def sign_at_window(*, clerk, application_pk, requirement_pk, signer_name, relation, clerk_password, identity_checked,
                   confirmations, scan=None, expected_state=None, request=None, negative_answers=None,
                   negative_seen=None) -> Commitment:
    """The subject (or guardian / representative) signs at the window, witnessed by the clerk."""
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        if not (clerk.is_superuser or in_agency_scope(application.agency, clerk)):
            raise CommitmentsError(_("您无权对该办件执行此操作。"), code="forbidden")
        if not identity_checked:
            raise CommitmentsError(_("请先当场核验签署人的身份证件。"), field="identity_checked")
        if not clerk.check_password(clerk_password or ""):
            raise CommitmentsError(_("经办人密码不正确。"), field="clerk_password")
        signer_name = (signer_name or "").strip()
        subject = application.subject
        expected = {
            Commitment.Relation.SELF: subject.name if subject.kind == Subject.Kind.PERSON else None,
            Commitment.Relation.GUARDIAN: application.guardian_name or None,
            Commitment.Relation.REPRESENTATIVE: subject.legal_representative or None,
        }
        if relation == Commitment.Relation.AGENT and subject.kind == Subject.Kind.ORGANISATION:
            pass
        elif relation not in expected or expected[relation] is None:
            raise CommitmentsError(_("签署人身份不适用于该申请人：不得由他人代为承诺，法定监护人除外。"), field="relation")
        elif signer_name != expected[relation]:
            raise CommitmentsError(_("签署人姓名与登记信息“%(name)s”不一致。") % {"name": expected[relation]},
                                   field="signer_name")
        if application.guardian_name and relation != Commitment.Relation.GUARDIAN:
            raise CommitmentsError(_("申请人为未成年人，应由法定监护人签署。"), field="relation")
        if not signer_name:
            raise CommitmentsError(_("请填写签署人姓名。"), field="signer_name")
        requirement = selectors.requirement_of(application, requirement_pk)
        method = Commitment.Method.PAPER if scan is not None else Commitment.Method.SCREEN
        return _sign(application=application, requirement=requirement, signer_user=None, signer_name=signer_name,
                     relation=relation, method=method, confirmations=confirmations, actor=clerk, witnessed_by=clerk,
                     scan=scan, request=request, negative_answers=negative_answers, negative_seen=negative_seen)


def route_to_proof(*, actor, application_pk, requirement_pk, negative_answers, expected_state=None,
                   request=None) -> Requirement:
    """负面清单 answered “是” (§二(二)): the requirement goes to the proof path with the entry quoted, nothing signed.

    The applicant (online) or the window clerk (at the desk) records the answers; the route cannot be undone by
    answering again, since the applicant said the matter falls under the list."""
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        if not (selectors.is_owner(application, actor) or selectors.is_handling_staff(application, actor)):
            raise CommitmentsError(_("您无权对该办件执行此操作。"))
        requirement = selectors.requirement_of(application, requirement_pk)
        if application.state not in (S.DRAFT, S.SUBMITTED):
            raise CommitmentsError(STALE)
        if requirement.commitments.exclude(state=Commitment.State.WITHDRAWN).exists():
            raise CommitmentsError(_("本证明事项已经签署过告知承诺书。"))
        with translation.override("zh-hans"):
            findings = negative_list.evaluate(application.subject, requirement.matter, answers=negative_answers)
            applying = negative_list.applying(findings)
            if not applying:
                raise CommitmentsError(_("所答情形均不属于负面清单，可以签署告知承诺书。"), field="negative")
            reason = "；".join(negative_list.reasons(applying)) + "。"
        Requirement.objects.filter(pk=requirement.pk).update(
            mode=Requirement.Mode.PROOF, proof_only=True, proof_reason=reason,
            negative_answers=[f.as_snapshot() for f in findings])
        _audit("requirement.negative_list", application, actor, application.state, request=request,
               summary=_("“%(m)s”属于负面清单所列情形，改为提交证明：%(r)s") % {"m": requirement.matter.name, "r": reason})
    return Requirement.objects.get(pk=requirement.pk)


# --- proofs -------------------------------------------------------------------------------------------
def upload_proof(*, user, application_pk, requirement_pk, upload, expected_state=None, rectification=False,
                 request=None) -> ProofDocument:
    """``rectification``: 责令限期整改 — the proof for a letter found false (verification checks the order and its
    deadline before calling)."""
    content_type, digest = files.sniff(upload)
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        if not (selectors.is_owner(application, user) or selectors.is_handling_staff(application, user)):
            raise CommitmentsError(_("您无权对该办件执行此操作。"), code="forbidden")
        if not application.is_editable:
            raise CommitmentsError(_("该办件已办结，不能再上传材料。"), code="closed")
        requirement = selectors.requirement_of(application, requirement_pk)
        signed = requirement.commitments.exclude(state=Commitment.State.WITHDRAWN)
        if rectification and (not signed.exists() or signed.exclude(state=Commitment.State.FOUND_FALSE).exists()):
            raise CommitmentsError(_("本证明事项没有经核查不实、责令整改的告知承诺书。"))
        if not rectification and signed.exists():
            raise CommitmentsError(_("本证明事项已签署告知承诺书，无需再提交证明。如需改为提交证明，请先撤回承诺。"))
        proof = ProofDocument(requirement=requirement, original_name=(upload.name or "")[:200], content_type=content_type,
                              size=upload.size, sha256=digest, uploaded_by=user)
        proof.file.save("proof", upload, save=False)
        proof.save()
        Requirement.objects.filter(pk=requirement.pk).update(mode=Requirement.Mode.PROOF)
        _audit("proof.uploaded", application, user, application.state,
               summary=_("上传“%(matter)s”证明材料") % {"matter": requirement.matter.name}, request=request,
               proof=proof.pk, sha256=digest)
    return proof


# --- the workflow -----------------------------------------------------------------------------------
def submit(*, user, application_pk, expected_state=None, request=None) -> Application:
    with transaction.atomic():
        application = _lock(application_pk)
        if application.state == S.SUBMITTED and expected_state == S.DRAFT:
            return application  # a resubmitted form: already done, nothing changes
        _check_expected(application, expected_state)
        if application.channel == Application.Channel.ONLINE:
            missing = selectors.missing_items(application)
            if missing:
                raise CommitmentsError(_("请先为每个证明事项选择承诺或上传证明，还缺：%(items)s。")
                                       % {"items": "、".join(m["matter"] for m in missing)}, code="items_missing")
        before = application.state
        transitions.run(application, "submit", user, actor=user, refusals=REFUSALS)
        _audit("application.submitted", application, user, before, request=request)
    return application


PLAN_TASK = "verification.plan_application"
LETTER_TASK = "commitments.tasks.render_letter"  # queued by name: tasks imports this module


def accept(*, clerk, application_pk, expected_state=None, request=None) -> Application:
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        before = application.state
        today = timezone.localdate()
        due = workdays.deadline(today, DECISION_WORKDAYS)
        application.deadline_provisional = due.provisional
        transitions.run(application, "accept", clerk, actor=clerk, due_date=due.date, refusals=REFUSALS)
        workdays.track(application, "due_date", due, people=[clerk.pk, application.applicant_user_id])
        for c in application.commitments.filter(state=Commitment.State.SIGNED):
            s = c.notification
            if s.get("publicity_required") and s.get("publicity_days"):
                c.publicity_start = today
                c.publicity_end = today + datetime.timedelta(days=int(s["publicity_days"]) - 1)
                c.save(update_fields=["publicity_start", "publicity_end"])
        _audit("application.accepted", application, clerk, before, request=request,
               due_date=application.due_date.isoformat())
        notify(application.applicant_user or application.subject, "accepted", _("办件已受理"), _("您的办件 %(n)s（%(s)s）已由%(a)s受理，将在%(d)s前作出决定。") % {"n": application.number, "s": application.service.name, "a": application.agency.name, "d": cn_date(application.due_date)}, ("commitments:application", application.pk), key=f"accepted:{application.pk}")
        transaction.on_commit(lambda pk=application.pk: _plan_verification(pk))
    return application


def _plan_verification(application_pk):
    """Ask verification to plan this application's checks (核查计划).

    Verification sits to the right of this app, so the task is found by its registered name,
    never imported; a beat job in verification plans anything this call missed.
    """
    try:
        queue.enqueue(PLAN_TASK, application_pk)
    except Exception:  # noqa: BLE001 - the acceptance stands; verification's beat job plans it later
        log.exception("could not queue verification planning for application %s", application_pk)


def approve(*, clerk, application_pk, decision_number, expected_state=None, request=None) -> Application:
    decision_number = (decision_number or "").strip()
    if not decision_number:
        raise CommitmentsError(_("请填写决定文号。"), field="decision_number")
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        # §二(五): a commitment found false no longer meets its requirement, so no approval may rest on it.
        # (责令整改: once the applicant supplies the proof itself, the requirement is met by the proof.)
        false_letters = list(application.commitments.filter(state=Commitment.State.FOUND_FALSE)
                             .exclude(requirement__proofs__isnull=False)
                             .values_list("letter_number", flat=True).distinct())
        if false_letters:
            raise CommitmentsError(_("告知承诺书 %(n)s 经核查不实，该证明事项的条件未满足，不能作出准予决定。")
                                   % {"n": "、".join(false_letters)}, field="decision_number", code="false_commitment")
        before = application.state
        transitions.run(application, "approve", clerk, actor=clerk, decision_number=decision_number, refusals=REFUSALS)
        _audit("application.approved", application, clerk, before, summary=decision_number, request=request)
    return application


def _close(action, method, *, actor, application_pk, reason, expected_state, request, field="reason"):
    reason = (reason or "").strip()
    if not reason:
        raise CommitmentsError(_("请填写理由。"), field=field)
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        before = application.state
        if method == "withdraw" and not selectors.is_owner(application, actor):
            raise CommitmentsError(_("您无权对该办件执行此操作。"), code="forbidden")
        if method == "withdraw":
            now = timezone.now()
            for c in application.commitments.filter(state=Commitment.State.SIGNED):
                c.withdraw(reason=_("办件已撤回：") + reason)
                c.withdrawn_at = now
                c.save(update_fields=["state", "withdrawal_reason", "withdrawn_at"])
                hooks.commitment_withdrawn(c, reason=c.withdrawal_reason, actor=actor, request=request)
        transitions.run(application, method, actor, actor=actor, reason=reason, refusals=REFUSALS)
        _audit(action, application, actor, before, summary=reason, request=request)
    return application


def deny(*, clerk, application_pk, reason, expected_state=None, request=None) -> Application:
    return _close("application.denied", "deny", actor=clerk, application_pk=application_pk, reason=reason,
                  expected_state=expected_state, request=request)


def withdraw_application(*, user, application_pk, reason, expected_state=None, request=None) -> Application:
    return _close("application.withdrawn", "withdraw", actor=user, application_pk=application_pk, reason=reason,
                  expected_state=expected_state, request=request)


def terminate_application(*, application_pk, reason, actor=None, request=None) -> Application:
    """False commitment found before the decision (called by verification)."""
    return _close("application.terminated", "terminate", actor=actor, application_pk=application_pk, reason=reason,
                  expected_state=None, request=request)


def revoke_application(*, application_pk, reason, actor=None, request=None) -> Application:
    """False commitment found after the decision: revoke it (called by verification)."""
    return _close("application.revoked", "revoke", actor=actor, application_pk=application_pk, reason=reason,
                  expected_state=None, request=request)


def withdraw_commitment(*, user, letter_number, reason, expected_state=None, request=None) -> Commitment:
    """撤回承诺 (§二(七)): before the application is concluded; the matter then needs its proof."""
    reason = (reason or "").strip()
    if not reason:
        raise CommitmentsError(_("请填写撤回理由。"), field="reason")
    commitment = selectors.own_commitment(user, letter_number)
    with transaction.atomic():
        application = _lock(commitment.application_id)
        _check_expected(application, expected_state)
        commitment = Commitment.objects.select_for_update().get(pk=commitment.pk)
        commitment.application = application
        if commitment.state not in (Commitment.State.SIGNED, Commitment.State.EXEMPTED, Commitment.State.VERIFIED):
            raise CommitmentsError(_("该告知承诺书当前状态为“%(state)s”，不能撤回。") % {"state": commitment.get_state_display()}, code="wrong_state")
        if not can_proceed(commitment.withdraw):
            raise CommitmentsError(_("办件已办结，不能再撤回承诺。"), code="closed")
        try:
            commitment.withdraw(reason=reason)
            commitment.withdrawn_at = timezone.now()
            commitment.save(update_fields=["state", "withdrawal_reason", "withdrawn_at"])
        except ConcurrentTransition:
            raise CommitmentsError(STALE, code="stale") from None
        Requirement.objects.filter(pk=commitment.requirement_id).update(mode=Requirement.Mode.PROOF, proof_only=True)
        hooks.commitment_withdrawn(commitment, reason=reason, actor=user, request=request)  # closes its open checks
        _audit("commitment.withdrawn", application, user, application.state,
               summary=_("撤回《%(matter)s》告知承诺书 %(number)s，改为提交证明：%(reason)s")
               % {"matter": commitment.matter_name, "number": commitment.letter_number, "reason": reason},
               request=request, letter_number=commitment.letter_number)
    return commitment


def issue_notice(*, clerk, application_pk, note="", expected_state=None, request=None) -> OneTimeNotice:
    """一次性告知: list everything still missing, at once."""
    with transaction.atomic():
        application = _lock(application_pk)
        _check_expected(application, expected_state)
        if not (clerk.is_superuser or in_agency_scope(application.agency, clerk)):
            raise CommitmentsError(_("您无权对该办件执行此操作。"), code="forbidden")
        if application.state not in (S.DRAFT, S.SUBMITTED, S.ACCEPTED):
            raise CommitmentsError(_("办件已办结，无需补正。"), code="closed")
        with translation.override("zh-hans"):  # the stored notice is Chinese whatever the page language
            items = selectors.missing_items(application)
        if not items:
            raise CommitmentsError(_("材料已经齐全，无需出具一次性告知书。"), code="nothing_missing")
        due = workdays.deadline(timezone.localdate(), NOTICE_WORKDAYS)
        notice = OneTimeNotice.objects.create(
            application=application, number=next_number("GZ"), items=items, note=(note or "").strip(),
            due_date=due.date, deadline_provisional=due.provisional, issued_by=clerk,
        )
        workdays.track(notice, "due_date", due, people=[clerk.pk, application.applicant_user_id])
        _audit("notice.issued", application, clerk, application.state,
               summary=_("出具一次性告知书 %(number)s，需补正 %(n)s 项") % {"number": notice.number, "n": len(items)},
               request=request, notice=notice.number)
        notify(application.applicant_user or application.subject, "notice", _("请补正办件材料"), _("您的办件 %(n)s 还缺 %(k)s 项材料：%(items)s。请在%(d)s前补正（上传证明或签署告知承诺书），一次性告知书 %(g)s 可在办件页下载。") % {"n": application.number, "k": len(items), "items": "、".join(i["matter"] for i in items), "d": cn_date(notice.due_date), "g": notice.number}, ("commitments:application", application.pk), key=f"notice:{notice.pk}")
    return notice


# --- verification outcomes (called by the verification app) ----------------------------------------
OUTCOMES = {"verified": "mark_verified", "found_false": "mark_false", "exempted": "mark_exempted"}


def conclude_commitment(*, commitment_pk, outcome, actor=None, request=None) -> Commitment:
    """Record a verification outcome on a commitment (idempotent) and note it in the integrity file."""
    with transaction.atomic():
        commitment = Commitment.objects.select_for_update(of=("self",)).select_related("application__agency",
                                                                           "application__subject").get(pk=commitment_pk)
        if commitment.state == outcome:
            return commitment
        method = getattr(commitment, OUTCOMES[outcome])
        if not can_proceed(method):
            raise CommitmentsError(_("该告知承诺书当前状态为“%(state)s”，不能变更。") % {"state": commitment.get_state_display()})
        method()
        commitment.concluded_at = timezone.now()
        commitment.save(update_fields=["state", "concluded_at"])
        # A false finding reaches credit through ``record_false_finding`` below, once the disposition
        # is decided (credit notes the broken commitment with the record): every outcome goes this way.
        if outcome == "verified":
            credit.record_commitment_outcome(commitment.application.subject, commitment.letter_number, kept=True)
        _audit("commitment." + outcome, commitment.application, actor, commitment.application.state,
               summary=commitment.letter_number, request=request, letter_number=commitment.letter_number)
    return commitment


def record_false_finding(commitment, severity, decision, actor=None):
    """A commitment found false (失诺): the dishonesty record in the integrity file (idempotent).

    Verification calls this with its disposition (认定文号, 程度); with ``conclude_commitment``'s note of
    a kept commitment it is the one route from a verification finding to credit.
    """
    return credit.record_false_commitment(commitment.application.subject, commitment.letter_number, severity,
                                          decision, actor=actor)


# --- letters ---------------------------------------------------------------------------------------------
def letter_pdf(commitment_pk) -> bytes:
    """The stored letter; rendered and stored now if the task has not run yet (first one stored wins)."""
    commitment = Commitment.objects.get(pk=commitment_pk)
    if commitment.letter_file:
        try:
            with commitment.letter_file.open("rb") as fh:
                return fh.read()
        except FileNotFoundError:
            log.warning("letter %s missing from storage; rendering again", commitment.letter_number)
            Commitment.objects.filter(pk=commitment.pk).update(letter_file="")
    try:
        content = letters.render(commitment)
    except seals.SealError as exc:  # never an unsealed letter: operators see this in the log and /healthz
        log.error("letter %s not issued: %s", commitment.letter_number, exc.message)
        raise
    name = default_storage.save(f"commitments/letters/{uuid.uuid4().hex}.pdf", ContentFile(content))
    stored = Commitment.objects.filter(pk=commitment.pk, letter_file="").update(
        letter_file=name, letter_rendered_at=timezone.now(), letter_sha256=hashlib.sha256(content).hexdigest(),
        letter_sealed_by=seals.seal_key(commitment.application.agency, issue=False).holder[:200],
    )
    if not stored:  # someone else stored it meanwhile: keep theirs
        default_storage.delete(name)
    return content


def render_letter(commitment_pk) -> bool:
    """Task body: render and store the letter unless it is already stored. Returns whether it rendered."""
    if Commitment.objects.filter(pk=commitment_pk).exclude(letter_file="").exists():
        return False
    if not Commitment.objects.filter(pk=commitment_pk).exists():
        return False
    letter_pdf(commitment_pk)
    return True


def render_missing_letters(limit=100) -> int:
    """Beat sweep: letters whose task was lost (broker down at commit time)."""
    done = 0
    for pk in selectors.letters_to_render(limit):
        done += render_letter(pk)
    return done
