"""Services: every transition allowed and refused, eligibility, snapshots, withdrawal, uploads, numbers."""

import uuid

import pytest

from catalog import services as catalog_services
from catalog.models import CertificationMatter
from commitments import selectors, services
from commitments.models import Application, Commitment, CommitmentsError, Counter, ProofDocument, Requirement
from credit import services as credit_services
from credit.models import DishonestyRecord, Severity
from portal.models import AuditEvent
from tests.commitments.conftest import EXE, PDF, PNG, confirmations_for, publish, state, upload
from tests.factories import PASSWORD, CitizenFactory, SubjectFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def test_starting_twice_with_the_same_token_creates_one_application(citizen, service):
    token = uuid.uuid4()
    a, created = services.start_online(user=citizen, service_id=service.pk, token=token)
    b, created_again = services.start_online(user=citizen, service_id=service.pk, token=token)
    assert a.pk == b.pk and created and not created_again
    assert Application.objects.count() == 1
    assert a.requirements.count() == 3


def test_application_numbers_are_sequential_and_unique(citizen, start):
    numbers = {start(citizen).number for _ in range(3)}
    assert len(numbers) == 3
    assert all(n.startswith("BJ-") for n in numbers)
    assert Counter.objects.get(scope__startswith="BJ-").value == 3


def test_excluded_matter_starts_as_proof_required(citizen, start):
    application = start(citizen)
    req = application.requirements.get(matter__name="律师执业场所安全评估证明")
    assert req.proof_only and req.mode == Requirement.Mode.PROOF


def test_signing_keeps_an_immutable_snapshot_with_hash_and_letter_number(citizen, start, sign):
    application = start(citizen)
    c = sign(citizen, application, "无犯罪记录证明")
    assert c.letter_number.startswith("CN-") and len(c.content_hash) == 64
    assert c.signer_name == "张伟" and c.signer_relation == Commitment.Relation.SELF
    assert "不实承诺的法律责任" in c.notification_text and "曾因故意犯罪" in c.notification_text
    assert c.catalogue_version == 1
    c.signer_name = "别人"
    with pytest.raises(PermissionError):
        c.save()
    with pytest.raises(PermissionError):
        c.save(update_fields=["signer_name"])


def test_snapshot_does_not_change_when_the_catalogue_changes(citizen, start, sign, published, catalogue_staff):
    application = start(citizen)
    c = sign(citizen, application, "无犯罪记录证明")
    text, digest = c.notification_text, c.content_hash
    v2 = catalog_services.start_version(actor=catalogue_staff["editor"], change_kind="amended",
                                        change_reason="法律修改", law_reference="律师法修正")
    CertificationMatter.objects.filter(catalogue=v2, name="无犯罪记录证明").update(proof_content="全新的证明内容")
    publish(v2, catalogue_staff)
    c = Commitment.objects.get(pk=c.pk)
    assert c.notification_text == text and c.content_hash == digest
    assert "全新的证明内容" not in c.notification_text


def test_signing_refuses_wrong_name_wrong_password_and_missing_confirmation(citizen, start):
    application = start(citizen)
    req = application.requirements.get(matter__name="无犯罪记录证明")
    base = dict(user=citizen, application_pk=application.pk, requirement_pk=req.pk)
    with pytest.raises(CommitmentsError) as e:
        services.sign_online(**base, full_name="李四", password=PASSWORD, confirmations=confirmations_for(req))
    assert e.value.field == "full_name"
    with pytest.raises(CommitmentsError) as e:
        services.sign_online(**base, full_name="张伟", password="wrong", confirmations=confirmations_for(req))
    assert e.value.field == "password"
    with pytest.raises(CommitmentsError) as e:
        services.sign_online(**base, full_name="张伟", password=PASSWORD, confirmations=[True] * 3)
    assert e.value.field == "confirmations"
    assert not Commitment.objects.exists()


def test_committing_to_an_excluded_matter_is_refused(citizen, start):
    application = start(citizen)
    req = application.requirements.get(matter__name="律师执业场所安全评估证明")
    with refused("not_eligible", CommitmentsError):
        services.sign_online(user=citizen, application_pk=application.pk, requirement_pk=req.pk, full_name="张伟",
                             password=PASSWORD, confirmations=[True] * 5)
    assert not Commitment.objects.exists()


def test_subject_with_a_false_commitment_record_cannot_commit(citizen, start, agency):
    credit_services.enter_record(
        subject=citizen.subject, kind=DishonestyRecord.Kind.FALSE_COMMITMENT, severity=Severity.GENERAL,
        decision_number="西人社罚〔2026〕1号", decision_date=__import__("datetime").date.today(),
        deciding_agency=agency, facts="承诺不实", commitment_ref="CN-2025-000001",
    )
    application = start(citizen)
    req = application.requirements.get(matter__name="无犯罪记录证明")
    with refused("not_eligible", CommitmentsError, match="虚假承诺失信记录"):
        services.sign_online(user=citizen, application_pk=application.pk, requirement_pk=req.pk, full_name="张伟",
                             password=PASSWORD, confirmations=confirmations_for(req))
    assert not Commitment.objects.exists()


def test_nobody_signs_someone_elses_application(citizen, other_citizen, start):
    application = start(citizen)
    req = application.requirements.get(matter__name="无犯罪记录证明")
    with refused("not_own_application", CommitmentsError):
        services.sign_online(user=other_citizen, application_pk=application.pk, requirement_pk=req.pk,
                             full_name=other_citizen.full_name, password=PASSWORD, confirmations=confirmations_for(req))


def test_signing_the_same_matter_twice_is_refused(citizen, start, sign):
    application = start(citizen)
    sign(citizen, application, "无犯罪记录证明")
    with refused("already_signed", CommitmentsError):
        sign(citizen, application, "无犯罪记录证明")
    assert Commitment.objects.count() == 1


def test_guardian_commits_for_a_minor_with_the_relationship_recorded(citizen, service):
    import datetime

    from tests.factories import resident_id
    year = datetime.date.today().year - 10
    body = f"610113{year}0101123"
    from stdnum.cn import ric
    child_id = body + ric.calc_check_digit(body + "0")
    SubjectFactory(name="张小明", id_number=child_id)  # registered at a window first (issue 14: forms never create one)
    application, _ = services.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4(),
                                           child={"name": "张小明", "id_number": child_id, "relation": "父亲"})
    assert application.subject.name == "张小明" and application.guardian_relation == "父亲"
    req = application.requirements.get(matter__name="无犯罪记录证明")
    c = services.sign_online(user=citizen, application_pk=application.pk, requirement_pk=req.pk, full_name="张伟",
                             password=PASSWORD, confirmations=confirmations_for(req))
    assert c.signer_relation == Commitment.Relation.GUARDIAN and c.subject_name == "张小明"
    assert resident_id  # imported helper still available


def test_guardian_cannot_apply_for_an_adult(citizen, service):
    with refused("ward_of_age", CommitmentsError):
        services.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4(),
                              child={"name": "成年人", "id_number": SubjectFactory.build().id_number, "relation": "父亲"})


def test_enterprise_accounts_act_for_their_organisation(enterprise_user, service):
    colleague = CitizenFactory(full_name="同事", subject=enterprise_user.subject)
    application, _ = services.start_online(user=enterprise_user, service_id=service.pk, token=uuid.uuid4())
    assert selectors.own_application(colleague, application.pk) == application
    req = application.requirements.get(matter__name="无犯罪记录证明")
    c = services.sign_online(user=enterprise_user, application_pk=application.pk, requirement_pk=req.pk,
                             full_name="钱晓燕", password=PASSWORD, confirmations=confirmations_for(req))
    assert c.signer_relation == Commitment.Relation.AGENT


@pytest.mark.parametrize("name,content", [("程序.pdf", EXE), ("空.pdf", b"")])
def test_bad_uploads_are_refused_and_nothing_is_stored(citizen, start, name, content):
    application = start(citizen)
    req = application.requirements.get(matter__name="律师执业场所安全评估证明")
    with pytest.raises(CommitmentsError):
        services.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk,
                              upload=upload(name, content))
    assert not ProofDocument.objects.exists()


def test_oversized_upload_is_refused(citizen, start):
    application = start(citizen)
    req = application.requirements.get(matter__name="律师执业场所安全评估证明")
    big = upload("大.pdf", PDF + b"0" * (10 * 1024 * 1024))
    with refused("bad_upload", CommitmentsError, match="10 MB"):
        services.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk, upload=big)


def test_uploads_are_typed_by_content_and_stored_under_generated_names(citizen, start):
    application = start(citizen)
    req = application.requirements.get(matter__name="律师执业场所安全评估证明")
    proof = services.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk,
                                  upload=upload("扫描件.jpg", PNG))
    assert proof.content_type == "image/png" and proof.file.name.endswith(".png")
    assert "扫描件" not in proof.file.name and proof.file.name.startswith("commitments/proofs/")


def test_online_submit_needs_every_matter_and_is_idempotent(citizen, start, ready):
    incomplete = start(citizen)
    with refused("items_missing", CommitmentsError):
        services.submit(user=citizen, application_pk=incomplete.pk, expected_state="draft")
    services.submit(user=citizen, application_pk=ready.pk, expected_state="draft")
    again = services.submit(user=citizen, application_pk=ready.pk, expected_state="draft")
    assert again.state == "submitted"
    assert AuditEvent.objects.filter(action="commitments.application.submitted").count() == 1


def test_clerk_accepts_and_approves_with_a_decision_number(submitted, clerk):
    a = services.accept(clerk=clerk, application_pk=submitted.pk, expected_state="submitted")
    assert a.state == "accepted" and a.due_date is not None
    a = services.approve(clerk=clerk, application_pk=a.pk, decision_number="西司许〔2026〕8号", expected_state="accepted")
    assert a.state == "approved" and a.decision_number == "西司许〔2026〕8号"


def test_other_agency_clerk_and_citizen_cannot_accept(submitted, other_agency_clerk, citizen):
    for user in (other_agency_clerk, citizen):
        with refused("forbidden", CommitmentsError):
            services.accept(clerk=user, application_pk=submitted.pk)
    assert state(submitted) == "submitted"


def test_stale_form_is_refused_and_nothing_changes(accepted, clerk):
    with refused("stale", CommitmentsError):
        services.deny(clerk=clerk, application_pk=accepted.pk, reason="x", expected_state="submitted")
    assert state(accepted) == "accepted"


def test_deny_needs_a_reason(submitted, clerk):
    with pytest.raises(CommitmentsError) as e:
        services.deny(clerk=clerk, application_pk=submitted.pk, reason=" ")
    assert e.value.field == "reason"
    a = services.deny(clerk=clerk, application_pk=submitted.pk, reason="不符合条件")
    assert a.state == "denied" and a.concluded_at


def test_approve_is_refused_from_submitted(submitted, clerk):
    with pytest.raises(CommitmentsError):
        services.approve(clerk=clerk, application_pk=submitted.pk, decision_number="x")


def test_withdrawn_commitment_switches_the_matter_to_proof_and_blocks_approval(accepted, citizen, clerk):
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    services.withdraw_commitment(user=citizen, letter_number=c.letter_number, reason="改为提交证明")
    c.refresh_from_db()
    assert c.state == "withdrawn" and c.withdrawn_at
    req = c.requirement
    req.refresh_from_db()
    assert req.mode == "proof" and req.proof_only
    with refused("conditions", CommitmentsError):
        services.approve(clerk=clerk, application_pk=accepted.pk, decision_number="x")
    services.upload_proof(user=citizen, application_pk=accepted.pk, requirement_pk=req.pk, upload=upload())
    assert services.approve(clerk=clerk, application_pk=accepted.pk, decision_number="x").state == "approved"


def test_commitment_cannot_be_withdrawn_after_conclusion(accepted, citizen, clerk):
    services.approve(clerk=clerk, application_pk=accepted.pk, decision_number="x")
    c = accepted.commitments.first()
    with refused("closed", CommitmentsError):
        services.withdraw_commitment(user=citizen, letter_number=c.letter_number, reason="晚了")


def test_other_citizen_cannot_withdraw(accepted, other_citizen):
    from django.http import Http404
    c = accepted.commitments.first()
    with pytest.raises(Http404):
        services.withdraw_commitment(user=other_citizen, letter_number=c.letter_number, reason="x")


def test_withdrawing_the_application_withdraws_its_commitments(submitted, citizen, clerk):
    with refused("forbidden", CommitmentsError):
        services.withdraw_application(user=clerk, application_pk=submitted.pk, reason="x")
    a = services.withdraw_application(user=citizen, application_pk=submitted.pk, reason="不办了")
    assert a.state == "withdrawn"
    assert set(a.commitments.values_list("state", flat=True)) == {"withdrawn"}


def test_terminate_and_revoke_for_verification(accepted, submitted, clerk, citizen, start, sign):
    a = services.terminate_application(application_pk=accepted.pk, reason="承诺不实")
    assert a.state == "terminated"
    with pytest.raises(CommitmentsError):
        services.revoke_application(application_pk=accepted.pk, reason="x")


def test_revoke_after_approval(accepted, clerk):
    services.approve(clerk=clerk, application_pk=accepted.pk, decision_number="x")
    assert services.revoke_application(application_pk=accepted.pk, reason="虚假承诺").state == "revoked"


def test_accepting_starts_publicity_for_publicity_matters(accepted):
    public = selectors.publicity_board()
    assert [c.matter_name for c in public] == ["完全民事行为能力证明"]
    c = public[0]
    assert (c.publicity_end - c.publicity_start).days == 9


def test_conclude_commitment_records_the_outcome_in_credit(accepted):
    from credit.models import CommitmentOutcome
    c = accepted.commitments.first()
    services.conclude_commitment(commitment_pk=c.pk, outcome="verified")
    services.conclude_commitment(commitment_pk=c.pk, outcome="verified")
    assert state(c) == "verified"
    assert CommitmentOutcome.objects.get(commitment_ref=c.letter_number).outcome == "kept"


def test_one_time_notice_lists_everything_missing(citizen, start, sign, clerk):
    application = start(citizen)
    sign(citizen, application, "无犯罪记录证明")
    notice = services.issue_notice(clerk=clerk, application_pk=application.pk)
    assert [i["matter"] for i in notice.items] == ["完全民事行为能力证明", "律师执业场所安全评估证明"]
    assert notice.due_date > notice.issued_at.date()


def test_notice_is_refused_when_nothing_is_missing(ready, clerk):
    with refused("nothing_missing", CommitmentsError):
        services.issue_notice(clerk=clerk, application_pk=ready.pk)


def test_window_filing_and_on_screen_signing(clerk, service):
    subject = SubjectFactory(name="王建国")
    a, created = services.file_at_window(clerk=clerk, subject=subject, service_id=service.pk, token=uuid.uuid4())
    assert created and a.channel == "window" and a.filed_by == clerk
    req = a.requirements.get(matter__name="完全民事行为能力证明")
    with pytest.raises(CommitmentsError) as e:
        services.sign_at_window(clerk=clerk, application_pk=a.pk, requirement_pk=req.pk, signer_name="王建",
                                relation="self", clerk_password=PASSWORD, identity_checked=True,
                                confirmations=[True] * 5)
    assert e.value.field == "signer_name"
    with pytest.raises(CommitmentsError) as e:
        services.sign_at_window(clerk=clerk, application_pk=a.pk, requirement_pk=req.pk, signer_name="王建国",
                                relation="guardian", clerk_password=PASSWORD, identity_checked=True,
                                confirmations=[True] * 5)
    assert e.value.field == "relation"
    c = services.sign_at_window(clerk=clerk, application_pk=a.pk, requirement_pk=req.pk, signer_name="王建国",
                                relation="self", clerk_password=PASSWORD, identity_checked=True,
                                confirmations=[True] * 5)
    assert c.method == "screen" and c.witnessed_by == clerk


def test_window_paper_letter_scan(clerk, service):
    subject = SubjectFactory(name="刘秀英")
    a, _ = services.file_at_window(clerk=clerk, subject=subject, service_id=service.pk, token=uuid.uuid4())
    req = a.requirements.get(matter__name="完全民事行为能力证明")
    c = services.sign_at_window(clerk=clerk, application_pk=a.pk, requirement_pk=req.pk, signer_name="刘秀英",
                                relation="self", clerk_password=PASSWORD, identity_checked=True,
                                confirmations=[True] * 5, scan=upload("scan.jpg", PNG))
    assert c.method == "paper" and c.paper_scan.name.endswith(".png")


def test_other_agency_clerk_cannot_file_for_this_agency(other_agency_clerk, service):
    with refused("foreign_service", CommitmentsError):
        services.file_at_window(clerk=other_agency_clerk, subject=SubjectFactory(), service_id=service.pk,
                                token=uuid.uuid4())


def test_letter_is_rendered_after_commit_once_and_stored(citizen, start, sign, django_capture_on_commit_callbacks,
                                                        monkeypatch):
    from commitments import tasks

    # Run the queued task in-process here; the real-worker variant is in test_tasks.py.
    monkeypatch.setattr(tasks.render_letter, "delay", lambda pk: tasks.render_letter.apply(args=[pk]))
    application = start(citizen)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        c = sign(citizen, application, "无犯罪记录证明")
    assert len(callbacks) == 1
    c.refresh_from_db()
    assert c.letter_file and c.letter_rendered_at  # the (eager) task ran on commit
    assert c.letter_file.name.startswith("commitments/letters/")
    assert services.render_letter(c.pk) is False
    content = services.letter_pdf(c.pk)
    assert content.startswith(b"%PDF")


def test_every_write_leaves_an_audit_trail(accepted):
    actions = list(AuditEvent.objects.for_object(accepted).values_list("action", flat=True))
    assert actions == [
        "commitments.application.created", "commitments.commitment.signed", "commitments.commitment.signed",
        "commitments.proof.uploaded", "commitments.application.submitted", "commitments.application.accepted",
    ]
