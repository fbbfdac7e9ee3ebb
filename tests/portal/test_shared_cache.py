"""Several web processes or nodes share one cache through CACHE_URL (Redis): a client over the anonymous
complaint form's limit on one node is over it on every node."""

import os
import subprocess
import sys
import uuid

import pytest
from django.conf import settings as django_settings
from django.test import RequestFactory

from complaints import abuse
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
                                               "DJANGO_SETTINGS_MODULE": "portal.settings"})
        assert other.stdout.strip().splitlines()[-1] == "refused", other.stderr[-2000:]
    finally:
        from django.core.cache import cache

        cache.delete(f"complaints:rl:file:{address}")
