import datetime

import pytest
from django.http import Http404

from commitments.models import Application, Commitment
from credit.models import DishonestyRecord
from portal.models import AuditEvent
from tests.refusals import refused
from verification import services
from verification.models import Disposition, VerificationError, VerificationTask

pytestmark = pytest.mark.django_db

FALSE = {"terminate": True, "severity": "general", "decision_number": "西人社核〔2026〕7号",
         "legal_basis": "《中华人民共和国行政许可法》第六十九条", "document_number": "西人社处〔2026〕7号"}


def test_claim_moves_an_open_task_to_the_verifier_and_is_audited(task, verifier):
    claimed = services.claim(user=verifier, task_id=task.pk)
    assert claimed.state == "claimed" and claimed.claimed_by == verifier
    assert AuditEvent.objects.filter(action="verification.task.claimed", object_id=str(task.pk)).exists()


def test_a_claimed_task_cannot_be_claimed_again(claimed, agency):
    from portal import roles
    from tests.factories import StaffFactory

    colleague = StaffFactory(agency=agency, roles=[roles.VERIFIER])
    with refused("already_claimed", VerificationError):
        services.claim(user=colleague, task_id=claimed.pk)


def test_another_agencys_verifier_cannot_claim(task, other_agency_verifier):
    with pytest.raises(Http404):
        services.claim(user=other_agency_verifier, task_id=task.pk)


def test_non_verifiers_cannot_claim(task, clerk):
    with pytest.raises(VerificationError):
        services.claim(user=clerk, task_id=task.pk)


def test_release_returns_the_task_to_the_queue_only_for_its_holder(claimed, verifier, agency):
    from portal import roles
    from tests.factories import StaffFactory

    colleague = StaffFactory(agency=agency, roles=[roles.VERIFIER])
    with pytest.raises(VerificationError):
        services.release(user=colleague, task_id=claimed.pk)
    released = services.release(user=verifier, task_id=claimed.pk)
    assert released.state == "open" and released.claimed_by is None


def test_claim_next_takes_the_earliest_due_open_task(planned, verifier):
    first = VerificationTask.objects.filter(application=planned).order_by("due_date", "pk").first()
    got = services.claim_next(user=verifier)
    assert got.pk == first.pk
    assert VerificationTask.objects.get(pk=first.pk).claimed_by == verifier


def test_claim_next_is_audited_under_the_tasks_agency_and_leaves_nothing_for_an_empty_queue(planned, verifier,
                                                                                               django_assert_max_num_queries):
    from portal.models import AuditEvent

    open_tasks = VerificationTask.objects.filter(application=planned, state="open").count()
    # PostgreSQL: the claim (one UPDATE … RETURNING), a stripe with its chain's last row, the audit line
    with django_assert_max_num_queries(8):
        got = services.claim_next(user=verifier)
    line = AuditEvent.objects.filter(action="verification.task.claimed").last()
    assert line.object_id == str(got.pk) and line.agency_id == got.agency_id == verifier.agency_id
    for _ in range(open_tasks - 1):
        assert services.claim_next(user=verifier) is not None
    assert services.claim_next(user=verifier) is None


def test_concluding_true_marks_the_commitment_verified(claimed, verifier):
    task = services.conclude(user=verifier, task_id=claimed.pk, result="true", conclusion="数据共享核查一致。")
    assert task.state == "concluded" and task.result == "true"
    assert Commitment.objects.get(pk=task.commitment_id).state == "verified"


def test_concluding_needs_a_result_and_a_reason(claimed, verifier):
    with pytest.raises(VerificationError) as exc:
        services.conclude(user=verifier, task_id=claimed.pk, result="true", conclusion=" ")
    assert exc.value.field == "conclusion"
    with pytest.raises(VerificationError) as exc:
        services.conclude(user=verifier, task_id=claimed.pk, result="maybe", conclusion="x")
    assert exc.value.field == "result"


def test_only_the_holder_concludes(claimed, agency):
    from portal import roles
    from tests.factories import StaffFactory

    colleague = StaffFactory(agency=agency, roles=[roles.VERIFIER])
    with refused("forbidden", VerificationError):
        services.conclude(user=colleague, task_id=claimed.pk, result="true", conclusion="x")


def test_open_task_must_be_claimed_before_concluding(task, verifier):
    with refused("not_claimed", VerificationError):
        services.conclude(user=verifier, task_id=task.pk, result="true", conclusion="x")


def test_false_needs_a_disposition(claimed, verifier):
    with pytest.raises(VerificationError) as exc:
        services.conclude(user=verifier, task_id=claimed.pk, result="false", conclusion="不符", disposition={})
    assert exc.value.field == "terminate"
    assert VerificationTask.objects.get(pk=claimed.pk).state == "claimed"


def test_false_terminates_the_application_records_credit_and_tells_the_applicant_in_one_go(claimed, verifier):
    task = services.conclude(user=verifier, task_id=claimed.pk, result="false", conclusion="户籍系统查无此人。",
                             disposition={**FALSE, "rectify": True, "rectify_days": 10, "refer_judicial": True,
                                         "referral_organ": "西安市公安局", "referral_date": datetime.date(2026, 1, 5),
                                         "referral_number": "西人社移〔2026〕2号"})
    assert Application.objects.get(pk=task.application_id).state == "terminated"
    commitment = Commitment.objects.get(pk=task.commitment_id)
    assert commitment.state == "found_false"
    record = DishonestyRecord.objects.get(commitment_ref=commitment.letter_number)
    assert record.kind == "false_commitment" and record.severity == "general"
    disposition = Disposition.objects.get(task=task)
    assert disposition.credit_record_id == record.pk and disposition.refer_judicial
    follow_up = VerificationTask.objects.get(parent=task)
    assert follow_up.origin == "rectification" and follow_up.due_date == disposition.rectify_due
    assert AuditEvent.objects.filter(action="verification.applicant_notified", object_id=str(task.application_id)).exists()


def test_revoke_is_refused_before_a_decision_and_nothing_changes(claimed, verifier):
    with pytest.raises(VerificationError) as exc:
        services.conclude(user=verifier, task_id=claimed.pk, result="false", conclusion="不符",
                          disposition={**FALSE, "terminate": False, "revoke": True})
    assert exc.value.field == "revoke"
    assert VerificationTask.objects.get(pk=claimed.pk).state == "claimed"
    assert not DishonestyRecord.objects.exists()


def test_false_after_approval_revokes_the_decision(claimed, verifier, clerk):
    from commitments import services as commitments

    commitments.approve(clerk=clerk, application_pk=claimed.application_id, decision_number="西司律准〔2026〕3号")
    services.conclude(user=verifier, task_id=claimed.pk, result="false", conclusion="不符",
                      disposition={**FALSE, "terminate": False, "revoke": True, "penalty": True,
                                   "penalty_note": "警告"})
    assert Application.objects.get(pk=claimed.application_id).state == "revoked"


def test_unverifiable_leaves_the_commitment_signed(claimed, verifier):
    services.conclude(user=verifier, task_id=claimed.pk, result="unverifiable", conclusion="数据源无记录，协查未果。")
    assert Commitment.objects.get(pk=claimed.commitment_id).state == "signed"


def test_constraint_refuses_a_concluded_task_without_result(task):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        VerificationTask.objects.filter(pk=task.pk).update(state="concluded")
