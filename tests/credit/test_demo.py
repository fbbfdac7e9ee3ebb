import pytest

from credit import selectors
from credit.models import CreditRepair, DishonestyRecord, Objection

pytestmark = pytest.mark.django_db


def test_demo_seed_is_idempotent_and_covers_blacklist_repair_and_objection(settings, tmp_path):
    from credit import demo
    from portal import demo as portal_demo

    settings.MEDIA_ROOT = tmp_path
    portal_demo.seed()
    demo.seed()
    demo.seed()
    assert DishonestyRecord.objects.count() == 3
    assert selectors.blacklist().count() == 2
    assert CreditRepair.objects.filter(status="submitted").count() == 1
    assert Objection.objects.filter(status="submitted").count() == 1
