"""Browser journey of the complaints desk: report → route → reply → track → rate, and a 12345 call."""


import pytest

from tests.challenge import answer

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

def _solve(page) -> str:
    """The answer the form's token accepts (tests/challenge.py): no regex reads it off the page."""
    return answer(page.locator("input[name=challenge_token]").get_attribute("value"))


def test_anonymous_report_is_routed_answered_tracked_and_rated(page, check_page, login_as, operator, clerk, agency):
    # 1. An anonymous visitor reports a doubtful publicity entry.
    page.goto("/complaints/new/")
    assert "匿名举报" in page.locator("h1").inner_text()
    check_page(page, "report-form")
    page.get_by_label("标题").fill("公示的企业住所承诺疑似不实")
    page.get_by_label("具体内容").fill("承诺公示栏中某公司承诺的经营场所，实地为居民住宅，疑似虚假承诺。")
    page.get_by_label("告知承诺书或公示编号").fill("CN-2026-000123")
    page.get_by_label("验证问题").fill(str(int(_solve(page)) + 1))  # first a wrong answer
    page.get_by_role("button", name="提交").click()
    assert "答案不正确" in page.locator("#id_challenge_answer ~ .invalid-feedback, .invalid-feedback").first.inner_text()
    check_page(page, "report-wrong-answer")
    page.get_by_label("验证问题").fill(_solve(page))
    page.get_by_role("button", name="提交").click()
    page.wait_for_url("**/complaints/new/done/")
    number = page.locator("#ticket-number").inner_text().strip()
    code = page.locator("#lookup-code").inner_text().strip()
    assert number.startswith("JB") and len(code) == 8
    check_page(page, "report-filed")

    # 2. The 12345 operator enters a call and routes the anonymous report.
    page.context.clear_cookies()
    login_as(operator)
    page.goto("/complaints/desk/call/")
    page.get_by_label("投诉", exact=True).check()
    page.get_by_label("标题").fill("窗口仍要求提供无犯罪记录证明")
    page.get_by_label("具体内容").fill("来电人称已签署告知承诺书，窗口仍要求提供证明。")
    page.get_by_label("来电人或来访人姓名").fill("王先生")
    page.get_by_label("联系电话").fill("13900000000")
    page.get_by_label("分派至").select_option(label=agency.name)
    check_page(page, "operator-call-form")
    page.get_by_role("button", name="录入工单").click()
    assert "已录入" in page.locator(".alert-success").inner_text()
    check_page(page, "operator-call-entered")

    page.goto("/complaints/desk/")
    check_page(page, "operator-desk")
    page.get_by_role("link", name=number).click()
    page.get_by_label("承办机关").select_option(label=agency.name)
    page.get_by_role("button", name="分派").click()
    assert "工单已分派" in page.content()
    check_page(page, "operator-routed")

    # 3. The agency signs for it and replies.
    page.context.clear_cookies()
    login_as(clerk)
    page.goto("/complaints/inbox/")
    check_page(page, "agency-inbox")
    page.get_by_role("link", name=number).click()
    page.get_by_role("button", name="签收工单").click()
    page.get_by_label("答复内容").fill("经核查，该公司已按要求整改，相关情况已转核查部门依法处理。感谢您的监督。")
    check_page(page, "agency-reply-form")
    page.get_by_role("button", name="发送答复").click()
    assert "答复已发送" in page.content()

    # 4. The reporter tracks the ticket with number and code, and rates the reply.
    page.context.clear_cookies()
    page.goto("/complaints/track/")
    page.get_by_label("工单编号").fill(number)
    page.get_by_label("查询码").fill(code)
    check_page(page, "track-form")
    page.get_by_role("button", name="查询").click()
    page.wait_for_url(f"**/complaints/track/{number}/")
    assert "经核查" in page.content()
    check_page(page, "tracked-replied")
    page.get_by_label("满意", exact=True).check()
    page.get_by_role("button", name="提交评价").click()
    assert "感谢您的评价" in page.content()
    assert "已办结" in page.locator(".badge").first.inner_text()
    check_page(page, "tracked-closed")


def test_faq_page_is_searchable_without_javascript(page, check_page):
    page.goto("/complaints/faq/?q=承诺")
    assert "常见问题" in page.locator("h1").inner_text()
    check_page(page, "faq")
