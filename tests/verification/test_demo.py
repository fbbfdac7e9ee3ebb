import importlib
import io

import pytest

from verification.models import SpotCheckPlan, VerificationPlan

pytestmark = pytest.mark.django_db

CHAIN = ["portal.demo", "catalog.demo", "credit.demo", "commitments.demo", "verification.demo"]


def _seed():
    out = io.StringIO()
    for name in CHAIN:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            continue
        module.seed(out)
    return out.getvalue()


def test_demo_seed_is_idempotent_and_plans_accepted_demo_applications(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    _seed()
    plans, spot_plans = VerificationPlan.objects.count(), SpotCheckPlan.objects.count()
    _seed()
    assert (VerificationPlan.objects.count(), SpotCheckPlan.objects.count()) == (plans, spot_plans) == (plans, 1)
    plan = SpotCheckPlan.objects.get()
    assert plan.inspectors.count() == 2 and plan.inspectors_per_check == 2
