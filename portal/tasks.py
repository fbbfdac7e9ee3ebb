from celery import shared_task

from portal import workdays


@shared_task
def extend_workday_calendar() -> int:
    """Copy newly published holidays and 调休 days from chinese-calendar (idempotent)."""
    return workdays.sync_from_package()


@shared_task
def refresh_supervision_figures() -> int:
    """Recompute the cached supervision figures of the current year for every scope (city-wide, each government)."""
    from portal.supervision import figures

    return figures.refresh_all()
