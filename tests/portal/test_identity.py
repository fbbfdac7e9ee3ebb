"""Issue 14, findings 2 and 4: nobody takes over a record by typing its number, and no form tells whether a number exists.

Accounts bind to records only after real-name proofing (实名认证): online at the identity platform (the exchange
simulator stands in for it, over real HTTP on loopback), or with a one-time binding code a window clerk hands over.
"""

import http.client
import time
from datetime import timedelta
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from django.urls import reverse
from django.utils import timezone

from portal import identifiers, identity
from portal.models import AuditEvent, BindingCode, Subject, User
from tests.factories import OrganisationFactory, SubjectFactory, UserFactory
from verification.simulator import start_in_thread

pytestmark = pytest.mark.django_db

CHEN = ("陈明", "610112198709030014")  # known to the simulator's population register
ZHAO = ("赵国栋", "610104198506070024")  # the legal representative of 秦川 in the simulator's business registry
QINCHUAN = "91610131MA6UQ1234U"
ACCOUNT = {"mobile": "13712345678", "email": "", "password1": "Qinling#2026", "password2": "Qinling#2026",
           "agree": "on"}


@pytest.fixture
def platform(settings):
    server = start_in_thread()
    settings.IDENTITY_PROVIDER_URL = server.url
    settings.IDENTITY_PROVIDER_TIMEOUT = 1
    settings.IDENTITY_PROVIDER_RETRIES = 0
    identity.reset_breakers()
    yield server
    identity.reset_breakers()
    server.shutdown()
    server.server_close()


def _registered(client, name="赵小云", mobile="13712345678", **extra):
    response = client.post(reverse("register_person"), {**ACCOUNT, "full_name": name, "mobile": mobile, **extra})
    assert response.status_code == 302, response.content.decode()[:500]
    return User.objects.get(username=mobile)


def _proof_at_platform(client, platform, name, number, *, for_="person", uscc=""):
    """Start at the portal, answer the platform's page (its "face check"), come back with the code."""
    start = client.post(reverse("identity_start"), {"for": for_, "uscc": uscc})
    assert start.status_code == 302, start.content.decode()[:500]
    location = urlsplit(start["Location"])
    assert f"{location.scheme}://{location.netloc}" == platform.url and location.path == "/identity/authorize"
    params = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert set(params) == {"client_id", "state", "redirect_uri"}  # no personal data in the URL
    connection = http.client.HTTPConnection(location.hostname, location.port, timeout=5)
    form = urlencode({"state": params["state"], "redirect_uri": params["redirect_uri"], "name": name, "id_number": number})
    connection.request("POST", "/identity/authorize", body=form,
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
    answer = connection.getresponse()
    answer.read()
    connection.close()
    if answer.status != 302:
        return None
    back = urlsplit(answer.getheader("Location"))
    return client.get(back.path + "?" + back.query)


# --- finding 2: takeover by registration ----------------------------------------------------------------------
def test_registering_with_a_public_uscc_gives_no_credit_file_or_objection_form(client):
    company = OrganisationFactory(name="西安某某建材有限公司")
    response = client.post(reverse("register_enterprise"), {**ACCOUNT, "contact_name": "钱某", "mobile": "13912345678",
                                                           "uscc": company.id_number, "name": company.name})
    assert response.status_code == 302 and response["Location"] == reverse("identity") + "?for=enterprise"
    assert not company.accounts.exists()
    for url in (reverse("credit:me"), reverse("credit:raise_objection", args=[1]), reverse("credit:my_record", args=[1])):
        page = client.get(url)
        assert page.status_code == 403, url
        assert "请先完成实名认证" in page.content.decode()
        assert company.name not in page.content.decode()


def test_an_account_bound_before_proofing_existed_sees_nothing_until_it_proves_its_identity(client):
    victim = SubjectFactory(name="王小明")
    legacy = UserFactory(subject=victim, roles=["applicant"])  # bound by the old registration, never proofed
    client.force_login(legacy)
    assert client.get(reverse("credit:me")).status_code == 403
    assert client.get(reverse("commitments:my_applications")).status_code == 403
    assert "王小明" not in client.get(reverse("workspace")).content.decode()


# --- finding 4: no existence oracle -----------------------------------------------------------------------------
def test_registration_answers_alike_for_a_known_and_an_unknown_id_number(client):
    known = SubjectFactory()
    first = client.post(reverse("register_person"), {**ACCOUNT, "full_name": "甲", "mobile": "13700000011",
                                                     "id_number": known.id_number})
    client.logout()
    second = client.post(reverse("register_person"), {**ACCOUNT, "full_name": "甲", "mobile": "13700000012",
                                                      "id_number": _adult_id()})
    assert (first.status_code, first["Location"]) == (second.status_code, second["Location"])
    assert "已注册" not in client.get(first["Location"]).content.decode()
    assert not known.accounts.exists()


def test_the_public_mask_shows_only_the_first_and_last_character():
    assert identifiers.mask("610113198805203217") == "6****************7"
    assert identifiers.mask("6101**********3217") == "6****************7"  # an older mask is re-masked alike
    assert SubjectFactory(id_number="610113198805203217").id_masked == "6****************7"


# --- throttles ------------------------------------------------------------------------------------------------------
def test_registration_is_throttled_per_address(client):
    for n in range(5):
        assert client.post(reverse("register_person"), {**ACCOUNT, "full_name": "甲", "mobile": f"1370000002{n}"}).status_code == 302
        client.logout()
    refused = client.post(reverse("register_person"), {**ACCOUNT, "full_name": "甲", "mobile": "13700000029"})
    assert refused.status_code == 429 and "注册过于频繁" in refused.content.decode()
    assert not User.objects.filter(username="13700000029").exists()
    other = client.post(reverse("register_person"), {**ACCOUNT, "full_name": "甲", "mobile": "13700000030"},
                        REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 302


def test_registration_is_throttled_for_the_whole_portal(client, monkeypatch):
    from portal.views import accounts

    monkeypatch.setitem(accounts.REGISTER_LIMITS, "overall", (2, 3600))
    for n in range(2):
        client.post(reverse("register_person"), {**ACCOUNT, "full_name": "甲", "mobile": f"1370000004{n}"},
                    REMOTE_ADDR=f"10.0.1.{n}")
        client.logout()
    refused = client.post(reverse("register_person"), {**ACCOUNT, "full_name": "甲", "mobile": "13700000049"},
                          REMOTE_ADDR="10.0.1.200")
    assert refused.status_code == 429


def test_binding_code_guesses_are_throttled_per_account_even_across_addresses(client):
    user = _registered(client)
    for n in range(5):
        response = client.post(reverse("identity_code"), {"id_number": _adult_id(), "code": "ABCDEFGH"},
                               REMOTE_ADDR=f"10.0.2.{n}")
        assert response.status_code == 400 and "绑定码无效" in response.content.decode()
    refused = client.post(reverse("identity_code"), {"id_number": _adult_id(), "code": "ABCDEFGH"}, REMOTE_ADDR="10.0.2.99")
    assert refused.status_code == 429 and "过于频繁" in refused.content.decode()
    assert User.objects.get(pk=user.pk).subject is None


def test_signed_in_complaint_filing_is_limited_per_account(client, citizen, monkeypatch):
    from complaints import views

    monkeypatch.setitem(views.SIGNED_IN_FILE_LIMITS, "per_account", (1, 86400))
    client.force_login(citizen)
    client.post(reverse("complaints:new"), {"kind": "consultation", "title": "问题", "content": "内容"})
    assert client.post(reverse("complaints:new"), {"kind": "consultation", "title": "问题", "content": "内容"},
                       REMOTE_ADDR="10.0.3.1").status_code == 429


# --- the counter path: binding codes --------------------------------------------------------------------------------
def _issue(client, clerk, name, number, kind="person", basis="id_card", holder=""):
    client.force_login(clerk)
    response = client.post(reverse("desk_binding_code"), {"kind": kind, "name": name, "id_number": number,
                                                          "basis": basis, "holder_name": holder})
    client.logout()
    assert response.status_code == 200, response.content.decode()[:800]
    assert "no-store" in response["Cache-Control"]
    return response.context["code"]


def test_a_counter_binding_code_binds_once_and_is_kept_only_as_a_hash(client, clerk):
    walk_in = SubjectFactory(name="王小明")
    code = _issue(client, clerk, "王小明", walk_in.id_number)
    assert len(code) == 8 and not BindingCode.objects.filter(code_hash=code).exists()
    user = _registered(client, name="王小明")
    bound = client.post(reverse("identity_code"), {"id_number": walk_in.id_number, "code": code.lower()})
    assert bound.status_code == 302
    user.refresh_from_db()
    assert user.subject == walk_in and user.identity_method == "counter" and user.identity_verified_at
    assert client.get(reverse("commitments:my_applications")).status_code == 200
    client.logout()
    _registered(client, name="别人", mobile="13700000099")
    again = client.post(reverse("identity_code"), {"id_number": walk_in.id_number, "code": code})
    assert again.status_code == 400 and "已使用" in again.content.decode()
    assert AuditEvent.objects.filter(action="identity.bound", object_id=str(user.pk)).exists()


def test_an_expired_or_mismatched_binding_code_is_refused_with_one_answer(client, clerk):
    walk_in = SubjectFactory(name="王小明")
    code = _issue(client, clerk, "王小明", walk_in.id_number)
    _registered(client)
    wrong_number = client.post(reverse("identity_code"), {"id_number": _adult_id(), "code": code})
    BindingCode.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
    expired = client.post(reverse("identity_code"), {"id_number": walk_in.id_number, "code": code})
    made_up = client.post(reverse("identity_code"), {"id_number": walk_in.id_number, "code": "ZZZZZZZZ"})
    errors = [r.context["code_form"].errors["code"] for r in (wrong_number, expired, made_up)]
    assert errors[0] == errors[1] == errors[2]
    assert not walk_in.accounts.exists()


def test_the_counter_never_renames_a_record(client, clerk):
    walk_in = SubjectFactory(name="王小明")
    client.force_login(clerk)
    response = client.post(reverse("desk_binding_code"), {"kind": "person", "name": "王大明", "id_number": walk_in.id_number,
                                                          "basis": "id_card"})
    assert "名称不一致" in response.content.decode() and not BindingCode.objects.exists()
    assert Subject.objects.get(pk=walk_in.pk).name == "王小明"


def test_an_enterprise_agent_binds_with_a_code_for_the_agent_letter(client, clerk):
    code = _issue(client, clerk, "西安某某建材有限公司", _uscc(), kind="organisation", basis="agent_letter", holder="钱某")
    company = Subject.objects.get(kind="organisation")
    client.post(reverse("register_enterprise"), {**ACCOUNT, "contact_name": "钱某", "mobile": "13912345678"})
    assert client.post(reverse("identity_code"), {"id_number": company.id_number, "code": code}).status_code == 302
    assert User.objects.get(username="13912345678").subject == company


def test_only_window_clerks_hand_out_binding_codes(client, citizen, verifier):
    for user in (citizen, verifier):
        client.force_login(user)
        assert client.get(reverse("desk_binding_code")).status_code == 403


# --- online proofing against the identity platform (simulator) ---------------------------------------------------------
def test_online_proofing_binds_the_account_to_the_existing_record_without_renaming_it(client, platform):
    walk_in = SubjectFactory(name="陈明", id_number=CHEN[1])
    user = _registered(client, name="随便填的名字")
    back = _proof_at_platform(client, platform, *CHEN)
    assert back.status_code == 302 and back["Location"] == reverse("workspace")
    user.refresh_from_db()
    assert user.subject == walk_in and user.identity_method == "online" and user.full_name == "陈明"
    assert all(CHEN[1] not in path for path in platform.paths)


def test_online_proofing_creates_the_record_with_the_proofed_name_for_a_new_citizen(client, platform):
    user = _registered(client, name="小陈")
    _proof_at_platform(client, platform, *CHEN)
    user.refresh_from_db()
    assert user.subject.name == "陈明" and user.subject.id_number == CHEN[1]


def test_the_platform_refuses_someone_elses_identity_and_nothing_is_bound(client, platform):
    user = _registered(client)
    assert _proof_at_platform(client, platform, "冒名者", CHEN[1]) is None
    user.refresh_from_db()
    assert user.subject is None


def test_a_code_from_the_platform_is_redeemed_once(client, platform):
    _registered(client)
    start = client.post(reverse("identity_start"), {"for": "person"})
    state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
    forged = client.get(reverse("identity_callback"), {"code": "made-up", "state": state})
    assert forged.status_code == 302 and forged["Location"] == reverse("identity")
    assert User.objects.get(username=ACCOUNT["mobile"]).subject is None


def test_the_legal_representative_binds_the_enterprise_after_matching_the_business_registry(client, platform):
    client.post(reverse("register_enterprise"), {**ACCOUNT, "contact_name": "赵国栋", "mobile": "13912345678"})
    back = _proof_at_platform(client, platform, *ZHAO, for_="enterprise", uscc=QINCHUAN)
    assert back["Location"] == reverse("workspace")
    user = User.objects.get(username="13912345678")
    assert user.subject.kind == "organisation" and user.subject.name == "西安秦川软件科技有限公司"
    assert user.identity_method == "legal_representative"


def test_a_person_who_is_not_the_legal_representative_cannot_bind_the_enterprise(client, platform):
    client.post(reverse("register_enterprise"), {**ACCOUNT, "contact_name": "陈明", "mobile": "13912345678"})
    back = _proof_at_platform(client, platform, *CHEN, for_="enterprise", uscc=QINCHUAN)
    assert back["Location"] == reverse("identity")
    assert User.objects.get(username="13912345678").subject is None
    assert "未能确认您是该企业登记的法定代表人" in client.get(reverse("identity")).content.decode()


def test_a_slow_platform_times_out_and_the_account_stays_unbound(client, settings):
    server = start_in_thread(delay=0.5)
    try:
        settings.IDENTITY_PROVIDER_URL = server.url
        settings.IDENTITY_PROVIDER_TIMEOUT = 0.1
        settings.IDENTITY_PROVIDER_RETRIES = 1
        identity.reset_breakers()
        _registered(client)
        start = client.post(reverse("identity_start"), {"for": "person"})
        state = parse_qs(urlsplit(start["Location"]).query)["state"][0]
        back = client.get(reverse("identity_callback"), {"code": "any", "state": state})
        assert back["Location"] == reverse("identity")
        assert "暂时无法确认您的身份" in client.get(reverse("identity")).content.decode()
        time.sleep(0.6)
        assert server.hits == 2  # one try and one retry
    finally:
        identity.reset_breakers()
        server.shutdown()
        server.server_close()


def test_a_failing_platform_opens_the_circuit_and_is_not_called_until_the_cool_down(settings):
    server = start_in_thread(fail=True)
    try:
        settings.IDENTITY_PROVIDER_URL = server.url
        settings.IDENTITY_PROVIDER_RETRIES = 0
        settings.IDENTITY_BREAKER_THRESHOLD = 2
        settings.IDENTITY_BREAKER_COOLDOWN = 60
        identity.reset_breakers()
        provider = identity.provider()
        for _ in range(2):
            with pytest.raises(identity.exchange.ConnectorError):
                provider.redeem("x")
        hits = server.hits
        with pytest.raises(identity.exchange.CircuitOpen, match="身份认证平台暂时不可用"):
            provider.redeem("x")
        assert server.hits == hits
    finally:
        identity.reset_breakers()
        server.shutdown()
        server.server_close()


def test_a_bound_account_cannot_be_rebound_by_a_second_proofing(client, platform, citizen):
    client.force_login(citizen)
    before = citizen.subject_id
    client.post(reverse("identity_start"), {"for": "person"})
    assert User.objects.get(pk=citizen.pk).subject_id == before
    assert "已完成实名认证" in client.get(reverse("identity")).content.decode()


# --- helpers ------------------------------------------------------------------------------------------------------------
def _with_check(body: str) -> str:
    from stdnum.cn import ric

    return body + ric.calc_check_digit(body + "0")


def _adult_id() -> str:
    return _with_check("61011319900215002")


def _minor_id(n: int = 0) -> str:
    year = timezone.localdate().year - 10
    return _with_check(f"610113{year}0601{n:03d}")


def _uscc() -> str:
    from stdnum.cn import uscc

    body = "91610113MA6Q00001"
    return body + uscc.calc_check_digit(body)


def test_demo_citizens_and_enterprises_are_bound_and_one_demo_account_shows_the_flow():
    from portal import demo

    logins = {username for username, _password, _note in demo.seed()}
    for username in ("13800000001", "13900000001"):
        user = User.objects.get(username=username)
        assert user.bound_subject_id == user.subject_id is not None
    unverified = User.objects.get(username="13800000009")
    assert "13800000009" in logins and unverified.subject is None and unverified.bound_subject_id is None
    demo.seed()  # idempotent
    assert User.objects.get(username="13800000009").subject is None
