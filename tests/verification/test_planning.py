import datetime

import pytest
from django.utils import timezone

from commitments.models import Commitment
from credit import services as credit
from credit.models import Severity
from portal import workdays
from tests.factories import CitizenFactory
from verification import services, tasks
from verification.models import SpotCheckPoolEntry, VerificationPlan, VerificationPolicy, VerificationTask

from .factories import accepted_application

pytestmark = pytest.mark.django_db


def test_level_a_with_full_ratio_gets_a_task_per_checked_matter_and_exempt_matter_joins_the_pool(accepted, always_verify):
    plan = services.plan_application(accepted.pk)
    assert plan.credit_level == "A"
    methods = dict(VerificationTask.objects.filter(application=accepted).values_list("matter__name", "method"))
    assert methods == {"无犯罪记录证明": "data_sharing", "完全民事行为能力证明": "assistance", "执业场所使用证明": "on_site"}
    pooled = SpotCheckPoolEntry.objects.get(application=accepted)
    assert pooled.matter.name == "学历证明" and pooled.path == "commitment"
    assert Commitment.objects.get(pk=pooled.commitment_id).state == "exempted"
    assert (plan.tasks_created, plan.pooled) == (3, 1)


def test_task_due_date_counts_the_matters_working_days_from_acceptance(planned):
    t = VerificationTask.objects.get(application=planned, method="data_sharing")
    assert t.due_date == workdays.add_workdays(timezone.localdate(planned.accepted_at), 10)


def test_task_due_date_starts_from_the_beijing_day_of_acceptance_not_the_utc_day(always_verify, accepted):
    # 16:30 UTC on Thursday 17 December is 00:30 on Friday in Beijing: ten working days from Friday run
    # past New Year's Day into January; from Thursday they would end on 31 December.
    accepted.accepted_at = datetime.datetime(2026, 12, 17, 16, 30, tzinfo=datetime.UTC)
    accepted.save(update_fields=["accepted_at"])
    services.plan_application(accepted.pk)
    t = VerificationTask.objects.get(application=accepted, method="data_sharing")
    assert t.due_date == workdays.add_workdays(datetime.date(2026, 12, 18), 10) == datetime.date(2027, 1, 4)


def test_level_a_at_zero_ratio_pools_everything_and_verifies_nothing(accepted):
    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)
    services.plan_application(accepted.pk)
    assert not VerificationTask.objects.filter(application=accepted).exists()
    assert SpotCheckPoolEntry.objects.filter(application=accepted).count() == 4
    states = dict(Commitment.objects.filter(application=accepted).values_list("matter__name", "state"))
    # Only the matter that is itself exempt is 免予核查; being left in the pool is internal (stays signed).
    assert states == {"学历证明": "exempted", "无犯罪记录证明": "signed", "完全民事行为能力证明": "signed",
                      "执业场所使用证明": "signed"}


def test_level_c_is_always_checked_on_site_even_for_exempt_matters(service, clerk, agency, citizen):
    application = accepted_application(service, clerk, citizen)
    credit.enter_record(subject=citizen.subject, kind="other", severity=Severity.GENERAL, decision_number="西市监罚〔2026〕1号",
                        decision_date=datetime.date.today(), deciding_agency=agency, facts="未按期年报", basis="《企业信息公示暂行条例》第八条")
    assert credit.credit_level(citizen.subject) == "C"
    services.plan_application(application.pk)
    tasks_ = VerificationTask.objects.filter(application=application)
    assert tasks_.count() == 4 and set(tasks_.values_list("method", flat=True)) == {"on_site"}
    assert set(tasks_.values_list("credit_level", flat=True)) == {"C"}


def test_sampling_is_stable_per_commitment_so_a_ratio_splits_and_never_changes():
    keys = [f"CN-2026-{i:06d}" for i in range(2000)]
    hits = sum(services.sampled(k, 20) for k in keys)
    assert 300 < hits < 500
    assert [services.sampled(k, 20) for k in keys[:50]] == [services.sampled(k, 20) for k in keys[:50]]


def test_proof_path_requirements_join_the_pool_too(service, clerk, always_verify):
    application = accepted_application(service, clerk, commit={"无犯罪记录证明"})
    services.plan_application(application.pk)
    assert VerificationTask.objects.filter(application=application).count() == 1
    paths = list(SpotCheckPoolEntry.objects.filter(application=application).values_list("path", flat=True))
    assert sorted(paths) == ["proof", "proof", "proof"]


def test_planning_twice_creates_nothing_new(accepted, always_verify):
    first = services.plan_application(accepted.pk)
    again = services.plan_application(accepted.pk)
    assert first.pk == again.pk
    assert VerificationTask.objects.filter(application=accepted).count() == 3
    assert VerificationPlan.objects.count() == 1


def test_plan_task_registered_by_fixed_name_plans_through_celery(accepted, always_verify):
    from chengnuo.celery import app

    assert "verification.plan_application" in app.tasks
    result = app.tasks["verification.plan_application"].apply(args=[accepted.pk])
    assert result.get() == VerificationPlan.objects.get(application=accepted).pk
    assert tasks.plan_application.apply(args=[accepted.pk]).get() == result.get()


def test_unaccepted_applications_are_not_planned(service, citizen):
    import uuid

    from commitments import services as commitments

    application, _ = commitments.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    assert services.plan_application(application.pk) is None
    assert services.plan_application(999999) is None


def test_safety_net_plans_accepted_applications_without_a_plan(service, clerk, always_verify):
    a = accepted_application(service, clerk)
    b = accepted_application(service, clerk, CitizenFactory())
    services.plan_application(a.pk)
    assert services.plan_unplanned() == 1
    assert VerificationPlan.objects.filter(application=b).exists()
    assert services.plan_unplanned() == 0
