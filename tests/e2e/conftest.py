"""Browser tests: Playwright (Python) driving Debian's Chromium against the live server.

Every later browser test reuses these fixtures: ``page`` (a fresh context), ``login_as`` and
``check_page`` (axe-core WCAG 2 A/AA check plus a screenshot under ``tests/e2e/artifacts/``).
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(__file__).parent / "artifacts"
# Playwright's sync API runs an event loop in this thread; Django's ORM checks refuse that
# unless told the calls are made from synchronous test code (they are).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = pytest.mark.e2e


def pytest_collection_modifyitems(config, items):
    if os.path.exists(CHROMIUM):
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"{CHROMIUM} is missing but REQUIRE_BROWSER is set (CI must run browser tests)")
    skip = pytest.mark.skip(reason="Chromium 未安装（apt-get install chromium）")
    for item in items:
        if "tests/e2e" in str(item.fspath):
            item.add_marker(skip)


def _keep_serialized_contents():
    """Carry Django's test-database snapshot over to the connection objects seen once Playwright runs.

    Playwright's sync API runs an event loop in this thread; asgiref then hands Django new
    connection objects, which lack the snapshot ``serialized_rollback`` restores from, so
    rows made by data migrations (roles, calendar, policies) would vanish after the first flush.
    """
    from django.db import connections

    snapshots = {
        alias: connections[alias]._test_serialized_contents
        for alias in connections
        if hasattr(connections[alias], "_test_serialized_contents")
    }

    def restore():
        for alias, contents in snapshots.items():
            if not hasattr(connections[alias], "_test_serialized_contents"):
                connections[alias]._test_serialized_contents = contents

    return restore


@pytest.fixture(scope="session")
def browser(django_db_setup, django_db_blocker):
    from playwright.sync_api import sync_playwright

    restore_snapshots = _keep_serialized_contents()
    with sync_playwright() as playwright:
        restore_snapshots()
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()


@pytest.fixture
def login_as(page):
    """Log ``user`` in through the real login form (password from the factories). Credit officers,
    approvers and superusers then type the 6-digit code their authenticator would show (a confirmed
    device is made for them if they have none), as they must in the portal."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal import roles, two_factor
    from tests.factories import PASSWORD

    def login(user, password=PASSWORD):
        device = None
        if roles.requires_two_factor(user):
            device = two_factor.confirmed_device(user) or TOTPDevice.objects.create(
                user=user, name=two_factor.DEVICE_NAME, confirmed=True)
        page.goto("/accounts/login/")
        page.get_by_label("用户名或手机号码").fill(user.username)
        page.get_by_label("密码").fill(password)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        if device is not None:
            page.get_by_label("6位动态验证码").fill(two_factor.next_code(device))
            page.get_by_role("button", name="验证并登录").click()
            page.wait_for_load_state()

    return login


@pytest.fixture
def check_page(request):
    """Screenshot the page and assert axe-core finds no WCAG 2 A/AA violations on it."""
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    ARTIFACTS.mkdir(exist_ok=True)
    counter = {"n": 0}

    def check(page, name: str):
        counter["n"] += 1
        slug = re.sub(r"[^A-Za-z0-9_-]+", "-", f"{request.node.name}-{counter['n']:02d}-{name}")
        page.screenshot(path=str(ARTIFACTS / f"{slug}.png"), full_page=True)
        results = axe.run(page, options={"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}})
        violations = results.response["violations"]
        assert not violations, f"{name}: axe 发现无障碍问题:\n" + "\n".join(
            f"- {v['id']} ({v['impact']}): {v['help']} → {[n['target'] for n in v['nodes']][:3]}" for v in violations
        )

    return check
