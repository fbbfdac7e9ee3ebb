"""§二(二): a basis below law, regulation or State Council decision is flagged and blocks publication until the
justice reviewer records why it may stay; decisions are worded per service kind; the form guards high-risk."""

import pytest

from catalog import services
from catalog.forms import MatterForm
from catalog.models import AdministrativeService, CatalogueError, decision_words
from tests.catalog.conftest import add_matter, state
from tests.refusals import refused

pytestmark = pytest.mark.django_db


def test_a_normative_document_basis_blocks_review_until_the_reviewer_records_a_reason(draft, editor, reviewer):
    low = add_matter(draft, "学历证明", legal_basis_name="西安市户籍准入条件", legal_basis_level="normative_document")
    assert low.basis_below_statute
    c = services.submit(actor=editor, catalogue=draft)
    with refused("basis_unexplained", CatalogueError, match="学历证明.*规范性文件"):
        services.pass_review(actor=reviewer, catalogue=c)
    assert state(c) == "submitted"
    with refused("basis_reason_too_short", CatalogueError):
        services.record_basis_reason(actor=reviewer, matter=low, reason="可以")
    services.record_basis_reason(actor=reviewer, matter=low, reason="系对《中华人民共和国户口登记条例》的细化，清理期间暂予保留。")
    c = services.pass_review(actor=reviewer, catalogue=c)
    assert state(c) == "reviewed"


def test_only_the_justice_reviewer_may_record_a_basis_reason(draft, editor, approver):
    low = add_matter(draft, "学历证明", legal_basis_level="departmental_rule")
    services.submit(actor=editor, catalogue=draft)
    for actor in (editor, approver):
        with refused("forbidden", CatalogueError):
            services.record_basis_reason(actor=actor, matter=low, reason="系对上位法规定条件的细化，暂予保留。")


def test_a_law_basis_needs_no_reason(draft, editor, reviewer):
    matter = draft.matters.get()
    services.submit(actor=editor, catalogue=draft)
    with refused("basis_sufficient", CatalogueError):
        services.record_basis_reason(actor=reviewer, matter=matter, reason="系对上位法规定条件的细化，暂予保留。")


@pytest.mark.parametrize("kind, words", [
    ("licensing", ("准予许可", "不予许可")), ("confirmation", ("予以确认", "不予确认")),
    ("benefit", ("准予给付", "不予给付")), ("other", ("办结", "不予办理")),
])
def test_decisions_are_worded_per_service_kind(kind, words):
    assert decision_words(kind) == words


def test_the_other_kind_is_never_called_other_administrative_power():
    assert "其他行政权力" not in str(AdministrativeService.Kind.OTHER.label)


def test_a_high_risk_matter_cannot_be_exempt_from_verification(draft):
    matter = draft.matters.get()
    form = MatterForm(instance=matter, data={
        "name": matter.name, "service": matter.service_id, "field": matter.field,
        "legal_basis_name": matter.legal_basis_name, "legal_basis_level": "law",
        "requesting_agency": matter.requesting_agency_id, "exercise_level": "city", "commitment_allowed": "on",
        "verification_methods": ["exempt"], "high_risk": "on",
    })
    assert not form.is_valid()
    assert "高风险事项每份承诺都要核查" in str(form.errors["verification_methods"])


def test_the_reviewer_records_the_reason_on_the_matter_page(client, draft, editor, reviewer):
    low = add_matter(draft, "学历证明", legal_basis_level="normative_document")
    services.submit(actor=editor, catalogue=draft)
    client.force_login(reviewer)
    page = client.get(f"/catalog/manage/matters/{low.pk}/").content.decode()
    assert "须经司法局审核人员记录保留理由" in page and "记录保留理由" in page
    response = client.post(f"/catalog/manage/matters/{low.pk}/basis-reason/",
                           {"reason": "系对上位法规定条件的细化，清理期间暂予保留。"}, follow=True)
    assert "已记录“学历证明”设定依据的保留理由" in response.content.decode()
    low.refresh_from_db()
    assert low.basis_exception_reason.startswith("系对上位法")
