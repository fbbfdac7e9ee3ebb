"""Catalogue fixtures: services, matters, catalogues in every state, and a district's staff."""

import pytest

from catalog import services, texts
from catalog.models import AdministrativeService, Catalogue, CertificationMatter
from portal import roles
from portal.models import Agency
from tests.factories import AgencyFactory, StaffFactory


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def add_matter(catalogue, name="无犯罪记录证明", service_name="律师执业核准", **fields):
    service, _ = AdministrativeService.objects.get_or_create(
        agency=catalogue.agency, name=service_name,
        defaults={"kind": AdministrativeService.Kind.LICENSING,
                  "code": f"{catalogue.agency.code}-{AdministrativeService.objects.count() + 1:04d}"},
    )
    seq = (catalogue.matters.order_by("-seq").values_list("seq", flat=True).first() or 0) + 1
    values = {
        "seq": seq, "name": name, "service": service, "field": "legal_service",
        "legal_basis_name": "中华人民共和国律师法", "legal_basis_number": "主席令第七十六号",
        "legal_basis_article": "第五条", "requesting_agency": catalogue.agency, "issuing_unit": "公安机关",
        "exercise_level": "city", "verification_methods": ["data_sharing"], "verification_days": 10,
        **texts.defaults_for(name, service_name, catalogue.agency.name),
    }
    values.update(fields)
    return CertificationMatter.objects.create(catalogue=catalogue, **values)


@pytest.fixture
def draft(editor):
    """A first-version draft of the editor's agency (a city department) with one complete matter."""
    catalogue = services.start_version(actor=editor)
    add_matter(catalogue)
    return catalogue


@pytest.fixture
def walk(editor, reviewer, approver):
    """Move a catalogue along the city route up to ``state``."""

    def go(catalogue, state):
        order = ["submitted", "reviewed", "approved", "published"]
        steps = {
            "submitted": lambda c: services.submit(actor=editor, catalogue=c),
            "reviewed": lambda c: services.pass_review(actor=reviewer, catalogue=c),
            "approved": lambda c: services.approve(actor=approver, catalogue=c),
            "published": lambda c: services.publish(actor=approver, catalogue=c),
        }
        for step in order[: order.index(state) + 1]:
            catalogue = steps[step](catalogue)
        return catalogue

    return go


@pytest.fixture
def published(draft, walk):
    return walk(draft, "published")


@pytest.fixture
def district_department(district_government):
    return AgencyFactory(code="610113-SCJ", name="西安市雁塔区市场监督管理局", level=Agency.Level.COUNTY,
                         parent=district_government)


@pytest.fixture
def district_editor(district_department):
    return StaffFactory(full_name="许婷", agency=district_department, roles=[roles.CATALOGUE_EDITOR])


@pytest.fixture
def district_approver(district_government):
    return StaffFactory(full_name="何军", agency=district_government, roles=[roles.GOVERNMENT_APPROVER])


@pytest.fixture
def district_reviewer(district_justice_bureau):
    """雁塔区司法局's reviewer: reviews the district's lists (本级审核)."""
    return StaffFactory(full_name="杜鹃", agency=district_justice_bureau, roles=[roles.JUSTICE_REVIEWER])


@pytest.fixture
def district_walk(district_editor, district_reviewer, district_approver, reviewer):
    """Move a district catalogue along the district route from where it is up to ``state`` (the city's
    ``reviewer`` aggregates or returns)."""

    def go(catalogue, state):
        order = ["draft", "submitted", "reviewed", "approved", "published", "reported", "filed"]
        steps = {
            "submitted": lambda c: services.submit(actor=district_editor, catalogue=c),
            "reviewed": lambda c: services.pass_review(actor=district_reviewer, catalogue=c),
            "approved": lambda c: services.approve(actor=district_approver, catalogue=c),
            "published": lambda c: services.publish(actor=district_approver, catalogue=c),
            "reported": lambda c: services.report(actor=district_approver, catalogue=c),
            "filed": lambda c: services.aggregate(actor=reviewer, catalogue=c),
        }
        if state == "report_returned":
            return services.return_report(actor=reviewer, catalogue=go(catalogue, "reported"),
                                          comment="请核对第1项的核查时限后重新报送。")
        catalogue = Catalogue.objects.get(pk=catalogue.pk)
        for step in order[order.index(catalogue.state) + 1: order.index(state) + 1]:
            catalogue = steps[step](catalogue)
        return catalogue

    return go


@pytest.fixture
def other_editor(other_agency):
    return StaffFactory(full_name="冯磊", agency=other_agency, roles=[roles.CATALOGUE_EDITOR])


@pytest.fixture
def district_draft(district_editor):
    catalogue = services.start_version(actor=district_editor)
    add_matter(catalogue, name="企业登记住所场地证明", service_name="公司登记", field="market_access")
    return catalogue


def state(catalogue) -> str:
    return Catalogue.objects.get(pk=catalogue.pk).state
