"""Import from XLSX/CSV (UTF-8 and GBK), every kind of bad input, export, and the round trip."""

import io

import pytest
from django.core.management import CommandError, call_command

from catalog import importing, services
from catalog.models import Catalogue, CatalogueError, CertificationMatter
from tests.catalog.conftest import add_matter

pytestmark = pytest.mark.django_db

HEADER = importing.COLUMNS + ["所属领域", "核查时限（工作日）"]
ROWS = [
    ["1", "无犯罪记录证明", "律师执业核准", "《中华人民共和国律师法》（主席令第七十六号）第五条", "西安市人力资源和社会保障局",
     "公安机关", "市级", "行政许可", "数据共享核查、部门协查", "是", "", "法律服务", "10"],
    ["2", "经济困难证明", "申请法律援助", "《法律援助条例》第十八条", "西安市人力资源和社会保障局", "乡镇人民政府、街道办事处",
     "县级", "行政给付", "部门协查", "是", "", "社会救助", "5"],
    ["3", "安全生产条件证明", "烟花爆竹经营许可", "《烟花爆竹安全管理条例》第十九条", "西安市人力资源和社会保障局", "—",
     "市级", "行政许可", "", "否", "公共安全：烟花爆竹经营的安全生产条件须现场核验，不能以承诺代替", "其他", ""],
]


def csv_bytes(rows, header=HEADER, encoding="utf-8-sig"):
    return "\n".join(",".join(f'"{c}"' for c in row) for row in [header, *rows]).encode(encoding)


def xlsx_bytes(rows, header=HEADER):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append([int(c) if c.isdigit() else c for c in row])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def do_import(editor, catalogue, data, name="清单.csv"):
    parsed = importing.parse(data, catalogue.agency, name)
    assert parsed.ok, [(p.row, p.column, p.message) for p in parsed.problems]
    return services.import_matters(actor=editor, catalogue=catalogue, rows=parsed.rows, filename=name)


@pytest.fixture
def empty_draft(editor):
    return services.start_version(actor=editor)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gbk"])
def test_a_csv_in_utf8_or_gbk_imports_every_row(editor, empty_draft, encoding):
    result = do_import(editor, empty_draft, csv_bytes(ROWS, encoding=encoding))
    assert result.created == 3
    matters = {m.name: m for m in empty_draft.matters.select_related("service")}
    crime = matters["无犯罪记录证明"]
    assert crime.legal_basis_name == "中华人民共和国律师法" and crime.legal_basis_number == "主席令第七十六号"
    assert crime.legal_basis_article == "第五条" and crime.verification_methods == ["data_sharing", "assistance"]
    assert crime.field == "legal_service" and crime.service.kind == "licensing" and crime.verification_days == 10
    assert crime.proof_content and crime.letter_template  # standard notification texts filled in
    fireworks = matters["安全生产条件证明"]
    assert not fireworks.commitment_allowed and fireworks.exclusion_category == "public_safety"
    assert fireworks.exclusion_reason.startswith("烟花爆竹") and fireworks.issuing_unit == ""


def test_an_xlsx_imports_like_the_csv(editor, empty_draft):
    assert do_import(editor, empty_draft, xlsx_bytes(ROWS), "清单.xlsx").created == 3
    assert sorted(empty_draft.matters.values_list("seq", flat=True)) == [1, 2, 3]


def test_export_then_import_gives_the_same_catalogue(editor, empty_draft):
    do_import(editor, empty_draft, csv_bytes(ROWS))
    header = importing.COLUMNS + importing.EXTRA_COLUMNS
    before = [importing.matter_row(m) for m in empty_draft.matters.order_by("seq")]
    for fmt, exporter in (("csv", importing.to_csv), ("xlsx", importing.to_xlsx)):
        data = exporter(header, before)
        other = add_matter(empty_draft, name="临时事项")  # the import must remove it again
        result = do_import(editor, empty_draft, data, f"导出.{fmt}")
        assert result.updated == 3 and result.removed == 1
        assert not CertificationMatter.objects.filter(pk=other.pk).exists()
        after = [importing.matter_row(m) for m in empty_draft.matters.order_by("seq")]
        assert [[str(c) for c in r] for r in after] == [[str(c) for c in r] for r in before]


def test_reimporting_keeps_each_matters_identity_for_the_version_diff(editor, empty_draft):
    do_import(editor, empty_draft, csv_bytes(ROWS))
    keys = dict(empty_draft.matters.values_list("name", "key"))
    do_import(editor, empty_draft, csv_bytes(ROWS))
    assert dict(empty_draft.matters.values_list("name", "key")) == keys


def problems(data, agency, name="x.csv"):
    return [(p.row, p.column, p.message) for p in importing.parse(data, agency, name).problems]


def test_wrong_columns_are_each_reported(agency):
    header = [c for c in HEADER if c != "设定依据"] + ["联系电话"]
    found = problems(csv_bytes([], header=header), agency)
    assert (1, "联系电话", found[0][2]) in found and "无法识别的列" in found[0][2]
    assert any(col == "设定依据" and "缺少此列" in msg for _, col, msg in found)


def test_every_problem_in_a_bad_file_is_listed_with_row_and_column(agency):
    bad = [list(r) for r in ROWS]
    bad[0][1] = ""  # empty required cell
    bad[1][4] = "不存在的局"  # unknown agency
    bad[1][11] = "文化旅游"  # unknown field
    bad[2][10] = ""  # excluded without reason
    dup = list(ROWS[0])
    dup[0] = "4"
    bad.append(dup)
    bad.append(list(ROWS[0]))  # duplicate row (and 序号)
    bad[-1][0] = "5"
    found = problems(csv_bytes(bad), agency)
    cells = {(row, col) for row, col, _ in found}
    assert (2, "证明名称") in cells
    assert (3, "索要单位") in cells and (3, "所属领域") in cells
    assert (4, "不能实行告知承诺的原因") in cells
    assert any(row == 6 and "与第5行重复" in msg for row, _, msg in found)


def test_a_file_that_is_not_a_spreadsheet_is_refused(agency):
    assert "不是 XLSX 或 CSV" in problems(b"\x89PNG\r\n\x1a\n\x00\x00\x00", agency, "photo.png")[0][2]
    assert "无法读取" in problems(b"PK\x03\x04garbage", agency, "broken.xlsx")[0][2]
    assert "旧版 Excel" in problems(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 50, agency, "old.xls")[0][2]
    assert "空" in problems(b"", agency)[0][2]


def test_a_bad_file_imports_nothing(client, editor, empty_draft):
    add_matter(empty_draft)
    bad = [list(r) for r in ROWS]
    bad[1][6] = "国家级"
    client.force_login(editor)
    upload = io.BytesIO(csv_bytes(bad))
    upload.name = "清单.csv"
    response = client.post(f"/catalog/manage/{empty_draft.pk}/import/", {"file": upload})
    assert response.status_code == 200
    body = response.content.decode()
    assert "未导入任何内容" in body and "第3行" in body and "行使层级" in body
    assert list(empty_draft.matters.values_list("name", flat=True)) == ["无犯罪记录证明"]


def test_importing_into_a_submitted_catalogue_is_refused(editor, draft, walk):
    c = walk(draft, "submitted")
    parsed = importing.parse(csv_bytes(ROWS), c.agency)
    with pytest.raises(CatalogueError):
        services.import_matters(actor=editor, catalogue=c, rows=parsed.rows)
    assert c.matters.count() == 1


def test_the_import_command_creates_a_draft_and_reports_problems(editor, agency, tmp_path, capsys):
    good = tmp_path / "清单.csv"
    good.write_bytes(csv_bytes(ROWS, encoding="gbk"))
    call_command("import_catalogue", str(good), agency=agency.code)
    catalogue = Catalogue.objects.get(agency=agency)
    assert catalogue.state == Catalogue.State.DRAFT and catalogue.matters.count() == 3
    bad = tmp_path / "bad.csv"
    bad.write_bytes(csv_bytes([["1", "", "", "", "", "", "", "", "", "", "", "", ""]]))
    with pytest.raises(CommandError, match="未导入任何内容"):
        call_command("import_catalogue", str(bad), agency=agency.code)
    assert catalogue.matters.count() == 3
    with pytest.raises(CommandError, match="未找到机关代码"):
        call_command("import_catalogue", str(good), agency="NOPE")


def test_editors_export_their_catalogue_as_xlsx_and_csv_in_the_list_columns(client, editor, draft):
    client.force_login(editor)
    response = client.get(f"/catalog/manage/{draft.pk}/export.csv")
    text = response.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("序号,证明名称,证明用途,设定依据,索要单位")
    assert "《中华人民共和国律师法》（主席令第七十六号）第五条" in text
    response = client.get(f"/catalog/manage/{draft.pk}/export.xlsx")
    rows = importing.read_table(response.content)
    assert rows[0][:11] == importing.COLUMNS and rows[1][1] == "无犯罪记录证明"
