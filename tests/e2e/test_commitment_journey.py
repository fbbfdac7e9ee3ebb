"""Browser journeys: a citizen commits online and verifies the letter; a clerk handles a walk-in end to end."""

import re
import shutil
import subprocess

import pytest

from tests.commitments.conftest import catalogue_staff, published, service  # noqa: F401 (fixtures)
from tests.e2e.conftest import ARTIFACTS
from tests.factories import PASSWORD, resident_id

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture(autouse=True)
def _roles(transactional_db):
    """Role groups come from a data migration; make sure a preceding transactional test's flush did not drop them."""
    from django.contrib.auth.models import Group

    from portal import roles

    for name in roles.ROLES:
        Group.objects.get_or_create(name=name)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url


def _link(page, action, matter):
    return page.get_by_role("link", name=re.compile(rf"^{action}\s*：\s*{matter}$"))


def _sign(page, name, password=PASSWORD):
    for no in page.locator("input[type=radio][name^=negative_][value=no]").all():
        no.check()  # 负面清单 questions: answered “否”
    for box in page.locator("input[type=checkbox][name^=statement_]").all():
        box.check()
    page.get_by_label("签署人姓名").fill(name)
    page.get_by_label("登录密码").fill(password)
    page.get_by_role("button", name="确认签署").click()
    page.wait_for_load_state()


def test_citizen_commits_to_two_matters_uploads_a_proof_and_verifies_the_letter(page, login_as, check_page, citizen,
                                                                                 service):  # noqa: F811
    citizen.subject.name = "张伟"
    citizen.subject.save()
    login_as(citizen)
    page.goto("/applications/")
    check_page(page, "my-applications-empty")
    page.get_by_role("link", name="在线申请办理").click()
    page.get_by_label("查找办理事项").fill("lszy")  # pinyin initials of 律师执业核准
    page.get_by_label("律师执业核准").check()
    page.get_by_role("button", name="下一步").click()
    assert "涉及公共安全" in page.content()
    check_page(page, "service-matters")
    page.get_by_role("button", name="开始办理").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    check_page(page, "application-draft")

    _link(page, "承诺", "无犯罪记录证明").click()
    assert "不实承诺的法律责任" in page.content()
    _sign(page, "李四")  # not the account's name: refused beside the field
    assert "签署姓名须与账号实名信息一致" in page.locator(".invalid-feedback, .alert-danger").all_inner_texts().__str__()
    check_page(page, "sign-error")
    _sign(page, "张伟")
    assert "已签署《无犯罪记录证明》告知承诺书" in page.content()

    _link(page, "承诺", "完全民事行为能力证明").click()
    check_page(page, "sign")
    _sign(page, "张伟")

    _link(page, "上传证明", "律师执业场所安全评估证明").click()
    page.locator("input[name=file]").set_input_files(files=[{"name": "程序.pdf", "mimeType": "application/pdf",
                                                             "buffer": b"MZ\x90\x00" + b"\x00" * 64}])
    page.get_by_role("button", name="上传").click()
    assert "不是 PDF、JPG 或 PNG 文件" in page.content()
    check_page(page, "upload-refused")
    page.locator("input[name=file]").set_input_files(files=[{"name": "安全评估.pdf", "mimeType": "application/pdf",
                                                             "buffer": PDF}])
    page.get_by_role("button", name="上传").click()
    page.get_by_role("button", name="提交办件").click()
    assert "办件已提交" in page.content()
    check_page(page, "application-submitted")

    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("下载 PDF")).first.click()
    download = info.value
    letter = ARTIFACTS / "commitment-letter.pdf"
    ARTIFACTS.mkdir(exist_ok=True)
    download.save_as(letter)
    assert letter.read_bytes().startswith(b"%PDF")
    number = re.search(r"CN-\d{4}-\d{6}", download.suggested_filename).group(0)
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", str(letter), str(ARTIFACTS / "commitment-letter")], check=True)
        assert list(ARTIFACTS.glob("commitment-letter-*.png"))
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(letter), "-"], capture_output=True, text=True, check=True).stdout
        assert f"/letters/verify/{number}/" in text and "告知承诺书" in text

    # The QR code encodes the verification address; open it as a phone would.
    page.goto(f"/letters/verify/{number}/")
    assert "真实有效" in page.content() and "张伟" not in page.locator("main").inner_text()
    check_page(page, "verify-letter")


def test_clerk_files_for_a_walk_in_issues_a_one_time_notice_then_accepts(page, login_as, check_page, clerk,
                                                                          service):  # noqa: F811
    number = resident_id(778)
    login_as(clerk)
    page.goto("/desk/")
    check_page(page, "desk")
    page.locator("#id_number").fill(number)
    page.get_by_role("button", name="查找").click()
    page.wait_for_url("**/desk/subject/**")
    assert "平台中没有该申请人" in page.content(), page.locator("main").inner_text()
    page.get_by_label("姓名或单位名称").fill("王建国")
    page.get_by_role("button", name="登记申请人").click()
    page.get_by_label("办理事项").select_option(label="律师执业核准")
    check_page(page, "desk-subject")
    page.get_by_role("button", name="创建办件").click()
    page.wait_for_url(re.compile(r"/desk/applications/\d+/$"))

    _link(page, "承诺", "完全民事行为能力证明").click()
    for no in page.locator("input[type=radio][name^=negative_][value=no]").all():
        no.check()  # 负面清单 questions: answered “否”
    for box in page.locator("input[type=checkbox][name^=statement_]").all():
        box.check()
    page.get_by_label("签署人姓名").fill("王建国")
    page.get_by_label("已当场核验签署人的身份证件原件").check()
    page.get_by_label("经办人登录密码").fill(PASSWORD)
    check_page(page, "desk-sign")
    page.get_by_role("button", name="确认签署").click()
    assert "已签署《完全民事行为能力证明》告知承诺书" in page.content()

    page.get_by_role("button", name="提交受理审查").click()
    page.get_by_role("button", name="出具一次性告知书").click()
    assert "已出具一次性告知书" in page.content()
    notice = page.locator("#notices-title + ul")
    assert "无犯罪记录证明" in notice.inner_text() and "律师执业场所安全评估证明" in notice.inner_text()
    check_page(page, "desk-notice")
    with page.expect_download() as info:
        page.get_by_role("link", name=re.compile("下载告知书")).click()
    info.value.save_as(ARTIFACTS / "one-time-notice.pdf")
    if shutil.which("pdftoppm"):
        subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", str(ARTIFACTS / "one-time-notice.pdf"),
                        str(ARTIFACTS / "one-time-notice")], check=True)

    for matter in ("无犯罪记录证明", "律师执业场所安全评估证明"):
        _link(page, "上传证明", matter).click()
        page.locator("input[name=file]").set_input_files(files=[{"name": "证明.png", "mimeType": "image/png",
                                                                 "buffer": PNG}])
        page.get_by_role("button", name="上传").click()
    assert "材料齐全" in page.content()
    page.get_by_role("button", name="受理", exact=True).click()
    assert "已受理" in page.content()
    page.get_by_label("决定文号").fill("西人社许〔2026〕18号")
    page.get_by_role("button", name="准予许可").click()
    assert "准予许可（已办结）" in page.content()
    check_page(page, "desk-approved")
