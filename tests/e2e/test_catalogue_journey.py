"""A department's list from import to publication, in the browser, then a citizen finds the matter."""

import pytest

from tests.catalog.test_import_export import ROWS, xlsx_bytes

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def switch_user(page, login_as, user):
    page.context.clear_cookies()
    login_as(user)


def test_a_department_list_goes_from_import_to_the_public_catalogue(
    page, login_as, check_page, editor, reviewer, approver, tmp_path
):
    upload = tmp_path / "人社局证明事项清单.xlsx"
    upload.write_bytes(xlsx_bytes(ROWS))

    # The editor starts the first version and imports the list.
    login_as(editor)
    page.goto("/catalog/manage/")
    check_page(page, "editor-manage-empty")
    page.get_by_role("link", name="开始编制清单").click()
    check_page(page, "editor-new-version")
    page.get_by_role("button", name="新建草稿").click()
    page.get_by_role("link", name="从 Excel/CSV 导入").click()
    page.get_by_label("清单文件").set_input_files(str(upload))
    check_page(page, "editor-import")
    page.get_by_role("button", name="检查并预览").click()
    assert "检查无误：共 3 项证明事项" in page.locator("#ready-title").inner_text()
    check_page(page, "editor-import-preview")
    page.get_by_role("button", name="确认导入").click()
    assert "导入成功：新增3项" in page.locator(".messages").inner_text()
    check_page(page, "editor-imported")
    page.get_by_role("button", name="报送司法局审核").click()
    assert "已报送" in page.locator(".messages").inner_text()

    # The justice bureau returns it with a comment.
    switch_user(page, login_as, reviewer)
    page.goto("/catalog/review/")
    check_page(page, "reviewer-queue")
    page.get_by_role("link", name="审阅").click()
    page.get_by_label("意见（退回时必填）").fill("“经济困难证明”的核查时限过长，请改为3个工作日。")
    check_page(page, "reviewer-catalogue")
    page.get_by_role("button", name="退回修改").click()
    assert "已退回" in page.locator(".messages").inner_text()

    # The editor fixes the matter and resubmits.
    switch_user(page, login_as, editor)
    page.goto("/catalog/manage/")
    page.get_by_role("link", name="继续办理第1版").click()
    assert "核查时限过长" in page.locator("#comments-title + ul").inner_text()
    check_page(page, "editor-returned")
    page.get_by_role("button", name="继续修改").click()
    page.get_by_role("link", name="修改 经济困难证明").click()
    page.get_by_label("核查时限（工作日）").fill("3")
    check_page(page, "editor-matter-form")
    page.get_by_role("button", name="保存").click()
    page.get_by_role("button", name="报送司法局审核").click()

    # The reviewer passes it; the city government approves and publishes it.
    switch_user(page, login_as, reviewer)
    page.goto("/catalog/review/")
    page.get_by_role("link", name="审阅").click()
    page.get_by_role("button", name="审核通过").click()
    assert "司法局审核通过" in page.locator(".messages").inner_text()
    switch_user(page, login_as, approver)
    page.goto("/catalog/approve/")
    check_page(page, "approver-queue")
    page.get_by_role("link", name="审阅").click()
    page.get_by_role("button", name="批准并公布").click()
    assert "已公布" in page.locator(".messages").inner_text()

    # A citizen, not logged in, finds the matter and downloads the letter template.
    page.context.clear_cookies()
    page.goto("/catalog/")
    page.get_by_label("证明名称或办理事项").fill("经济困难")
    page.get_by_role("button", name="查询").click()
    check_page(page, "public-search")
    page.get_by_role("link", name="经济困难证明").click()
    body = page.locator("main").inner_text()
    assert "受理后 3 个工作日内" in body and "虚假承诺的法律责任" in body
    check_page(page, "public-matter")
    with page.expect_download() as download_info:
        page.get_by_role("link", name="下载告知承诺书格式文本（PDF）").click()
    path = download_info.value.path()
    with open(path, "rb") as f:
        assert f.read(4) == b"%PDF"
    page.goto("/catalog/")
    page.get_by_role("link", name="安全生产条件证明").click()
    assert "本证明不适用告知承诺制" in page.locator("main").inner_text()
    check_page(page, "public-excluded-matter")
