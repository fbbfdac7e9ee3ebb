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
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

# Fixture state (users, a published catalogue) is shared by the examples of one test; each example
# makes its own request, and the rate-limit cache is cleared before each one.
FUZZ = hsettings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
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
@given(name=hostile, uscc=hostile, person=hostile)
def test_enterprise_registration_refuses_hostile_input_in_chinese(name, uscc, person):
    data = {"name": name, "uscc": uscc, "legal_representative": person, "contact_name": person,
            "mobile": "13912345678", "password1": "Hostile-2026!", "password2": "Hostile-2026!", "agree": "on"}
    response = fresh_client().post(reverse("register_enterprise"), data)
    assert_safe(response, name, uscc, person)
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
