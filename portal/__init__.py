"""承诺通 project package and shared kernel."""

from .celery import app as celery_app

__all__ = ["celery_app"]
