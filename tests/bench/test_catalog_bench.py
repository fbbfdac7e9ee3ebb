"""Benchmark of the public catalogue with 5,000 matters: p50/p95 server time for list, search and detail.

Run with ``make bench`` (or ``pytest tests/bench/test_catalog_bench.py -s``). It prints figures and
asserts nothing about time: the baseline is a minimal one-query Django view measured in the same
run, so the ratio says how much the catalogue adds over Django itself on this machine.
"""

import os
import statistics
import time

import pytest
from django.db import connection
from django.http import HttpResponse
from django.template import Template
from django.test import Client
from django.test.utils import CaptureQueriesContext, _TestState
from django.urls import include, path

from catalog import services, texts
from catalog.models import AdministrativeService, CertificationMatter, MatterField
from portal import roles
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db

N_MATTERS = 5000
RUNS = 60
CPU = {}  # median CPU time of this process per request: less sensitive to a busy machine than wall time


def minimal_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal_view), path("", include("chengnuo.urls"))]


def fill(agency, approver, reviewer, editor):
    catalogue = services.start_version(actor=editor)
    service_objs = AdministrativeService.objects.bulk_create(
        AdministrativeService(agency=agency, name=f"办理事项{i:03d}", code=f"B-{i:03d}", kind="licensing")
        for i in range(100)
    )
    fields = MatterField.values
    words = ["无犯罪记录", "经济困难", "亲属关系", "学历", "工作年限", "健康体检", "住所", "婚姻状况", "收入", "残疾"]
    defaults = texts.defaults_for("证明", "事项", agency.name)
    CertificationMatter.objects.bulk_create(
        CertificationMatter(
            catalogue=catalogue, seq=i + 1, name=f"{words[i % len(words)]}证明{i:05d}", service=service_objs[i % 100],
            field=fields[i % len(fields)], legal_basis_name="中华人民共和国行政许可法", legal_basis_article="第三十一条",
            requesting_agency=agency, issuing_unit="公安机关", exercise_level="city",
            verification_methods=["data_sharing"], verification_days=10, **defaults,
        )
        for i in range(N_MATTERS)
    )
    catalogue = services.submit(actor=editor, catalogue=catalogue)
    catalogue = services.pass_review(actor=reviewer, catalogue=catalogue)
    return services.approve(actor=approver, catalogue=catalogue, publish_now=True)


def measure(client, url, params=None):
    if params and "q" in params:
        # The search box posts (portal/search.py): the text is kept in the session and the page is
        # opened with ``s=1``; each measured GET then runs the search.
        params = dict(params)
        client.post(url, {"q": params.pop("q"), **{k: v for k, v in params.items() if k != "page"}})
        params["s"] = "1"
    client.get(url, params)  # warm up
    times, cpu = [], []
    for _ in range(RUNS):
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200
    times.sort()
    CPU[url, repr(params)] = statistics.median(cpu)
    with CaptureQueriesContext(connection) as ctx:
        client.get(url, params)
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in ctx.captured_queries]
    return statistics.median(times), times[int(len(times) * 0.95) - 1], queries


@pytest.mark.urls(__name__)
def test_public_catalogue_server_time_with_5000_matters(agency, justice_bureau, city_government, settings,
                                                        monkeypatch):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Measure templates as production renders them: without the test runner's per-template signal
    # (the test client copies every template context, which costs more than the page itself).
    monkeypatch.setattr(Template, "_render", _TestState.saved_data.template_render)
    editor = StaffFactory(agency=agency, roles=[roles.CATALOGUE_EDITOR])
    reviewer = StaffFactory(agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER])
    approver = StaffFactory(agency=city_government, roles=[roles.GOVERNMENT_APPROVER])
    started = time.perf_counter()
    catalogue = fill(agency, approver, reviewer, editor)
    fill_s = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")  # as autovacuum would have, long before anyone searches
    matter = catalogue.matters.order_by("seq")[2500]
    client = Client()
    cases = [
        ("最小 Django 视图（一次查询）", "/bench/minimal/", None),
        ("清单首页（20 项/页）", "/catalog/", None),
        ("清单首页（100 项/页）", "/catalog/", {"per_page": 100}),
        ("名称搜索“经济困难”", "/catalog/", {"q": "经济困难"}),
        ("领域筛选 + 搜索，第 3 页", "/catalog/", {"q": "证明", "field": "legal_service", "page": 3}),
        ("事项详情（一次性告知）", f"/catalog/matters/{matter.pk}/", None),
    ]
    results = [(label, *measure(client, url, params)) for label, url, params in cases]
    baseline = results[0][2]
    print(f"\n证明事项清单基准（{N_MATTERS} 项，{connection.vendor}，每项 {RUNS} 次，填充用时 {fill_s:.1f} 秒）")
    print(f"{'页面':<28}{'p50 ms':>10}{'p95 ms':>10}{'p95 / 最小视图':>16}{'查询':>6}{'数据库 ms':>10}{'CPU ms':>8}")
    cpu = iter(CPU.values())
    for label, p50, p95, queries in results:
        db_ms = sum(t for t, _sql in queries)
        print(f"{label:<28}{p50:>10.1f}{p95:>10.1f}{p95 / baseline:>16.1f}{len(queries):>6}{db_ms:>10.1f}"
              f"{next(cpu):>8.1f}")
    if os.environ.get("BENCH_SHOW_SQL"):
        for label, *_times, queries in results:
            print(label)
            for t, sql in queries:
                print(f"    {t:6.1f} ms  {sql[:200]}")
                if connection.vendor == "postgresql" and "catalog_certificationmatter" in sql:
                    with connection.cursor() as cur:
                        cur.execute("EXPLAIN (ANALYZE) " + sql)
                        print("\n".join("        " + row[0] for row in cur.fetchall()))
                        cur.execute("SET enable_seqscan = off")
                        cur.execute("EXPLAIN (ANALYZE) " + sql)
                        print("        without seq scans:\n" + "\n".join("        " + row[0] for row in cur.fetchall()))
                        cur.execute("SET enable_seqscan = on")
    if os.environ.get("BENCH_PROFILE"):
        import cProfile
        import pstats

        client.post("/catalog/", {"q": "经济困难"})
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(20):
            client.get("/catalog/", {"s": "1"})
        profile.disable()
        pstats.Stats(profile).sort_stats(os.environ.get("BENCH_PROFILE_SORT", "tottime")).print_stats(int(os.environ.get("BENCH_PROFILE_LINES", "25")))
