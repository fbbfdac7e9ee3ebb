"""Several web processes or nodes share one cache through CACHE_URL (Redis): a client over the anonymous
complaint form's limit on one node is over it on every node; and while that Redis is down or hangs,
pages that use the cache keep working (it holds nothing of record)."""

import os
import socket
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory
from django.urls import reverse

from complaints import abuse
from complaints.models import Ticket
from tests.complaints.test_views import REPORT, _answer_challenge
from tests.portal.test_object_storage import settings_from_environment

OTHER_NODE = """
import django, sys
django.setup()
from django.test import RequestFactory
from complaints import abuse
request = RequestFactory().post("/", REMOTE_ADDR=sys.argv[1])
print("allowed" if abuse.hit(request, "file", abuse.FILE_LIMIT) else "refused")
"""


def test_without_cache_url_each_process_keeps_its_own_cache(monkeypatch):
    caches = settings_from_environment(monkeypatch, {}, name="CACHES")
    assert caches["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"


@pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs a Redis server (REDIS_URL, as in CI)")
def test_a_rate_limit_reached_on_one_node_holds_on_another(settings, monkeypatch):
    url = os.environ["REDIS_URL"]
    settings.CACHES = settings_from_environment(monkeypatch, {"CACHE_URL": url}, name="CACHES")
    address = f"test-{uuid.uuid4().hex}"  # a client address no one else uses
    request = RequestFactory().post("/", REMOTE_ADDR=address)
    allowed, _window = abuse.FILE_LIMIT
    try:
        assert all(abuse.hit(request, "file", abuse.FILE_LIMIT) for _ in range(allowed))
        other = subprocess.run(
            [sys.executable, "-c", OTHER_NODE, address], capture_output=True, text=True, timeout=120, check=True,
            cwd=django_settings.BASE_DIR, env={**os.environ, "CACHE_URL": url,
                                               "DJANGO_SETTINGS_MODULE": "chengnuo.settings"})
        assert other.stdout.strip().splitlines()[-1] == "refused", other.stderr[-2000:]
    finally:
        from django.core.cache import cache

        cache.delete(f"complaints:rl:file:{address}")


@pytest.fixture
def unreachable_redis():
    """Two Redis addresses that fail as Redis does in an outage: one refuses, one accepts and never answers."""
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))  # bound, not listening: connections are refused
    hung = socket.socket()
    hung.bind(("127.0.0.1", 0))
    hung.listen(64)  # the kernel completes the handshakes; nobody ever reads or answers
    yield {"down": f"redis://127.0.0.1:{refused.getsockname()[1]}/1", "hung": f"redis://127.0.0.1:{hung.getsockname()[1]}/1"}
    refused.close()
    hung.close()


@pytest.mark.django_db
@pytest.mark.parametrize("outage", ["down", "hung"])
def test_an_anonymous_report_and_the_verifier_queue_work_while_the_cache_is_unreachable(
        settings, monkeypatch, client, unreachable_redis, verifier, outage):
    settings.CACHES = settings_from_environment(monkeypatch, {"CACHE_URL": unreachable_redis[outage]}, name="CACHES")
    token, answer = _answer_challenge(client.get(reverse("complaints:new")).content.decode())
    response = client.post(reverse("complaints:new"), {**REPORT, "challenge_token": token, "challenge_answer": answer})
    assert response.status_code == 302 and Ticket.objects.filter(anonymous=True).count() == 1
    client.force_login(verifier)
    assert client.get(reverse("verification:queue")).status_code == 200
