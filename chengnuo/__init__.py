"""承诺通 project package: the composition on top of every app (settings, URL root, Celery, the workspace and
navigation, the demo's orchestration, the deadline reminders). The kernel is ``portal``."""

from .celery import app as celery_app

__all__ = ["celery_app"]
