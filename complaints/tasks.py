"""Beat tasks of the complaints desk: thin, idempotent (each service re-reads state and skips done work)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True)
def send_reminders() -> int:
    """Remind handling agencies of deadlines falling today (once per deadline)."""
    return services.send_reminders()


@shared_task(acks_late=True)
def escalate_overdue() -> int:
    """Escalate tickets past their sign-for or reply deadline to the supervisor."""
    return services.escalate_overdue()


@shared_task(acks_late=True)
def close_unrated() -> int:
    """Close replied tickets that were not rated within the rating period."""
    return services.close_unrated()
