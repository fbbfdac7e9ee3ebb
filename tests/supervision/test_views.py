"""Pages: access (anonymous → login, wrong role → 403), scoping, constant query counts, exports."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from portal import roles
from tests.factories import StaffFactory
from tests.supervision.conftest import YEAR

pytestmark = pytest.mark.django_db

YEAR_QUERY = {"from": f"{YEAR}-01-01", "to": f"{YEAR}-12-31"}
STAFF_PAGES = ["supervision", "supervision_assessment", "supervision_assessment_xlsx", "supervision_assessment_pdf"]


@pytest.mark.parametrize("name", [*STAFF_PAGES, "supervision_notices", "supervision_notice_new"])
def test_anonymous_visitors_are_sent_to_login(client, name):
    response = client.get(reverse(name))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("role", [roles.APPLICANT, roles.WINDOW_CLERK, roles.VERIFIER, roles.CREDIT_OFFICER,
                                  roles.CATALOGUE_EDITOR, roles.COMPLAINTS_OPERATOR])
def test_roles_without_oversight_get_403_on_the_dashboard(client, user_for_role, role):
    client.force_login(user_for_role[role])
    for name in STAFF_PAGES:
        assert client.get(reverse(name)).status_code == 403, name


def test_citizens_get_403_on_staff_notice_pages(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("supervision_notices")).status_code == 403


def test_a_clerk_may_read_notices_but_not_draft_them(client, clerk):
    client.force_login(clerk)
    assert client.get(reverse("supervision_notices")).status_code == 200
    assert client.get(reverse("supervision_notice_new")).status_code == 403


@pytest.mark.parametrize("role", [roles.SUPERVISOR, roles.JUSTICE_REVIEWER, roles.GOVERNMENT_APPROVER])
def test_supervisors_justice_bureau_and_government_see_the_dashboard(client, user_for_role, role):
    client.force_login(user_for_role[role])
    response = client.get(reverse("supervision"))
    assert response.status_code == 200
    assert "监督统计" in response.content.decode()


def test_dashboard_shows_figures_charts_and_tables(client, supervisor, year_of_activity):
    client.force_login(supervisor)
    html = client.get(reverse("supervision"), YEAR_QUERY).content.decode()
    assert "<svg" in html and 'role="img"' in html and "<title id=" in html and "<desc id=" in html
    assert "<script" not in html.split("<svg", 1)[1].split("</main>")[0]
    assert "西安市人力资源和社会保障局" in html
    assert "数据表" in html  # each chart has its table
    assert "2025年1月1日" in html


def test_a_district_supervisor_sees_only_its_district(client, district_supervisor, year_of_activity):
    client.force_login(district_supervisor)
    html = client.get(reverse("supervision_assessment"), YEAR_QUERY).content.decode()
    assert "西安市雁塔区行政审批服务局" in html
    assert "西安市人力资源和社会保障局" not in html
    assert "西安市市场监督管理局" not in html


def test_a_district_supervisor_cannot_drill_into_a_city_department(client, district_supervisor, year_of_activity):
    client.force_login(district_supervisor)
    agency = year_of_activity["agency"]
    html = client.get(reverse("supervision_assessment"), {**YEAR_QUERY, "agency": agency.pk}).content.decode()
    assert "西安市人力资源和社会保障局" not in html


def test_drilling_down_shows_one_agency(client, supervisor, year_of_activity):
    client.force_login(supervisor)
    agency = year_of_activity["agency"]
    response = client.get(reverse("supervision_assessment"), {**YEAR_QUERY, "agency": agency.pk})
    rows = response.context["table"]["rows"]
    assert [r[1] for r in rows] == [agency.name]


def _dashboard_queries(client, django_assert_max_num_queries, limit):
    from django.core.cache import cache

    cache.clear()
    with django_assert_max_num_queries(limit) as captured:
        assert client.get(reverse("supervision"), YEAR_QUERY).status_code == 200
    return len(captured)


def test_dashboard_query_count_does_not_grow_with_the_data(client, supervisor, city_government,
                                                           django_assert_max_num_queries):
    client.force_login(supervisor)
    client.get(reverse("workspace"))  # the first page after signing in also saves the session
    empty = _dashboard_queries(client, django_assert_max_num_queries, 40)
    from tests.supervision import builders as b
    from tests.supervision.conftest import d

    for n in range(4):
        agency = StaffFactory(agency__parent=city_government).agency
        _cat, matters = b.catalogue(agency, allowed=2, excluded=("ecology",))
        for _ in range(3):
            case = b.Case(agency, matters[0], submitted=b.at(d(n + 1, 2)))
            b.commitment(case, signed=b.at(d(n + 1, 3)))
            b.task(case, due=d(n + 2, 1), concluded=b.at(d(n + 2, 1)))
        b.ticket(agency, created=b.at(d(n + 1, 5)), replied_on_time=True, rating="satisfied")
        b.record(agency, decided=d(n + 1, 6))
    full = _dashboard_queries(client, django_assert_max_num_queries, 40)
    assert full == empty


def test_a_cached_dashboard_runs_no_figure_queries(client, supervisor, django_assert_max_num_queries):
    client.force_login(supervisor)
    client.get(reverse("supervision"), YEAR_QUERY)
    with django_assert_max_num_queries(8):
        client.get(reverse("supervision"), YEAR_QUERY)


def test_assessment_exports_open_as_xlsx_and_pdf(client, supervisor, year_of_activity):
    client.force_login(supervisor)
    response = client.get(reverse("supervision_assessment_xlsx"), YEAR_QUERY)
    assert response.status_code == 200 and response.streaming
    assert 'filename="assessment-' in response["Content-Disposition"]
    book = load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = book.active
    assert sheet.cell(row=2, column=1).value == "排名"
    names = [sheet.cell(row=r, column=2).value for r in range(3, sheet.max_row + 1)]
    assert "西安市雁塔区行政审批服务局" in names
    assert sheet.cell(row=3, column=1).value == 1  # best first
    response = client.get(reverse("supervision_assessment_pdf"), YEAR_QUERY)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")


def test_transparency_is_public_and_shows_no_personal_data(client, year_of_activity):
    html = client.get(reverse("transparency"), YEAR_QUERY).content.decode()
    assert "证明事项告知承诺制实施情况" in html and "<svg" in html
    for personal in ("张伟", "13800000001", "610***********123X"):
        assert personal not in html
    assert "西安市人力资源和社会保障局" not in html  # city-wide totals only


def test_transparency_shows_an_empty_state_without_data(client, db):
    html = client.get(reverse("transparency")).content.decode()
    assert "统计期间暂无数据" in html


def test_dashboard_says_how_fresh_the_figures_are_and_refresh_recomputes_them(client, supervisor, year_of_activity):
    import datetime

    from django.core.cache import cache
    from django.utils import timezone

    from supervision import figures as f

    client.force_login(supervisor)
    html = client.get(reverse("supervision"), YEAR_QUERY).content.decode()
    assert "数据更新于" in html and "前；每 10 分钟自动刷新" in html and "refresh=1" in html and "立即刷新" in html
    # Make the kept figures look 20 minutes old: 立即刷新 computes them again.
    scope = f.supervision_scope(supervisor)
    period = f.Period.parse(YEAR_QUERY["from"], YEAR_QUERY["to"])
    key = f.cache_key(scope, period)
    stale = cache.get(key)
    stale["computed_at"] = timezone.now() - datetime.timedelta(minutes=20)
    cache.set(key, stale)
    client.get(reverse("supervision"), {**YEAR_QUERY, "refresh": "1"})
    assert timezone.now() - cache.get(key)["computed_at"] < datetime.timedelta(minutes=1)


def test_the_assessment_table_labels_each_cell_for_phones(client, supervisor, year_of_activity):
    client.force_login(supervisor)
    html = client.get(reverse("supervision_assessment"), YEAR_QUERY).content.decode()
    assert "table-cards" in html and 'data-label="' in html
