from celery import shared_task

from portal import workdays


@shared_task
def extend_workday_calendar() -> int:
    """Copy newly published holidays and 调休 days from chinese-calendar (idempotent)."""
    return workdays.sync_from_package()
