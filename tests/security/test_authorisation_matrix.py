"""The authorisation matrix (issue 9, item 2): every URL with an object in it, requested by everyone.

The URL patterns are read from ``django.urls.get_resolver()``: each one carrying a path converter
(an object in the URL) must be known here, either as a ``BUILDERS`` entry (a function that builds the
object for its owner and says who may see it) or in ``PUBLIC`` (a genuinely public object page,
which still gets its own builder). A new view with an object in its URL and no entry fails
``test_every_object_url_is_in_the_matrix`` — it cannot escape.

Each object URL is then requested with GET by anonymous, each of the ten role users, another
agency's staff and another citizen. Expected per cell:

* ``ok``    — the owner or the scoped staff: 200 (405 for a POST-only action);
* ``login`` — anonymous on a non-public page: 302 to the login page;
* ``deny``  — everyone else: 403 (wrong role) or 404 (foreign object); 405 for a POST-only action.

The assertion that matters is ZERO LEAKS: nobody outside ``ok`` ever gets a 200.
"""

import datetime
import uuid
from dataclasses import dataclass
from functools import cached_property
from urllib.parse import parse_qs, urlparse

import pytest
from django.conf import settings
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from portal import roles

# Staff of every kind of agency other than the one the objects belong to (西安市人力资源和社会保障局, a city
# department): none of them may act on its cases (issue 14). The justice bureau's window clerk, verifier,
# inspector and credit officer are the probe's personas; the others hold every case role at once.
FOREIGN_STAFF = (
    "justice_clerk", "justice_verifier", "justice_inspector", "justice_credit_officer",
    "district_justice_staff", "city_government_staff", "district_government_staff", "district_department_staff",
    "city_department_staff", "district_supervisor",
)
ACTORS = (
    "anonymous", "applicant", "clerk", "verifier", "inspector", "editor", "reviewer", "approver",
    "credit_officer", "operator", "supervisor", "standards_officer", "justice_supervisor", "other_agency_clerk", "other_agency_verifier",
    "other_citizen", *FOREIGN_STAFF,
)
ROLE_ACTOR = {
    roles.APPLICANT: "applicant", roles.WINDOW_CLERK: "clerk", roles.VERIFIER: "verifier",
    roles.INSPECTOR: "inspector", roles.CATALOGUE_EDITOR: "editor", roles.JUSTICE_REVIEWER: "reviewer",
    roles.GOVERNMENT_APPROVER: "approver", roles.CREDIT_OFFICER: "credit_officer",
    roles.COMPLAINTS_OPERATOR: "operator", roles.SUPERVISOR: "supervisor",
    roles.SERVICE_STANDARDS_OFFICER: "standards_officer",
}
EVERYONE = frozenset(ACTORS)
NOBODY = frozenset()

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64

# Genuinely public object pages (no login; anonymous gets the page, or 404 when the object is not public).
PUBLIC = {
    "catalog:matter",                # a matter of a published catalogue (公开的证明事项目录)
    "catalog:letter_pdf",            # the blank notification-and-commitment template of a published matter
    "catalog:versions",              # an agency's published catalogue versions
    "catalog:compare",               # the diff of two published versions
    "commitments:verify_letter",     # letter authenticity check (only the public fields, no personal data)
    "verification:spot_check",       # a published spot-check run (organisations by name, persons not at all)
    "transparency_notice",           # a published supervision notice
    "complaints:tracked",            # a ticket unlocked in this session by number + lookup code (404 otherwise)
    "complaints:attachment",         # owner / staff / unlocked-by-code only, but without a login (404 otherwise)
    "password_reset_confirm",        # the emailed token is the credential; a wrong token shows "invalid link"
}


@dataclass
class Case:
    kwargs: dict
    ok: frozenset = NOBODY          # actors who may see the object (200, or 405 when post_only)
    post_only: bool = False
    ok_status: str = "200"          # what ``ok`` actors get on GET (e.g. a redirect to the object's page)
    public: bool = False            # anonymous is not redirected to the login page

    def expected(self, actor: str) -> str:
        if actor in self.ok:
            return "405" if self.post_only else self.ok_status
        if actor == "anonymous" and not self.public:
            return "login"
        return "deny"


# --- the world the builders draw on (built lazily, once per test function) ----------------------------
class World:
    def __init__(self, users, fx):
        self.users = users
        self._fx = fx

    def __getattr__(self, name):
        return self._fx(name)

    @cached_property
    def catalogue(self):
        from tests.verification.factories import publish_catalogue

        return publish_catalogue(self.agency, self.justice_bureau, self.city_government)

    @cached_property
    def service(self):
        from tests.verification.factories import service_of

        return service_of(self.catalogue)

    @cached_property
    def draft_application(self):
        from commitments import services

        application, _ = services.start_online(user=self.users["applicant"], service_id=self.service.pk,
                                               token=uuid.uuid4())
        return application

    @cached_property
    def accepted(self):
        """The applicant's accepted application: three commitments and one proof."""
        from tests.verification.factories import MATTERS, accepted_application

        commit = set(MATTERS) - {"执业场所使用证明"}
        return accepted_application(self.service, self.users["clerk"], self.users["applicant"], commit=commit)

    @cached_property
    def task(self):
        from verification import services
        from verification.models import VerificationPolicy, VerificationTask

        VerificationPolicy.objects.filter(level__in=["A", "B"]).update(sample_percent=100)
        services.plan_application(self.accepted.pk)
        return VerificationTask.objects.filter(application=self.accepted).order_by("pk").first()

    @cached_property
    def assistance(self):
        """An assistance request from the other agency to the fixture agency (the verifier's inbox)."""
        from tests.factories import StaffFactory
        from verification.models import AssistanceRequest

        sender = StaffFactory(agency=self.other_agency)
        return AssistanceRequest.objects.create(
            task=self.task, number=f"XC{uuid.uuid4().hex[:10].upper()}", from_agency=self.other_agency,
            to_agency=self.agency, question="请核实", state="pending", sent_by=sender,
            due_date=timezone.localdate() + datetime.timedelta(days=5))

    @cached_property
    def inspection(self):
        from verification.models import Inspection

        inspection = Inspection.objects.create(task=self.task, planned_date=timezone.localdate(),
                                               assigned_by=self.users["verifier"])
        inspection.inspectors.add(self.users["inspector"])
        return inspection

    @cached_property
    def photo(self):
        import hashlib

        from verification.models import InspectionPhoto

        photo = InspectionPhoto(inspection=self.inspection, content_type="image/png", size=len(PNG),
                                sha256=hashlib.sha256(PNG).hexdigest(), uploaded_by=self.users["inspector"])
        photo.file.save("photo.png", ContentFile(PNG), save=True)
        return photo

    @cached_property
    def record(self):
        """A credit record of the applicant, decided by the fixture agency."""
        from credit import services

        return services.enter_record(
            subject=self.users["applicant"].subject, kind="other", basis="《陕西省社会信用条例》第二十条",
            severity="general", decision_number=f"西人社罚〔2026〕{uuid.uuid4().hex[:6]}号",
            decision_date=timezone.localdate() - datetime.timedelta(days=400), deciding_agency=self.agency,
            facts="承诺已缴纳社保，经核查不实。", actor=self.users["credit_officer"])

    @cached_property
    def repair(self):
        from credit.models import CreditRepair

        return CreditRepair.objects.create(record=self.record, applicant=self.users["applicant"],
                                           rectification="已整改", commitment_text="守信承诺",
                                           due_on=timezone.localdate() + datetime.timedelta(days=15))

    @cached_property
    def objection(self):
        from credit.models import Objection

        return Objection.objects.create(record=self.record, applicant=self.users["applicant"], reasons="记录有误",
                                        due_on=timezone.localdate() + datetime.timedelta(days=15))

    @cached_property
    def credit_attachment(self):
        from credit.models import Attachment

        att = Attachment(repair=self.repair, original_name="整改证明.pdf", content_type="application/pdf",
                         size=len(PDF))
        att.file.save("proof.pdf", ContentFile(PDF), save=True)
        return att

    @cached_property
    def ticket(self):
        """A portal complaint by the applicant about the fixture agency."""
        from complaints import services
        from complaints.models import Channel, Kind, Topic

        ticket, _code = services.file_ticket(
            kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=self.users["applicant"], title="窗口仍要求提供证明",
            content="已签署告知承诺书，窗口仍要求我提供无犯罪记录证明。", topic=Topic.PROOF_DEMAND,
            about_agency=self.agency, contact_name="张伟", contact_phone="13700000001")
        return ticket

    @cached_property
    def ticket_attachment(self):
        import hashlib

        from complaints.models import TicketAttachment

        att = TicketAttachment(ticket=self.ticket, original_name="材料.pdf", content_type="application/pdf",
                               size=len(PDF), sha256=hashlib.sha256(PDF).hexdigest(),
                               uploaded_by=self.users["applicant"])
        att.file.save("material.pdf", ContentFile(PDF), save=True)
        return att

    @cached_property
    def notice_draft(self):
        from supervision import figures, services

        return services.draft(author=self.users["supervisor"], title="督查通报", body="通报内容",
                              period=figures.Period.current_year(), criticised=[self.agency])


    @cached_property
    def standard(self):
        from complaints import services

        return services.publish_standard(actor=self.users["standards_officer"], kind="window_standard",
                                         title="首问负责", body="窗口首问负责，不得索要已承诺的证明。")


# --- who may see what (the matrix' expectations, as data) ---------------------------------------------
OWNER = frozenset({"applicant"})
# Read-only supervision of the city's tree: the city government's supervisor and the justice bureau's
# (市司法局 leads and guides the reform). Each such read of another agency's case is audited.
SUPERVISORS = frozenset({"supervisor", "justice_supervisor"})
CASE_STAFF = frozenset({"clerk", "verifier", "inspector"}) | SUPERVISORS   # commitments.selectors.CASE_STAFF
CATALOGUE_STAFF = frozenset({"editor", "reviewer", "approver"})


def _catalogue_draft(w):
    from catalog import services
    from tests.catalog.conftest import add_matter

    catalogue = services.start_version(actor=w.users["editor"])
    matter = add_matter(catalogue)
    return catalogue, matter


def b_catalog_matter(w):
    return Case({"pk": w.catalogue.matters.first().pk}, ok=EVERYONE, public=True)


def b_catalog_versions(w):
    return Case({"agency_pk": w.catalogue.agency_id}, ok=EVERYONE, public=True)


def b_catalog_compare(w):
    return Case({"a": w.catalogue.pk, "b": w.catalogue.pk}, ok=EVERYONE, public=True)


def b_catalogue(w):
    # The justice reviewer and the approving government follow the department's catalogue (staff_catalogues).
    catalogue, _ = _catalogue_draft(w)
    return Case({"pk": catalogue.pk}, ok=CATALOGUE_STAFF)


def b_catalogue_editor(w):
    catalogue, _ = _catalogue_draft(w)
    return Case({"pk": catalogue.pk}, ok=frozenset({"editor"}))


def b_catalogue_matter(w, post_only=False):
    catalogue, matter = _catalogue_draft(w)
    return Case({"pk": catalogue.pk, "matter_pk": matter.pk}, ok=frozenset({"editor"}), post_only=post_only)


def b_risk_add(w):
    catalogue, _ = _catalogue_draft(w)
    return Case({"pk": catalogue.pk}, ok=frozenset({"editor"}), post_only=True)


def b_catalogue_transition(w):
    catalogue, _ = _catalogue_draft(w)
    return Case({"pk": catalogue.pk, "action": "submit"}, ok=NOBODY, post_only=True)


def b_staff_matter(w):
    _, matter = _catalogue_draft(w)
    return Case({"matter_pk": matter.pk}, ok=CATALOGUE_STAFF)


def b_basis_reason(w):
    _, matter = _catalogue_draft(w)
    # Only the overseeing justice reviewer may record a reason (on a submitted list; a draft is refused with a message).
    return Case({"matter_pk": matter.pk}, ok=frozenset({"reviewer"}), post_only=True)


def b_verify_letter(w):
    letter = w.accepted.commitments.first().letter_number
    return Case({"number": letter}, ok=EVERYONE, public=True)


def b_letter_pdf(w):
    letter = w.accepted.commitments.first().letter_number
    return Case({"number": letter}, ok=OWNER | CASE_STAFF)


def b_proof(w):
    from commitments.models import ProofDocument

    return Case({"pk": ProofDocument.objects.get(requirement__application=w.accepted).pk}, ok=OWNER | CASE_STAFF)


def b_notice_pdf(w):
    from commitments import services

    notice = services.issue_notice(clerk=w.users["clerk"], application_pk=w.draft_application.pk)
    return Case({"pk": notice.pk}, ok=OWNER | CASE_STAFF)


def b_application(w):
    return Case({"pk": w.draft_application.pk}, ok=OWNER)


def b_requirement(w):
    req = w.draft_application.requirements.first()
    return Case({"pk": w.draft_application.pk, "requirement_pk": req.pk}, ok=OWNER)


def b_application_post(w):
    return Case({"pk": w.draft_application.pk}, ok=OWNER, post_only=True)


def b_withdraw_commitment(w):
    letter = w.accepted.commitments.first().letter_number
    return Case({"pk": w.accepted.pk, "number": letter}, ok=OWNER)


def b_desk_application(w):
    return Case({"pk": w.accepted.pk}, ok=frozenset({"clerk"}))


def b_desk_requirement(w):
    req = w.draft_application.requirements.first()
    return Case({"pk": w.draft_application.pk, "requirement_pk": req.pk}, ok=frozenset({"clerk"}))


def b_desk_action(w):
    return Case({"pk": w.draft_application.pk, "action": "accept"}, post_only=True, ok=frozenset({"clerk"}))


def b_task(w):
    return Case({"pk": w.task.pk}, ok=frozenset({"verifier"}))


def b_task_post(w):
    return Case({"pk": w.task.pk}, ok=frozenset({"verifier"}), post_only=True)


# Assistance requests: the asked agency's scope (verifier, city supervisor) and the asking agency's verifiers.
ASSISTANCE = frozenset({"verifier", "other_agency_verifier"}) | SUPERVISORS


def _disposition(w, **choice):
    """A false finding on the applicant's task (the verifier concludes it), with the given dispositions."""
    from verification import services
    from verification.models import Disposition

    verifier = w.users["verifier"]
    services.claim(user=verifier, task_id=w.task.pk)
    services.conclude(user=verifier, task_id=w.task.pk, result="false", conclusion="不符", disposition={
        "severity": "general", "decision_number": f"西人社核〔2026〕{uuid.uuid4().hex[:6]}号",
        "legal_basis": "《中华人民共和国行政许可法》第六十九条", "document_number": f"西人社处〔2026〕{uuid.uuid4().hex[:6]}号",
        **choice})
    return Disposition.objects.get(task=w.task)


def b_rectification_proof(w):
    # Only the applicant of the case hands in the proof (POST only: everyone's GET is 405).
    d = _disposition(w, rectify=True, rectify_days=5)
    return Case({"pk": d.pk}, ok=frozenset({"applicant"}), post_only=True)


def b_legislative_matter(w):
    # 立法修改建议: the justice bureau's reviewers over the government tree of the department.
    d = _disposition(w, terminate=True, penalty=True, penalty_note="罚款")
    return Case({"key": d.task.matter.key}, ok=frozenset({"reviewer"}))


def b_assistance(w):
    return Case({"pk": w.assistance.pk}, ok=ASSISTANCE)


def b_assistance_pdf(w):
    # No reply yet: the reply PDF sends its readers back to the request's page.
    return Case({"pk": w.assistance.pk}, ok=ASSISTANCE, ok_status=f"302→/verification/assistance/{w.assistance.pk}/")


def b_assistance_post(w):
    return Case({"pk": w.assistance.pk}, ok=frozenset({"verifier"}), post_only=True)


def b_inspection(w):
    return Case({"pk": w.inspection.pk}, ok=frozenset({"inspector"}))


def b_photo(w):
    return Case({"pk": w.photo.pk}, ok=frozenset({"inspector", "verifier"}))


def b_spot_check(w):
    from verification.models import SpotCheckPlan, SpotCheckRun

    plan = SpotCheckPlan.objects.create(name="抽查计划", owner=w.agency)
    run = SpotCheckRun.objects.create(plan=plan, period="2026Q1", seed=1, pool_max_id=0, pool_size=0, sample_size=0,
                                      published_at=timezone.now())
    return Case({"pk": run.pk}, ok=EVERYONE, public=True)


# The integrity file (信用档案) is credit information shared city-wide by law (一处失信、处处受限): every
# credit officer may open it, and each opening is audited (credit.services.record_lookup). It is no case.
CREDIT_OFFICERS = frozenset({"credit_officer", "justice_credit_officer", "district_justice_staff",
                             "city_government_staff", "district_government_staff", "district_department_staff",
                             "city_department_staff"})


def b_my_record(w):
    return Case({"pk": w.record.pk}, ok=OWNER)


def b_credit_attachment(w):
    return Case({"pk": w.credit_attachment.pk}, ok=OWNER | {"credit_officer"})


def b_officer_record(w):
    return Case({"pk": w.record.pk}, ok=frozenset({"credit_officer"}))


def b_officer_record_post(w):
    return Case({"pk": w.record.pk}, ok=frozenset({"credit_officer"}), post_only=True)


def b_officer_repair(w):
    return Case({"pk": w.repair.pk}, ok=frozenset({"credit_officer"}))


def b_officer_objection(w):
    return Case({"pk": w.objection.pk}, ok=frozenset({"credit_officer"}))


def b_policy_edit(w):
    # The severity policies are one city-wide table of rules, no agency's case.
    return Case({"severity": "general"}, ok=CREDIT_OFFICERS)


def b_subject_file(w):
    return Case({"pk": w.record.subject_id}, ok=CREDIT_OFFICERS)


def b_tracked(w):
    return Case({"number": w.ticket.number}, ok=NOBODY, public=True)


# Tickets: the 12345 desk (operators, city-wide), the handling agency (its clerks) and supervisors in scope.
TICKET_STAFF = frozenset({"operator", "clerk"}) | SUPERVISORS


def b_ticket_attachment(w):
    return Case({"pk": w.ticket_attachment.pk}, ok=OWNER | TICKET_STAFF, public=True)


def b_my_ticket(w):
    return Case({"number": w.ticket.number}, ok=OWNER)


def b_ticket_detail(w):
    return Case({"number": w.ticket.number}, ok=TICKET_STAFF)


def b_ticket_post(w):
    return Case({"number": w.ticket.number}, ok=TICKET_STAFF, post_only=True)


def b_notice(w):
    # Supervision itself: the city's supervisors (the justice bureau's included) read its notices.
    return Case({"pk": w.notice_draft.pk}, ok=frozenset({"approver"}) | SUPERVISORS)


def b_notice_edit(w):
    return Case({"pk": w.notice_draft.pk}, ok=frozenset({"supervisor"}))


def b_notice_post(w):
    return Case({"pk": w.notice_draft.pk}, ok=frozenset({"supervisor", "approver"}), post_only=True)


def b_transparency_notice(w):
    from supervision import services

    notice = services.approve(actor=w.users["approver"], notice=w.notice_draft)
    notice = services.publish(actor=w.users["approver"], notice=notice)
    return Case({"pk": notice.pk}, ok=EVERYONE, public=True)


def b_message(w):
    from portal import notifications

    message, = notifications.notify(w.users["applicant"], "accepted", "办件已受理", "您的办件已受理。", "/applications/",
                                    key=f"matrix:{uuid.uuid4()}")
    return Case({"pk": message.pk}, ok=OWNER, post_only=True)


def b_password_reset_confirm(w):
    return Case({"uidb64": "MQ", "token": "set-password"}, ok=EVERYONE, public=True)


def b_standard_retire(w):
    return Case({"pk": w.standard.pk}, ok=frozenset({"standards_officer"}), post_only=True)


BUILDERS = {
    # portal
    "password_reset_confirm": b_password_reset_confirm,
    "message_read": b_message,
    "message_open": b_message,
    "supervision_notice": b_notice,
    "supervision_notice_edit": b_notice_edit,
    "supervision_notice_approve": b_notice_post,
    "supervision_notice_publish": b_notice_post,
    "transparency_notice": b_transparency_notice,
    # catalog
    "catalog:matter": b_catalog_matter,
    "catalog:risk_add": b_risk_add,
    "catalog:letter_pdf": b_catalog_matter,
    "catalog:versions": b_catalog_versions,
    "catalog:compare": b_catalog_compare,
    "catalog:catalogue": b_catalogue,
    "catalog:matter_add": b_catalogue_editor,
    "catalog:matter_edit": b_catalogue_matter,
    "catalog:matter_delete": lambda w: b_catalogue_matter(w, post_only=True),
    "catalog:service_add": b_catalogue_editor,
    "catalog:import": b_catalogue_editor,
    "catalog:export_xlsx": b_catalogue,
    "catalog:export_catalogue_csv": b_catalogue,
    "catalog:transition": b_catalogue_transition,
    "catalog:staff_matter": b_staff_matter,
    "catalog:basis_reason": b_basis_reason,
    # commitments
    "commitments:verify_letter": b_verify_letter,
    "commitments:letter_pdf": b_letter_pdf,
    "commitments:proof": b_proof,
    "commitments:notice_pdf": b_notice_pdf,
    "commitments:application": b_application,
    "commitments:sign": b_requirement,
    "commitments:upload": b_requirement,
    "commitments:submit": b_application_post,
    "commitments:withdraw": b_application,
    "commitments:withdraw_commitment": b_withdraw_commitment,
    "commitments:desk_application": b_desk_application,
    "commitments:desk_sign": b_desk_requirement,
    "commitments:desk_upload": b_desk_requirement,
    "commitments:desk_action": b_desk_action,
    # verification
    "verification:task": b_task,
    "verification:claim": b_task_post,
    "verification:release": b_task_post,
    "verification:data_check": b_task_post,
    "verification:send_assistance": b_task_post,
    "verification:assign_inspection": b_task_post,
    "verification:document_review": b_task_post,
    "verification:conclude": b_task_post,
    "verification:assistance": b_assistance,
    "verification:assistance_reply": b_assistance_post,
    "verification:assistance_refuse": b_assistance_post,
    "verification:assistance_pdf": b_assistance_pdf,
    "verification:inspection": b_inspection,
    "verification:photo": b_photo,
    "verification:spot_check": b_spot_check,
    "verification:rectification_proof": b_rectification_proof,
    "verification:legislative_matter": b_legislative_matter,
    # credit
    "credit:my_record": b_my_record,
    "credit:apply_repair": b_my_record,
    "credit:raise_objection": b_my_record,
    "credit:attachment": b_credit_attachment,
    "credit:record": b_officer_record,
    "credit:record_revoke": b_officer_record_post,
    "credit:repair": b_officer_repair,
    "credit:objection": b_officer_objection,
    "credit:policy_edit": b_policy_edit,
    "credit:subject_file": b_subject_file,
    # complaints
    "complaints:tracked": b_tracked,
    "complaints:attachment": b_ticket_attachment,
    "complaints:my_ticket": b_my_ticket,
    "complaints:detail": b_ticket_detail,
    "complaints:route": b_ticket_post,
    "complaints:sign": b_ticket_post,
    "complaints:reply": b_ticket_post,
    "complaints:callback": b_ticket_post,
    "complaints:standard_retire": b_standard_retire,
}


# --- the URL configuration, walked --------------------------------------------------------------------
def _walk(resolver, prefix="", namespace=None):
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            ns = namespace
            if p.namespace:
                ns = f"{namespace}:{p.namespace}" if namespace else p.namespace
            yield from _walk(p, prefix + str(p.pattern), ns)
        elif isinstance(p, URLPattern):
            has_object = bool(getattr(p.pattern, "converters", None)) or bool(p.pattern.regex.groupindex)
            yield prefix + str(p.pattern), (f"{namespace}:{p.name}" if namespace and p.name else p.name), p, has_object


def _object_urls(resolver=None):
    """(route, name) of every pattern with an object in it; parent converters count as well."""
    out = []
    for route, name, _p, own in _walk(resolver or get_resolver()):
        if own or "<" in route or "(?P<" in route:
            out.append((route, name))
    return out


OBJECT_URLS = _object_urls()
ADMIN_ROUTES = sorted({route for route, name in OBJECT_URLS if route.startswith("admin/")})
APP_URLS = sorted({name for route, name in OBJECT_URLS if not route.startswith("admin/")})


def test_every_object_url_is_in_the_matrix():
    unnamed = [route for route, name in OBJECT_URLS if not name and not route.startswith("admin/")]
    unknown = [name for name in APP_URLS if name not in BUILDERS]
    stale = [name for name in BUILDERS if name not in APP_URLS]
    assert not unnamed, f"object URLs without a name cannot be checked: {unnamed}"
    assert not unknown, f"add these object URLs to the authorisation matrix (BUILDERS / PUBLIC): {unknown}"
    assert not stale, f"these matrix entries match no URL any more: {stale}"
    assert all(name in BUILDERS for name in PUBLIC)
    assert len(APP_URLS) >= 60 and ADMIN_ROUTES


# --- requesting ----------------------------------------------------------------------------------------
@pytest.fixture
def actors(user_for_role, other_agency_clerk, other_agency_verifier, other_citizen, justice_clerk, justice_verifier,
           justice_inspector, justice_credit_officer, justice_supervisor, district_supervisor, case_staff_of,
           district_justice_bureau, city_government, district_government, district_department):
    from tests.factories import AgencyFactory

    users = {ROLE_ACTOR[role]: user for role, user in user_for_role.items()}
    users.update(other_agency_clerk=other_agency_clerk, other_agency_verifier=other_agency_verifier,
                 other_citizen=other_citizen, justice_clerk=justice_clerk, justice_verifier=justice_verifier,
                 justice_inspector=justice_inspector, justice_credit_officer=justice_credit_officer,
                 justice_supervisor=justice_supervisor, district_supervisor=district_supervisor)
    city_department = AgencyFactory(code="610100-MZJ", name="西安市民政局", parent=city_government)
    users.update(
        district_justice_staff=case_staff_of(district_justice_bureau, "雁塔区司法局"),
        city_government_staff=case_staff_of(city_government, "市政府"),
        district_government_staff=case_staff_of(district_government, "雁塔区政府"),
        district_department_staff=case_staff_of(district_department, "雁塔区人社局"),
        city_department_staff=case_staff_of(city_department, "市民政局"),
    )
    return users


@pytest.fixture
def world(actors, request):
    return World(actors, request.getfixturevalue)


def _observe(response, admin=False) -> str:
    status = response.status_code
    if status in (301, 302):
        target = urlparse(response["Location"]).path
        login = reverse("admin:login") if admin else settings.LOGIN_URL
        if not login.startswith("/"):
            login = reverse(login)
        return "login" if target == login else f"302→{target}"
    return str(status)


def _matches(expected: str, seen: str, post_only: bool) -> bool:
    if expected == "deny":
        return seen in ("403", "404") or (post_only and seen == "405")
    if expected == "login":
        return seen == "login" or (post_only and seen == "405")
    return seen == expected


def _matrix(rows: dict) -> str:
    width = max(len(a) for a in ACTORS)
    lines = [f"{'actor':<{width}}  expected  seen"]
    for actor, (expected, seen) in rows.items():
        mark = "" if expected[1] else "   <-- LEAK" if seen == "200" else "   <-- mismatch"
        lines.append(f"{actor:<{width}}  {expected[0]:<8}  {seen}{mark}")
    return "\n".join(lines)


def _request_all(url, users, case: Case):
    rows, leaks = {}, []
    for actor in ACTORS:
        client = Client()
        if actor != "anonymous":
            client.force_login(users[actor])
        seen = _observe(client.get(url))
        expected = case.expected(actor)
        ok = _matches(expected, seen, case.post_only)
        rows[actor] = ((expected, ok), seen)
        if seen == "200" and actor not in case.ok:
            leaks.append(actor)
    return rows, leaks


@pytest.mark.django_db
@pytest.mark.parametrize("name", APP_URLS)
def test_object_url(name, world):
    case = BUILDERS[name](world)
    assert case.public == (name in PUBLIC), f"{name}: PUBLIC and the builder disagree"
    url = reverse(name, kwargs=case.kwargs)
    rows, leaks = _request_all(url, world.users, case)
    table = _matrix(rows)
    assert not leaks, f"LEAK on {name} ({url}) for {leaks}\n{table}"
    assert all(expected[1] for expected, _seen in rows.values()), f"{name} ({url})\n{table}"


def _post_all(url, users, case: Case):
    """POST (an empty form) as every staff member outside the object's agency: each must be refused
    before any form is read — 403 or 404 (405 for a page that takes no POST). A 200 or a redirect
    means the view went on to act (or to show a form) for someone outside the agency."""
    wrong = []
    for actor in (*FOREIGN_STAFF, "other_agency_clerk", "other_agency_verifier"):
        if actor in case.ok:
            continue
        client = Client()
        client.force_login(users[actor])
        seen = _observe(client.post(url, {}))
        if seen not in ("403", "404", "405"):
            wrong.append(f"{actor}: {seen}")
    return wrong


@pytest.mark.django_db
@pytest.mark.parametrize("name", [n for n in APP_URLS if n not in PUBLIC])
def test_no_staff_member_outside_the_agency_acts_on_its_objects(name, world):
    """Cross-agency success on any object URL fails the matrix, whatever the method (issue 14)."""
    case = BUILDERS[name](world)
    url = reverse(name, kwargs=case.kwargs)
    wrong = _post_all(url, world.users, case)
    assert not wrong, f"CROSS-AGENCY on {name} ({url}):\n" + "\n".join(wrong)


def _admin_url(route: str) -> str:
    """Fill an admin route with an app label it accepts and an object id that need not exist."""
    import re

    url = "/" + route
    url = re.sub(r"\(\?P<app_label>([^)]*)\)", lambda m: m.group(1).split("|")[0], url)
    url = re.sub(r"\(\?P<[^>]+>[^)]*\)", "1", url)
    url = re.sub(r"<[^>]+>", "1", url)
    url = url.replace("^", "").replace("$", "")
    return url


@pytest.mark.django_db
def test_admin_object_urls_answer_nobody_in_the_matrix(actors):
    """The Django admin's object URLs: nobody here is staff of the admin site, so a redirect to its login."""
    clients = {"anonymous": Client()}
    for actor in ACTORS[1:]:
        clients[actor] = Client()
        clients[actor].force_login(actors[actor])
    bad = []
    for route in ADMIN_ROUTES:
        url = _admin_url(route)
        for actor, client in clients.items():
            seen = _observe(client.get(url), admin=True)
            if seen not in ("login", "404"):
                bad.append(f"{route} {url} {actor}: {seen}")
    assert not bad, "\n".join(bad)


# Object pages of the two roles that log in with a second factor (portal.roles.TWO_FACTOR_ROLES).
TWO_FACTOR_PAGES = ("catalog:catalogue", "catalog:staff_matter", "credit:record", "credit:repair",
                    "credit:objection", "credit:policy_edit", "credit:subject_file", "supervision_notice")


@pytest.mark.django_db
@pytest.mark.parametrize("name", TWO_FACTOR_PAGES)
def test_an_unverified_approver_or_credit_officer_is_sent_to_verification_not_the_page(name, world,
                                                                                      password_only_login):
    """The actors above are logged in with both factors (tests/conftest.py). With the password only,
    the pages their role may open redirect to the code page, which then returns to the page."""
    case = BUILDERS[name](world)
    url = reverse(name, kwargs=case.kwargs)
    actors = [actor for actor in ("approver", "credit_officer") if actor in case.ok]
    assert actors, f"{name}: neither the approver nor the credit officer may open it"
    for actor in actors:
        client = Client()
        password_only_login(client, world.users[actor])
        response = client.get(url)
        assert response.status_code == 302, f"{name} {actor}: {response.status_code}"
        target = urlparse(response["Location"])
        assert target.path == reverse("two_factor") and parse_qs(target.query)["next"] == [url], f"{name} {actor}"
        client.force_login(world.users[actor])
        assert client.get(url).status_code == 200
