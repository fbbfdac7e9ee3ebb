"""Benchmark of the supervision dashboard on a large data set: prints render times, asserts no time.

Run with ``make bench`` (or ``pytest tests/bench/test_supervision_bench.py -s``). The size is
``BENCH_COMMITMENTS`` (default 100,000 so that ``make bench`` stays quick on two cores);
``BENCH_COMMITMENTS=1000000`` gives the issue's one-million-commitment figure (the bulk load then
takes several minutes; run it on PostgreSQL with ``DATABASE_URL=postgres://…`` for realistic numbers).

Each commitment comes with its application and requirement; half have a verification task, and
tickets, assistance requests, pool entries and credit records are added in proportion.
"""

import datetime
import os
import random
import time

import pytest
from django.core.cache import cache
from django.db import connection, reset_queries
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from commitments.models import Application, Commitment, Requirement
from portal import roles
from supervision import figures as f
from tests.factories import AgencyFactory, CitizenFactory, StaffFactory
from tests.supervision import builders as b
from verification.models import AssistanceRequest, SpotCheckPoolEntry, VerificationTask

pytestmark = pytest.mark.django_db

N = int(os.environ.get("BENCH_COMMITMENTS", "100000"))
BATCH = 5000
N_AGENCIES = 20


def _batches(total):
    for start in range(0, total, BATCH):
        yield start, min(BATCH, total - start)


def fill(city, today):
    rng = random.Random(42)
    agencies, matters = [], []
    for i in range(N_AGENCIES):
        agency = AgencyFactory(code=f"{city.code}-B{i:02d}", name=f"西安市第{i + 1}局", parent=city)
        _cat, ms = b.catalogue(agency, allowed=3, excluded=("public_safety",) if i % 3 == 0 else ())
        agencies.append(agency)
        matters.append(ms[0])
    citizen = CitizenFactory()
    sender = StaffFactory(agency=agencies[0])
    year_start = datetime.date(today.year, 1, 1)
    span = max((today - year_start).days, 1)
    for start, size in _batches(N):
        days = [year_start + datetime.timedelta(days=rng.randrange(span)) for _ in range(size)]
        which = [rng.randrange(N_AGENCIES) for _ in range(size)]
        apps = Application.objects.bulk_create([
            b.application_row(agencies[w], matters[w].service, citizen, b.at(d)) for w, d in zip(which, days, strict=True)])
        reqs = Requirement.objects.bulk_create([
            Requirement(application=a, matter=matters[w], seq=1, mode="commit") for a, w in zip(apps, which, strict=True)])
        states = ["signed", "verified", "verified", "verified", "found_false", "withdrawn", "exempted"]
        Commitment.objects.bulk_create([
            b.commitment_row((a, r, matters[w], citizen), signed=b.at(d), state=rng.choice(states))
            for a, r, w, d in zip(apps, reqs, which, days, strict=True)])
        tasks = VerificationTask.objects.bulk_create([
            b.task_row((a, r, matters[w], citizen), agencies[w], due=d + datetime.timedelta(days=10),
                       concluded=b.at(d + datetime.timedelta(days=rng.choice([3, 8, 12]))) if rng.random() < 0.8 else None)
            for a, r, w, d in zip(apps, reqs, which, days, strict=True) if rng.random() < 0.5])
        AssistanceRequest.objects.bulk_create([
            AssistanceRequest(task=t, number=f"BXC{start}-{k}", from_agency=t.agency,
                              to_agency=agencies[(agencies.index(t.agency) + 1) % N_AGENCIES], question="请核实",
                              state="answered", answer="confirmed", sent_by=sender, due_date=t.due_date,
                              answered_at=timezone.now(), answered_on_time=rng.random() < 0.85)
            for k, t in enumerate(tasks[: len(tasks) // 10])])
        SpotCheckPoolEntry.objects.bulk_create([
            SpotCheckPoolEntry(requirement=r, application=a, subject=citizen.subject, agency=agencies[w],
                               matter=matters[w], matter_key=matters[w].key, path="proof")
            for a, r, w in list(zip(apps, reqs, which, strict=True))[: size // 5]])
    for i in range(max(N // 100, 10)):
        day = year_start + datetime.timedelta(days=rng.randrange(span))
        if i % 10 == 0:
            b.record(agencies[i % N_AGENCIES], decided=day)
    return agencies


def _time(fn, runs):
    times = []
    for _ in range(runs):
        began = time.perf_counter()
        fn()
        times.append(time.perf_counter() - began)
    return sorted(times)


def test_supervision_dashboard_bench(city_government, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    today = timezone.localdate()
    began = time.perf_counter()
    fill(city_government, today)
    load = time.perf_counter() - began
    supervisor = StaffFactory(agency=city_government, roles=[roles.SUPERVISOR])
    client = Client()
    client.force_login(supervisor)
    scope, period = f.Scope(city_government), f.Period.current_year(today)

    def cold_dashboard():
        cache.clear()
        assert client.get("/supervision/").status_code == 200

    def warm_dashboard():
        assert client.get("/supervision/").status_code == 200

    with CaptureQueriesContext(connection) as captured:
        cold_dashboard()
    queries = len(captured)
    with CaptureQueriesContext(connection) as timed:
        f.compute(scope, period)
    slowest = sorted(timed.captured_queries, key=lambda q: -float(q["time"]))[:4]
    compute = _time(lambda: f.compute(scope, period), 3)
    cold = _time(cold_dashboard, 3)
    warm = _time(warm_dashboard, 10)
    public = _time(lambda: (cache.clear(), client.get("/transparency/")), 3)
    reset_queries()
    print(
        f"\nsupervision bench on {connection.vendor}: {Commitment.objects.count():,} commitments, "
        f"{VerificationTask.objects.count():,} tasks, {N_AGENCIES} agencies (loaded in {load:.1f} s)\n"
        f"  dashboard queries (uncached): {queries}\n"
        f"  figures compute      median {compute[1] * 1000:8.1f} ms  (max {compute[-1] * 1000:.1f})\n"
        f"  dashboard, uncached  median {cold[1] * 1000:8.1f} ms  (max {cold[-1] * 1000:.1f})\n"
        f"  dashboard, cached    median {warm[5] * 1000:8.1f} ms  (max {warm[-1] * 1000:.1f})\n"
        f"  transparency, uncached median {public[1] * 1000:8.1f} ms\n"
        "  slowest figure queries:\n" + "\n".join(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:150]}" for q in slowest)
    )
