"""Login protection per account and per password, beside the per-address lock (docs/security.md, V2)."""

import pytest
from django.urls import reverse

from portal.models import AuditEvent, LoginThrottle
from tests.factories import PASSWORD, CitizenFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_hashes(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def attempt(client, username, password, address):
    return client.post(reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address)


def wait_out_the_delay():
    """The attacker waits the 1, 2, 4 … seconds the account asks for (the test moves the clock, not sleeps)."""
    LoginThrottle.objects.update(next_attempt_at=None)


def test_forty_guesses_over_ten_addresses_lock_the_account_even_for_the_right_password(
        client, citizen, mailoutbox, django_capture_on_commit_callbacks):
    citizen.email = "zhangwei@example.cn"
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(40):  # four per address: django-axes' per-address lock (5) never fires
            wait_out_the_delay()
            attempt(client, citizen.username, f"guess-{n}", f"10.0.0.{n % 10 + 1}")
    wait_out_the_delay()
    response = attempt(client, citizen.username, PASSWORD, "10.0.0.99")
    assert "_auth_user_id" not in client.session
    assert "该账号因连续多次登录失败已被暂时锁定" in response.content.decode()
    # Its holder is told, once, by e-mail.
    assert len(mailoutbox) == 1 and citizen.email in mailoutbox[0].to
    assert "暂时锁定" in mailoutbox[0].subject
    assert AuditEvent.objects.filter(action="auth.login.account_locked", object_id=str(citizen.pk)).count() == 1


def test_the_right_password_from_a_second_address_is_refused_while_the_account_is_locked(client, citizen, settings):
    settings.LOGIN_ACCOUNT_LOCK_FAILURES = 5
    for n in range(5):
        wait_out_the_delay()
        attempt(client, citizen.mobile, f"guess-{n}", "10.0.1.1")  # by mobile number: the same account
    response = attempt(client, citizen.username, PASSWORD, "10.0.2.2")
    assert "_auth_user_id" not in client.session
    assert "暂时锁定" in response.content.decode()
    # When the lock has run out, the holder gets in again.
    LoginThrottle.objects.update(locked_until="2000-01-01T00:00:00Z")
    attempt(client, citizen.username, PASSWORD, "10.0.2.2")
    assert client.session["_auth_user_id"] == str(citizen.pk)


def test_failures_bring_growing_delays_and_an_attempt_too_soon_is_not_even_checked(client, citizen):
    for n in range(3):
        attempt(client, citizen.username, f"guess-{n}", "10.0.3.1")
    response = attempt(client, citizen.username, PASSWORD, "10.0.3.2")
    assert "请1秒后再试" in response.content.decode()
    assert "_auth_user_id" not in client.session
    wait_out_the_delay()
    attempt(client, citizen.username, "guess-3", "10.0.3.1")
    assert "请2秒后再试" in attempt(client, citizen.username, PASSWORD, "10.0.3.2").content.decode()
    wait_out_the_delay()
    attempt(client, citizen.username, PASSWORD, "10.0.3.2")
    assert client.session["_auth_user_id"] == str(citizen.pk)
    assert not LoginThrottle.objects.filter(scope="account").exists()  # a success ends the run


def test_one_password_sprayed_across_accounts_is_refused_everywhere_and_is_never_stored(client, settings):
    settings.LOGIN_PASSWORD_FAILURE_LIMIT = 5
    sprayed = "Xian#Summer2026"
    victims = CitizenFactory.create_batch(5)
    for n, victim in enumerate(victims):
        attempt(client, victim.username, sprayed, f"10.0.4.{n + 1}")
    unlucky = CitizenFactory()
    unlucky.set_password(sprayed)
    unlucky.save()
    response = attempt(client, unlucky.username, sprayed, "10.0.4.9")
    assert "_auth_user_id" not in client.session
    assert "为防范撞库已暂停用于登录" in response.content.decode()
    assert AuditEvent.objects.filter(action="auth.login.password_blocked").count() == 1
    # Other passwords still work, for everyone.
    attempt(client, victims[0].username, PASSWORD, "10.0.4.1")
    assert client.session["_auth_user_id"] == str(victims[0].pk)
    # Only keyed hashes are kept: the password is in no counter and no audit event.
    stored = [*LoginThrottle.objects.values_list("key", flat=True),
              *(str(e.data) + e.summary for e in AuditEvent.objects.all())]
    assert not any(sprayed in value for value in stored)


def test_unknown_names_are_delayed_like_real_accounts(client):
    for n in range(3):
        attempt(client, "nobody-here", f"guess-{n}", "10.0.5.1")
    assert "请1秒后再试" in attempt(client, "nobody-here", "guess", "10.0.5.2").content.decode()


def test_security_events_reach_the_audit_trail(client, citizen, mailoutbox):
    attempt(client, citizen.username, "wrong-pass", "10.0.6.1")
    attempt(client, citizen.username, PASSWORD, "10.0.6.1")
    client.post(reverse("password_change"), {"old_password": PASSWORD, "new_password1": "Daming#Palace9",
                                             "new_password2": "Daming#Palace9"}, REMOTE_ADDR="10.0.6.1")
    client.post(reverse("logout"), REMOTE_ADDR="10.0.6.1")
    citizen.email = "zhang@example.cn"
    citizen.save()
    client.post(reverse("password_reset"), {"email": "zhang@example.cn"}, REMOTE_ADDR="10.0.6.2")
    link = next(line for line in mailoutbox[0].body.splitlines() if "/accounts/password/reset/" in line)
    form_page = client.get(link.split("testserver", 1)[1], follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": "Yanta#Pagoda77", "new_password2": "Yanta#Pagoda77"},
                REMOTE_ADDR="10.0.6.2")
    events = list(AuditEvent.objects.filter(object_type="portal.user", object_id=str(citizen.pk))
                  .values_list("action", "ip"))
    assert [a for a, _ in events] == ["auth.login.failed", "auth.login", "auth.password.changed", "auth.logout",
                                      "auth.password.reset_requested", "auth.password.reset"]
    assert all(ip for _, ip in events)


def test_the_per_address_lock_of_django_axes_is_audited(client, citizen):
    for n in range(5):
        wait_out_the_delay()
        attempt(client, citizen.username, f"guess-{n}", "10.0.7.1")
    wait_out_the_delay()
    assert attempt(client, citizen.username, PASSWORD, "10.0.7.1").status_code == 429
    assert AuditEvent.objects.filter(action="auth.login.address_locked", object_id=str(citizen.pk)).exists()


def test_counters_whose_time_has_run_out_are_pruned(client, citizen):
    from portal import tasks

    attempt(client, "nobody-here", "guess", "10.0.8.1")
    assert tasks.prune_login_throttles() == 0  # still counting
    LoginThrottle.objects.update(window_start="2000-01-01T00:00:00Z")
    assert tasks.prune_login_throttles() == 2  # the name's counter and the password's
    assert not LoginThrottle.objects.exists()
