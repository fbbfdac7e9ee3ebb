"""Verification test data: a published catalogue with matters per verification method, accepted applications."""

import uuid

from catalog import services as catalog_services
from catalog import texts
from catalog.models import AdministrativeService, CertificationMatter
from commitments import services as commitments
from commitments.models import Requirement
from portal import roles
from tests.factories import PASSWORD, CitizenFactory, StaffFactory

SERVICE = "律师执业核准"
# name → (verification methods, working days)
MATTERS = {
    "无犯罪记录证明": (["data_sharing"], 10),
    "完全民事行为能力证明": (["assistance"], 5),
    "执业场所使用证明": (["on_site"], 15),
    "学历证明": (["exempt"], None),
}


def add_matter(catalogue, name, methods, days, service_name=SERVICE):
    service, _created = AdministrativeService.objects.get_or_create(
        agency=catalogue.agency, name=service_name,
        defaults={"kind": AdministrativeService.Kind.LICENSING, "code": f"{catalogue.agency.code}-{uuid.uuid4().hex[:6]}"},
    )
    seq = (catalogue.matters.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    return CertificationMatter.objects.create(
        catalogue=catalogue, seq=seq, name=name, service=service, field="legal_service",
        legal_basis_name="中华人民共和国律师法", legal_basis_number="主席令第七十六号", legal_basis_article="第五条",
        requesting_agency=catalogue.agency, issuing_unit="公安机关", exercise_level="city",
        verification_methods=methods, verification_days=days, **texts.defaults_for(name, service_name, catalogue.agency.name),
    )


def publish_catalogue(agency, justice_bureau, city_government, matters=None):
    editor = StaffFactory(agency=agency, roles=[roles.CATALOGUE_EDITOR])
    reviewer = StaffFactory(agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER])
    approver = StaffFactory(agency=city_government, roles=[roles.GOVERNMENT_APPROVER])
    catalogue = catalog_services.start_version(actor=editor)
    for name, (methods, days) in (matters or MATTERS).items():
        add_matter(catalogue, name, methods, days)
    catalogue = catalog_services.submit(actor=editor, catalogue=catalogue)
    catalogue = catalog_services.pass_review(actor=reviewer, catalogue=catalogue)
    catalogue = catalog_services.approve(actor=approver, catalogue=catalogue)
    return catalog_services.publish(actor=approver, catalogue=catalogue)


def service_of(catalogue):
    return AdministrativeService.objects.get(agency=catalogue.agency, name=SERVICE)


def accepted_application(service, clerk, citizen=None, commit=None):
    """An online application, every matter committed (or proof for those not in ``commit``), accepted by ``clerk``."""
    from tests.commitments.conftest import PDF, confirmations_for, upload

    citizen = citizen or CitizenFactory()
    application, _created = commitments.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    for req in application.requirements.select_related("matter"):
        if commit is None or req.matter.name in commit:
            commitments.sign_online(user=citizen, application_pk=application.pk, requirement_pk=req.pk,
                                    full_name=citizen.full_name, password=PASSWORD,
                                    confirmations=confirmations_for(req))
        else:
            commitments.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk,
                                     upload=upload(content=PDF))
    commitments.submit(user=citizen, application_pk=application.pk)
    return commitments.accept(clerk=clerk, application_pk=application.pk)


__all__ = ["Requirement", "accepted_application", "add_matter", "publish_catalogue", "service_of"]
