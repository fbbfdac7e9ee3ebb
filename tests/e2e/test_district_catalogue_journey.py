"""A district's list reported to the city (§二(一) 报送汇总): the city returns it with comments, the district
reads them and reports again with its reply, the city marks it aggregated — in the browser, with axe."""

import pytest

from catalog import services
from portal import roles
from portal.models import Agency
from tests.catalog.conftest import add_matter
from tests.factories import AgencyFactory, StaffFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

COMMENT = "“企业登记住所场地证明”的核查时限与市级同类事项不一致，请核实后重新报送。"


def switch_user(page, login_as, user):
    page.context.clear_cookies()
    login_as(user)


def test_the_city_returns_a_district_report_with_comments_and_aggregates_it_after_the_reply(
    page, login_as, check_page, district_government, district_justice_bureau, reviewer
):
    department = AgencyFactory(
        code="610113-SCJ",
        name="西安市雁塔区市场监督管理局",
        level=Agency.Level.COUNTY,
        parent=district_government,
    )
    editor = StaffFactory(full_name="许婷", agency=department, roles=[roles.CATALOGUE_EDITOR])
    district_reviewer = StaffFactory(
        full_name="杜鹃", agency=district_justice_bureau, roles=[roles.JUSTICE_REVIEWER]
    )
    approver = StaffFactory(full_name="何军", agency=district_government, roles=[roles.GOVERNMENT_APPROVER])
    catalogue = services.start_version(actor=editor)
    add_matter(catalogue, name="企业登记住所场地证明", service_name="公司登记", field="market_access")
    catalogue = services.submit(actor=editor, catalogue=catalogue)
    catalogue = services.pass_review(actor=district_reviewer, catalogue=catalogue)
    catalogue = services.approve(actor=approver, catalogue=catalogue, publish_now=True)
    services.report(actor=approver, catalogue=catalogue)

    # 市司法局 opens the district lists and returns this one with a comment.
    login_as(reviewer)
    page.goto("/catalog/review/")
    page.get_by_role("link", name="区县清单汇总").click()
    assert "待汇总（1）" in page.locator("main").inner_text()
    check_page(page, "city-aggregation")
    page.get_by_label("意见（退回时必填）").fill(COMMENT)
    page.get_by_role("button", name="退回并附意见").click()
    assert "市司法局退回" in page.locator(".messages").inner_text()

    # The district government reads the comments and reports again with its reply.
    switch_user(page, login_as, approver)
    page.goto("/catalog/approve/")
    assert "市司法局已退回报送" in page.locator("main").inner_text()
    page.get_by_role("link", name="查看退回意见").click()
    assert COMMENT in page.locator(".city-returns").inner_text()
    check_page(page, "district-returned")
    page.get_by_label("处理说明（重新报送时必填）").fill(
        "已核实：本区事项以区级数据共享核查，时限与设定依据一致。"
    )
    page.get_by_role("button", name="报送市司法局汇总").click()
    assert "已报送市司法局汇总" in page.locator(".messages").inner_text()

    # 市司法局 marks it aggregated.
    switch_user(page, login_as, reviewer)
    page.goto("/catalog/aggregation/?status=reported")
    assert "已核实" in page.locator("main").text_content()
    page.get_by_role("button", name="登记已汇总").click()
    assert "市司法局已汇总" in page.locator(".messages").inner_text()
    check_page(page, "city-aggregated")
