"""核查计划: the verification intensity by credit level and planning an accepted application's checks."""

import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.api import VerificationMethod, verification_promise
from commitments import api as commitments
from commitments.api import Application, Commitment, Requirement
from credit import api as credit
from portal import workdays

from .. import conf, selectors
from ..models import (
    SpotCheckPoolEntry,
    TaskOrigin,
    VerificationPlan,
    VerificationPolicy,
    VerificationTask,
)
from ._common import _audit, _today

# 核查强度 by credit level (§二(五): the committer's credit sets the intensity). D cannot commit at all
# (credit.eligibility refuses it); should a D commitment exist, it is checked on-site. Migration 0002 seeded
# the same values from its own frozen copy; these fill in a level that is missing at run time.
DEFAULT_POLICIES = {
    "A": dict(sample_percent=20, verify_exempt_matters=False, force_on_site=False, note="守信主体低比例抽取核查"),
    "B": dict(sample_percent=60, verify_exempt_matters=False, force_on_site=False, note="轻微失信主体提高核查比例"),
    "C": dict(sample_percent=100, verify_exempt_matters=True, force_on_site=True, note="一律现场核查"),
    "D": dict(sample_percent=100, verify_exempt_matters=True, force_on_site=True, note="不适用告知承诺制；如有则现场核查"),
}


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
