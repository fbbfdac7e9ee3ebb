"""§二(五) consequences of a false finding, by the case's state, and 一诺一果 (one outcome per commitment)."""

import datetime

import pytest

from commitments import services as commitments
from commitments.models import Application, Commitment, CommitmentsError
from credit.models import CommitmentOutcome, DishonestyRecord
from tests.refusals import refused
from verification import services
from verification.models import (
    Disposition,
    TaskOrigin,
    VerificationError,
    VerificationPolicy,
    VerificationTask,
)

pytestmark = pytest.mark.django_db

BASE = {"severity": "general", "decision_number": "西人社核〔2026〕11号", "legal_basis": "《中华人民共和国行政许可法》第六十九条",
        "document_number": "西人社处〔2026〕11号"}
REFER = {"refer_judicial": True, "referral_organ": "西安市公安局雁塔分局", "referral_date": datetime.date(2026, 1, 5),
         "referral_number": "西人社移〔2026〕1号"}


def _false(task, verifier, **choice):
    return services.conclude(user=verifier, task_id=task.pk, result="false", conclusion="与事实不符",
                             disposition={**BASE, **choice})


@pytest.mark.parametrize("choice", [{"terminate": True}, {"rectify": True, "rectify_days": 5},
                                    {"penalty": True, "penalty_note": "警告"}, REFER])
def test_every_disposition_allowed_before_the_decision_is_recorded(claimed, verifier, choice):
    _false(claimed, verifier, **choice)
    disposition = Disposition.objects.get(task=claimed)
    assert all(getattr(disposition, key) for key in choice if key not in ("rectify_days", "penalty_note"))


def test_revoke_before_the_decision_is_refused_naming_the_allowed_ones(claimed, verifier):
    with pytest.raises(VerificationError) as exc:
        _false(claimed, verifier, revoke=True)
    assert exc.value.field == "revoke"
    assert "终止办理" in exc.value.message and "责令限期整改" in exc.value.message
    assert VerificationTask.objects.get(pk=claimed.pk).state == "claimed"
    assert not DishonestyRecord.objects.exists() and not CommitmentOutcome.objects.exists()


@pytest.mark.parametrize("choice", [{"revoke": True}, {"penalty": True, "penalty_note": "罚款"},
                                    REFER])
def test_every_disposition_allowed_after_approval_is_recorded(claimed, verifier, clerk, choice):
    commitments.approve(clerk=clerk, application_pk=claimed.application_id, decision_number="西准〔2026〕1号")
    _false(claimed, verifier, **choice)
    assert Disposition.objects.filter(task=claimed).exists()


@pytest.mark.parametrize("key,extra", [("terminate", {}), ("rectify", {"rectify_days": 5})])
def test_terminate_or_rectify_after_approval_is_refused_naming_revoke(claimed, verifier, clerk, key, extra):
    commitments.approve(clerk=clerk, application_pk=claimed.application_id, decision_number="西准〔2026〕1号")
    with pytest.raises(VerificationError) as exc:
        _false(claimed, verifier, **{key: True}, **extra)
    assert exc.value.field == key and "撤销行政决定" in exc.value.message
    assert Application.objects.get(pk=claimed.application_id).state == "approved"


def test_approval_after_a_false_finding_is_refused(claimed, verifier, clerk):
    _false(claimed, verifier, penalty=True, penalty_note="警告")  # case still open: no termination chosen
    assert Application.objects.get(pk=claimed.application_id).state == "accepted"
    with refused("false_commitment", CommitmentsError):
        commitments.approve(clerk=clerk, application_pk=claimed.application_id, decision_number="西准〔2026〕2号")
    assert Application.objects.get(pk=claimed.application_id).state == "accepted"


def test_a_duplicate_decision_number_is_refused_and_nothing_is_written(service, clerk, citizen, always_verify,
                                                                       verifier, claimed):
    from tests.factories import CitizenFactory

    from .factories import accepted_application

    other = accepted_application(service, clerk, CitizenFactory())  # before the first finding bars anyone
    _false(claimed, verifier, terminate=True)
    services.plan_application(other.pk)
    second = VerificationTask.objects.filter(application=other, method="data_sharing").get()
    services.claim(user=verifier, task_id=second.pk)
    with pytest.raises(VerificationError) as exc:
        _false(second, verifier, terminate=True)
    assert exc.value.field == "decision_number"
    assert VerificationTask.objects.get(pk=second.pk).state == "claimed"
    assert Application.objects.get(pk=other.pk).state == "accepted"
    assert DishonestyRecord.objects.count() == 1


def test_concluding_a_task_twice_is_idempotent(claimed, verifier):
    _false(claimed, verifier, terminate=True)
    again = _false(claimed, verifier, terminate=True)
    assert again.state == "concluded"
    assert Disposition.objects.count() == 1 and DishonestyRecord.objects.count() == 1


def test_a_false_finding_reaches_credit_by_one_route(claimed, verifier):
    _false(claimed, verifier, terminate=True)
    letter = Commitment.objects.get(pk=claimed.commitment_id).letter_number
    assert DishonestyRecord.objects.filter(commitment_ref=letter).count() == 1
    assert CommitmentOutcome.objects.get(commitment_ref=letter).outcome == CommitmentOutcome.Outcome.BROKEN


def test_report_and_sample_on_one_letter_give_one_outcome_seen_by_the_reporter(accepted, verifier, operator):
    from complaints import selectors as complaint_selectors
    from complaints import services as complaints
    from complaints.models import Ticket

    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)  # into the spot-check pool
    services.plan_application(accepted.pk)
    commitment = Commitment.objects.filter(application=accepted, state=Commitment.State.EXEMPTED).first()
    # A sampled task (as a draw makes it) and a report on the same letter.
    sample = VerificationTask.objects.create(
        agency=accepted.agency, application=accepted, requirement=commitment.requirement, commitment=commitment,
        subject=accepted.subject, matter=commitment.matter, method="data_sharing", origin=TaskOrigin.SPOT_CHECK,
        due_date=commitment.signed_at.date() if commitment.signed_at else accepted.created_at.date())
    ticket = Ticket.objects.create(
        kind="report", number="JB-T1", title="承诺不实", content="举报", channel="portal", anonymous=True, agency=accepted.agency,
        commitment_ref=commitment.letter_number, lookup_hash="x")
    complaints.open_verification_for_report(ticket, actor=operator)
    ticket.refresh_from_db()
    assert ticket.referral_ref == str(sample.pk)  # the report joined the sample's open task
    services.claim(user=verifier, task_id=sample.pk)
    _false(sample, verifier, terminate=True)
    assert "该承诺不实" in complaint_selectors.referral_outcome(ticket)
    assert Disposition.objects.count() == 1 and DishonestyRecord.objects.count() == 1


def test_a_second_open_check_closes_with_the_first_ones_outcome(accepted, verifier):
    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)
    services.plan_application(accepted.pk)
    commitment = Commitment.objects.filter(application=accepted, state=Commitment.State.EXEMPTED).first()
    common = dict(agency=accepted.agency, application=accepted, requirement=commitment.requirement,
                  commitment=commitment, subject=accepted.subject, matter=commitment.matter,
                  method="data_sharing", due_date=accepted.created_at.date())
    first = VerificationTask.objects.create(origin=TaskOrigin.SPOT_CHECK, **common)
    second = VerificationTask.objects.create(origin=TaskOrigin.REPORT, **common)
    services.claim(user=verifier, task_id=first.pk)
    _false(first, verifier, terminate=True)
    second.refresh_from_db()
    assert second.state == "concluded" and second.result == "false"
    later = services.open_task_for_report(commitment, "再次举报")
    assert later.result == "false"
    assert VerificationTask.objects.filter(commitment=commitment).count() == 2


def test_a_missed_rectification_deadline_terminates_the_case_once_even_with_two_beats(claimed, verifier):
    import datetime

    _false(claimed, verifier, rectify=True, rectify_days=3)
    disposition = Disposition.objects.get(task=claimed)
    assert services.terminate_overdue_rectifications(today=disposition.rectify_due) == 0  # not yet past
    later = disposition.rectify_due + datetime.timedelta(days=1)
    assert services.terminate_overdue_rectifications(today=later) == 1
    assert services.terminate_overdue_rectifications(today=later) == 0
    assert Application.objects.get(pk=claimed.application_id).state == "terminated"
    follow_up = VerificationTask.objects.get(parent=claimed, origin=TaskOrigin.RECTIFICATION)
    assert follow_up.state == "concluded" and follow_up.result == "false"


def test_the_applicants_case_history_says_which_letter_was_found_untrue(claimed, verifier):
    from commitments.selectors import citizen_timeline

    _false(claimed, verifier, terminate=True)
    application = Application.objects.get(pk=claimed.application_id)
    letter = Commitment.objects.get(pk=claimed.commitment_id).letter_number
    texts = [entry["text"] for entry in citizen_timeline(application, application.applicant_user)]
    assert f"核查发现告知承诺书与事实不符：{letter}" in texts
