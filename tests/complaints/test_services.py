import datetime
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from complaints import services
from complaints.models import Channel, ComplaintsError, DeadlinePolicy, Kind, Referral, Ticket, Topic
from portal.models import AuditEvent

from .conftest import reload, walk

pytestmark = pytest.mark.django_db
S = Ticket.State


def _at(day: datetime.date, hour=10):
    """Pretend the services run at ``day`` ``hour``:00 local time."""
    moment = timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))
    return mock.patch("complaints.services.timezone.now", return_value=moment)


# --- numbers and codes -------------------------------------------------------------------------------
def test_tracking_numbers_carry_kind_prefix_and_date_and_never_repeat(citizen, agency):
    numbers = set()
    for kind in (Kind.CONSULTATION, Kind.COMPLAINT, Kind.REPORT, Kind.REPORT):
        ticket, _code = services.file_ticket(kind=kind, channel=Channel.PORTAL, requester=citizen, title="标题",
                                             content="内容")
        numbers.add(ticket.number)
    today = timezone.localdate().strftime("%Y%m%d")
    assert len(numbers) == 4
    assert {n[:2] for n in numbers} == {"ZX", "TS", "JB"}
    assert all(n[2:10] == today for n in numbers)


def test_tracking_number_is_unique_in_the_database(complaint):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=complaint.pk).update(number="X")
        Ticket.objects.create(number="X", lookup_hash="h", kind="report", channel="portal", anonymous=True,
                              title="t", content="c")


def test_lookup_code_is_stored_only_as_a_keyed_hash_and_matches_only_its_ticket(anonymous_report, complaint):
    code = anonymous_report.code
    assert len(code) == 8
    assert code not in anonymous_report.lookup_hash
    assert services.code_matches(anonymous_report, code)
    assert services.code_matches(anonymous_report, code.lower())
    assert not services.code_matches(complaint, code)
    assert not services.code_matches(anonymous_report, "AAAAAAAA")


# --- filing and routing ---------------------------------------------------------------------------
def test_portal_complaint_naming_an_agency_is_routed_there_at_once(complaint, agency):
    assert complaint.state == S.ASSIGNED
    assert complaint.agency == agency
    assert complaint.sign_due and complaint.reply_due
    actions = list(AuditEvent.objects.for_object(complaint).values_list("action", flat=True))
    assert actions == ["complaints.filed", "complaints.routed"]


def test_ticket_about_a_catalogue_matter_goes_to_the_matter_requesting_agency(citizen, matter, agency):
    ticket, _code = services.file_ticket(kind=Kind.CONSULTATION, channel=Channel.PORTAL, requester=citizen,
                                         title="能否承诺", content="无犯罪记录证明能否承诺？", matter=matter)
    assert ticket.agency == agency == matter.requesting_agency
    assert ticket.matter_name == matter.name


def test_anonymous_report_without_agency_waits_at_the_desk(anonymous_report):
    assert anonymous_report.state == S.RECEIVED
    assert anonymous_report.agency is None
    assert anonymous_report.requester is None and anonymous_report.anonymous


def test_only_reports_may_be_anonymous():
    with pytest.raises(ComplaintsError) as exc:
        services.file_ticket(kind=Kind.COMPLAINT, channel=Channel.PORTAL, anonymous=True, title="t", content="c")
    assert exc.value.field == "kind"


def test_database_refuses_an_anonymous_consultation(complaint):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=complaint.pk).update(anonymous=True, kind="consultation", requester=None)


def test_portal_ticket_needs_a_login_unless_anonymous_report():
    with pytest.raises(ComplaintsError):
        services.file_ticket(kind=Kind.CONSULTATION, channel=Channel.PORTAL, title="t", content="c")


def test_input_is_length_limited(citizen):
    with pytest.raises(ComplaintsError) as exc:
        services.file_ticket(kind=Kind.CONSULTATION, channel=Channel.PORTAL, requester=citizen, title="t",
                             content="字" * 2001)
    assert (exc.value.field, exc.value.code) == ("content", "too_long")


def test_hotline_call_is_routed_where_the_operator_chose(operator, other_agency):
    ticket, code = services.file_ticket(
        kind=Kind.COMPLAINT, channel=Channel.HOTLINE, entered_by=operator, title="来电投诉", content="来电内容",
        contact_name="王先生", contact_phone="13900000000", route_to=other_agency,
    )
    assert ticket.state == S.ASSIGNED and ticket.agency == other_agency
    assert ticket.entered_by == operator and code


def test_desk_routes_a_received_report_and_reroutes_only_with_a_reason(anonymous_report, operator, agency,
                                                                      other_agency):
    ticket = services.route(actor=operator, ticket_pk=anonymous_report.pk, agency=agency)
    assert ticket.state == S.ASSIGNED and ticket.agency == agency
    with pytest.raises(ComplaintsError) as exc:
        services.route(actor=operator, ticket_pk=ticket.pk, agency=other_agency)
    assert exc.value.field == "reason"
    ticket = services.route(actor=operator, ticket_pk=ticket.pk, agency=other_agency, reason="属市场监管职责")
    assert ticket.agency == other_agency
    event = AuditEvent.objects.for_object(ticket).filter(action="complaints.rerouted").get()
    assert "属市场监管职责" in event.summary


def test_only_the_desk_may_route(anonymous_report, clerk, agency):
    with pytest.raises(ComplaintsError):
        services.route(actor=clerk, ticket_pk=anonymous_report.pk, agency=agency)


# --- deadlines on the working-day calendar --------------------------------------------------------------
def test_deadlines_default_to_the_issue_values():
    assert DeadlinePolicy.for_kind(Kind.CONSULTATION) == (1, 2, 5)
    assert DeadlinePolicy.for_kind(Kind.COMPLAINT) == (1, 10, 5)
    assert DeadlinePolicy.for_kind(Kind.REPORT) == (1, 10, 5)


def test_complaint_filed_before_national_day_is_due_after_the_holiday_counting_the_makeup_saturday(
    citizen, agency
):
    # 2025: 国庆+中秋 1–8 October off; Saturday 11 October is a 调休 working day.
    with _at(datetime.date(2025, 9, 30)):
        ticket, _code = services.file_ticket(kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen,
                                             title="节前投诉", content="内容", about_agency=agency)
    assert ticket.sign_due == datetime.date(2025, 10, 9)
    # 9, 10, 11 (Sat, 调休), 13, 14, 15, 16, 17, 20, 21
    assert ticket.reply_due == datetime.date(2025, 10, 21)
    assert services.deadlines(Kind.CONSULTATION, datetime.date(2025, 9, 30)) == (
        datetime.date(2025, 10, 9), datetime.date(2025, 10, 10))


def test_deadline_policy_is_configurable(citizen, agency):
    DeadlinePolicy.objects.filter(kind=Kind.COMPLAINT).update(reply_days=5)
    assert services.deadlines(Kind.COMPLAINT, datetime.date(2026, 3, 2))[1] == datetime.date(2026, 3, 9)


# --- signing, replying, rating ------------------------------------------------------------------------------
def test_only_staff_of_the_handling_agency_may_sign_and_reply(complaint, clerk, other_agency_clerk, citizen):
    for outsider in (other_agency_clerk, citizen):
        with pytest.raises(ComplaintsError):
            services.sign_for(actor=outsider, ticket_pk=complaint.pk)
    ticket = services.sign_for(actor=clerk, ticket_pk=complaint.pk)
    assert ticket.state == S.IN_PROGRESS and ticket.signed_on_time is True
    with pytest.raises(ComplaintsError):
        services.reply(actor=other_agency_clerk, ticket_pk=ticket.pk, text="答复")
    ticket = services.reply(actor=clerk, ticket_pk=ticket.pk, text="已整改。")
    assert ticket.state == S.REPLIED and ticket.replied_on_time is True


def test_reply_before_signing_is_refused(complaint, clerk):
    with pytest.raises(ComplaintsError):
        services.reply(actor=clerk, ticket_pk=complaint.pk, text="答复")


def test_late_sign_for_is_recorded_as_not_on_time(complaint, clerk):
    with _at(complaint.sign_due + datetime.timedelta(days=3)):
        ticket = services.sign_for(actor=clerk, ticket_pk=complaint.pk)
    assert ticket.signed_on_time is False


def test_a_changed_state_is_refused_as_stale(complaint, clerk):
    with pytest.raises(ComplaintsError) as exc:
        services.sign_for(actor=clerk, ticket_pk=complaint.pk, expected_state="received")
    assert exc.value.code == "stale"


def test_satisfied_rating_closes_the_ticket(complaint, clerk, citizen):
    walk(complaint, clerk, "replied")
    ticket = services.rate(ticket_pk=complaint.pk, rating="satisfied", actor=citizen)
    assert ticket.state == S.CLOSED and ticket.rating == "satisfied" and ticket.closed_at


def test_not_satisfied_reopens_once_then_closes_as_not_satisfied(complaint, clerk, citizen):
    walk(complaint, clerk, "replied")
    with pytest.raises(ComplaintsError) as exc:
        services.rate(ticket_pk=complaint.pk, rating="not_satisfied", actor=citizen)
    assert exc.value.field == "comment"
    ticket = services.rate(ticket_pk=complaint.pk, rating="not_satisfied", comment="仍未整改", actor=citizen)
    assert ticket.state == S.REOPENED and ticket.reopen_count == 1 and ticket.signed_at is None
    walk(ticket, clerk, "replied")
    ticket = services.rate(ticket_pk=complaint.pk, rating="not_satisfied", comment="还是不满意", actor=citizen)
    assert ticket.state == S.CLOSED and ticket.rating == "not_satisfied" and ticket.reopen_count == 1


def test_database_refuses_a_second_reopen(complaint):
    with pytest.raises(IntegrityError), transaction.atomic():
        Ticket.objects.filter(pk=complaint.pk).update(reopen_count=2)


def test_operator_records_a_callback_rating_but_a_clerk_may_not(complaint, clerk, operator, other_agency_clerk):
    walk(complaint, clerk, "replied")
    with pytest.raises(ComplaintsError):
        services.rate(ticket_pk=complaint.pk, rating="satisfied", actor=other_agency_clerk, via_callback=True)
    ticket = services.rate(ticket_pk=complaint.pk, rating="satisfied", actor=operator, via_callback=True)
    assert ticket.state == S.CLOSED
    assert "回访" in AuditEvent.objects.for_object(ticket).last().summary


def test_consultation_is_published_in_the_faq_only_with_consent(citizen, agency, clerk):
    consented, _c = services.file_ticket(kind=Kind.CONSULTATION, channel=Channel.PORTAL, requester=citizen,
                                         title="可否承诺", content="我叫张伟，电话137…", about_agency=agency,
                                         publish_consent=True)
    silent, _c = services.file_ticket(kind=Kind.CONSULTATION, channel=Channel.PORTAL, requester=citizen,
                                      title="不公开", content="内容", about_agency=agency)
    for ticket in (consented, silent):
        services.sign_for(actor=clerk, ticket_pk=ticket.pk)
        services.reply(actor=clerk, ticket_pk=ticket.pk, text="可以承诺。", publish=True, faq_question="可否承诺？")
    assert reload(consented).faq_published and consented.faq_question == "可否承诺？"
    assert not reload(silent).faq_published


# --- beat: escalation, reminders, auto-close ------------------------------------------------------------
def test_overdue_tickets_are_escalated_once_and_lateness_is_recorded(complaint, anonymous_report, clerk):
    later = complaint.sign_due + datetime.timedelta(days=2)
    assert services.escalate_overdue(today=later) == 2
    assert services.escalate_overdue(today=later) == 0
    ticket = reload(complaint)
    assert ticket.state == S.ESCALATED and ticket.signed_on_time is False and "签收" in ticket.escalation_reason
    assert reload(anonymous_report).state == S.ESCALATED
    # The agency may still sign for and answer an escalated ticket; lateness stays recorded.
    walk(ticket, clerk, "replied")
    assert reload(ticket).signed_on_time is False


def test_reply_overdue_escalates_an_in_progress_ticket(complaint, clerk):
    walk(complaint, clerk, "in_progress")
    assert services.escalate_overdue(today=complaint.reply_due) == 0
    assert services.escalate_overdue(today=complaint.reply_due + datetime.timedelta(days=1)) == 1
    ticket = reload(complaint)
    assert ticket.replied_on_time is False and ticket.signed_on_time is True


def test_desk_may_reroute_an_escalated_ticket(complaint, operator, other_agency):
    services.escalate_overdue(today=complaint.sign_due + datetime.timedelta(days=2))
    ticket = services.route(actor=operator, ticket_pk=complaint.pk, agency=other_agency, reason="职责不符")
    assert ticket.state == S.ASSIGNED and ticket.escalated_at is None


def test_reminders_go_once_per_deadline_day(complaint, clerk, mailoutbox, django_capture_on_commit_callbacks):
    clerk.email = "clerk@example.cn"
    clerk.save()
    with django_capture_on_commit_callbacks(execute=True):
        assert services.send_reminders(today=complaint.sign_due) == 1
        assert services.send_reminders(today=complaint.sign_due) == 0
    assert len(mailoutbox) == 1 and complaint.number in mailoutbox[0].subject
    assert AuditEvent.objects.filter(action="complaints.reminded").count() == 1


def test_unrated_replied_ticket_closes_after_the_rating_period(complaint, clerk):
    walk(complaint, clerk, "replied")
    replied = timezone.localdate()
    assert services.close_unrated(today=replied) == 0
    assert services.close_unrated(today=replied + datetime.timedelta(days=30)) == 1
    ticket = reload(complaint)
    assert ticket.state == S.CLOSED and ticket.rating == ""


# --- item 4: referral to verification ----------------------------------------------------------------------
def test_false_commitment_report_is_referred_pending_when_verification_cannot_take_it(anonymous_report, operator,
                                                                                      agency):
    services.route(actor=operator, ticket_pk=anonymous_report.pk, agency=agency)
    ticket = reload(anonymous_report)
    assert ticket.referral == Referral.PENDING
    event = AuditEvent.objects.get(action="complaints.verification_pending")
    assert event.data["pending"] is True
    # Idempotent: a second call changes nothing and records nothing.
    assert services.open_verification_for_report(ticket) == Referral.PENDING
    assert AuditEvent.objects.filter(action="complaints.verification_pending").count() == 1


def test_false_commitment_report_opens_a_verification_task_when_verification_offers_one(anonymous_report,
                                                                                        operator, agency):
    commitment = object()
    opener = mock.Mock(return_value=mock.Mock(pk=42))
    with mock.patch("complaints.services._verification_opener", return_value=opener), \
         mock.patch("complaints.references.commitment_for", return_value=commitment):
        services.route(actor=operator, ticket_pk=anonymous_report.pk, agency=agency)
    ticket = reload(anonymous_report)
    assert ticket.referral == Referral.OPENED and ticket.referral_ref == "42"
    assert opener.call_args.args[0] is commitment
    assert ticket.number in opener.call_args.args[1]


def test_complaints_are_never_referred(complaint):
    assert services.open_verification_for_report(complaint) == ""
    assert reload(complaint).referral == ""


# --- attachments ------------------------------------------------------------------------------------------
def test_attachments_are_sniffed_by_content_and_size_limited(citizen, agency):
    good = SimpleUploadedFile("scan.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
    ticket, _c = services.file_ticket(kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen, title="t",
                                      content="c", about_agency=agency, uploads=[good])
    item = ticket.attachments.get()
    assert item.content_type == "application/pdf" and item.file.name.startswith("private/complaints/")
    fake = SimpleUploadedFile("photo.png", b"MZ\x90\x00 not an image", content_type="image/png")
    with pytest.raises(ComplaintsError) as exc:
        services.file_ticket(kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen, title="t", content="c",
                             uploads=[fake])
    assert exc.value.code == "bad_upload" and "不是 PDF" in exc.value.message
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * (10 * 1024 * 1024), content_type="image/jpeg")
    with pytest.raises(ComplaintsError) as exc:
        services.file_ticket(kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=citizen, title="t", content="c",
                             uploads=[big])
    assert exc.value.code == "bad_upload" and "10 MB" in exc.value.message


def test_topic_other_report_is_not_referred(operator, agency):
    ticket, _c = services.file_ticket(kind=Kind.REPORT, channel=Channel.PORTAL, anonymous=True, title="t",
                                      content="c", topic=Topic.HANDLING, about_agency=agency)
    assert ticket.referral == ""



def test_a_false_commitment_report_opens_a_verification_task_once(db, clerk, citizen, agency, justice_bureau,
                                                                  city_government):
    from commitments.models import Commitment
    from complaints.models import Channel, Kind, Topic
    from tests.verification.factories import accepted_application, publish_catalogue, service_of
    from verification.models import TaskOrigin, VerificationTask

    service = service_of(publish_catalogue(agency, justice_bureau, city_government))
    commitment = Commitment.objects.filter(application=accepted_application(service, clerk, citizen)).first()
    ticket, _code = services.file_ticket(
        kind=Kind.REPORT, channel=Channel.PORTAL, anonymous=True, title="承诺的住所并不存在",
        content="公示的经营场所实为居民住宅。", topic=Topic.FALSE_COMMITMENT, commitment_ref=commitment.letter_number,
    )
    ticket.refresh_from_db()
    task = VerificationTask.objects.get(commitment=commitment, origin=TaskOrigin.REPORT)
    assert ticket.referral == "opened" and ticket.referral_ref == str(task.pk)
    assert services.open_verification_for_report(ticket) == "opened"
    assert VerificationTask.objects.filter(commitment=commitment, origin=TaskOrigin.REPORT).count() == 1


def test_the_reporter_learns_the_verification_outcome_in_general_terms(db, clerk, citizen, verifier, agency,
                                                                        justice_bureau, city_government):
    from commitments.models import Commitment
    from complaints import selectors
    from complaints.models import Channel, Kind, Topic
    from tests.verification.factories import accepted_application, publish_catalogue, service_of
    from verification import services as verification
    from verification.models import TaskOrigin, VerificationTask

    service = service_of(publish_catalogue(agency, justice_bureau, city_government))
    commitment = Commitment.objects.filter(application=accepted_application(service, clerk, citizen)).first()
    ticket, _code = services.file_ticket(
        kind=Kind.REPORT, channel=Channel.PORTAL, anonymous=True, title="承诺不实",
        content="经营场所实为居民住宅。", topic=Topic.FALSE_COMMITMENT, commitment_ref=commitment.letter_number,
    )
    ticket.refresh_from_db()
    assert "正在核查" in selectors.referral_outcome(ticket)
    task = VerificationTask.objects.get(commitment=commitment, origin=TaskOrigin.REPORT)
    verification.claim(user=verifier, task_id=task.pk)
    verification.conclude(user=verifier, task_id=task.pk, result="true", conclusion="经现场核查，住所属实。")
    outcome = selectors.referral_outcome(ticket)
    assert outcome == "经核查，未发现承诺不实的情况。"
    assert citizen.full_name not in outcome and commitment.letter_number not in outcome
