"""Every view: anonymous → login, wrong role → 403, someone else's object → 404; and the main flows through HTTP."""

import pytest
from django.urls import reverse

from credit.models import Attachment, CreditRepair, DishonestyRecord, Objection, Severity
from portal import roles
from portal.models import AuditEvent
from tests.credit.conftest import PDF, pdf_upload
from tests.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(citizen, make_record):
    return make_record(citizen.subject, severity=Severity.SERIOUS, months_ago=13)


@pytest.fixture
def repair(record, citizen):
    from credit import services

    return services.apply_for_repair(record=record, applicant=citizen, rectification="已整改", uploads=[pdf_upload()])


def applicant_urls(record):
    return [
        reverse("credit:me"),
        reverse("credit:my_record", args=[record.pk]),
        reverse("credit:apply_repair", args=[record.pk]),
        reverse("credit:raise_objection", args=[record.pk]),
    ]


def officer_urls(record, repair=None):
    urls = [
        reverse("credit:officer"), reverse("credit:record_new"), reverse("credit:record", args=[record.pk]),
        reverse("credit:policies"), reverse("credit:policy_edit", args=["serious"]), reverse("credit:push"),
        reverse("credit:subject_file", args=[record.subject_id]),
    ]
    if repair:
        urls.append(reverse("credit:repair", args=[repair.pk]))
    return urls


def test_anonymous_is_sent_to_login_everywhere_but_the_blacklist(client, record, repair):
    for url in applicant_urls(record) + officer_urls(record, repair) + [reverse("credit:lookup"),
                                                                     reverse("credit:attachment", args=[1])]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url
    assert client.get(reverse("credit:blacklist")).status_code == 200


def test_staff_cannot_open_applicant_pages(client, clerk, record):
    client.force_login(clerk)
    for url in applicant_urls(record):
        assert client.get(url).status_code == 403, url


def test_citizen_and_clerk_cannot_open_officer_pages(client, citizen, clerk, record, repair):
    for user in (citizen, clerk):
        client.force_login(user)
        for url in officer_urls(record, repair):
            assert client.get(url).status_code == 403, (user, url)


def test_citizen_cannot_use_the_staff_lookup(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("credit:lookup")).status_code == 403


def test_other_citizens_record_and_attachment_are_not_found(client, other_citizen, record, repair):
    client.force_login(other_citizen)
    for url in applicant_urls(record)[1:]:
        assert client.get(url).status_code == 404, url
    att = repair.attachments.get()
    assert client.get(reverse("credit:attachment", args=[att.pk])).status_code == 404


def test_officer_outside_the_deciding_agencys_area_gets_404(client, record, repair, district_government):
    district_office = AgencyFactory(code="610113-FGW", name="雁塔区发改局", parent=district_government)
    outsider = StaffFactory(agency=district_office, roles=[roles.CREDIT_OFFICER])
    client.force_login(outsider)
    assert client.get(reverse("credit:record", args=[record.pk])).status_code == 404
    assert client.get(reverse("credit:repair", args=[repair.pk])).status_code == 404
    att = repair.attachments.get()
    assert client.get(reverse("credit:attachment", args=[att.pk])).status_code == 404
    assert record.decision_number not in client.get(reverse("credit:officer")).content.decode()


def test_owner_and_officer_download_the_attachment(client, citizen, credit_officer, repair):
    att = repair.attachments.get()
    for user in (citizen, credit_officer):
        client.force_login(user)
        response = client.get(reverse("credit:attachment", args=[att.pk]))
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]


def test_me_shows_records_level_and_refusal_reasons(client, citizen, record):
    client.force_login(citizen)
    html = client.get(reverse("credit:me")).content.decode()
    assert record.decision_number in html
    assert "暂不适用告知承诺制" in html
    assert "D 级" in html
    assert "申请信用修复" in html and "提出异议" in html


def test_me_for_a_citizen_without_records_says_eligible(client, other_citizen):
    client.force_login(other_citizen)
    html = client.get(reverse("credit:me")).content.decode()
    assert "可以适用告知承诺制" in html and "您没有失信记录" in html


def test_officer_enters_a_record_through_the_form(client, credit_officer, agency):
    client.force_login(credit_officer)
    response = client.post(reverse("credit:record_new"), {
        "subject_kind": "person", "subject_name": "赵小云", "id_number": "610113198805203217",
        "kind": "false_commitment", "commitment_ref": "CN-2026-00077", "severity": "serious",
        "decision_number": "西人社罚〔2026〕9号", "decision_date": "2026-01-05", "deciding_agency": agency.pk,
        "facts": "承诺具有完全民事行为能力，经核查不实。",
    })
    record = DishonestyRecord.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("credit:record", args=[record.pk])
    assert record.subject.name == "赵小云" and record.blacklisted and record.entered_by == credit_officer
    assert record.pushes.count() == 1


def test_record_form_errors_are_chinese_and_beside_their_fields(client, credit_officer, agency):
    client.force_login(credit_officer)
    response = client.post(reverse("credit:record_new"), {
        "subject_kind": "person", "subject_name": "赵小云", "id_number": "610113198805203218",
        "kind": "false_commitment", "severity": "general", "publicity_months": "", "decision_number": "1号",
        "decision_date": "2026-01-05", "deciding_agency": agency.pk, "facts": "x",
    })
    form = response.context["form"]
    assert "校验位不正确" in form.errors["id_number"][0]
    assert form.errors["commitment_ref"] == ["虚假承诺须填写对应的承诺书编号。"]
    assert not DishonestyRecord.objects.exists()


def test_record_form_refuses_an_agency_outside_scope(client, credit_officer):
    elsewhere = AgencyFactory(code="620100", name="兰州市人民政府")
    client.force_login(credit_officer)
    response = client.post(reverse("credit:record_new"), {
        "subject_kind": "person", "subject_name": "赵小云", "id_number": "610113198805203217", "kind": "other",
        "basis": "条例", "severity": "minor", "decision_number": "1号", "decision_date": "2026-01-05",
        "deciding_agency": elsewhere.pk, "facts": "x",
    })
    assert response.context["form"].errors["deciding_agency"] == ["请选择您管辖范围内的机关。"]


def test_publicity_outside_the_range_is_shown_beside_the_field(client, credit_officer, agency):
    client.force_login(credit_officer)
    response = client.post(reverse("credit:record_new"), {
        "subject_kind": "person", "subject_name": "赵小云", "id_number": "610113198805203217", "kind": "other",
        "basis": "条例", "severity": "minor", "publicity_months": "9", "decision_number": "1号",
        "decision_date": "2026-01-05", "deciding_agency": agency.pk, "facts": "x",
    })
    assert "0 至 3 个月" in response.context["form"].errors["publicity_months"][0]


def test_citizen_applies_for_repair_with_proof_and_officer_approves(client, citizen, credit_officer, record):
    client.force_login(citizen)
    response = client.post(reverse("credit:apply_repair", args=[record.pk]), {
        "rectification": "已补缴社保并提交真实材料。", "proof": pdf_upload(), "agree": "on",
    })
    assert response.status_code == 302
    repair = CreditRepair.objects.get()
    assert repair.attachments.count() == 1
    client.force_login(credit_officer)
    assert repair.record.decision_number in client.get(reverse("credit:officer")).content.decode()
    response = client.post(reverse("credit:repair", args=[repair.pk]), {"decision": "approve", "reason": ""})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "repaired"


def test_repair_upload_with_a_fake_pdf_is_refused_beside_the_field(client, citizen, record):
    client.force_login(citizen)
    response = client.post(reverse("credit:apply_repair", args=[record.pk]), {
        "rectification": "x", "proof": pdf_upload("伪装.pdf", b"MZ\x90\x00not a pdf"), "agree": "on",
    })
    assert "内容与扩展名不符" in response.context["form"].errors["proof"][0]
    assert not CreditRepair.objects.exists() and not Attachment.objects.exists()


def test_repair_upload_with_a_wrong_extension_or_too_large_is_refused(client, citizen, record):
    client.force_login(citizen)
    response = client.post(reverse("credit:apply_repair", args=[record.pk]), {
        "rectification": "x", "proof": pdf_upload("a.exe", PDF), "agree": "on"})
    assert "格式不支持" in response.context["form"].errors["proof"][0]
    big = pdf_upload("big.pdf", PDF + b"0" * (10 * 1024 * 1024))
    response = client.post(reverse("credit:apply_repair", args=[record.pk]), {"rectification": "x", "proof": big, "agree": "on"})
    assert "超过 10 MB" in response.context["form"].errors["proof"][0]


def test_repair_form_without_commitment_or_proof_shows_chinese_errors(client, citizen, record):
    client.force_login(citizen)
    form = client.post(reverse("credit:apply_repair", args=[record.pk]), {"rectification": ""}).context["form"]
    assert form.errors["rectification"] == ["请填写此项。"]
    assert form.errors["proof"] == ["请上传至少一个文件。"]
    assert form.errors["agree"] == ["请阅读并勾选信用修复承诺。"]


def test_early_repair_page_explains_when_it_becomes_possible(client, citizen, make_record):
    early = make_record(citizen.subject, severity=Severity.SERIOUS, months_ago=1)
    client.force_login(citizen)
    html = client.get(reverse("credit:apply_repair", args=[early.pk])).content.decode()
    assert "方可申请信用修复" in html and "<form method=\"post\" novalidate enctype" not in html


def test_objection_flow_through_http(client, citizen, credit_officer, record):
    client.force_login(citizen)
    response = client.post(reverse("credit:raise_objection", args=[record.pk]), {
        "reasons": "承诺时已提交真实材料。", "attachments": [pdf_upload("a.pdf"), pdf_upload("b.pdf")]})
    assert response.status_code == 302
    objection = Objection.objects.get()
    assert objection.attachments.count() == 2
    record.refresh_from_db()
    assert record.status == "under_objection"
    assert "异议处理中" in client.get(reverse("credit:my_record", args=[record.pk])).content.decode()
    client.force_login(credit_officer)
    response = client.post(reverse("credit:objection", args=[objection.pk]), {"outcome": "maintained", "reason": "事实清楚"})
    assert response.status_code == 302
    record.refresh_from_db()
    assert record.status == "active"


def test_objection_decision_without_reason_is_refused_beside_the_field(client, citizen, credit_officer, record):
    from credit import services

    objection = services.raise_objection(record=record, applicant=citizen, reasons="有误")
    client.force_login(credit_officer)
    form = client.post(reverse("credit:objection", args=[objection.pk]), {"outcome": "revoked", "reason": ""}).context["form"]
    assert form.errors["reason"] == ["请填写此项。"]


def test_officer_revokes_a_record(client, credit_officer, record):
    client.force_login(credit_officer)
    client.post(reverse("credit:record_revoke", args=[record.pk]), {"reason": "原处罚决定已被复议撤销"})
    record.refresh_from_db()
    assert record.status == "revoked"


def test_officer_edits_a_policy_and_the_change_is_audited(client, credit_officer):
    client.force_login(credit_officer)
    data = {"min_publicity_months": 3, "default_publicity_months": 12, "max_publicity_months": 12,
            "bars_commitment": "on", "mandatory_onsite": "on", "min_months_before_repair": 6, "repair_cooldown_months": 12}
    assert client.post(reverse("credit:policy_edit", args=["general"]), data).status_code == 302
    assert AuditEvent.objects.filter(action="credit.policy.updated").exists()
    bad = client.post(reverse("credit:policy_edit", args=["general"]), {**data, "default_publicity_months": 20})
    assert "默认公示期应在最短和最长公示期之间" in bad.context["form"].errors["default_publicity_months"][0]
    assert client.get(reverse("credit:policy_edit", args=["nonsense"])).status_code == 404


def test_staff_lookup_shows_restrictions_and_is_audited(client, clerk, make_record):
    from credit import services

    subject = services.ensure_subject("person", "赵小云", "610113198805203217")
    make_record(subject, severity=Severity.SERIOUS)
    client.force_login(clerk)
    html = client.post(reverse("credit:lookup"), {"kind": "person", "id_number": "610113198805203217"}).content.decode()
    assert "暂不适用告知承诺制" in html
    assert "610113198805203217" not in html
    event = AuditEvent.objects.get(action="credit.lookup")
    assert event.actor == clerk and event.object_id == str(subject.pk)


def test_lookup_of_an_unknown_subject_says_not_restricted_and_is_audited(client, clerk):
    client.force_login(clerk)
    html = client.post(reverse("credit:lookup"), {"kind": "person", "id_number": "610113198805203217"}).content.decode()
    assert "不受失信限制" in html
    assert AuditEvent.objects.filter(action="credit.lookup", actor=clerk).count() == 1


def test_staff_view_of_an_integrity_file_is_audited(client, credit_officer, record):
    client.force_login(credit_officer)
    html = client.get(reverse("credit:subject_file", args=[record.subject_id])).content.decode()
    assert record.decision_number in html
    assert AuditEvent.objects.filter(action="credit.file_viewed", actor=credit_officer).count() == 1


def test_push_status_page_says_when_the_endpoint_is_not_configured(client, credit_officer, record):
    client.force_login(credit_officer)
    html = client.get(reverse("credit:push")).content.decode()
    assert "推送地址尚未配置" in html
    assert "待推送" in html


def test_navigation_links_exist():
    for name in ("credit:blacklist", "credit:me", "credit:officer"):
        assert reverse(name)
