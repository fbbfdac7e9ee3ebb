"""Outbound push: real HTTP receiver on loopback, retries with back-off, idempotency, outages, beat re-send."""

import datetime

import pytest
from django.conf import settings
from django.utils import timezone

from credit import push, selectors, services, tasks
from credit.models import PushOutbox, Severity
from tests.conftest import wait_for


def deliver_now(row):
    """Run the delivery task here and now (whatever the broker), as the worker would."""
    return tasks.deliver_push.apply(args=[row.pk]).get()


@pytest.fixture
def worker(celery_worker):
    """The shared worker, plus fresh producer pools: with the folder broker each test has its own queue
    folder, and a pool cached by an earlier test would publish into the old one."""
    from kombu import pools

    from chengnuo.celery import app

    if app.conf.broker_url.startswith("filesystem"):
        pools.reset()
        app._pool = None
        app.amqp._producer_pool = None
    return celery_worker


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run the on_commit callbacks (the push) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


@pytest.fixture
def configured(settings, receiver):
    settings.CREDIT_PUSH_URL = receiver.url
    settings.CREDIT_PUSH_TOKEN = "secret-token"
    settings.CREDIT_PUSH_TIMEOUT = 2
    return receiver


@pytest.mark.django_db
def test_record_change_is_delivered_as_json_with_an_idempotency_key(configured, citizen, make_record):
    record = make_record(citizen.subject, severity=Severity.SERIOUS, number="西人社罚〔2026〕5号")
    row = PushOutbox.objects.get(record=record)
    assert deliver_now(row) == push.DELIVERED
    row.refresh_from_db()
    assert row.status == "delivered" and row.attempts == 1 and row.delivered_at
    [sent] = configured.requests
    assert sent["key"] == str(row.idempotency_key)
    assert sent["auth"] == "Bearer secret-token"
    body = sent["body"]
    assert body["event"] == "create" and body["decision_number"] == "西人社罚〔2026〕5号"
    assert body["subject_id_number"] == citizen.subject.id_number
    assert "subject_id_number" not in row.payload  # the stored payload holds no full ID number


@pytest.mark.django_db
def test_unconfigured_endpoint_leaves_rows_pending(citizen, make_record):
    record = make_record(citizen.subject)
    row = PushOutbox.objects.get(record=record)
    assert row.status == "pending" and row.attempts == 0
    assert push.deliver(row.pk) == push.NOT_CONFIGURED
    assert tasks.resend_pending_pushes() == 0


@pytest.mark.django_db
def test_endpoint_outage_keeps_the_row_pending_with_backoff_then_beat_resends(configured, citizen, make_record):
    configured.fail_next = 1
    record = make_record(citizen.subject)
    row = PushOutbox.objects.get(record=record)
    assert deliver_now(row) == push.FAILED
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1 and row.last_error == "HTTP 503"
    assert row.next_attempt_at > timezone.now() + datetime.timedelta(seconds=20)
    assert tasks.resend_pending_pushes() == 0  # still backing off
    PushOutbox.objects.filter(pk=row.pk).update(next_attempt_at=timezone.now() - datetime.timedelta(seconds=1))
    assert list(selectors.due_pushes()) == [row.pk]
    assert deliver_now(row) == push.DELIVERED
    row.refresh_from_db()
    assert row.status == "delivered" and row.attempts == 2
    assert len(configured.requests) == 1


@pytest.mark.django_db
def test_unreachable_endpoint_times_out_and_stays_pending(settings, citizen, make_record):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    settings.CREDIT_PUSH_URL = f"http://127.0.0.1:{port}/closed"
    settings.CREDIT_PUSH_TIMEOUT = 1
    record = make_record(citizen.subject)
    row = PushOutbox.objects.get(record=record)
    assert deliver_now(row) == push.FAILED
    row.refresh_from_db()
    assert row.status == "pending" and row.attempts == 1
    assert "URLError" in row.last_error or "Refused" in row.last_error


@pytest.mark.django_db
def test_delivering_twice_posts_once(configured, citizen, make_record):
    record = make_record(citizen.subject)
    row = PushOutbox.objects.get(record=record)
    assert deliver_now(row) == push.DELIVERED
    assert deliver_now(row) == push.SKIPPED
    assert len(configured.requests) == 1


@pytest.mark.django_db
def test_receiver_saying_it_already_has_the_key_counts_as_delivered(configured, citizen, make_record):
    record = make_record(citizen.subject)
    row = PushOutbox.objects.get(record=record)
    assert deliver_now(row) == push.DELIVERED
    PushOutbox.objects.filter(pk=row.pk).update(status="pending", delivered_at=None)
    assert push.deliver(row.pk) == push.DELIVERED  # receiver answers 409 for a repeated key
    assert [r["key"] for r in configured.requests] == [str(row.idempotency_key)] * 2


@pytest.mark.django_db
def test_a_row_held_by_another_worker_is_not_posted_again(configured, citizen, agency):
    settings.CREDIT_PUSH_URL = ""
    services.record_false_commitment(citizen.subject, "CN-1", "serious", {"number": "1号", "agency": agency})
    row = PushOutbox.objects.get()
    PushOutbox.objects.filter(pk=row.pk).update(locked_until=timezone.now() + datetime.timedelta(minutes=1))
    settings.CREDIT_PUSH_URL = configured.url
    assert push.deliver(row.pk) == push.BUSY
    assert configured.requests == []  # the task retries after the lease (tests/faults kills a worker mid-POST)


@pytest.mark.django_db
def test_broker_outage_at_commit_loses_nothing(monkeypatch, citizen, make_record, committed):
    def broken(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr(tasks.deliver_push, "delay", broken)
    with committed():
        record = make_record(citizen.subject)
    assert PushOutbox.objects.get(record=record).status == "pending"


def test_backoff_grows_and_is_capped():
    from credit import conf

    assert [conf.push_backoff(n) for n in (1, 2, 3)] == [30, 60, 120]
    assert conf.push_backoff(20) == 3600


def test_beat_entries_of_the_credit_app_import():
    from celery.utils.imports import symbol_by_name

    names = [e["task"] for k, e in settings.CELERY_BEAT_SCHEDULE.items() if k.startswith("credit-")]
    assert len(names) == 3
    for name in names:
        assert symbol_by_name(name)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_retries_through_an_outage_and_delivers_once(worker, configured, citizen, make_record, monkeypatch):
    from credit import conf

    monkeypatch.setattr(conf, "push_backoff", lambda attempts: 0)
    configured.fail_next = 2
    record = make_record(citizen.subject, severity=Severity.SERIOUS)
    row = PushOutbox.objects.get(record=record)
    wait_for(lambda: PushOutbox.objects.get(pk=row.pk).status == "delivered", timeout=30)
    row.refresh_from_db()
    assert (row.status, row.last_error) == ("delivered", "")
    assert row.attempts == 3
    assert [r["key"] for r in configured.requests] == [str(row.idempotency_key)]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_real_worker_runs_the_beat_tasks(worker, citizen, make_record):
    old = make_record(citizen.subject, severity=Severity.MINOR, kind="other", months_ago=4)
    tasks.expire_records.delay()
    assert wait_for(lambda: type(old).objects.get(pk=old.pk).status == "expired", timeout=30)


@pytest.mark.django_db
def test_beat_resend_queues_each_due_row(configured, citizen, make_record, monkeypatch):
    queued = []
    monkeypatch.setattr(push, "enqueue", queued.append)
    first = make_record(citizen.subject)
    second = make_record(citizen.subject)
    PushOutbox.objects.filter(record=second).update(next_attempt_at=timezone.now() + datetime.timedelta(minutes=5))
    assert tasks.resend_pending_pushes() == 1
    assert queued == [PushOutbox.objects.get(record=first).pk]
