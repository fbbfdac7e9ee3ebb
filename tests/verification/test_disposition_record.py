"""§二(五) every disposition records its legal basis and document number (a referral also its organ, date and
number), shown on the staff and citizen case pages; §三(一) penalties without a penalty basis reach the justice
bureau as 立法修改建议 candidates; 责令限期整改 proof handed in by the applicant."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from catalog.models import CertificationMatter
from commitments.models import Application, ProofDocument
from portal import roles
from portal.models import AuditEvent
from tests.factories import CitizenFactory, StaffFactory
from verification import services
from verification.models import Disposition, VerificationError, VerificationTask

pytestmark = pytest.mark.django_db

BASIS = "《中华人民共和国行政许可法》第六十九条"
BASE = {"severity": "general", "decision_number": "西人社核〔2026〕21号", "legal_basis": BASIS,
        "document_number": "西人社处〔2026〕21号"}
REFER = {"refer_judicial": True, "referral_organ": "西安市公安局雁塔分局", "referral_date": datetime.date(2026, 1, 5),
         "referral_number": "西人社移〔2026〕3号"}
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _false(task, verifier, **choice):
    return services.conclude(user=verifier, task_id=task.pk, result="false", conclusion="内部核查笔记：电话核实户籍科",
                             disposition={**BASE, "terminate": True, **choice})


@pytest.mark.parametrize("basis,message", [
    ("", "请填写处理措施的法律依据"),
    ("行政许可法", "法律依据须写明法律名称（用书名号）和具体条款"),
    ("《中华人民共和国行政许可法》", "法律依据须写明法律名称（用书名号）和具体条款"),
])
def test_a_disposition_without_a_law_and_article_is_refused_and_nothing_is_written(claimed, verifier, basis, message):
    with pytest.raises(VerificationError) as exc:
        _false(claimed, verifier, legal_basis=basis)
    assert exc.value.field == "legal_basis" and message in exc.value.message
    assert VerificationTask.objects.get(pk=claimed.pk).state == "claimed"
    assert not Disposition.objects.exists()
    assert Application.objects.get(pk=claimed.application_id).state == "accepted"


def test_a_document_number_is_required_and_unique_within_the_agency(claimed, verifier, service, clerk, planned):
    with pytest.raises(VerificationError) as exc:
        _false(claimed, verifier, document_number=" ")
    assert exc.value.field == "document_number"
    _false(claimed, verifier)
    from .factories import accepted_application

    second = accepted_application(service, clerk, CitizenFactory())
    services.plan_application(second.pk)
    task = VerificationTask.objects.get(application=second, method="data_sharing")
    services.claim(user=verifier, task_id=task.pk)
    with pytest.raises(VerificationError) as exc:
        _false(task, verifier, decision_number="西人社核〔2026〕22号")
    assert exc.value.field == "document_number" and "西人社处〔2026〕21号" in exc.value.message
    assert Application.objects.get(pk=second.pk).state == "accepted"


def test_the_database_refuses_a_second_decision_number_or_document_number(claimed, verifier):
    _false(claimed, verifier)
    first = Disposition.objects.select_related("task").get()
    t = first.task
    other = VerificationTask.objects.create(agency=t.agency, application=t.application, requirement=t.requirement,
                                            subject=t.subject, matter=t.matter, method="data_sharing",
                                            origin="report", due_date=timezone.localdate())

    def row(**numbers):
        return Disposition(task=other, severity="general", terminate=True, decided_by=verifier, agency=first.agency,
                           legal_basis=BASIS, **numbers)

    with pytest.raises(IntegrityError), transaction.atomic():
        row(decision_number=first.decision_number, document_number="另一号").save()
    with pytest.raises(IntegrityError), transaction.atomic():
        row(decision_number="另一认定号", document_number=first.document_number).save()
    row(decision_number="另一认定号", document_number="另一号").save()  # distinct numbers are fine


@pytest.mark.parametrize("missing,message", [("referral_organ", "接收机关"), ("referral_date", "移送日期"),
                                             ("referral_number", "移送文号")])
def test_a_referral_needs_the_receiving_organ_date_and_number(claimed, verifier, missing, message):
    with pytest.raises(VerificationError) as exc:
        _false(claimed, verifier, **{**REFER, missing: None})
    assert exc.value.field == missing and message in exc.value.message
    assert not Disposition.objects.exists()


def test_a_referral_dated_in_the_future_is_refused(claimed, verifier):
    with pytest.raises(VerificationError) as exc:
        _false(claimed, verifier, **{**REFER, "referral_date": timezone.localdate() + datetime.timedelta(days=1)})
    assert exc.value.field == "referral_date"


def test_the_disposition_form_shows_the_chinese_error_beside_the_legal_basis(client, verifier, claimed):
    client.force_login(verifier)
    response = client.post(reverse("verification:conclude", args=[claimed.pk]), {
        "result": "false", "conclusion": "查无此人", "terminate": "on", "severity": "general",
        "decision_number": "西人社核〔2026〕9号", "legal_basis": "行政许可法", "document_number": "西人社处〔2026〕9号"})
    html = response.content.decode()
    assert response.status_code == 400 and "法律依据须写明法律名称" in html
    assert 'name="legal_basis"' in html and 'name="referral_organ"' in html


def test_staff_and_citizen_see_basis_numbers_and_referral_but_the_citizen_not_the_internal_notes(
        client, verifier, clerk, citizen, claimed):
    _false(claimed, verifier, **REFER)
    client.force_login(verifier)
    staff_page = client.get(reverse("verification:task", args=[claimed.pk])).content.decode()
    for text in (BASIS, "西人社处〔2026〕21号", "西安市公安局雁塔分局", "西人社移〔2026〕3号", "2026年1月5日"):
        assert text in staff_page
    client.force_login(clerk)
    desk = client.get(reverse("commitments:desk_application", args=[claimed.application_id])).content.decode()
    assert BASIS in desk and "西人社移〔2026〕3号" in desk
    client.force_login(citizen)
    page = client.get(reverse("commitments:application", args=[claimed.application_id])).content.decode()
    for text in ("不实承诺的处理决定", "终止办理", "移送司法机关", BASIS, "西人社处〔2026〕21号", "西人社核〔2026〕21号",
                 "西安市公安局雁塔分局", "西人社移〔2026〕3号"):
        assert text in page
    assert "内部核查笔记" not in page


def test_the_credit_record_cites_the_dispositions_legal_basis(claimed, verifier):
    from credit.models import DishonestyRecord

    _false(claimed, verifier)
    assert DishonestyRecord.objects.get(commitment_ref=claimed.commitment.letter_number).basis == BASIS


def test_an_unrelated_case_page_shows_no_disposition_panel(client, citizen, planned):
    client.force_login(citizen)
    page = client.get(reverse("commitments:application", args=[planned.pk])).content.decode()
    assert "不实承诺的处理决定" not in page


# --- §三(一) 处罚依据 and 立法修改建议 --------------------------------------------------------------------
PENALTY = {"penalty": True, "penalty_note": "罚款二千元"}


def test_a_penalty_for_a_matter_without_penalty_basis_is_flagged_and_audited(claimed, verifier):
    _false(claimed, verifier, **PENALTY)
    disposition = Disposition.objects.get()
    assert disposition.legislative_candidate
    assert AuditEvent.objects.filter(action="verification.disposition.legislative_candidate").exists()


def test_a_penalty_for_a_matter_with_a_penalty_basis_is_not_flagged(claimed, verifier):
    CertificationMatter.objects.filter(pk=claimed.matter_id).update(penalty_basis="《中华人民共和国律师法》第四十九条")
    _false(claimed, verifier, **PENALTY)
    assert not Disposition.objects.get().legislative_candidate


def test_no_penalty_no_flag(claimed, verifier):
    _false(claimed, verifier)
    assert not Disposition.objects.get().legislative_candidate


def test_the_justice_bureau_lists_the_matters_with_counts_and_the_cases(client, claimed, verifier, reviewer):
    _false(claimed, verifier, **PENALTY)
    matter = claimed.matter
    client.force_login(reviewer)
    listing = client.get(reverse("verification:legislative")).content.decode()
    assert matter.name in listing and reverse("verification:legislative_matter", args=[matter.key]) in listing
    cases = client.get(reverse("verification:legislative_matter", args=[matter.key])).content.decode()
    assert claimed.application.number in cases and "罚款二千元" in cases and "西人社处〔2026〕21号" in cases


def test_the_candidate_list_is_the_justice_bureaus_only(client, claimed, verifier, clerk, supervisor, citizen):
    _false(claimed, verifier, **PENALTY)
    url = reverse("verification:legislative")
    detail = reverse("verification:legislative_matter", args=[claimed.matter.key])
    assert client.get(url).status_code == 302 and client.get(detail).status_code == 302  # anonymous → login
    for user in (verifier, clerk, supervisor, citizen):
        client.force_login(user)
        assert client.get(url).status_code == 403 and client.get(detail).status_code == 403


def test_a_district_justice_bureau_does_not_see_the_citys_candidates(client, claimed, verifier,
                                                                      district_justice_bureau):
    _false(claimed, verifier, **PENALTY)
    district_reviewer = StaffFactory(agency=district_justice_bureau, roles=[roles.JUSTICE_REVIEWER])
    client.force_login(district_reviewer)
    assert claimed.matter.name not in client.get(reverse("verification:legislative")).content.decode()
    assert client.get(reverse("verification:legislative_matter", args=[claimed.matter.key])).status_code == 404


# --- 责令限期整改: the applicant hands in the proof ----------------------------------------------------------
RECTIFY = {"terminate": False, "rectify": True, "rectify_days": 5}


def _upload(name="整改证明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_the_applicant_hands_in_the_rectification_proof_and_the_verifier_sees_it(client, claimed, verifier, citizen):
    _false(claimed, verifier, **RECTIFY)
    disposition = Disposition.objects.get()
    client.force_login(citizen)
    page = client.get(reverse("commitments:application", args=[claimed.application_id])).content.decode()
    assert "提交整改证明材料" in page
    response = client.post(reverse("verification:rectification_proof", args=[disposition.pk]), {"file": _upload()})
    assert response.status_code == 302
    assert ProofDocument.objects.filter(requirement_id=claimed.requirement_id).count() == 1
    page = client.get(reverse("commitments:application", args=[claimed.application_id])).content.decode()
    assert "整改证明材料已提交" in page
    follow_up = VerificationTask.objects.get(parent=claimed, origin="rectification")
    assert any(e["kind"] == "rectification_proof" for e in follow_up.evidence)
    client.force_login(verifier)
    services.claim(user=verifier, task_id=follow_up.pk)
    review_page = client.get(reverse("verification:task", args=[follow_up.pk])).content.decode()
    assert "整改证明.pdf" in review_page
    # the deadline beat leaves a case with its proof alone
    assert services.terminate_overdue_rectifications(today=disposition.rectify_due + datetime.timedelta(days=1)) == 0


def test_another_citizen_cannot_hand_in_the_proof(client, claimed, verifier, other_citizen):
    _false(claimed, verifier, **RECTIFY)
    disposition = Disposition.objects.get()
    client.force_login(other_citizen)
    response = client.post(reverse("verification:rectification_proof", args=[disposition.pk]), {"file": _upload()})
    assert response.status_code == 404 and not ProofDocument.objects.exists()
    client.logout()
    response = client.post(reverse("verification:rectification_proof", args=[disposition.pk]), {"file": _upload()})
    assert response.status_code == 302 and "login" in response["Location"] and not ProofDocument.objects.exists()


def test_no_proof_after_the_deadline(claimed, verifier, citizen, monkeypatch):
    _false(claimed, verifier, **RECTIFY)
    disposition = Disposition.objects.get()
    monkeypatch.setattr(services.rectification, "_today", lambda: disposition.rectify_due + datetime.timedelta(days=1))
    with pytest.raises(VerificationError) as exc:
        services.submit_rectification_proof(user=citizen, disposition_id=disposition.pk, upload=_upload())
    assert "已过" in exc.value.message and not ProofDocument.objects.exists()


def test_a_rectification_proof_goes_through_the_same_upload_checks(client, claimed, verifier, citizen):
    _false(claimed, verifier, **RECTIFY)
    disposition = Disposition.objects.get()
    client.force_login(citizen)
    response = client.post(reverse("verification:rectification_proof", args=[disposition.pk]),
                           {"file": _upload("x.pdf", b"MZ\x90\x00 not a pdf")}, follow=True)
    html = response.content.decode()
    assert not ProofDocument.objects.exists()
    assert "不是 PDF、JPG 或 PNG 文件" in html and "整改证明材料已提交" not in html


def test_no_rectification_proof_without_a_rectification_order(claimed, verifier, citizen):
    _false(claimed, verifier)
    disposition = Disposition.objects.get()
    with pytest.raises(Exception) as exc:
        services.submit_rectification_proof(user=citizen, disposition_id=disposition.pk, upload=_upload())
    assert exc.type.__name__ == "Http404"
