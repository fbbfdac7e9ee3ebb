from celery import shared_task

from . import reminders


@shared_task
def remind_deadlines() -> int:
    """Beat: tell citizens of their deadlines due within two working days (once per item; see chengnuo/reminders.py)."""
    return reminders.remind_due()
