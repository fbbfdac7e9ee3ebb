"""A verifier claims a task, checks online against the exchange simulator, asks another agency, which answers,
finds the commitment false and chooses dispositions; the subject's credit shows the record; an inspector
opens an on-site check on a phone. Screenshots under tests/e2e/artifacts/."""

import datetime

import pytest

from portal import roles
from tests.factories import PASSWORD, CitizenFactory, StaffFactory, SubjectFactory
from verification import services
from verification.models import VerificationPolicy, VerificationTask
from verification.simulator import start_in_thread

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Role groups come from a migration; make sure a flush by an earlier transactional test did not drop them."""
    from django.contrib.auth.models import Group

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def exchange(settings):
    server = start_in_thread()
    settings.VERIFICATION_EXCHANGE_URL = server.url
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def login(user, viewport=None):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True,
                                      viewport=viewport or {"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.goto("/accounts/login/")
        page.get_by_label("用户名或手机号码").fill(user.username)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.wait_for_load_state()
        return page

    yield login
    for c in contexts:
        c.close()


def test_verifier_journey_from_claim_to_false_commitment_and_credit(
        exchange, open_as, check_page, agency, justice_bureau, city_government, clerk, verifier, other_agency,
        other_agency_verifier, inspector):
    from tests.verification.factories import accepted_application, publish_catalogue, service_of

    VerificationPolicy.objects.filter(level="A").update(sample_percent=100)
    service = service_of(publish_catalogue(agency, justice_bureau, city_government))
    zhang = CitizenFactory(full_name="张伟", subject=SubjectFactory(name="张伟", id_number="610113198805203217"))
    application = accepted_application(service, clerk, zhang)
    services.plan_application(application.pk)
    task = VerificationTask.objects.get(application=application, method="data_sharing")

    # 1. the queue; claim with htmx (the row swaps in place)
    page = open_as(verifier)
    page.goto("/verification/queue/")
    check_page(page, "queue")
    row = page.locator(f"#task-{task.pk}")
    row.get_by_role("button", name="认领").click()
    page.locator(f"#task-{task.pk}").get_by_role("link", name="办理").wait_for()
    page.locator(f"#task-{task.pk}").get_by_role("link", name="办理").click()
    page.wait_for_url(f"**/verification/tasks/{task.pk}/")

    # 2. online data check against the simulator
    page.get_by_label("数据来源").select_option("household")
    page.get_by_role("button", name="查询并存证").click()
    page.get_by_text("陕西省西安市雁塔区小寨东路12号").wait_for()
    check_page(page, "task-after-data-check")

    # 3. assistance request to the other agency
    page.get_by_label("协查机关").select_option(label=other_agency.name)
    page.get_by_label("协查事项").fill("请确认张伟是否在贵局登记为执业场所的使用人。")
    page.get_by_role("button", name="发出协查函").click()
    page.get_by_text("协查函已发出").wait_for()

    other = open_as(other_agency_verifier)
    other.goto("/verification/assistance/inbox/")
    check_page(other, "assistance-inbox")
    other.locator("tbody a").first.click()
    other.get_by_label("情况不属实").check()
    other.get_by_label("回复内容").fill("经查，本局无张伟使用该场所的登记记录。")
    other.get_by_role("button", name="回复并生成协助回复函").click()
    other.get_by_text("已回复协查函").wait_for()
    check_page(other, "assistance-answered")
    pdf = other.request.get(other.get_by_role("link", name="下载协助回复函（PDF）").get_attribute("href"))
    assert pdf.ok and pdf.body().startswith(b"%PDF")

    # 4. conclude: false, with dispositions (first without one: the error stands beside the field)
    page.reload()
    page.get_by_text("情况不属实").first.wait_for()
    page.get_by_label("承诺不实").check()
    page.get_by_label("核查情况和依据").fill("户籍信息与承诺一致，但协查确认执业场所情况不实。")
    page.get_by_role("button", name="办结").click()
    page.get_by_text("请至少选择一项处理措施").wait_for()
    check_page(page, "conclude-error")
    page.get_by_label("承诺不实").check()
    page.get_by_label("核查情况和依据").fill("户籍信息与承诺一致，但协查确认执业场所情况不实。")
    page.get_by_label("终止办理（尚未作出决定的）").check()
    page.get_by_label("责令限期整改（生成整改复查任务）").check()
    page.get_by_label("整改期限（工作日）").fill("10")
    page.get_by_label("失信程度").select_option("general")
    page.get_by_label("认定文号").fill("西司核〔2026〕12号")
    page.get_by_label("法律依据").fill("《中华人民共和国行政许可法》第六十九条")
    page.get_by_label("文书编号").fill("西司终〔2026〕12号")
    page.get_by_role("button", name="办结").click()
    page.get_by_text("核查任务已办结").wait_for()
    assert "承诺不实" in page.content() and "终止办理" in page.content()
    check_page(page, "concluded-false")

    # 5. the subject's credit shows the record
    citizen_page = open_as(zhang)
    citizen_page.goto("/credit/me/")
    citizen_page.get_by_text("西司核〔2026〕12号").first.wait_for()
    check_page(citizen_page, "credit-me")

    # 6. an inspector opens an on-site check on a phone-sized screen
    onsite = VerificationTask.objects.get(application=application, method="on_site")
    services.claim(user=verifier, task_id=onsite.pk)
    services.assign_inspection(user=verifier, task_id=onsite.pk, inspectors=[inspector],
                               planned_date=datetime.date.today(), address="西安市雁塔区小寨东路12号")
    phone = open_as(inspector, viewport=PHONE)
    phone.goto("/verification/inspections/")
    check_page(phone, "phone-inspections")
    phone.get_by_role("link", name="执业场所使用证明").click()
    phone.get_by_text("告知承诺书").first.wait_for()
    check_page(phone, "phone-inspection")
    phone.get_by_label("承诺属实").check()
    phone.get_by_label("检查情况").fill("现场查看，场所与承诺一致。")
    phone.get_by_role("button", name="提交检查记录").click()
    phone.get_by_text("检查情况已记录").wait_for()
    check_page(phone, "phone-inspection-recorded")


def test_public_spot_check_page_is_accessible(page, check_page, agency):
    page.goto("/spot-checks/")
    assert "双随机" in page.locator("h1").inner_text()
    check_page(page, "spot-checks")


def test_supervisor_figures_page_is_accessible(open_as, check_page, supervisor):
    page = open_as(supervisor)
    page.goto("/verification/figures/")
    check_page(page, "figures")


def test_staff_roles_without_verifier_role_are_refused(open_as, agency):
    clerk = StaffFactory(agency=agency, roles=[roles.WINDOW_CLERK])
    page = open_as(clerk)
    response = page.goto("/verification/queue/")
    assert response.status == 403
