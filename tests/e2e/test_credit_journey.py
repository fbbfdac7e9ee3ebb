"""Credit journey in a real browser: an officer enters a serious record; the subject sees it and is refused
the commitment system; objects; the officer maintains it; after the minimum period the subject applies
for repair, the officer approves, and the subject may commit again."""

import datetime

import pytest
from django.utils import timezone

from portal import roles
from tests.factories import CitizenFactory, StaffFactory, SubjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

ID_NUMBER = "610113198805203217"


@pytest.fixture
def proof(tmp_path):
    path = tmp_path / "整改报告.pdf"
    path.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    return path


def test_officer_records_subject_objects_then_repairs_and_is_restored(page, login_as, check_page, settings, tmp_path,
                                                                      proof, agency):
    from credit.models import DishonestyRecord

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CREDIT_PUSH_URL = ""
    officer = StaffFactory(full_name="周涛", agency=agency, roles=[roles.CREDIT_OFFICER])
    subject = SubjectFactory(name="赵小云", id_number=ID_NUMBER)
    citizen = CitizenFactory(full_name="赵小云", subject=subject)

    def switch_to(user):
        page.context.clear_cookies()
        login_as(user)

    # 1. The officer enters a serious false-commitment record.
    switch_to(officer)
    page.goto("/credit/officer/")
    check_page(page, "officer-desk-empty")
    page.get_by_role("link", name="录入失信记录").first.click()
    page.get_by_label("自然人").check()
    page.get_by_label("主体名称（姓名或单位名称）").fill("赵小云")
    page.get_by_label("证件号码（居民身份证号或统一社会信用代码）").fill(ID_NUMBER)
    page.get_by_label("虚假承诺").check()
    page.get_by_label("承诺书编号").fill("CN-2026-00088")
    page.get_by_label("失信程度").select_option("serious")
    page.get_by_label("决定文号").fill("西人社罚〔2026〕21号")
    page.get_by_label("决定日期").fill(timezone.localdate().isoformat())
    page.get_by_label("失信事实").fill("申请时承诺已缴纳社会保险满一年，经数据比对核查，承诺内容不实。")
    check_page(page, "record-form")
    page.get_by_role("button", name="录入").click()
    assert "失信记录已录入" in page.content()
    check_page(page, "record-detail")

    # 2. The subject sees it and is refused the commitment system, with the reasons.
    switch_to(citizen)
    page.goto("/credit/me/")
    assert "西人社罚〔2026〕21号" in page.content()
    assert "暂不适用告知承诺制" in page.locator("#eligibility-result").inner_text()
    assert "黑名单" in page.content()
    assert page.get_by_role("link", name="申请信用修复").count() == 0  # too early
    check_page(page, "my-credit-refused")
    page.goto("/credit/blacklist/")
    assert "赵*" in page.content() and "6****************7" in page.content()
    check_page(page, "blacklist")

    # 3. The subject objects, with an attachment.
    page.goto("/credit/me/")
    page.get_by_role("link", name="提出异议").first.click()
    page.get_by_label("异议理由").fill("本人在承诺时已按月缴纳社保，系单位漏报，附缴费凭证。")
    page.get_by_label("证明材料（可选）").set_input_files(str(proof))
    check_page(page, "objection-form")
    page.get_by_role("button", name="提交异议").click()
    assert "异议处理中" in page.content()
    check_page(page, "record-under-objection")

    # 4. The officer maintains the record.
    switch_to(officer)
    page.goto("/credit/officer/")
    page.get_by_role("link", name="赵小云 · 西人社罚〔2026〕21号").click()
    page.get_by_label("维持原记录").check()
    page.get_by_label("处理意见").fill("经复核，社保缴费记录显示承诺时未缴满一年，维持原记录。")
    check_page(page, "objection-decide")
    page.get_by_role("button", name="提交处理结果").click()
    assert "异议已处理" in page.content()

    # 5. After the minimum period the subject applies for repair.
    record = DishonestyRecord.objects.get(decision_number="西人社罚〔2026〕21号")
    DishonestyRecord.objects.filter(pk=record.pk).update(repair_allowed_on=record.decision_date)
    switch_to(citizen)
    page.goto("/credit/me/")
    page.get_by_role("link", name="申请信用修复").first.click()
    page.get_by_label("整改情况").fill("已补缴社会保险，并书面说明情况，今后如实承诺。")
    page.get_by_label("整改证明材料").set_input_files(str(proof))
    page.get_by_label("本人（本单位）承诺").check()
    check_page(page, "repair-form")
    page.get_by_role("button", name="提交申请").click()
    assert "信用修复申请已提交" in page.content()

    # 6. The officer approves; the subject may use the commitment system again.
    switch_to(officer)
    page.goto("/credit/officer/")
    check_page(page, "officer-desk-queue")
    page.locator("#repairs-title + ul").get_by_role("link").first.click()
    page.get_by_label("准予修复").check()
    check_page(page, "repair-decide")
    page.get_by_role("button", name="提交审核结果").click()
    assert "信用修复申请已审核" in page.content()

    switch_to(citizen)
    page.goto("/credit/me/")
    assert "可以适用告知承诺制" in page.locator("#eligibility-result").inner_text()
    assert "已信用修复" in page.content()
    check_page(page, "my-credit-restored")
    page.goto("/credit/blacklist/")
    assert "赵*" not in page.content()
    assert record.decision_date <= timezone.localdate() + datetime.timedelta(days=0)
