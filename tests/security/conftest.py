"""Security test fixtures: fast passwords, private media in a temporary folder, a clean cache."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://chengnuo.example.cn"
    settings.CREDIT_PUSH_URL = ""
    settings.AXES_ENABLED = False
    cache.clear()
    yield
    cache.clear()
