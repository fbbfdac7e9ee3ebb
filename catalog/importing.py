"""Reading and writing catalogue files in the real list's columns (XLSX, or CSV in UTF-8 or GBK).

``parse`` checks a whole file and returns either the rows or *every* problem as (row, column,
message); it writes nothing. ``services.import_matters`` then writes the rows in one transaction,
so a bad file imports nothing.
"""

import csv
import difflib
import io
import re
import zipfile
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from portal.models import Agency

from .columns import ARTICLE_COLUMN, COLUMNS, EXTRA_COLUMNS, IGNORED_COLUMN, NEGATIVE_COLUMN
from .models import (
    AdministrativeService,
    CertificationMatter,
    ExerciseLevel,
    LegalLevel,
    MatterField,
    RiskCategory,
    VerificationMethod,
)

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

RISK_WORDS = {"安全生产": "public_safety", "公共安全": "public_safety", "生命财产": "life_health_property",
              "人身健康": "life_health_property", "生态环境": "ecology", "环境保护": "ecology", "金融": "financial_supervision",
              "涉外": "foreign_affairs", "国家秘密": "state_secrets", "国家安全": "national_security"}
# 设定依据 written as the basis's rank only (a list that puts the text in a separate 依据条文 column).
BASIS_LEVEL_WORDS = {**{str(label): value for value, label in LegalLevel.choices},
                     "法规": "admin_regulation", "规章": "departmental_rule"}
LEVEL_COLUMN = "行使层级"
TICKED = {"√", "✓", "✔", "是", "Y", "y", "1", "●", "○", "■", "☑", "★", "v", "V"}
# A title such as “常德市司法局实行告知承诺制证明事项目录” states that every row is under commitment; such a list
# often has no 是否实行告知承诺 column. A title about kept, cancelled or excluded proofs says no such thing.
COMMITMENT_TITLE_RE = re.compile(r"实行告知承诺")
NOT_COMMITMENT_TITLE_RE = re.compile(r"不实行|不能实行|不予实行|不适用|保留|取消")
NOTE_RE = re.compile(r"^(?:\*|(?:注|备注|说明|填表说明|附注|附件)\s*[：:0-9一二三四五六七八九十、.（(])")
HEADER_SCAN_ROWS = 15
SUGGESTIONS = 3

BASIS_RE = re.compile(r"^《([^》]+)》(?:（([^）]*)）)?(.*)$", re.S)
SPLIT_RE = re.compile(r"[、,，;；/\s]+")


@dataclass
class Problem:
    row: int
    column: str
    message: str
    suggestions: list[str] = field(default_factory=list)


@dataclass
class Mapping:
    """How one wording was understood: shown in the preview as original → normalised."""

    column: str
    original: str
    normalised: str
    rows: list[int] = field(default_factory=list)


@dataclass
class ParseResult:
    rows: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    columns: list[tuple[str, str]] = field(default_factory=list)  # (header as written, standard column or "")
    mappings: list[Mapping] = field(default_factory=list)
    unknown: list[Mapping] = field(default_factory=list)  # unknown values; ``normalised`` holds suggestions
    skipped: list[tuple[int, str]] = field(default_factory=list)  # title and note rows left out

    @property
    def ok(self) -> bool:
        return not self.problems


class TooLarge(ValueError):
    """A file refused for its size before it is read in full."""


def read_table(data: bytes, filename: str = "") -> list[list[str]]:
    """The file's cells as text rows. Raises ``ValueError`` (Chinese message) for a file that is not a table.

    A workbook's merged cells (two-row headers, a 事项类型 spanning several rows) give their value
    to every cell they cover, as a reader of the printed list sees it."""
    if not data:
        raise ValueError(_("文件是空的。"))
    if len(data) > MAX_FILE_BYTES:
        raise TooLarge(_("文件不能超过 5 MB。"))
    if data[:4] == b"PK\x03\x04":
        _check_archive(data)
        try:
            rows = _workbook_rows(data)
        except TooLarge:
            raise
        except Exception as exc:  # noqa: BLE001 - any failure means "not a readable workbook"
            raise ValueError(_("无法读取该 XLSX 文件，请确认它是 Excel 工作簿。")) from exc
        return _fix_integers(rows)
    if data[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise ValueError(_("不支持旧版 Excel（.xls）文件，请在 Excel 中另存为 .xlsx 或 CSV 后再导入。"))
    if b"\x00" in data[:4096]:
        raise ValueError(_("该文件不是 XLSX 或 CSV 表格。"))
    text = decode_text(data)
    try:
        return _limited([cell.strip() for cell in row[:MAX_COLUMNS]] for row in csv.reader(io.StringIO(text)))
    except csv.Error as exc:
        raise ValueError(_("CSV 文件格式有误：%(error)s") % {"error": exc}) from exc


def decode_text(data: bytes) -> str:
    """UTF-8 (with or without BOM), else GB18030 (a superset of GBK and GB2312, as Excel and WPS save a
    “CSV” on a Chinese Windows). Strict decoding: bytes valid in neither are refused, not guessed."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValueError(_("无法识别文件编码，请另存为 UTF-8 或 GBK 编码的 CSV。"))


def _workbook_rows(data: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    # Read-only (streaming): a sheet declaring a million rows stops at the row limit, and memory
    # stays small whatever the cells are.
    workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    try:
        sheet = workbook.worksheets[0]
        rows = _limited(["" if v is None else str(v).strip() for v in row]
                        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True))
        path = getattr(sheet, "_worksheet_path", "")
    finally:
        workbook.close()
    for ref in _merged_ranges(data, path):
        _fill_merged(rows, ref)
    while rows and not any(rows[-1]):
        rows.pop()
    return rows


def _merged_ranges(data: bytes, path: str) -> list[str]:
    """The sheet's merged ranges (``<mergeCell ref="A1:M1"/>``), read by streaming its XML: a read-only
    worksheet does not know them."""
    from defusedxml.ElementTree import iterparse  # no entity expansion from an uploaded file

    if not path:
        return []
    refs = []
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        try:
            member = archive.open(path.lstrip("/"))
        except KeyError:
            return []
        with member:
            for _event, element in iterparse(member):
                if element.tag.endswith("}mergeCell") and element.get("ref"):
                    refs.append(element.get("ref"))
                    if len(refs) > MAX_LINES:
                        break
                element.clear()
    return refs


def _fill_merged(rows: list[list[str]], ref: str):
    """Give a merged range's value (its top-left cell's) to every cell it covers, within the table read."""
    from openpyxl.utils.cell import range_boundaries

    try:
        min_col, min_row, max_col, max_row = range_boundaries(ref)
    except (ValueError, TypeError):
        return
    if min_row > len(rows):
        return
    top = rows[min_row - 1]
    value = top[min_col - 1] if min_col - 1 < len(top) else ""
    for r in range(min_row, min(max_row, len(rows)) + 1):
        row = rows[r - 1]
        last = min(max_col, MAX_COLUMNS)
        if len(row) < last:
            row.extend([""] * (last - len(row)))
        for c in range(min_col, last + 1):
            row[c - 1] = value


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


# --- vocabulary: the standard words plus the justice bureau's synonyms (catalog.ImportSynonym) -----


def _norm(text: str) -> str:
    """One spelling for comparison: no spaces or line breaks, full-width brackets, upper-case Latin."""
    text = "".join(str(text).split())
    return text.replace("(", "（").replace(")", "）").replace(":", "：").upper()


@dataclass
class Vocabulary:
    columns: dict[str, str]
    methods: dict[str, str]
    levels: dict[str, str]
    kinds: dict[str, str]
    risks: dict[str, str]

    def lookup(self, mapping: dict[str, str], text: str) -> str | None:
        return mapping.get(_norm(text))

    def column(self, text: str) -> str | None:
        key = _norm(text)
        if key in self.columns:
            return self.columns[key]
        bare = re.sub(r"（[^）]*）", "", key)  # 证明名称（材料） → 证明名称
        return self.columns.get(bare) if bare else None


def vocabulary() -> Vocabulary:
    """The words the importer knows, read fresh for every file (a synonym added in the admin counts at once)."""
    from .models import ImportSynonym

    def normed(mapping):
        return {_norm(k): v for k, v in mapping.items()}

    columns = normed({name: name for name in (*COLUMNS, *EXTRA_COLUMNS)})
    methods, levels, kinds = normed(METHODS), normed(LEVELS), normed(SERVICE_KINDS)
    risks = dict(RISK_WORDS)
    columns[_norm(ARTICLE_COLUMN)] = ARTICLE_COLUMN
    columns[_norm(IGNORED_COLUMN)] = IGNORED_COLUMN
    target = {ImportSynonym.Kind.COLUMN: columns, ImportSynonym.Kind.METHOD: methods,
              ImportSynonym.Kind.LEVEL: levels, ImportSynonym.Kind.SERVICE_KIND: kinds}
    for kind, text, value in ImportSynonym.objects.values_list("kind", "text", "value"):
        if kind in target:
            target[kind][_norm(text)] = value
    return Vocabulary(columns=columns, methods=methods, levels=levels, kinds=kinds, risks=risks)


def suggest(text: str, choices) -> list[str]:
    """The closest known wordings (difflib), best first."""
    choices = list(dict.fromkeys(choices))
    found = difflib.get_close_matches(text, choices, n=SUGGESTIONS, cutoff=0.3)
    if not found:  # a shared character is better than nothing for two- to four-character terms
        found = [c for c in choices if set(c) & set(text)][:SUGGESTIONS]
    return found


# --- the table's layout: title rows, one- or two-row headers, tick columns, notes ---------------


@dataclass
class Layout:
    start: int  # index of the (first) header row
    header_rows: int  # index of the first data row
    index: dict[str, int]  # standard column → cell index
    level_ticks: dict[int, str]  # cell index → level code, for lists that tick 省级/市级/县级 columns
    columns: list[tuple[str, str]]
    unknown_columns: list[tuple[int, str]]
    duplicates: list[str]


def _layout(table, vocab: Vocabulary) -> Layout | None:
    best = None
    for i, row in enumerate(table[:HEADER_SCAN_ROWS]):
        known = {vocab.column(c) for c in row if c and vocab.column(c)}
        if len(known) >= 3:
            best = i
            break
    if best is None:
        return None
    top = table[best]
    sub = table[best + 1] if best + 1 < len(table) else []
    sub_known = sum(1 for c in sub if c and (vocab.column(c) or vocab.lookup(vocab.levels, c)))
    two_rows = sub_known >= 2 and not any(c.isdecimal() for c in sub[:1])
    width = max(len(top), len(sub) if two_rows else 0)
    index, ticks, columns, unknown, duplicates = {}, {}, [], [], []
    for j in range(width):
        upper = top[j] if j < len(top) else ""
        lower = (sub[j] if j < len(sub) else "") if two_rows else ""
        written = upper if not lower or lower == upper else (f"{upper} / {lower}" if upper else lower)
        if not written:
            continue
        name = None
        if lower and vocab.column(upper) == LEVEL_COLUMN and vocab.lookup(vocab.levels, lower):
            ticks[j] = vocab.lookup(vocab.levels, lower)
            columns.append((written, f"{LEVEL_COLUMN}：{lower}"))
            continue
        if lower:
            name = vocab.column(lower)
        if name is None:
            name = vocab.column(upper)
        if name is None:
            unknown.append((j, written))
            columns.append((written, ""))
            continue
        if name == IGNORED_COLUMN:
            columns.append((written, name))
            continue
        if name in index:
            duplicates.append(written)
        index.setdefault(name, j)
        columns.append((written, name))
    return Layout(best, best + (2 if two_rows else 1), index, ticks, columns, unknown, duplicates)


def _is_note(cells) -> bool:
    """A title, signature or note line rather than a matter: “注：……”, one sentence merged across the row,
    or one long sentence in a single cell."""
    filled = [c for c in cells if c]
    if not filled:
        return True
    if NOTE_RE.match(filled[0]):
        return True
    if len(filled) > 1 and len(set(filled)) == 1:
        return True
    return len(filled) == 1 and len(filled[0]) > 30


def parse(data: bytes, agency: Agency, filename: str = "") -> ParseResult:
    """Check a whole file for ``agency``'s catalogue. Every problem is collected; nothing is written."""
    result = ParseResult()
    try:
        table = read_table(data, filename)
    except ValueError as exc:
        result.problems.append(Problem(0, "", str(exc)))
        return result
    if not any(any(row) for row in table):
        result.problems.append(Problem(0, "", _("文件中没有内容。")))
        return result
    vocab = vocabulary()
    layout = _layout(table, vocab)
    if layout is None:
        result.problems.append(Problem(1, "", _("找不到表头行：前%(n)s行中没有一行包含清单的列名（%(cols)s）。")
                                       % {"n": HEADER_SCAN_ROWS, "cols": "、".join(COLUMNS)}))
        return result
    result.columns = layout.columns
    header_line = layout.start + 1
    for _col, written in layout.unknown_columns:
        result.problems.append(Problem(header_line, written, _("无法识别的列。可由司法局在“导入同义词”中登记该列名。"),
                                       suggest(written, [*COLUMNS, *EXTRA_COLUMNS])))
    for written in layout.duplicates:
        result.problems.append(Problem(header_line, written, _("列名重复。")))
    columns = layout.index
    # 核查方式 is not required: published 目录 often leave it out (湖南's template has no such column). Rows then
    # import without it and the draft cannot be submitted until every committed matter has one
    # (services.incomplete_matters), as for the notification texts an import never carries.
    required = [c for c in COLUMNS if c not in ("是否实行告知承诺", "不能实行告知承诺的原因", "序号", "开具单位", "核查方式")]
    for name in required:
        if name == LEVEL_COLUMN and layout.level_ticks:
            continue
        if name not in columns:
            result.problems.append(Problem(header_line, name, _("缺少此列。")))
    titles = [next(c for c in row if c) for row in table[:layout.start] if any(row)]
    for i, row in enumerate(table[:layout.start]):
        if any(row):
            result.skipped.append((i + 1, next(c for c in row if c)[:80]))
    commitment_title = next((t for t in titles if COMMITMENT_TITLE_RE.search(t)
                             and not NOT_COMMITMENT_TITLE_RE.search(t)), "")
    if "是否实行告知承诺" not in columns and "不能实行告知承诺的原因" not in columns and not commitment_title:
        result.problems.append(Problem(header_line, "是否实行告知承诺", _("缺少此列。")))
    if result.problems:
        return result
    data_rows = [(i + 1, row) for i, row in enumerate(table) if i >= layout.header_rows]
    body = []
    for line, row in data_rows:
        if not any(row):
            continue
        if _is_note(row):
            result.skipped.append((line, next(c for c in row if c)[:80]))
            continue
        body.append((line, row))
    if len(body) > MAX_ROWS:
        result.problems.append(Problem(0, "", _("一次最多导入%(n)s行。") % {"n": MAX_ROWS}))
        return result
    if not body:
        result.problems.append(Problem(0, "", _("文件只有表头，没有证明事项。")))
        return result
    _parse_rows(result, body, layout, vocab, agency, bool(commitment_title))
    return result


def _parse_rows(result: ParseResult, body, layout: Layout, vocab: Vocabulary, agency: Agency,
                commitment_title: bool = False):
    columns = layout.index
    agencies = _agency_lookup()
    services = dict(AdministrativeService.objects.filter(agency=agency).values_list("name", "kind"))
    seen_pairs: dict[tuple[str, str], int] = {}
    seen_seqs: dict[int, int] = {}
    service_kinds: dict[str, tuple[str, int]] = {}
    mapped: dict[tuple[str, str, str], Mapping] = {}
    unknown: dict[tuple[str, str], Mapping] = {}
    has_allowed_column = "是否实行告知承诺" in columns

    def understood(column, original, label, line):
        if original == label:
            return
        item = mapped.setdefault((column, original, label), Mapping(column, original, label))
        item.rows.append(line)

    for offset, (line, cells) in enumerate(body):
        get = lambda name, cells=cells: cells[columns[name]].strip() if name in columns and columns[name] < len(cells) else ""  # noqa: E731
        problems = []

        def problem(column, message, suggestions=(), problems=problems, line=line):
            problems.append(Problem(line, column, message, list(suggestions)))

        def choose(column, text, mapping, labels, line=line, problem=problem):
            if not text:
                return ""
            code = vocab.lookup(mapping, text)
            if code is None or code not in labels:
                hints = suggest(text, _labels_and_synonyms(mapping, labels))
                item = unknown.setdefault((column, text), Mapping(column, text, "、".join(hints)))
                item.rows.append(line)
                problem(column, _("无法识别“%(v)s”。%(hint)s") % {
                    "v": text, "hint": (_("最接近的写法：%(s)s。") % {"s": "、".join(hints)}) if hints else ""}, hints)
                return ""
            understood(column, text, str(labels[code]), line)
            return code

        for name in ("证明名称", "证明用途", "设定依据", "索要单位", "事项类型"):
            if name in columns and not get(name):
                problem(name, _("此项不能为空。"))
        row = {"name": " ".join(get("证明名称").split())[:200], "service_name": " ".join(get("证明用途").split())[:200]}

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

        _basis(row, get("设定依据"), get(ARTICLE_COLUMN), row["name"], problem, understood, line)

        requesting = get("索要单位")
        row["requesting_agency"] = agencies.get(requesting) or agencies.get(_norm(requesting))
        if requesting and row["requesting_agency"] is None:
            hints = suggest(requesting, [a.name for a in set(agencies.values())])
            problem("索要单位", _("未找到单位“%(name)s”，请填写平台登记的单位全称。") % {"name": requesting}, hints)
        issuing = get("开具单位")
        row["issuing_unit"] = "" if issuing in ("—", "-", "无", "/") else issuing[:200]

        level_labels = dict(ExerciseLevel.choices)
        if layout.level_ticks:
            ticked = [code for j, code in layout.level_ticks.items() if j < len(cells) and cells[j].strip() in TICKED]
            if len(ticked) == 1:
                row["exercise_level"] = ticked[0]
                understood(LEVEL_COLUMN, "√", str(level_labels[ticked[0]]), line)
            else:
                row["exercise_level"] = ""
                problem(LEVEL_COLUMN, _("行使层级应在省级、市级、县级、乡级中勾选一项。"))
        else:
            row["exercise_level"] = choose(LEVEL_COLUMN, get(LEVEL_COLUMN), vocab.levels, level_labels)
            if not get(LEVEL_COLUMN):
                problem(LEVEL_COLUMN, _("此项不能为空。"))
        kind_text = get("事项类型")
        row["service_kind"] = choose("事项类型", kind_text, vocab.kinds, dict(AdministrativeService.Kind.choices))
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

        reason = get("不能实行告知承诺的原因")
        if has_allowed_column:
            allowed_text = get("是否实行告知承诺").upper()
            if allowed_text in YES:
                row["commitment_allowed"] = True
            elif allowed_text in NO:
                row["commitment_allowed"] = False
            else:
                row["commitment_allowed"] = True
                problem("是否实行告知承诺", _("应填写“是”或“否”。") if allowed_text else _("此项不能为空。"))
        else:
            # A list without the yes/no column: a stated reason means “not under commitment”.
            row["commitment_allowed"] = not reason
            understood("是否实行告知承诺", _("（未设此列，按标题）") if commitment_title and not reason else _("（未设此列）"),
                       "否" if reason else "是", line)

        row["exclusion_category"], row["exclusion_reason"] = "", ""
        if row["commitment_allowed"] and reason:
            problem("不能实行告知承诺的原因", _("实行告知承诺的事项不应填写不能实行的原因。"))
        elif not row["commitment_allowed"]:
            if not reason:
                problem("不能实行告知承诺的原因", _("不实行告知承诺的事项须写明原因。"))
            else:
                category, text = _risk(reason, vocab)
                if not category:
                    problem("不能实行告知承诺的原因", _("原因须注明风险类别（%(cats)s），如“公共安全：……”。")
                            % {"cats": "、".join(RISKS)})
                elif text == reason:  # the category was read from the wording, not written as “类别：”
                    understood("不能实行告知承诺的原因", reason[:40], str(dict(RiskCategory.choices)[category]), line)
                row["exclusion_category"], row["exclusion_reason"] = category, text

        methods_text = get("核查方式")
        methods = [m for m in SPLIT_RE.split(methods_text) if m]
        row["verification_methods"] = []
        method_labels = dict(VerificationMethod.choices)
        for method in methods:
            code = choose("核查方式", method, vocab.methods, method_labels)
            if code and code not in row["verification_methods"]:
                row["verification_methods"].append(code)
        if row["commitment_allowed"] and not methods:
            if "核查方式" in columns:
                problem("核查方式", _("实行告知承诺的事项须写明核查方式。"))
            else:
                understood("核查方式", _("（未设此列）"), _("导入后逐项补填，补齐前不能提交审核"), line)

        field_text = get("所属领域")
        row["field"] = _choice(field_text, FIELDS, "所属领域", problem) if field_text else MatterField.OTHER
        level_text = get("效力层级")
        if level_text:
            row["legal_basis_level"] = _choice(level_text, LEGAL_LEVELS, "效力层级", problem)
        row.setdefault("legal_basis_level", LegalLevel.LAW)
        days = get("核查时限（工作日）")
        row["verification_days"] = None
        if days:
            if days.isdecimal() and len(days) <= 2 and 1 <= int(days) <= 90:
                row["verification_days"] = int(days)
            else:
                problem("核查时限（工作日）", _("核查时限应为1到90之间的整数（工作日）。"))
        # 负面清单 as free text: each line one entry, kept as a question (the editor may then make it a condition).
        row["negative_list"] = negative_lines(get(NEGATIVE_COLUMN)) if NEGATIVE_COLUMN in columns else None

        if problems:
            result.problems.extend(problems)
        else:
            result.rows.append(row)
    result.mappings = sorted(mapped.values(), key=lambda m: (m.column, m.rows[0]))
    result.unknown = sorted(unknown.values(), key=lambda m: (m.column, m.rows[0]))


def _labels_and_synonyms(mapping: dict[str, str], labels) -> list[str]:
    return [str(label) for label in labels.values()] + list(mapping)


def _basis(row, basis, article, name, problem, understood, line):
    """设定依据 → (name, number, article, level). Also reads lists that give only the rank (“法规”) in
    设定依据 and the text in a separate 依据条文 column: the law's name is then the 《…》 the text starts
    with, else the one in the proof's name (“能够证明符合《条例》第十八条……”), else the first in the text."""
    # Half-width brackets are as common as full-width ones: 《办法》(总局令第55号)第三章.
    basis = " ".join(basis.split()).replace("(", "（").replace(")", "）")
    article = " ".join(article.split()).replace("(", "（").replace(")", "）")
    level = BASIS_LEVEL_WORDS.get(basis)
    if level:
        row["legal_basis_level"] = level
        # The text may quote a certificate (《……许可证》); a law is named first in the text or in the proof.
        found = re.match(r"《([^》]+)》", article) or re.search(r"《([^》]+)》", name) or re.search(r"《([^》]+)》", article)
        if not found:
            problem("设定依据", _("设定依据只写了“%(v)s”，条文中也没有《法律名称》。") % {"v": basis})
            row["legal_basis_name"], row["legal_basis_number"], row["legal_basis_article"] = basis, "", article
            return
        rest = BASIS_RE.match(article) if article.startswith("《") else None
        if rest:
            row["legal_basis_name"], row["legal_basis_number"], row["legal_basis_article"] = (
                rest.group(1).strip()[:200], (rest.group(2) or "").strip()[:100], rest.group(3).strip())
        else:
            row["legal_basis_name"], row["legal_basis_number"], row["legal_basis_article"] = (
                found.group(1).strip()[:200], "", article)
        understood("设定依据", basis, f"《{row['legal_basis_name']}》（{dict(LegalLevel.choices)[level]}）", line)
        return
    text = f"{basis}{article}" if article and article not in basis else basis
    match = BASIS_RE.match(text)
    if match:
        row["legal_basis_name"], row["legal_basis_number"], row["legal_basis_article"] = (
            match.group(1).strip()[:200], (match.group(2) or "").strip()[:100], match.group(3).strip())
    else:
        row["legal_basis_name"], row["legal_basis_number"], row["legal_basis_article"] = text[:200], "", ""


def _choice(text, mapping, column, problem):
    if not text:
        return ""
    if text in mapping:
        return mapping[text]
    hints = suggest(text, list(mapping))
    problem(column, _("无法识别“%(v)s”，可填：%(all)s。") % {"v": text, "all": "、".join(dict.fromkeys(mapping))}, hints)
    return ""


def _risk(reason: str, vocab: Vocabulary | None = None) -> tuple[str, str]:
    for sep in ("：", ":"):
        head, found, rest = reason.partition(sep)
        if found and head.strip() in RISKS and rest.strip():
            return RISKS[head.strip()], rest.strip()
    for label, value in RISKS.items():
        if label in reason:
            return value, reason
    for word, value in (vocab.risks if vocab else RISK_WORDS).items():
        if word in reason:
            return value, reason
    return "", reason


def _agency_lookup() -> dict[str, Agency]:
    lookup = {}
    for agency in Agency.objects.filter(is_active=True).only("pk", "code", "name", "short_name"):
        for key in (agency.code, agency.short_name, agency.name):
            if key:
                lookup.setdefault(key, agency)
                lookup.setdefault(_norm(key), agency)
    return lookup


def describe(result: ParseResult) -> list[str]:
    """The preview as plain lines (for ``manage.py import_catalogue``)."""
    lines = [_("列："), *[f"  {written} → {std or _('（无法识别）')}" for written, std in result.columns]]
    if result.skipped:
        lines.append(_("未作为证明事项读取的行（标题、说明）："))
        lines += [f"  {_('第%(r)s行') % {'r': r}}：{text}" for r, text in result.skipped]
    if result.mappings:
        lines.append(_("按同义词理解的内容："))
        lines += [f"  {m.column}：{m.original} → {m.normalised}（{_('第%(r)s行') % {'r': _rows(m.rows)}}）"
                  for m in result.mappings]
    if result.unknown:
        lines.append(_("无法识别的内容："))
        lines += [f"  {m.column}：{m.original}（{_('第%(r)s行') % {'r': _rows(m.rows)}}）"
                  + (f" {_('最接近')}：{m.normalised}" if m.normalised else "") for m in result.unknown]
    return lines


PREVIEW_ROWS = 100


def preview_rows(result: ParseResult, limit: int = PREVIEW_ROWS) -> tuple[list[dict], int]:
    """The first rows as the preview table shows them (standard labels), and how many more there are."""
    levels, methods = dict(ExerciseLevel.choices), dict(VerificationMethod.choices)
    shown = [{**row, "level_label": levels.get(row["exercise_level"], ""),
              "allowed_label": _("是") if row["commitment_allowed"] else _("否"),
              "method_labels": "、".join(str(methods[m]) for m in row["verification_methods"])}
             for row in result.rows[:limit]]
    return shown, max(0, len(result.rows) - limit)


def _rows(rows: list[int]) -> str:
    shown = "、".join(str(r) for r in rows[:8])
    return shown + ("等" if len(rows) > 8 else "")


SUBJECT_PREFIXES = ("对象：", "对象:")


def negative_lines(text: str) -> list[tuple[str, str]]:
    """Free-text negative-list cell → (kind, text): one entry a line (or separated by “；”); “对象：” marks a subject."""
    from .models import NegativeListEntry

    entries = []
    for line in re.split(r"[\n；;]+", text or ""):
        line = line.strip()
        if not line:
            continue
        kind = NegativeListEntry.Kind.SITUATION
        for prefix in SUBJECT_PREFIXES:
            if line.startswith(prefix):
                kind, line = NegativeListEntry.Kind.SUBJECT, line[len(prefix):].strip()
                break
        if line:
            entries.append((kind, line[:300]))
    return list(dict.fromkeys(entries))


def negative_cell(matter: CertificationMatter) -> str:
    return "\n".join(("对象：" if e.kind == "subject" else "") + e.description for e in matter.negative_entries.all())


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
        negative_cell(matter),
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
