"""督查通报 workflow: draft → approved → published, who may do each step, who sees what."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from portal.models import AuditEvent, SupervisionNotice
from supervision import figures as f
from supervision import services

pytestmark = pytest.mark.django_db

PERIOD = f.Period(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))


def draft(author, **kwargs):
    values = {"title": "关于一季度告知承诺制落实情况的通报", "body": "通报正文", "period": PERIOD}
    values.update(kwargs)
    return services.draft(author=author, **values)


def test_a_supervisor_drafts_a_notice_naming_agencies(supervisor, agency, other_agency):
    notice = draft(supervisor, praised=[agency], criticised=[other_agency])
    assert notice.state == "draft" and notice.issuing_agency == supervisor.agency
    assert {(n.agency, n.verdict) for n in notice.named.all()} == {(agency, "praised"), (other_agency, "criticised")}
    assert AuditEvent.objects.for_object(notice).filter(action="supervision.notice_drafted").exists()


def test_only_supervisors_draft(approver):
    with pytest.raises(services.NoticeError):
        draft(approver)


def test_a_district_supervisor_cannot_name_a_city_department(district_supervisor, agency):
    with pytest.raises(services.NoticeError):
        draft(district_supervisor, criticised=[agency])


def test_an_agency_cannot_be_both_praised_and_criticised(supervisor, agency):
    with pytest.raises(services.NoticeError):
        draft(supervisor, praised=[agency], criticised=[agency])


def test_nobody_approves_their_own_draft(supervisor):
    notice = draft(supervisor)
    with pytest.raises(services.NoticeError):
        services.approve(actor=supervisor, notice=notice)
    notice.refresh_from_db()
    assert notice.state == "draft"


def test_the_database_refuses_author_as_approver(supervisor):
    notice = draft(supervisor)
    with pytest.raises(IntegrityError), transaction.atomic():
        SupervisionNotice.objects.filter(pk=notice.pk).update(approved_by=supervisor)


def test_another_government_supervisor_approves_and_the_author_publishes(supervisor, second_supervisor, agency):
    notice = draft(supervisor, criticised=[agency])
    notice = services.approve(actor=second_supervisor, notice=notice)
    assert (notice.state, notice.approved_by) == ("approved", second_supervisor)
    notice = services.publish(actor=supervisor, notice=notice)
    assert notice.state == "published" and notice.published_at is not None
    actions = set(AuditEvent.objects.for_object(notice).values_list("action", flat=True))
    assert {"supervision.notice_approve", "supervision.notice_publish"} <= actions


def test_a_government_approver_may_approve(supervisor, approver):
    notice = services.approve(actor=approver, notice=draft(supervisor))
    assert notice.state == "approved"


def test_a_department_supervisor_may_not_approve(supervisor, department_supervisor):
    with pytest.raises(services.NoticeError):
        services.approve(actor=department_supervisor, notice=draft(supervisor))


def test_a_district_approver_may_not_approve_a_city_notice(supervisor, district_supervisor):
    with pytest.raises(services.NoticeError):
        services.approve(actor=district_supervisor, notice=draft(supervisor))


def test_a_draft_cannot_be_published_before_approval(supervisor):
    with pytest.raises(services.NoticeError):
        services.publish(actor=supervisor, notice=draft(supervisor))


def test_only_the_author_edits_and_only_drafts(supervisor, second_supervisor):
    notice = draft(supervisor)
    with pytest.raises(services.NoticeError):
        services.edit(actor=second_supervisor, notice=notice, title="改", body="改", period=PERIOD)
    services.edit(actor=supervisor, notice=notice, title="新标题", body="新正文", period=PERIOD)
    notice.refresh_from_db()
    assert notice.title == "新标题"
    services.approve(actor=second_supervisor, notice=notice)
    with pytest.raises(services.NoticeError):
        services.edit(actor=supervisor, notice=notice, title="再改", body="再改", period=PERIOD)


def test_named_agencies_see_published_notices_others_do_not(client, supervisor, second_supervisor, clerk,
                                                             other_agency_clerk, agency):
    notice = draft(supervisor, criticised=[agency])
    client.force_login(clerk)
    assert client.get(reverse("supervision_notice", args=[notice.pk])).status_code == 404  # a draft
    services.publish(actor=supervisor, notice=services.approve(actor=second_supervisor, notice=notice))
    assert client.get(reverse("supervision_notice", args=[notice.pk])).status_code == 200
    assert notice.title in client.get(reverse("supervision_notices")).content.decode()
    client.force_login(other_agency_clerk)
    assert notice.title not in client.get(reverse("supervision_notices")).content.decode()
    assert client.get(reverse("supervision_notice", args=[notice.pk])).status_code == 404


def test_a_district_supervisor_does_not_see_city_drafts(client, supervisor, district_supervisor):
    notice = draft(supervisor)
    client.force_login(district_supervisor)
    assert client.get(reverse("supervision_notice", args=[notice.pk])).status_code == 404


def test_published_notices_are_public_and_drafts_are_not(client, supervisor, second_supervisor):
    notice = draft(supervisor)
    assert client.get(reverse("transparency_notice", args=[notice.pk])).status_code == 404
    services.publish(actor=supervisor, notice=services.approve(actor=second_supervisor, notice=notice))
    assert client.get(reverse("transparency_notice", args=[notice.pk])).status_code == 200
    assert notice.title in client.get(reverse("transparency_notices")).content.decode()
    assert notice.title in client.get(reverse("transparency")).content.decode()


def test_the_draft_form_is_prefilled_from_the_figures(client, supervisor, year_of_activity):
    client.force_login(supervisor)
    response = client.get(reverse("supervision_notice_new"), {"from": "2025-01-01", "to": "2025-12-31"})
    form = response.context["form"]
    assert "按时核查率" in form.initial["body"]
    assert year_of_activity["agency"].pk in form.initial["criticised"]  # verification 33.3% on time
    assert year_of_activity["district_department"].pk in form.initial["praised"]


def test_the_workflow_through_the_pages(client, supervisor, second_supervisor, agency):
    client.force_login(supervisor)
    response = client.post(reverse("supervision_notice_new"), {
        "title": "关于核查超期问题的通报", "period_start": "2025-01-01", "period_end": "2025-06-30",
        "body": "部分单位核查超期。", "criticised": [agency.pk]})
    notice = SupervisionNotice.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("supervision_notice", args=[notice.pk])
    assert client.post(reverse("supervision_notice_approve", args=[notice.pk])).status_code == 403
    client.force_login(second_supervisor)
    page = client.get(reverse("supervision_notice", args=[notice.pk])).content.decode()
    assert "审核通过" in page
    client.post(reverse("supervision_notice_approve", args=[notice.pk]))
    client.post(reverse("supervision_notice_publish", args=[notice.pk]))
    notice.refresh_from_db()
    assert notice.state == "published"


def test_approve_and_publish_accept_only_post(client, supervisor, second_supervisor):
    notice = draft(supervisor)
    client.force_login(second_supervisor)
    assert client.get(reverse("supervision_notice_approve", args=[notice.pk])).status_code == 405
