"""Celery application. Broker: Redis when REDIS_URL is set, otherwise a folder on disk."""

import logging
import os
import socket
import time

from celery import Celery
from celery.beat import PersistentScheduler

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "chengnuo.settings")

app = Celery("chengnuo")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

log = logging.getLogger("celery.beat")


class OncePerSlotScheduler(PersistentScheduler):
    """Beat's scheduler, safe to run twice (two hosts both started with beat, or a failover).

    Before sending a due entry, beat claims the entry's current slot in Redis with ``SET NX``:
    the slot is the interval window the run falls in (``now // interval``; a minute for crontab
    entries). The first beat to claim a slot sends the task; another beat finds it taken and
    skips it, so each run is sent once. One beat alone never collides with itself: its runs of an
    entry are at least one interval apart. Without Redis (the folder broker of a single machine)
    and when Redis cannot be reached it behaves as the default scheduler (sending would fail then
    anyway, and the tasks are idempotent).
    """

    _redis = None

    def _client(self):
        if self._redis is None:
            import redis

            self._redis = redis.Redis.from_url(self.app.conf.broker_url, socket_connect_timeout=2, socket_timeout=2)
        return self._redis

    def claim(self, entry) -> bool:
        if not str(self.app.conf.broker_url or "").startswith(("redis://", "rediss://")):
            return True
        every = getattr(entry.schedule, "run_every", None)
        seconds = max(every.total_seconds(), 1.0) if every is not None else 60.0
        slot = int(time.time() // seconds)
        try:
            return bool(self._client().set(f"chengnuo:beat:{entry.name}:{slot}", f"{socket.gethostname()}:{os.getpid()}",
                                           nx=True, ex=int(seconds * 2) + 1))
        except Exception as exc:  # noqa: BLE001 - Redis down: send as usual (and fail and log as usual)
            log.warning("beat: could not claim %s (%s); sending it anyway", entry.name, type(exc).__name__)
            return True

    def apply_entry(self, entry, producer=None):
        if not self.claim(entry):
            log.info("Scheduler: %s already sent by another beat for this interval; skipped", entry.name)
            return
        super().apply_entry(entry, producer=producer)
