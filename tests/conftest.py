"""Shared fixtures: one user per role, a second citizen and a second agency's staff."""

import os
import time

import pytest
from django.conf import settings
from django.test import Client

from portal import roles
from tests.factories import AgencyFactory, CitizenFactory, OrganisationFactory, StaffFactory

# Benchmarks and fault scripts print figures and run only through `make bench` / `make faults`.
collect_ignore = [] if os.environ.get("RUN_BENCH") else ["bench"]
if not os.environ.get("RUN_FAULTS"):
    collect_ignore.append("faults")

# Without Redis, tasks run in-process (eagerly); with REDIS_URL set (CI), they go to the broker.
if not os.environ.get("REDIS_URL"):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from chengnuo.celery import app as _celery_app

    _celery_app.conf.task_always_eager = True




@pytest.fixture
def eager_tasks():
    """Tasks run in-process for this test whatever the broker (CI has a real Redis and no worker here):
    for tests about what a task does, not about the broker delivering it (that is ``celery_worker``)."""
    from chengnuo.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = previous


_SNAPSHOT: dict = {}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup):
    """Keep the migrated test database's snapshot (roles, calendar, policies made by data migrations)."""
    from django.db import connection

    _SNAPSHOT["default"] = getattr(connection, "_test_serialized_contents", None)


@pytest.fixture(autouse=True)
def _migrated_rows_in_transactional_tests(request):
    """After a flush, a transactional test gets the data-migration rows back even if Django's own
    ``serialized_rollback`` missed them (it keys the snapshot on a connection object that asgiref
    replaces once Playwright's event loop runs in this thread). tests/e2e/conftest.py carries the
    snapshot over to the new connection objects so Django's flush keeps skipping post_migrate;
    this fixture is the safety net that puts the rows back when they are still missing."""
    marker = request.node.get_closest_marker("django_db")
    transactional = (marker is not None and marker.kwargs.get("transaction")) or any(
        name in request.fixturenames for name in ("transactional_db", "live_server")
    )
    if not transactional:
        return
    request.getfixturevalue("transactional_db")
    from django.contrib.auth.models import Group
    from django.db import connection

    snapshot = _SNAPSHOT.get("default")
    if snapshot and not Group.objects.exists():
        connection.creation.deserialize_db_from_string(snapshot)


@pytest.fixture(autouse=True)
def _chinese_after_each_test():
    """A request in English leaves the thread in English; every test starts in Chinese."""
    from django.utils import translation

    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Every test starts with an empty cache: cached answers keyed on rows a rolled-back test wrote
    (SQLite reuses primary keys after a rollback) must not leak into the next one."""
    from django.core.cache import cache

    from portal.cache import forget_kept

    cache.clear()
    forget_kept()


@pytest.fixture(autouse=True)
def _plain_settings(settings):
    settings.AXES_ENABLED = True
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


def complete_second_factor(client, user):
    """What a successful 2FA step leaves in the session (portal.two_factor._complete): the verified
    device and a fresh re-authentication stamp. The user gets a confirmed authenticator if needed."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal import reauth, two_factor

    device = two_factor.confirmed_device(user) or TOTPDevice.objects.create(
        user=user, name=two_factor.DEVICE_NAME, confirmed=True)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session[reauth.SESSION_KEY] = int(time.time())
    session.save()
    return device


_password_only_login = Client.force_login


@pytest.fixture(autouse=True)
def _force_login_completes_two_factor(monkeypatch):
    """``client.force_login(user)`` logs a credit officer, approver or superuser in *with* a verified
    second factor, as the real login does after the code page. ``password_only_login`` stops
    before it; ``client.login``/the login form go through the real flow."""

    def force_login(self, user, backend=None):
        _password_only_login(self, user, backend)
        if roles.requires_two_factor(user):
            complete_second_factor(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def password_only_login():
    """Log ``user`` into ``client`` with the password step only (second factor still owed)."""
    return _password_only_login


@pytest.fixture
def city_government(db):
    from portal.models import Agency

    return AgencyFactory(code="610100", name="西安市人民政府", kind=Agency.Kind.CITY_GOVERNMENT)


@pytest.fixture
def justice_bureau(city_government):
    from portal.models import Agency

    return AgencyFactory(code="610100-SFJ", name="西安市司法局", kind=Agency.Kind.JUSTICE_BUREAU, parent=city_government)


@pytest.fixture
def agency(city_government):
    """The home agency of the staff fixtures (a city department)."""
    return AgencyFactory(code="610100-RSJ", name="西安市人力资源和社会保障局", parent=city_government)


@pytest.fixture
def other_agency(city_government):
    return AgencyFactory(code="610100-SCJ", name="西安市市场监督管理局", parent=city_government)


@pytest.fixture
def district_government(city_government):
    from portal.models import Agency

    return AgencyFactory(
        code="610113", name="西安市雁塔区人民政府", kind=Agency.Kind.DISTRICT_GOVERNMENT,
        level=Agency.Level.COUNTY, parent=city_government,
    )


@pytest.fixture
def citizen(db):
    return CitizenFactory(full_name="张伟")


@pytest.fixture
def other_citizen(db):
    return CitizenFactory(full_name="李娜")


@pytest.fixture
def enterprise_user(db):
    return CitizenFactory(full_name="钱晓燕", subject=OrganisationFactory(name="西安秦川软件科技有限公司"))


@pytest.fixture
def clerk(agency):
    return StaffFactory(full_name="王敏", agency=agency, roles=[roles.WINDOW_CLERK])


@pytest.fixture
def verifier(agency):
    return StaffFactory(full_name="李强", agency=agency, roles=[roles.VERIFIER])


@pytest.fixture
def inspector(agency):
    return StaffFactory(full_name="赵刚", agency=agency, roles=[roles.INSPECTOR])


@pytest.fixture
def editor(agency):
    return StaffFactory(full_name="陈静", agency=agency, roles=[roles.CATALOGUE_EDITOR])


@pytest.fixture
def reviewer(justice_bureau):
    return StaffFactory(full_name="刘洋", agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER])


@pytest.fixture
def approver(city_government):
    return StaffFactory(full_name="孙丽", agency=city_government, roles=[roles.GOVERNMENT_APPROVER])


@pytest.fixture
def credit_officer(agency):
    return StaffFactory(full_name="周涛", agency=agency, roles=[roles.CREDIT_OFFICER])


@pytest.fixture
def operator(agency):
    return StaffFactory(full_name="吴芳", agency=agency, roles=[roles.COMPLAINTS_OPERATOR])


@pytest.fixture
def supervisor(city_government):
    return StaffFactory(full_name="郑华", agency=city_government, roles=[roles.SUPERVISOR])


@pytest.fixture
def other_agency_clerk(other_agency):
    return StaffFactory(full_name="冯磊", agency=other_agency, roles=[roles.WINDOW_CLERK])


@pytest.fixture
def other_agency_verifier(other_agency):
    return StaffFactory(full_name="许婷", agency=other_agency, roles=[roles.VERIFIER])


# --- staff of every kind of agency, for the walls between agencies (issue 14) ------------------------
# Case roles a staff member may hold; the 12345 operator is city-wide by duty and is not one of them.
CASE_ROLES = (roles.WINDOW_CLERK, roles.VERIFIER, roles.INSPECTOR, roles.CREDIT_OFFICER)


@pytest.fixture
def district_justice_bureau(district_government):
    from portal.models import Agency

    return AgencyFactory(code="610113-SFJ", name="西安市雁塔区司法局", kind=Agency.Kind.JUSTICE_BUREAU,
                         level=Agency.Level.COUNTY, parent=district_government)


@pytest.fixture
def district_department(district_government):
    """A district department (雁塔区人社局): same line of work as ``agency``, another government."""
    from portal.models import Agency

    return AgencyFactory(code="610113-RSJ", name="西安市雁塔区人力资源和社会保障局", level=Agency.Level.COUNTY,
                         parent=district_government, kind=Agency.Kind.DEPARTMENT)


@pytest.fixture
def service_bureau(city_government):
    """市行政审批服务局: the second lead agency (§三)."""
    from portal.models import Agency

    return AgencyFactory(code="610100-SPJ", name="西安市行政审批服务局", kind=Agency.Kind.DEPARTMENT,
                         level=Agency.Level.CITY, parent=city_government)


@pytest.fixture
def standards_officer(service_bureau):
    return StaffFactory(full_name="高洁", agency=service_bureau, roles=[roles.SERVICE_STANDARDS_OFFICER])


@pytest.fixture
def justice_clerk(justice_bureau):
    """The probe's window clerk of 西安市司法局."""
    return StaffFactory(full_name="司法局窗口", agency=justice_bureau, roles=[roles.WINDOW_CLERK])


@pytest.fixture
def justice_verifier(justice_bureau):
    return StaffFactory(full_name="司法局核查", agency=justice_bureau, roles=[roles.VERIFIER])


@pytest.fixture
def justice_inspector(justice_bureau):
    return StaffFactory(full_name="司法局检查", agency=justice_bureau, roles=[roles.INSPECTOR])


@pytest.fixture
def justice_credit_officer(justice_bureau):
    return StaffFactory(full_name="司法局信用", agency=justice_bureau, roles=[roles.CREDIT_OFFICER])


@pytest.fixture
def justice_supervisor(justice_bureau):
    """The justice bureau's supervision (市司法局牵头、指导协调): read-only over the city's tree."""
    return StaffFactory(full_name="司法局监督", agency=justice_bureau, roles=[roles.SUPERVISOR])


@pytest.fixture
def district_supervisor(district_government):
    return StaffFactory(full_name="雁塔区监督", agency=district_government, roles=[roles.SUPERVISOR])


@pytest.fixture
def case_staff_of():
    """One staff member holding every case role in ``agency`` (clerk, verifier, inspector, credit officer)."""

    def make(agency, name):
        return StaffFactory(full_name=name, agency=agency, roles=list(CASE_ROLES))

    return make


@pytest.fixture
def user_for_role(citizen, clerk, verifier, inspector, editor, reviewer, approver, credit_officer, operator, supervisor,
                  standards_officer):
    """Map role name → the fixture user holding it (for matrices over all roles)."""
    return {
        roles.APPLICANT: citizen,
        roles.WINDOW_CLERK: clerk,
        roles.VERIFIER: verifier,
        roles.INSPECTOR: inspector,
        roles.CATALOGUE_EDITOR: editor,
        roles.JUSTICE_REVIEWER: reviewer,
        roles.GOVERNMENT_APPROVER: approver,
        roles.CREDIT_OFFICER: credit_officer,
        roles.COMPLAINTS_OPERATOR: operator,
        roles.SUPERVISOR: supervisor,
        roles.SERVICE_STANDARDS_OFFICER: standards_officer,
    }


@pytest.fixture
def celery_worker(transactional_db, tmp_path):
    """A real Celery worker (in a thread) on the configured broker: Redis in CI, a folder otherwise.

    Tests using it need ``@pytest.mark.django_db(transaction=True, serialized_rollback=True)``
    so that the rows migrations made (roles, calendar) are back for the next test.
    """
    from celery.contrib.testing.worker import start_worker

    from chengnuo.celery import app

    previous = app.conf.task_always_eager
    previous_options = app.conf.broker_transport_options
    app.conf.task_always_eager = False
    settings.CELERY_TASK_ALWAYS_EAGER = False
    if app.conf.broker_url.startswith("filesystem"):
        # A private queue folder, so a developer's running `make run` worker never steals test tasks.
        for sub in ("queue", "control"):
            (tmp_path / sub).mkdir()
        app.conf.broker_transport_options = {
            "data_folder_in": str(tmp_path / "queue"), "data_folder_out": str(tmp_path / "queue"),
            "control_folder": str(tmp_path / "control"), "store_processed": False,
        }
    _reset_broker_pools(app)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10) as worker:
            yield worker
    finally:
        app.conf.task_always_eager = previous
        app.conf.broker_transport_options = previous_options
        settings.CELERY_TASK_ALWAYS_EAGER = previous
        _reset_broker_pools(app)


def _reset_broker_pools(app):
    """Forget cached connections so publishers use this test's broker options (its queue folder).

    kombu keeps connection and producer pools in a global registry; ``pools.reset()`` closes and
    forgets them all, so the next publish builds fresh ones (closing one pool by hand leaves a
    closed pool in the registry: "Acquire on closed pool").
    """
    from kombu import pools

    pools.reset()
    app._pool = None
    app.amqp._producer_pool = None


def wait_for(condition, timeout=20.0, interval=0.1):
    """Poll until ``condition()`` is truthy (for work done by a real worker); return its value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    return condition()
