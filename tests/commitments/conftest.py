"""Commitments fixtures: a published catalogue for the clerk's agency, applications in each state."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from catalog import services as catalog_services
from catalog.models import AdministrativeService, NegativeListEntry
from commitments import services
from commitments.models import Application
from portal import roles
from tests.catalog.conftest import add_matter
from tests.factories import PASSWORD, StaffFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def upload(name="证明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PUBLIC_BASE_URL = "https://chengnuo.example.cn"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def catalogue_staff(agency, justice_bureau, city_government):
    return {
        "editor": StaffFactory(full_name="陈静", agency=agency, roles=[roles.CATALOGUE_EDITOR]),
        "reviewer": StaffFactory(full_name="刘洋", agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER]),
        "approver": StaffFactory(full_name="孙丽", agency=city_government, roles=[roles.GOVERNMENT_APPROVER]),
    }


def publish(catalogue, staff):
    catalogue = catalog_services.submit(actor=staff["editor"], catalogue=catalogue)
    catalogue = catalog_services.pass_review(actor=staff["reviewer"], catalogue=catalogue)
    catalogue = catalog_services.approve(actor=staff["approver"], catalogue=catalogue)
    return catalog_services.publish(actor=staff["approver"], catalogue=catalogue)


@pytest.fixture
def published(catalogue_staff):
    """The clerk's agency's public catalogue: 律师执业核准 needs three matters (one excluded, one for publicity)."""
    catalogue = catalog_services.start_version(actor=catalogue_staff["editor"])
    a = add_matter(catalogue, "无犯罪记录证明")
    add_matter(catalogue, "完全民事行为能力证明", publicity_required=True, publicity_place="西安市政务服务网",
               publicity_days=10)
    add_matter(catalogue, "律师执业场所安全评估证明", commitment_allowed=False, exclusion_category="public_safety",
               exclusion_reason="涉及公共安全，不能以承诺代替。")
    NegativeListEntry.objects.create(matter=a, description="曾因故意犯罪受过刑事处罚的")
    return publish(catalogue, catalogue_staff)


@pytest.fixture
def service(published):
    return AdministrativeService.objects.get(agency=published.agency, name="律师执业核准")


@pytest.fixture
def matters(published):
    return {m.name: m for m in published.matters.all()}


def confirmations_for(requirement):
    n = 6 if requirement.matter.negative_entries.exists() else 5
    return [True] * n


@pytest.fixture
def start(service):
    def go(user, token=None):
        application, _ = services.start_online(user=user, service_id=service.pk, token=token or uuid.uuid4())
        return application
    return go


@pytest.fixture
def sign():
    def go(user, application, matter_name):
        req = application.requirements.get(matter__name=matter_name)
        return services.sign_online(user=user, application_pk=application.pk, requirement_pk=req.pk,
                                    full_name=user.full_name, password=PASSWORD, confirmations=confirmations_for(req))
    return go


@pytest.fixture
def ready(citizen, start, sign):
    """A complete online application of the citizen: two commitments and one proof, not yet submitted."""
    application = start(citizen)
    sign(citizen, application, "无犯罪记录证明")
    sign(citizen, application, "完全民事行为能力证明")
    req = application.requirements.get(matter__name="律师执业场所安全评估证明")
    services.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk, upload=upload())
    return application


@pytest.fixture
def submitted(ready, citizen):
    return services.submit(user=citizen, application_pk=ready.pk)


@pytest.fixture
def accepted(submitted, clerk):
    return services.accept(clerk=clerk, application_pk=submitted.pk)


def state(obj):
    return type(obj).objects.get(pk=obj.pk).state


__all__ = ["Application", "EXE", "PDF", "PNG", "state", "upload"]
