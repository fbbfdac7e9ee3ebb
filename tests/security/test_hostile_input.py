"""Hostile input (issue 9, item 3): every public and citizen form, fed by hypothesis.

Very long text, control characters (NUL included), mixed scripts, SQL, HTML/JS, Django template
syntax and format strings go into every text field of every form an anonymous visitor or a citizen
can reach, and into the search boxes and object numbers in URLs. For each example:

* the response is never a server error (the test client re-raises any exception in a view, so an
  unhandled error fails the test with its traceback; a 500 page would fail the status check);
* an invalid form is shown again with its messages in Chinese beside the fields;
* nothing the visitor typed comes back unescaped, and no template syntax is evaluated.

Stored values are then shown to the staff who read them: a report carrying ``<script>`` appears on
the operator's ticket page as ``&lt;script&gt;``. The same file runs on SQLite and PostgreSQL
(PostgreSQL refuses NUL in text, so NUL must be stopped before the database).
"""

import re
import uuid

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, event, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from tests.challenge import solve
from tests.factories import answer_negative_list_no

pytestmark = pytest.mark.django_db

# Fixture state (users, a published catalogue) is shared by the examples of one test; each example
# makes its own request, and the rate-limit cache is cleared before each one.
FUZZ = hsettings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])

XSS = (
    "<script>alert('承诺')</script>",
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(1)>",
    "javascript:alert(1)",
    "<a href='http://127.0.0.1/'>点我</a>",
)
TEMPLATE = ("{{ settings.SECRET_KEY }}", "{% debug %}", "{{ request.user.password }}", "{% load static %}{% now 'Y' %}",
            "${7*7}", "#{7*7}", "{{7*7}}")
SQL = ("' OR '1'='1", "'; DROP TABLE portal_user; --", "\" OR 1=1 --", "1; SELECT pg_sleep(5)", "%' AND 1=1 AND '%'='",
       "admin'--", "\\'; --")
FORMAT = ("%s%s%s%n", "%(password)s", "{0.__class__.__mro__}", "{}", "%d", "%%", "%x%x%x")
SCRIPTS = ("王小明", "محمد", "שלום", "Ελληνικά", "Кириллица", "한국어", "日本語テキスト", "👨‍👩‍👧‍👦🇨🇳", "e\u0301\u0308\u0327",
           "\u202eevil\u202c", "a\u200bb\u200c\u200d\ufeff", "\U00020000\U0002a6d6", "\u3000全角　空格", "１２３４５")
CONTROL = ("\x00", "\x00\x00", "a\x00b", "\x07\x08\x0b\x0c", "\x1b[31m", "\r\n\r\n", "\t", "\x7f", "\u0085", "\u2028\u2029")
NUMBERS = ("²", "٣", "１２", "9" * 5000, "-1", "0", "1e9", "99999999999999999999", "NaN", "0x10", "1_000")
PAYLOADS = XSS + TEMPLATE + SQL + FORMAT + SCRIPTS + CONTROL + NUMBERS

piece = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(max_size=40),
    st.text(st.characters(categories=["Cc", "Cf", "Zs", "Mn"]), max_size=10),
    st.text(st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF), max_size=20),
)
hostile = st.one_of(
    st.lists(piece, min_size=1, max_size=6).map("".join),
    # very long text (10k+ characters): a payload repeated
    st.sampled_from(PAYLOADS + ("长",)).map(lambda p: p * (10_001 // len(p) + 1)),
)

# an optional field: often left empty, so that the other fields' hostile text gets through to storage
maybe = st.one_of(st.just(""), hostile)

CJK = re.compile(r"[\u4e00-\u9fff]")
DANGEROUS = re.compile(r"<\s*(script|img|svg|a)\b", re.I)


def _raw_markup(value: str) -> list[str]:
    """The pieces of ``value`` that would be live markup if a page echoed them unescaped."""
    return [m for m in XSS if m in value and DANGEROUS.search(m)]


def assert_safe(response, *values):
    """No server error; nothing typed comes back as markup; no template syntax evaluated."""
    assert response.status_code < 500, response.status_code
    if response.get("Content-Type", "").startswith("text/html"):
        body = response.content.decode("utf-8", "replace")
        for value in values:
            for markup in _raw_markup(value or ""):
                assert markup not in body, f"unescaped {markup!r} in the page"
        assert settings.SECRET_KEY not in body
        assert "{% debug %}" not in body or "sql_queries" not in body


def assert_chinese_errors(response):
    """An invalid form is shown again (200) with every message in Chinese."""
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors, "the form should have been refused"
    for field, messages in form.errors.items():
        for message in messages:
            assert CJK.search(message), f"{field}: {message!r} is not Chinese"


def fresh_client(**kwargs) -> Client:
    cache.clear()  # rate limits and used challenges start again
    return Client(**kwargs)


# --- anonymous: search boxes and numbers in URLs --------------------------------------------------
SEARCHES = [
    ("catalog:index", ("q", "field", "agency", "service", "applicability", "per_page", "page")),
    ("commitments:publicity", ("q", "page")),
    ("credit:blacklist", ("q", "page")),
    ("complaints:faq", ("q", "page")),
    ("transparency_notices", ("page",)),
]


@pytest.mark.parametrize("name,params", SEARCHES, ids=[s[0] for s in SEARCHES])
@FUZZ
@given(value=hostile)
@example(value="a\x00b")
@example(value="²")
def test_public_searches_never_fail_on_hostile_queries(name, params, value):
    response = fresh_client().get(reverse(name), {p: value for p in params})
    assert response.status_code == 200
    assert_safe(response, value)


@pytest.mark.parametrize("name", ["commitments:verify_letter", "complaints:tracked"])
@FUZZ
@given(value=hostile.filter(lambda v: v.strip() and "/" not in v))
@example(value="CN\x00")
def test_numbers_in_public_urls_never_fail(name, value):
    response = fresh_client().get(reverse(name, args=["X"]).replace("/X/", "/" + _quote(value) + "/"))
    assert response.status_code in (200, 404)
    assert_safe(response, value)


OWN_NUMBER_URLS = [
    ("citizen", "complaints:my_ticket", "{}"),
    ("operator", "complaints:detail", "{}"),
    ("citizen", "commitments:letter_pdf", "{}"),
    ("clerk", "commitments:letter_pdf", "{}"),
    ("citizen", "commitments:withdraw_commitment", "1/{}"),
]


@pytest.mark.parametrize("role,name,shape", OWN_NUMBER_URLS, ids=[f"{r}-{n}" for r, n, _s in OWN_NUMBER_URLS])
@hsettings(FUZZ, max_examples=8)
@given(value=hostile.filter(lambda v: v.strip() and "/" not in v))
@example(value="GD\x00")
def test_numbers_in_signed_in_urls_never_fail(request, role, name, shape, value):
    client = fresh_client()
    client.force_login(request.getfixturevalue(role))
    args = shape.format("X").split("/")
    url = reverse(name, args=[int(a) if a.isdigit() else a for a in args])
    response = client.get(url.replace("X", _quote(value)))
    assert response.status_code in (404, 405)
    assert_safe(response, value)


@FUZZ
@given(uid=hostile.filter(lambda v: v.strip() and "/" not in v), token=hostile.filter(lambda v: v.strip() and "/" not in v))
def test_password_reset_links_with_hostile_parts_never_fail(uid, token):
    url = reverse("password_reset_confirm", args=["U", "T"]).replace("/U/T/", f"/{_quote(uid)}/{_quote(token)}/")
    response = fresh_client().get(url)
    assert response.status_code in (200, 302, 404)
    assert_safe(response, uid, token)


def _quote(value):
    from urllib.parse import quote

    return quote(value, safe="")


# --- anonymous: account forms ---------------------------------------------------------------------
@FUZZ
@given(username=hostile, password=hostile)
def test_login_refuses_hostile_credentials_in_chinese(username, password):
    response = fresh_client().post(reverse("login"), {"username": username, "password": password})
    assert_safe(response, username)
    assert_chinese_errors(response)


@FUZZ
@given(email=hostile)
def test_password_reset_never_fails(email):
    response = fresh_client().post(reverse("password_reset"), {"email": email})
    assert_safe(response, email)
    if response.status_code == 200:
        assert_chinese_errors(response)
    else:
        assert response.status_code == 302


@FUZZ
@given(name=hostile, id_number=hostile, mobile=hostile, email=hostile, password=hostile)
def test_person_registration_refuses_hostile_input_in_chinese(name, id_number, mobile, email, password):
    data = {"full_name": name, "id_number": id_number, "mobile": mobile, "email": email, "password1": password,
            "password2": password, "agree": "on"}
    response = fresh_client().post(reverse("register_person"), data)
    assert_safe(response, name, id_number, mobile, email)
    assert_chinese_errors(response)


@FUZZ
@given(name=hostile, mobile=hostile, person=hostile)
def test_enterprise_registration_refuses_hostile_input_in_chinese(name, mobile, person):
    # No USCC is asked any more (an enterprise binds after proofing); a stray one is ignored.
    data = {"name": name, "uscc": name, "contact_name": person, "mobile": mobile,
            "password1": "Hostile-2026!", "password2": "Hostile-2026!", "agree": "on"}
    response = fresh_client().post(reverse("register_enterprise"), data)
    assert_safe(response, name, mobile, person)
    assert_chinese_errors(response)


@FUZZ
@given(name=st.sampled_from(XSS + TEMPLATE + SQL + SCRIPTS).map(lambda s: s[:50]).filter(str.strip))
def test_a_hostile_name_registers_and_is_shown_escaped(name):
    from portal.models import User
    from tests.factories import resident_id

    client = fresh_client()
    mobile = f"15{uuid.uuid4().int % 10**9:09d}"
    response = client.post(reverse("register_person"), {
        "full_name": name, "id_number": resident_id(uuid.uuid4().int % 10**6), "mobile": mobile,
        "password1": "Hostile-2026!", "password2": "Hostile-2026!", "agree": "on"})
    if response.status_code == 200:  # refused (e.g. an ID number already used): still in Chinese
        assert_chinese_errors(response)
        return
    assert response.status_code == 302
    assert User.objects.get(mobile=mobile).full_name == name.strip()
    assert_safe(client.get(reverse("workspace")), name)


# --- complaints: the anonymous report (rate limit + no-JS challenge), tracking, logged-in filing ---------
def solve_challenge(html: str) -> tuple[str, str]:
    """(token, answer): the answer its keyed hash accepts (tests/challenge.py)."""
    return solve(html)


def file_report(client, **fields):
    token, answer = solve_challenge(client.get(reverse("complaints:new")).content.decode())
    data = {"topic": "false_commitment", "title": "虚假承诺", "content": "经过如下。", "challenge_token": token,
            "challenge_answer": answer, **fields}
    return client.post(reverse("complaints:new"), data)


@FUZZ
@given(title=hostile, content=hostile, phone=maybe, ref=maybe)
def test_an_anonymous_report_with_hostile_text_is_filed_safely_or_refused_in_chinese(title, content, phone, ref):
    from complaints.models import Ticket

    before = Ticket.objects.count()
    client = fresh_client()
    response = file_report(client, title=title, content=content, contact_phone=phone, commitment_ref=ref,
                           application_number=ref)
    assert_safe(response, title, content, phone, ref)
    event(f"report: {response.status_code}")
    if response.status_code == 302:
        ticket = Ticket.objects.order_by("-pk").first()
        assert Ticket.objects.count() == before + 1 and "\x00" not in ticket.title + ticket.content
        assert_safe(client.get(response["Location"]), title)
        assert_safe(client.get(reverse("complaints:tracked", args=[ticket.number])), title, content)
    else:
        assert_chinese_errors(response)
        assert Ticket.objects.count() == before


@FUZZ
@given(number=hostile, code=hostile)
def test_ticket_tracking_refuses_hostile_numbers_and_codes_in_chinese(number, code):
    response = fresh_client().post(reverse("complaints:track"), {"number": number, "code": code})
    assert_safe(response, number, code)
    assert_chinese_errors(response)


@FUZZ
@given(kind=st.sampled_from(["consultation", "complaint", "report"]), title=hostile, content=hostile,
       phone=maybe)
def test_a_citizen_filing_with_hostile_text_is_filed_safely_or_refused_in_chinese(citizen, kind, title, content,
                                                                                  phone):
    client = fresh_client()
    client.force_login(citizen)
    response = client.post(reverse("complaints:new"), {"kind": kind, "topic": "other", "title": title,
                                                       "content": content, "contact_phone": phone})
    assert_safe(response, title, content, phone)
    event(f"filing: {response.status_code}")
    if response.status_code != 302:
        assert_chinese_errors(response)


def test_a_report_carrying_markup_reaches_the_operator_escaped(operator):
    from complaints.models import Ticket

    client = fresh_client()
    title, content = "<script>alert('承诺')</script>", '举报内容"><img src=x onerror=alert(1)>{{ settings.SECRET_KEY }}'
    assert file_report(client, title=title, content=content, contact_phone="<svg onload=1>").status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.title == title and ticket.content == content  # stored as typed, escaped when shown

    staff = fresh_client()
    staff.force_login(operator)
    for url in (reverse("complaints:operator"), reverse("complaints:detail", args=[ticket.number])):
        page = staff.get(url)
        assert page.status_code == 200
        body = page.content.decode()
        assert "&lt;script&gt;alert(&#x27;承诺&#x27;)&lt;/script&gt;" in body
        assert_safe(page, title, content)
    assert "&lt;img src=x onerror=alert(1)&gt;" in body and "{{ settings.SECRET_KEY }}" in body


# --- citizen forms: commitments and credit ---------------------------------------------------------------
@pytest.fixture
def published_service(agency, justice_bureau, city_government):
    from tests.verification.factories import publish_catalogue, service_of

    return service_of(publish_catalogue(agency, justice_bureau, city_government))


@FUZZ
@given(name=hostile, id_number=hostile, relation=hostile)
def test_applying_for_a_minor_refuses_hostile_guardian_fields_in_chinese(citizen, published_service, name,
                                                                         id_number, relation):
    client = fresh_client()
    client.force_login(citizen)
    response = client.post(reverse("commitments:start"), {
        "service": published_service.pk, "token": str(uuid.uuid4()), "for_minor": "on", "child_name": name,
        "child_id_number": id_number, "relation": relation})
    assert_safe(response, name, id_number, relation)
    assert_chinese_errors(response)


@FUZZ
@given(service=hostile)
def test_a_hostile_service_number_shows_the_service_list(citizen, service):
    client = fresh_client()
    client.force_login(citizen)
    for response in (client.get(reverse("commitments:start"), {"service": service}),
                     client.post(reverse("commitments:start"), {"service": service})):
        assert response.status_code in (200, 404)
        assert_safe(response, service)


@FUZZ
@given(full_name=hostile, password=hostile)
def test_signing_refuses_a_hostile_name_or_password_in_chinese(citizen, published_service, full_name, password):
    from commitments import services

    application, _ = services.start_online(user=citizen, service_id=published_service.pk, token=uuid.uuid4())
    requirement = application.requirements.first()
    client = fresh_client()
    client.force_login(citizen)
    response = client.post(reverse("commitments:sign", args=[application.pk, requirement.pk]), {
        "full_name": full_name, "password": password, "state": "draft",
        **{f"statement_{i}": "on" for i in range(6)}, **answer_negative_list_no(requirement.matter)})
    assert_safe(response, full_name)
    assert_chinese_errors(response)
    assert not application.commitments.exists()


@pytest.fixture
def new_record(agency, citizen):
    """A fresh dishonesty record of the citizen for each example (an objection or repair changes its state)."""
    import datetime

    from credit import services
    from credit.models import DishonestyRecord, Severity

    def make():
        return services.enter_record(
            subject=citizen.subject, kind=DishonestyRecord.Kind.FALSE_COMMITMENT, severity=Severity.SERIOUS,
            decision_number=f"西人社罚〔2025〕{uuid.uuid4().hex[:6]}号", commitment_ref=f"CN-2025-{uuid.uuid4().hex[:8]}",
            decision_date=datetime.date.today() - datetime.timedelta(days=400), deciding_agency=agency,
            facts="承诺已缴纳社保，经核查不实。", actor=None)
    return make


@FUZZ
@given(text=hostile)
def test_an_objection_with_hostile_text_is_stored_safely_or_refused_in_chinese(citizen, credit_officer,
                                                                               new_record, text):
    from credit.models import Objection

    credit_record = new_record()
    client = fresh_client()
    client.force_login(citizen)
    response = client.post(reverse("credit:raise_objection", args=[credit_record.pk]), {"reasons": text})
    assert_safe(response, text)
    event(f"objection: {response.status_code}")
    if response.status_code == 302:
        objection = Objection.objects.filter(record=credit_record).order_by("-pk").first()
        assert "\x00" not in objection.reasons
        assert_safe(client.get(reverse("credit:my_record", args=[credit_record.pk])), text)
        officer = fresh_client()
        officer.force_login(credit_officer)
        assert_safe(officer.get(reverse("credit:objection", args=[objection.pk])), text)
    else:
        assert_chinese_errors(response)


@FUZZ
@given(text=hostile)
def test_a_repair_request_refuses_or_stores_hostile_text_safely(citizen, credit_officer, new_record, text):
    from credit.models import CreditRepair
    from tests.credit.conftest import pdf_upload

    credit_record = new_record()
    client = fresh_client()
    client.force_login(citizen)
    response = client.post(reverse("credit:apply_repair", args=[credit_record.pk]),
                           {"rectification": text, "proof": pdf_upload(), "agree": "on"})
    assert_safe(response, text)
    event(f"repair: {response.status_code}")
    if response.status_code == 302:
        repair = CreditRepair.objects.get(record=credit_record)
        assert "\x00" not in repair.rectification
        officer = fresh_client()
        officer.force_login(credit_officer)
        assert_safe(officer.get(reverse("credit:repair", args=[repair.pk])), text)
    else:
        assert_chinese_errors(response)


@FUZZ
@given(kind=st.sampled_from(["person", "organisation", "other"]), number=hostile)
def test_the_joint_restriction_lookup_refuses_hostile_numbers_in_chinese(clerk, kind, number):
    client = fresh_client()
    client.force_login(clerk)
    response = client.post(reverse("credit:lookup"), {"kind": kind, "id_number": number})
    assert_safe(response, number)
    assert_chinese_errors(response)


# --- PDF letters never fetch what a user typed ---------------------------------------------------------
@pytest.fixture
def loopback():
    """A real HTTP server on 127.0.0.1 that counts every request it gets."""
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            hits.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_port}", hits
    server.shutdown()
    server.server_close()


def test_letters_never_fetch_urls_typed_into_names_or_notification_texts(loopback, agency, justice_bureau,
                                                                        city_government, clerk):
    import urllib.request

    from catalog.models import CertificationMatter
    from commitments import services
    from tests.commitments.conftest import confirmations_for
    from tests.factories import CitizenFactory, SubjectFactory
    from tests.verification.factories import publish_catalogue, service_of

    base, hits = loopback
    urllib.request.urlopen(f"{base}/control", timeout=5).close()  # the server does count what it gets
    assert hits == ["/control"]
    hits.clear()
    evil = (f'<img src="{base}/text.png"><link rel="stylesheet" href="{base}/text.css">'
            '<img src="file:///etc/passwd"><iframe src="file:///etc/shadow"></iframe>')
    # An editor's hostile notification texts (catalogue), and a citizen whose registered name is markup.
    catalogue = publish_catalogue(agency, justice_bureau, city_government)
    CertificationMatter.objects.filter(catalogue=catalogue).update(
        commitment_content=evil, liability_civil=evil, proof_content=evil, insurance_note=evil)
    name = f'<img src="{base}/name.png">'[:50]
    citizen = CitizenFactory(full_name=name, subject=SubjectFactory(name=name))
    application, _ = services.start_online(user=citizen, service_id=service_of(catalogue).pk, token=uuid.uuid4())
    requirement = application.requirements.first()
    from tests.factories import PASSWORD as password

    commitment = services.sign_online(user=citizen, application_pk=application.pk, requirement_pk=requirement.pk,
                                      full_name=name, password=password,
                                      confirmations=confirmations_for(requirement))
    # A clerk's note on the one-time notice of what is missing (一次性告知书).
    notice = services.issue_notice(clerk=clerk, application_pk=application.pk, note=evil[:500])
    client = fresh_client()
    client.force_login(citizen)
    letter = client.get(reverse("commitments:letter_pdf", args=[commitment.letter_number]))
    blank = client.get(reverse("catalog:letter_pdf", args=[requirement.matter_id]))
    notice_pdf = client.get(reverse("commitments:notice_pdf", args=[notice.pk]))
    for response in (letter, blank, notice_pdf):
        assert response.status_code == 200 and response.content.startswith(b"%PDF")
        assert b"root:x:0:0" not in response.content
    assert hits == [], f"the PDF renderer fetched {hits}"


# --- staff: list filters and search boxes read straight from the query string -------------------------------
STAFF_SEARCHES = [
    ("clerk", "commitments:desk", ("q", "state", "page")),
    ("credit_officer", "credit:officer", ("q", "status", "page")),
    ("credit_officer", "credit:push", ("status", "page")),
    ("operator", "complaints:operator", ("view", "kind", "q", "page")),
    ("clerk", "complaints:inbox", ("view", "page")),
    ("verifier", "verification:queue", ("matter", "method", "due", "state", "after")),
    ("supervisor", "supervision", ("from", "to", "agency")),
    ("supervisor", "supervision_assessment", ("from", "to")),
    ("supervisor", "complaints:figures", ("start", "end")),
    ("editor", "catalog:manage", ("page",)),
]
DATES = ("0001-01-01", "9999-12-31", "2026-02-30", "2026-13-01", "-001-01-01", "2026-01-01\x00")


@pytest.mark.parametrize("role,name,params", STAFF_SEARCHES, ids=[s[1] for s in STAFF_SEARCHES])
@hsettings(FUZZ, max_examples=8)
@given(value=st.one_of(hostile, st.sampled_from(DATES)))
@example(value="9999-12-31")
@example(value="0001-01-01")
@example(value="a\x00b")
def test_staff_lists_never_fail_on_hostile_filters(request, role, name, params, value):
    client = fresh_client()
    client.force_login(request.getfixturevalue(role))
    response = client.get(reverse(name), {p: value for p in params})
    assert response.status_code == 200
    assert_safe(response, value)


@FUZZ
@given(username=hostile, password=st.text(max_size=30))
@example(username="a\x00b", password="x")
@example(username="13800000001", password="a\x00b")
def test_login_with_lockouts_on_never_fails_on_hostile_credentials(settings, username, password):
    """django-axes records failed logins in the database: NUL must not reach it (PostgreSQL refuses it)."""
    settings.AXES_ENABLED = True
    response = fresh_client().post(reverse("login"), {"username": username, "password": password})
    assert_safe(response, username)
    assert response.status_code in (200, 429)
    if response.status_code == 200:
        assert_chinese_errors(response)


def test_a_nul_character_is_refused_beside_its_field_in_chinese():
    """Django's CharField refuses NUL (ProhibitNullCharactersValidator); the message is translated."""
    response = fresh_client().post(reverse("register_person"), {"full_name": "张\x00伟", "id_number": "x",
                                                                "mobile": "1", "password1": "p", "password2": "p"})
    message = response.context["form"].errors["full_name"][0]
    assert CJK.search(message) and "Null" not in message


# --- file names are typed by the visitor too ------------------------------------------------------------
PDF_BYTES = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@hsettings(FUZZ, max_examples=20)
@given(stem=hostile.map(lambda s: s[:150]))
@example(stem="<img src=x onerror=alert(1)>\"; filename=evil.html")
@example(stem="..%2F..%2Fetc%2Fpasswd\r\nX-Injected: 1")
def test_hostile_file_names_are_stored_safely_and_shown_escaped(citizen, agency, new_record, stem):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from complaints.models import Ticket
    from credit.models import Attachment

    name = stem + ".pdf"
    client = fresh_client()
    client.force_login(citizen)
    response = client.post(reverse("complaints:new"), {
        "kind": "complaint", "topic": "other", "title": "附件名测试", "content": "见附件。", "about_agency": agency.pk,
        "attachments": [SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")]})
    assert_safe(response, name)
    event(f"complaint attachment: {response.status_code}")
    if response.status_code == 302:
        ticket = Ticket.objects.filter(requester=citizen).order_by("-pk").first()
        assert_safe(client.get(reverse("complaints:my_ticket", args=[ticket.number])), name)
        for item in ticket.attachments.all():
            download = client.get(reverse("complaints:attachment", args=[item.pk]))
            assert download.status_code == 200 and "\n" not in download["Content-Disposition"]

    record = new_record()
    response = client.post(reverse("credit:raise_objection", args=[record.pk]), {
        "reasons": "记录有误。", "attachments": [SimpleUploadedFile(name, PDF_BYTES, content_type="application/pdf")]})
    assert_safe(response, name)
    event(f"credit attachment: {response.status_code}")
    if response.status_code == 302:
        assert_safe(client.get(reverse("credit:my_record", args=[record.pk])), name)
        for item in Attachment.objects.filter(objection__record=record):
            download = client.get(reverse("credit:attachment", args=[item.pk]))
            assert download.status_code == 200 and "\n" not in download["Content-Disposition"]
            assert item.file.name.startswith("credit/") and item.file.name.endswith(".pdf")
    else:
        assert_chinese_errors(response)


@hsettings(FUZZ, max_examples=15)
@given(rating=st.sampled_from(["satisfied", "not_satisfied", "x"]), comment=maybe,
       state=st.one_of(st.just("replied"), st.just("replied"), hostile))
@example(rating="not_satisfied", comment="<script>alert('承诺')</script>不满意", state="replied")
def test_rating_a_reply_by_lookup_code_with_hostile_text_never_fails(operator, clerk, agency, rating, comment, state):
    from complaints import services
    from complaints.models import Channel, Kind

    ticket, code = services.file_ticket(kind=Kind.REPORT, channel=Channel.PORTAL, anonymous=True, title="举报",
                                        content="公示的经营场所实为居民住宅。", about_agency=agency)
    services.sign_for(actor=clerk, ticket_pk=ticket.pk)
    services.reply(actor=clerk, ticket_pk=ticket.pk, text="经核实，已责令整改。")
    client = fresh_client()
    assert client.post(reverse("complaints:track"), {"number": ticket.number, "code": code}).status_code == 302
    url = reverse("complaints:tracked", args=[ticket.number])
    response = client.post(url, {"rating": rating, "comment": comment, "state": state})
    assert_safe(response, comment)
    event(f"rating: {response.status_code}")
    if response.status_code == 302:
        assert_safe(client.get(url), comment)
        staff = fresh_client()
        staff.force_login(operator)
        assert_safe(staff.get(reverse("complaints:detail", args=[ticket.number])), comment)
    else:
        assert_chinese_errors(response)
