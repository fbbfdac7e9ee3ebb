"""Scope by duty (issue 14): staff work their own agency's cases; supervision is read-only and audited.

The probe that found it: the window clerk of 西安市司法局 opened, accepted and read the proofs of a
雁塔区人社局 application and signed for a complaint routed to 市人社局, because the justice bureau's
city-wide view for *catalogue review* was reused for case work.
"""

import datetime
import uuid

import pytest
from django.db.models import Q
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from commitments.models import Application, ProofDocument
from portal import roles
from portal.models import AuditEvent
from tests.factories import CitizenFactory, OrganisationFactory, StaffFactory, resident_id, uscc_code

pytestmark = pytest.mark.django_db


def _client(user):
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def service(agency, justice_bureau, city_government):
    """The fixture agency's (西安市人社局) published service, for its own clerk's counter."""
    from tests.verification.factories import publish_catalogue, service_of

    return service_of(publish_catalogue(agency, justice_bureau, city_government))


@pytest.fixture
def yanta_service(district_department, district_government, district_justice_bureau):
    """雁塔区人社局's published service (district route: the district's justice bureau reviews, its government
    approves)."""
    from catalog import services as catalog
    from tests.verification.factories import MATTERS, add_matter, service_of

    editor = StaffFactory(agency=district_department, roles=[roles.CATALOGUE_EDITOR])
    reviewer = StaffFactory(agency=district_justice_bureau, roles=[roles.JUSTICE_REVIEWER])
    approver = StaffFactory(agency=district_government, roles=[roles.GOVERNMENT_APPROVER])
    catalogue = catalog.start_version(actor=editor)
    for name, (methods, days) in MATTERS.items():
        add_matter(catalogue, name, methods, days)
    catalogue = catalog.submit(actor=editor, catalogue=catalogue)
    catalogue = catalog.pass_review(actor=reviewer, catalogue=catalogue)
    catalogue = catalog.approve(actor=approver, catalogue=catalogue)
    return service_of(catalog.publish(actor=approver, catalogue=catalogue))


@pytest.fixture
def yanta_clerk(district_department):
    return StaffFactory(full_name="雁塔区人社局窗口", agency=district_department, roles=[roles.WINDOW_CLERK])


@pytest.fixture
def yanta_submitted(yanta_service, yanta_clerk, citizen):
    """A submitted 雁塔区人社局 application with a proof, waiting for acceptance."""
    from commitments import services
    from tests.commitments.conftest import PDF, upload

    application, _ = services.start_online(user=citizen, service_id=yanta_service.pk, token=uuid.uuid4())
    for req in application.requirements.all():
        services.upload_proof(user=citizen, application_pk=application.pk, requirement_pk=req.pk,
                              upload=upload(content=PDF))
    services.submit(user=citizen, application_pk=application.pk)
    return Application.objects.get(pk=application.pk)


@pytest.fixture
def routed_ticket(citizen, agency):
    """A complaint routed to 西安市人力资源和社会保障局 (the fixture agency)."""
    from complaints import services
    from complaints.models import Channel, Kind, Topic

    ticket, _code = services.file_ticket(
        kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen, title="窗口仍要求提供证明",
        content="已签署告知承诺书，窗口仍要求我提供证明。", topic=Topic.PROOF_DEMAND, about_agency=agency,
        contact_name="张伟", contact_phone="13700000001")
    assert ticket.agency_id == agency.pk
    return ticket


def test_a_justice_bureau_clerk_cannot_open_accept_or_read_proofs_of_a_district_departments_application(
        justice_clerk, justice_verifier, justice_inspector, yanta_submitted, yanta_clerk):
    clerk = _client(justice_clerk)
    assert clerk.get(reverse("commitments:desk_application", args=[yanta_submitted.pk])).status_code == 404
    response = clerk.post(reverse("commitments:desk_action", args=[yanta_submitted.pk, "accept"]),
                          {"state": "submitted"})
    assert response.status_code == 404
    assert Application.objects.get(pk=yanta_submitted.pk).state == "submitted"
    proof = ProofDocument.objects.filter(requirement__application=yanta_submitted).first()
    for user in (justice_clerk, justice_verifier, justice_inspector):
        assert _client(user).get(reverse("commitments:proof", args=[proof.pk])).status_code == 404
    assert yanta_submitted.number not in clerk.get(reverse("commitments:desk")).content.decode()
    # The department's own clerk still does the work.
    own = _client(yanta_clerk)
    assert yanta_submitted.number in own.get(reverse("commitments:desk")).content.decode()
    own.post(reverse("commitments:desk_action", args=[yanta_submitted.pk, "accept"]), {"state": "submitted"})
    assert Application.objects.get(pk=yanta_submitted.pk).state == "accepted"


def test_neither_the_district_government_nor_the_city_government_handles_a_district_departments_cases(
        case_staff_of, district_government, city_government, yanta_submitted):
    from commitments import services
    from commitments.models import CommitmentsError

    for agency in (district_government, city_government):
        staff = case_staff_of(agency, "政府工作人员")
        client = _client(staff)
        assert client.get(reverse("commitments:desk_application", args=[yanta_submitted.pk])).status_code == 404
        assert yanta_submitted.number not in client.get(reverse("commitments:desk")).content.decode()
        with pytest.raises(CommitmentsError):
            services.accept(clerk=staff, application_pk=yanta_submitted.pk)
    assert Application.objects.get(pk=yanta_submitted.pk).state == "submitted"


def test_a_justice_bureau_clerk_neither_sees_nor_signs_for_a_complaint_routed_to_a_city_department(
        justice_clerk, clerk, routed_ticket):
    from complaints.models import Ticket

    justice = _client(justice_clerk)
    assert justice.get(reverse("complaints:detail", args=[routed_ticket.number])).status_code == 404
    inbox = justice.get(reverse("complaints:inbox")).content.decode()
    assert routed_ticket.number not in inbox and "13700000001" not in inbox
    response = justice.post(reverse("complaints:sign", args=[routed_ticket.number]), {"state": routed_ticket.state})
    assert response.status_code == 404
    assert Ticket.objects.get(pk=routed_ticket.pk).signed_at is None
    # The handling agency's clerk sees the contact details and signs for it.
    page = _client(clerk).get(reverse("complaints:detail", args=[routed_ticket.number])).content.decode()
    assert "13700000001" in page


def test_a_justice_bureau_verifier_gets_no_task_and_no_assistance_request_of_another_agency(
        justice_verifier, verifier, agency, other_agency, justice_bureau, city_government, citizen, clerk):
    from tests.verification.factories import accepted_application, publish_catalogue, service_of
    from verification import selectors, services
    from verification.models import AssistanceRequest, VerificationPolicy, VerificationTask

    VerificationPolicy.objects.update(sample_percent=100)
    application = accepted_application(service_of(publish_catalogue(agency, justice_bureau, city_government)),
                                       clerk, citizen)
    services.plan_application(application.pk)
    task = VerificationTask.objects.filter(application=application).first()
    assert task is not None and selectors.tasks_for(verifier).filter(pk=task.pk).exists()
    assert not selectors.tasks_for(justice_verifier).exists()
    assert _client(justice_verifier).get(reverse("verification:task", args=[task.pk])).status_code == 404
    request = AssistanceRequest.objects.create(
        task=task, number="XC0000000001", from_agency=agency, to_agency=other_agency, question="请核实",
        sent_by=verifier, due_date=timezone.localdate() + datetime.timedelta(days=5))
    assert not selectors.inbox(justice_verifier).exists()
    response = _client(justice_verifier).post(reverse("verification:assistance_reply", args=[request.pk]),
                                              {"answer": "true", "text": "属实"})
    assert response.status_code == 404
    assert AssistanceRequest.objects.get(pk=request.pk).state == "pending"


def test_a_credit_officer_handles_only_the_records_its_own_agency_decided(credit_officer, justice_credit_officer,
                                                                           agency, citizen):
    from credit import selectors, services

    record = services.enter_record(
        subject=citizen.subject, kind="other", basis="《陕西省社会信用条例》第二十条", severity="general",
        decision_number="西人社罚〔2026〕1号", decision_date=timezone.localdate() - datetime.timedelta(days=30),
        deciding_agency=agency, facts="承诺不实。", actor=credit_officer)
    assert list(selectors.officer_records(credit_officer)) == [record]
    assert not selectors.officer_records(justice_credit_officer).exists()
    assert list(selectors.officer_scope_agencies(justice_credit_officer)) == [justice_credit_officer.agency]
    assert _client(justice_credit_officer).get(reverse("credit:record", args=[record.pk])).status_code == 404


def test_a_supervisor_reads_another_agencys_case_read_only_and_the_read_is_audited(
        supervisor, justice_supervisor, district_supervisor, routed_ticket, yanta_submitted, yanta_clerk):
    proof = ProofDocument.objects.filter(requirement__application=yanta_submitted).first()
    url = reverse("commitments:proof", args=[proof.pk])
    assert _client(supervisor).get(url).status_code == 200   # 市政府 oversees 雁塔区 and its departments
    assert _client(district_supervisor).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="supervision.case_read", actor=supervisor,
                                     object_id=str(proof.pk)).count() == 1
    page = _client(justice_supervisor).get(reverse("complaints:detail", args=[routed_ticket.number]))
    assert page.status_code == 200 and "13700000001" not in page.content.decode()
    assert AuditEvent.objects.filter(action="supervision.case_read", actor=justice_supervisor).exists()
    # Read-only: a supervisor never reaches the desk, and the handling clerk's own reads are not "supervision".
    assert _client(supervisor).get(reverse("commitments:desk_application", args=[yanta_submitted.pk])).status_code == 403
    _client(yanta_clerk).get(url)
    assert not AuditEvent.objects.filter(action="supervision.case_read", actor=yanta_clerk).exists()


def test_a_district_supervisor_does_not_read_a_city_departments_case(district_supervisor, routed_ticket):
    assert _client(district_supervisor).get(
        reverse("complaints:detail", args=[routed_ticket.number])).status_code == 404


# --- counter filing starts from the ID document --------------------------------------------------------
def test_a_clerk_cannot_file_for_a_citizen_by_record_number(clerk, service, other_citizen):
    client = _client(clerk)
    response = client.post(reverse("commitments:desk_file"), {
        "token": str(uuid.uuid4()), "subject": other_citizen.subject_id, "service": service.pk})
    assert response.status_code == 400
    assert not Application.objects.filter(subject=other_citizen.subject).exists()


def test_counter_filing_finds_the_person_by_the_id_number_typed_at_the_desk(clerk, service):
    person = CitizenFactory(full_name="赵敏").subject
    number = person.id_number
    client = _client(clerk)
    page = client.post(reverse("commitments:desk_subject"), {"kind": "person", "number": number})
    html = page.content.decode()
    form = page.context["file_form"]
    assert "subject" not in form.fields and 'name="subject"' not in html
    assert form.initial == {"kind": "person", "number": number}
    response = client.post(reverse("commitments:desk_file"), {
        "token": str(uuid.uuid4()), "kind": "person", "number": number, "service": service.pk})
    application = Application.objects.get(subject=person)
    assert response["Location"] == reverse("commitments:desk_application", args=[application.pk])
    assert application.filed_by == clerk


def test_counter_filing_with_an_unknown_id_number_asks_to_register_the_walk_in(clerk, service):
    number = resident_id(4242)
    response = _client(clerk).post(reverse("commitments:desk_file"), {
        "token": str(uuid.uuid4()), "kind": "person", "number": number, "service": service.pk})
    assert response.status_code == 400 and "登记申请人" in response.content.decode()
    assert not Application.objects.exists()


def test_counter_filing_works_for_an_enterprise_by_its_uscc(clerk, service):
    client = _client(clerk)
    code = uscc_code(4711)
    client.post(reverse("commitments:desk_register"), {"kind": "organisation", "number": code, "name": "西安长安贸易有限公司"})
    response = client.post(reverse("commitments:desk_file"), {
        "token": str(uuid.uuid4()), "kind": "organisation", "number": code, "service": service.pk})
    application = Application.objects.get()
    assert response.status_code == 302 and application.subject.name == "西安长安贸易有限公司"
    known = OrganisationFactory(name="西安曲江文化有限公司")
    client.post(reverse("commitments:desk_file"), {
        "token": str(uuid.uuid4()), "kind": "organisation", "number": known.id_number, "service": service.pk})
    assert Application.objects.filter(subject=known).exists()


# --- the desk's search box goes by POST ------------------------------------------------------------------
def test_the_desk_search_goes_by_post_and_ignores_a_query_in_the_url(clerk, service, citizen):
    from commitments import services

    application, _ = services.file_at_window(clerk=clerk, subject=citizen.subject, service_id=service.pk,
                                             token=uuid.uuid4())
    other, _ = services.file_at_window(clerk=clerk, subject=CitizenFactory(full_name="钱多多").subject,
                                       service_id=service.pk, token=uuid.uuid4())
    client = _client(clerk)
    page = client.get(reverse("commitments:desk")).content.decode()
    assert 'id="desk-search"' in page and 'method="post" action="/desk/" id="desk-search"' in page
    found = client.post(reverse("commitments:desk"), {"q": citizen.subject.name}).content.decode()
    assert application.number in found and other.number not in found
    unfiltered = client.get(reverse("commitments:desk") + f"?q={citizen.subject.name}").content.decode()
    assert application.number in unfiltered and other.number in unfiltered
    for hostile in ("a\x00b", "%' OR 1=1 --", "<script>x</script>", "x" * 500):
        response = client.post(reverse("commitments:desk"), {"q": hostile, "state": hostile, "page": hostile})
        assert response.status_code == 200 and "<script>x</script>" not in response.content.decode()


# --- the kernel's one function per duty ------------------------------------------------------------------
def test_each_duty_has_its_own_scope_case_work_own_agency_review_and_supervision_the_tree(
        city_government, justice_bureau, agency, district_government, district_department, reviewer,
        justice_supervisor, district_supervisor, district_justice_bureau):
    from portal import scope
    from portal.models import User

    everyone = [city_government, justice_bureau, agency, district_government, district_department]
    staff = {own: StaffFactory(agency=own, roles=[roles.WINDOW_CLERK]) for own in everyone}

    def agencies(q):
        return set(User.objects.filter(q).values_list("agency__code", flat=True))

    for own, clerk in staff.items():
        assert agencies(scope.case_q(clerk)) == {own.code}
        assert [a for a in everyone if scope.handles_cases_of(clerk, a)] == [own]
        assert scope.supervision_q(clerk) is None and not scope.supervises(clerk, own)
    assert agencies(scope.supervision_q(justice_supervisor)) == {a.code for a in everyone}
    assert agencies(scope.supervision_q(district_supervisor)) == {district_government.code, district_department.code}
    assert scope.case_q(CitizenFactory()) is None and not scope.handles_cases_of(CitizenFactory(), agency)
    # Catalogues: the city's bureau reviews what the city government approves, and aggregates what the
    # districts report; a district's bureau reviews its district's lists and aggregates nothing.
    district_reviewer = StaffFactory(agency=district_justice_bureau, roles=[roles.JUSTICE_REVIEWER])
    assert scope.catalogue_review_q(reviewer) == Q(approving_agency_id=city_government.pk)
    assert scope.catalogue_review_q(district_reviewer) == Q(approving_agency_id=district_government.pk)
    assert scope.catalogue_aggregation_q(reviewer) == (Q(oversight_government_id=city_government.pk)
                                                       & ~Q(approving_agency_id=city_government.pk))
    assert scope.aggregates_catalogues(reviewer) and not scope.aggregates_catalogues(district_reviewer)
    assert scope.catalogue_review_q(staff[agency]) is None
