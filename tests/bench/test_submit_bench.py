"""Benchmark: server time of the sign-a-commitment request (POST, password re-entered), without the PDF.

Run by ``make bench``. Prints p50/p95 and the ratio to a minimal one-query Django view measured in
the same run; asserts nothing about time. The letter PDF is rendered later by a task, so the
request itself never waits for it (here tasks are not executed at all: only on_commit queues them).
"""

import statistics
import time
import uuid

import pytest
from django.test import Client

from commitments import services
from tests.bench.test_catalog_bench import minimal_view  # noqa: F401 (the urlconf below uses it)
from tests.commitments.conftest import (  # noqa: F401 (fixtures)
    _media,
    catalogue_staff,
    confirmations_for,
    published,
    service,
)
from tests.factories import PASSWORD, CitizenFactory, answer_negative_list_no

pytestmark = pytest.mark.django_db
RUNS = 40


def _percentiles(samples):
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[int(len(ordered) * 0.95) - 1]


def test_sign_commitment_request_p50_p95(service, settings):  # noqa: F811
    settings.ROOT_URLCONF = "tests.bench.test_catalog_bench"
    settings.DEBUG = False
    # The real hasher (test settings elsewhere may use a fast one): signing re-checks the password.
    settings.PASSWORD_HASHERS = ["portal.passwords.Argon2PasswordHasher"]
    timings, baseline = [], []
    client = Client()
    for _ in range(RUNS):
        citizen = CitizenFactory()
        client.force_login(citizen)
        application, _created = services.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
        requirement = application.requirements.filter(matter__commitment_allowed=True).first()
        data = {"full_name": citizen.full_name, "password": PASSWORD, "state": application.state}
        data.update({f"statement_{i}": "on" for i, _ok in enumerate(confirmations_for(requirement))})
        data.update(answer_negative_list_no(requirement.matter))
        url = f"/applications/{application.pk}/requirements/{requirement.pk}/commit/"
        started = time.perf_counter()
        response = client.post(url, data)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 302, response.content.decode()[:500]
        started = time.perf_counter()
        client.get("/bench/minimal/")
        baseline.append((time.perf_counter() - started) * 1000)
    p50, p95 = _percentiles(timings)
    b50, b95 = _percentiles(baseline)
    print(f"\n签署告知承诺书请求（不含 PDF，{RUNS} 次，Argon2id 口令校验）："
          f"p50 {p50:.0f} ms，p95 {p95:.0f} ms；最小视图 p50 {b50:.1f} ms、p95 {b95:.1f} ms；p95 比值 {p95 / b95:.0f}×")
