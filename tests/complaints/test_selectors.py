import datetime

import pytest
from django.utils import timezone

from complaints import selectors, services
from complaints.models import Channel, Kind, Ticket
from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def _ticket(kind, agency, requester, **fields):
    ticket, _code = services.file_ticket(kind=kind, channel=Channel.PORTAL, requester=requester, title="t",
                                         content="c", about_agency=agency)
    if fields:
        Ticket.objects.filter(pk=ticket.pk).update(**fields)
    return ticket


# --- scoping ------------------------------------------------------------------------------------------
def test_inbox_holds_only_the_agency_tickets_most_urgent_first(clerk, citizen, agency, other_agency, complaint,
                                                             other_complaint):
    late = _ticket(Kind.COMPLAINT, agency, citizen, sign_due=datetime.date(2030, 1, 1),
                   reply_due=datetime.date(2030, 1, 9))
    early = _ticket(Kind.CONSULTATION, agency, citizen, sign_due=datetime.date(2020, 1, 1),
                    reply_due=datetime.date(2020, 1, 3))
    numbers = [t.number for t in selectors.inbox(clerk)]
    assert other_complaint.number not in numbers
    assert numbers[0] == early.number and numbers[-1] == late.number and complaint.number in numbers


def test_a_government_supervisor_sees_its_departments_but_a_department_only_itself(
    supervisor, clerk, complaint, other_complaint
):
    assert set(selectors.ticket_figures(supervisor)["totals"].values()) != {0}
    assert {t.number for t in Ticket.objects.filter(selectors._scope_filter(supervisor))} == {
        complaint.number, other_complaint.number}
    assert {t.number for t in Ticket.objects.filter(selectors._scope_filter(clerk))} == {complaint.number}


def test_staff_ticket_is_hidden_from_other_agencies_but_open_to_the_desk(complaint, clerk, other_agency_clerk,
                                                                       other_operator, supervisor):
    from django.http import Http404

    assert selectors.staff_ticket(clerk, complaint.number) == complaint
    assert selectors.staff_ticket(other_operator, complaint.number) == complaint  # the 12345 desk is city-wide
    assert selectors.staff_ticket(supervisor, complaint.number) == complaint
    with pytest.raises(Http404):
        selectors.staff_ticket(other_agency_clerk, complaint.number)


def test_district_supervisor_does_not_see_city_department_tickets(complaint, district_government):
    from portal import roles

    district_supervisor = StaffFactory(agency=district_government, roles=[roles.SUPERVISOR])
    assert not selectors.can_view_as_staff(district_supervisor, complaint)


def test_contact_details_only_for_requester_handling_agency_and_desk(complaint, citizen, other_citizen, clerk,
                                                                     other_agency_clerk, operator, supervisor):
    visible = {u.full_name: selectors.contact_visible(u, complaint)
               for u in (citizen, other_citizen, clerk, other_agency_clerk, operator, supervisor)}
    assert visible == {"张伟": True, "李娜": False, "王敏": True, "冯磊": False, "吴芳": True, "郑华": False}


def test_tracked_ticket_needs_both_number_and_code(anonymous_report, complaint):
    assert selectors.tracked_ticket(anonymous_report.number, anonymous_report.code) == anonymous_report
    assert selectors.tracked_ticket(complaint.number, anonymous_report.code) is None
    assert selectors.tracked_ticket("JB000", anonymous_report.code) is None


# --- FAQ ---------------------------------------------------------------------------------------------------
def test_faq_lists_only_published_consultations_and_finds_them_by_words(citizen, agency, clerk):
    shown, _c = services.file_ticket(kind=Kind.CONSULTATION, channel=Channel.PORTAL, requester=citizen,
                                     title="无犯罪记录证明能否承诺", content="我叫张伟", about_agency=agency,
                                     publish_consent=True)
    hidden, _c = services.file_ticket(kind=Kind.CONSULTATION, channel=Channel.PORTAL, requester=citizen,
                                      title="未同意公开", content="内容", about_agency=agency)
    for t in (shown, hidden):
        services.sign_for(actor=clerk, ticket_pk=t.pk)
        services.reply(actor=clerk, ticket_pk=t.pk, text="可以签署告知承诺书。", publish=True,
                       faq_question="律师执业核准时无犯罪记录证明能否承诺？")
    assert [t.number for t in selectors.faq()] == [shown.number]
    assert [t.number for t in selectors.faq("律师 承诺")] == [shown.number]
    assert list(selectors.faq("社保")) == []
    assert "张伟" not in selectors.faq().get().faq_question


# --- figures on hand-built data ---------------------------------------------------------------------------
def test_figures_per_agency_and_kind_have_the_known_answers(supervisor, citizen, agency, other_agency):
    now = timezone.now()
    # agency, complaints: 4 tickets. Sign-for: 3 decided, 2 on time. Reply: 2 decided, 1 on time.
    # Rated: 2, satisfied 1. One escalated.
    _ticket(Kind.COMPLAINT, agency, citizen, signed_on_time=True, replied_on_time=True, rating="satisfied",
            rated_at=now)
    _ticket(Kind.COMPLAINT, agency, citizen, signed_on_time=True, replied_on_time=False, rating="not_satisfied",
            rated_at=now)
    _ticket(Kind.COMPLAINT, agency, citizen, signed_on_time=False, escalated_at=now)
    _ticket(Kind.COMPLAINT, agency, citizen)
    # agency, consultations: 1 ticket, everything on time and satisfied.
    _ticket(Kind.CONSULTATION, agency, citizen, signed_on_time=True, replied_on_time=True, rating="satisfied",
            rated_at=now)
    # other agency, complaint: nothing decided yet.
    _ticket(Kind.COMPLAINT, other_agency, citizen)

    result = selectors.ticket_figures(supervisor)
    rows = {(r["agency__name"], r["kind"]): r for r in result["rows"]}
    c = rows[(agency.name, "complaint")]
    assert (c["total"], c["sign_rate"], c["reply_rate"], c["satisfaction"], c["escalated"]) == (4, 66.7, 50.0, 50.0, 1)
    q = rows[(agency.name, "consultation")]
    assert (q["total"], q["sign_rate"], q["reply_rate"], q["satisfaction"]) == (1, 100.0, 100.0, 100.0)
    o = rows[(other_agency.name, "complaint")]
    assert (o["total"], o["sign_rate"], o["reply_rate"], o["satisfaction"]) == (1, None, None, None)
    t = result["totals"]
    assert (t["total"], t["sign_rate"], t["reply_rate"], t["satisfaction"]) == (6, 75.0, 66.7, 66.7)


def test_figures_filter_by_filing_date_and_scope(supervisor, clerk, citizen, agency, other_agency):
    old = _ticket(Kind.COMPLAINT, agency, citizen)
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=400))
    _ticket(Kind.COMPLAINT, agency, citizen)
    _ticket(Kind.COMPLAINT, other_agency, citizen)
    since = timezone.localdate() - datetime.timedelta(days=30)
    assert selectors.ticket_figures(supervisor, start=since)["totals"]["total"] == 2
    assert selectors.ticket_figures(supervisor)["totals"]["total"] == 3
    assert selectors.ticket_figures(clerk)["totals"]["total"] == 2  # a department sees itself only


def test_escalated_list_for_a_city_supervisor_includes_unrouted_tickets(supervisor, anonymous_report,
                                                                       district_government):
    from portal import roles

    services.escalate_overdue(today=anonymous_report.sign_due + datetime.timedelta(days=1))
    assert [t.number for t in selectors.escalated(supervisor)] == [anonymous_report.number]
    district_supervisor = StaffFactory(agency=district_government, roles=[roles.SUPERVISOR])
    assert list(selectors.escalated(district_supervisor)) == []
