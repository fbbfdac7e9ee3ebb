"""The letter task on a real Celery worker: queued on commit, rendered once, stored; a second run does nothing."""

import uuid

import pytest

from commitments import services
from commitments.models import Commitment
from tests.commitments.conftest import confirmations_for
from tests.conftest import wait_for
from tests.factories import PASSWORD


@pytest.mark.celery_worker
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_signing_queues_the_letter_which_a_real_worker_renders_and_stores(celery_worker, citizen, service):
    application, _ = services.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    req = application.requirements.get(matter__name="完全民事行为能力证明")
    c = services.sign_online(user=citizen, application_pk=application.pk, requirement_pk=req.pk, full_name="张伟",
                             password=PASSWORD, confirmations=confirmations_for(req))
    stored = wait_for(lambda: Commitment.objects.filter(pk=c.pk).exclude(letter_file="").first(), timeout=60)
    assert stored is not None, "the worker did not store the letter"
    name = stored.letter_file.name
    with stored.letter_file.open("rb") as fh:
        assert fh.read(5) == b"%PDF-"
    assert services.render_letter(c.pk) is False  # already stored: returns early
    assert Commitment.objects.get(pk=c.pk).letter_file.name == name


def test_beat_entry_for_missing_letters_names_the_task(settings):
    from chengnuo.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["commitments-render-missing-letters"]
    app.loader.import_default_modules()
    assert entry["task"] in app.tasks
