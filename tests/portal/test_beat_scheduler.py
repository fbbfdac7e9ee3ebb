"""Beat's scheduler sends each run once even when two beats run (chengnuo.celery.OncePerSlotScheduler).

Two real beat processes are run against each other in tests/faults (make faults); here the claim itself.
"""

import datetime
import os
import uuid

import pytest
from celery.beat import ScheduleEntry

from chengnuo.celery import OncePerSlotScheduler, app


def _entry():
    return ScheduleEntry(name=f"test-{uuid.uuid4().hex}", task="portal.tasks.extend_workday_calendar",
                         schedule=datetime.timedelta(hours=1), app=app)


def _beats(tmp_path):
    return [OncePerSlotScheduler(app=app, schedule_filename=str(tmp_path / name), lazy=True) for name in "ab"]


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="the slot is claimed in Redis (REDIS_URL, as in CI)")
def test_of_two_beats_only_the_first_sends_a_run_and_neither_sends_it_again(tmp_path):
    entry = _entry()
    first, second = _beats(tmp_path)
    assert first.claim(entry) is True
    assert second.claim(entry) is False
    assert first.claim(entry) is False


@pytest.mark.skipif(bool(os.environ.get("REDIS_URL")), reason="without Redis (the folder broker of one machine)")
def test_without_redis_every_beat_sends_as_celery_would(tmp_path):
    entry = _entry()
    first, second = _beats(tmp_path)
    assert first.claim(entry) and second.claim(entry)
