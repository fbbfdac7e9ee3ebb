"""§三 two lead agencies: the 市行政审批服务局's own role, pages and scope."""

import pytest
from django.urls import reverse

from complaints import services
from complaints.models import Channel, Kind, ServiceStandard, Topic
from portal import roles
from portal.models import AuditEvent

pytestmark = pytest.mark.django_db


def _complaint(requester, about, topic=Topic.PROOF_DEMAND, title="窗口仍要求提供证明"):
    ticket, _code = services.file_ticket(
        kind=Kind.COMPLAINT, channel=Channel.PORTAL, requester=requester, title=title,
        content="已签署告知承诺书，窗口仍要求我提供无犯罪记录证明。", topic=topic, about_agency=about,
        contact_name="张伟", contact_phone="13700000001")
    return ticket


def test_the_bureau_publishes_a_window_standard_and_windows_rules_are_listed(client, standards_officer):
    client.force_login(standards_officer)
    response = client.post(reverse("complaints:standards"), {
        "kind": "one_time_notice", "title": "律师执业核准一次性告知", "body": "需提交：申请书、身份证。其余证明可告知承诺。"})
    assert response.status_code == 302
    page = client.get(reverse("complaints:standards")).content.decode()
    assert "一次性告知模板 · 律师执业核准一次性告知" in page
    standard = ServiceStandard.objects.get()
    assert standard.agency == standards_officer.agency
    assert AuditEvent.objects.filter(action="complaints.standard_published").exists()


def test_a_duplicate_title_is_refused_beside_the_field(client, standards_officer):
    services.publish_standard(actor=standards_officer, kind="window_standard", title="首问负责", body="内容")
    client.force_login(standards_officer)
    response = client.post(reverse("complaints:standards"), {"kind": "window_standard", "title": "首问负责",
                                                              "body": "再来一次"})
    assert response.status_code == 200
    assert "本机关已有同名的窗口服务标准。" in response.content.decode()
    assert ServiceStandard.objects.count() == 1


def test_an_empty_form_names_each_missing_field(client, standards_officer):
    client.force_login(standards_officer)
    page = client.post(reverse("complaints:standards"), {}).content.decode()
    assert "请选择类别。" in page and "请填写标题。" in page and "请填写内容。" in page


def test_retiring_a_standard_hides_it_and_twice_is_refused(client, standards_officer):
    standard = services.publish_standard(actor=standards_officer, kind="window_standard", title="首问负责", body="内容")
    client.force_login(standards_officer)
    client.post(reverse("complaints:standard_retire", args=[standard.pk]))
    assert "首问负责" not in client.get(reverse("complaints:standards")).content.decode()
    response = client.post(reverse("complaints:standard_retire", args=[standard.pk]), follow=True)
    assert "该标准不存在或已停用。" in response.content.decode()


def test_follow_up_lists_open_proof_demand_complaints_across_the_city_only(
        client, standards_officer, citizen, agency, district_department):
    _complaint(citizen, agency, title="市人社局窗口索要证明")
    _complaint(citizen, agency, topic=Topic.OTHER, title="其他问题")
    client.force_login(standards_officer)
    page = client.get(reverse("complaints:standards")).content.decode()
    assert "市人社局窗口索要证明" in page and "其他问题" not in page


def test_district_tickets_stay_out_of_the_city_bureau_list_when_routed_elsewhere(standards_officer, citizen,
                                                                                   district_department):
    from complaints import selectors

    _complaint(citizen, district_department, title="雁塔区窗口索要证明")
    # the district is inside the city government's tree: the city bureau follows it up too
    assert [t.title for t in selectors.window_follow_up(standards_officer)] == ["雁塔区窗口索要证明"]


@pytest.mark.parametrize("role", [r for r in roles.ROLES if r != roles.SERVICE_STANDARDS_OFFICER])
def test_other_roles_get_403_on_the_bureau_page(client, user_for_role, role):
    client.force_login(user_for_role[role])
    assert client.get(reverse("complaints:standards")).status_code == 403


def test_the_workspace_links_the_bureau_page(client, standards_officer):
    client.force_login(standards_officer)
    assert reverse("complaints:standards") in client.get(reverse("workspace")).content.decode()
