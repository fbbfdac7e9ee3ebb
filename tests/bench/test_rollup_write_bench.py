"""What the daily-count triggers (``portal.rollup``) cost a write: single-row statements timed with and without them.

Each statement commits on its own (autocommit), as a request's write does; on PostgreSQL with
``synchronous_commit`` off for the session, so that the shared disk's flush times do not drown the
difference. Printed, nothing asserted::

    RUN_BENCH=1 DATABASE_URL=postgres://… .venv/bin/python -m pytest tests/bench/test_rollup_write_bench.py -s

``BENCH_WRITES`` (default 2,000) statements of each kind: INSERT of one commitment; UPDATE of one commitment's
signing time to the day before (a counted column: −1 on one key, +1 on another); UPDATE of a column the counts do not read (the
PostgreSQL statement trigger still runs and finds nothing to write; SQLite's ``WHEN`` skips it). On PostgreSQL
also one ``INSERT … SELECT`` of ``BENCH_BULK`` (default 100,000) commitments, as the bench data is built: the
statement trigger keeps every new row in its transition table and aggregates them once.
"""

import datetime
import os
import statistics
import time

import pytest
from django.db import connection

from commitments.models import Commitment
from commitments.rollups import COMMITMENTS
from portal import rollup
from tests.supervision import builders as b

N = int(os.environ.get("BENCH_WRITES", "2000"))
BULK = int(os.environ.get("BENCH_BULK", "100000"))  # rows of the one INSERT … SELECT (PostgreSQL)
RUNS = 5
BULK_KEY = f"one INSERT … SELECT of {BULK:,} commitments, per row"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("RUN_BENCH"), reason="benchmarks run with make bench (RUN_BENCH=1)"),
]


def _timed(statements) -> float:
    """Mean seconds per statement, each its own transaction (autocommit)."""
    with connection.cursor() as cursor:
        began = time.perf_counter()
        for sql, params in statements:
            cursor.execute(sql, params)
        return (time.perf_counter() - began) / N


def _writes(template: Commitment, tag: str) -> dict:
    columns = [f.column for f in Commitment._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    select = ", ".join("t.letter_number || %s" if c == "letter_number" else f"t.{quote(c)}" for c in columns)
    insert = (f"INSERT INTO commitments_commitment ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (model columns)
              f"SELECT {select} FROM commitments_commitment t WHERE t.id = %s")
    times = {"insert one commitment": _timed((insert, [f"-{tag}{i}", template.pk]) for i in range(N))}
    # Each update touches another of the rows just inserted (as requests do), not one row N times.
    ids = list(Commitment.objects.filter(letter_number__startswith=template.letter_number + f"-{tag}")
               .values_list("pk", flat=True))
    # A counted column (−1 on one key, +1 on another). Not the state: the copies share one requirement, and
    # only one commitment per requirement may be live.
    moved = template.signed_at - datetime.timedelta(days=1)
    day = "UPDATE commitments_commitment SET signed_at = %s WHERE id = %s"
    times["update its signing day"] = _timed((day, [moved, pk]) for pk in ids)
    other = "UPDATE commitments_commitment SET subject_name = '王芳' WHERE id = %s"
    times["update an uncounted column"] = _timed((other, [pk]) for pk in ids)
    return times


def _bulk(template: Commitment, tag: str) -> float:
    """Seconds for one INSERT … SELECT of BULK copies over generate_series, as the bench data is built."""
    columns = [f.column for f in Commitment._meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    select = ", ".join(f"t.letter_number || '-{tag}' || g" if c == "letter_number" else f"t.{quote(c)}"
                       for c in columns)
    with connection.cursor() as cursor:
        began = time.perf_counter()
        cursor.execute(f"INSERT INTO commitments_commitment ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
                       f"SELECT {select} FROM commitments_commitment t, generate_series(1, %s) g WHERE t.id = %s",
                       [BULK, template.pk])
        return time.perf_counter() - began


def test_cost_of_the_rollup_triggers_per_single_row_write(city_government):
    agency = city_government
    _cat, (matter,) = b.catalogue(agency, allowed=1)
    case = b.Case(agency, matter, submitted=b.at(datetime.date.today()))
    template = b.commitment(case, signed=b.at(datetime.date.today()), state="withdrawn")
    vendor = connection.vendor
    if vendor == "postgresql":
        # Each statement still commits, but without waiting for the flush to disk: on a shared server that wait
        # varied from 2.5 to 4.5 ms per statement between runs, more than the triggers cost.
        with connection.cursor() as cursor:
            cursor.execute("SET synchronous_commit TO off")

    # Alternated, so that the load of the shared machine falls on both alike.
    with_triggers, without = [], []
    for run in range(RUNS):
        with_triggers.append(_writes(template, f"a{run}-"))
        if vendor == "postgresql" and run < 2:
            with_triggers[-1][BULK_KEY] = _bulk(template, f"A{run}-") / BULK
        with connection.cursor() as cursor:
            for sql in rollup.drop_sql(COMMITMENTS, vendor):
                cursor.execute(sql)
        try:
            without.append(_writes(template, f"b{run}-"))
            if vendor == "postgresql" and run < 2:
                without[-1][BULK_KEY] = _bulk(template, f"B{run}-") / BULK
        finally:
            with connection.cursor() as cursor:
                for sql in [*rollup.trigger_sql(COMMITMENTS, vendor), *rollup.rebuild_sql(COMMITMENTS, vendor)]:
                    cursor.execute(sql)

    print(f"\nrollup trigger cost on {vendor}, {N:,} single-row statements each, median of {RUNS} alternated runs:")
    print("| statement | with triggers | without | difference |")
    print("|---|---|---|---|")
    for name in with_triggers[0]:
        on = statistics.median(run[name] for run in with_triggers if name in run) * 1e6
        off = statistics.median(run[name] for run in without if name in run) * 1e6
        print(f"| {name} | {on:.0f} µs | {off:.0f} µs | {on - off:+.0f} µs |")
