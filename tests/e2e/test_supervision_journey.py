"""Supervision in a real browser: a supervisor reads the dashboard and its charts, drafts a notice from the
figures, another supervisor of the city government approves and publishes it, and the public sees it."""

import pytest
from django.core.cache import cache
from django.utils import timezone

from portal import roles
from tests.e2e.conftest import ARTIFACTS
from tests.factories import StaffFactory
from tests.supervision import builders as b

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_supervisor_reads_charts_drafts_a_notice_that_an_approver_publishes(page, login_as, check_page, settings,
                                                                              supervisor, city_government):
    # Fast hashes for the many builder accounts; the fixtures' PBKDF2 hashes still verify.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    today = timezone.localdate()
    last_month = max(today.month - 1, 1)
    b.busy_year(city_government, today.year, last_month)
    approver = StaffFactory(full_name="韩梅", agency=city_government, roles=[roles.SUPERVISOR])
    cache.clear()

    def switch_to(user):
        page.context.clear_cookies()
        login_as(user)

    # 1. The dashboard: headline figures, charts with their tables.
    switch_to(supervisor)
    page.goto("/supervision/")
    assert page.get_by_role("heading", name="每月办件与告知承诺").is_visible()
    assert page.locator("svg[role=img]").count() >= 6
    check_page(page, "dashboard")
    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("section.chart-card").nth(0).screenshot(path=str(ARTIFACTS / "supervision-chart-monthly.png"))
    page.locator("section.chart-card").nth(2).screenshot(path=str(ARTIFACTS / "supervision-chart-scores.png"))

    # 2. The assessment table, with its exports.
    page.get_by_role("link", name="考核表").click()
    assert page.get_by_role("link", name="导出 Excel").is_visible()
    check_page(page, "assessment")

    # 3. A notice drafted from the figures.
    page.get_by_role("link", name="总览与图表").click()
    page.get_by_role("link", name="根据本期数据起草督查通报").click()
    assert "按时核查率" in page.get_by_label("通报内容").input_value()
    check_page(page, "notice-draft")
    page.get_by_role("button", name="保存草稿").click()
    assert page.get_by_text("通报草稿已保存").is_visible()
    assert page.get_by_role("button", name="审核通过").count() == 0  # not for the author

    # 4. Another supervisor of the city government approves and publishes.
    notice_url = page.url
    switch_to(approver)
    page.goto(notice_url)
    page.get_by_role("button", name="审核通过").click()
    page.get_by_role("button", name="发布到门户网站").click()
    assert page.get_by_text("通报已在门户网站发布").is_visible()
    check_page(page, "notice-published")

    # 5. The public transparency page shows the figures and the notice.
    page.context.clear_cookies()
    page.goto("/transparency/")
    assert page.get_by_role("link", name="关于西安市人民政府证明事项告知承诺制落实情况的通报").is_visible()
    check_page(page, "transparency")
