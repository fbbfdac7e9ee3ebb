"""Celery tasks (thin: each takes ids, calls a service that re-reads state and returns early when done)."""

from celery import shared_task

from . import services


@shared_task(name="verification.plan_application", acks_late=True)
def plan_application(application_id: int) -> int | None:
    """Plan an accepted application (sent by name from commitments' accept, in on_commit). Idempotent."""
    plan = services.plan_application(application_id)
    return plan.pk if plan else None


@shared_task(acks_late=True)
def plan_unplanned() -> int:
    """Safety net: plan accepted applications whose planning message was lost."""
    return services.plan_unplanned()


@shared_task(acks_late=True)
def remind_assistance() -> int:
    """Remind the asked agencies one working day before an assistance deadline (once per request)."""
    return services.remind_assistance()


@shared_task(acks_late=True)
def escalate_assistance() -> int:
    """Escalate overdue assistance requests to the supervisors above the asked agency (once per request)."""
    return services.escalate_assistance()


@shared_task(acks_late=True)
def run_spot_checks() -> int:
    """Create each active plan's run for the current period — exactly once (unique plan + period)."""
    return services.run_due_spot_checks()


@shared_task(acks_late=True)
def publish_spot_checks() -> int:
    """Publish runs whose checks are all concluded (一公开)."""
    return services.publish_ready_runs()


@shared_task(acks_late=True)
def terminate_overdue_rectifications() -> int:
    """责令限期整改 missed: terminate the case once (idempotent with two beats)."""
    return services.terminate_overdue_rectifications()
