"""Repair, objection, revoke and expiry: each transition allowed and refused, with the audit trail."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from credit import services
from credit.models import CreditRepair, DishonestyRecord, Objection, Severity
from portal import workdays
from portal.models import AuditEvent
from tests.credit.conftest import pdf_upload
from tests.refusals import refused

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(citizen, make_record):
    return make_record(citizen.subject, severity=Severity.SERIOUS, months_ago=13)


def apply(record, citizen, **kw):
    return services.apply_for_repair(record=record, applicant=citizen, rectification="已整改", uploads=[pdf_upload()], **kw)


def test_status_field_is_protected_from_direct_assignment(record):
    with pytest.raises(AttributeError):
        record.status = "revoked"


def test_repair_has_a_working_day_deadline_and_approval_restores_eligibility(record, citizen, credit_officer):
    repair = apply(record, citizen)
    assert repair.due_on == workdays.add_workdays(timezone.localdate(), 10)
    assert not services.eligibility(citizen.subject).allowed
    services.decide_repair(repair, officer=credit_officer, approve=True)
    record.refresh_from_db()
    repair.refresh_from_db()
    assert record.status == "repaired" and record.ended_on == timezone.localdate()
    assert repair.status == "approved" and repair.decided_by == credit_officer
    assert services.eligibility(citizen.subject).allowed
    assert services.credit_level(citizen.subject) == "A"
    assert DishonestyRecord.objects.filter(pk=record.pk).exists()  # kept as history
    assert [p.event for p in record.pushes.order_by("pk")] == ["create", "repair"]
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"credit.repair.submitted", "credit.repair.decided", "credit.record.repaired"} <= actions


def test_repair_refusal_needs_reasons_and_keeps_the_record(record, citizen, credit_officer):
    repair = apply(record, citizen)
    with refused("reason_required", services.CreditError):
        services.decide_repair(repair, officer=credit_officer, approve=False, reason=" ")
    services.decide_repair(repair, officer=credit_officer, approve=False, reason="整改材料不足以证明已纠正失信行为")
    record.refresh_from_db()
    assert record.status == "active"
    assert CreditRepair.objects.get().status == "refused"
    apply(record, citizen)  # may apply again after a refusal


def test_repair_cannot_be_decided_twice(record, citizen, credit_officer):
    repair = apply(record, citizen)
    services.decide_repair(repair, officer=credit_officer, approve=True)
    with refused("stale", services.CreditError):
        services.decide_repair(repair, officer=credit_officer, approve=False, reason="晚了")


def test_stale_copy_of_a_repair_cannot_overwrite_a_decision(record, citizen, credit_officer):
    repair = apply(record, citizen)
    stale = CreditRepair.objects.get(pk=repair.pk)
    services.decide_repair(repair, officer=credit_officer, approve=True)
    stale.refuse(credit_officer, timezone.now(), "并发")
    from django_fsm import ConcurrentTransition

    with pytest.raises(ConcurrentTransition):
        with transaction.atomic():
            stale.save()


def test_repair_too_early_is_refused_with_the_date(citizen, make_record):
    record = make_record(citizen.subject, severity=Severity.SERIOUS, months_ago=2)
    with pytest.raises(services.CreditError) as exc:
        apply(record, citizen)
    assert "按严重失信的规定，须自" in exc.value.message and "起方可申请信用修复" in exc.value.message


def test_second_open_repair_is_refused(record, citizen):
    apply(record, citizen)
    with refused("repair_not_allowed", services.CreditError, match="已有待审核"):
        apply(record, citizen)


def test_database_refuses_two_open_repairs_for_one_record(record, citizen):
    apply(record, citizen)
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRepair.objects.create(record=record, applicant=citizen, rectification="x", commitment_text="y",
                                    due_on=timezone.localdate())


def test_repair_within_a_year_of_a_previous_repair_is_refused(citizen, credit_officer, make_record):
    first = make_record(citizen.subject, severity=Severity.GENERAL, kind="other", months_ago=7)
    second = make_record(citizen.subject, severity=Severity.GENERAL, kind="other", months_ago=7)
    services.decide_repair(apply(first, citizen), officer=credit_officer, approve=True)
    with pytest.raises(services.CreditError) as exc:
        apply(second, citizen)
    assert "12个月内不得再次申请" in exc.value.message


def test_repair_of_someone_elses_record_is_refused(record, other_citizen):
    with refused("not_own_record", services.CreditError):
        apply(record, other_citizen)


def test_repair_is_refused_while_under_objection_and_for_ended_records(record, citizen, credit_officer):
    objection = services.raise_objection(record=record, applicant=citizen, reasons="事实有误")
    with refused("repair_not_allowed", services.CreditError, match="异议处理中"):
        apply(record, citizen)
    services.decide_objection(objection, officer=credit_officer, outcome="revoked", reason="认定依据不足")
    with refused("repair_not_allowed", services.CreditError, match="不再产生影响"):
        apply(record, citizen)


def test_objection_marks_the_record_and_maintained_returns_it_to_active(record, citizen, credit_officer):
    objection = services.raise_objection(record=record, applicant=citizen, reasons="事实有误")
    record.refresh_from_db()
    assert record.status == "under_objection"
    assert objection.due_on == workdays.add_workdays(timezone.localdate(), 10)
    assert not services.eligibility(citizen.subject).allowed  # still in effect while handled
    services.decide_objection(objection, officer=credit_officer, outcome="maintained", reason="事实清楚，证据充分")
    record.refresh_from_db()
    assert record.status == "active"
    assert Objection.objects.get().status == "maintained"
    assert [p.event for p in record.pushes.all()] == ["create"]


def test_second_objection_while_one_is_open_is_refused(record, citizen):
    services.raise_objection(record=record, applicant=citizen, reasons="事实有误")
    with refused("objection_pending", services.CreditError):
        services.raise_objection(record=record, applicant=citizen, reasons="再次")


def test_objection_revoked_ends_the_record_and_pushes(record, citizen, credit_officer):
    objection = services.raise_objection(record=record, applicant=citizen, reasons="事实有误")
    services.decide_objection(objection, officer=credit_officer, outcome="revoked", reason="认定依据不足")
    record.refresh_from_db()
    assert record.status == "revoked" and not record.is_blacklist_entry
    assert services.eligibility(citizen.subject).allowed
    assert record.pushes.order_by("-pk").first().event == "revoke"


def test_objection_corrected_reapplies_the_policy(citizen, credit_officer, make_record):
    record = make_record(citizen.subject, severity=Severity.SERIOUS)
    objection = services.raise_objection(record=record, applicant=citizen, reasons="情节较轻")
    services.decide_objection(objection, officer=credit_officer, outcome="corrected", reason="改为一般失信",
                              severity=Severity.GENERAL, facts="更正后的事实")
    record.refresh_from_db()
    assert record.status == "active" and record.severity == "general"
    assert record.publicity_months == 6 and not record.blacklisted
    assert record.facts == "更正后的事实"
    assert record.pushes.order_by("-pk").first().event == "correct"
    assert services.credit_level(citizen.subject) == "C"


def test_objection_outcome_needs_a_reason_and_a_valid_choice(record, citizen, credit_officer):
    objection = services.raise_objection(record=record, applicant=citizen, reasons="x")
    with pytest.raises(services.CreditError):
        services.decide_objection(objection, officer=credit_officer, outcome="maintained", reason="")
    with pytest.raises(services.CreditError):
        services.decide_objection(objection, officer=credit_officer, outcome="ignored", reason="x")


def test_objection_on_an_ended_record_is_refused(record, citizen, credit_officer):
    services.revoke_record(record, officer=credit_officer, reason="复议撤销")
    with refused("no_longer_effective", services.CreditError):
        services.raise_objection(record=record, applicant=citizen, reasons="x")


def test_revoke_refused_while_an_objection_is_open(record, citizen, credit_officer):
    services.raise_objection(record=record, applicant=citizen, reasons="x")
    with refused("under_objection", services.CreditError):
        services.revoke_record(record, officer=credit_officer, reason="x")


def test_expire_ends_records_after_their_period_and_is_idempotent(citizen, make_record):
    old = make_record(citizen.subject, severity=Severity.MINOR, kind="other", months_ago=4)
    current = make_record(citizen.subject, severity=Severity.SERIOUS, months_ago=1)
    assert services.expire_records() == 1
    assert services.expire_records() == 0
    old.refresh_from_db()
    current.refresh_from_db()
    assert old.status == "expired" and old.ended_on == timezone.localdate()
    assert current.status == "active"
    assert old.pushes.order_by("-pk").first().event == "expire"


def test_expire_transition_is_refused_before_the_period_ends(record):
    with pytest.raises(TransitionNotAllowed):
        record.expire(on=timezone.localdate())


def test_a_record_under_objection_expires_after_the_objection_is_maintained(citizen, credit_officer, make_record):
    record = make_record(citizen.subject, severity=Severity.MINOR, kind="other", months_ago=2)
    objection = services.raise_objection(record=record, applicant=citizen, reasons="x")
    later = record.publicity_end + datetime.timedelta(days=1)
    assert services.expire_records(today=later) == 0
    services.decide_objection(objection, officer=credit_officer, outcome="maintained", reason="维持")
    assert services.expire_records(today=later) == 1


def test_overdue_repairs_and_objections_are_flagged_once(record, citizen, make_record):
    repair = apply(record, citizen)
    other = make_record(citizen.subject, severity=Severity.GENERAL, kind="other")
    objection = services.raise_objection(record=other, applicant=citizen, reasons="x")
    assert services.flag_overdue(today=repair.due_on) == 0
    later = max(repair.due_on, objection.due_on) + datetime.timedelta(days=1)
    assert services.flag_overdue(today=later) == 2
    assert services.flag_overdue(today=later) == 0
    assert CreditRepair.objects.get().overdue and Objection.objects.get().overdue
    assert AuditEvent.objects.filter(action="credit.overdue").count() == 2


def test_officer_queue_is_sorted_by_deadline(record, citizen, credit_officer, make_record):
    from credit import selectors

    late = apply(record, citizen)
    CreditRepair.objects.filter(pk=late.pk).update(due_on=timezone.localdate() + datetime.timedelta(days=30))
    other = make_record(citizen.subject, severity=Severity.GENERAL, kind="other", months_ago=7)
    soon = services.apply_for_repair(record=other, applicant=citizen, rectification="x", uploads=[pdf_upload()])
    assert [r.pk for r in selectors.repair_queue(credit_officer)] == [soon.pk, late.pk]


def test_database_requires_a_reason_for_a_refused_repair(record, citizen):
    with pytest.raises(IntegrityError), transaction.atomic():
        CreditRepair.objects.create(record=record, applicant=citizen, rectification="x", commitment_text="y",
                                    due_on=timezone.localdate(), status="refused", decided_at=timezone.now())


def test_database_requires_a_commitment_ref_for_false_commitments(citizen, agency):
    today = timezone.localdate()
    with pytest.raises(IntegrityError), transaction.atomic():
        DishonestyRecord.objects.create(
            subject=citizen.subject, kind="false_commitment", severity="minor", decision_number="1", decision_date=today,
            deciding_agency=agency, facts="x", publicity_months=1, publicity_end=today, repair_allowed_on=today,
            bars_commitment=True, mandatory_onsite=False, blacklisted=False,
        )
