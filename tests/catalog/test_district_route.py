"""The district route of §二(一): 区司法局审核 → 区政府批准、公布 → 报送市司法局汇总 → 已汇总 or 退回并附意见.

"各区县政府、西咸新区管委会将本级审核批准后的证明事项清单报送市司法局汇总" — services end to end, who may
take each step, and the pages (aggregation list, the district seeing the city's comments), with an
authorisation matrix over anonymous, wrong roles, the city's and the districts' justice bureaus and governments.
"""

import pytest
from django.contrib.messages import get_messages

from catalog import selectors, services
from catalog.models import Catalogue, CatalogueComment, CatalogueError
from portal import audit, roles
from portal.models import Agency
from tests.catalog.conftest import add_matter, state
from tests.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db
S = Catalogue.State
RETURN_COMMENT = "请核对第1项的核查时限后重新报送。"


@pytest.fixture
def changan(city_government):
    """Another district (长安区): its government, justice bureau, reviewer, approver and a department's editor."""
    government = AgencyFactory(
        code="610116",
        name="西安市长安区人民政府",
        kind=Agency.Kind.DISTRICT_GOVERNMENT,
        level=Agency.Level.COUNTY,
        parent=city_government,
    )
    bureau = AgencyFactory(
        code="610116-SFJ",
        name="西安市长安区司法局",
        kind=Agency.Kind.JUSTICE_BUREAU,
        level=Agency.Level.COUNTY,
        parent=government,
    )
    department = AgencyFactory(
        code="610116-MZJ", name="西安市长安区民政局", level=Agency.Level.COUNTY, parent=government
    )
    return {
        "reviewer": StaffFactory(full_name="白雪", agency=bureau, roles=[roles.JUSTICE_REVIEWER]),
        "approver": StaffFactory(full_name="沈刚", agency=government, roles=[roles.GOVERNMENT_APPROVER]),
        "editor": StaffFactory(full_name="蒋涛", agency=department, roles=[roles.CATALOGUE_EDITOR]),
    }


# --- services ------------------------------------------------------------------------------------------


def test_the_city_returns_a_report_with_comments_the_list_stays_in_force_and_the_district_reports_again(
    district_draft, district_walk, district_approver, district_reviewer, reviewer
):
    c = district_walk(district_draft, "reported")
    with pytest.raises(CatalogueError, match="退回意见"):
        services.return_report(actor=reviewer, catalogue=c, comment="  ")
    assert state(c) == S.REPORTED
    c = services.return_report(actor=reviewer, catalogue=c, comment=RETURN_COMMENT)
    assert c.state == S.REPORT_RETURNED and c.is_public
    assert [m.catalogue_id for m in selectors.public_matters()] == [c.pk]  # still the public list
    assert [x.text for x in selectors.city_return_comments(c)] == [RETURN_COMMENT]
    # Reporting again needs the district's reply to the comments.
    with pytest.raises(CatalogueError, match="处理说明"):
        services.report(actor=district_approver, catalogue=c)
    c = services.report(actor=district_reviewer, catalogue=c, comment="已核对，核查时限与设定依据一致。")
    assert c.state == S.REPORTED and c.reported_by == district_reviewer
    c = services.aggregate(actor=reviewer, catalogue=c)
    assert c.state == S.AGGREGATED
    assert [e.action for e in audit.timeline(c)][-4:] == [
        "catalog.report",
        "catalog.return_report",
        "catalog.report",
        "catalog.aggregate",
    ]
    assert list(CatalogueComment.objects.filter(catalogue=c).values_list("action", flat=True)) == [
        "return_report",
        "report",
    ]


def test_after_a_return_a_new_version_goes_through_the_district_route_and_replaces_the_returned_one(
    district_draft, district_walk, district_editor, reviewer
):
    returned = district_walk(district_draft, "report_returned")
    v2 = services.start_version(
        actor=district_editor,
        change_kind=Catalogue.ChangeKind.AMENDED,
        change_reason="按市司法局意见调整核查时限",
    )
    assert v2.route == Catalogue.Route.DISTRICT and v2.matters.count() == 1
    v2 = district_walk(v2, "reported")
    assert state(returned) == S.SUPERSEDED and v2.state == S.REPORTED
    services.aggregate(actor=reviewer, catalogue=v2)
    assert state(v2) == S.AGGREGATED


def test_a_returned_or_aggregated_report_cannot_be_aggregated_or_returned_again(
    district_draft, district_walk, reviewer
):
    c = district_walk(district_draft, "filed")
    for step, kwargs in ((services.aggregate, {}), (services.return_report, {"comment": "x"})):
        with pytest.raises(CatalogueError, match="不能"):
            step(actor=reviewer, catalogue=c, **kwargs)
    assert state(c) == S.AGGREGATED
    assert [e.action for e in audit.timeline(c)].count("catalog.aggregate") == 1


def test_a_district_list_cannot_be_reported_before_publication_or_approved_before_district_review(
    district_draft, district_walk, district_approver
):
    c = district_walk(district_draft, "submitted")
    with pytest.raises(CatalogueError, match="本级司法局审核"):
        services.approve(actor=district_approver, catalogue=c)
    c = district_walk(c, "approved")
    with pytest.raises(CatalogueError, match="不能报送市司法局汇总"):
        services.report(actor=district_approver, catalogue=c)
    assert state(c) == S.APPROVED


@pytest.mark.parametrize(
    "who", ["reviewer", "approver", "changan_reviewer", "changan_approver", "district_editor"]
)
def test_only_the_districts_own_justice_bureau_reviews_its_list(
    district_draft, district_walk, who, request, changan
):
    actors = {"changan_reviewer": changan["reviewer"], "changan_approver": changan["approver"]}
    actor = actors.get(who) or request.getfixturevalue(who)
    c = district_walk(district_draft, "submitted")
    with pytest.raises(CatalogueError):
        services.pass_review(actor=actor, catalogue=c)
    with pytest.raises(CatalogueError):
        services.return_for_changes(actor=actor, catalogue=c, comment="意见")
    assert state(c) == S.SUBMITTED


@pytest.mark.parametrize("who", ["approver", "changan_approver", "district_reviewer"])
def test_only_the_district_government_approves_its_list(district_draft, district_walk, who, request, changan):
    actor = changan["approver"] if who == "changan_approver" else request.getfixturevalue(who)
    c = district_walk(district_draft, "reviewed")
    with pytest.raises(CatalogueError, match="无权"):
        services.approve(actor=actor, catalogue=c)
    assert state(c) == S.REVIEWED


@pytest.mark.parametrize(
    "who", ["reviewer", "approver", "district_editor", "changan_reviewer", "changan_approver"]
)
def test_only_the_district_government_or_its_bureau_reports_the_list(
    district_draft, district_walk, who, request, changan
):
    actors = {"changan_reviewer": changan["reviewer"], "changan_approver": changan["approver"]}
    actor = actors.get(who) or request.getfixturevalue(who)
    c = district_walk(district_draft, "published")
    with pytest.raises(CatalogueError, match="无权"):
        services.report(actor=actor, catalogue=c)
    assert state(c) == S.PUBLISHED


@pytest.mark.parametrize(
    "who", ["district_reviewer", "district_approver", "approver", "changan_reviewer", "district_editor"]
)
def test_only_the_city_justice_bureau_aggregates_or_returns_a_report(
    district_draft, district_walk, who, request, changan
):
    actor = changan["reviewer"] if who == "changan_reviewer" else request.getfixturevalue(who)
    c = district_walk(district_draft, "reported")
    with pytest.raises(CatalogueError, match="无权"):
        services.aggregate(actor=actor, catalogue=c)
    with pytest.raises(CatalogueError, match="无权"):
        services.return_report(actor=actor, catalogue=c, comment="意见")
    assert state(c) == S.REPORTED


def test_the_district_bureau_not_the_city_records_a_low_basis_reason_for_a_district_list(
    district_draft, district_walk, district_reviewer, reviewer
):
    matter = add_matter(
        district_draft, name="住所证明", service_name="个体工商户登记", legal_basis_level="normative_document"
    )
    district_walk(district_draft, "submitted")
    with pytest.raises(CatalogueError, match="司法局审核人员"):
        services.record_basis_reason(
            actor=reviewer, matter=matter, reason="依据市政府规范性文件，暂予保留至上位法明确"
        )
    services.record_basis_reason(
        actor=district_reviewer, matter=matter, reason="依据市政府规范性文件，暂予保留至上位法明确"
    )
    matter.refresh_from_db()
    assert matter.basis_exception_reason.startswith("依据市政府")


def test_a_city_department_list_keeps_the_city_route(draft, walk, reviewer, approver):
    c = walk(draft, "published")
    assert c.route == Catalogue.Route.CITY and c.reviewed_by == reviewer and c.approved_by == approver
    assert not selectors.aggregation_list(reviewer)


# --- who sees what -------------------------------------------------------------------------------------


def test_the_city_sees_a_district_list_only_once_it_is_published_and_the_district_sees_only_its_own(
    district_draft, district_walk, reviewer, approver, district_reviewer, district_approver, changan
):
    c = district_walk(district_draft, "approved")
    for user in (reviewer, approver, changan["reviewer"], changan["approver"]):
        assert not selectors.staff_catalogues(user).filter(pk=c.pk).exists()
    for user in (district_reviewer, district_approver):
        assert selectors.staff_catalogues(user).filter(pk=c.pk).exists()
    c = district_walk(c, "published")
    assert selectors.staff_catalogues(reviewer).filter(pk=c.pk).exists()
    assert not selectors.staff_catalogues(changan["reviewer"]).filter(pk=c.pk).exists()


def test_the_queues_show_the_right_lists_to_the_right_people(
    draft,
    district_draft,
    district_walk,
    editor,
    reviewer,
    approver,
    district_reviewer,
    district_approver,
    changan,
):
    services.submit(actor=editor, catalogue=draft)
    c = district_walk(district_draft, "submitted")
    assert list(selectors.review_queue(reviewer)) == [draft]
    assert list(selectors.review_queue(district_reviewer)) == [c]
    assert not selectors.review_queue(changan["reviewer"]).exists()
    c = district_walk(c, "reviewed")
    assert list(selectors.approval_queue(district_approver)) == [c]
    assert (
        not selectors.approval_queue(approver).exists()
        and not selectors.approval_queue(changan["approver"]).exists()
    )
    c = services.approve(actor=district_approver, catalogue=c, publish_now=True)
    # Published: waiting to be reported, with the district government and its bureau.
    assert list(selectors.approval_queue(district_approver)) == [c]
    assert list(selectors.review_queue(district_reviewer)) == [c]
    assert [r.pk for r in selectors.aggregation_list(reviewer, "not_reported")] == [c.pk]
    c = services.report(actor=district_approver, catalogue=c)
    assert not selectors.approval_queue(district_approver).exists()
    assert [r.pk for r in selectors.aggregation_list(reviewer, "reported")] == [c.pk]
    assert selectors.aggregation_counts(reviewer) == {
        "reported": 1,
        "returned": 0,
        "aggregated": 0,
        "not_reported": 0,
    }
    assert selectors.aggregation_list(district_reviewer) == []
    c = services.return_report(actor=reviewer, catalogue=c, comment=RETURN_COMMENT)
    assert list(selectors.approval_queue(district_approver)) == [c]
    assert [r.comment_list[0].text for r in selectors.aggregation_list(reviewer, "returned")] == [
        RETURN_COMMENT
    ]


# --- pages ---------------------------------------------------------------------------------------------


def _messages(response) -> str:
    return " ".join(str(m) for m in get_messages(response.wsgi_request))


def test_a_returned_list_shows_the_citys_comments_to_the_district(
    client, district_draft, district_walk, district_editor, district_approver, district_reviewer
):
    c = district_walk(district_draft, "report_returned")
    client.force_login(district_editor)
    manage = client.get("/catalog/manage/").content.decode()
    assert "市司法局退回了第1版清单的报送汇总" in manage and RETURN_COMMENT in manage
    detail = client.get(f"/catalog/manage/{c.pk}/").content.decode()
    assert "市司法局退回意见" in detail and RETURN_COMMENT in detail and "本版清单仍然有效" in detail
    client.force_login(district_approver)
    queue = client.get("/catalog/approve/").content.decode()
    assert "市司法局已退回报送" in queue and "查看退回意见" in queue
    detail = client.get(f"/catalog/manage/{c.pk}/").content.decode()
    assert "处理说明（重新报送时必填）" in detail and "报送市司法局汇总" in detail
    response = client.post(f"/catalog/manage/{c.pk}/report/", {"comment": ""})
    assert "处理说明" in _messages(response) and state(c) == S.REPORT_RETURNED
    client.post(f"/catalog/manage/{c.pk}/report/", {"comment": "已核对，时限无误。"})
    assert state(c) == S.REPORTED


def test_the_city_aggregates_and_returns_from_its_aggregation_page(
    client, district_draft, district_walk, reviewer, django_assert_max_num_queries
):
    c = district_walk(district_draft, "reported")
    client.force_login(reviewer)
    with django_assert_max_num_queries(15):
        page = client.get("/catalog/aggregation/").content.decode()
    assert "西安市雁塔区市场监督管理局" in page and "待汇总（1）" in page and "登记已汇总" in page
    response = client.post(f"/catalog/manage/{c.pk}/return_report/", {"comment": "", "from": "aggregation"})
    assert response["Location"] == "/catalog/aggregation/"
    assert "退回意见" in _messages(response) and state(c) == S.REPORTED
    response = client.post(
        f"/catalog/manage/{c.pk}/return_report/", {"comment": RETURN_COMMENT, "from": "aggregation"}
    )
    assert response["Location"] == "/catalog/aggregation/" and state(c) == S.REPORT_RETURNED
    page = client.get("/catalog/aggregation/?status=returned").content.decode()
    assert RETURN_COMMENT in page and "登记已汇总" not in page
    assert (
        "西安市雁塔区市场监督管理局"
        not in client.get("/catalog/aggregation/?status=aggregated").content.decode()
    )


def test_the_aggregation_page_in_english(client, district_draft, district_walk, reviewer):
    district_walk(district_draft, "reported")
    client.force_login(reviewer)
    page = client.get("/catalog/aggregation/", headers={"accept-language": "en"}).content.decode()
    assert "District lists for aggregation" in page and "Mark as aggregated" in page


# Authorisation matrix for the new page and steps: who gets what.
AGGREGATION_PAGE = {
    "anonymous": "login",
    "citizen": 403,
    "clerk": 403,
    "editor": 403,
    "approver": 403,
    "district_editor": 403,
    "district_approver": 403,
    "district_reviewer": 403,
    "changan_reviewer": 403,
    "reviewer": 200,
}


@pytest.mark.parametrize("who,expected", AGGREGATION_PAGE.items())
def test_only_the_city_justice_bureau_opens_the_aggregation_page(
    client, who, expected, request, changan, district_reviewer
):
    if who != "anonymous":
        user = changan["reviewer"] if who == "changan_reviewer" else request.getfixturevalue(who)
        client.force_login(user)
    response = client.get("/catalog/aggregation/")
    if expected == "login":
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    else:
        assert response.status_code == expected


# (state the list is in, actor) → status of the list's page; 404 = not in the actor's scope.
DETAIL_MATRIX = [
    ("submitted", "district_reviewer", 200),
    ("submitted", "district_approver", 200),
    ("submitted", "district_editor", 200),
    ("submitted", "reviewer", 404),
    ("submitted", "approver", 404),
    ("submitted", "changan_reviewer", 404),
    ("submitted", "changan_approver", 404),
    ("submitted", "changan_editor", 404),
    ("submitted", "editor", 404),
    ("submitted", "clerk", 403),
    ("reported", "reviewer", 200),
    ("reported", "approver", 200),
    ("reported", "changan_reviewer", 404),
    ("reported", "changan_approver", 404),
    ("reported", "editor", 404),
    ("reported", "citizen", 403),
]


@pytest.mark.parametrize("at,who,expected", DETAIL_MATRIX)
def test_the_district_lists_page_is_open_to_its_district_and_to_the_city_only_once_published(
    client, district_draft, district_walk, at, who, expected, request, changan
):
    c = district_walk(district_draft, at)
    user = (
        changan[who.removeprefix("changan_")] if who.startswith("changan_") else request.getfixturevalue(who)
    )
    client.force_login(user)
    assert client.get(f"/catalog/manage/{c.pk}/").status_code == expected


@pytest.mark.parametrize(
    "who",
    [
        "district_reviewer",
        "district_approver",
        "district_editor",
        "changan_reviewer",
        "changan_approver",
        "editor",
        "approver",
    ],
)
def test_nobody_but_the_city_justice_bureau_aggregates_or_returns_through_the_page(
    client, district_draft, district_walk, who, request, changan
):
    c = district_walk(district_draft, "reported")
    user = (
        changan[who.removeprefix("changan_")] if who.startswith("changan_") else request.getfixturevalue(who)
    )
    client.force_login(user)
    for action in ("aggregate", "return_report"):
        response = client.post(f"/catalog/manage/{c.pk}/{action}/", {"comment": "意见"})
        assert response.status_code in (302, 403, 404)
        assert state(c) == S.REPORTED
    assert not CatalogueComment.objects.filter(
        catalogue=c, action__in=["aggregate", "return_report"]
    ).exists()


def test_the_action_buttons_on_a_district_list_follow_the_step_and_the_person(
    client, district_draft, district_walk, reviewer, district_reviewer, district_approver
):
    c = district_walk(district_draft, "submitted")
    client.force_login(district_reviewer)
    assert "审核通过" in client.get(f"/catalog/manage/{c.pk}/").content.decode()
    c = district_walk(c, "reported")
    client.force_login(reviewer)
    body = client.get(f"/catalog/manage/{c.pk}/").content.decode()
    assert "登记已汇总" in body and "退回并附意见" in body
    client.force_login(district_reviewer)
    body = client.get(f"/catalog/manage/{c.pk}/").content.decode()
    assert "登记已汇总" not in body and "退回并附意见" not in body


def test_the_workspace_links_the_aggregation_page_for_the_city_justice_bureau_only(
    client, reviewer, district_reviewer
):
    client.force_login(reviewer)
    assert "/catalog/aggregation/" in client.get("/workspace/").content.decode()
    client.force_login(district_reviewer)
    body = client.get("/workspace/").content.decode()
    assert "/catalog/review/" in body and "/catalog/aggregation/" not in body


def test_the_public_sees_a_returned_district_list_as_published_and_in_force(
    client, district_draft, district_walk
):
    c = district_walk(district_draft, "report_returned")
    body = client.get(f"/catalog/agencies/{c.agency_id}/versions/").content.decode()
    assert "已公布" in body and "退回" not in body and "汇总" not in body
    assert "企业登记住所场地证明" in client.get("/catalog/").content.decode()
