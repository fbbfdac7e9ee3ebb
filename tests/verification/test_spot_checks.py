import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from portal import roles
from tests.factories import CitizenFactory, StaffFactory
from verification import services
from verification.models import (
    SpotCheckItem,
    SpotCheckPlan,
    SpotCheckPoolEntry,
    SpotCheckRun,
    VerificationPolicy,
)

from .factories import accepted_application

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 11, 27)


@pytest.fixture
def pool(service, clerk):
    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)
    apps = [accepted_application(service, clerk, CitizenFactory()) for _ in range(5)]
    for a in apps:
        services.plan_application(a.pk)
    assert SpotCheckPoolEntry.objects.count() == 20
    return apps


@pytest.fixture
def inspectors(agency):
    return [StaffFactory(agency=agency, roles=[roles.INSPECTOR]) for _ in range(4)]


@pytest.fixture
def plan(agency, inspectors):
    plan = SpotCheckPlan.objects.create(name="律师执业核准事后抽查", owner=agency, ratio_permille=200, minimum=1)
    plan.agencies.set([agency])
    plan.inspectors.set(inspectors)
    return plan


def test_a_period_is_drawn_exactly_once(pool, plan):
    run = services.run_spot_check(plan.pk, today=TODAY)
    again = services.run_spot_check(plan.pk, today=TODAY + datetime.timedelta(days=1))
    assert run.pk == again.pk and run.period == "2026-11"
    assert SpotCheckRun.objects.count() == 1
    assert (run.pool_size, run.sample_size) == (20, 4)
    with pytest.raises(IntegrityError), transaction.atomic():
        SpotCheckRun.objects.create(plan=plan, period="2026-11", seed=1, pool_max_id=1, pool_size=1, sample_size=1)


def test_next_period_makes_a_new_run(pool, plan):
    services.run_spot_check(plan.pk, today=TODAY)
    services.run_spot_check(plan.pk, today=datetime.date(2026, 12, 1))
    assert list(SpotCheckRun.objects.order_by("period").values_list("period", flat=True)) == ["2026-11", "2026-12"]


def test_the_draw_is_reproducible_from_the_stored_seed(pool, plan):
    run = services.run_spot_check(plan.pk, today=TODAY)
    drawn = list(SpotCheckItem.objects.filter(run=run).order_by("pk").values_list("entry_id", flat=True))
    assert services.redraw(run) == drawn
    # more pool rows after the draw do not change the replay
    services.plan_application(accepted_application(plan.agencies.first().administrative_services.first(),
                                                   StaffFactory(agency=plan.owner, roles=[roles.WINDOW_CLERK]),
                                                   CitizenFactory()).pk)
    assert services.redraw(run) == drawn


def test_large_pools_are_probed_by_random_keys_without_order_by_random(pool, plan, monkeypatch,
                                                                        django_capture_on_commit_callbacks):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from verification import selectors

    monkeypatch.setattr(services.spot_checks, "SMALL_POOL", 0)
    qs = selectors.pool(plan)
    max_id = max(qs.values_list("pk", flat=True))
    with CaptureQueriesContext(connection) as ctx:
        ids = services.draw(qs, 42, max_id, 5)
    assert len(set(ids)) == 5 and set(ids) <= set(qs.values_list("pk", flat=True))
    assert ids == services.draw(qs, 42, max_id, 5)
    assert not any("RANDOM()" in q["sql"].upper() for q in ctx.captured_queries)


def test_each_drawn_subject_gets_two_random_inspectors_never_its_own_handler(pool, plan, inspectors, clerk):
    plan.inspectors.add(clerk)  # the clerk filed none of these online applications, so may inspect
    run = services.run_spot_check(plan.pk, today=TODAY)
    for item in run.items.select_related("task"):
        inspection = item.task.inspections.get()
        assert inspection.inspectors.count() == 2
        assert item.task.origin == "spot_check" and item.task.method == "on_site"


def test_handlers_are_excluded_and_too_few_inspectors_is_noted(pool, agency, verifier):
    plan = SpotCheckPlan.objects.create(name="小计划", owner=agency, ratio_permille=1000, minimum=1)
    plan.agencies.set([agency])
    other = StaffFactory(agency=agency, roles=[roles.INSPECTOR])
    plan.inspectors.set([verifier, other])
    # the verifier worked a task of the first subject
    from verification.models import VerificationTask

    entry = SpotCheckPoolEntry.objects.order_by("pk").first()
    VerificationTask.objects.create(agency=agency, application=entry.application, requirement=entry.requirement,
                                    subject=entry.subject, matter=entry.matter, method="data_sharing", origin="report",
                                    due_date=TODAY, state="claimed", claimed_by=verifier)
    run = services.run_spot_check(plan.pk, today=TODAY)
    blocked = run.items.filter(entry__subject=entry.subject)
    assert blocked.exists() and all(i.task_id is None and "回避" in i.note for i in blocked)


def test_plan_needs_two_inspectors_per_check(agency):
    with pytest.raises(IntegrityError), transaction.atomic():
        SpotCheckPlan.objects.create(name="x", owner=agency, inspectors_per_check=1)


def test_results_are_published_when_all_checks_conclude_without_personal_data(client, pool, plan, verifier):
    run = services.run_spot_check(plan.pk, today=TODAY)
    assert services.publish_ready_runs() == 0
    assert client.get(reverse("verification:spot_check", args=[run.pk])).status_code == 404
    for item in run.items.select_related("task"):
        services.claim(user=verifier, task_id=item.task_id)
        services.conclude(user=verifier, task_id=item.task_id, result="true", conclusion="现场检查无异常。")
    run.refresh_from_db()
    assert run.published_at is not None
    listing = client.get(reverse("verification:spot_checks")).content.decode()
    assert "律师执业核准事后抽查" in listing
    page = client.get(reverse("verification:spot_check", args=[run.pk])).content.decode()
    assert "自然人（不公开姓名）" in page and "承诺属实" in page
    for item in run.items.select_related("entry__subject"):
        assert item.entry.subject.name not in page and item.entry.subject.id_masked not in page


def test_public_pages_need_no_login_and_few_queries(client, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        assert client.get(reverse("verification:spot_checks")).status_code == 200


def test_non_discrimination_report_compares_paths(pool, plan, service, clerk):
    from verification import selectors

    accepted_application(service, clerk, CitizenFactory(), commit=set())
    services.run_spot_check(plan.pk, today=TODAY)
    rows = {r["matter"]: r for r in selectors.non_discrimination()}
    assert set(rows) == {"无犯罪记录证明", "完全民事行为能力证明", "执业场所使用证明", "学历证明"}
    assert sum(r["commit"] for r in rows.values()) == 20 and sum(r["proof"] for r in rows.values()) == 4
    assert sum(r["commit_inspected"] + r["proof_inspected"] for r in rows.values()) == 4


@pytest.fixture
def full_plan(agency, inspectors):
    plan = SpotCheckPlan.objects.create(name="全量抽查", owner=agency, ratio_permille=1000, minimum=1)
    plan.agencies.set([agency])
    plan.inspectors.set(inspectors)
    return plan


def test_a_drawn_commitment_with_an_open_report_task_joins_it_instead_of_a_second_task(pool, full_plan, verifier):
    from verification import selectors
    from verification.models import VerificationTask

    entry = SpotCheckPoolEntry.objects.filter(commitment__isnull=False).order_by("pk").first()
    report = services.open_task_for_report(entry.commitment, "群众举报承诺不实")
    run = services.run_spot_check(full_plan.pk, today=TODAY)
    tasks = VerificationTask.objects.filter(commitment=entry.commitment)
    assert list(tasks) == [report]
    item = run.items.get(entry=entry)
    assert item.task_id == report.pk and "并入" in item.note
    # the report's outcome is the sample's outcome
    services.claim(user=verifier, task_id=report.pk)
    services.conclude(user=verifier, task_id=report.pk, result="true", conclusion="经核查属实。")
    page = selectors.public_items(run)
    assert any(r["result_code"] == "true" and "并入" in r["note"] for r in page)


def test_a_drawn_commitment_already_found_false_is_answered_with_that_outcome(pool, full_plan, verifier):
    from verification.models import VerificationTask

    entry = SpotCheckPoolEntry.objects.filter(commitment__isnull=False).order_by("pk").first()
    report = services.open_task_for_report(entry.commitment, "群众举报承诺不实")
    services.claim(user=verifier, task_id=report.pk)
    services.conclude(user=verifier, task_id=report.pk, result="false", conclusion="与事实不符。", disposition={
        "terminate": True, "severity": "general", "decision_number": "西司核〔2026〕77号",
        "legal_basis": "《中华人民共和国行政许可法》第六十九条", "document_number": "西司终〔2026〕77号"})
    run = services.run_spot_check(full_plan.pk, today=TODAY)
    assert VerificationTask.objects.filter(commitment=entry.commitment).count() == 1
    item = run.items.get(entry=entry)
    assert item.task_id == report.pk and "已有核查结论" in item.note
    others = run.items.exclude(entry=entry)
    assert others.count() == 19 and all(i.task.origin == "spot_check" for i in others.select_related("task"))
