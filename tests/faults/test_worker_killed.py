"""Kill -9 the Celery worker in the middle of a task; after the restart the task finishes once.

Two kinds of death: the pool process alone (the out-of-memory killer's choice; the worker sees
it and puts the message back at once: ``acks_late`` + ``task_reject_on_worker_lost``), and the
whole worker with its children (a host crash; the message stays unacknowledged in Redis and is
handed out again after the visibility timeout — shortened here from an hour to 10 s — or the
beat sweep finds the work first). Either way the effect must exist exactly once.
"""

import os
import signal
import threading
import time

from tests.faults.conftest import record
from tests.faults.flows import Timed, sign_and_submit
from tests.faults.stack import WEB_PORT, Client, task_lines, wait_for

RENDER = "commitments.tasks.render_letter"


def _letter(stack, number):
    return stack.pg.scalar("SELECT letter_file FROM commitments_commitment WHERE letter_number = %s", number)


def _letter_files(stack):
    folder = stack.media / "commitments" / "letters"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def _kill_pool_child(worker):
    children = worker.children()
    assert children, "the worker has no pool process"
    for child in children:
        os.kill(child.pid, signal.SIGKILL)
    return len(children)


def _kill(stack, worker, how):
    """Kill -9 the pool process (the worker lives on) or the whole worker (then start it again, as
    after a host reboot, with a 10 s visibility timeout); returns the running worker."""
    if how == "pool process":
        _kill_pool_child(worker)
        return worker
    worker.kill_group()
    return stack.worker("w1@host-a", env={"FAULTS_VISIBILITY": "10"})


def test_letter_is_stored_once_when_the_worker_dies_mid_render(apps):
    stack = apps
    stack.web()
    people = stack.python("tests.faults.seed", "--citizens", "2")["citizens"]
    timed, rendered, files_before = Timed(), 0, _letter_files(stack)
    notes = []
    for how, (username, full_name) in zip(("pool process", "whole worker"), people, strict=True):
        client = Client(f"http://127.0.0.1:{WEB_PORT}")
        # No worker yet: the task waits in Redis until one starts (a letter of ~40 pages).
        _app, number = sign_and_submit(client, username, full_name, stack.seed["big_service"], timed)
        worker = stack.worker("w1@host-a")
        wait_for(lambda w=worker: task_lines(w, RENDER, "received"), 60, what="render task received")
        time.sleep(1.0)
        assert _letter(stack, number) == "", "the letter was already stored: the kill must come mid-render"
        killed_at = time.monotonic()
        worker = _kill(stack, worker, how)
        wait_for(lambda n=number: _letter(stack, n), 120, what=f"letter {number} after the {how} was killed")
        notes.append(f"{how}: letter stored {time.monotonic() - killed_at:.0f} s after kill -9")
        rendered += 1
        worker.stop()
    files = [f for f in _letter_files(stack) if f not in files_before]
    stored = {_letter(stack, n).rsplit("/", 1)[-1] for n in _numbers(stack, people)}
    assert len(stored) == rendered == 2
    assert sorted(files) == sorted(stored), f"orphan or duplicate letter files: {files} vs {stored}"
    with open(stack.media / _letter(stack, _numbers(stack, people)[0]), "rb") as fh:
        assert fh.read(5) == b"%PDF-"
    record("worker kill -9 mid letter render", timed.tried, timed.failed(), 2 - rendered, len(files) - len(stored),
           "; ".join(notes))


def _numbers(stack, people):
    names = [full_name for _u, full_name in people]
    return [n for (n,) in stack.pg.rows(
        "SELECT letter_number FROM commitments_commitment WHERE signer_name = ANY(%s) ORDER BY id", names)]


def test_push_is_delivered_with_one_key_when_the_worker_dies_mid_post(apps, receiver):
    stack = apps
    stack.web()
    officer = Client(f"http://127.0.0.1:{WEB_PORT}")
    officer.login("credit")
    receiver.delay = 2.0  # the platform is slow: the worker is inside the POST when it dies
    timed, notes, keys = Timed(), [], []
    try:
        for how in ("pool process", "whole worker"):
            receiver.arrived.clear()
            key = _enter_record(stack, officer, timed)
            keys.append(key)
            worker = stack.worker("w1@host-a")
            assert receiver.arrived.wait(60), "the push never reached the platform"
            killed_at = time.monotonic()
            worker = _kill(stack, worker, how)
            receiver.delay = 0.0
            wait_for(lambda k=key: _push_status(stack, k) == "delivered", 120, what=f"push {key} delivered")
            notes.append(f"{how}: delivered {time.monotonic() - killed_at:.0f} s after kill -9, "
                         f"platform saw the key {receiver.received(key)}×")
            receiver.delay = 2.0
            worker.stop()
    finally:
        receiver.delay = 0.0
    rows = stack.pg.rows("SELECT status, attempts FROM credit_pushoutbox WHERE idempotency_key::text = ANY(%s)", keys)
    assert [status for status, _a in rows] == ["delivered", "delivered"]
    assert all(receiver.received(k) >= 1 for k in keys)
    assert len({k for k in keys if k in receiver.accepted}) == 2  # recorded once each (repeats answered 409)
    record("worker kill -9 mid credit push", timed.tried, timed.failed(), 0, 0,
           "; ".join(notes) + " (same Idempotency-Key, platform keeps one)")


_SEQ = iter(range(1, 10_000))


def _enter_record(stack, officer, timed):
    from tests.factories import resident_id

    n = next(_SEQ)
    response = timed("record", lambda: officer.post_form("/credit/officer/records/new/", {
        "subject_kind": "person", "subject_name": f"失信演练{n}", "id_number": resident_id(6000 + n),
        "kind": "other", "severity": "general", "decision_number": f"西人社信〔2026〕{n}号",
        "decision_date": time.strftime("%Y-%m-%d"), "deciding_agency": str(stack.seed["agency"]),
        "confirm_identity": "Test-pass-2026", "facts": "故障演练：承诺不实。", "basis": "《西安市证明事项告知承诺制实施方案》",
        "commitment_ref": "", "publicity_months": "",
    }, field="decision_number", check_all=False))
    assert response.status_code == 302, response.text[:2000]
    record_id = int(response.headers["Location"].rstrip("/").rsplit("/", 1)[-1])
    return str(stack.pg.scalar("SELECT idempotency_key FROM credit_pushoutbox WHERE record_id = %s", record_id))


def _push_status(stack, key):
    return stack.pg.scalar("SELECT status FROM credit_pushoutbox WHERE idempotency_key::text = %s", key)


def test_spot_check_run_draws_once_when_the_worker_dies_mid_draw(apps):
    stack = apps
    plan = stack.python("tests.faults.seed", "--pool", "400")["plan"]  # draws every entry: a long transaction
    worker = stack.worker("w1@host-a")
    threading.Thread(target=stack.manage, args=("shell", "-c", "from verification.tasks import run_spot_checks; "
                                                                 "run_spot_checks.delay()"), daemon=True).start()
    wait_for(lambda: task_lines(worker, "verification.tasks.run_spot_checks", "received"), 60, what="draw received")
    time.sleep(2.0)
    runs = "SELECT count(*) FROM verification_spotcheckrun WHERE plan_id = %s"
    assert stack.pg.scalar(runs, plan) == 0, "the draw already committed: the kill must come mid-draw"
    killed_at = time.monotonic()
    _kill_pool_child(worker)
    wait_for(lambda: stack.pg.scalar(runs, plan), 180, what="the spot-check run after the kill")
    healed = time.monotonic() - killed_at
    # The beat may send it again (two beats, a redelivery): still one draw for the period.
    stack.manage("shell", "-c", "from verification.tasks import run_spot_checks; run_spot_checks.delay()")
    wait_for(lambda: len(task_lines(worker, "verification.tasks.run_spot_checks")) >= 2, 120, what="second run")
    run_id, sample, pool = stack.pg.rows(
        "SELECT id, sample_size, pool_size FROM verification_spotcheckrun WHERE plan_id = %s", plan)[0]
    items = stack.pg.scalar("SELECT count(*) FROM verification_spotcheckitem WHERE run_id = %s", run_id)
    orphans = stack.pg.scalar(
        "SELECT count(*) FROM verification_verificationtask t WHERE t.origin = 'spot_check' AND NOT EXISTS "
        "(SELECT 1 FROM verification_spotcheckitem i WHERE i.task_id = t.id)")
    assert stack.pg.scalar(runs, plan) == 1
    assert items == sample == pool >= 400
    assert orphans == 0
    record("worker kill -9 mid spot-check draw", 2, 0, 0, orphans + stack.pg.scalar(runs, plan) - 1,
           f"{sample} of {pool} drawn once, {healed:.0f} s after kill -9; sent twice, one run")
