import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_citizen_registers_logs_in_and_sees_the_workspace(page, check_page):
    page.goto("/")
    assert "不用再开证明" in page.locator("h1").inner_text()
    check_page(page, "home")

    page.get_by_role("link", name="注册", exact=True).first.click()
    check_page(page, "register-choice")
    page.get_by_role("link", name="我是个人").click()

    page.get_by_label("姓名").fill("赵小云")
    page.get_by_label("手机号码").fill("1371234567")  # one digit short
    page.locator("#id_password1").fill("Qinling#2026")
    page.locator("#id_password2").fill("Qinling#2026")
    page.get_by_label("我已阅读并同意").check()
    page.get_by_role("button", name="注册").click()
    assert "11位" in page.locator("#id_mobile + .invalid-feedback, .invalid-feedback").first.inner_text()
    check_page(page, "register-error")

    page.get_by_label("手机号码").fill("13712345678")
    page.locator("#id_password1").fill("Qinling#2026")
    page.locator("#id_password2").fill("Qinling#2026")
    page.get_by_role("button", name="注册").click()
    page.wait_for_url("**/accounts/identity/")  # registration binds no record: real-name proofing comes next
    assert "注册成功" in page.content() and "尚未完成实名认证" in page.content()
    check_page(page, "identity-after-register")
    page.goto("/applications/")
    assert "请先完成实名认证" in page.content()
    check_page(page, "identity-required")

    page.get_by_role("button", name="赵小云").click()
    page.get_by_role("button", name="退出登录").click()
    page.goto("/accounts/login/")
    page.get_by_label("用户名或手机号码").fill("13712345678")
    page.get_by_label("密码").fill("Qinling#2026")
    check_page(page, "login")
    page.get_by_role("button", name="登录").click()
    page.wait_for_url("**/workspace/")
    heading = page.locator("h2", has_text="申请人")
    assert heading.count() == 1
    check_page(page, "workspace")


def test_care_mode_is_one_click_away_and_remembered(page, check_page):
    page.goto("/")
    page.get_by_role("button", name="关怀版").click()
    assert "care-mode" in page.locator("body").get_attribute("class")
    # The toggle keeps its name; its pressed state says whether 关怀版 is on.
    assert page.get_by_role("button", name="关怀版").get_attribute("aria-pressed") == "true"
    page.goto("/accounts/login/")
    assert "care-mode" in page.locator("body").get_attribute("class")
    check_page(page, "care-mode")
