"""Data for the load test: the demo data plus load accounts, a history of applications and a full queue.

Run by ``tests/bench/test_load.py`` in a subprocess with the production settings of the run:

    python -m tests.bench.load.seed PLAN.json

It writes PLAN.json, which the locustfile reads: the accounts to log in with, the service to apply
for, matter ids and search words. Idempotent enough for a rerun on the same database (accounts are
found by username), but the bench drops and recreates its database anyway.
"""

import json
import os
import sys
import time
import uuid


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.bench.load.settings")
    import django

    django.setup()


SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = ["伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀兰",
         "霞", "平", "刚", "桂英", "建华", "文", "华", "玉兰", "红", "建国", "志强", "晓燕"]
NS = uuid.UUID("2f1c3c8e-6a0b-4d55-8a3e-10ad0000b3c4")
SERVICE = ("律师执业核准", "610100-SFJ")  # the demo's online service at the verifiers' agency


def _name(i: int) -> str:
    return SURNAMES[i % len(SURNAMES)] + GIVEN[(i // len(SURNAMES)) % len(GIVEN)]


def _staff(prefix, count, full_name, role, agency, password_hash):
    from django.contrib.auth.models import Group

    from portal.models import User

    group = Group.objects.get(name=role)
    names = []
    for i in range(1, count + 1):
        username = f"{prefix}{i:02d}"
        user, _created = User.objects.get_or_create(
            username=username, defaults={"full_name": f"{full_name}{i:02d}", "agency": agency, "password": password_hash})
        user.groups.add(group)
        names.append(username)
    return names


def seed(plan_path, *, citizens, verifiers, clerks, tasks, letters_for):
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog import selectors as catalog_selectors
    from commitments import demo as commitments_demo
    from commitments import services as commitments_services
    from commitments.models import Application, Commitment
    from portal import roles
    from portal.models import Agency, Subject, User
    from tests.factories import resident_id
    from verification import services as verification_services
    from verification.models import VerificationTask

    started = time.perf_counter()
    call_command("seed_demo", force=True, quiet_logins=True, stdout=open(os.devnull, "w"))  # noqa: SIM115
    password_hash = User.objects.get(username="13800000001").password  # the demo password, hashed once
    agency = Agency.objects.get(code=SERVICE[1])
    service = commitments_demo._service(*SERVICE)
    clerk = User.objects.get(username="clerk")
    applicant = Group.objects.get(name=roles.APPLICANT)

    accounts = []
    for i in range(1, citizens + 1):
        username, name = f"137{i:08d}", _name(i)
        user = User.objects.filter(username=username).first()
        if user is None:
            with transaction.atomic():
                subject = Subject.objects.create(kind=Subject.Kind.PERSON, name=name, id_number=resident_id(i),
                                                 contact_phone=username)
                user = User.objects.create(username=username, full_name=name, mobile=username, subject=subject,
                                           password=password_hash, identity_method="counter",
                                           identity_verified_at=timezone.now())  # bound, as at the counter
                user.groups.add(applicant)
            # History: one online application each, committed and submitted; two in three accepted.
            with transaction.atomic():
                app, _created = commitments_services.start_online(user=user, service_id=service.pk,
                                                                  token=uuid.uuid5(NS, username))
                commitments_demo._sign_all(app, user)
                commitments_demo._upload_rest(app, user)
                commitments_services.submit(user=user, application_pk=app.pk)
                if i % 3:
                    commitments_services.accept(clerk=clerk, application_pk=app.pk)
        accounts.append({"username": username, "name": name})

    # Letters of the accounts the load test logs in with are stored, as the worker would have done;
    # the rest stay for the beat task (nobody downloads them during the run).
    pending = Commitment.objects.filter(letter_file="", application__applicant_user__username__in=[
        a["username"] for a in accounts[:letters_for]]).values_list("pk", flat=True)
    for pk in pending:
        commitments_services.letter_pdf(pk)

    verification_services.plan_unplanned(limit=100_000)
    planned = VerificationTask.objects.count()
    # A realistic backlog: copies of the planned tasks (origin "report", so the one-plan-per-requirement
    # constraint does not apply), a quarter of them open, due dates spread over three months.
    extra = max(0, tasks - planned)
    if extra and planned:
        # Every column is copied from a planned task (so a field added later needs no change here) except
        # the ones that make the backlog: origin, state, result, due date and conclusion time.
        made = {
            "origin": "'report'",
            "state": "CASE WHEN g % 4 = 0 THEN 'open' ELSE 'concluded' END",
            "result": "CASE WHEN g % 4 = 0 THEN '' ELSE 'true' END",
            "due_date": "CURRENT_DATE + ((g::bigint * 7919) % 90 - 30)::int",
            "concluded_at": "CASE WHEN g % 4 = 0 THEN NULL ELSE now() END",
            "claimed_by_id": "NULL", "concluded_by_id": "NULL", "claimed_at": "NULL", "parent_id": "NULL",
            "conclusion": "''", "evidence": "'[]'::jsonb", "created_at": "now()",
        }
        columns = [f.column for f in VerificationTask._meta.concrete_fields if f.column != "id"]
        select = ", ".join(made.get(c, f't."{c}"') for c in columns).replace("%", "%%")
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO verification_verificationtask ({', '.join(columns)}) SELECT {select} "  # noqa: S608
                "FROM generate_series(1, %s) AS g "
                "JOIN (SELECT *, row_number() OVER (ORDER BY id) - 1 AS k FROM verification_verificationtask) t "
                "ON t.k = g %% %s",
                [extra, planned],
            )
            cur.execute("ANALYZE")

    matters = list(catalog_selectors.public_matters().values_list("pk", "name")[:500])
    words = sorted({name[:2] for _pk, name in matters} | {name[-4:] for _pk, name in matters})
    plan = {
        "password": os.environ.get("DEMO_PASSWORD", "Chengnuo@2026"),
        "service_id": service.pk,
        "citizens": accounts,
        "verifiers": _staff("load_verifier", verifiers, "核查员", roles.VERIFIER, agency, password_hash),
        "clerks": _staff("load_clerk", clerks, "窗口", roles.WINDOW_CLERK, agency, password_hash),
        "matters": [pk for pk, _name in matters],
        "search_words": words,
    }
    with open(plan_path, "w", encoding="utf-8") as fh:
        json.dump(plan, fh, ensure_ascii=False)
    counts = {
        "citizens": len(accounts), "applications": Application.objects.count(),
        "commitments": Commitment.objects.count(), "tasks": VerificationTask.objects.count(),
        "open tasks": VerificationTask.objects.filter(state="open").count(), "matters": len(matters),
    }
    print("seeded " + ", ".join(f"{v:,} {k}" for k, v in counts.items())
          + f" in {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    _setup()
    seed(sys.argv[1], citizens=int(os.environ.get("LOAD_CITIZENS", "300")),
         verifiers=int(os.environ.get("LOAD_VERIFIERS", "6")), clerks=int(os.environ.get("LOAD_CLERKS", "4")),
         tasks=int(os.environ.get("LOAD_TASKS", "20000")), letters_for=int(os.environ.get("LOAD_LETTERS_FOR", "14")))
