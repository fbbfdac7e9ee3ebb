"""Reading and writing catalogue files in the real list's columns (XLSX, or CSV in UTF-8 or GBK).

``parse`` checks a whole file and returns either the rows or *every* problem as (row, column,
message); it writes nothing. ``services.import_matters`` then writes the rows in one transaction,
so a bad file imports nothing.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal.models import Agency

from .models import (
    AdministrativeService,
    CertificationMatter,
    ExerciseLevel,
    LegalLevel,
    MatterField,
    RiskCategory,
    VerificationMethod,
)

# The columns of the real published lists, in their order.
COLUMNS = [
    "序号", "证明名称", "证明用途", "设定依据", "索要单位", "开具单位", "行使层级", "事项类型", "核查方式",
    "是否实行告知承诺", "不能实行告知承诺的原因",
]
# Columns this portal adds (optional on import, always written on export).
EXTRA_COLUMNS = ["所属领域", "效力层级", "核查时限（工作日）"]
REQUIRED_CELLS = ["证明名称", "证明用途", "设定依据", "索要单位", "行使层级", "事项类型", "是否实行告知承诺"]

MAX_ROWS = 5000
MAX_FILE_BYTES = 5 * 1024 * 1024
# A workbook is a zip: a few kilobytes may unpack to gigabytes (a zip bomb). Its directory is read
# first; Python's zipfile never unpacks a member beyond the size the directory declares.
MAX_UNZIPPED_BYTES = 50 * 1024 * 1024
MAX_MEMBERS = 500
MAX_COLUMNS = 64
MAX_LINES = MAX_ROWS + 1000  # lines read, blank ones included (a sheet may declare a million empty rows)

SERVICE_KINDS = {str(label): value for value, label in AdministrativeService.Kind.choices}
SERVICE_KINDS.update({"其他": "other", "其他依申请事项": "other", "其他行政权力事项": "other"})
SERVICE_KIND_LABELS = {value: str(label) for value, label in AdministrativeService.Kind.choices}
LEVELS = {str(label): value for value, label in ExerciseLevel.choices}
LEVELS.update({"省": "province", "市": "city", "县": "county", "区县": "county", "县区": "county", "乡": "township",
               "乡镇": "township"})
FIELDS = {str(label): value for value, label in MatterField.choices}
LEGAL_LEVELS = {str(label): value for value, label in LegalLevel.choices}
METHODS = {str(label): value for value, label in VerificationMethod.choices}
METHODS.update({"数据共享": "data_sharing", "在线核查": "data_sharing", "协查": "assistance", "现场检查": "on_site",
                "公示": "publicity", "免核查": "exempt"})
RISKS = {str(label): value for value, label in RiskCategory.choices}
YES = {"是", "Y", "YES", "TRUE", "1", "实行"}
NO = {"否", "N", "NO", "FALSE", "0", "不实行"}

BASIS_RE = re.compile(r"^《([^》]+)》(?:（([^）]*)）)?(.*)$", re.S)
SPLIT_RE = re.compile(r"[、,，;；/\s]+")


@dataclass
class Problem:
    row: int
    column: str
    message: str


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


class TooLarge(ValueError):
    """A file refused for its size before it is read in full."""


def read_table(data: bytes, filename: str = "") -> list[list[str]]:
    """The file's cells as text rows. Raises ``ValueError`` (Chinese message) for a file that is not a table."""
    if not data:
        raise ValueError(_("文件是空的。"))
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(_("文件不能超过 5 MB。"))
    if data[:4] == b"PK\x03\x04":
        from openpyxl import load_workbook

        _check_archive(data)
        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
            sheet = workbook.worksheets[0]
            rows = _limited(["" if v is None else str(v).strip() for v in row]
                            for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
            workbook.close()
        except TooLarge:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means "not a readable workbook"
            raise ValueError(_("无法读取该 XLSX 文件，请确认它是 Excel 工作簿。")) from exc
        return _fix_integers(rows)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValueError(_("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。"))
    if b"\x00" in data[:4096]:
        raise ValueError(_("该文件不是 XLSX 或 CSV 表格。"))
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ValueError(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))
    try:
        return _limited([cell.strip() for cell in row[:MAX_COLUMNS]] for row in csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ValueError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc


def _check_archive(data: bytes):
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError) as exc:
        raise ValueError(_("无法读取该 XLSX 文件，请确认它是 Excel 工作簿。")) from exc
    if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
        raise TooLarge(_("该 XLSX 文件解压后超过 %(mb)s MB，未导入。请删去多余的工作表、图片或空行后再导入。")
                       % {"mb": MAX_UNZIPPED_BYTES // (1024 * 1024)})


def _limited(rows) -> list[list[str]]:
    table = []
    for line, row in enumerate(rows):
        if line >= MAX_LINES:
            raise TooLarge(_("一次最多导入%(n)s行。") % {"n": MAX_ROWS})
        table.append(row)
    return table


def _fix_integers(rows):
    # openpyxl gives numbers as floats ("1.0"); a list's 序号 and 时限 are integers.
    return [[c[:-2] if re.fullmatch(r"\d+\.0", c) else c for c in row] for row in rows]


def parse(data: bytes, agency: Agency, filename: str = "") -> ParseResult:
    """Check a whole file for ``agency``'s catalogue. Every problem is collected; nothing is written."""
    result = ParseResult()
    try:
        table = read_table(data, filename)
    except ValueError as exc:
        result.problems.append(Problem(0, "", str(exc)))
        return result
    table = [row for row in table if any(row)]
    if not table:
        result.problems.append(Problem(0, "", _("文件中没有内容。")))
        return result
    header = table[0]
    columns = {}
    for i, name in enumerate(header):
        name = name.strip()
        if not name:
            continue
        if name in columns:
            result.problems.append(Problem(1, name, _("列名重复。")))
        elif name not in COLUMNS and name not in EXTRA_COLUMNS:
            result.problems.append(Problem(1, name, _("无法识别的列。清单应使用以下列：%(cols)s") % {"cols": "、".join(COLUMNS)}))
        columns[name] = i
    for name in COLUMNS:
        if name not in columns:
            result.problems.append(Problem(1, name, _("缺少此列。")))
    if result.problems:
        return result
    if len(table) - 1 > MAX_ROWS:
        result.problems.append(Problem(0, "", _("一次最多导入%(n)s行。") % {"n": MAX_ROWS}))
        return result

    agencies = _agency_lookup()
    services = dict(AdministrativeService.objects.filter(agency=agency).values_list("name", "kind"))
    seen_pairs: dict[tuple[str, str], int] = {}
    seen_seqs: dict[int, int] = {}
    service_kinds: dict[str, tuple[str, int]] = {}
    for offset, cells in enumerate(table[1:]):
        line = offset + 2
        get = lambda name, cells=cells: cells[columns[name]].strip() if name in columns and columns[name] < len(cells) else ""  # noqa: E731
        problems = []

        def problem(column, message, problems=problems, line=line):
            problems.append(Problem(line, column, message))

        for name in REQUIRED_CELLS:
            if not get(name):
                problem(name, _("此项不能为空。"))
        row = {"name": get("证明名称")[:200], "service_name": get("证明用途")[:200]}

        seq_text = get("序号")
        if not seq_text:
            row["seq"] = offset + 1
        elif seq_text.isdecimal() and len(seq_text) <= 6 and int(seq_text) >= 1:
            row["seq"] = int(seq_text)
        else:
            problem("序号", _("序号应为正整数。"))
            row["seq"] = offset + 1
        if row["seq"] in seen_seqs:
            problem("序号", _("序号与第%(line)s行重复。") % {"line": seen_seqs[row["seq"]]})
        seen_seqs.setdefault(row["seq"], line)

        pair = (row["name"], row["service_name"])
        if all(pair):
            if pair in seen_pairs:
                problem("证明名称", _("与第%(line)s行重复（证明名称和证明用途相同）。") % {"line": seen_pairs[pair]})
            seen_pairs.setdefault(pair, line)

        basis = get("设定依据")
        match = BASIS_RE.match(basis)
        if match:
            row["legal_basis_name"], row["legal_basis_number"], row["legal_basis_article"] = (
                match.group(1).strip(), (match.group(2) or "").strip(), match.group(3).strip())
        else:
            row["legal_basis_name"], row["legal_basis_number"], row["legal_basis_article"] = basis[:200], "", ""

        requesting = get("索要单位")
        row["requesting_agency"] = agencies.get(requesting)
        if requesting and row["requesting_agency"] is None:
            problem("索要单位", _("未找到单位“%(name)s”，请填写平台登记的单位全称。") % {"name": requesting})
        row["issuing_unit"] = "" if get("开具单位") in ("—", "-", "无") else get("开具单位")[:200]

        row["exercise_level"] = _choice(get("行使层级"), LEVELS, "行使层级", problem)
        kind_text = get("事项类型")
        row["service_kind"] = _choice(kind_text, SERVICE_KINDS, "事项类型", problem)
        name = row["service_name"]
        if row["service_kind"] and name:
            known = services.get(name)
            if known and known != row["service_kind"]:
                problem("事项类型", _("办理事项“%(name)s”已登记为“%(kind)s”，与本行不一致。")
                        % {"name": name, "kind": SERVICE_KIND_LABELS.get(known, known)})
            earlier = service_kinds.get(name)
            if earlier and earlier[0] != row["service_kind"]:
                problem("事项类型", _("与第%(line)s行同一办理事项的事项类型不一致。") % {"line": earlier[1]})
            service_kinds.setdefault(name, (row["service_kind"], line))

        allowed_text = get("是否实行告知承诺").upper()
        if allowed_text in YES:
            row["commitment_allowed"] = True
        elif allowed_text in NO:
            row["commitment_allowed"] = False
        else:
            row["commitment_allowed"] = True
            if allowed_text:
                problem("是否实行告知承诺", _("应填写“是”或“否”。"))

        reason = get("不能实行告知承诺的原因")
        row["exclusion_category"], row["exclusion_reason"] = "", ""
        if row["commitment_allowed"] and reason:
            problem("不能实行告知承诺的原因", _("实行告知承诺的事项不应填写不能实行的原因。"))
        elif not row["commitment_allowed"]:
            if not reason:
                problem("不能实行告知承诺的原因", _("不实行告知承诺的事项须写明原因。"))
            else:
                category, text = _risk(reason)
                if not category:
                    problem("不能实行告知承诺的原因", _("原因须注明风险类别（%(cats)s），如“公共安全：……”。")
                            % {"cats": "、".join(RISKS)})
                row["exclusion_category"], row["exclusion_reason"] = category, text

        methods = [m for m in SPLIT_RE.split(get("核查方式")) if m]
        row["verification_methods"] = []
        for method in methods:
            if method in METHODS:
                if METHODS[method] not in row["verification_methods"]:
                    row["verification_methods"].append(METHODS[method])
            else:
                problem("核查方式", _("无法识别的核查方式“%(m)s”，可填：%(all)s。")
                        % {"m": method, "all": "、".join(str(label) for label in VerificationMethod.labels)})
        if row["commitment_allowed"] and not methods:
            problem("核查方式", _("实行告知承诺的事项须写明核查方式。"))

        field_text = get("所属领域")
        row["field"] = _choice(field_text, FIELDS, "所属领域", problem) if field_text else MatterField.OTHER
        level_text = get("效力层级")
        row["legal_basis_level"] = _choice(level_text, LEGAL_LEVELS, "效力层级", problem) if level_text else LegalLevel.LAW
        days = get("核查时限（工作日）")
        row["verification_days"] = None
        if days:
            if days.isdecimal() and len(days) <= 2 and 1 <= int(days) <= 90:
                row["verification_days"] = int(days)
            else:
                problem("核查时限（工作日）", _("核查时限应为1到90之间的整数（工作日）。"))

        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append(row)
    if not table[1:]:
        result.problems.append(Problem(0, "", _("文件只有表头，没有证明事项。")))
    return result


def _choice(text, mapping, column, problem):
    if not text:
        return ""
    if text in mapping:
        return mapping[text]
    problem(column, _("无法识别“%(v)s”，可填：%(all)s。") % {"v": text, "all": "、".join(dict.fromkeys(mapping))})
    return ""


def _risk(reason: str) -> tuple[str, str]:
    for sep in ("：", ":"):
        head, found, rest = reason.partition(sep)
        if found and head.strip() in RISKS and rest.strip():
            return RISKS[head.strip()], rest.strip()
    for label, value in RISKS.items():
        if label in reason:
            return value, reason
    return "", reason


def _agency_lookup() -> dict[str, Agency]:
    lookup = {}
    for agency in Agency.objects.filter(is_active=True).only("pk", "code", "name", "short_name"):
        for key in (agency.code, agency.short_name, agency.name):
            if key:
                lookup.setdefault(key, agency)
    return lookup


# --- export --------------------------------------------------------------------------------------


def matter_row(matter: CertificationMatter) -> list:
    """One matter in the list's columns (and the portal's extra columns), as import reads them back."""
    reason = ""
    if not matter.commitment_allowed:
        reason = f"{matter.get_exclusion_category_display()}：{matter.exclusion_reason}"
    return [
        matter.seq, matter.name, matter.service.name, matter.legal_basis, matter.requesting_agency.name,
        matter.issuing_unit, matter.get_exercise_level_display(), str(SERVICE_KIND_LABELS[matter.service.kind]),
        "、".join(matter.verification_method_labels()), "是" if matter.commitment_allowed else "否", reason,
        matter.get_field_display(), matter.get_legal_basis_level_display(), matter.verification_days or "",
    ]


def to_csv(header: list[str], rows) -> bytes:
    """CSV as Excel opens it without asking: UTF-8 with a byte-order mark."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([_safe_cell(c) for c in row])
    return buffer.getvalue().encode("utf-8-sig")


def to_xlsx(header: list[str], rows, title: str = "证明事项清单") -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title[:31])
    sheet.append(header)
    for row in rows:
        sheet.append([_safe_cell(c) for c in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _safe_cell(value):
    # A cell starting with = + - @ (or a tab or carriage return before one) would run as a formula in a
    # spreadsheet (CSV injection).
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r") and value not in ("-", "—"):
        return "'" + value
    return value
