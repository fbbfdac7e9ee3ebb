"""Redis stops while citizens sign and submit, a clerk accepts and a credit officer enters records.

Every request must still succeed, and quickly: the task is queued after the commit and a broker
error is logged, not shown. Nothing is lost: the database is the outbox (a letter not yet
rendered, an accepted application without a plan, a pending push row) and the beat sweeps
deliver it once Redis is back — each exactly once. Redis runs without persistence here, so
whatever sat in its queues when it stopped is gone too, as after a crash.
"""

import time
from concurrent.futures import ThreadPoolExecutor

from tests.faults.conftest import record
from tests.faults.flows import Timed, accept, sign_and_submit
from tests.faults.stack import WEB_PORT, Client, wait_for
from tests.faults.test_worker_killed import _enter_record, _letter_files

CITIZENS = 12
RECORDS = 3
SWEEPS = "commitments-render-missing-letters,verification-plan-unplanned,credit-resend-pending-pushes"


def test_submissions_succeed_while_redis_is_down_and_queued_work_is_delivered_once_after(apps, receiver):
    stack = apps
    base = f"http://127.0.0.1:{WEB_PORT}"
    stack.web(workers=3)
    worker = stack.worker("w1@host-a", concurrency=2)
    people = stack.python("tests.faults.seed", "--citizens", str(CITIZENS))["citizens"]
    clerk, officer = Client(base), Client(base)
    clerk.login("clerk")
    officer.login("credit")
    files_before = set(_letter_files(stack))

    stack.redis.stop()
    timed = Timed()
    down_at = time.monotonic()
    with ThreadPoolExecutor(4) as pool:
        submitted = list(pool.map(lambda p: sign_and_submit(Client(base), p[0], p[1], stack.seed["service"], timed),
                                  people))
    for app_id, _number in submitted:
        accept(clerk, app_id, timed)
    keys = [_enter_record(stack, officer, timed) for _ in range(RECORDS)]
    outage = time.monotonic() - down_at
    numbers = [number for _app, number in submitted]
    app_ids = [app_id for app_id, _number in submitted]
    assert timed.failed() == 0
    assert all(n for n in numbers)
    letters_sql = "SELECT count(*) FROM commitments_commitment WHERE letter_number = ANY(%s) AND letter_file <> ''"
    plans_sql = "SELECT count(*) FROM verification_verificationplan WHERE application_id = ANY(%s)"
    pushes_sql = "SELECT count(*) FROM credit_pushoutbox WHERE idempotency_key::text = ANY(%s) AND status = %s"
    assert stack.pg.scalar(letters_sql, numbers) == 0  # nothing could be queued: all of it waits in the database
    assert stack.pg.scalar(plans_sql, app_ids) == 0
    assert stack.pg.scalar(pushes_sql, keys, "pending") == RECORDS

    stack.redis.start()
    back_at = time.monotonic()
    stack.beat(env={"FAULTS_BEAT_EVERY": "5", "FAULTS_BEAT_TASKS": SWEEPS})
    wait_for(lambda: stack.pg.scalar(letters_sql, numbers) == CITIZENS, 240, what="letters after Redis returned",
             log=worker)
    wait_for(lambda: stack.pg.scalar(plans_sql, app_ids) == CITIZENS, 120, what="verification plans")
    wait_for(lambda: stack.pg.scalar(pushes_sql, keys, "delivered") == RECORDS, 120, what="credit pushes")
    healed = time.monotonic() - back_at
    time.sleep(12)  # two more sweeps: they must find nothing left to do
    new_files = set(_letter_files(stack)) - files_before
    per_app = stack.pg.rows("SELECT application_id, count(*) FROM verification_verificationplan "
                            "WHERE application_id = ANY(%s) GROUP BY application_id", app_ids)
    duplicated = (len(new_files) - CITIZENS) + sum(c - 1 for _a, c in per_app) + sum(
        max(receiver.received(k) - 1, 0) for k in keys)
    lost = (CITIZENS - stack.pg.scalar(letters_sql, numbers)) + (CITIZENS - len(per_app)) + (
        RECORDS - stack.pg.scalar(pushes_sql, keys, "delivered"))
    assert (lost, duplicated) == (0, 0)
    record("Redis stopped while citizens submit", timed.tried, timed.failed(), lost, duplicated,
           f"{CITIZENS} sign+submit, {CITIZENS} accepts, {RECORDS} credit records during a {outage:.0f} s outage; "
           f"slowest request {timed.slowest():.2f} s; letters, plans and pushes delivered {healed:.0f} s after "
           f"Redis returned (beat sweeps every 5 s)")
