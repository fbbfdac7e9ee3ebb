"""Real published lists import after a preview (tests/catalog/fixtures/real_lists/README.md names the sources).

The fixture rows keep the lists' own wording; the workbook for 赤壁市 is built here with the layout the
published table has (title rows, a two-row header with merged cells, tick columns for 行使层级, a
vertically merged 事项类型, a note row), the 常德市 list likewise (湖南's template: 设定依据 split into text and
效力层级, ticks under 省部级…乡级及其他, no 核查方式 or 是否实行告知承诺 column), and the 十堰市 list is sent as GBK,
as Excel saves it.
"""

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from catalog import importing, services
from catalog.models import CertificationMatter, ImportSynonym, PendingImport
from portal import roles
from portal.models import Agency, AuditEvent
from tests.factories import AgencyFactory, StaffFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "real_lists"
# The units the lists name as 索要单位/实施机关, registered under the names the lists use.
UNITS = {"应急管理部门": "赤壁市应急管理局", "市教育局": "十堰市教育局", "市公安局": "十堰市公安局",
         "市人力资源和社会保障局": "十堰市人力资源和社会保障局", "市市场监督管理局": "十堰市市场监督管理局",
         "教育行政部门": "江苏省教育厅", "公安机关": "江苏省公安厅", "市司法局": "常德市司法局"}


@pytest.fixture
def units(city_government):
    return {short: AgencyFactory(code=f"R{i:03d}", name=name, short_name=short, parent=city_government)
            for i, (short, name) in enumerate(UNITS.items())}


@pytest.fixture
def draft(editor):
    return services.start_version(actor=editor)


def chibi_xlsx() -> bytes:
    """The 赤壁市 rows in the published table's layout."""
    from openpyxl import Workbook

    with open(FIXTURES / "chibi_2023_kept_rows.csv", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    wb = Workbook()
    ws = wb.active
    width = len(header)
    ws.append(["赤壁市保留证明事项清单"] + [None] * (width - 1))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    ws.append(["单位（盖章）：赤壁市司法局"] + [None] * (width - 1))
    ws.merge_cells(start_row=2, start_column=1, end_row=2, end_column=width)
    top = ["序号", "证明名称", "证明用途", "设定依据", "依据条文及内容", "实施基本情况", None, "行使层级", None, None, None,
           "事项类型", "不能实行告知承诺及保留原因"]
    ws.append(top)
    ws.append([None] * 5 + header[5:11] + [None, None])
    for col in (1, 2, 3, 4, 5, 12, 13):
        ws.merge_cells(start_row=3, start_column=col, end_row=4, end_column=col)
    ws.merge_cells(start_row=3, start_column=6, end_row=3, end_column=7)
    ws.merge_cells(start_row=3, start_column=8, end_row=3, end_column=11)
    for i, row in enumerate(rows):
        cells = [int(c) if c.isdigit() else (c or None) for c in row]
        if i:  # 事项类型 is one merged cell down the rows, as printed
            cells[11] = None
        ws.append(cells)
    ws.merge_cells(start_row=5, start_column=12, end_row=4 + len(rows), end_column=12)
    ws.append([None] * width)
    ws.append(["注：本清单所列证明事项因涉及公共安全，不实行告知承诺制。"] + [None] * (width - 1))
    ws.merge_cells(start_row=6 + len(rows), start_column=1, end_row=6 + len(rows), end_column=width)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


CHANGDE_TITLE = "常德市司法局实行告知承诺制证明事项目录"


def changde_xlsx(title: str | None = CHANGDE_TITLE) -> bytes:
    """The 常德市 rows in the published table's layout: a title, then a two-row header."""
    from openpyxl import Workbook

    with open(FIXTURES / "changde_sfj_2022.csv", encoding="utf-8") as f:
        header, *rows = list(csv.reader(f))
    wb = Workbook()
    ws = wb.active
    width = len(header)
    first = 1
    if title:
        ws.append([title] + [None] * (width - 1))
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
        first = 2
    ws.append(["序号", "证明\n名称", "证明\n用途", "设定依据", None, "实施基本情况", None, "行使层级", None, None, None,
               "事项类型"])
    ws.append([None, None, None, *header[3:11], None])
    for col in (1, 2, 3, 12):
        ws.merge_cells(start_row=first, start_column=col, end_row=first + 1, end_column=col)
    for start, end in ((4, 5), (6, 7), (8, 11)):
        ws.merge_cells(start_row=first, start_column=start, end_row=first, end_column=end)
    for row in rows:
        ws.append([int(c) if c.isdigit() else (c or None) for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def shiyan_gbk() -> bytes:
    return (FIXTURES / "shiyan_2025.csv").read_text(encoding="utf-8").encode("gbk")


def jiangsu_csv() -> bytes:
    return (FIXTURES / "jiangsu_first_batch.csv").read_bytes()


REAL = {"chibi.xlsx": chibi_xlsx, "shiyan.csv": shiyan_gbk, "jiangsu.csv": jiangsu_csv, "changde.xlsx": changde_xlsx}


def upload(client, draft, data, name):
    f = io.BytesIO(data)
    f.name = name
    return client.post(f"/catalog/manage/{draft.pk}/import/", {"file": f})


def confirm(client, draft, response):
    token = response.context["confirm"].initial["token"]
    return client.post(f"/catalog/manage/{draft.pk}/import/", {"token": token}, follow=True)


# --- each real list previews, then imports ---------------------------------------------------------


@pytest.mark.parametrize("name", list(REAL))
def test_each_real_list_previews_and_then_imports(client, editor, draft, units, name):
    client.force_login(editor)
    response = upload(client, draft, REAL[name](), name)
    parsed = response.context["parsed"]
    assert parsed.ok, [(p.row, p.column, p.message) for p in parsed.problems]
    assert draft.matters.count() == 0  # the preview imports nothing
    body = response.content.decode()
    assert "确认导入" in body and "列的对应" in body and "按同义词理解的内容" in body
    result = confirm(client, draft, response)
    assert "导入成功" in result.content.decode()
    assert draft.matters.count() == len(parsed.rows)


def test_the_chibi_workbook_reads_its_title_merged_header_ticks_and_note(units, editor):
    parsed = importing.parse(chibi_xlsx(), editor.agency, "chibi.xlsx")
    assert parsed.ok, [(p.row, p.column, p.message) for p in parsed.problems]
    columns = dict(parsed.columns)
    assert columns["实施基本情况 / 索要单位"] == "索要单位" and columns["实施基本情况 / 开具单位"] == "开具单位"
    assert columns["行使层级 / 县级"] == "行使层级：县级" and columns["依据条文及内容"] == "依据条文"
    assert columns["不能实行告知承诺及保留原因"] == "不能实行告知承诺的原因"
    assert [text for _row, text in parsed.skipped][:2] == ["赤壁市保留证明事项清单", "单位（盖章）：赤壁市司法局"]
    assert parsed.skipped[-1][1].startswith("注：本清单")
    assert len(parsed.rows) == 4
    first, second = parsed.rows[0], parsed.rows[1]
    assert first["legal_basis_name"] == "烟花爆竹安全管理条例" and first["legal_basis_level"] == "admin_regulation"
    assert first["legal_basis_article"].startswith("第十九条")
    assert second["legal_basis_name"] == "危险化学品经营许可证管理办法"
    assert second["legal_basis_number"] == "国家安全生产监督管理总局令第55号"
    assert all(r["service_kind"] == "licensing" and r["exercise_level"] == "county" for r in parsed.rows)
    assert all(not r["commitment_allowed"] and r["exclusion_category"] == "public_safety" for r in parsed.rows)
    assert first["requesting_agency"] == units["应急管理部门"] and first["issuing_unit"] == "经营者"


def test_the_shiyan_gbk_csv_understands_its_column_and_method_wordings(units, editor):
    parsed = importing.parse(shiyan_gbk(), editor.agency, "shiyan.csv")
    assert parsed.ok, [(p.row, p.column, p.message) for p in parsed.problems]
    columns = dict(parsed.columns)
    assert columns["证明事项名称"] == "证明名称" and columns["法律依据"] == "设定依据"
    assert columns["实施机关"] == "索要单位" and columns["出具单位"] == "开具单位" and columns["备注"] == "（不导入）"
    rows = {r["name"]: r for r in parsed.rows}
    assert rows["思想品德情况的鉴定或者证明材料"]["verification_methods"] == ["written", "data_sharing"]
    assert rows["水平能力测试成绩合格证"]["verification_methods"] == ["assistance"]
    assert rows["水平能力测试成绩合格证"]["service_kind"] == "other"
    assert rows["企业登记住所场地证明"]["verification_methods"] == ["on_site", "written"]
    seen = {(m.column, m.original, m.normalised) for m in parsed.mappings}
    assert ("核查方式", "信息共享核查", "数据共享核查") in seen and ("核查方式", "电话核查", "部门协查") in seen
    assert parsed.skipped[0][1].startswith("十堰市市直部门") and parsed.skipped[-1][1].startswith("注：")


def test_the_jiangsu_list_reads_level_and_kind_variants(units, editor):
    parsed = importing.parse(jiangsu_csv(), editor.agency, "jiangsu.csv")
    assert parsed.ok, [(p.row, p.column, p.message) for p in parsed.problems]
    levels = {r["name"]: r["exercise_level"] for r in parsed.rows}
    assert levels == {"思想品格鉴定证明": "county", "无犯罪记录证明": "county", "初中以上学历证明": "city"}
    assert parsed.rows[2]["verification_methods"] == ["data_sharing", "on_site"]
    assert {r["service_kind"] for r in parsed.rows} == {"licensing"}


def test_the_changde_list_reads_its_split_basis_its_level_ticks_and_its_title(units, editor):
    parsed = importing.parse(changde_xlsx(), editor.agency, "changde.xlsx")
    assert parsed.ok, [(p.row, p.column, p.message) for p in parsed.problems]
    columns = dict(parsed.columns)
    assert columns["设定依据 / 依据名称、文号及条文内容"] == "设定依据" and columns["设定依据 / 效力\n层级"] == "效力层级"
    assert columns["行使层级 / 省部级"] == "行使层级：省部级" and columns["行使层级 / 乡级及其他"] == "行使层级：乡级及其他"
    assert parsed.skipped == [(1, CHANGDE_TITLE)]
    rows = {r["name"]: r for r in parsed.rows}
    aid = rows["经济困难证明"]
    assert aid["service_name"] == "申请法律援助" and aid["service_kind"] == "benefit"
    assert aid["legal_basis_name"] == "湖南省法律援助条例" and aid["legal_basis_level"] == "local_regulation"
    assert aid["legal_basis_article"].startswith("第十三条")
    assert aid["issuing_unit"] == "乡镇人民政府、街道办事处" and aid["requesting_agency"] == units["市司法局"]
    lawyer = rows["无被开除公职情形证明材料"]
    assert lawyer["service_kind"] == "licensing" and lawyer["legal_basis_name"] == "中华人民共和国律师法"
    assert lawyer["legal_basis_level"] == "law" and lawyer["issuing_unit"] == "人才中心或所在单位"
    assert all(r["exercise_level"] == "city" and r["commitment_allowed"] for r in parsed.rows)
    assert all(r["verification_methods"] == [] for r in parsed.rows)
    seen = {(m.column, m.original, m.normalised) for m in parsed.mappings}
    assert ("是否实行告知承诺", "（未设此列，按标题）", "是") in seen
    assert ("核查方式", "（未设此列）", "导入后逐项补填，补齐前不能提交审核") in seen
    assert ("事项类型", "行政\n许可", "行政许可") in seen


def test_a_list_imported_without_methods_cannot_be_submitted_until_they_are_filled(client, editor, draft, units):
    client.force_login(editor)
    response = upload(client, draft, changde_xlsx(), "changde.xlsx")
    assert "导入后逐项补填" in response.content.decode()
    assert "导入成功" in confirm(client, draft, response).content.decode()
    assert draft.matters.count() == 4
    missing = services.incomplete_matters(draft)
    assert len(missing) == 4 and all("核查方式" in line for line in missing)


@pytest.mark.parametrize("title", [None, "常德市司法局不实行告知承诺制的证明事项目录", "常德市司法局保留证明事项清单"])
def test_without_the_yes_no_column_only_a_commitment_title_says_the_rows_are_committed(units, editor, title):
    parsed = importing.parse(changde_xlsx(title), editor.agency, "changde.xlsx")
    assert [(p.column, p.message) for p in parsed.problems] == [("是否实行告知承诺", "缺少此列。")]
    assert not parsed.rows


# --- unknown values, suggestions, the synonym table --------------------------------------------------


def with_unknown_method() -> bytes:
    text = (FIXTURES / "shiyan_2025.csv").read_text(encoding="utf-8").replace("信息共享核查", "信息比对核查")
    return text.encode("gbk")


def test_an_unknown_value_imports_nothing_and_the_preview_suggests_the_closest(client, editor, draft, units):
    client.force_login(editor)
    response = upload(client, draft, with_unknown_method(), "shiyan.csv")
    body = response.content.decode()
    assert "未导入任何内容" in body and "无法识别的写法" in body and "信息比对核查" in body
    assert "确认导入" not in body and "confirm" not in response.context
    unknown = response.context["parsed"].unknown
    assert [(m.column, m.original, m.rows) for m in unknown] == [("核查方式", "信息比对核查", [5])]
    assert "信息共享核查" in unknown[0].normalised  # the closest known wording
    assert draft.matters.count() == 0 and not PendingImport.objects.exists()


def test_a_synonym_added_in_the_admin_makes_the_next_import_succeed(client, editor, draft, units, justice_bureau):
    reviewer = StaffFactory(agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER], is_staff=True)
    client.force_login(reviewer)
    response = client.post("/admin/catalog/importsynonym/add/",
                           {"kind": "method", "text": "信息比对核查", "value": "数据共享核查", "note": "十堰市清单"})
    assert response.status_code == 302, response.content.decode()[:2000]
    synonym = ImportSynonym.objects.get(text="信息比对核查")
    assert synonym.value == "data_sharing" and synonym.updated_by == reviewer  # the label was stored as its code
    assert AuditEvent.objects.filter(action="catalog.synonym_saved").exists()
    client.force_login(editor)
    response = upload(client, draft, with_unknown_method(), "shiyan.csv")
    assert response.context["parsed"].ok
    assert "导入成功" in confirm(client, draft, response).content.decode()
    matter = draft.matters.get(name="未成年监护关系证明")
    assert matter.verification_methods == ["data_sharing"]


def test_a_synonym_must_point_at_a_standard_value(client, justice_bureau):
    reviewer = StaffFactory(agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER], is_staff=True)
    client.force_login(reviewer)
    response = client.post("/admin/catalog/importsynonym/add/", {"kind": "method", "text": "问询", "value": "打电话"})
    assert response.status_code == 200 and "不是有效的标准项" in response.content.decode()
    assert not ImportSynonym.objects.filter(text="问询").exists()


def test_only_the_justice_bureau_and_superusers_keep_synonyms(client, editor, agency):
    staff_editor = StaffFactory(agency=agency, roles=[roles.CATALOGUE_EDITOR], is_staff=True)
    client.force_login(staff_editor)
    assert client.get("/admin/catalog/importsynonym/").status_code == 403
    assert client.post("/admin/catalog/importsynonym/add/",
                       {"kind": "method", "text": "x", "value": "written"}).status_code == 403


# --- all or nothing, once ------------------------------------------------------------------------------


def test_confirming_twice_imports_once(client, editor, draft, units):
    client.force_login(editor)
    response = upload(client, draft, jiangsu_csv(), "jiangsu.csv")
    token = response.context["confirm"].initial["token"]
    first = client.post(f"/catalog/manage/{draft.pk}/import/", {"token": token}, follow=True)
    again = client.post(f"/catalog/manage/{draft.pk}/import/", {"token": token}, follow=True)
    assert "导入成功" in first.content.decode() and "未重复导入" in again.content.decode()
    assert draft.matters.count() == 3
    assert AuditEvent.objects.filter(action="catalog.imported").count() == 1
    assert bytes(PendingImport.objects.get(token=token).data) == b""  # the file is not kept once imported


def test_a_preview_belongs_to_its_editor_and_draft(client, editor, draft, units, agency):
    client.force_login(editor)
    token = upload(client, draft, jiangsu_csv(), "jiangsu.csv").context["confirm"].initial["token"]
    colleague = StaffFactory(agency=agency, roles=[roles.CATALOGUE_EDITOR])
    client.force_login(colleague)
    response = client.post(f"/catalog/manage/{draft.pk}/import/", {"token": token})
    assert "预览已过期或不存在" in response.content.decode()
    assert draft.matters.count() == 0


def test_an_expired_preview_imports_nothing(client, editor, draft, units):
    import datetime

    client.force_login(editor)
    token = upload(client, draft, jiangsu_csv(), "jiangsu.csv").context["confirm"].initial["token"]
    PendingImport.objects.filter(token=token).update(
        created_at=PendingImport.objects.get(token=token).created_at - datetime.timedelta(minutes=31))
    response = client.post(f"/catalog/manage/{draft.pk}/import/", {"token": token})
    assert "预览已过期或不存在" in response.content.decode() and draft.matters.count() == 0


def test_a_synonym_removed_after_the_preview_stops_the_confirmation(client, editor, draft, units):
    client.force_login(editor)
    token = upload(client, draft, jiangsu_csv(), "jiangsu.csv").context["confirm"].initial["token"]
    ImportSynonym.objects.filter(kind="method", text="网络核验").delete()
    response = client.post(f"/catalog/manage/{draft.pk}/import/", {"token": token})
    assert "未导入任何内容" in response.content.decode() and "网络核验" in response.content.decode()
    assert draft.matters.count() == 0


# --- the command --------------------------------------------------------------------------------------


def test_the_command_prints_the_mapping_and_imports(tmp_path, editor, units, agency):
    path = tmp_path / "shiyan.csv"
    path.write_bytes(shiyan_gbk())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_catalogue", str(path), agency=agency.code, stdout=out, stderr=err)
    text = out.getvalue()
    assert "证明事项名称 → 证明名称" in text and "信息共享核查 → 数据共享核查" in text and "已导入" in text
    assert CertificationMatter.objects.filter(catalogue__agency=agency).count() == 4


def test_the_command_refuses_unknown_values_with_suggestions(tmp_path, editor, units, agency):
    path = tmp_path / "shiyan.csv"
    path.write_bytes(with_unknown_method())
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_catalogue", str(path), agency=agency.code, stdout=out, stderr=err)
    assert "无法识别的内容" in out.getvalue() and "信息比对核查" in out.getvalue()
    assert "最接近" in err.getvalue()
    assert not CertificationMatter.objects.filter(catalogue__agency=agency).exists()


def test_a_title_row_and_a_gb18030_csv_with_a_rare_character_import(editor, units):
    text = (FIXTURES / "jiangsu_first_batch.csv").read_text(encoding="utf-8").replace("思想品格鉴定证明", "思想品格鉴定证明（䶮）")
    parsed = importing.parse(text.encode("gb18030"), editor.agency, "x.csv")
    assert parsed.ok and parsed.rows[0]["name"] == "思想品格鉴定证明（䶮）"


def test_an_agency_unknown_to_the_portal_is_reported_with_the_closest_names(editor, units):
    text = (FIXTURES / "shiyan_2025.csv").read_text(encoding="utf-8").replace(",市教育局,", ",十堰市教育委员会,")
    parsed = importing.parse(text.encode("utf-8"), editor.agency, "x.csv")
    problem = next(p for p in parsed.problems if p.column == "索要单位")
    assert "十堰市教育局" in problem.suggestions
    assert Agency.objects.filter(name="十堰市教育委员会").count() == 0


def test_a_standard_wording_cannot_be_redefined_as_a_synonym(client, justice_bureau):
    reviewer = StaffFactory(agency=justice_bureau, roles=[roles.JUSTICE_REVIEWER], is_staff=True)
    client.force_login(reviewer)
    response = client.post("/admin/catalog/importsynonym/add/", {"kind": "method", "text": "部门协查", "value": "现场核查"})
    assert response.status_code == 200 and "本身就是标准写法" in response.content.decode()
    assert not ImportSynonym.objects.filter(text="部门协查").exists()
