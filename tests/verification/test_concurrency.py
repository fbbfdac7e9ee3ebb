"""Claiming races on PostgreSQL with real concurrent transactions (skipped on SQLite)."""

import threading

import pytest
from django.db import connection, connections

from portal import roles
from tests.factories import StaffFactory
from verification import services
from verification.models import VerificationError, VerificationTask

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="需要 PostgreSQL 的行锁和并发事务"),
]


def _run(n, target):
    barrier = threading.Barrier(n)
    results, errors = [], []

    def worker(i):
        try:
            barrier.wait()
            results.append(target(i))
        except Exception as exc:  # collected, asserted below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_eight_verifiers_claiming_the_same_task_one_wins(planned, agency):
    task = VerificationTask.objects.filter(application=planned).first()
    verifiers = [StaffFactory(agency=agency, roles=[roles.VERIFIER]) for _ in range(8)]
    results, errors = _run(8, lambda i: services.claim(user=verifiers[i], task_id=task.pk))
    assert len(results) == 1 and len(errors) == 7
    assert all(isinstance(e, VerificationError) for e in errors)
    assert VerificationTask.objects.get(pk=task.pk).claimed_by == results[0].claimed_by


def test_claim_next_never_hands_out_the_same_task_twice(service, clerk, agency, always_verify):
    from tests.factories import CitizenFactory

    from .factories import accepted_application

    for _ in range(3):
        services.plan_application(accepted_application(service, clerk, CitizenFactory()).pk)
    total = VerificationTask.objects.filter(state="open").count()
    verifiers = [StaffFactory(agency=agency, roles=[roles.VERIFIER]) for _ in range(6)]

    def drain(i):
        got = []
        while (task := services.claim_next(user=verifiers[i])) is not None:
            got.append(task.pk)
        return got

    results, errors = _run(6, drain)
    assert not errors
    claimed = [pk for got in results for pk in got]
    assert len(claimed) == len(set(claimed)) == total
