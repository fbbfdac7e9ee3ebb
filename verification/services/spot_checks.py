"""双随机、一公开: the reproducible draw, the period's run of a plan, and publishing finished runs."""

import math
import random
import secrets

from django.db import IntegrityError, transaction
from django.db.models import Max, Min
from django.utils import timezone
from django.utils.translation import gettext as _

from catalog.api import VerificationMethod
from commitments.api import Application, Commitment
from portal import workdays

from .. import selectors
from ..models import (
    Inspection,
    Result,
    SpotCheckItem,
    SpotCheckPlan,
    SpotCheckPoolEntry,
    SpotCheckRun,
    TaskOrigin,
    VerificationTask,
)
from ._common import T, _audit, _today


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
