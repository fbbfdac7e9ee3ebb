import datetime

import pytest
from django.utils import timezone

from credit import services
from credit.models import DishonestyRecord, Severity
from tests.factories import SubjectFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


class Matter:
    name = "律师执业核准 · 无犯罪记录证明"


def test_subject_without_records_is_eligible_and_level_a(citizen):
    result = services.eligibility(citizen.subject, Matter())
    assert result.allowed and bool(result)
    assert result.reasons == ()
    assert result.level == "A" == services.credit_level(citizen.subject)
    assert result.matter_name == Matter.name


def test_eligibility_works_without_a_matter(citizen):
    assert services.eligibility(citizen.subject).allowed


def test_false_commitment_record_bars_commitment_with_chinese_reasons(citizen, make_record):
    make_record(citizen.subject, severity=Severity.SERIOUS, number="西人社罚〔2026〕7号")
    result = services.eligibility(citizen.subject, Matter())
    assert not result.allowed
    assert any("虚假承诺失信记录（西人社罚〔2026〕7号" in r for r in result.reasons)
    assert any("黑名单" in r for r in result.reasons)
    assert result.level == "D"
    assert result.mandatory_onsite


def test_minor_other_dishonesty_bars_until_it_lapses_and_lowers_level(citizen, make_record):
    record = make_record(citizen.subject, severity=Severity.MINOR, kind=DishonestyRecord.Kind.OTHER)
    result = services.eligibility(citizen.subject)
    assert not result.allowed
    assert result.bars[0].record == record and result.bars[0].can_repair and result.bars[0].can_object
    assert "期满后不再限制" in result.reasons[0]
    assert result.level == "B"
    assert not result.mandatory_onsite


def test_general_other_dishonesty_bars_by_grade(citizen, make_record):
    make_record(citizen.subject, severity=Severity.GENERAL, kind=DishonestyRecord.Kind.OTHER, number="西市监罚〔2026〕3号")
    result = services.eligibility(citizen.subject)
    assert not result.allowed
    assert result.reasons[0].startswith("存在一般失信记录（西市监罚〔2026〕3号，")
    assert result.level == "C"


def test_major_grade_gives_level_c_and_serious_gives_d(citizen, other_citizen, make_record):
    make_record(citizen.subject, severity=Severity.MAJOR, kind=DishonestyRecord.Kind.OTHER)
    make_record(other_citizen.subject, severity=Severity.SERIOUS, kind=DishonestyRecord.Kind.OTHER)
    assert services.credit_level(citizen.subject) == "C"
    assert services.credit_level(other_citizen.subject) == "D"


def test_a_false_commitment_bars_even_when_its_grade_would_not(citizen, make_record):
    record = make_record(citizen.subject, severity=Severity.MINOR)
    assert record.bars_commitment and not record.blacklisted
    assert not services.eligibility(citizen.subject).allowed


def test_record_past_its_period_no_longer_counts_even_before_expiry_runs(citizen, make_record):
    record = make_record(citizen.subject, severity=Severity.MINOR, kind=DishonestyRecord.Kind.OTHER, months_ago=4)
    assert record.status == "active"
    assert services.credit_level(citizen.subject) == "A"
    assert services.eligibility(citizen.subject).allowed


# One test per row of the severity policy: every grade bars; a false commitment bars past its publicity.
@pytest.mark.parametrize("severity", [Severity.MINOR, Severity.GENERAL, Severity.MAJOR, Severity.SERIOUS])
def test_every_grade_of_other_dishonesty_bars_inside_its_period(citizen, make_record, severity):
    make_record(citizen.subject, severity=severity, kind=DishonestyRecord.Kind.OTHER)
    assert not services.eligibility(citizen.subject).allowed


@pytest.mark.parametrize("severity", [Severity.MINOR, Severity.GENERAL, Severity.MAJOR, Severity.SERIOUS])
def test_false_commitment_of_every_grade_bars_after_publicity_until_repaired(citizen, make_record, severity):
    record = make_record(citizen.subject, severity=severity, months_ago=40)
    assert services.expire_records() == 0
    record.refresh_from_db()
    assert record.status == "active" and record.publicity_end < timezone.localdate()
    result = services.eligibility(citizen.subject)
    assert not result.allowed
    assert "在信用修复前不适用告知承诺制" in result.reasons[0] and result.bars[0].can_repair
    assert services.repair_refusal(record) is None


def test_zero_month_grade_bars_until_repaired_not_for_a_single_day(citizen, make_record):
    record = make_record(citizen.subject, severity=Severity.MINOR, kind=DishonestyRecord.Kind.OTHER, months_ago=1,
                         publicity_months=0)
    assert record.publicity_end < timezone.localdate()
    assert services.expire_records() == 0
    assert not services.eligibility(citizen.subject).allowed


def test_extra_check_bars_commitment_with_its_reason(citizen, monkeypatch):
    def national(subject, matter, today):
        return [services.Bar(reason="列入联合惩戒名单。")]

    monkeypatch.setattr(services, "EXTRA_CHECKS", [national])
    result = services.eligibility(citizen.subject)
    assert not result.allowed and result.reasons == ("列入联合惩戒名单。",)


def test_policy_sets_period_repair_date_and_effects(citizen, make_record):
    record = make_record(citizen.subject, severity=Severity.SERIOUS)
    assert record.publicity_months == 36
    assert record.publicity_end == record.decision_date.replace(year=record.decision_date.year + 3)
    assert record.repair_allowed_on == record.decision_date.replace(year=record.decision_date.year + 1)
    assert record.blacklisted and record.mandatory_onsite


def test_publicity_months_outside_the_grade_range_is_refused(citizen, make_record):
    with pytest.raises(services.CreditError) as exc:
        make_record(citizen.subject, severity=Severity.GENERAL, publicity_months=24)
    assert "3 至 12 个月" in exc.value.message
    assert exc.value.field == "publicity_months"


def test_decision_in_the_future_is_refused(citizen, agency):
    with refused("future_date", services.CreditError):
        services.enter_record(
            subject=citizen.subject, kind="other", basis="x", severity="minor", decision_number="1号",
            decision_date=timezone.localdate() + datetime.timedelta(days=1), deciding_agency=agency, facts="x",
        )


def test_record_false_commitment_is_idempotent_per_commitment(citizen, agency):
    decision = {"number": "西司罚〔2026〕1号", "date": timezone.localdate(), "agency": agency, "facts": "无犯罪记录承诺不实"}
    first = services.record_false_commitment(citizen.subject, "CN-2026-00042", Severity.SERIOUS, decision)
    again = services.record_false_commitment(citizen.subject, "CN-2026-00042", Severity.SERIOUS, decision)
    assert first.pk == again.pk
    assert DishonestyRecord.objects.count() == 1
    assert first.pushes.count() == 1


def test_record_false_commitment_accepts_a_decision_object(agency):
    subject = SubjectFactory()

    class Decision:
        number, date, facts = "西司罚〔2026〕2号", timezone.localdate(), "学历证明承诺不实"

    Decision.agency = agency
    record = services.record_false_commitment(subject, "CN-X-1", Severity.GENERAL, Decision())
    assert record.kind == "false_commitment" and record.severity == "general"
    assert record.pushes.get().event == "create"


def test_commitment_outcomes_fill_the_integrity_file(citizen):
    from credit import selectors

    services.record_commitment_outcome(citizen.subject, "CN-1", kept=True)
    services.record_commitment_outcome(citizen.subject, "CN-1", kept=True)
    services.record_commitment_outcome(citizen.subject, "CN-2", kept=False)
    file = selectors.integrity_file(citizen.subject)
    assert (file.kept, file.broken) == (1, 1)
