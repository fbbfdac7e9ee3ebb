"""The public catalogue: only published content, search and filters, constant queries, exports, the PDF."""

import csv
import io
import json
import re
import zlib

import pytest
from django.db import connection

from catalog import services
from catalog.models import Catalogue
from tests.catalog.conftest import add_matter
from tests.search import search, search_url

pytestmark = pytest.mark.django_db


@pytest.fixture
def many_published(draft, walk):
    fields = ["household", "market_access", "qualification_exam", "social_insurance", "social_assistance",
              "health_check", "legal_service"]
    for i in range(60):
        add_matter(draft, name=f"测试证明{i:02d}", service_name=f"测试事项{i % 7}", field=fields[i % 7],
                   **({"commitment_allowed": False, "exclusion_category": "public_safety",
                       "exclusion_reason": "涉及公共安全"} if i % 10 == 0 else {}))
    return walk(draft, "published")


def test_the_public_list_shows_only_published_matters(client, published, other_editor):
    hidden = services.start_version(actor=other_editor)
    add_matter(hidden, name="草稿里的证明")
    body = client.get("/catalog/").content.decode()
    assert "无犯罪记录证明" in body and "草稿里的证明" not in body


def test_a_draft_matters_page_is_not_public(client, draft):
    assert client.get(f"/catalog/matters/{draft.matters.get().pk}/").status_code == 404
    assert client.get(f"/catalog/matters/{draft.matters.get().pk}/letter.pdf").status_code == 404


def test_search_finds_a_chinese_substring_and_filters_narrow_the_list(client, many_published):
    body = search(client, "/catalog/", {"q": "证明07"}).content.decode()
    assert "测试证明07" in body and "测试证明08" not in body
    body = client.get("/catalog/", {"field": "health_check", "per_page": 100}).content.decode()
    assert "测试证明05" in body and "测试证明06" not in body
    body = client.get("/catalog/", {"applicability": "excluded", "per_page": 100}).content.decode()
    assert "测试证明10" in body and "测试证明11" not in body
    body = search(client, "/catalog/", {"q": "测试事项3", "per_page": 100}).content.decode()  # by service name
    assert "测试证明03" in body and "测试证明04" not in body


def test_filter_by_agency_and_service(client, many_published, other_agency):
    agency_id = many_published.agency_id
    assert "测试证明01" in client.get("/catalog/", {"agency": agency_id}).content.decode()
    assert "测试证明01" not in client.get("/catalog/", {"agency": other_agency.pk}).content.decode()
    service = many_published.matters.get(name="测试证明02").service
    body = client.get("/catalog/", {"service": service.pk, "per_page": 100}).content.decode()
    assert "测试证明09" in body and "测试证明03" not in body


def test_bad_filter_values_are_ignored_not_errors(client, published):
    response = client.get("/catalog/", {"field": "nope", "agency": "x", "page": "999", "per_page": "7"})
    assert response.status_code == 200


@pytest.mark.parametrize("params", [{}, {"per_page": 100}, {"q": "测试"}, {"q": "证明", "field": "legal_service",
                                                                             "per_page": 50, "page": 2}])
def test_list_and_search_use_a_constant_number_of_queries(client, many_published, django_assert_max_num_queries,
                                                          params):
    url = search_url(client, "/catalog/", params) if "q" in params else "/catalog/"
    with django_assert_max_num_queries(7):  # 6, and the session that keeps a search text
        response = client.get(url, {} if "q" in params else params)
    assert response.status_code == 200


def test_the_filters_are_read_once_and_then_answered_from_the_cache(client, many_published,
                                                                    django_assert_max_num_queries):
    client.get("/catalog/")
    url = search_url(client, "/catalog/", {"q": "测试"})
    with django_assert_max_num_queries(4):  # the session (the search text), the stamp, the count, the page
        response = client.get(url)
    assert 'value="' + str(many_published.agency_id) + '"' in response.content.decode()


def test_a_newly_published_catalogue_is_in_the_filters_at_once(client, published, other_editor, reviewer, approver):
    assert other_editor.agency.name not in client.get("/catalog/").content.decode()
    catalogue = services.start_version(actor=other_editor)
    add_matter(catalogue, name="新公布的证明", service_name="新公布的办理事项")
    services.submit(actor=other_editor, catalogue=catalogue)
    services.pass_review(actor=reviewer, catalogue=catalogue)
    services.approve(actor=approver, catalogue=catalogue)
    services.publish(actor=approver, catalogue=catalogue)
    body = client.get("/catalog/").content.decode()
    assert f'<option value="{other_editor.agency_id}">{other_editor.agency.name}</option>' in body
    assert "新公布的办理事项</option>" in body and "新公布的证明" in body


def test_a_superseded_version_leaves_the_filters_at_once(client, published, editor, walk):
    client.get("/catalog/")
    second = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="依据修改")
    second.matters.all().delete()
    add_matter(second, name="只在第二版", service_name="第二版的办理事项")
    walk(second, "published")
    body = client.get("/catalog/").content.decode()
    assert "第二版的办理事项</option>" in body and "律师执业核准</option>" not in body


def test_a_common_list_is_rendered_once_and_then_served_from_the_cache(client, many_published,
                                                                      django_assert_max_num_queries):
    first = client.get("/catalog/", {"field": "health_check"}).content.decode()
    with django_assert_max_num_queries(1):  # only the catalogue stamp
        again = client.get("/catalog/", {"field": "health_check"}).content.decode()
    assert "测试证明05" in again and "测试证明06" not in again
    assert again.count("测试证明") == first.count("测试证明")


def test_a_free_text_search_is_never_kept_in_the_cache(client, many_published, django_assert_num_queries):
    url = search_url(client, "/catalog/", {"q": "证明07"})
    client.get(url)
    with django_assert_num_queries(3):  # the session, the stamp, the page with its count: searched afresh
        body = client.get(url).content.decode()
    assert "测试证明07" in body and "共 1 项" in body


def test_a_search_counts_and_pages_its_matches_in_one_query(client, many_published, django_assert_num_queries):
    client.get("/catalog/", {"per_page": 100})  # every row rendered once
    url = search_url(client, "/catalog/", {"q": "测试证明1"})  # 测试证明10 … 19
    with django_assert_num_queries(3):  # the session, the stamp, the page with its count; the rows are kept
        body = client.get(url).content.decode()
    assert "共 10 项" in body
    assert re.findall(r"测试证明\d\d", body) == [f"测试证明{i}" for i in range(10, 20)]


def test_a_row_shows_the_same_in_a_list_and_in_a_search(client, many_published):
    def row(body):
        return re.search(r"<tr>\s*<th data-label=\"证明名称\" scope=\"row\"><a [^>]*>测试证明20</a>.*?</tr>", body, re.S)[0]

    searched = row(search(client, "/catalog/", {"q": "测试证明20"}).content.decode())
    listed = row(client.get("/catalog/", {"field": "legal_service"}).content.decode())
    assert searched == listed
    assert "测试事项6" in searched and "不适用" in searched  # its service; number 20 excludes commitment


def test_a_search_in_english_shows_english_rows_after_a_chinese_one(client, many_published):
    search(client, "/catalog/", {"q": "测试证明21"})
    client.cookies["django_language"] = "en"
    body = search(client, "/catalog/", {"q": "测试证明21"}).content.decode()
    assert 'data-label="Certificate name"' in body and 'data-label="证明名称"' not in body


def test_a_page_past_the_end_of_a_search_shows_its_last_page(client, many_published):
    url = search_url(client, "/catalog/", {"q": "测试证明"})
    body = client.get(url + "&page=99").content.decode()
    assert "第 3 / 3 页" in body and "测试证明59" in body and "测试证明00" not in body


def test_a_search_that_matches_nothing_says_so(client, many_published):
    body = search(client, "/catalog/", {"q": "没有这个证明"}).content.decode()
    assert "共 0 项" in body and "没有找到符合条件的证明事项" in body


def test_kept_filter_lists_still_show_what_each_reader_chose(client, many_published):
    chosen = f'<option value="{many_published.agency_id}" selected>'
    assert chosen in search(client, "/catalog/", {"agency": many_published.agency_id, "q": "证明0"}).content.decode()
    assert chosen not in search(client, "/catalog/", {"q": "证明1"}).content.decode()
    body = search(client, "/catalog/", {"agency": many_published.agency_id, "q": "证明2"}).content.decode()
    assert chosen in body and 'value="证明2"' in body


def test_an_agency_without_a_public_catalogue_lists_nothing_and_is_not_cached(client, many_published, other_agency):
    body = client.get("/catalog/", {"agency": other_agency.pk}).content.decode()
    assert "测试证明01" not in body and "没有找到符合条件的证明事项" in body


def test_page_links_carry_only_the_filters_the_list_understands(client, many_published):
    body = client.get("/catalog/", {"applicability": "allowed", "junk": "<x>", "per_page": "20"}).content.decode()
    assert re.findall(r'class="page-link" href="\?([^"]*)"', body) == ["applicability=allowed&amp;page=2"]
    body = client.get("/catalog/", {"per_page": 50, "page": "2"}).content.decode()
    assert re.findall(r'class="page-link" href="\?([^"]*)"', body) == ["per_page=50&amp;page=1"]


def test_a_new_version_shows_at_once_on_the_list_and_on_the_old_matter_page(client, published, editor, walk):
    old = published.matters.get()
    client.get("/catalog/"), client.get(f"/catalog/matters/{old.pk}/")
    second = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="依据修改")
    second.matters.update(name="无犯罪记录证明（新）")
    walk(second, "published")
    assert "无犯罪记录证明（新）" in client.get("/catalog/").content.decode()
    old_page = client.get(f"/catalog/matters/{old.pk}/").content.decode()
    assert "已于" in old_page and "被新版本替代" in old_page and "查看现行版本" in old_page


def test_a_cached_matter_page_costs_one_query_and_keeps_its_title(client, published, django_assert_max_num_queries):
    matter = published.matters.get()
    client.get(f"/catalog/matters/{matter.pk}/")
    with django_assert_max_num_queries(1):
        body = client.get(f"/catalog/matters/{matter.pk}/").content.decode()
    assert f"<title>{matter.name}" in body and "一次性告知" in body


def test_an_english_reader_does_not_get_the_chinese_page_from_the_cache(client, published):
    matter = published.matters.get()
    client.get(f"/catalog/matters/{matter.pk}/")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get(f"/catalog/matters/{matter.pk}/").content.decode()
    assert "Basic information" in english and "基本信息" not in english
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert "基本信息" in client.get(f"/catalog/matters/{matter.pk}/").content.decode()


def test_the_matter_page_uses_a_constant_number_of_queries(client, many_published, django_assert_max_num_queries):
    matter = many_published.matters.first()
    with django_assert_max_num_queries(6):
        client.get(f"/catalog/matters/{matter.pk}/")


def test_the_matter_page_is_the_complete_one_time_notification(client, published):
    matter = published.matters.get()
    matter.negative_entries.create(kind="subject", description="被吊销律师执业证书未满三年的人员")
    body = client.get(f"/catalog/matters/{matter.pk}/").content.decode()
    for text in ("证明内容", "承诺内容", "民事责任", "行政责任", "刑事责任", "核查方式", "受理后 10 个工作日内",
                 "不公示", "中华人民共和国律师法", "办事指南", "工作规程", "被吊销律师执业证书未满三年的人员",
                 "下载告知承诺书格式文本", "第1版"):
        assert text in body, text


def test_the_letter_template_downloads_as_a_pdf_with_an_embedded_cjk_font(client, published):
    response = client.get(f"/catalog/matters/{published.matters.get().pk}/letter.pdf")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response.content.startswith(b"%PDF")
    text = pdf_text(response.content)
    assert b"/FontFile" in text and b"CJK" in text  # the CJK font is embedded, not referenced


def test_the_letter_template_is_rendered_once_and_then_served_from_the_cache(client, published,
                                                                            django_assert_max_num_queries):
    url = f"/catalog/matters/{published.matters.get().pk}/letter.pdf"
    first = client.get(url)
    with django_assert_max_num_queries(1):  # the catalogue stamp; no rendering
        again = client.get(url)
    assert again.content == first.content and again["Content-Disposition"] == first["Content-Disposition"]


def pdf_text(data: bytes) -> bytes:
    """The PDF with every compressed stream inflated, so font dictionaries can be searched."""
    out = [data]
    for match in re.finditer(rb"stream\r?\n(.*?)endstream", data, re.S):
        try:
            out.append(zlib.decompress(match.group(1)))
        except zlib.error:
            continue
    return b"".join(out)


def test_a_superseded_version_stays_readable_and_points_to_the_current_one(client, published, editor, walk):
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="修正")
    walk(v2, "published")
    old = published.matters.get()
    body = client.get(f"/catalog/matters/{old.pk}/").content.decode()
    assert "历史内容" in body and f"/catalog/matters/{v2.matters.get().pk}/" in body
    assert "无犯罪记录证明" in client.get("/catalog/").content.decode()
    assert client.get("/catalog/").content.decode().count("无犯罪记录证明") == 1


def test_the_csv_export_parses_and_holds_every_published_matter(client, many_published):
    response = client.get("/catalog/export.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["清单机关", "清单版本", "事项编号", "序号"]
    assert len(rows) == 1 + 61


def test_the_json_export_parses_and_holds_the_notification(client, many_published, django_assert_max_num_queries):
    with django_assert_max_num_queries(4):
        response = client.get("/catalog/export.json")
    data = json.loads(response.content)
    assert data["count"] == 61
    first = data["matters"][0]
    assert {"name", "service", "legal_basis", "liability", "verification", "negative_list"} <= set(first)


def test_versions_page_and_public_diff(client, published, editor, walk):
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.ENACTED, change_reason="新增事项")
    add_matter(v2, name="经济困难证明", service_name="申请法律援助")
    v2.matters.filter(name="无犯罪记录证明").update(verification_days=5)
    walk(v2, "published")
    body = client.get(f"/catalog/agencies/{published.agency_id}/versions/").content.decode()
    assert "第2版" in body and "第1版" in body
    body = client.get(f"/catalog/versions/{published.pk}/compare/{v2.pk}/").content.decode()
    assert "经济困难证明" in body and "核查时限（工作日）" in body


def test_a_draft_version_cannot_be_compared_by_the_public(client, published, editor):
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="x")
    assert client.get(f"/catalog/versions/{published.pk}/compare/{v2.pk}/").status_code == 404


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigram index exists on PostgreSQL only")
def test_postgresql_has_a_trigram_index_for_name_search():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexdef FROM pg_indexes WHERE indexname = 'catalog_matter_name_trgm'")
        assert "gin_trgm_ops" in cursor.fetchone()[0]
