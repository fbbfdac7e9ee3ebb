"""§二(二) 负面清单 in the catalogue: structured entries, Chinese validation, versions, import."""

import pytest
from django.db import IntegrityError

from catalog import services
from catalog.models import Catalogue, CatalogueError, NegativeListEntry
from tests.catalog.test_import_export import HEADER, ROWS, csv_bytes, do_import

pytestmark = pytest.mark.django_db


def _matter_post(draft, **rows):
    m = draft.matters.get()
    data = {
        "seq": m.seq,
        "name": m.name,
        "service": m.service_id,
        "field": "legal_service",
        "legal_basis_name": "中华人民共和国律师法",
        "legal_basis_level": "law",
        "requesting_agency": draft.agency_id,
        "exercise_level": "city",
        "commitment_allowed": "on",
        "verification_methods": ["data_sharing"],
        "verification_days": "10",
        "proof_content": "x",
        "commitment_content": "y",
        "letter_template": "z",
        "negative-TOTAL_FORMS": str(len(rows)),
        "negative-INITIAL_FORMS": "0",
    }
    for i, row in enumerate(rows.values()):
        data.update({f"negative-{i}-{k}": v for k, v in row.items()})
    return f"/catalog/manage/{draft.pk}/matters/{m.pk}/edit/", data


def test_the_editor_enters_conditions_and_questions_in_structured_form(client, draft, editor):
    client.force_login(editor)
    url, data = _matter_post(
        draft,
        a={"kind": "subject", "description": "未满18周岁的申请人", "rule": "age_below", "number": "18"},
        b={
            "kind": "situation",
            "description": "申请人曾受过刑事处罚的",
            "rule": "question",
            "question": "您是否曾受过刑事处罚",
        },
        c={"kind": "subject", "description": "企业", "rule": "subject_kind", "subject_kind": "enterprise"},
    )
    assert client.post(url, data).status_code == 302
    entries = {e.rule: e for e in draft.matters.get().negative_entries.all()}
    assert entries["age_below"].number == 18 and entries["age_below"].condition_text.startswith(
        "申请人未满18周岁"
    )
    assert entries["question"].question_text == "您是否曾受过刑事处罚？"
    assert entries["subject_kind"].subject_kind == "enterprise"
    page = client.get(url).content.decode()
    assert 'value="未满18周岁的申请人"' in page  # shown again for editing


@pytest.mark.parametrize(
    "row, field, message",
    [
        (
            {"kind": "subject", "description": "未成年人", "rule": "age_below"},
            "number",
            "年龄条件须填写周岁数。",
        ),
        (
            {"kind": "subject", "description": "老人", "rule": "age_at_least", "number": "200"},
            "number",
            "不能超过120。",
        ),
        (
            {"kind": "subject", "description": "单位", "rule": "subject_kind"},
            "subject_kind",
            "请选择不适用的申请人类型。",
        ),
        (
            {"kind": "subject", "description": "失信人", "rule": "dishonesty", "question": "您是否失信"},
            "question",
            "只有情形问题填写询问用语",
        ),
        (
            {"kind": "situation", "description": "", "rule": "age_below", "number": "18"},
            "description",
            "请填写条目内容（对外公布的原文）。",
        ),
    ],
)
def test_a_wrong_entry_is_refused_in_chinese_beside_its_field(client, draft, editor, row, field, message):
    client.force_login(editor)
    url, data = _matter_post(draft, a=row)
    body = client.post(url, data).content.decode()
    assert message in body and f'id="error_1_id_negative-0-{field}"' in body
    assert "负面清单有误" in body
    assert not NegativeListEntry.objects.filter(matter__catalogue=draft).exists()


def test_a_published_list_is_changed_only_through_a_new_version_which_keeps_the_structure(published, editor):
    matter = published.matters.get()
    NegativeListEntry.objects.create(
        matter=matter, kind="subject", description="未满18周岁的申请人", rule="age_below", number=18
    )
    with pytest.raises(CatalogueError, match="已公布的版本永不改动"):
        services.save_matter(actor=editor, catalogue=published, matter=matter, negative_entries=[])
    v2 = services.start_version(
        actor=editor, change_kind=Catalogue.ChangeKind.AMENDED, change_reason="负面清单调整"
    )
    copy = v2.matters.get().negative_entries.get()
    assert (copy.rule, copy.number, copy.kind) == ("age_below", 18, "subject")
    services.save_matter(
        actor=editor,
        catalogue=v2,
        matter=v2.matters.get(),
        negative_entries=[
            {"kind": "subject", "description": "未满16周岁的申请人", "rule": "age_below", "number": 16}
        ],
    )
    assert matter.negative_entries.get().number == 18  # the published version is untouched


def test_the_database_refuses_an_age_condition_without_an_age(draft):
    with pytest.raises(IntegrityError):
        NegativeListEntry.objects.create(matter=draft.matters.get(), description="未成年人", rule="age_below")


def test_the_importer_keeps_free_text_entries_as_questions_and_structured_ones_as_they_were(editor, draft):
    header = [*HEADER, "告知承诺制负面清单"]
    rows = [[*ROWS[0], "对象：未满18周岁的申请人\n申请人曾受过刑事处罚的"], [*ROWS[1], ""], [*ROWS[2], ""]]
    do_import(editor, draft, csv_bytes(rows, header=header))
    matter = draft.matters.get(name="无犯罪记录证明")
    entries = {e.description: e for e in matter.negative_entries.all()}
    assert (
        entries["未满18周岁的申请人"].kind == "subject" and entries["未满18周岁的申请人"].rule == "question"
    )
    assert entries["申请人曾受过刑事处罚的"].question_text == "申请事项是否涉及：申请人曾受过刑事处罚的？"
    # The editor makes one a condition; importing the same text again keeps it a condition.
    NegativeListEntry.objects.filter(pk=entries["未满18周岁的申请人"].pk).update(rule="age_below", number=18)
    do_import(editor, draft, csv_bytes(rows, header=header))
    again = matter.negative_entries.get(description="未满18周岁的申请人")
    assert (again.rule, again.number) == ("age_below", 18)
    # A file without the column leaves the entries alone.
    do_import(editor, draft, csv_bytes(ROWS))
    assert matter.negative_entries.count() == 2
