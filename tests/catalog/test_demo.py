import pytest
from django.core.management import call_command

from catalog.models import Catalogue, CertificationMatter, MatterField

pytestmark = pytest.mark.django_db


def test_the_demo_has_sixty_matters_in_every_field_every_state_and_is_idempotent(settings):
    settings.DEBUG = True
    call_command("seed_demo", quiet_logins=True)
    public = CertificationMatter.objects.filter(catalogue__state__in=Catalogue.PUBLIC_STATES)
    assert public.count() >= 60
    assert set(public.values_list("field", flat=True)) >= set(MatterField.values) - {"other"}
    assert public.values("catalogue__agency").distinct().count() >= 8
    assert public.filter(commitment_allowed=False).exclude(exclusion_reason="").count() >= 5
    assert set(Catalogue.objects.values_list("state", flat=True)) == set(Catalogue.State.values)
    counts = (Catalogue.objects.count(), CertificationMatter.objects.count())
    call_command("seed_demo", quiet_logins=True)
    assert (Catalogue.objects.count(), CertificationMatter.objects.count()) == counts
