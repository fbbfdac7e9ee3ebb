"""§二(六) 一处失信、处处受限: eligibility asks the national platform's joint-punishment list (local simulator)."""

import pytest
from django.urls import reverse

from credit import platform, services
from credit.models import JointPunishmentCheck
from tests.factories import SubjectFactory
from verification.simulator import start_in_thread

pytestmark = pytest.mark.django_db

LISTED_NUMBER = "11010519491231002X"  # on 失信被执行人名单 in the simulator


@pytest.fixture(autouse=True)
def _closed_breaker():
    platform.BREAKER.reset()
    yield
    platform.BREAKER.reset()


@pytest.fixture
def national_platform(settings):
    server = start_in_thread()
    settings.CREDIT_PLATFORM_URL = server.url
    settings.CREDIT_PLATFORM_TIMEOUT = 1
    settings.CREDIT_PLATFORM_RETRIES = "0"
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture
def platform_down(settings):
    server = start_in_thread(fail=True)
    settings.CREDIT_PLATFORM_URL = server.url
    settings.CREDIT_PLATFORM_TIMEOUT = 1
    settings.CREDIT_PLATFORM_RETRIES = "0"
    yield server
    server.shutdown()
    server.server_close()


def test_subject_on_a_joint_punishment_list_may_not_commit_and_the_answer_is_stored(national_platform):
    subject = SubjectFactory(name="赵一", id_number=LISTED_NUMBER)
    result = services.eligibility(subject)
    assert not result.allowed
    assert "联合惩戒名单" in result.reasons[0] and "失信被执行人名单（最高人民法院）" in result.reasons[0]
    check = JointPunishmentCheck.objects.get(subject=subject)
    assert check.state == "listed" and check.lists[0]["agency"] == "最高人民法院" and check.checked_at
    assert platform.last_check_before(subject, check.checked_at) == check


def test_subject_not_listed_may_commit_and_the_clear_answer_is_kept_with_its_time(national_platform, citizen):
    assert services.eligibility(citizen.subject).allowed
    check = JointPunishmentCheck.objects.get(subject=citizen.subject)
    assert check.state == "clear" and check.lists == []
    assert LISTED_NUMBER not in "".join(national_platform.paths)  # the number travels in the body only


def test_a_recent_answer_is_reused_rather_than_asking_again_on_every_page(national_platform, citizen):
    services.eligibility(citizen.subject)
    services.eligibility(citizen.subject)
    assert national_platform.hits == 1
    assert JointPunishmentCheck.objects.filter(subject=citizen.subject).count() == 1


def test_platform_down_refuses_the_commitment_route_with_the_reason_and_offers_proof(platform_down, citizen):
    result = services.eligibility(citizen.subject)
    assert not result.allowed
    assert "全国信用信息共享平台暂时无法查询" in result.reasons[0] and "提交证明材料" in result.reasons[0]
    check = JointPunishmentCheck.objects.get(subject=citizen.subject)
    assert check.state == "unavailable" and "HTTP 503" in check.error


def test_an_unavailable_answer_is_not_reused_once_the_platform_is_back(settings, platform_down, citizen):
    assert not services.eligibility(citizen.subject).allowed
    platform_down.fail = False
    platform.BREAKER.reset()
    assert services.eligibility(citizen.subject).allowed
    assert list(JointPunishmentCheck.objects.filter(subject=citizen.subject).values_list("state", flat=True)) == [
        "clear", "unavailable"]


def test_after_repeated_failures_the_circuit_opens_and_the_page_still_answers(platform_down, citizen, settings):
    settings.CREDIT_PLATFORM_BREAKER_THRESHOLD = 2
    for _ in range(3):
        assert not services.eligibility(citizen.subject).allowed
    assert platform_down.hits == 2  # the third call failed at once: circuit open
    assert "熔断" in JointPunishmentCheck.objects.order_by("-pk").first().error


def test_not_connected_portal_judges_on_local_records_only(settings, citizen):
    settings.CREDIT_PLATFORM_URL = ""
    assert services.eligibility(citizen.subject).allowed
    assert platform.joint_punishment_status(citizen.subject).state == platform.NOT_CONNECTED
    assert not JointPunishmentCheck.objects.exists()


def test_citizen_credit_page_says_the_platform_could_not_be_asked(platform_down, client, citizen):
    client.force_login(citizen)
    page = client.get(reverse("credit:me")).content.decode()
    assert "全国信用信息共享平台暂时无法查询" in page
