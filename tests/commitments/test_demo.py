import pytest
from django.core.management import call_command

from commitments.models import Application, Commitment

pytestmark = pytest.mark.django_db


def test_demo_seed_makes_signed_commitments_with_letters_and_is_idempotent(settings, tmp_path):
    settings.DEBUG = True
    call_command("seed_demo", "--quiet-logins")
    counts = (Application.objects.count(), Commitment.objects.count())
    assert counts[0] >= 3 and counts[1] >= 2
    assert not Commitment.objects.filter(letter_file="").exists()
    assert Commitment.objects.filter(application__state="accepted").exists()
    call_command("seed_demo", "--quiet-logins")
    assert (Application.objects.count(), Commitment.objects.count()) == counts
