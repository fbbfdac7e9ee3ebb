"""Every search box outside the desk posts: an ID number typed into one reaches no URL (so no access
log, browser history or Referer), no log line and no audit event; and hostile text is harmless."""

import pytest
from django.urls import reverse

from tests.security.test_pii import ZHANG, Browser, assert_nowhere, watched  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

SEARCH_BOXES = [
    (None, "catalog:index"),
    (None, "credit:blacklist"),
    ("credit_officer", "credit:officer"),
    ("operator", "complaints:operator"),
]


@pytest.mark.parametrize("role,name", SEARCH_BOXES, ids=[name for _, name in SEARCH_BOXES])
def test_an_id_number_typed_into_a_search_box_reaches_no_url_or_log(
        request, client, django_capture_on_commit_callbacks, watched, role, name):  # noqa: F811 - fixture
    if role:
        client.force_login(request.getfixturevalue(role))
    browser = Browser(client, django_capture_on_commit_callbacks)
    page = browser.get(reverse(name))
    form = next(f for f in page.page.forms if "q" in f["names"])
    assert form["method"] == "post"
    result = browser.submit(page, "q", {"q": ZHANG})
    assert result.status_code == 200
    assert f'value="{ZHANG}"' in result.content.decode()  # the box shows back what was typed…
    assert result.url.endswith("s=1")  # …which the URL only marks
    assert_nowhere(ZHANG, browser=browser, watched=watched)


@pytest.mark.parametrize("role,name", SEARCH_BOXES, ids=[name for _, name in SEARCH_BOXES])
@pytest.mark.parametrize("value", ["a\x00b", "²", "<script>alert(1)</script>", "'; DROP TABLE x; --", "长" * 500])
def test_search_boxes_take_hostile_text_by_post(request, client, role, name, value):
    if role:
        client.force_login(request.getfixturevalue(role))
    response = client.post(reverse(name), {"q": value})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "<script>alert(1)</script>" not in page.content.decode()


def test_a_search_is_forgotten_when_the_page_is_opened_afresh(client):
    client.post(reverse("credit:blacklist"), {"q": "秦川"})
    assert 'value="秦川"' in client.get(reverse("credit:blacklist") + "?s=1").content.decode()
    assert 'value="秦川"' not in client.get(reverse("credit:blacklist")).content.decode()
    assert 'value="秦川"' not in client.get(reverse("credit:blacklist") + "?s=1").content.decode()
