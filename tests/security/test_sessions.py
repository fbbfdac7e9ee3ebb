"""Sessions end 12 hours after login however active they are (ASVS 3.3.2); idle ones sooner."""

import time

import pytest
from django.urls import reverse

from portal.middleware import SIGNED_IN_AT

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
