"""Connectors against the exchange simulator over real HTTP on loopback."""

import socket
import time

import pytest

from verification import connectors, services
from verification.models import DataCheck
from verification.simulator import start_in_thread

ZHANG = "610113198805203217"
QINCHUAN = "91610131MA6UQ1234U"


@pytest.mark.parametrize("name,number,field,value", [
    ("household", ZHANG, "registered_address", "陕西省西安市雁塔区小寨东路12号"),
    ("social_insurance", ZHANG, "months_paid", 96),
    ("market_entity", QINCHUAN, "legal_representative", "赵国栋"),
    ("civil_affairs", "440524188001010014", "deceased", True),
])
def test_each_connector_reads_its_record_from_the_simulator(simulator, name, number, field, value):
    answer = connectors.get(name).lookup(number)
    assert answer.found and answer.record[field] == value


def test_unknown_numbers_are_not_found(simulator):
    assert connectors.get("household").lookup("110101199001011237").found is False


def test_registry_lists_the_four_sources():
    assert set(connectors.REGISTRY) == {"household", "social_insurance", "market_entity", "civil_affairs"}
    with pytest.raises(connectors.ConnectorError):
        connectors.get("tax")


def test_a_slow_exchange_times_out_and_is_retried(settings):
    server = start_in_thread(delay=0.5)
    try:
        settings.VERIFICATION_EXCHANGE_URL = server.url
        settings.VERIFICATION_EXCHANGE_TIMEOUT = 0.1
        settings.VERIFICATION_EXCHANGE_RETRIES = 2
        started = time.monotonic()
        with pytest.raises(connectors.ConnectorError):
            connectors.get("household").lookup(ZHANG)
        assert time.monotonic() - started < 2
        time.sleep(0.6)
        assert server.hits == 3  # one try and two retries
    finally:
        server.shutdown()
        server.server_close()


def test_a_failing_exchange_opens_the_circuit_then_a_trial_closes_it(settings):
    server = start_in_thread(fail=True)
    try:
        settings.VERIFICATION_EXCHANGE_URL = server.url
        settings.VERIFICATION_EXCHANGE_RETRIES = 0
        settings.VERIFICATION_BREAKER_THRESHOLD = 3
        settings.VERIFICATION_BREAKER_COOLDOWN = 0.3
        household = connectors.get("household")
        for _ in range(3):
            with pytest.raises(connectors.ConnectorError):
                household.lookup(ZHANG)
        assert household.breaker.state == "open"
        hits = server.hits
        with pytest.raises(connectors.CircuitOpen):
            household.lookup(ZHANG)
        assert server.hits == hits  # refused without calling
        assert connectors.get("social_insurance").breaker.state == "closed"  # one breaker per connector
        server.fail = False
        time.sleep(0.35)
        assert household.breaker.state == "half_open"
        assert household.lookup(ZHANG).found
        assert household.breaker.state == "closed"
    finally:
        server.shutdown()
        server.server_close()


def test_nothing_listening_is_a_clean_failure(settings):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    settings.VERIFICATION_EXCHANGE_URL = f"http://127.0.0.1:{port}"
    settings.VERIFICATION_EXCHANGE_RETRIES = 0
    with pytest.raises(connectors.ConnectorError, match="连接数据共享接口失败"):
        connectors.get("household").lookup(ZHANG)


def test_only_http_urls_are_used(settings):
    settings.VERIFICATION_EXCHANGE_URL = "file:///etc"
    with pytest.raises(connectors.ConnectorError, match="配置错误"):
        connectors.get("household").lookup(ZHANG)


@pytest.mark.django_db
def test_a_data_check_stores_the_answer_as_evidence(simulator, zhang_task, verifier):
    check = services.run_data_check(user=verifier, task_id=zhang_task.pk, connector="household")
    assert check.outcome == "found" and check.answer["name"] == "张伟"
    zhang_task.refresh_from_db()
    assert zhang_task.evidence[-1]["kind"] == "data_check" and zhang_task.evidence[-1]["check"] == check.pk


@pytest.mark.django_db
def test_a_failed_data_check_is_stored_as_a_failure(settings, zhang_task, verifier):
    settings.VERIFICATION_EXCHANGE_URL = "http://127.0.0.1:9"
    settings.VERIFICATION_EXCHANGE_RETRIES = 0
    check = services.run_data_check(user=verifier, task_id=zhang_task.pk, connector="social_insurance")
    assert check.outcome == "failed" and check.error
    assert DataCheck.objects.filter(task=zhang_task, outcome="failed").count() == 1


@pytest.mark.django_db
def test_data_check_through_the_task_page(client, simulator, zhang_task, verifier):
    from django.urls import reverse

    client.force_login(verifier)
    response = client.post(reverse("verification:data_check", args=[zhang_task.pk]), {"connector": "household"})
    assert response.status_code == 302
    page = client.get(reverse("verification:task", args=[zhang_task.pk])).content.decode()
    assert "查有记录" in page and "陕西省西安市雁塔区小寨东路12号" in page


def test_the_management_command_refuses_non_loopback_hosts():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError):
        call_command("run_exchange_simulator", host="0.0.0.0")  # noqa: S104
