"""Settings of the fault stack: the production settings with timers short enough to watch a fault heal.

``FAULTS_BEAT_EVERY`` (seconds) runs the beat entries named in ``FAULTS_BEAT_TASKS`` (all when
empty) that often; ``FAULTS_VISIBILITY`` is Redis's visibility timeout (an unacknowledged task
of a dead worker is handed out again after it; production keeps 3600 s and the beat sweeps).
"""

import os

from chengnuo.settings import *  # noqa: F403
from chengnuo.settings import CELERY_BEAT_SCHEDULE, CELERY_BROKER_TRANSPORT_OPTIONS

_every = float(os.environ.get("FAULTS_BEAT_EVERY") or 0)
if _every:
    _names = [n for n in os.environ.get("FAULTS_BEAT_TASKS", "").split(",") if n]
    CELERY_BEAT_SCHEDULE = {name: {**entry, "schedule": _every} for name, entry in CELERY_BEAT_SCHEDULE.items()
                            if not _names or name in _names}

CELERY_BROKER_TRANSPORT_OPTIONS = {
    **CELERY_BROKER_TRANSPORT_OPTIONS,
    "visibility_timeout": int(os.environ.get("FAULTS_VISIBILITY") or 3600),
    "unacked_restore_interval": 2,
    "unacked_restore_throttle": 1,
    # A worker killed while it held the restore lock would block redelivery for kombu's default 5 min.
    "unacked_mutex_expire": 5,
}
