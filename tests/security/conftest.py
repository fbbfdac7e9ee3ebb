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


APP_ROLE = "chengnuo_app_test"


@pytest.fixture(scope="session")
def app_db_role(django_db_setup, django_db_blocker):
    """PostgreSQL: a login role that owns nothing, granted on the test database what
    ``manage.py migrate`` grants the app role in production (portal/db_roles.py). Returns the
    connection parameters of that role. Created here, so a clean machine needs nothing beforehand."""
    from django.db import connection

    from portal.db_roles import grant_app_role

    if connection.vendor != "postgresql":
        pytest.skip("role separation is PostgreSQL-only: SQLite has no roles or privileges")
    with django_db_blocker.unblock():
        with connection.cursor() as cursor:
            # Roles are cluster-wide: several test databases (and runs) share this one.
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        grant_app_role(connection, APP_ROLE)
        # Closed at once: after the browser tests, a connection opened here outlived the run and kept the
        # test database from being dropped (the next statement opens a fresh one).
        connection.close()
    settings_dict = connection.settings_dict
    return {"host": settings_dict["HOST"] or "127.0.0.1", "port": settings_dict["PORT"] or 5432,
            "dbname": settings_dict["NAME"], "user": APP_ROLE}
