import pytest

from catalog import demo
from catalog.models import Catalogue, CertificationMatter, MatterField

pytestmark = pytest.mark.django_db


def seed():
    # Only the kernel's and this app's demo: later apps' demo data is tested by their own tests.
    from portal import demo as portal_demo

    portal_demo.seed()
    return demo.seed()


def test_the_demo_has_sixty_matters_in_every_field_every_state_and_is_idempotent():
    logins = seed()
    assert {u for u, _p, _d in logins} == {"editor_gaj", "changan_approver", "reviewer2"}
    public = CertificationMatter.objects.filter(catalogue__state__in=Catalogue.PUBLIC_STATES)
    assert public.count() >= 60
    assert set(public.values_list("field", flat=True)) >= set(MatterField.values) - {"other"}
    assert public.values("catalogue__agency").distinct().count() >= 8
    assert public.filter(commitment_allowed=False).exclude(exclusion_reason="").count() >= 5
    assert set(Catalogue.objects.values_list("state", flat=True)) == set(Catalogue.State.values)
    counts = (Catalogue.objects.count(), CertificationMatter.objects.count())
    seed()
    assert (Catalogue.objects.count(), CertificationMatter.objects.count()) == counts
