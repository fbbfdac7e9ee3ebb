"""Redis stops (or hangs) while citizens sign and submit, a clerk accepts and a credit officer enters records.

Every request must still succeed, and quickly: the task is queued after the commit and a broker
error is logged, not shown. Nothing is lost: the database is the outbox (a letter not yet
rendered, an accepted application without a plan, a pending push row) and the beat sweeps
deliver it once Redis is back — each exactly once. A stopped Redis runs without persistence
here, so whatever sat in its queues is gone, as after a crash; a hung one (SIGSTOP) keeps its
connections open and answers nothing — before the broker had socket timeouts, a request that
queued a task then waited for ever.
"""

import time
from concurrent.futures import ThreadPoolExecutor

from tests.faults.conftest import record
from tests.faults.flows import Timed, accept, sign_and_submit
from tests.faults.stack import WEB_PORT, Client, wait_for
from tests.faults.test_worker_killed import _enter_record, _letter_files

SWEEPS = "commitments-render-missing-letters,verification-plan-unplanned,credit-resend-pending-pushes"
LETTERS = "SELECT count(*) FROM commitments_commitment WHERE letter_number = ANY(%s) AND letter_file <> ''"
PLANS = "SELECT count(*) FROM verification_verificationplan WHERE application_id = ANY(%s)"
PUSHES = "SELECT count(*) FROM credit_pushoutbox WHERE idempotency_key::text = ANY(%s) AND status = %s"


def _outage(stack, receiver, fault, citizens, records):
    base = f"http://127.0.0.1:{WEB_PORT}"
    stack.web(workers=3)
    worker = stack.worker("w1@host-a", concurrency=2)
    people = stack.python("tests.faults.seed", "--citizens", str(citizens))["citizens"]
    clerk, officer = Client(base), Client(base)
    clerk.login("clerk")
    officer.login("credit")
    files_before = set(_letter_files(stack))
    stop, resume = {"stopped": (stack.redis.stop, stack.redis.start),
                    "hung": (stack.redis.freeze, stack.redis.thaw)}[fault]

    stop()
    timed = Timed()
    down_at = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        submitted = list(pool.map(lambda p: sign_and_submit(Client(base, timeout=40), p[0], p[1],
                                                            stack.seed["service"], timed), people))
    for app_id, _number in submitted:
        accept(clerk, app_id, timed)
    keys = [_enter_record(stack, officer, timed) for _ in range(records)]
    probe = Client(base, timeout=40)
    page = probe.get("/complaints/track/")
    started = time.monotonic()
    tracked = probe.post_form("/complaints/track/", {"number": "TS-0000", "code": "000000"}, field="code")
    cache_probe = (f"; complaint tracking (rate limit in the Redis cache, CACHE_URL) answered {tracked.status_code} "
                   f"in {time.monotonic() - started:.1f} s")
    assert (page.status_code, tracked.status_code) == (200, 200)  # the cache answers as an empty one
    outage = time.monotonic() - down_at
    numbers = [number for _app, number in submitted]
    app_ids = [app_id for app_id, _number in submitted]
    assert timed.failed() == 0
    assert all(numbers)
    assert stack.pg.scalar(LETTERS, numbers) == 0  # nothing could be queued: all of it waits in the database
    assert stack.pg.scalar(PLANS, app_ids) == 0
    assert stack.pg.scalar(PUSHES, keys, "pending") == records

    resume()
    back_at = time.monotonic()
    stack.beat(env={"FAULTS_BEAT_EVERY": "5", "FAULTS_BEAT_TASKS": SWEEPS})
    wait_for(lambda: stack.pg.scalar(LETTERS, numbers) == citizens, 240, what="letters after Redis returned",
             log=worker)
    wait_for(lambda: stack.pg.scalar(PLANS, app_ids) == citizens, 120, what="verification plans")
    wait_for(lambda: stack.pg.scalar(PUSHES, keys, "delivered") == records, 120, what="credit pushes")
    healed = time.monotonic() - back_at
    time.sleep(12)  # two more sweeps: they must find nothing left to do
    new_files = set(_letter_files(stack)) - files_before
    per_app = stack.pg.rows("SELECT application_id, count(*) FROM verification_verificationplan "
                            "WHERE application_id = ANY(%s) GROUP BY application_id", app_ids)
    duplicated = (len(new_files) - citizens) + sum(c - 1 for _a, c in per_app) + sum(
        max(receiver.received(k) - 1, 0) for k in keys)
    lost = (citizens - stack.pg.scalar(LETTERS, numbers)) + (citizens - len(per_app)) + (
        records - stack.pg.scalar(PUSHES, keys, "delivered"))
    assert (lost, duplicated) == (0, 0)
    return timed, lost, duplicated, (f"{citizens} sign+submit, {citizens} accepts, {records} credit records during "
                                     f"a {outage:.0f} s outage; slowest request {timed.slowest():.1f} s; letters, plans "
                                     f"and pushes delivered {healed:.0f} s after Redis returned (sweeps every 5 s)"
                                     + cache_probe)


def test_submissions_succeed_while_redis_is_down_and_queued_work_is_delivered_once_after(apps, receiver):
    timed, lost, duplicated, note = _outage(apps, receiver, "stopped", citizens=12, records=3)
    assert timed.slowest() < 5
    record("Redis stopped while citizens submit", timed.tried, timed.failed(), lost, duplicated, note)


def test_submissions_succeed_while_redis_hangs_and_queued_work_is_delivered_once_after(apps, receiver):
    timed, lost, duplicated, note = _outage(apps, receiver, "hung", citizens=4, records=2)
    assert timed.slowest() < 10  # one publish attempt times out after 3 s (broker socket_timeout)
    record("Redis hung (SIGSTOP) while citizens submit", timed.tried, timed.failed(), lost, duplicated, note)
