"""Costs flat in the data size: key pages at 10k, 100k (and 1M) commitments on PostgreSQL.

    make bench PYTEST_ARGS="-k scale"                        # 10,000 and 100,000 commitments
    BENCH_SIZES=10000,100000,1000000 make bench PYTEST_ARGS="-k scale"

The demo data (``seed_demo``) is loaded, then grown to each size in turn by set-based SQL
(``tests/bench/data.py``: ``INSERT … SELECT generate_series`` copies of the demo's own rows), and each
page is measured at each size: queries, database time (the sum of the statements' own times) and the
median wall time, beside a one-query view measured in the same run. The people measured (the demo's
citizen, clerk, verifier, credit officer, 12345 operator) keep their own few rows; the generated rows
sit in their agency, so their queues, inboxes and searches grow with the data as a city's would.

Per commitment: one application and its requirement; a subject for every three commitments; a
verification task for every second (one in five of those open); a complaint ticket for every twentieth;
a credit record for every hundredth; one audit line per application. Prints a table; asserts no time.
"""

import os
import statistics
import time

import pytest
from django.core.management import call_command
from django.db import connection
from django.http import HttpResponse
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import include, path

from commitments.models import Application, Commitment, Requirement
from complaints.models import Ticket
from credit.models import DishonestyRecord
from portal.models import AuditEvent, Subject, User
from tests.bench import data
from verification.models import VerificationTask

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="基准测试需要 PostgreSQL"),
]

SIZES = [int(s) for s in os.environ.get("BENCH_SIZES", "10000,100000").split(",")]
RUNS = int(os.environ.get("BENCH_SCALE_RUNS", "15"))


def minimal_view(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return HttpResponse("ok")


urlpatterns = [path("bench/minimal/", minimal_view), path("", include("chengnuo.urls"))]


def grow(seed, have, want):
    """Add commitments ``have + 1 … want`` (and everything in proportion) by copying the seed rows."""
    n = want - have
    app_base, req_base, com_base = (data.next_id(m) for m in (Application, Requirement, Commitment))
    subj_base = data.next_id(Subject)
    subjects = max(n // 3, 1)
    data.clone(
        Subject,
        seed["subject"],
        subjects,
        {
            "id_hash": f"md5('bench-subject-' || g || '-' || {have})",
            "id_number": "''",
            "name": "'承诺人' || g",
            "id_masked": "'6101**********' || lpad((g % 10000)::text, 4, '0')",
        },
        ids_from=subj_base,
        start=1,
    )
    app = f"{app_base} + g"
    data.clone(
        Application,
        seed["application"],
        n,
        {
            "number": f"'B' || ({have} + g)",
            "client_token": "gen_random_uuid()",
            "subject_id": f"{subj_base} + 1 + (g % {subjects})",
            "applicant_user_id": seed["bulk_user"],
            "filed_by_id": "NULL",
            "created_at": "now() - (g % 700) * interval '1 day'",
        },
        ids_from=app_base,
    )
    data.clone(Requirement, seed["requirement"], n, {"application_id": app}, ids_from=req_base)
    data.clone(
        Commitment,
        seed["commitment"],
        n,
        {
            "application_id": app,
            "requirement_id": f"{req_base} + g",
            "letter_number": f"'BL' || ({have} + g)",
            "signer_user_id": seed["bulk_user"],
            "witnessed_by_id": "NULL",
            "signed_at": "now() - (g % 700) * interval '1 day'",
        },
        ids_from=com_base,
    )
    half = n // 2
    data.clone(
        VerificationTask,
        seed["task"],
        half,
        {
            "application_id": f"{app_base} + 2 * g",
            "requirement_id": f"{req_base} + 2 * g",
            "commitment_id": f"{com_base} + 2 * g",
            "subject_id": f"{subj_base} + 1 + ((2 * g) % {subjects})",
            "origin": "'plan'",
            "state": "CASE WHEN g % 5 = 0 THEN 'open' ELSE 'concluded' END",
            "result": "CASE WHEN g % 5 = 0 THEN '' ELSE 'true' END",
            "due_date": "CURRENT_DATE + ((g::bigint * 7919) % 90 - 30)::int",
            "concluded_at": "CASE WHEN g % 5 = 0 THEN NULL ELSE now() END",
            "concluded_by_id": f"CASE WHEN g % 5 = 0 THEN NULL ELSE {seed['verifier']} END",
            "claimed_by_id": f"CASE WHEN g % 5 = 0 THEN NULL ELSE {seed['verifier']} END",
            "claimed_at": "CASE WHEN g % 5 = 0 THEN NULL ELSE now() END",
            "parent_id": "NULL",
        },
    )
    data.clone(
        Ticket,
        seed["ticket"],
        n // 20,
        {
            "number": f"'BT' || lpad(({have // 20} + g)::text, 12, '0')",
            "lookup_hash": f"md5('bench-ticket-' || g || '-' || {have})",
        },
    )
    data.clone(
        DishonestyRecord,
        seed["record"],
        max(n // 100, 1),
        {
            "subject_id": f"{subj_base} + 1 + (g % {subjects})",
            "commitment_ref": f"'BL' || ({have} + g * 100)",
            "decision_number": f"'BD' || ({have} + g)",
        },
    )
    with connection.cursor() as cur:
        # The audit trail refuses rows not dated by the database clock or out of the chain (its trigger):
        # the generated history goes in with the trigger off, as a restore would, and chain 0 goes on
        # from its last row. Bench database only.
        cur.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER USER")
        cur.execute("SELECT coalesce(max(seq), 0) FROM portal_auditevent WHERE chain = 0")
        seq = cur.fetchone()[0]
        data.clone(
            AuditEvent,
            seed["audit"],
            n,
            {
                "chain": "0",
                "seq": f"{seq} + g",
                "object_type": "'commitments.application'",
                "object_id": f"({app_base} + g)::text",
                "at": "now() - interval '1 minute'",
                "prev_hash": "md5(g::text) || md5(g::text)",
                "hash": "md5((g + 1)::text) || md5((g + 1)::text)",
            },
        )
        cur.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER USER")
        cur.execute("ANALYZE")


def seed_rows():
    call_command("seed_demo", "--force", verbosity=0)
    citizen = User.objects.get(username="13800000001")
    bulk = User.objects.create(username="bench-bulk", full_name="批量承诺人")
    commitment = Commitment.objects.exclude(letter_number="").order_by("pk").first()
    task = VerificationTask.objects.filter(origin="plan").order_by("pk").first()
    audit = AuditEvent.objects.filter(object_type="commitments.application").order_by("pk").first()
    return {
        "subject": citizen.subject_id,
        "bulk_user": bulk.pk,
        "application": commitment.application_id,
        "requirement": commitment.requirement_id,
        "commitment": commitment.pk,
        "task": task.pk,
        "ticket": Ticket.objects.order_by("pk").first().pk,
        "record": DishonestyRecord.objects.order_by("pk").first().pk,
        "audit": audit.pk,
        "verifier": User.objects.get(username="verifier").pk,
    }


def pages():
    """(label, username, url, POST data or None) for each page measured."""
    citizen = User.objects.get(username="13800000001")
    application = Application.objects.filter(applicant_user=citizen).order_by("-pk").first()
    clerk = User.objects.get(username="clerk")
    desk_app = Application.objects.filter(agency_id=clerk.agency_id).order_by("pk").first()
    verifier = User.objects.get(username="verifier")
    task = VerificationTask.objects.filter(agency_id=verifier.agency_id).order_by("pk").first()
    record = DishonestyRecord.objects.order_by("pk").first()
    return [
        ("one-query view", None, "/bench/minimal/", None),
        ("citizen: my applications", citizen, "/applications/", None),
        ("citizen: application page", citizen, f"/applications/{application.pk}/", None),
        ("desk: list", clerk, "/desk/", None),
        ("desk: search by name", clerk, "/desk/", {"q": "张伟"}),
        ("desk: application page", clerk, f"/desk/applications/{desk_app.pk}/", None),
        ("verification queue", verifier, "/verification/queue/", None),
        ("verification task page", verifier, f"/verification/tasks/{task.pk}/", None),
        (
            "credit file (officer)",
            User.objects.get(username="credit"),
            f"/credit/officer/subjects/{record.subject_id}/",
            None,
        ),
        ("credit desk", User.objects.get(username="credit"), "/credit/officer/", None),
        ("complaint inbox", User.objects.get(username="operator"), "/complaints/inbox/", None),
        ("public catalogue", None, "/catalog/", None),
        ("public search", None, "/catalog/", {"q": "律师"}),
    ]


def measure(clients, user, url, post):
    client = clients.get((user, url))
    if client is None:
        client = clients[user, url] = Client(HTTP_X_FORWARDED_PROTO="https")
        if user is not None:
            client.force_login(user)

    def get():
        if post is None:
            return client.get(url)
        return client.post(url, post, follow=True)  # search boxes post, then show the page

    response = get()
    assert response.status_code == 200, (url, response.status_code)
    times = []
    for _ in range(RUNS):
        began = time.perf_counter()
        get()
        times.append((time.perf_counter() - began) * 1000)
    spent = []

    def timed(execute, sql, params, many, context):
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent.append((time.perf_counter() - began) * 1000)

    # the statements' own times, to the microsecond (CaptureQueriesContext rounds them to the millisecond)
    with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(timed):
        get()
    db_ms = sum(spent)
    for q, ms in zip(ctx.captured_queries, spent, strict=False):
        q["time"] = f"{ms / 1000:.6f}"
    return len(ctx.captured_queries), db_ms, statistics.median(times), ctx.captured_queries


@pytest.mark.urls(__name__)
def test_key_pages_stay_flat_as_the_data_grows(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed = seed_rows()
    clients, table, have = {}, {}, 0
    measured = pages()  # the demo's own rows, chosen before any generated row exists
    for size in SIZES:
        began = time.perf_counter()
        grow(seed, have, size)
        have = size
        print(
            f"\n[scale] grown to {size:,} commitments in {time.perf_counter() - began:.1f} s "
            f"({VerificationTask.objects.count():,} tasks, {Ticket.objects.count():,} tickets)"
        )
        for label, user, url, post in measured:
            table.setdefault(label, {})[size] = measure(clients, user, url, post)
    first, last = SIZES[0], SIZES[-1]
    head = "".join(f"{f'{s:,}':>24}" for s in SIZES)
    print(f"\n{'page':<28}{head}   {'db ' + f'{last:,}' + '/' + f'{first:,}':>14}")
    print(f"{'':<28}" + "".join(f"{'queries  db ms  wall ms':>24}" for _ in SIZES))
    for label, by_size in table.items():
        cells = "".join(f"{q:>9}{db:>7.1f}{wall:>8.1f}" for q, db, wall, _ in (by_size[s] for s in SIZES))
        ratio = (by_size[last][1] + 0.5) / (by_size[first][1] + 0.5)  # +0.5 ms: the clock's resolution
        flag = "" if ratio <= 1.5 and by_size[last][0] == by_size[first][0] else "  <- grows"
        print(f"{label:<28}{cells}{ratio:>14.1f}×{flag}")
    if os.environ.get("BENCH_SHOW_SQL"):
        for label, by_size in table.items():
            print(f"\n{label} at {last:,}:")
            for q in sorted(by_size[last][3], key=lambda q: -float(q["time"]))[:4]:
                print(f"    {float(q['time']) * 1000:7.1f} ms  {q['sql'][:220]}")
    explain = os.environ.get("BENCH_EXPLAIN")  # a part of a page's label: the plan of its slowest statement
    for label, by_size in table.items():
        if explain and explain in label:
            slowest = max(by_size[last][3], key=lambda q: float(q["time"]))
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + slowest["sql"])
                print(f"\n{label} at {last:,}, slowest statement:\n" + "\n".join(r[0] for r in cursor.fetchall()))
