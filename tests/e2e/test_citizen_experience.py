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
    for no in page.locator("input[type=radio][name^=negative_][value=no]").all():
        tap(no, check=True)  # 负面清单 questions: answered “否” (each a click the citizen makes)
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
              f"（其中逐项确认承诺 6 次，回答负面清单问题 1 次）")
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


# --- what axe does not check ------------------------------------------------------------------------
CONTRAST_JS = """
() => {
  const rgb = (c) => (c.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => { const f = (v) => { v /= 255; return v <= .03928 ? v / 12.92 : ((v + .055) / 1.055) ** 2.4; };
    return .2126 * f(r) + .7152 * f(g) + .0722 * f(b); };
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + .05) / (y + .05); };
  const background = (el) => { for (let e = el; e; e = e.parentElement) { const c = rgb(getComputedStyle(e).backgroundColor);
    if (c.length === 3 || (c.length === 4 && c[3] > .5)) return c.slice(0, 3); } return [255, 255, 255]; };
  window.__contrast = { rgb, ratio, background };
}
"""

FOCUS_JS = """
() => {
  const el = document.activeElement; if (!el || el === document.body) return null;
  const s = getComputedStyle(el); const {rgb, ratio, background} = window.__contrast;
  const around = background(el.parentElement || el);
  const width = parseFloat(s.outlineWidth) || 0;
  return {name: (el.innerText || el.value || el.name || el.id || el.tagName).trim().slice(0, 30),
          style: s.outlineStyle, width, ratio: s.outlineStyle === 'none' ? 0 : ratio(rgb(s.outlineColor).slice(0, 3), around)};
}
"""

BORDERS_JS = """
() => Array.from(document.querySelectorAll('input:not([type=hidden]), select, textarea'))
  .filter((el) => el.offsetParent !== null)
  .map((el) => { const s = getComputedStyle(el); const {rgb, ratio, background} = window.__contrast;
    return {name: el.name || el.id, ratio: ratio(rgb(s.borderTopColor).slice(0, 3), background(el.parentElement))}; })
"""


def _focus_rings(page, limit=60):
    """Tab through the page; every focused element must show an outline of at least 3:1 against what is behind it."""
    page.evaluate(CONTRAST_JS)
    page.locator("body").focus()
    seen, bad = 0, []
    for _i in range(limit):
        page.keyboard.press("Tab")
        ring = page.evaluate(FOCUS_JS)
        if ring is None:
            break
        seen += 1
        if ring["width"] < 2 or ring["ratio"] < 3:
            bad.append(ring)
    return seen, bad


def _audit(page, label):
    seen, bad = _focus_rings(page)
    assert seen and not bad, f"{label}: focus rings under 3:1: {bad[:5]}"
    borders = [b for b in page.evaluate(BORDERS_JS) if b["ratio"] < 3]
    assert not borders, f"{label}: control borders under 3:1: {borders[:5]}"


def _no_sideways_scroll(page, label):
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    wide = page.evaluate("""() => Array.from(document.querySelectorAll('body *'))
      .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
      .slice(-4).map((e) => e.tagName + '.' + e.className + ' ' + (e.innerText || '').slice(0, 20))""")
    assert width[0] <= width[1], f"{label}: the page scrolls sideways at {width[1]} px ({width[0]} px wide): {wide}"
    # Card rows: each labelled cell keeps room for its label on the left (the label floats there).
    squeezed = page.evaluate("""() => Array.from(document.querySelectorAll('table.table-cards td[data-label]'))
      .filter((td) => { const s = getComputedStyle(td); return parseFloat(s.paddingLeft) < 4 * parseFloat(s.fontSize); })
      .map((td) => td.dataset.label)""")
    assert not squeezed, f"{label}: card cells without room for their label: {squeezed[:5]}"
    # Tap targets: buttons, fields, page links, links in table cells and tick boxes' rows at least 44 px high.
    small = page.evaluate("""() => Array.from(document.querySelectorAll(
        'main .btn, main .form-control, main .form-select, main .page-link, main td a, main th a, main .form-check'))
      .filter((e) => e.offsetParent !== null && e.getBoundingClientRect().height < 43.5)
      .map((e) => e.tagName + ' ' + (e.innerText || e.name || '').trim().slice(0, 20))""")
    assert not small, f"{label}: tap targets under 44 px: {small[:5]}"


def _key_pages(service, application):  # noqa: F811
    req = application.requirements.get(matter__name="无犯罪记录证明")
    return [
        ("home", "/"), ("catalogue", "/catalog/"), ("matter", _matter_url(service)),
        ("my-applications", "/applications/"), ("picker", "/applications/new/"),
        ("application", f"/applications/{application.pk}/"), ("sign", f"/applications/{application.pk}/requirements/{req.pk}/commit/"),
        ("report", "/complaints/new/"), ("credit", "/credit/me/"),
    ]


@pytest.fixture
def draft(citizen, service):  # noqa: F811
    from commitments import services as commitment_services

    citizen.subject.name = "张伟"
    citizen.subject.save()
    application, _created = commitment_services.start_online(user=citizen, service_id=service.pk,
                                                              token="6f1c6a1e-0000-4000-8000-000000000001")
    return application


def _toggle_care_mode(page):
    page.goto("/")
    page.get_by_role("button", name="关怀版").click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_key_pages_show_focus_and_controls_and_fit_a_phone_in_both_languages(page, login_as, check_page, citizen,
                                                                          service, draft, language):  # noqa: F811
    login_as(citizen)
    if language == "en":
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state()
    for name, url in _key_pages(service, draft):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        _audit(page, f"{language} {name}")
        check_page(page, f"{language}-desktop-{name}")
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(url)
        _no_sideways_scroll(page, f"{language} {name}")
        page.screenshot(path=str(_artifact(f"{language}-phone-{name}")), full_page=True)


def _artifact(name):
    from tests.e2e.conftest import ARTIFACTS

    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / f"ux-{name}.png"


def test_care_mode_grows_text_headings_buttons_badges_and_controls(page, login_as, check_page, citizen,
                                                                   service, draft):  # noqa: F811
    login_as(citizen)
    _toggle_care_mode(page)
    toggle = page.get_by_role("button", name="关怀版")
    assert toggle.get_attribute("aria-pressed") == "true"
    for name, url in _key_pages(service, draft):
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(url)
        sizes = page.evaluate("""() => {
          const px = (sel) => { const e = document.querySelector(sel); return e ? parseFloat(getComputedStyle(e).fontSize) : null; };
          const body = getComputedStyle(document.body);
          return {body: parseFloat(body.fontSize), line: parseFloat(body.lineHeight) / parseFloat(body.fontSize),
                  h1: px('main h1'), button: px('main .btn'), control: px('main .form-control, main .form-select'),
                  badge: px('main .badge')};
        }""")
        assert sizes["body"] >= 24 and sizes["line"] >= 1.3, (name, sizes)  # 18 pt main text, line height ≥ 1.3
        assert sizes["h1"] is None or sizes["h1"] > sizes["body"], (name, sizes)
        for part in ("button", "control"):
            assert sizes[part] is None or sizes[part] >= 24, (name, part, sizes)
        assert sizes["badge"] is None or sizes["badge"] >= 18, (name, sizes)
        _audit(page, f"care {name}")
        check_page(page, f"care-desktop-{name}")
        page.set_viewport_size({"width": 375, "height": 812})
        page.goto(url)
        _no_sideways_scroll(page, f"care {name}")
        page.screenshot(path=str(_artifact(f"care-phone-{name}")), full_page=True)
    page.get_by_role("button", name="关怀版").click()
    page.wait_for_load_state()
    assert page.get_by_role("button", name="关怀版").get_attribute("aria-pressed") == "false"


def test_printing_an_application_or_a_matter_shows_the_portal_and_date_without_buttons(page, login_as, citizen,
                                                                                       service, draft):  # noqa: F811
    login_as(citizen)
    for name, url in (("application", f"/applications/{draft.pk}/"), ("matter", _matter_url(service))):
        page.goto(url)
        page.emulate_media(media="print")
        assert page.locator(".print-header").is_visible()
        assert "打印日期" in page.locator(".print-header").inner_text()
        for hidden in (".site-header", ".btn", ".col-actions", "a[href$='.pdf']", ".breadcrumb"):
            assert not any(e.is_visible() for e in page.locator(hidden).all()), (name, hidden)
        page.screenshot(path=str(_artifact(f"print-{name}")), full_page=True)
        page.emulate_media(media="screen")


@pytest.mark.parametrize("script", [True, False], ids=["with-script", "without-script"])
def test_double_clicking_submit_on_the_anonymous_report_shows_the_number_and_code(browser, live_server, script):
    from complaints.models import Ticket
    from tests.e2e.test_complaints_journey import _solve

    context = browser.new_context(base_url=live_server.url, locale="zh-CN", java_script_enabled=script)
    page = context.new_page()
    page.goto("/complaints/new/")
    page.get_by_label("标题").fill("公示的企业住所承诺疑似不实")
    page.get_by_label("具体内容").fill("承诺公示栏中某公司承诺的经营场所，实地为居民住宅。")
    page.get_by_label("验证问题").fill(_solve(page))
    page.get_by_role("button", name="提交").dblclick()
    page.wait_for_url("**/complaints/new/done/")
    number = page.locator("#ticket-number").inner_text().strip()
    assert len(page.locator("#lookup-code").inner_text().strip()) == 8
    assert Ticket.objects.filter(number=number).exists() and Ticket.objects.count() == 1
    context.close()
