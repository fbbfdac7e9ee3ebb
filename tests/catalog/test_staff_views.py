"""Staff pages: the access matrix (anonymous, wrong role, other agency) and the flows through the browser forms."""

import pytest
from django.contrib.messages import get_messages

from catalog import services
from catalog.models import Catalogue, CertificationMatter
from tests.catalog.conftest import add_matter, state

pytestmark = pytest.mark.django_db


def staff_urls(catalogue):
    m = catalogue.matters.first()
    c = catalogue.pk
    return {
        "editor": [
            "/catalog/manage/", "/catalog/manage/new/", f"/catalog/manage/{c}/matters/new/",
            f"/catalog/manage/{c}/matters/{m.pk}/edit/", f"/catalog/manage/{c}/import/",
            f"/catalog/manage/{c}/services/new/",
        ],
        "staff": [f"/catalog/manage/{c}/", f"/catalog/manage/{c}/export.xlsx", f"/catalog/manage/{c}/export.csv",
                  f"/catalog/manage/matters/{m.pk}/"],
        "reviewer": ["/catalog/review/", "/catalog/overview/"],
        "approver": ["/catalog/approve/"],
    }


def all_urls(catalogue):
    return [u for urls in staff_urls(catalogue).values() for u in urls]


def test_anonymous_visitors_are_sent_to_the_login_page(client, draft):
    for url in all_urls(draft):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), url
    response = client.post(f"/catalog/manage/{draft.pk}/submit/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["citizen", "clerk", "verifier", "supervisor"])
def test_users_without_a_catalogue_role_get_403(client, draft, who, request):
    client.force_login(request.getfixturevalue(who))
    for url in all_urls(draft):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/catalog/manage/{draft.pk}/submit/").status_code == 403
    assert state(draft) == "draft"


def test_each_queue_is_only_for_its_role(client, draft, editor, reviewer, approver):
    client.force_login(editor)
    for url in ("/catalog/review/", "/catalog/approve/", "/catalog/overview/"):
        assert client.get(url).status_code == 403
    client.force_login(reviewer)
    assert client.get("/catalog/approve/").status_code == 403
    assert client.get("/catalog/manage/").status_code == 403
    client.force_login(approver)
    assert client.get("/catalog/review/").status_code == 403


def test_another_agencys_editor_gets_404_for_this_agencys_catalogue(client, draft, other_editor):
    client.force_login(other_editor)
    m = draft.matters.get()
    for url in (f"/catalog/manage/{draft.pk}/", f"/catalog/manage/{draft.pk}/matters/{m.pk}/edit/",
                f"/catalog/manage/{draft.pk}/matters/new/", f"/catalog/manage/{draft.pk}/import/",
                f"/catalog/manage/{draft.pk}/export.csv", f"/catalog/manage/matters/{m.pk}/"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/catalog/manage/{draft.pk}/submit/").status_code == 404
    assert client.post(f"/catalog/manage/{draft.pk}/matters/{m.pk}/delete/").status_code == 404
    assert state(draft) == "draft" and CertificationMatter.objects.filter(pk=m.pk).exists()


def test_a_district_approver_gets_404_for_a_city_departments_catalogue(client, draft, district_approver):
    client.force_login(district_approver)
    assert client.get(f"/catalog/manage/{draft.pk}/").status_code == 404


def test_the_editor_adds_a_matter_and_errors_are_chinese_beside_the_field(client, draft, editor):
    client.force_login(editor)
    url = f"/catalog/manage/{draft.pk}/matters/new/"
    page = client.get(url)
    assert page.status_code == 200 and "添加证明事项" in page.content.decode()
    service = draft.matters.get().service
    data = {
        "name": "", "service": service.pk, "field": "legal_service", "legal_basis_name": "中华人民共和国律师法",
        "legal_basis_level": "law", "requesting_agency": draft.agency_id, "exercise_level": "city",
        "commitment_allowed": "on", "verification_methods": ["data_sharing"], "verification_days": "",
        "proof_content": "x", "commitment_content": "y", "letter_template": "z",
    }
    body = client.post(url, data).content.decode()
    assert 'id="error_1_id_name"' in body and "此项不能为空。" in body
    assert "请填写核查时限（工作日）。" in body
    data.update(name="完全民事行为能力证明", verification_days="7", **{
        "negative-TOTAL_FORMS": "3", "negative-INITIAL_FORMS": "0",
        "negative-0-kind": "subject", "negative-0-description": "限制民事行为能力人", "negative-0-rule": "age_below",
        "negative-0-number": "18",
        "negative-1-kind": "situation", "negative-1-description": "有其他情形的", "negative-1-rule": "question",
        "negative-2-kind": "situation", "negative-2-description": "", "negative-2-rule": "question"})
    response = client.post(url, data)
    assert response.status_code == 302
    matter = draft.matters.get(name="完全民事行为能力证明")
    assert matter.seq == 2 and matter.negative_entries.count() == 2
    assert any("已保存" in str(m) for m in get_messages(response.wsgi_request))


def test_a_duplicate_matter_is_refused_beside_the_name(client, draft, editor):
    client.force_login(editor)
    m = draft.matters.get()
    data = {"name": m.name, "service": m.service_id, "field": "legal_service", "legal_basis_name": "律师法",
            "legal_basis_level": "law", "requesting_agency": draft.agency_id, "exercise_level": "city",
            "commitment_allowed": "on", "verification_methods": ["exempt"]}
    body = client.post(f"/catalog/manage/{draft.pk}/matters/new/", data).content.decode()
    assert "本清单中已有同名、同用途的证明事项。" in body


def test_editing_a_published_catalogue_through_the_page_is_refused_with_a_message(client, published, editor):
    client.force_login(editor)
    m = published.matters.get()
    body = client.get(f"/catalog/manage/{published.pk}/").content.decode()
    assert "添加证明事项" not in body
    response = client.post(f"/catalog/manage/{published.pk}/matters/{m.pk}/delete/")
    assert "永不改动" in " ".join(str(x) for x in get_messages(response.wsgi_request))
    assert CertificationMatter.objects.filter(pk=m.pk).exists()


def test_the_whole_city_route_through_the_pages(client, draft, editor, reviewer, approver):
    client.force_login(editor)
    client.post(f"/catalog/manage/{draft.pk}/submit/")
    client.force_login(reviewer)
    queue = client.get("/catalog/review/").content.decode()
    assert draft.agency.name in queue
    response = client.post(f"/catalog/manage/{draft.pk}/return_for_changes/", {"comment": ""})
    assert "退回意见" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert state(draft) == "submitted"
    client.post(f"/catalog/manage/{draft.pk}/return_for_changes/", {"comment": "请补充开具单位"})
    assert state(draft) == "returned"
    client.force_login(editor)
    assert "请补充开具单位" in client.get(f"/catalog/manage/{draft.pk}/").content.decode()
    client.post(f"/catalog/manage/{draft.pk}/reopen/")
    client.post(f"/catalog/manage/{draft.pk}/submit/")
    client.force_login(reviewer)
    response = client.post(f"/catalog/manage/{draft.pk}/pass_review/", {"comment": "同意"})
    assert response["Location"] == "/catalog/review/"
    client.force_login(approver)
    assert draft.agency.name in client.get("/catalog/approve/").content.decode()
    client.post(f"/catalog/manage/{draft.pk}/approve/", {"publish_now": "1"})
    assert state(draft) == "published"
    assert "无犯罪记录证明" in client.get("/catalog/").content.decode()


def test_skipping_a_step_through_the_page_is_refused_with_a_message(client, draft, editor, approver):
    client.force_login(editor)
    client.post(f"/catalog/manage/{draft.pk}/submit/")
    client.force_login(approver)
    response = client.post(f"/catalog/manage/{draft.pk}/approve/", {"publish_now": "1"})
    assert "须先经本级司法局审核" in " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert state(draft) == "submitted"
    assert client.post(f"/catalog/manage/{draft.pk}/explode/").status_code == 404


def test_the_district_route_and_aggregation_through_the_pages(
    client, district_draft, district_editor, district_reviewer, district_approver, reviewer
):
    client.force_login(district_editor)
    client.post(f"/catalog/manage/{district_draft.pk}/submit/")
    client.force_login(reviewer)
    assert "雁塔区" not in client.get("/catalog/review/").content.decode()
    client.force_login(district_reviewer)
    assert "雁塔区" in client.get("/catalog/review/").content.decode()
    response = client.post(f"/catalog/manage/{district_draft.pk}/pass_review/", {"comment": "同意"})
    assert response["Location"] == "/catalog/review/" and state(district_draft) == "reviewed"
    client.force_login(district_approver)
    assert "雁塔区" in client.get("/catalog/approve/").content.decode()
    client.post(f"/catalog/manage/{district_draft.pk}/approve/", {"publish_now": "1"})
    assert "查看并报送汇总" in client.get("/catalog/approve/").content.decode()
    client.post(f"/catalog/manage/{district_draft.pk}/report/")
    assert state(district_draft) == "reported"
    client.force_login(reviewer)
    assert "西安市雁塔区市场监督管理局" in client.get("/catalog/aggregation/?status=reported").content.decode()
    response = client.post(f"/catalog/manage/{district_draft.pk}/aggregate/", {"from": "aggregation"})
    assert response["Location"] == "/catalog/aggregation/" and state(district_draft) == "filed"
    overview = client.get("/catalog/overview/").content.decode()
    assert "西安市雁塔区市场监督管理局" in overview and "区县清单已汇总 <strong>1</strong>" in overview


def test_the_catalogue_page_shows_the_timeline_and_a_diff_link(client, published, editor, django_assert_max_num_queries):
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="修正")
    for i in range(20):
        add_matter(v2, name=f"证明{i}")
    client.force_login(editor)
    with django_assert_max_num_queries(20):
        body = client.get(f"/catalog/manage/{v2.pk}/").content.decode()
    assert "新建第2版" in body and f"/catalog/versions/{published.pk}/compare/{v2.pk}/" in body
    diff_page = client.get(f"/catalog/versions/{published.pk}/compare/{v2.pk}/").content.decode()
    assert "新增 <strong>20</strong> 项" in diff_page


def test_the_editor_starts_a_new_version_from_the_page(client, published, editor):
    client.force_login(editor)
    body = client.post("/catalog/manage/new/", {"change_kind": "amended", "change_reason": ""}).content.decode()
    assert "请填写调整理由。" in body
    response = client.post("/catalog/manage/new/", {"change_kind": "amended", "change_reason": "法律修正"})
    v2 = Catalogue.objects.get(agency=published.agency, version=2)
    assert response["Location"] == f"/catalog/manage/{v2.pk}/"
