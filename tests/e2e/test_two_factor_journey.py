"""Browser: an approver's first login binds an authenticator app; the next login asks for the code."""

import base64
import re
import time

import pytest
from django_otp.oath import hotp

from portal import two_factor
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def password_step(page, user, start="/accounts/login/"):
    page.goto(start)
    page.get_by_label("用户名或手机号码").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()


def test_approver_enrols_an_authenticator_then_logs_in_with_a_code(page, check_page, approver):
    password_step(page, approver)
    assert "/accounts/two-factor/enrol/" in page.url
    assert page.get_by_role("heading", name="绑定验证器应用").is_visible()
    assert page.get_by_role("img", name="绑定验证器应用的二维码").is_visible()
    check_page(page, "enrol")

    # What a person types into the app by hand: the key shown in groups of four.
    secret = re.sub(r"\s+", "", page.locator("p.font-monospace").inner_text())
    code = f"{hotp(base64.b32decode(secret), int(time.time()) // 30):06d}"
    page.get_by_label("6位动态验证码").fill("000000" if code != "000000" else "111111")
    page.get_by_role("button", name="完成绑定并登录").click()
    # Said beside the field and, after a refused submit, in the error summary at the top.
    assert page.locator("[data-error-summary]").get_by_text("动态验证码不正确或已过期").is_visible()
    assert page.locator(".invalid-feedback").get_by_text("动态验证码不正确或已过期").is_visible()
    time.sleep(1.1)  # the throttle after one wrong code is one second
    page.get_by_label("6位动态验证码").fill(code)
    page.get_by_role("button", name="完成绑定并登录").click()
    page.wait_for_load_state()
    assert page.url.endswith("/workspace/")
    assert page.get_by_text("验证器应用已绑定").is_visible()

    page.context.clear_cookies()  # a new browser session
    password_step(page, approver, start="/catalog/approve/")  # → the login page, then back here
    assert "/accounts/two-factor/?" in page.url
    check_page(page, "verify")
    page.get_by_label("6位动态验证码").fill(two_factor.next_code(two_factor.confirmed_device(approver)))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_load_state()
    assert page.url.endswith("/catalog/approve/")
    assert page.get_by_role("heading", name="清单审批").is_visible()
