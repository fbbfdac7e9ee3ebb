"""Load test (issue 9): gunicorn with the production settings on PostgreSQL and Redis, driven by locust.

    make bench PYTEST_ARGS="-k load"                       # 120 s mixed load, then a 600 s soak
    LOAD_SECONDS=30 LOAD_SOAK_SECONDS=0 make bench PYTEST_ARGS="-k load"   # a quick look, no soak
    LOAD_KNEE_RATES=60,80,100,120 LOAD_SOAK_SECONDS=0 make bench PYTEST_ARGS="-k load"  # and the knee

What it starts (and stops): database ``chengnuo_load`` dropped and created on the PostgreSQL of
``LOAD_DATABASE_URL``, migrated and seeded (``seed_demo`` plus ``tests/bench/load/seed.py``); static
files collected; a Celery worker on Redis ``LOAD_REDIS_URL`` (db 11 by default, flushed; also the
shared cache, ``CACHE_URL``) that renders the letters; gunicorn (``LOAD_WORKERS`` sync workers,
default (2 × cores) + 1, as in docs/operations.md) on a free loopback port with ``DJANGO_ENV=production`` and
``CONN_MAX_AGE`` = ``LOAD_CONN_MAX_AGE`` (default 60; 0 opens a connection per request); then
locust headless with ``tests/bench/load/locustfile.py`` at ``LOAD_RPS`` requests per second
(default 50). Data: ``LOAD_CITIZENS`` (300) accounts with one application each, ``LOAD_TASKS``
(20,000) verification tasks, a quarter open. ``LOAD_KEEP=1`` keeps the work directory.

It prints, per page: requests, errors, requests/s, p50/p95/p99, then the whole mix, the minimal
one-query view measured in the same run and the ratio, with PASS/FAIL against the targets (0 errors,
p95 ≤ 150 ms at 50 requests/s). The soak prints gunicorn worker memory (RSS, sampled with psutil)
after the warm-up and at the end: target ≤ 10 % growth. The first ``LOAD_WARMUP_SECONDS`` (default 20,
logins included) of each run are left out of the figures. Timings are printed, never asserted; a
request answered with anything but the expected status is an error and fails the test.
"""

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
DATABASE_URL = os.environ.get("LOAD_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/chengnuo_load")
REDIS_URL = os.environ.get("LOAD_REDIS_URL", "redis://127.0.0.1:6379/11")
LOAD_SECONDS = int(os.environ.get("LOAD_SECONDS", "120"))
SOAK_SECONDS = int(os.environ.get("LOAD_SOAK_SECONDS", "600"))
WARMUP = int(os.environ.get("LOAD_WARMUP_SECONDS", "20"))
RPS = float(os.environ.get("LOAD_RPS", "50"))
# gunicorn's own advice, (2 × cores) + 1: half a worker's time is spent waiting on PostgreSQL.
WORKERS = int(os.environ.get("LOAD_WORKERS", str(2 * (os.cpu_count() or 1) + 1)))
CONN_MAX_AGE = os.environ.get("LOAD_CONN_MAX_AGE", "60")
# The Celery worker's niceness (0: as the web workers). Letters are asynchronous; on a host shared
# with the web workers a lower priority lets pages win the CPU when letter renders bunch up.
CELERY_NICE = int(os.environ.get("LOAD_CELERY_NICE", "0"))
USERS = 51  # the sum of the locust users' fixed_count
TARGET_P95_MS, TARGET_GROWTH = 150, 0.10
BASELINE = "GET /bench/minimal/ (baseline)"
# Gunicorn's access log: the page name locust sends and the time the worker spent (µs), without the
# wait in the listen backlog; so a saturated machine still shows what each page costs.
ACCESS_FORMAT = "%({x-load-page}i)s %(D)s"


def _reachable(url, default_port):
    parts = urlsplit(url)
    try:
        socket.create_connection((parts.hostname, parts.port or default_port), timeout=2).close()
    except OSError:
        return False
    return True


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _recreate_database():
    import psycopg

    parts = urlsplit(DATABASE_URL)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _settle_database():
    """As pgbench does before a run: vacuum and analyse what the seed wrote, then checkpoint.

    Otherwise autovacuum, the first ANALYZE of 20,000 fresh rows and the checkpoint flushing the
    seed's pages land inside the measured minutes, and the run measures the seed, not the portal.
    """
    import psycopg

    with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:  # not a superuser (nor pg_checkpoint): the run still goes on
            pass


def _run(env, *args, log):
    with open(log, "a", encoding="utf-8") as out:
        subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=out, stderr=subprocess.STDOUT)


def _start(env, *args, log):
    return subprocess.Popen(args, cwd=ROOT, env=env, stdout=open(log, "a", encoding="utf-8"),  # noqa: SIM115
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(process):
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def stack():
    if not (_reachable(DATABASE_URL, 5432) and _reachable(REDIS_URL, 6379)):
        pytest.skip(f"负载测试需要 PostgreSQL 和 Redis（{DATABASE_URL}，{REDIS_URL}）")
    import redis

    work = Path(tempfile.mkdtemp(prefix="chengnuo-load-"))
    log = work / "setup.log"
    port = _free_port()
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "DJANGO_SETTINGS_MODULE": "tests.bench.load.settings",
        "SECRET_KEY": "load-test-" + os.urandom(24).hex(),
        "FIELD_ENCRYPTION_KEY": "load-test-" + os.urandom(12).hex(),
        "ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "VAR_DIR": str(work / "var"),
        "MEDIA_ROOT": str(work / "var" / "media"),
        "PUBLIC_BASE_URL": f"https://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "CELERY_TASK_ALWAYS_EAGER": "false",
        # Production settings with demo data: letters are sealed by the demo CA (portal/seals.py).
        "SEAL_DEMO_CA": "1",
        "SEAL_KEYSTORE_PASSPHRASE": "load-test-" + os.urandom(12).hex(),
        # As a multi-process deployment is configured (docs/operations.md, and make faults' stack):
        # persistent database connections and the shared cache (its keys are prefixed "chengnuo").
        "CONN_MAX_AGE": CONN_MAX_AGE,
        "CACHE_URL": REDIS_URL,
        # The letters' reduced fonts, as make install built them (the work directory is a fresh VAR_DIR).
        "PDF_FONT_DIR": str(ROOT / "var" / "pdf-fonts"),
        "PYTHONUNBUFFERED": "1",
    }
    for key in ("RUN_BENCH", "DEBUG", "SECURE_SSL_REDIRECT"):
        env.pop(key, None)
    # To rerun by hand against the seeded database (with LOAD_KEEP=1): `. WORK/env.sh`, then gunicorn/locust.
    (work / "env.sh").write_text("".join(f"export {k}='{v}'\n" for k, v in env.items() if os.environ.get(k) != v))
    print(f"\n[load] work directory {work}; database {DATABASE_URL}; Redis {REDIS_URL}; port {port}", flush=True)
    started = time.perf_counter()
    _recreate_database()
    python = str(BIN / "python")
    _run(env, python, "manage.py", "migrate", "--noinput", log=log)
    _run(env, python, "-m", "tests.bench.load.seed", str(work / "plan.json"), log=log)
    _run(env, python, "manage.py", "collectstatic", "--noinput", log=log)
    _settle_database()
    redis.Redis.from_url(REDIS_URL).flushdb()  # the seed's queued letters: the seed stored the ones we need
    print("[load] " + log.read_text(encoding="utf-8").split("seeded ", 1)[-1].splitlines()[0]
          + f"; setup {time.perf_counter() - started:.0f} s", flush=True)
    celery = _start(env, *(["nice", "-n", str(CELERY_NICE)] if CELERY_NICE else []), str(BIN / "celery"), "-A",
                    "chengnuo", "worker", "--concurrency", "1", "--loglevel", "WARNING", log=work / "celery.log")
    gunicorn = _start(env, str(BIN / "gunicorn"), "chengnuo.wsgi:application", "--workers", str(WORKERS),
                      "--worker-class", "sync", "--bind", f"127.0.0.1:{port}", "--timeout", "60",
                      "--access-logfile", str(work / "access.log"), "--access-logformat", ACCESS_FORMAT,
                      log=work / "gunicorn.log")
    try:
        _wait_until_up(port, gunicorn)
        yield {"port": port, "env": env, "work": work, "gunicorn": gunicorn, "celery": celery}
    finally:
        _stop(gunicorn)
        _stop(celery)
        if os.environ.get("LOAD_KEEP") is None:
            shutil.rmtree(work, ignore_errors=True)


def _wait_until_up(port, gunicorn):
    request = urllib.request.Request(f"http://127.0.0.1:{port}/bench/minimal/", headers={"X-Forwarded-Proto": "https"})
    for _ in range(120):
        if gunicorn.poll() is not None:
            raise RuntimeError("gunicorn exited; see gunicorn.log in the work directory")
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    raise RuntimeError("gunicorn did not answer /bench/minimal/ within 60 s")


def _locust(stack, seconds, name, rps=RPS):
    samples = stack["work"] / f"{name}.jsonl"
    env = {**stack["env"], "LOAD_PLAN": str(stack["work"] / "plan.json"), "LOAD_SAMPLES": str(samples),
           "LOAD_RPS": str(rps)}
    process = _start(env, str(BIN / "locust"), "-f", "tests/bench/load/locustfile.py", "--headless",
                     "-u", str(USERS), "-r", str(USERS), "--run-time", f"{seconds + WARMUP}s", "--only-summary",
                     "--stop-timeout", "10", "-H", f"http://127.0.0.1:{stack['port']}",
                     log=stack["work"] / f"{name}.log")
    return process, samples


def _read(samples):
    text = samples.read_text(encoding="utf-8") if samples.exists() else ""
    rows = [json.loads(line) for line in text.splitlines() if line.strip()]
    assert rows, f"locust recorded no request; see {samples.with_suffix('.log')}"
    first = min(r["t"] for r in rows)
    kept = [r for r in rows if r["t"] >= first + WARMUP]
    duration = max(r["t"] for r in kept) - min(r["t"] for r in kept)
    return kept, duration


def _pct(ordered, q):
    return ordered[min(len(ordered) - 1, max(0, round(q * len(ordered)) - 1))]


def _figures(rows, duration):
    ordered = sorted(r["ms"] for r in rows)
    return {"n": len(rows), "errors": sum(1 for r in rows if r["error"]), "rps": len(rows) / duration,
            "p50": _pct(ordered, 0.50), "p95": _pct(ordered, 0.95), "p99": _pct(ordered, 0.99)}


def _report(title, rows, duration, worker):
    """Print the per-page table and return (the mix's figures, the baseline's figures, the errors)."""
    pages = sorted({r["name"] for r in rows})
    width = max(len(p) for p in pages) + 2

    def in_worker(names):
        return sorted(ms for name in names for ms in worker.get(name, []))

    def inside(names):
        ordered = in_worker(names)
        return f"{_pct(ordered, 0.5):>10.0f}{_pct(ordered, 0.95):>11.0f}" if ordered else ""

    load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"\n{title}: {duration:.0f} s measured after a {WARMUP} s warm-up, target {RPS:g} requests/s; "
          f"{WORKERS} gunicorn workers, CONN_MAX_AGE={CONN_MAX_AGE}, {os.cpu_count()} CPUs, "
          f"load average at the end {load}")
    print("(p50/p95/p99: response time seen by the client; worker p50/p95: time inside a gunicorn worker, "
          "without the wait for a free worker)")
    print(f"{'page':<{width}}{'requests':>9}{'errors':>8}{'req/s':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
          f"{'worker p50':>11}{'worker p95':>11}")
    for page in pages:
        f = _figures([r for r in rows if r["name"] == page], duration)
        print(f"{page:<{width}}{f['n']:>9}{f['errors']:>8}{f['rps']:>8.2f}{f['p50']:>9.0f}{f['p95']:>9.0f}"
              f"{f['p99']:>9.0f} {inside([page])}")
    mix = _figures([r for r in rows if r["name"] != BASELINE], duration)
    print(f"{'all pages (baseline excluded)':<{width}}{mix['n']:>9}{mix['errors']:>8}{mix['rps']:>8.2f}"
          f"{mix['p50']:>9.0f}{mix['p95']:>9.0f}{mix['p99']:>9.0f} {inside(set(pages) - {BASELINE})}")
    base = _figures([r for r in rows if r["name"] == BASELINE], duration)
    print(f"ratio to the minimal one-query view: p50 {mix['p50'] / base['p50']:.1f}×, p95 {mix['p95'] / base['p95']:.1f}×"
          f" (baseline p50 {base['p50']:.0f} ms, p95 {base['p95']:.0f} ms)")
    pages_w, base_w = in_worker(set(pages) - {BASELINE}), in_worker([BASELINE])
    if pages_w and base_w:
        print(f"inside the workers: p50 {_pct(pages_w, 0.5) / _pct(base_w, 0.5):.1f}×, "
              f"p95 {_pct(pages_w, 0.95) / _pct(base_w, 0.95):.1f}× "
              f"(baseline p50 {_pct(base_w, 0.5):.1f} ms, p95 {_pct(base_w, 0.95):.1f} ms)")
    errors = [r for r in rows if r["error"]]
    for r in errors[:10]:
        print(f"  error: {r['name']}: {r['error']}")
    total_rps = len(rows) / duration
    verdict = "PASS" if (not errors and mix["p95"] <= TARGET_P95_MS and total_rps >= 0.95 * RPS) else "FAIL"
    print(f"{verdict}: {len(errors)} errors (target 0), p95 {mix['p95']:.0f} ms (target ≤ {TARGET_P95_MS} ms), "
          f"{total_rps:.1f} requests/s (target {RPS:g})")
    return mix, base, errors


def _cpu_seconds(stack, locust):
    """CPU time used so far by our processes (with their children) and by the whole machine."""
    import psutil

    def tree(pid):
        try:
            root = psutil.Process(pid)
            return sum(sum(p.cpu_times()[:2]) for p in [root, *root.children(recursive=True)])
        except psutil.NoSuchProcess:
            return 0.0

    machine = psutil.cpu_times()
    return {"gunicorn": tree(stack["gunicorn"].pid), "celery": tree(stack["celery"].pid), "locust": tree(locust.pid),
            "machine": sum(machine) - machine.idle - getattr(machine, "iowait", 0.0), "at": time.monotonic(),
            "log": (stack["work"] / "access.log").stat().st_size}


def _worker_times(stack, before, after):
    """Per page, the milliseconds gunicorn's workers spent on each request between two snapshots."""
    with open(stack["work"] / "access.log", "rb") as fh:
        fh.seek(before["log"])
        text = fh.read(after["log"] - before["log"]).decode("utf-8", "replace")
    times = {}
    for line in text.splitlines():
        name, _, micros = line.rpartition(" ")
        if name and name != "-" and micros.isdigit():
            times.setdefault(unquote(name), []).append(int(micros) / 1000)
    return times


def _cpu_report(before, after, requests):
    """Where the CPU went: what the figures mean on a machine other sessions share."""
    wall = after["at"] - before["at"]
    used = {k: after[k] - before[k] for k in ("gunicorn", "celery", "locust", "machine")}
    ours = used["gunicorn"] + used["celery"] + used["locust"]
    print(f"CPU over {wall:.0f} s: gunicorn workers {used['gunicorn'] / wall:.0%} of a core "
          f"({used['gunicorn'] * 1000 / requests:.1f} ms per request), Celery {used['celery'] / wall:.0%}, "
          f"locust {used['locust'] / wall:.0%}; the machine {used['machine'] / wall:.0%} of {os.cpu_count()} cores, "
          f"of which PostgreSQL, Redis and other sessions {(used['machine'] - ours) / wall:.0%}")


def _postgres_cpu():
    import psutil

    total = 0.0
    for p in psutil.process_iter(["name"]):
        if p.info["name"] and p.info["name"].startswith("postgres"):
            try:
                total += sum(p.cpu_times()[:2])
            except psutil.NoSuchProcess:
                pass
    return total


def _sample_cpu_every_second(stack, locust, seconds):
    """One CPU snapshot a second (ours, PostgreSQL's, the machine's), for the slowest seconds' report."""
    snapshots, end = [], time.monotonic() + seconds
    while time.monotonic() < end:
        snapshots.append({**_cpu_seconds(stack, locust), "postgres": _postgres_cpu(), "wall": time.time()})
        time.sleep(max(0.0, 1.0 - (time.monotonic() - snapshots[-1]["at"])))
    snapshots.append({**_cpu_seconds(stack, locust), "postgres": _postgres_cpu(), "wall": time.time()})
    return snapshots


def _slowest_seconds(rows, snapshots, count=3):
    """Who had the CPU in the seconds when the client waited longest (a p95 is made of such seconds)."""
    by_second = {}
    for r in rows:
        by_second.setdefault(int(r["t"]), []).append(r["ms"])
    medians = {t: sorted(v)[len(v) // 2] for t, v in by_second.items() if len(v) >= 10}
    keys = ("gunicorn", "celery", "locust", "postgres", "machine")
    print("slowest seconds (median response; CPU of one second, 100 % = one core):")
    for t in sorted(medians, key=medians.get, reverse=True)[:count]:
        pair = next(((a, b) for a, b in zip(snapshots, snapshots[1:], strict=False) if a["wall"] <= t < b["wall"]), None)
        if pair is None:
            continue
        a, b = pair
        used = {k: (b[k] - a[k]) / (b["at"] - a["at"]) for k in keys}
        rest = used["machine"] - sum(used[k] for k in keys[:4])
        print(f"  t = {t - int(rows[0]['t']):>4} s: median {medians[t]:.0f} ms; gunicorn {used['gunicorn']:.0%}, "
              f"Celery {used['celery']:.0%}, locust {used['locust']:.0%}, PostgreSQL {used['postgres']:.0%}, "
              f"everything else {rest:.0%} (machine {used['machine']:.0%})")


def test_mixed_load_at_target_rate(stack):
    process, samples = _locust(stack, LOAD_SECONDS, "load")
    time.sleep(WARMUP)
    before = _cpu_seconds(stack, process)
    snapshots = _sample_cpu_every_second(stack, process, LOAD_SECONDS)
    after = _cpu_seconds(stack, process)
    # locust exits with 1 when a request failed: the samples say which; anything else is a crash.
    assert process.wait(timeout=120) in (0, 1), (stack["work"] / "load.log").read_text()[-3000:]
    rows, duration = _read(samples)
    _mix, _base, errors = _report("Load test", rows, duration, _worker_times(stack, before, after))
    _cpu_report(before, after, len(rows) * (after["at"] - before["at"]) / duration)
    _slowest_seconds(sorted(rows, key=lambda r: r["t"]), snapshots)
    assert not errors, f"{len(errors)} requests answered with an unexpected status; first: {errors[0]}"


def test_the_knee_is_the_highest_rate_that_keeps_p95_within_target(stack):
    """The same mix at rising rates (``LOAD_KNEE_RATES``, e.g. ``60,80,100,120``; ``LOAD_KNEE_SECONDS``
    each): prints p95 per rate and the knee, the highest rate whose p95 stays ≤ 150 ms with no error
    and the rate reached. Printed, not asserted."""
    rates = [float(r) for r in os.environ.get("LOAD_KNEE_RATES", "").split(",") if r.strip()]
    if not rates:
        pytest.skip("LOAD_KNEE_RATES not set: no search for the knee")
    seconds = int(os.environ.get("LOAD_KNEE_SECONDS", "45"))
    results = []
    for rate in rates:
        process, samples = _locust(stack, seconds, f"knee-{rate:g}", rps=rate)
        assert process.wait(timeout=seconds + WARMUP + 120) in (0, 1), (stack["work"] / f"knee-{rate:g}.log").read_text()[-3000:]
        rows, duration = _read(samples)
        mix = _figures([r for r in rows if r["name"] != BASELINE], duration)
        reached = len(rows) / duration
        ok = not mix["errors"] and mix["p95"] <= TARGET_P95_MS and reached >= 0.95 * rate
        results.append((rate, reached, mix, ok))
    print(f"\nKnee ({seconds} s per rate after a {WARMUP} s warm-up, {WORKERS} gunicorn workers, {os.cpu_count()} CPUs)")
    print(f"{'target req/s':>13}{'reached':>9}{'errors':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}  within target")
    for rate, reached, mix, ok in results:
        print(f"{rate:>13g}{reached:>9.1f}{mix['errors']:>8}{mix['p50']:>8.0f}{mix['p95']:>8.0f}{mix['p99']:>8.0f}  "
              f"{'yes' if ok else 'no'}")
    within = [rate for rate, _reached, _mix, ok in results if ok]
    print(f"knee: {max(within):g} requests/s" if within else "knee: below the lowest rate tried")


def _worker_rss(gunicorn):
    import psutil

    return {p.pid: p.memory_info().rss for p in psutil.Process(gunicorn.pid).children()}


def test_worker_memory_stays_flat_over_soak(stack):
    if SOAK_SECONDS <= 0:
        pytest.skip("LOAD_SOAK_SECONDS=0: no soak")
    process, samples = _locust(stack, SOAK_SECONDS, "soak")
    time.sleep(WARMUP)
    first, before = _worker_rss(stack["gunicorn"]), _cpu_seconds(stack, process)
    trend, started = [(0, sum(first.values()))], time.monotonic()
    while (elapsed := time.monotonic() - started) < SOAK_SECONDS - 2 and process.poll() is None:
        time.sleep(min(60 - elapsed % 60, SOAK_SECONDS - 2 - elapsed))
        last = _worker_rss(stack["gunicorn"])
        trend.append((time.monotonic() - started, sum(last.values())))
    after = _cpu_seconds(stack, process)
    process.wait(timeout=120)
    assert process.returncode in (0, 1), (stack["work"] / "soak.log").read_text()[-3000:]
    rows, duration = _read(samples)
    _mix, _base, errors = _report("Soak", rows, duration, _worker_times(stack, before, after))
    _cpu_report(before, after, len(rows) * (after["at"] - before["at"]) / duration)
    same = sorted(set(first) & set(last))
    print(f"\ngunicorn worker memory (RSS, {len(first)} workers; {len(same)} lived through the soak):")
    print("  " + ", ".join(f"{t / 60:.0f} min {rss / 2**20:.0f} MiB" for t, rss in trend))
    for pid in same:
        print(f"  worker {pid}: {first[pid] / 2**20:.1f} → {last[pid] / 2**20:.1f} MiB "
              f"({(last[pid] - first[pid]) / first[pid]:+.1%})")
    growth = (sum(last[p] for p in same) - sum(first[p] for p in same)) / sum(first[p] for p in same)
    verdict = "PASS" if growth <= TARGET_GROWTH and len(same) == len(first) else "FAIL"
    print(f"{verdict}: worker memory {growth:+.1%} over {SOAK_SECONDS} s (target ≤ +{TARGET_GROWTH:.0%})")
    assert not errors, f"{len(errors)} requests answered with an unexpected status; first: {errors[0]}"
