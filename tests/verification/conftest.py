"""Verification fixtures: a published catalogue (one matter per method), accepted applications, tasks."""

import pytest
from django.core.cache import cache

from commitments import services as commitments
from verification import connectors, services
from verification.models import VerificationPolicy, VerificationTask
from verification.simulator import start_in_thread

from .factories import accepted_application, publish_catalogue, service_of


@pytest.fixture(autouse=True)
def _fast(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://chengnuo.example.cn"
    connectors.reset_breakers()
    cache.clear()
    yield
    connectors.reset_breakers()


@pytest.fixture
def always_verify(db):
    """Every level verifies everything (so tests do not depend on the stable sampling draw)."""
    VerificationPolicy.objects.filter(level__in=["A", "B"]).update(sample_percent=100)


@pytest.fixture
def catalogue(agency, justice_bureau, city_government):
    return publish_catalogue(agency, justice_bureau, city_government)


@pytest.fixture
def service(catalogue):
    return service_of(catalogue)


@pytest.fixture
def accepted(service, clerk, citizen):
    return accepted_application(service, clerk, citizen)


@pytest.fixture
def planned(always_verify, accepted):
    """Accepted and planned with every check drawn (the policy is set before accepting: with eager tasks
    in a transactional test, accepting plans at once)."""
    services.plan_application(accepted.pk)
    return accepted


@pytest.fixture
def task(planned):
    """The data-sharing task of the planned application (open)."""
    return VerificationTask.objects.get(application=planned, method="data_sharing")


@pytest.fixture
def claimed(task, verifier):
    return services.claim(user=verifier, task_id=task.pk)


@pytest.fixture
def simulator(settings):
    server = start_in_thread()
    settings.VERIFICATION_EXCHANGE_URL = server.url
    settings.VERIFICATION_EXCHANGE_TIMEOUT = 1
    settings.VERIFICATION_EXCHANGE_RETRIES = 1
    yield server
    server.shutdown()
    server.server_close()


__all__ = ["commitments"]


@pytest.fixture
def zhang(db):
    """A citizen the exchange simulator knows (the demo 张伟)."""
    from tests.factories import CitizenFactory, SubjectFactory

    return CitizenFactory(full_name="张伟", subject=SubjectFactory(name="张伟", id_number="610113198805203217"))


@pytest.fixture
def zhang_task(service, clerk, zhang, always_verify, verifier):
    application = accepted_application(service, clerk, zhang)
    services.plan_application(application.pk)
    t = VerificationTask.objects.get(application=application, method="data_sharing")
    return services.claim(user=verifier, task_id=t.pk)
