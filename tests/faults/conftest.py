"""Fault scripts (``make faults``): one private stack for the session and the table printed at the end."""

import os
import shutil
import tempfile
import time
from pathlib import Path

import pytest

from tests.faults.stack import PG_BIN, PG_PORT, REDIS_PORT, Receiver, Stack

ROWS: list[dict] = []


def record(fault, tried, failed, lost, duplicated, note=""):
    """One row of the faults table (printed after the last script)."""
    ROWS.append({"fault": fault, "tried": tried, "failed": failed, "lost": lost, "duplicated": duplicated,
                 "note": note})
    print(f"\n[{fault}] tried {tried}, failed {failed}, lost {lost}, duplicated {duplicated}. {note}")


def _table():
    header = ("fault", "requests tried", "failed", "lost", "duplicated", "note")
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in ROWS:
        lines.append(f"| {r['fault']} | {r['tried']} | {r['failed']} | {r['lost']} | {r['duplicated']} | {r['note']} |")
    return "\n".join(lines)


@pytest.fixture(scope="session")
def receiver():
    server = Receiver()
    yield server
    server.close()


@pytest.fixture(scope="session")
def stack(receiver):
    """PostgreSQL, Redis and a migrated production database with a published catalogue."""
    missing = [name for name, found in (("PostgreSQL 15 (initdb)", (PG_BIN / "initdb").exists()),
                                        ("redis-server", shutil.which("redis-server")),
                                        ("pg_dump", shutil.which("pg_dump"))) if not found]
    if missing:
        pytest.skip("故障演练需要本机安装：" + "、".join(missing) + "（Debian: apt-get install postgresql-15 redis-server）")
    base = Path(tempfile.mkdtemp(prefix="chengnuo-faults-"))
    base.chmod(0o755)  # the postgres user must reach its data directory
    started = time.monotonic()
    stack = Stack(base, receiver.url)
    try:
        stack.setup()
        stack.seed = stack.python("tests.faults.seed", "--catalogue")
        print(f"\n故障演练环境就绪（私有 PostgreSQL :{PG_PORT}、Redis :{REDIS_PORT}，生产配置）：{time.monotonic() - started:.0f} s，"
              f"目录 {base}")
        yield stack
    finally:
        stack.teardown()
        if ROWS:
            print("\n\n故障演练结果（make faults）\n" + _table() + "\n")
        if not os.environ.get("FAULTS_KEEP"):
            shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def apps(stack):
    """Each script starts with an empty broker (what an earlier script left queued would muddle which
    task a kill hits) and ends with its app processes stopped; the data services stay up."""
    stack.redis.cli("-n", "0", "FLUSHDB")
    yield stack
    stack.stop_all()
    if stack.redis.proc is not None:
        stack.redis.thaw()  # a script that failed mid-freeze
    if not stack.redis.ping():
        stack.redis.start()
    try:
        stack.pg.scalar("SELECT 1")
    except Exception:  # noqa: BLE001 - a script that failed while PostgreSQL was down
        stack.pg.start()
