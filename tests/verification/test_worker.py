"""Beat tasks through a real Celery worker (filesystem broker locally, Redis in CI)."""

import pytest

from chengnuo.celery import app
from tests.conftest import wait_for
from verification.models import AssistanceRequest, VerificationPlan

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture(autouse=True)
def _fresh_producer_pool():
    """The shared ``celery_worker`` fixture gives each test its own queue folder, but the app keeps its
    producer pool (and so the previous folder) between tests: drop it so messages reach this worker."""
    def reset():
        if not app.conf.broker_url.startswith("filesystem"):
            return
        if app._pool is not None:
            app._pool.force_close_all()
            app._pool = None
        app.amqp._producer_pool = None

    reset()
    yield
    reset()


def test_beat_entries_import_and_point_at_registered_tasks():
    from django.conf import settings

    import verification.tasks  # noqa: F401

    entries = {k: v for k, v in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("verification-")}
    assert "verification-overdue-rectifications" in entries and len(entries) == 6
    for entry in entries.values():
        assert entry["task"] in app.tasks


def test_the_worker_plans_by_the_fixed_name_and_runs_the_safety_net(celery_worker, accepted, always_verify):
    app.send_task("verification.plan_application", args=[accepted.pk])
    assert wait_for(lambda: VerificationPlan.objects.filter(application=accepted).exists())
    app.send_task("verification.plan_application", args=[accepted.pk])
    result = app.send_task("verification.tasks.plan_unplanned")
    assert result.id
    assert wait_for(lambda: VerificationPlan.objects.count() == 1)


def test_the_worker_escalates_overdue_requests_once(celery_worker, claimed, verifier, other_agency):
    import datetime

    from verification import services

    req = services.send_assistance(user=verifier, task_id=claimed.pk, to_agency=other_agency, question="请确认")
    AssistanceRequest.objects.filter(pk=req.pk).update(due_date=datetime.date(2020, 1, 2))
    app.send_task("verification.tasks.escalate_assistance")
    assert wait_for(lambda: AssistanceRequest.objects.get(pk=req.pk).escalated_at is not None)
    stamp = AssistanceRequest.objects.get(pk=req.pk).escalated_at
    app.send_task("verification.tasks.escalate_assistance")
    app.send_task("verification.tasks.remind_assistance")
    import time

    time.sleep(1.5)
    assert AssistanceRequest.objects.get(pk=req.pk).escalated_at == stamp
