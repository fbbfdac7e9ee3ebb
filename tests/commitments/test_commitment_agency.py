"""A commitment carries its application's handling agency (办理机关), so figures count it without a join."""

import pytest

from commitments.models import Commitment

pytestmark = pytest.mark.django_db


def test_a_signed_commitment_belongs_to_the_agency_handling_its_application(citizen, start, sign):
    application = start(citizen)
    commitment = sign(citizen, application, "无犯罪记录证明")
    assert commitment.agency_id == application.agency_id
    assert Commitment.objects.filter(agency=application.agency, pk=commitment.pk).exists()


def test_the_agency_of_a_commitment_cannot_be_changed_after_signing(citizen, start, sign, other_agency):
    commitment = sign(citizen, start(citizen), "无犯罪记录证明")
    commitment.agency = other_agency
    with pytest.raises(PermissionError):
        commitment.save(update_fields=["agency"])
