from celery import shared_task

from portal import holidays, workdays
from portal.notifications import send_delivery, send_pending_deliveries  # noqa: F401 - registers the outbox tasks


@shared_task
def extend_workday_calendar() -> int:
    """Copy newly published holidays and 调休 days from chinese-calendar (idempotent), then recount provisional deadlines."""
    added = workdays.sync_from_package()
    holidays.settle_provisional_deadlines()
    return added


@shared_task
def settle_provisional_deadlines() -> dict:
    """Count provisional deadlines (暂定期限) again once their years' schedules are entered (idempotent)."""
    return holidays.settle_provisional_deadlines()


@shared_task
def refresh_supervision_figures() -> int:
    """Recompute the cached supervision figures of the current year for every scope (city-wide, each government)."""
    from portal.supervision import figures

    return figures.refresh_all()


@shared_task
def remind_deadlines() -> int:
    """Beat: tell citizens of their deadlines due within two working days (once per item; see portal/reminders.py)."""
    from portal import reminders

    return reminders.remind_due()
