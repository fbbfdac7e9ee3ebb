"""Celery tasks (thin: each takes ids and calls a service that re-reads and returns early when done)."""

from celery import shared_task

from . import services


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90)
def render_letter(commitment_id: int) -> bool:
    """Render and store one 告知承诺书 PDF; does nothing if it is already stored."""
    return services.render_letter(commitment_id)


@shared_task(acks_late=True)
def render_missing_letters() -> int:
    """Beat sweep for letters whose task was lost (e.g. the broker was down when the commitment was signed)."""
    return services.render_missing_letters()
