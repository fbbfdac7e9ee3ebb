"""§二(五) in the browser: an A-level applicant signs for a high-risk matter; the letter states the check; the
verifier gets the task although A-level sampling is 0%; the citizen never sees 免予核查."""

import re

import pytest

from catalog.models import CertificationMatter
from commitments import services as commitments
from commitments.models import Application
from tests.commitments.conftest import catalogue_staff, published, service  # noqa: F401 (fixtures)
from tests.e2e.test_commitment_journey import PDF, _link, _roles, _sign  # noqa: F401 (fixture)
from verification.models import VerificationPolicy

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path, live_server):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = live_server.url


def test_a_level_applicant_high_risk_matter_is_checked_and_never_shown_exempt(
        page, login_as, check_page, citizen, clerk, verifier, service):  # noqa: F811
    CertificationMatter.objects.filter(catalogue__agency=service.agency, name="无犯罪记录证明").update(
        high_risk=True, verification_standard="以公安机关违法犯罪记录为准")
    VerificationPolicy.objects.filter(level="A").update(sample_percent=0)  # A-level: nothing sampled
    citizen.subject.name = "张伟"
    citizen.subject.save()

    login_as(citizen)
    page.goto(f"/applications/new/?service={service.pk}")
    page.get_by_role("button", name="开始办理").click()
    page.wait_for_url(re.compile(r"/applications/\d+/$"))
    _link(page, "承诺", "无犯罪记录证明").click()
    notice = page.locator("main").inner_text()
    assert "每份承诺均予核查" in notice and "受理后10个工作日内" in notice and "免予核查" not in notice
    _sign(page, "张伟")
    _link(page, "承诺", "完全民事行为能力证明").click()
    _sign(page, "张伟")
    _link(page, "上传证明", "律师执业场所安全评估证明").click()
    page.locator("input[name=file]").set_input_files(files=[{"name": "评估.pdf", "mimeType": "application/pdf",
                                                             "buffer": PDF}])
    page.get_by_role("button", name="上传").click()
    page.get_by_role("button", name="提交办件").click()
    application = Application.objects.get(subject=citizen.subject)
    commitments.accept(clerk=clerk, application_pk=application.pk)
    # Acceptance queues the planning task; a worker runs it (here, with CI's real broker and no worker, the
    # test plans directly, as tests/e2e/test_verification_journey.py does).
    from verification import services as verification

    verification.plan_application(application.pk)

    page.goto(f"/applications/{application.pk}/")
    text = page.locator("main").inner_text()
    assert "已受理，按本事项核查办法处理" in text and "免予核查" not in text
    check_page(page, "promise-citizen-accepted")

    page.context.clear_cookies()
    login_as(verifier)
    page.goto("/verification/queue/")
    assert "无犯罪记录证明" in page.locator("main").inner_text()
    check_page(page, "promise-verifier-queue")
