from celery import shared_task

from portal import holidays, workdays


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
