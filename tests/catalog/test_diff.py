import pytest

from catalog import diff, services
from catalog.models import Catalogue
from tests.catalog.conftest import add_matter

pytestmark = pytest.mark.django_db


def test_the_diff_lists_added_removed_and_changed_field_by_field(published, editor):
    add = add_matter  # noqa
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="律师法修正")
    add(v2, name="经济困难证明", service_name="申请法律援助")
    v2.matters.filter(name="无犯罪记录证明").update(issuing_unit="西安市公安局", verification_methods=["assistance"])
    result = diff.compare(published.matters.all(), v2.matters.all())
    assert [m.name for m in result.added] == ["经济困难证明"]
    assert result.removed == []
    [change] = result.changed
    assert {(f.label, f.old, f.new) for f in change.changes} == {
        ("开具单位", "公安机关", "西安市公安局"), ("核查方式", "数据共享核查", "部门协查")}
    back = diff.compare(v2.matters.all(), published.matters.all())
    assert [m.name for m in back.removed] == ["经济困难证明"]


def test_identical_versions_have_an_empty_diff(published, editor):
    v2 = services.start_version(actor=editor, change_kind=Catalogue.ChangeKind.INTERPRETED, change_reason="解释")
    result = diff.compare(published.matters.all(), v2.matters.all())
    assert result.is_empty and result.unchanged == 1
