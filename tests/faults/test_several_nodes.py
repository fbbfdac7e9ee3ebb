"""Several nodes: two beats at once, two web nodes and two workers (as on two hosts), backup and restore.

This is the local run behind docs/operations.md: web nodes share PostgreSQL, Redis (broker and
cache) and the media folder; workers on each host; exactly one beat — and if a second one is
started by mistake, each scheduled run is still sent once (``chengnuo.celery.OncePerSlotScheduler``).
"""

import re
import subprocess
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

from tests.faults.conftest import record
from tests.faults.flows import Timed, accept, sign_and_submit
from tests.faults.stack import PG_PORT, WEB_PORT, Client, task_lines, wait_for
from tests.faults.test_worker_killed import _letter_files

EVERY = 5
ENTRIES = {
    "verification-run-spot-checks": "verification.tasks.run_spot_checks",
    "commitments-render-missing-letters": "commitments.tasks.render_missing_letters",
    "verification-plan-unplanned": "verification.tasks.plan_unplanned",
    "credit-resend-pending-pushes": "credit.tasks.resend_pending_pushes",
    "verification-publish-spot-checks": "verification.tasks.publish_spot_checks",
}


def _sends(beats, entry):
    """When each beat sent the entry (seconds since the epoch, from the beat logs), in order."""
    stamps = []
    for beat in beats:
        for day, clock in re.findall(rf"\[(\d{{4}}-\d\d-\d\d) (\d\d:\d\d:\d\d,\d+): INFO/MainProcess\] "
                                     rf"Scheduler: Sending due task {re.escape(entry)} ", beat.text()):
            stamps.append(time.mktime(time.strptime(f"{day} {clock[:8]}", "%Y-%m-%d %H:%M:%S")) + int(clock[9:]) / 1000)
    return sorted(stamps)


def _two_beats(stack, seconds, scheduler=None):
    env = {"FAULTS_BEAT_EVERY": str(EVERY), "FAULTS_BEAT_TASKS": ",".join(ENTRIES)}
    worker = stack.worker("w1@host-a", concurrency=2)
    beats = [stack.beat(f"beat-{host}", env=env, scheduler=scheduler) for host in ("a", "b")]
    time.sleep(seconds)
    for beat in beats:
        beat.stop()
    time.sleep(EVERY)  # let the worker finish what was sent
    sends = {entry: _sends(beats, entry) for entry in ENTRIES}
    ran = {entry: len(task_lines(worker, task)) for entry, task in ENTRIES.items()}
    worker.stop()
    return sends, ran


def _doubles(stamps):
    """Runs sent within half an interval of the previous one: the same run sent twice."""
    return sum(1 for a, b in zip(stamps, stamps[1:], strict=False) if b - a < EVERY / 2)


def test_two_beats_at_once_send_each_scheduled_run_once(apps):
    stack = apps
    stack.python("tests.faults.seed", "--pool", "30")  # a spot-check plan with something to draw
    seconds, control = 45, 20
    # The guard off (Celery's own scheduler), as a control: both beats send every run.
    plain, _ran = _two_beats(stack, control, scheduler="celery.beat:PersistentScheduler")
    sends, ran = _two_beats(stack, seconds)
    plain_doubles = sum(_doubles(s) for s in plain.values())
    assert plain_doubles >= len(ENTRIES) * (control // EVERY - 2), plain
    for entry, stamps in sends.items():
        assert _doubles(stamps) == 0, (entry, stamps)
        assert len(stamps) >= seconds // EVERY - 2, (entry, len(stamps))
        assert ran[entry] == len(stamps), (entry, ran[entry], len(stamps))
    runs = stack.pg.rows("SELECT plan_id, period, count(*) FROM verification_spotcheckrun GROUP BY plan_id, period")
    assert runs and all(n == 1 for _p, _period, n in runs)
    total = sum(len(s) for s in sends.values())
    record("two celery beats at once", total, 0, 0, sum(_doubles(s) for s in sends.values()),
           f"{len(ENTRIES)} entries every {EVERY} s for {seconds} s: {total} runs, none twice, each executed once "
           f"(control without the slot lock: {plain_doubles} of {sum(len(s) for s in plain.values())} sends in {control} s "
           f"were doubles); one spot-check run per plan and period")


def test_two_web_nodes_and_two_workers_handle_each_application_once(apps):
    stack = apps
    nodes = [f"http://127.0.0.1:{WEB_PORT}", f"http://127.0.0.1:{WEB_PORT + 1}"]
    for port in (WEB_PORT, WEB_PORT + 1):
        stack.web(port=port, workers=2)
    workers = [stack.worker("w1@host-a"), stack.worker("w2@host-b")]
    stack.beat()  # exactly one beat, with the production schedule
    n = 16
    people = stack.python("tests.faults.seed", "--citizens", str(n))["citizens"]
    files_before = set(_letter_files(stack))
    timed = Timed()
    started = time.monotonic()
    with ThreadPoolExecutor(4) as pool:  # each citizen's requests alternate between the two nodes
        submitted = list(pool.map(lambda p: sign_and_submit(Client(*nodes), p[0], p[1], stack.seed["service"], timed),
                                  people))
    clerk = Client(*nodes)
    clerk.login("clerk")
    for app_id, _number in submitted:
        accept(clerk, app_id, timed)
    numbers = [number for _a, number in submitted]
    app_ids = [a for a, _n in submitted]
    letters_sql = "SELECT count(*) FROM commitments_commitment WHERE letter_number = ANY(%s) AND letter_file <> ''"
    plans_sql = "SELECT count(*) FROM verification_verificationplan WHERE application_id = ANY(%s)"
    wait_for(lambda: stack.pg.scalar(letters_sql, numbers) == n, 180, what="letters")
    wait_for(lambda: stack.pg.scalar(plans_sql, app_ids) == n, 60, what="plans")
    elapsed = time.monotonic() - started
    rendered = [len(task_lines(w, "commitments.tasks.render_letter")) for w in workers]
    planned = [len(task_lines(w, "verification.plan_application")) for w in workers]
    new_files = set(_letter_files(stack)) - files_before
    per_app = Counter(a for (a,) in stack.pg.rows(
        "SELECT application_id FROM verification_verificationplan WHERE application_id = ANY(%s)", app_ids))
    duplicated = (len(new_files) - n) + sum(c - 1 for c in per_app.values())
    assert timed.failed() == 0
    assert duplicated == 0
    assert all(rendered) and sum(rendered) == n, rendered
    assert sum(planned) == n, planned
    record("two web nodes + two workers (two hosts)", timed.tried, timed.failed(), 0, duplicated,
           f"{n} applications, requests alternating between :{WEB_PORT} and :{WEB_PORT + 1}; letters rendered "
           f"{rendered[0]} on host-a and {rendered[1]} on host-b, plans {planned[0]}/{planned[1]}; "
           f"all done in {elapsed:.0f} s")


KEY_TABLES = ["portal_user", "portal_subject", "catalog_certificationmatter", "commitments_application",
              "commitments_commitment", "verification_verificationplan", "verification_verificationtask",
              "verification_spotcheckrun", "credit_dishonestyrecord", "credit_pushoutbox", "portal_auditevent"]


def test_backup_restores_into_a_fresh_database_that_verifies_letters(apps):
    stack = apps
    dump = stack.base / "chengnuo.dump"
    conn = ["-h", "127.0.0.1", "-p", str(PG_PORT), "-U", "postgres"]
    started = time.monotonic()
    subprocess.run(["pg_dump", *conn, "-Fc", "-f", str(dump), "chengnuo_faults"], check=True)
    dumped = time.monotonic() - started
    stack.pg.createdb("chengnuo_restored")
    started = time.monotonic()
    subprocess.run(["pg_restore", *conn, "--no-owner", "-j", "2", "-d", "chengnuo_restored", str(dump)], check=True)
    restored = time.monotonic() - started
    env = {"DATABASE_URL": stack.pg.url("chengnuo_restored")}
    stack.manage("check", "--deploy", env=env)
    stack.manage("migrate", "--check", env=env)  # nothing to apply: the schema came back whole
    tables = [t for t in KEY_TABLES if stack.pg.scalar("SELECT to_regclass(%s) IS NOT NULL", t)]
    counts = {t: (stack.pg.scalar(f"SELECT count(*) FROM {t}"),  # noqa: S608 - fixed table names
                  stack.pg.scalar(f"SELECT count(*) FROM {t}", db="chengnuo_restored")) for t in tables}  # noqa: S608
    assert all(a == b for a, b in counts.values()), counts
    assert counts["commitments_commitment"][0] > 0
    number, digest = stack.pg.rows("SELECT letter_number, content_hash FROM commitments_commitment "
                                   "WHERE letter_file <> '' ORDER BY id LIMIT 1", db="chengnuo_restored")[0]
    stack.web(port=WEB_PORT + 2, workers=1, env=env)
    page = Client(f"http://127.0.0.1:{WEB_PORT + 2}").get(f"/letters/verify/{number}/")
    assert page.status_code == 200 and "真实有效" in page.text and digest in page.text
    size = dump.stat().st_size
    record("backup: pg_dump -Fc, pg_restore into a fresh database", 1, 0, 0, 0,
           f"dump {size / 1e6:.1f} MB in {dumped:.1f} s, restore in {restored:.1f} s; {len(tables)} key tables "
           f"with equal row counts ({counts['commitments_commitment'][0]} commitments); check --deploy and migrate "
           f"--check pass; letter {number} verifies on a node running on the restored database")
