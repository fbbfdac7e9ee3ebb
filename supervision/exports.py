"""The assessment table (法治政府建设绩效考核): one row per agency with a rank, as HTML, XLSX and PDF."""

import tempfile

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from portal.pdf import render_pdf

SPOOL_BYTES = 1 << 20  # an assessment of a few hundred agencies stays in memory; more goes to disk

# (key, label, kind): kind "rate" prints as a percentage, "hours" with one decimal, "count" as is.
COLUMNS = [
    ("rank", gettext_lazy("排名"), "count"),
    ("name", gettext_lazy("机关"), "text"),
    ("listed", gettext_lazy("实行告知承诺事项"), "count"),
    ("excluded", gettext_lazy("不适用事项"), "count"),
    ("applications", gettext_lazy("办件"), "count"),
    ("commitments", gettext_lazy("告知承诺"), "count"),
    ("proofs_saved", gettext_lazy("减少证明"), "count"),
    ("verify_rate", gettext_lazy("按时核查率"), "rate"),
    ("false_rate", gettext_lazy("虚假承诺率"), "rate"),
    ("assist_rate", gettext_lazy("协查按时回复率"), "rate"),
    ("assist_hours", gettext_lazy("协查平均回复（小时）"), "hours"),
    ("assist_refused", gettext_lazy("拒绝协查"), "count"),
    ("spot_rate", gettext_lazy("抽查覆盖率"), "rate"),
    ("reply_rate", gettext_lazy("投诉按时答复率"), "rate"),
    ("satisfaction", gettext_lazy("满意率"), "rate"),
    ("records", gettext_lazy("失信记录"), "count"),
    ("credit_rate", gettext_lazy("修复异议按时办理率"), "rate"),
    ("score", gettext_lazy("综合得分"), "rate"),
]


def ranked(rows: list[dict]) -> list[dict]:
    """Ranked agencies first (best rank first), then the others in tree order."""
    return sorted(rows, key=lambda r: (r["rank"] is None, r["rank"] or 0, r["path"]))


def cell(row: dict, key: str, kind: str) -> str:
    value = row.get(key)
    if value is None:
        return "—"
    if kind == "rate":
        return f"{value:.1f}%" if key != "score" else f"{value:.1f}"
    if kind == "hours":
        return f"{value:.1f}"
    return str(value)


def table(result: dict) -> dict:
    """Header and rows of display strings, shared by the page and the PDF."""
    return {
        "headers": [str(label) for _key, label, _kind in COLUMNS],
        "rows": [[cell(r, key, kind) for key, _label, kind in COLUMNS] for r in ranked(result["rows"])],
        "totals": [_("合计"), ""] + [cell(result["totals"], key, kind) for key, _label, kind in COLUMNS[2:]],
    }


def filename(result: dict, ext: str) -> str:
    p = result["period"]
    return f"assessment-{p['start']:%Y%m%d}-{p['end']:%Y%m%d}.{ext}"


def title(result: dict) -> str:
    p = result["period"]
    return _("%(scope)s证明事项告知承诺制落实情况考核表（%(start)s至%(end)s）") % {
        "scope": result["scope"]["name"], "start": date_format(p["start"], "DATE_FORMAT"), "end": date_format(p["end"], "DATE_FORMAT")}


def xlsx(result: dict):
    """The table as an XLSX file object, positioned at its start, for a streamed response.

    Written row by row by openpyxl's write-only workbook (memory flat in the number of rows) into a spooled
    temporary file, which the view sends in blocks. Numbers stay numbers (rates as fractions formatted 0.0%)
    so the sheet can be sorted and summed.
    """
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("考核表"))
    for column, (key, _label, _kind) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = 34 if key == "name" else 12
    sheet.freeze_panes = "C3"
    heading = WriteOnlyCell(sheet, value=title(result))
    heading.font = Font(bold=True, size=14)
    sheet.append([heading])
    header = []
    for _key, label, _kind in COLUMNS:
        c = WriteOnlyCell(sheet, value=str(label))
        c.font = Font(bold=True, color="FFFFFF")
        c.fill = PatternFill("solid", fgColor="0B4A8B")
        c.alignment = Alignment(wrap_text=True, vertical="center")
        header.append(c)
    sheet.append(header)
    for row in ranked(result["rows"]):
        cells = []
        for key, _label, kind in COLUMNS:
            value = row.get(key)
            if kind == "rate" and key != "score":
                c = WriteOnlyCell(sheet, value=None if value is None else value / 100)
                c.number_format = "0.0%"
                cells.append(c)
            else:
                cells.append(value)
        sheet.append(cells)
    sheet.append([])
    sheet.append([_("生成时间：%(at)s。口径说明见《监督人员使用指南》。") % {
        "at": f"{timezone.localtime(result['computed_at']):%Y-%m-%d %H:%M}"}])
    out = tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES)  # noqa: SIM115 - the response closes it
    book.save(out)
    out.seek(0)
    return out


def pdf(result: dict) -> bytes:
    return render_pdf("supervision/assessment_pdf.html", {
        "title": title(result), "table": table(result), "result": result})
