"""The seams between apps: accept → plan, report → task, spot check on an exempted commitment."""

import pytest

from commitments.models import Commitment
from verification import services
from verification.models import TaskOrigin, VerificationPlan, VerificationPolicy, VerificationTask

from .factories import accepted_application

pytestmark = pytest.mark.django_db


def test_accepting_an_application_plans_its_verification_after_commit(
    service, clerk, citizen, always_verify, django_capture_on_commit_callbacks
):
    from chengnuo.celery import app

    previous, app.conf.task_always_eager = app.conf.task_always_eager, True  # real worker: test_worker.py
    try:
        with django_capture_on_commit_callbacks(execute=True):
            application = accepted_application(service, clerk, citizen)
    finally:
        app.conf.task_always_eager = previous
    plan = VerificationPlan.objects.get(application=application)
    assert plan.tasks_created == VerificationTask.objects.filter(application=application, origin=TaskOrigin.PLAN).count()
    assert plan.tasks_created >= 1


def test_a_report_joins_the_open_planned_check_of_the_commitment(planned, operator):
    planned_task = VerificationTask.objects.filter(application=planned, origin=TaskOrigin.PLAN,
                                                   commitment__isnull=False).first()
    commitment = planned_task.commitment
    task = services.open_task_for_report(commitment, "举报：承诺内容不实", source="complaints:JB1", actor=operator)
    assert task.pk == planned_task.pk  # 一诺一果: no second task beside the planned one
    assert task.state == VerificationTask.State.OPEN
    assert VerificationTask.objects.filter(commitment=commitment).count() == 1
    assert task.agency_id == planned.agency_id
    again = services.open_task_for_report(commitment, "第二次举报", source="complaints:JB2")
    assert again.pk == task.pk


def test_a_spot_check_can_find_an_exempted_commitment_false(accepted, verifier):
    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)  # everything into the pool
    services.plan_application(accepted.pk)
    commitment = Commitment.objects.filter(application=accepted, state=Commitment.State.EXEMPTED).first()
    assert commitment is not None
    task = services.open_task_for_report(commitment, "抽查发现疑点")
    services.claim(user=verifier, task_id=task.pk)
    services.conclude(user=verifier, task_id=task.pk, result="true", conclusion="经核查，承诺属实。")
    commitment.refresh_from_db()
    assert commitment.state == Commitment.State.VERIFIED
