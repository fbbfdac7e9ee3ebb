"""English as the second language: the kernel pages and their messages read as English."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

pytestmark = pytest.mark.django_db

CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")
H1 = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)


def _h1(response) -> str:
    headings = H1.findall(response.content.decode())
    assert len(headings) == 1, headings
    return headings[0].strip()


@pytest.fixture
def english(client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    yield client
    # LocaleMiddleware leaves English active in this thread; later tests expect the default.
    translation.deactivate()


def _assert_english_headings(client, expected: dict) -> list:
    """Each page answers 200 with its English heading and no Chinese in the heading; the responses."""
    responses = []
    for url, heading in expected.items():
        response = client.get(url)
        assert response.status_code == 200, url
        h1 = _h1(response)
        assert heading in h1, (url, h1)
        assert not CJK.search(h1), (url, h1)
        responses.append(response)
    return responses


def test_english_kernel_pages_and_registration_errors(english):
    expected = {
        reverse("home"): "Fewer trips",
        reverse("login"): "Sign in",
        reverse("register"): "Create an account",
        reverse("register_person"): "Register as an individual",
    }
    for response in _assert_english_headings(english, expected):
        assert '<html lang="en">' in response.content.decode()

    home = english.get(reverse("home")).content.decode()
    assert "Accessible mode (large text)" in home
    assert "Government service hotline: 12345" in home

    response = english.post(reverse("register_person"), {
        "full_name": "Zhao Xiaoyun",
        "mobile": "1371234567",  # one digit short
        "email": "",
        "password1": "Qinling#2026",
        "password2": "Qinling#2026",
        "agree": "on",
    })
    assert response.status_code == 200
    error = response.context["form"].errors["mobile"][0]
    assert error == "Enter an 11-digit mainland China mobile number."
    assert error in response.content.decode()
    assert not CJK.search(error)


def test_english_app_pages_have_english_headings(english):
    expected = {
        "/catalog/": "List of certification matters",
        "/credit/blacklist/": "False-commitment blacklist",
        "/complaints/new/": "Anonymous report",
        "/transparency/": "Implementation of the notification-and-commitment system",
    }
    _assert_english_headings(english, expected)
