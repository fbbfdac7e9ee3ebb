"""Benchmark of the supervision dashboard and assessment at city scale: prints times, asserts no time.

Run on PostgreSQL (the data is built by set-based SQL, ``INSERT … SELECT … generate_series``)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/chengnuo_bench BENCH_COMMITMENTS=1000000 \\
        make bench PYTEST_ARGS="-k supervision"

``BENCH_COMMITMENTS`` (default 100,000) commitments, each with its application and requirement, all
signed in the current year (the worst case for a one-year period: every row is in it); half have a
verification task (80 % concluded), one in five a spot-check pool entry, one in fifty a complaint, one in
twenty a task an assistance request. Agencies: ten city departments under the city government and ten
departments under a district government. Each row is a copy of one real row made through the ORM (so
every constraint holds) with its keys, agency and dates varied in SQL.

Printed for the city and for the district scope, uncached: the dashboard page, the assessment page
and the XLSX export (wall time, median of three), the database time of the figures (the sum of
Django's per-query times) and, from ``EXPLAIN (ANALYZE, BUFFERS)``, the server's execution time and
plan of each figure query — the machine is shared, so database time tells what wall time cannot.
"""

import datetime
import os
import statistics
import time

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments.models import Application, Commitment, Requirement
from complaints.models import Ticket
from portal import roles
from supervision import figures as f
from tests.factories import AgencyFactory, CitizenFactory, StaffFactory
from tests.supervision import builders as b
from verification.models import AssistanceRequest, SpotCheckPoolEntry, VerificationTask

N = int(os.environ.get("BENCH_COMMITMENTS", "100000"))
N_AGENCIES = 20
RUNS = 3

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not os.environ.get("RUN_BENCH"), reason="benchmarks run with make bench (RUN_BENCH=1)"),
]


def _columns(model):
    return [field.column for field in model._meta.concrete_fields if not field.primary_key]


def clone(model, template, source: str, overrides: dict) -> int:
    """INSERT copies of ``template`` (one saved row) for every row of ``source`` (a FROM … clause that may use
    ``t`` for the template), with ``overrides`` {column: SQL expression}; returns the rows inserted."""
    table = model._meta.db_table
    columns = _columns(model)
    quoted = {c: connection.ops.quote_name(c) for c in columns}
    select = ", ".join(overrides.get(c, "t." + quoted[c]) for c in columns)
    names = ", ".join(quoted.values())
    sql = f'INSERT INTO "{table}" ({names}) SELECT {select} FROM "{table}" t, {source} AND t.id = {template.pk}'
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return cursor.rowcount


def fill(city, district, today):
    """The agencies, one real row of each kind, then N copies by SQL. Returns the agencies."""
    agencies, matters = [], []
    for i in range(N_AGENCIES):
        parent = city if i < N_AGENCIES // 2 else district
        agency = AgencyFactory(code=f"{parent.code}-B{i:02d}", name=f"第{i + 1}局", parent=parent,
                               level="city" if parent == city else "county")
        _cat, ms = b.catalogue(agency, allowed=1, excluded=("public_safety",) if i % 3 == 0 else ())
        agencies.append(agency)
        matters.append(ms[0])
    year_start = datetime.date(today.year, 1, 1)
    span = max((today - year_start).days, 1)
    first = b.at(year_start)
    case = b.Case(agencies[0], matters[0], submitted=first, citizen=CitizenFactory())
    commitment = b.commitment(case, signed=first, state="withdrawn")
    open_task = b.task(case, due=year_start, origin="spot_check")
    done_task = b.task(case, due=year_start, concluded=first, origin="spot_check")
    request = b.assistance(done_task, agencies[1], sent=first, due=year_start, state="answered",
                           answered=first, on_time=True)
    entry = b.pool_entry(case, added=first)
    ticket = b.ticket(agencies[0], created=first)
    mapping = ", ".join(f"({k}, {a.pk}, {m.pk})" for k, (a, m) in enumerate(zip(agencies, matters, strict=True)))
    agency_of = f"(VALUES {mapping}) AS am(k, agency_id, matter_id)"
    day = f"(TIMESTAMPTZ '{first.isoformat()}' + ((g::bigint * 7919) % {span}) * INTERVAL '1 day')"
    clone(Application, case.application, f"generate_series(1, {N}) g, {agency_of} WHERE am.k = g % {N_AGENCIES}", {
        "number": "'BB' || g", "agency_id": "am.agency_id", "client_token": "md5('b' || g)::uuid",
        "submitted_at": day, "accepted_at": day, "created_at": day})
    bench_apps = ("commitments_application a JOIN " + agency_of.replace("k, agency_id, matter_id", "k, ag, matter_id")
                  + " ON am.ag = a.agency_id WHERE a.number LIKE 'BB%%'")
    clone(Requirement, case.requirement, bench_apps, {"application_id": "a.id", "matter_id": "am.matter_id"})
    states = "(ARRAY['signed','verified','verified','verified','found_false','withdrawn','exempted'])[1 + a.id % 7]"
    with_requirement = ("commitments_application a JOIN commitments_requirement r ON r.application_id = a.id "
                        "WHERE a.number LIKE 'BB%%'")
    overrides = {"application_id": "a.id", "requirement_id": "r.id", "matter_id": "r.matter_id",
                 "letter_number": "'BL' || a.id", "state": states, "signed_at": "a.submitted_at",
                 "withdrawn_at": f"CASE WHEN {states} = 'withdrawn' THEN a.submitted_at END",
                 "withdrawal_reason": f"CASE WHEN {states} = 'withdrawn' THEN t.withdrawal_reason ELSE '' END"}
    if "agency_id" in _columns(Commitment):
        overrides["agency_id"] = "a.agency_id"
    clone(Commitment, commitment, with_requirement, overrides)
    task_columns = {"application_id": "a.id", "requirement_id": "r.id", "matter_id": "r.matter_id",
                    "agency_id": "a.agency_id", "due_date": "(a.submitted_at + INTERVAL '10 days')::date",
                    "commitment_id": "NULL"}
    clone(VerificationTask, done_task, with_requirement + " AND a.id % 2 = 0 AND a.id % 10 <> 0",
          {**task_columns, "concluded_at": "a.submitted_at + ((a.id % 3) * 4 + 3) * INTERVAL '1 day'"})
    clone(VerificationTask, open_task, with_requirement + " AND a.id % 10 = 0", task_columns)
    asked = (f"verification_verificationtask vt JOIN (VALUES {mapping}) AS own(k, ag, m) ON own.ag = vt.agency_id "
             f"JOIN (VALUES {mapping}) AS nx(k, ag, m) ON nx.k = (own.k + 1) % {N_AGENCIES} WHERE vt.id % 20 = 0")
    clone(AssistanceRequest, request, asked, {
        "task_id": "vt.id", "number": "'BX' || vt.id", "from_agency_id": "vt.agency_id", "to_agency_id": "nx.ag",
        "sent_at": "(vt.due_date - 8)::timestamptz", "answered_at": "(vt.due_date - 6)::timestamptz",
        "answered_on_time": "vt.id % 7 <> 0", "due_date": "vt.due_date"})
    clone(SpotCheckPoolEntry, entry, with_requirement + " AND a.id % 5 = 0", {
        "requirement_id": "r.id", "application_id": "a.id", "agency_id": "a.agency_id", "matter_id": "r.matter_id",
        "added_at": "a.submitted_at"})
    clone(Ticket, ticket, "commitments_application a WHERE a.number LIKE 'BB%%' AND a.id % 50 = 0", {
        "number": "'BT' || a.id", "agency_id": "a.agency_id", "created_at": "a.submitted_at"})
    with connection.cursor() as cursor:
        for model in (Application, Requirement, Commitment, VerificationTask, AssistanceRequest, SpotCheckPoolEntry,
                      Ticket):
            cursor.execute(f'VACUUM (ANALYZE) "{model._meta.db_table}"')
    return agencies


def _median(fn):
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return statistics.median(times)


def _explain(sql: str, params) -> tuple[float, str]:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        lines = [row[0] for row in cursor.fetchall()]
    execution = next((float(line.split(":")[1].split()[0]) for line in lines if line.startswith("Execution Time")), 0.0)
    return execution, "\n".join("      " + line for line in lines)


def _figure_queries(scope, period):
    """Each figure query as Django ran it (SQL and parameters), from one uncached compute."""
    queries = []

    def capture(execute, sql, params, many, context):
        queries.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(capture):
        f.compute(scope, period)
    return queries


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the city-scale bench runs on PostgreSQL")
def test_supervision_at_city_scale(city_government, district_government, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    began = time.perf_counter()
    fill(city_government, district_government, today)
    load = time.perf_counter() - began
    period = f.Period.current_year(today)
    print(f"\nsupervision bench on PostgreSQL: {Commitment.objects.count():,} commitments, "
          f"{Application.objects.count():,} applications, {VerificationTask.objects.count():,} tasks, "
          f"{AssistanceRequest.objects.count():,} assistance requests, {SpotCheckPoolEntry.objects.count():,} pool "
          f"entries, {Ticket.objects.count():,} tickets; {N_AGENCIES} departments; built in {load:.0f} s")
    print("| scope | figures: wall | figures: DB (sum of queries) | queries | dashboard | assessment | XLSX |")
    print("|---|---|---|---|---|---|---|")
    plans = []
    for label, agency in (("city", city_government), ("district", district_government)):
        supervisor = StaffFactory(agency=agency, roles=[roles.SUPERVISOR])
        client = Client()
        client.force_login(supervisor)
        scope = f.Scope(agency)

        def uncached(url):
            cache.clear()
            response = client.get(url)
            assert response.status_code == 200
            if response.streaming:
                b"".join(response.streaming_content)

        with CaptureQueriesContext(connection) as captured:
            compute_wall = _median(lambda scope=scope: f.compute(scope, period))
        db = sum(float(q["time"]) for q in captured.captured_queries) / RUNS
        count = len(captured.captured_queries) // RUNS
        dashboard = _median(lambda: uncached("/supervision/"))
        assessment = _median(lambda: uncached("/supervision/assessment/"))
        xlsx = _median(lambda: uncached("/supervision/assessment.xlsx"))
        print(f"| {label} | {compute_wall * 1000:.0f} ms | {db * 1000:.0f} ms | {count} | {dashboard * 1000:.0f} ms "
              f"| {assessment * 1000:.0f} ms | {xlsx * 1000:.0f} ms |")
        for sql, params in _figure_queries(scope, period):
            if "GROUP BY" in sql or "COUNT(" in sql:
                server, plan = _explain(sql, params)
                plans.append((label, server, sql, plan))
    print("\nserver execution time per figure query (EXPLAIN ANALYZE), slowest first:")
    for label, server, sql, _plan in sorted(plans, key=lambda p: -p[1])[:12]:
        table = sql.split(" FROM ")[1].split()[0] if " FROM " in sql else "?"
        print(f"  {label:8} {server:8.1f} ms  {table}")
    print("\nplans of the three slowest, and of the slowest read of the daily counts:")
    slowest = sorted(plans, key=lambda p: -p[1])
    rollups = [p for p in slowest if "portal_dailycount" in p[2]][:1]
    for label, server, _sql, plan in slowest[:3] + rollups:
        print(f"  [{label}, {server:.1f} ms]\n{plan}")
