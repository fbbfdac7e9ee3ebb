"""Citizen experience in the browser: from the matter page to a signed letter in few clicks, double
clicks that lose nothing, and checks axe does not make (focus and border contrast, no sideways
scrolling on a phone, 关怀版 sizes), in both languages, with screenshots in tests/e2e/artifacts/."""

import re

import pytest

from tests.commitments.conftest import catalogue_staff, published, service  # noqa: F401 (fixtures)
from tests.factories import PASSWORD

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    from django.contrib.auth.models import Group

    from portal import roles

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url


class Taps:
    """Counts what a person clicks or taps (typing is not counted)."""

    def __init__(self):
        self.n = 0

    def __call__(self, locator, check=False):
        self.n += 1
        locator.check() if check else locator.click()


def _sign(page, tap, name="张伟"):
    for box in page.locator("input[type=checkbox][name^=statement_]").all():
        tap(box, check=True)
    page.get_by_label("签署人姓名").fill(name)
    page.get_by_label("登录密码").fill(PASSWORD)
    tap(page.get_by_role("button", name="确认签署"))
    page.wait_for_load_state()


def _matter_url(service):  # noqa: F811
    from catalog.models import CertificationMatter as Matter

    return f"/catalog/matters/{Matter.objects.get(service=service, name='无犯罪记录证明').pk}/"


def test_from_the_matter_page_to_a_signed_letter_in_fewer_clicks(page, login_as, check_page, citizen,
                                                                 service, capsys):  # noqa: F811
    citizen.subject.name = "张伟"
    citizen.subject.save()
    login_as(citizen)

    # Before: the way the portal offered until now — workspace, my applications, the service picker.
    before = Taps()
    page.goto(_matter_url(service))
    before(page.get_by_role("link", name="我的工作台"))
    before(page.get_by_role("link", name="我的办件", exact=True))
    before(page.get_by_role("link", name="在线申请办理"))
    before(page.get_by_label("律师执业核准"), check=True)
    before(page.get_by_role("button", name="下一步"))
    before(page.get_by_role("button", name="开始办理"))
    before(page.get_by_role("link", name=re.compile(r"^承诺\s*：\s*无犯罪记录证明$")))
    _sign(page, before)
    assert "已签署《无犯罪记录证明》告知承诺书" in page.content()

    # After: 在线办理 on the matter page carries the service to the start form.
    after = Taps()
    page.goto(_matter_url(service))
    check_page(page, "matter-page-apply-online")
    after(page.get_by_role("link", name="在线办理"))
    assert "申请办理：律师执业核准" in page.content()
    after(page.get_by_role("button", name="开始办理"))
    after(page.get_by_role("link", name=re.compile(r"^承诺\s*：\s*无犯罪记录证明$")))
    _sign(page, after)
    assert "已签署《无犯罪记录证明》告知承诺书" in page.content()
    with capsys.disabled():
        print(f"\n从证明事项页面到签署告知承诺书的点击次数：之前 {before.n} 次，现在 {after.n} 次"
              f"（其中逐项确认承诺 6 次）")
    assert after.n < before.n


def test_an_anonymous_visitor_logs_in_from_the_matter_page_and_lands_on_the_start_form(page, citizen, service):  # noqa: F811
    page.goto(_matter_url(service))
    page.get_by_role("link", name="在线办理").click()
    page.get_by_label("用户名或手机号码").fill(citizen.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert "申请办理：律师执业核准" in page.content()


def test_the_service_picker_finds_a_service_by_two_characters_or_pinyin_initials(page, login_as, citizen,
                                                                                 service):  # noqa: F811
    login_as(citizen)
    page.goto("/applications/new/")
    box = page.get_by_label("查找办理事项")
    box.fill("lszy")
    assert page.get_by_label("律师执业核准").is_visible()
    box.fill("执业")
    assert page.get_by_label("律师执业核准").is_visible()
    box.fill("zzzz")
    assert not page.get_by_label("律师执业核准").is_visible()
    assert page.get_by_text("没有找到匹配的办理事项").is_visible()
