"""消息中心 and the e-mail/SMS outbox: listed, counted, read; sent once; SMS through the local simulator."""

import pytest
from django.core import mail
from django.db import transaction
from django.utils import timezone

from chengnuo.tasks import remind_deadlines
from portal import notifications
from portal.models import Delivery, Message, NotificationSettings
from portal.sms_simulator import start_in_thread
from tests.factories import CitizenFactory, StaffFactory

# The outbox is sent by tasks; these tests are about what sending does, so tasks run here (eager_tasks).
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("eager_tasks")]


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def sms(settings):
    server = start_in_thread()
    settings.SMS_GATEWAY_URL = server.url
    settings.SMS_GATEWAY_TOKEN = "t0ken"
    server.token = "t0ken"
    settings.SMS_GATEWAY_TIMEOUT = 2
    yield server
    server.shutdown()
    server.server_close()


def tell(user, key="accepted:1", title="办件已受理", body="您的办件 CN-2026-00001 已受理。", link="/applications/1/"):
    with transaction.atomic():
        return notifications.notify(user, "accepted", title, body, link, key=key)


# --- the message centre ------------------------------------------------------------------------------
def test_a_message_is_listed_counted_in_the_bell_and_marked_read(client, citizen):
    tell(citizen)
    client.force_login(citizen)
    page = client.get("/messages/").content.decode()
    assert "办件已受理" in page and "您的办件 CN-2026-00001 已受理。" in page
    home = client.get("/workspace/").content.decode()
    assert 'id="unread-count">1<' in home and "1 条未读" in home
    message = Message.objects.get(user=citizen)
    response = client.post(f"/messages/{message.pk}/read/")
    assert response.status_code == 302
    message.refresh_from_db()
    assert message.is_read
    assert 'id="unread-count"' not in client.get("/workspace/").content.decode()


def test_opening_a_message_marks_it_read_and_goes_to_its_page(client, citizen):
    tell(citizen)
    message = Message.objects.get(user=citizen)
    client.force_login(citizen)
    response = client.post(f"/messages/{message.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/applications/1/"
    assert Message.objects.get(pk=message.pk).is_read


def test_mark_all_read_and_the_unread_tab(client, citizen):
    tell(citizen, key="a")
    tell(citizen, key="b", title="请补正办件材料")
    client.force_login(citizen)
    assert "请补正办件材料" in client.get("/messages/?show=unread").content.decode()
    client.post("/messages/read-all/")
    assert notifications.unread_count(citizen) == 0
    assert "没有未读消息" in client.get("/messages/?show=unread").content.decode()


def test_another_citizens_message_is_not_found_and_stays_unread(client, citizen, other_citizen):
    tell(citizen)
    message = Message.objects.get(user=citizen)
    client.force_login(other_citizen)
    assert client.post(f"/messages/{message.pk}/read/").status_code == 404
    assert client.post(f"/messages/{message.pk}/open/").status_code == 404
    assert "办件已受理" not in client.get("/messages/").content.decode()
    assert not Message.objects.get(pk=message.pk).is_read


def test_marking_read_needs_a_post_and_a_login(client, citizen):
    tell(citizen)
    message = Message.objects.get(user=citizen)
    assert client.get("/messages/")["Location"].startswith("/accounts/login/")
    client.force_login(citizen)
    assert client.get(f"/messages/{message.pk}/read/").status_code == 405


def test_the_same_event_is_told_once(citizen):
    assert len(tell(citizen)) == 1
    assert tell(citizen) == []
    assert Message.objects.filter(user=citizen).count() == 1


def test_a_subject_is_told_through_each_of_its_applicant_accounts(citizen):
    colleague = CitizenFactory(subject=citizen.subject)
    tell(citizen.subject)
    assert set(Message.objects.values_list("user_id", flat=True)) == {citizen.pk, colleague.pk}


def test_staff_see_no_bell(client, clerk):
    client.force_login(clerk)
    assert "message-bell" not in client.get("/workspace/").content.decode()


def test_the_bell_costs_one_query(client, citizen, django_assert_num_queries):
    tell(citizen)
    from django.template import Context, Template
    from django.test import RequestFactory

    from chengnuo.context_processors import portal

    request = RequestFactory().get("/")
    request.user = citizen
    request.COOKIES = {}
    context = portal(request)
    citizen.groups.all()  # roles were read by the context processor already
    with django_assert_num_queries(1):
        assert Template("{{ unread_messages }}").render(Context(context)) == "1"


# --- e-mail -----------------------------------------------------------------------------------------
def test_an_email_is_sent_once_even_when_two_workers_and_the_beat_try(django_capture_on_commit_callbacks, citizen):
    citizen.email = "zhangwei@example.com"
    citizen.save()
    with django_capture_on_commit_callbacks(execute=True):
        tell(citizen)
    delivery = Delivery.objects.get(message__user=citizen)
    assert delivery.channel == "email" and delivery.status == "sent" and delivery.sent_at is not None
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["zhangwei@example.com"] and sent.subject == "【承诺通】办件已受理"
    assert "/applications/1/" in sent.body
    # A second worker handed the same task (redelivery) and the beat's sweep: nothing more is sent.
    assert notifications.deliver(delivery.pk) == notifications.SKIPPED
    assert notifications.send_pending_deliveries() == 0
    assert len(mail.outbox) == 1


def test_a_row_held_by_a_live_attempt_is_not_sent_by_another_worker(citizen):
    citizen.email = "zhangwei@example.com"
    citizen.save()
    tell(citizen)
    delivery = Delivery.objects.get()
    assert notifications._claim(delivery.pk, timezone.now())  # worker A is sending
    assert notifications.deliver(delivery.pk) == notifications.BUSY  # worker B leaves it
    assert mail.outbox == [] and Delivery.objects.get().status == "pending"


def test_no_email_without_an_address_or_when_turned_off(citizen):
    tell(citizen, key="a")
    assert not Delivery.objects.exists()
    citizen.email = "zhangwei@example.com"
    citizen.save()
    NotificationSettings.objects.create(user=citizen, by_email=False)
    tell(citizen, key="b")
    assert not Delivery.objects.exists()


def test_a_channel_turned_off_before_sending_is_cancelled_not_sent(citizen):
    citizen.email = "zhangwei@example.com"
    citizen.save()
    tell(citizen)
    NotificationSettings.objects.create(user=citizen, by_email=False)
    delivery = Delivery.objects.get()
    assert notifications.deliver(delivery.pk) == notifications.CANCELLED
    assert Delivery.objects.get().status == "cancelled" and mail.outbox == []


# --- SMS through the simulator ------------------------------------------------------------------------
def test_an_sms_goes_through_the_gateway_with_the_signature_in_one_segment(django_capture_on_commit_callbacks,
                                                                          citizen, sms):
    long_title = "您的办件“律师执业核准及相关证明事项告知承诺”已受理并进入审查程序请关注后续进展通知"
    with django_capture_on_commit_callbacks(execute=True):
        tell(citizen, title=long_title)
    delivery = Delivery.objects.get(message__user=citizen)
    assert delivery.channel == "sms" and delivery.status == "sent" and delivery.provider_id.startswith("SIM")
    assert len(sms.sent) == 1
    text = sms.sent[0]["text"]
    assert sms.sent[0]["mobile"] == citizen.mobile
    assert text.startswith("【承诺通】") and len(text) <= 70 and sms.sent[0]["segments"] == 1
    assert "消息中心" in text


def test_a_failing_gateway_is_retried_with_backoff_and_sends_once(citizen, sms):
    tell(citizen)
    delivery = Delivery.objects.get()
    sms.fail = True
    assert notifications.deliver(delivery.pk) == notifications.FAILED
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.attempts == 1 and "503" in delivery.last_error
    assert delivery.next_attempt_at > timezone.now()
    assert list(notifications.due_deliveries()) == []  # the beat waits for the back-off
    sms.fail = False
    assert notifications.deliver(delivery.pk) == notifications.SENT
    assert notifications.deliver(delivery.pk) == notifications.SKIPPED
    assert len(sms.sent) == 1 and Delivery.objects.get().attempts == 2


def test_a_resend_after_a_lost_answer_is_recognised_by_the_gateway(citizen, sms):
    tell(citizen)
    delivery = Delivery.objects.select_related("message__user").get()
    gateway = notifications.HttpSmsGateway()
    first = gateway.send(delivery, citizen.mobile)
    second = gateway.send(delivery, citizen.mobile)  # the worker died before recording the first answer
    assert first == second and len(sms.sent) == 1 and sms.hits == 2


def test_a_number_the_gateway_refuses_is_not_retried(sms):
    user = CitizenFactory(mobile="10012345678")
    tell(user)
    delivery = Delivery.objects.get()
    assert notifications.deliver(delivery.pk) == notifications.GAVE_UP
    delivery.refresh_from_db()
    assert delivery.status == "failed" and delivery.next_attempt_at is None and sms.sent == []


def test_without_a_gateway_no_sms_is_offered_or_queued(client, citizen, settings):
    settings.SMS_GATEWAY_URL = ""
    tell(citizen)
    assert not Delivery.objects.exists()
    client.force_login(citizen)
    assert "本平台暂未开通短信提醒" in client.get("/accounts/profile/").content.decode()


def test_the_sms_text_never_exceeds_one_segment():
    message = Message(title="核" * 60)
    text = notifications.sms_text(message)
    assert len(text) == 70 and text.startswith("【承诺通】") and notifications.segments(text) == 1
    assert notifications.segments("字" * 71) == 2


# --- 提醒方式 on the profile page ------------------------------------------------------------------------
def test_a_citizen_chooses_email_reminders_on_the_profile_page(client, citizen, sms):
    client.force_login(citizen)
    page = client.get("/accounts/profile/").content.decode()
    assert "提醒方式" in page and citizen.mobile[-4:] in page and citizen.mobile not in page
    response = client.post("/accounts/profile/", {"by_email": "on", "email": "zw@example.com"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    prefs = NotificationSettings.objects.get(user=citizen)
    assert citizen.email == "zw@example.com" and prefs.by_email and not prefs.by_sms
    tell(citizen)
    assert list(Delivery.objects.values_list("channel", flat=True)) == ["email"]


def test_the_profile_form_explains_a_missing_or_wrong_email(client, citizen):
    client.force_login(citizen)
    page = client.post("/accounts/profile/", {"by_email": "on", "email": ""}).content.decode()
    assert "选择邮件提醒时，请填写接收提醒的电子邮箱。" in page
    page = client.post("/accounts/profile/", {"by_email": "on", "email": "not-an-address"}).content.decode()
    assert "请填写正确的电子邮箱地址" in page
    assert not NotificationSettings.objects.filter(user=citizen).exists()


def test_staff_can_open_the_profile_page(client, agency):
    staff = StaffFactory(agency=agency, mobile="")
    client.force_login(staff)
    assert "您的账号没有登记手机号码" in client.get("/accounts/profile/").content.decode()


# --- beat ---------------------------------------------------------------------------------------------
def test_the_beat_entries_name_registered_tasks(settings):
    from chengnuo.celery import app

    app.loader.import_default_modules()
    for name in ("portal-send-pending-deliveries", "portal-remind-deadlines"):
        assert settings.CELERY_BEAT_SCHEDULE[name]["task"] in app.tasks
    assert remind_deadlines.name == "chengnuo.tasks.remind_deadlines"


def test_the_message_centre_and_settings_read_in_english(client, citizen):
    from django.utils import translation

    client.force_login(citizen)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    try:
        assert "<h1 class=\"h3 mb-0\">Messages</h1>" in client.get("/messages/").content.decode()
        page = client.get("/accounts/profile/").content.decode()
        assert "<h1 class=\"h3\">Settings</h1>" in page and "E-mail reminders" in page
    finally:
        translation.deactivate()
