"""§二(二) in the browser: who must bring the proof, and why.

1. A citizen with a minor dishonesty record opens a matter page: the page names the record and links to repair.
2. A citizen answers a 负面清单 question “是” before signing: the matter goes to the proof path, the entry quoted.
"""

import datetime
import re

import pytest
from django.utils import timezone

from catalog.models import CertificationMatter
from commitments.models import Commitment, Requirement
from credit import services as credit
from tests.commitments.conftest import catalogue_staff, published, service  # noqa: F401 (fixtures)
from tests.e2e.test_commitment_journey import _link

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
QUESTION = "曾因故意犯罪受过刑事处罚的"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url


def test_a_minor_dishonesty_record_is_named_on_the_matter_page_with_a_repair_link(
    page,
    login_as,
    check_page,
    citizen,
    agency,
    service,  # noqa: F811
):
    record = credit.enter_record(
        subject=citizen.subject,
        kind="other",
        basis="《企业信息公示暂行条例》第八条",
        severity="minor",
        decision_number="西市监信〔2026〕12号",
        decision_date=timezone.localdate() - datetime.timedelta(days=10),
        deciding_agency=agency,
        facts="未按期公示年度报告",
    )
    matter = CertificationMatter.objects.get(catalogue__agency=service.agency, name="无犯罪记录证明")

    login_as(citizen)
    page.goto(f"/catalog/matters/{matter.pk}/")
    panel = page.locator("#my-eligibility")
    text = panel.inner_text()
    assert "暂不适用告知承诺制，办理时请提交证明材料" in text
    assert "西市监信〔2026〕12号" in text and agency.name in text and "轻微" in text
    repair = panel.get_by_role("link", name="申请信用修复")
    assert repair.get_attribute("href") == f"/credit/me/records/{record.pk}/repair/"
    check_page(page, "matter-page-record-named")

    # Starting the service: every matter says why it must be proved; no 承诺 button.
    page.get_by_role("link", name="在线办理").click()
    page.wait_for_load_state()
    assert "西市监信〔2026〕12号" in page.locator("main").inner_text()
    page.get_by_role("button", name="开始办理").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    assert _link(page, "承诺", "无犯罪记录证明").count() == 0
    assert _link(page, "上传证明", "无犯罪记录证明").count() == 1
    check_page(page, "application-must-prove")

    page.goto(f"/catalog/matters/{matter.pk}/")
    page.locator("#my-eligibility").get_by_role("link", name="申请信用修复").click()
    page.wait_for_load_state()
    assert "西市监信〔2026〕12号" in page.locator("main").inner_text()
    check_page(page, "repair-form")


def test_answering_yes_to_a_negative_list_question_routes_the_matter_to_proof(
    page,
    login_as,
    check_page,
    citizen,
    service,  # noqa: F811
):
    login_as(citizen)
    page.goto(f"/applications/new/?service={service.pk}")
    page.get_by_role("button", name="开始办理").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    _link(page, "承诺", "无犯罪记录证明").click()
    questions = page.locator("#negative-questions")
    assert f"申请事项是否涉及：{QUESTION}？" in questions.inner_text()
    check_page(page, "sign-page-question")

    questions.locator("input[type=radio][value=yes]").check()
    page.get_by_role("button", name="确认签署").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    main = page.locator("main").inner_text()
    assert "“无犯罪记录证明”须提交证明，不能承诺" in main and f"不适用的情形：{QUESTION}" in main
    assert _link(page, "承诺", "无犯罪记录证明").count() == 0
    assert _link(page, "上传证明", "无犯罪记录证明").count() == 1
    requirement = Requirement.objects.get(application__subject=citizen.subject, matter__name="无犯罪记录证明")
    assert requirement.proof_only and not Commitment.objects.filter(requirement=requirement).exists()
    check_page(page, "routed-to-proof")


def test_the_editor_enters_a_subject_condition_and_is_told_in_chinese_what_is_missing(
    page, login_as, check_page, editor
):
    from catalog import services as catalog_services
    from tests.catalog.conftest import add_matter

    draft = catalog_services.start_version(actor=editor)
    matter = add_matter(draft)
    login_as(editor)
    page.goto(f"/catalog/manage/{draft.pk}/matters/{matter.pk}/edit/")
    page.locator("select[name=negative-0-kind]").select_option("subject")
    page.locator("input[name=negative-0-description]").fill("未满18周岁的申请人")
    page.locator("select[name=negative-0-rule]").select_option("age_below")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "年龄条件须填写周岁数。" in page.locator("#negative-list").inner_text()
    check_page(page, "editor-negative-error")
    page.locator("input[name=negative-0-number]").fill("18")
    page.locator("input[name=negative-1-description]").fill("申请人曾受过刑事处罚的")
    page.get_by_role("button", name="保存").click()
    page.wait_for_url(f"**/catalog/manage/{draft.pk}/")
    entries = {e.description: e for e in matter.negative_entries.all()}
    assert entries["未满18周岁的申请人"].number == 18 and entries["申请人曾受过刑事处罚的"].rule == "question"
    page.goto(f"/catalog/manage/matters/{matter.pk}/")
    text = page.locator("main").inner_text()
    assert (
        "系统自动核对：申请人未满18周岁" in text
        and "签署前询问：申请事项是否涉及：申请人曾受过刑事处罚的？" in text
    )
    check_page(page, "editor-negative-preview")
