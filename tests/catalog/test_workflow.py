"""Every catalogue transition, allowed and refused, on both approval routes."""

import pytest
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction

from catalog import services
from catalog.models import Catalogue, CatalogueComment, CatalogueError, CertificationMatter
from portal import audit, roles
from portal.models import Agency
from tests.catalog.conftest import add_matter, state
from tests.factories import AgencyFactory, StaffFactory
from tests.refusals import refused

pytestmark = pytest.mark.django_db
S = Catalogue.State


def test_a_city_department_catalogue_goes_through_justice_review_then_city_approval(draft, editor, reviewer, approver):
    assert draft.route == Catalogue.Route.CITY
    assert draft.approving_agency.code == "610100"
    c = services.submit(actor=editor, catalogue=draft)
    assert c.state == S.SUBMITTED and c.submitted_by == editor and c.submitted_at
    c = services.pass_review(actor=reviewer, catalogue=c, comment="依据准确")
    assert c.state == S.REVIEWED and c.reviewed_by == reviewer
    c = services.approve(actor=approver, catalogue=c)
    assert c.state == S.APPROVED and c.approved_by == approver
    c = services.publish(actor=approver, catalogue=c)
    assert c.state == S.PUBLISHED and c.published_at
    actions = [e.action for e in audit.timeline(c)]
    assert actions == ["catalog.version_started", "catalog.submit", "catalog.pass_review", "catalog.approve",
                       "catalog.publish"]


def test_a_district_catalogue_is_reviewed_by_the_district_bureau_approved_by_the_district_and_reported_to_the_city(
    district_draft, district_editor, district_reviewer, district_approver, reviewer
):
    assert district_draft.route == Catalogue.Route.DISTRICT
    assert district_draft.approving_agency.code == "610113"
    assert district_draft.oversight_government.code == "610100"
    c = services.submit(actor=district_editor, catalogue=district_draft)
    c = services.pass_review(actor=district_reviewer, catalogue=c, comment="依据、告知内容齐全")
    assert c.state == S.REVIEWED and c.reviewed_by == district_reviewer
    c = services.approve(actor=district_approver, catalogue=c, publish_now=True)
    assert c.state == S.PUBLISHED and c.is_public
    c = services.report(actor=district_approver, catalogue=c)
    assert c.state == S.REPORTED and c.reported_by == district_approver and c.reported_at and c.is_public
    c = services.aggregate(actor=reviewer, catalogue=c, comment="已汇总")
    assert c.state == S.AGGREGATED and c.filed_by == reviewer and c.filed_at and c.is_public
    actions = [e.action for e in audit.timeline(c)]
    assert actions == ["catalog.version_started", "catalog.submit", "catalog.pass_review", "catalog.approve",
                       "catalog.publish", "catalog.report", "catalog.aggregate"]


def test_the_reviewer_returns_with_a_comment_and_the_editor_fixes_and_resubmits(draft, editor, reviewer):
    c = services.submit(actor=editor, catalogue=draft)
    with refused("comment_required", CatalogueError):
        services.return_for_changes(actor=reviewer, catalogue=c, comment="  ")
    assert state(c) == S.SUBMITTED
    c = services.return_for_changes(actor=reviewer, catalogue=c, comment="第1项设定依据缺少条款")
    assert c.state == S.RETURNED
    assert CatalogueComment.objects.get(catalogue=c).text == "第1项设定依据缺少条款"
    c = services.reopen(actor=editor, catalogue=c)
    assert c.state == S.DRAFT and c.is_editable
    c = services.submit(actor=editor, catalogue=c)
    assert c.state == S.SUBMITTED


def test_the_city_approver_may_also_return_a_reviewed_catalogue(draft, walk, approver):
    c = services.return_for_changes(actor=approver, catalogue=walk(draft, "reviewed"), comment="请补充公示期限")
    assert c.state == S.RETURNED


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r != roles.CATALOGUE_EDITOR])
def test_only_the_agencys_editor_may_submit(draft, user_for_role, role):
    with pytest.raises(CatalogueError):
        services.submit(actor=user_for_role[role], catalogue=draft)
    assert state(draft) == S.DRAFT


def test_an_editor_of_another_agency_may_not_submit_or_edit(draft, other_editor):
    with pytest.raises(CatalogueError):
        services.submit(actor=other_editor, catalogue=draft)
    with pytest.raises(CatalogueError):
        add = CertificationMatter(name="x")
        services.save_matter(actor=other_editor, catalogue=draft, matter=add)
    assert state(draft) == S.DRAFT


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r != roles.JUSTICE_REVIEWER])
def test_only_the_justice_reviewer_may_pass_review(draft, walk, user_for_role, role):
    c = walk(draft, "submitted")
    with pytest.raises(CatalogueError):
        services.pass_review(actor=user_for_role[role], catalogue=c)
    assert state(c) == S.SUBMITTED


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r != roles.GOVERNMENT_APPROVER])
def test_only_the_government_approver_may_approve(draft, walk, user_for_role, role):
    c = walk(draft, "reviewed")
    with pytest.raises(CatalogueError):
        services.approve(actor=user_for_role[role], catalogue=c)
    assert state(c) == S.REVIEWED


def test_a_district_justice_bureau_may_not_review_a_city_catalogue(draft, walk, district_government):
    bureau = AgencyFactory(code="610113-SFJ", kind=Agency.Kind.JUSTICE_BUREAU, parent=district_government)
    district_reviewer = StaffFactory(agency=bureau, roles=[roles.JUSTICE_REVIEWER])
    c = walk(draft, "submitted")
    with refused("forbidden", CatalogueError):
        services.pass_review(actor=district_reviewer, catalogue=c)
    assert state(c) == S.SUBMITTED


def test_a_city_catalogue_cannot_skip_justice_review(draft, walk, approver):
    c = walk(draft, "submitted")
    with refused("review_first", CatalogueError):
        services.approve(actor=approver, catalogue=c)
    assert state(c) == S.SUBMITTED


def test_a_district_catalogue_is_not_reviewed_by_the_city_and_a_city_catalogue_is_never_reported(
    district_draft, district_editor, district_approver, reviewer, approver, published
):
    c = services.submit(actor=district_editor, catalogue=district_draft)
    with pytest.raises(CatalogueError, match="无权"):
        services.pass_review(actor=reviewer, catalogue=c)
    with refused("review_first", CatalogueError):
        services.approve(actor=district_approver, catalogue=c)
    with refused("not_district_route", CatalogueError):
        services.report(actor=approver, catalogue=published)
    with refused("wrong_state", CatalogueError):  # a city list is never reported, so never 汇总
        services.aggregate(actor=reviewer, catalogue=published)
    assert state(c) == S.SUBMITTED and state(published) == S.PUBLISHED


def test_a_draft_cannot_be_published_or_approved_directly(draft, approver):
    for step in (services.publish, services.approve):
        with refused("wrong_state", CatalogueError):
            step(actor=approver, catalogue=draft)
    assert state(draft) == S.DRAFT


def test_nobody_reviews_or_approves_their_own_submission(agency, justice_bureau, city_government):
    person = StaffFactory(agency=agency, roles=[roles.CATALOGUE_EDITOR])
    c = services.start_version(actor=person)
    add_matter(c)
    c = services.submit(actor=person, catalogue=c)
    # The same person later moves to the justice bureau, then to the city government.
    person.agency = justice_bureau
    person.groups.add(Group.objects.get(name=roles.JUSTICE_REVIEWER))
    person._role_names = None
    with refused("own_submission", CatalogueError):
        services.pass_review(actor=person, catalogue=c)
    assert state(c) == S.SUBMITTED
    c = services.pass_review(actor=StaffFactory(agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER]), catalogue=c)
    person.agency = city_government
    person.groups.add(Group.objects.get(name=roles.GOVERNMENT_APPROVER))
    person._role_names = None
    with refused("own_submission", CatalogueError):
        services.approve(actor=person, catalogue=c)
    assert state(c) == S.REVIEWED


def test_the_database_refuses_an_approver_who_is_the_submitter(published):
    with pytest.raises(IntegrityError), transaction.atomic():
        Catalogue.objects.filter(pk=published.pk).update(approved_by=published.submitted_by)


def test_an_empty_or_incomplete_catalogue_cannot_be_submitted(editor):
    c = services.start_version(actor=editor)
    with refused("no_matters", CatalogueError):
        services.submit(actor=editor, catalogue=c)
    add_matter(c, proof_content="", verification_methods=[])
    with refused("incomplete_notice", CatalogueError, match="证明内容.*核查方式"):
        services.submit(actor=editor, catalogue=c)
    assert state(c) == S.DRAFT


def test_a_submitted_or_published_catalogue_cannot_be_edited(draft, walk, editor):
    matter = draft.matters.get()
    c = walk(draft, "published")
    matter.name = "改过的名称"
    with refused("not_editable", CatalogueError):
        services.save_matter(actor=editor, catalogue=c, matter=matter)
    with pytest.raises(CatalogueError):
        services.delete_matter(actor=editor, matter=matter)
    assert CertificationMatter.objects.get(pk=matter.pk).name == "无犯罪记录证明"


def test_the_state_field_cannot_be_set_directly(draft):
    with pytest.raises(AttributeError):
        draft.state = S.PUBLISHED


def test_a_new_version_needs_a_change_kind_and_reason_and_copies_the_matters(published, editor):
    with refused("change_kind_required", CatalogueError):
        services.start_version(actor=editor)
    with refused("change_reason_required", CatalogueError):
        services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED)
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="律师法修正",
                                law_reference="《中华人民共和国律师法》（2017年修正）")
    assert v2.version == 2 and v2.previous == published
    old, new = published.matters.get(), v2.matters.get()
    assert (new.key, new.name) == (old.key, old.name) and new.pk != old.pk
    with refused("open_version_exists", CatalogueError):
        services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="再来一版")


def test_publishing_a_new_version_supersedes_the_old_which_stays_readable(published, editor, walk):
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.ENACTED, change_reason="新增事项")
    add_matter(v2, name="经济困难证明", service_name="申请法律援助", field="legal_service")
    v2 = walk(v2, "published")
    old = Catalogue.objects.get(pk=published.pk)
    assert old.state == S.SUPERSEDED and old.superseded_at
    assert v2.state == S.PUBLISHED
    assert [e.action for e in audit.timeline(old)][-1] == "catalog.supersede"


def test_two_public_versions_of_one_agency_are_refused_by_the_database(published, editor):
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Catalogue.objects.filter(pk=v2.pk).update(state=S.PUBLISHED, published_at=published.published_at,
                                                  submitted_at=published.submitted_at,
                                                  submitted_by=published.submitted_by,
                                                  approved_at=published.approved_at, approved_by=published.approved_by)


def test_an_excluded_matter_needs_a_category_and_a_reason_in_the_database(draft):
    with pytest.raises(IntegrityError), transaction.atomic():
        add_matter(draft, name="烟花爆竹经营许可证明", commitment_allowed=False, exclusion_category="",
                   exclusion_reason="")
    add_matter(draft, name="安全生产条件证明", commitment_allowed=False, exclusion_category="public_safety",
               exclusion_reason="安全生产条件不能以承诺代替")


def test_concurrent_transitions_fail_cleanly(draft, editor):
    from django_fsm import ConcurrentTransition

    stale = Catalogue.objects.get(pk=draft.pk)
    services.submit(actor=editor, catalogue=draft)
    stale.submit(by=editor)
    with pytest.raises(ConcurrentTransition), transaction.atomic():
        stale.save()
    assert state(draft) == S.SUBMITTED
