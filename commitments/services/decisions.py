"""The application's workflow: submit, accept (and plan verification), approve, deny, withdraw, terminate, revoke."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import queue, transitions, workdays
from portal.notifications import cn_date, in_chinese, notify

from .. import hooks, selectors
from ..models import (
    Application,
    Commitment,
    CommitmentsError,
)
from ._common import REFUSALS, S, _audit, _check_expected, _lock, log

DECISION_WORKDAYS = 20  # 行政许可法第四十二条: decide within twenty working days of acceptance
PLAN_TASK = "verification.plan_application"


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
        with in_chinese():  # stored and sent later: Chinese, whatever the page's language
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
