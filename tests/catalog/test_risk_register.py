"""§二(七) risk register: each agency lists the risk points of its commitment matters and the control for each."""

import pytest
from django.urls import reverse

from catalog import services
from catalog.models import CatalogueError, RiskPoint
from portal.models import AuditEvent
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def _add(client, catalogue, matter, description="申请人隐瞒刑事处罚记录", control="与公安数据共享核查，每季度抽查"):
    return client.post(reverse("catalog:risk_add", args=[catalogue.pk]),
                       {"matter": matter.pk, "description": description, "control": control}, follow=True)


def test_editor_lists_a_risk_point_with_its_control_and_the_reviewer_sees_it(client, editor, reviewer, draft, walk):
    matter = draft.matters.get()
    client.force_login(editor)
    page = _add(client, draft, matter).content.decode()
    assert "已登记风险点。" in page and "与公安数据共享核查，每季度抽查" in page
    assert AuditEvent.objects.filter(action="catalog.risk_point_added").exists()
    submitted = walk(draft, "submitted")
    client.force_login(reviewer)
    review = client.get(reverse("catalog:catalogue", args=[submitted.pk])).content.decode()
    assert "风险点和防控措施" in review and "申请人隐瞒刑事处罚记录" in review


def test_a_risk_without_control_is_marked_on_the_review_page(client, editor, draft):
    client.force_login(editor)
    page = _add(client, draft, draft.matters.get(), control="").content.decode()
    assert "无防控措施" in page


def test_missing_risk_text_is_refused_with_its_message(client, editor, draft):
    client.force_login(editor)
    page = _add(client, draft, draft.matters.get(), description=" ").content.decode()
    assert "请填写风险点。" in page and not RiskPoint.objects.exists()


def test_the_same_risk_twice_is_refused(editor, draft):
    matter = draft.matters.get()
    services.add_risk_point(actor=editor, catalogue=draft, matter_pk=matter.pk, description="冒用", control="人脸核验")
    with refused("duplicate_risk", CatalogueError):
        services.add_risk_point(actor=editor, catalogue=draft, matter_pk=matter.pk, description="冒用", control="x")
    assert RiskPoint.objects.count() == 1


def test_a_submitted_version_can_no_longer_take_risk_points(editor, draft, walk):
    submitted = walk(draft, "submitted")
    with pytest.raises(CatalogueError):
        services.add_risk_point(actor=editor, catalogue=submitted, matter_pk=submitted.matters.get().pk,
                                description="冒用", control="人脸核验")


def test_a_new_version_carries_the_risk_points_over(editor, draft, walk):
    services.add_risk_point(actor=editor, catalogue=draft, matter_pk=draft.matters.get().pk, description="冒用",
                            control="人脸核验")
    walk(draft, "published")
    second = services.start_version(actor=editor, change_kind="amended", change_reason="依据修改",
                                    law_reference="")
    assert list(second.matters.get().risk_points.values_list("control", flat=True)) == ["人脸核验"]


def test_supervisor_sees_published_commitment_matters_with_no_control(client, supervisor, editor, draft, walk):
    walk(draft, "published")
    client.force_login(supervisor)
    page = client.get(reverse("supervision")).content.decode()
    assert "无防控措施的告知承诺事项" in page and draft.matters.get().name in page


def test_a_matter_with_a_control_leaves_the_supervisor_list(client, supervisor, editor, draft, walk):
    services.add_risk_point(actor=editor, catalogue=draft, matter_pk=draft.matters.get().pk, description="冒用",
                            control="人脸核验")
    walk(draft, "published")
    client.force_login(supervisor)
    page = client.get(reverse("supervision")).content.decode()
    assert "每个实行告知承诺的事项都已登记防控措施。" in page
