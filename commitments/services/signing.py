"""Signing the letter of commitment (告知承诺书) online or at the window; 负面清单 “是” routes to a proof."""


from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from credit import api as credit
from portal import queue
from portal.models import Subject

from .. import files, letters, negative_list, selectors
from ..models import (
    Commitment,
    CommitmentsError,
    Requirement,
    in_agency_scope,
)
from ._common import STALE, S, _audit, _check_expected, _lock, log
from .numbers import next_number

LETTER_TASK = "commitments.tasks.render_letter"  # queued by name: tasks imports this module


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
