from celery import shared_task

from . import figures


@shared_task
def refresh_figures() -> int:
    """Recompute the cached supervision figures of the current year for every scope (city-wide, each government)."""
    return figures.refresh_all()
