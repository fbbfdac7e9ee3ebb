"""Sessions end 12 hours after login however active they are (ASVS 3.3.2); idle ones sooner."""

import time
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.middleware import REFRESHED_AT, SIGNED_IN_AT

pytestmark = pytest.mark.django_db


def _signed_in_hours_ago(client, hours):
    session = client.session
    session[SIGNED_IN_AT] = int(time.time() - hours * 3600)
    session.save()


def test_a_busy_session_still_ends_twelve_hours_after_login(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("workspace")).status_code == 200
    _signed_in_hours_ago(client, 12.01)
    response = client.get(reverse("credit:me"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login") + "?next=" + reverse("credit:me")
    login_page = client.get(response["Location"])
    assert "登录已超过12小时，请重新登录" in login_page.content.decode()
    assert client.get(reverse("workspace")).status_code == 302  # logged out, not just turned away once


def test_a_session_younger_than_twelve_hours_goes_on(client, citizen):
    client.force_login(citizen)
    client.get(reverse("workspace"))
    _signed_in_hours_ago(client, 11.9)
    assert client.get(reverse("credit:me")).status_code == 200


def test_the_limit_is_configurable(client, citizen, settings):
    settings.SESSION_ABSOLUTE_HOURS = 1
    client.force_login(citizen)
    client.get(reverse("workspace"))
    _signed_in_hours_ago(client, 1.01)
    assert client.get(reverse("workspace")).status_code == 302


def test_signing_in_again_starts_a_new_twelve_hours(client, citizen):
    client.force_login(citizen)
    client.get(reverse("workspace"))
    _signed_in_hours_ago(client, 13)
    assert client.get(reverse("workspace")).status_code == 302
    client.force_login(citizen)
    assert client.get(reverse("workspace")).status_code == 200


# --- idle timeout ------------------------------------------------------------------------------


def _stored_expiry(client):
    return Session.objects.get(session_key=client.session.session_key).expire_date


def test_the_idle_timeout_is_thirty_minutes(client, citizen, settings):
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    client.force_login(citizen)
    client.get(reverse("workspace"))
    left = (_stored_expiry(client) - timezone.now()).total_seconds()
    assert 29 * 60 < left <= 30 * 60


def test_a_session_left_alone_past_the_idle_timeout_ends(client, citizen):
    client.force_login(citizen)
    assert client.get(reverse("workspace")).status_code == 200
    Session.objects.filter(session_key=client.session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1))
    response = client.get(reverse("credit:me"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_pages_within_a_minute_do_not_rewrite_the_session(client, citizen):
    client.force_login(citizen)
    client.get(reverse("workspace"))
    before = _stored_expiry(client)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("credit:me")).status_code == 200
    assert not [q for q in queries.captured_queries if q["sql"].startswith('UPDATE "django_session"')]
    assert _stored_expiry(client) == before


def test_a_request_after_a_minute_pushes_the_idle_expiry_back(client, citizen):
    client.force_login(citizen)
    client.get(reverse("workspace"))
    session = client.session
    session[REFRESHED_AT] = int(time.time()) - 61
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=5))  # as if 25 idle minutes had passed
    assert client.get(reverse("credit:me")).status_code == 200
    left = (_stored_expiry(client) - timezone.now()).total_seconds()
    assert left > 29 * 60


def test_an_expired_session_cookie_does_not_start_a_new_session(client, citizen):
    client.force_login(citizen)
    client.get(reverse("workspace"))
    Session.objects.all().update(expire_date=timezone.now() - timedelta(seconds=1))
    assert client.get(reverse("catalog:export_csv")).status_code == 200  # a response that never reads the session
    assert not Session.objects.filter(expire_date__gt=timezone.now()).exists()
