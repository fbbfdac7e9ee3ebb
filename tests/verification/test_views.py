import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal import audit, roles
from tests.factories import StaffFactory
from verification import services
from verification.models import AssistanceRequest, Inspection, VerificationTask

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def login(client, user):
    client.force_login(user)
    return client


VERIFIER_PAGES = ["verification:queue"]
TASK_PAGES = ["verification:task"]


@pytest.mark.parametrize("name", ["verification:queue", "verification:inbox", "verification:inspections",
                                  "verification:figures"])
def test_anonymous_is_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_anonymous_is_sent_to_login_from_a_task(client, task):
    response = client.get(reverse("verification:task", args=[task.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name,role", [
    ("verification:queue", roles.WINDOW_CLERK), ("verification:queue", roles.INSPECTOR),
    ("verification:inbox", roles.APPLICANT), ("verification:inspections", roles.VERIFIER),
    ("verification:figures", roles.VERIFIER),
])
def test_wrong_role_gets_403(client, user_for_role, name, role):
    assert login(client, user_for_role[role]).get(reverse(name)).status_code == 403


def test_wrong_role_gets_403_on_task_actions(client, clerk, task):
    login(client, clerk)
    assert client.get(reverse("verification:task", args=[task.pk])).status_code == 403
    assert client.post(reverse("verification:claim", args=[task.pk])).status_code == 403


def test_other_agencys_task_is_404(client, other_agency_verifier, task):
    login(client, other_agency_verifier)
    assert client.get(reverse("verification:task", args=[task.pk])).status_code == 404
    assert client.post(reverse("verification:claim", args=[task.pk])).status_code == 404
    assert VerificationTask.objects.get(pk=task.pk).state == "open"


def test_queue_lists_own_agency_tasks_sorted_by_due_date_with_overdue_marked(client, verifier, planned):
    first = VerificationTask.objects.filter(application=planned).order_by("due_date").first()
    VerificationTask.objects.filter(pk=first.pk).update(due_date=datetime.date(2020, 1, 2))
    html = login(client, verifier).get(reverse("verification:queue")).content.decode()
    assert html.index("2020年1月2日") < html.index("无犯罪记录证明") or "已超期" in html
    assert "已超期" in html and "table-danger" in html


def test_queue_is_empty_for_another_agency(client, other_agency_verifier, planned):
    html = login(client, other_agency_verifier).get(reverse("verification:queue")).content.decode()
    assert "没有符合条件的核查任务" in html


def test_queue_filters_by_method_and_matter(client, verifier, planned):
    login(client, verifier)
    html = client.get(reverse("verification:queue"), {"method": "assistance"}).content.decode()
    assert "完全民事行为能力证明" in html and "无犯罪记录证明" not in html.split("<tbody>")[1]
    html = client.get(reverse("verification:queue"), {"matter": "执业场所使用证明"}).content.decode()
    assert "执业场所使用证明" in html.split("<tbody>")[1] and "无犯罪记录证明" not in html.split("<tbody>")[1]


def test_queue_pages_by_keyset_cursor(client, verifier, planned, monkeypatch):
    from verification import selectors

    monkeypatch.setattr(selectors, "PAGE_SIZE", 2)
    monkeypatch.setattr(selectors.queue, "__defaults__", ("", 2))
    login(client, verifier)
    first = client.get(reverse("verification:queue")).context["page"]
    assert len(first.rows) == 2 and first.next_cursor
    second = client.get(reverse("verification:queue"), {"after": first.next_cursor}).context["page"]
    assert [t.pk for t in second.rows] and not {t.pk for t in second.rows} & {t.pk for t in first.rows}
    assert second.next_cursor == ""


def test_queue_page_query_count_stays_small(client, verifier, planned, django_assert_max_num_queries):
    login(client, verifier)
    client.get(reverse("verification:queue"))
    with django_assert_max_num_queries(8):
        client.get(reverse("verification:queue"), {"state": "open", "due": "later"})


def test_claim_by_plain_post_redirects_to_the_task(client, verifier, task):
    response = login(client, verifier).post(reverse("verification:claim", args=[task.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("verification:task", args=[task.pk])
    assert VerificationTask.objects.get(pk=task.pk).claimed_by == verifier


def test_claim_by_htmx_returns_the_updated_row(client, verifier, task):
    response = login(client, verifier).post(reverse("verification:claim", args=[task.pk]), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and html.strip().startswith("<tr") and "办理" in html


def test_claiming_a_taken_task_by_htmx_says_so_in_the_row(client, verifier, claimed, agency):
    colleague = StaffFactory(agency=agency, roles=[roles.VERIFIER])
    response = login(client, colleague).post(reverse("verification:claim", args=[claimed.pk]), HTTP_HX_REQUEST="true")
    assert "已被其他核查人员认领" in response.content.decode()


def test_claim_next_and_release_by_plain_post(client, verifier, planned):
    login(client, verifier)
    response = client.post(reverse("verification:claim_next"))
    pk = int(response["Location"].rstrip("/").split("/")[-1])
    assert VerificationTask.objects.get(pk=pk).state == "claimed"
    client.post(reverse("verification:release", args=[pk]))
    assert VerificationTask.objects.get(pk=pk).state == "open"


def test_task_page_query_count(client, verifier, claimed, django_assert_max_num_queries):
    login(client, verifier)
    # 14 reads (session, user, roles, agency, the task with its disposition, each kind of evidence, the
    # proofs once, follow-ups, the forms' choices, the timeline) and the session's first save (3): the
    # proofs used to be read twice and the disposition on its own (19)
    with django_assert_max_num_queries(17):
        response = client.get(reverse("verification:task", args=[claimed.pk]))
    assert "办结核查" in response.content.decode()


def test_a_task_page_shows_the_newest_history_and_offers_the_rest(client, verifier, task):
    for _ in range(20):  # claimed and released again and again: 40 entries, then the claim that holds it
        services.claim(user=verifier, task_id=task.pk)
        services.release(user=verifier, task_id=task.pk)
    services.claim(user=verifier, task_id=task.pk)
    url = reverse("verification:task", args=[task.pk])
    total = len(audit.timeline(task))
    body = login(client, verifier).get(url).content.decode()
    timeline = body[body.index('id="timeline-title"'):]
    assert f"较早的 {total - 30} 条记录未显示" in timeline and "?history=all" in timeline
    assert timeline.count("<li>") == 30
    everything = client.get(url, {"history": "all"}).content.decode()
    everything = everything[everything.index('id="timeline-title"'):]
    assert everything.count("<li>") == total and "条记录未显示" not in everything


def test_a_short_task_history_is_shown_whole_without_a_link(client, verifier, claimed):
    body = login(client, verifier).get(reverse("verification:task", args=[claimed.pk])).content.decode()
    timeline = body[body.index('id="timeline-title"'):]
    assert timeline.count("<li>") == len(audit.timeline(claimed)) > 0 and "?history=all" not in timeline


def test_conclude_form_errors_are_chinese_and_beside_fields(client, verifier, claimed):
    response = login(client, verifier).post(reverse("verification:conclude", args=[claimed.pk]), {"result": "false",
                                                                                                  "conclusion": ""})
    assert response.status_code == 400
    html = response.content.decode()
    assert "请填写此项。" in html and 'id="error_1_id_conclusion"' in html or "invalid-feedback" in html


def test_conclude_false_without_disposition_shows_the_error_beside_terminate(client, verifier, claimed):
    response = login(client, verifier).post(reverse("verification:conclude", args=[claimed.pk]),
                                            {"result": "false", "conclusion": "不符"})
    html = response.content.decode()
    assert response.status_code == 400 and "请至少选择一项处理措施" in html


def test_conclude_false_through_the_page(client, verifier, claimed):
    response = login(client, verifier).post(reverse("verification:conclude", args=[claimed.pk]), {
        "result": "false", "conclusion": "查无此人", "terminate": "on", "severity": "general",
        "decision_number": "西人社核〔2026〕9号", "legal_basis": "《中华人民共和国行政许可法》第六十九条",
        "document_number": "西人社处〔2026〕9号"})
    assert response.status_code == 302
    task = VerificationTask.objects.get(pk=claimed.pk)
    assert task.result == "false" and task.disposition.terminate


def test_send_assistance_then_the_other_agency_answers_and_downloads_the_reply_letter(
        client, verifier, claimed, other_agency, other_agency_verifier):
    login(client, verifier)
    response = client.post(reverse("verification:send_assistance", args=[claimed.pk]),
                           {"to_agency": other_agency.pk, "question": "请确认申请人是否在贵局登记。"})
    assert response.status_code == 302
    req = AssistanceRequest.objects.get(task=claimed)
    assert VerificationTask.objects.get(pk=claimed.pk).state == "waiting_assistance"
    client.force_login(other_agency_verifier)
    assert req.number in client.get(reverse("verification:inbox")).content.decode()
    response = client.post(reverse("verification:assistance_reply", args=[req.pk]), {"answer": "confirmed", "text": "属实"})
    assert response.status_code == 302
    assert VerificationTask.objects.get(pk=claimed.pk).state == "claimed"
    pdf = client.get(reverse("verification:assistance_pdf", args=[req.pk]))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_sender_cannot_answer_its_own_request(client, verifier, claimed, other_agency):
    req = services.send_assistance(user=verifier, task_id=claimed.pk, to_agency=other_agency, question="请确认")
    login(client, verifier)
    assert client.get(reverse("verification:assistance", args=[req.pk])).status_code == 200
    assert client.post(reverse("verification:assistance_reply", args=[req.pk]),
                       {"answer": "confirmed", "text": "x"}).status_code == 404


def test_a_third_agency_cannot_see_the_request(client, verifier, claimed, other_agency, city_government):
    from tests.factories import AgencyFactory

    third = AgencyFactory(code="610100-GAJ", name="西安市公安局", parent=city_government)
    outsider = StaffFactory(agency=third, roles=[roles.VERIFIER])
    req = services.send_assistance(user=verifier, task_id=claimed.pk, to_agency=other_agency, question="请确认")
    assert login(client, outsider).get(reverse("verification:assistance", args=[req.pk])).status_code == 404


def test_refusal_needs_a_reason_beside_the_field(client, verifier, claimed, other_agency, other_agency_verifier):
    req = services.send_assistance(user=verifier, task_id=claimed.pk, to_agency=other_agency, question="请确认")
    response = login(client, other_agency_verifier).post(reverse("verification:assistance_refuse", args=[req.pk]),
                                                         {"reason": ""})
    assert response.status_code == 400 and "拒绝协查须写明理由" in response.content.decode()


def test_inspector_records_findings_with_a_photo_on_the_phone_page(client, verifier, claimed, inspector):
    services.assign_inspection(user=verifier, task_id=claimed.pk, inspectors=[inspector],
                               planned_date=datetime.date.today(), address="雁塔区小寨东路12号")
    inspection = Inspection.objects.get(task=claimed)
    login(client, inspector)
    page = client.get(reverse("verification:inspections"))
    assert "执业场所" in page.content.decode() or claimed.matter.name in page.content.decode()
    detail = client.get(reverse("verification:inspection", args=[inspection.pk]))
    assert claimed.commitment.letter_number in detail.content.decode()
    response = client.post(reverse("verification:inspection", args=[inspection.pk]), {
        "result": "true", "findings": "经营场所与承诺一致。",
        "photos": [SimpleUploadedFile("a.png", PNG, content_type="image/png")]})
    assert response.status_code == 302
    inspection.refresh_from_db()
    assert inspection.state == "done" and inspection.photos.count() == 1
    photo = inspection.photos.get()
    assert client.get(reverse("verification:photo", args=[photo.pk])).status_code == 200
    client.force_login(verifier)
    assert client.get(reverse("verification:photo", args=[photo.pk])).status_code == 200


def test_an_inspector_not_assigned_gets_404(client, verifier, claimed, inspector, agency):
    services.assign_inspection(user=verifier, task_id=claimed.pk, inspectors=[inspector],
                               planned_date=datetime.date.today())
    other = StaffFactory(agency=agency, roles=[roles.INSPECTOR])
    inspection = Inspection.objects.get(task=claimed)
    assert login(client, other).get(reverse("verification:inspection", args=[inspection.pk])).status_code == 404


def test_photo_must_be_an_image(client, verifier, claimed, inspector):
    services.assign_inspection(user=verifier, task_id=claimed.pk, inspectors=[inspector],
                               planned_date=datetime.date.today())
    inspection = Inspection.objects.get(task=claimed)
    response = login(client, inspector).post(reverse("verification:inspection", args=[inspection.pk]), {
        "result": "true", "findings": "x", "photos": [SimpleUploadedFile("a.png", b"%PDF-1.4 xx", content_type="image/png")]})
    assert response.status_code == 400 and "只能是 JPG 或 PNG" in response.content.decode()


def test_figures_page_for_supervisors(client, supervisor, planned, django_assert_max_num_queries):
    login(client, supervisor)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("verification:figures"))
    assert "非歧视监管" in response.content.decode()
