"""Issue 18 in the browser: a commitment found false after the approval. A report opens the check; the verifier
finds the letter false and revokes the decision (撤销行政决定) with its legal basis and document number; the
severe (严重) finding is written to the credit file and the public blacklist; the citizen's case page shows the
decision without the verifier's notes; the reporter's tracker shows the outcome. Screenshots under
tests/e2e/artifacts/."""

import pytest
from django.urls import reverse

from portal import roles
from tests.factories import PASSWORD, CitizenFactory, SubjectFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

BASIS = "《中华人民共和国行政许可法》第六十九条第二款"


@pytest.fixture(autouse=True)
def _roles(transactional_db, settings):
    from django.contrib.auth.models import Group

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


@pytest.fixture
def open_as(browser, live_server):
    contexts = []

    def login(user=None):
        context = browser.new_context(base_url=live_server.url, locale="zh-CN", bypass_csp=True,
                                      viewport={"width": 1280, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(15_000)
        if user is not None:
            page.goto("/accounts/login/")
            page.get_by_label("用户名或手机号码").fill(user.username)
            page.get_by_label("密码").fill(PASSWORD)
            page.get_by_role("button", name="登录").click()
            page.wait_for_load_state()
        return page

    yield login
    for c in contexts:
        c.close()


def test_false_after_approval_revokes_records_credit_blacklists_and_tells_the_reporter(
        open_as, check_page, agency, justice_bureau, city_government, clerk, verifier):
    from commitments import services as commitments
    from commitments.models import Application, Commitment
    from complaints import services as complaints
    from complaints.models import Channel, Kind, Ticket, Topic
    from credit.models import DishonestyRecord
    from tests.verification.factories import accepted_application, publish_catalogue, service_of
    from verification.models import VerificationPolicy, VerificationTask

    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)
    service = service_of(publish_catalogue(agency, justice_bureau, city_government))
    li = CitizenFactory(full_name="李娜", subject=SubjectFactory(name="李娜", id_number="610113199002143426"))
    application = accepted_application(service, clerk, li)
    commitments.approve(clerk=clerk, application_pk=application.pk, decision_number="西人社许〔2026〕31号")
    commitment = Commitment.objects.get(application=application, matter__name="无犯罪记录证明")

    # A member of the public reports the letter; the report opens (or joins) the one check of it.
    ticket, code = complaints.file_ticket(
        kind=Kind.REPORT, channel=Channel.PORTAL, anonymous=True, title="承诺无犯罪记录不实",
        content="据了解申请人曾受刑事处罚，其无犯罪记录承诺疑似不实。", topic=Topic.FALSE_COMMITMENT,
        commitment_ref=commitment.letter_number)
    ticket.refresh_from_db()
    task = VerificationTask.objects.get(pk=int(ticket.referral_ref))

    # 1. The verifier claims the task and concludes it false; the case is approved, so only 撤销 is offered.
    page = open_as(verifier)
    page.goto(f"/verification/tasks/{task.pk}/")
    page.get_by_role("button", name="认领此任务").click()
    page.get_by_role("button", name="办结").wait_for()
    page.get_by_label("承诺不实").check()
    page.get_by_label("核查情况和依据").fill("内部记录：经公安机关协查，申请人2019年曾受刑事处罚。")
    page.get_by_label("撤销已作出的行政决定").check()
    page.get_by_label("失信程度").select_option("serious")
    page.get_by_label("认定文号").fill("西人社核〔2026〕31号")
    page.get_by_label("法律依据").fill("行政许可法")  # no article: refused beside the field
    page.get_by_label("文书编号").fill("西人社撤〔2026〕31号")
    page.get_by_role("button", name="办结").click()
    page.get_by_text("法律依据须写明法律名称（用书名号）和具体条款").wait_for()
    check_page(page, "basis-refused")
    assert Application.objects.get(pk=application.pk).state == "approved"
    page.get_by_label("承诺不实").check()
    page.get_by_label("核查情况和依据").fill("内部记录：经公安机关协查，申请人2019年曾受刑事处罚。")
    page.get_by_label("撤销已作出的行政决定").check()
    page.get_by_label("失信程度").select_option("serious")
    page.get_by_label("认定文号").fill("西人社核〔2026〕31号")
    page.get_by_label("法律依据").fill(BASIS)
    page.get_by_label("文书编号").fill("西人社撤〔2026〕31号")
    page.get_by_role("button", name="办结").click()
    page.get_by_text("核查任务已办结").wait_for()
    section = page.locator("#disp-title").locator("..")
    assert "撤销行政决定" in section.inner_text() and BASIS in section.inner_text()
    assert "西人社撤〔2026〕31号" in section.inner_text()
    check_page(page, "verifier-revoked")

    assert Application.objects.get(pk=application.pk).state == "revoked"
    record = DishonestyRecord.objects.get(commitment_ref=commitment.letter_number)
    assert record.severity == "serious" and record.blacklisted

    # 2. The citizen's case page: the decision with its basis and numbers, not the verifier's notes.
    citizen = open_as(li)
    citizen.goto(reverse("commitments:application", args=[application.pk]))
    panel = citizen.locator("#dispositions")
    panel.wait_for()
    text = panel.inner_text()
    assert "撤销行政决定" in text and BASIS in text and "西人社撤〔2026〕31号" in text and "西人社核〔2026〕31号" in text
    assert "内部记录" not in citizen.content()
    check_page(citizen, "citizen-case-revoked")
    citizen.goto("/credit/me/")
    citizen.get_by_text("西人社核〔2026〕31号").first.wait_for()
    check_page(citizen, "citizen-credit")

    # 3. The public blacklist lists the severe finding.
    public = open_as()
    public.goto("/credit/blacklist/")
    public.get_by_text("西人社核〔2026〕31号").first.wait_for()
    assert BASIS in public.content()  # the finding cites the disposition's legal basis
    check_page(public, "blacklist")

    # 4. The reporter tracks the report with number and code and reads the outcome.
    public.goto("/complaints/track/")
    public.get_by_label("工单编号").fill(ticket.number)
    public.get_by_label("查询码").fill(code)
    public.get_by_role("button", name="查询").click()
    public.wait_for_url(f"**/complaints/track/{ticket.number}/")
    public.get_by_text("经核查，该承诺不实，核查部门已依法处理。").wait_for()
    assert "正在核查" not in public.content()
    assert Ticket.objects.get(pk=ticket.pk).referral == "opened"
    check_page(public, "reporter-tracker")


def test_rectification_proof_from_the_case_page_and_the_justice_bureaus_penalty_list(
        open_as, check_page, agency, justice_bureau, city_government, clerk, verifier, reviewer, tmp_path):
    from tests.verification.factories import accepted_application, publish_catalogue, service_of
    from verification import services
    from verification.models import VerificationPolicy, VerificationTask

    VerificationPolicy.objects.filter(level="A").update(sample_percent=100)
    service = service_of(publish_catalogue(agency, justice_bureau, city_government))
    wang = CitizenFactory(full_name="王芳", subject=SubjectFactory(name="王芳", id_number="610113198507150027"))
    application = accepted_application(service, clerk, wang)
    services.plan_application(application.pk)
    task = VerificationTask.objects.get(application=application, method="data_sharing")
    services.claim(user=verifier, task_id=task.pk)
    services.conclude(user=verifier, task_id=task.pk, result="false", conclusion="户籍系统查无记录。", disposition={
        "rectify": True, "rectify_days": 5, "penalty": True, "penalty_note": "警告", "severity": "minor",
        "decision_number": "西人社核〔2026〕41号", "legal_basis": BASIS, "document_number": "西人社整〔2026〕41号"})

    # The applicant hands in the rectification proof from the case page.
    proof = tmp_path / "整改证明.pdf"
    proof.write_bytes(b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n")
    citizen = open_as(wang)
    citizen.goto(reverse("commitments:application", args=[application.pk]))
    citizen.locator("#dispositions").wait_for()
    check_page(citizen, "citizen-rectification-order")
    citizen.get_by_label("整改证明材料").set_input_files(str(proof))
    citizen.get_by_role("button", name="提交整改证明材料").click()
    citizen.get_by_text("整改证明材料已提交，核查人员将进行整改复查。").wait_for()
    check_page(citizen, "citizen-rectification-handed-in")

    # The justice bureau sees the matter penalised without a penalty basis, with its cases.
    bureau = open_as(reviewer)
    bureau.goto("/verification/legislative/")
    bureau.get_by_role("link", name="无犯罪记录证明").click()
    bureau.get_by_text(application.number).wait_for()
    assert "西人社整〔2026〕41号" in bureau.content()
    check_page(bureau, "justice-penalty-cases")
