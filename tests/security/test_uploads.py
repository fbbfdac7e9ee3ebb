"""Hostile files (issue 9, item 3): lying extensions, oversized files, decompression bombs, SVG with script,
and malformed spreadsheets for the catalogue import (the upload page and the ``import_catalogue`` command).

Every upload goes through ``portal.uploads.check``; each refusal must be a Chinese message beside the
field (never a 500) and must store nothing. A workbook is a zip: its directory is checked before
openpyxl reads it, so a few hundred kilobytes that unpack to a gigabyte are refused at once, without
unpacking them (the peak memory of the refusal is measured with tracemalloc).
"""

import csv
import datetime
import io
import struct
import tracemalloc
import uuid
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook

from catalog import importing
from catalog import services as catalog_services
from catalog.models import CertificationMatter
from commitments import services as commitments
from commitments.models import CommitmentsError, ProofDocument
from credit.models import Attachment, CreditRepair
from portal import uploads
from tests.credit import conftest as credit_fixtures
from tests.security.test_hostile_input import CJK, XSS, assert_safe, hostile
from tests.verification import conftest as verification_fixtures
from verification import services as verification
from verification.models import Inspection, InspectionPhoto

pytestmark = pytest.mark.django_db

# Fixtures borrowed from the apps' conftests: a published catalogue, an accepted application with a
# claimed verification task, and credit records entered through the service.
make_record = credit_fixtures.make_record
always_verify, catalogue, service = (verification_fixtures.always_verify, verification_fixtures.catalogue,
                                     verification_fixtures.service)
accepted, planned, task, claimed = (verification_fixtures.accepted, verification_fixtures.planned,
                                    verification_fixtures.task, verification_fixtures.claimed)


# --- hostile files ---------------------------------------------------------------------------------
def png(width=1, height=1) -> bytes:
    """A real 1-bit greyscale PNG of ``width`` × ``height`` black pixels."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    row = b"\x00" + b"\x00" * ((width + 7) // 8)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row * min(height - i, 1000)) for i in range(0, height, 1000)) + packer.flush()
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", body) + chunk(b"IEND", b""))


def jpeg_bomb() -> bytes:
    """A real 8 × 8 JPEG whose frame header (SOF0) is patched to claim 60 000 × 60 000 pixels."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("L", (8, 8)).save(buffer, "JPEG")
    data = bytearray(buffer.getvalue())
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", 60_000, 60_000)
    return bytes(data)


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GOOD_PNG = png()
BOMB_PNG = png(20_000, 20_000)  # 400 megapixels declared; about 60 KB on disk
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 64
SVG = b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
OVERSIZED = PDF + b"0" * (10 * 1024 * 1024)

REFUSED_EVERYWHERE = {
    "html-as-pdf": ("说明.pdf", HTML),
    "elf-as-pdf": ("证明.pdf", ELF),
    "svg-with-script": ("照片.svg", SVG),
    "svg-as-png": ("照片.png", SVG),
    "oversized-pdf": ("大文件.pdf", OVERSIZED),
    "decompression-bomb-png": ("现场.png", BOMB_PNG),
    "decompression-bomb-jpg": ("现场.jpg", jpeg_bomb()),
    "empty": ("空.pdf", b""),
}


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def test_the_bomb_is_small_on_disk_but_declares_hundreds_of_megapixels():
    from PIL import Image

    assert len(BOMB_PNG) < 200_000
    with pytest.raises(Image.DecompressionBombError):
        Image.open(io.BytesIO(BOMB_PNG))


@pytest.mark.parametrize("case", list(REFUSED_EVERYWHERE))
def test_the_shared_check_refuses_hostile_files_in_chinese(case):
    name, content = REFUSED_EVERYWHERE[case]
    for strict in (False, True):
        with pytest.raises(Exception) as exc:
            uploads.check(upload(name, content), name_must_match=strict)
        assert CJK.search(exc.value.messages[0]) and name in exc.value.messages[0]


def test_the_shared_check_names_the_real_type_and_the_size_limit():
    with pytest.raises(Exception, match="10 MB"):
        uploads.check(upload("大文件.pdf", OVERSIZED))
    with pytest.raises(Exception, match="像素尺寸过大"):
        uploads.check(upload("现场.png", BOMB_PNG))
    checked = uploads.check(upload("照片.png", PDF))  # content decides: a PDF, stored as .pdf
    assert (checked.content_type, checked.extension) == ("application/pdf", ".pdf")
    with pytest.raises(Exception, match="内容与扩展名不符"):
        uploads.check(upload("照片.png", PDF), name_must_match=True)
    assert uploads.check(upload("照片.png", GOOD_PNG), name_must_match=True).content_type == "image/png"


# --- proofs (citizen), paper scans (clerk) -------------------------------------------------------------
@pytest.fixture
def draft(service, citizen):
    application, _created = commitments.start_online(user=citizen, service_id=service.pk, token=uuid.uuid4())
    return application


@pytest.mark.parametrize("case", list(REFUSED_EVERYWHERE))
def test_a_hostile_proof_is_refused_beside_the_field_and_nothing_is_stored(client, citizen, draft, case):
    name, content = REFUSED_EVERYWHERE[case]
    requirement = draft.requirements.first()
    client.force_login(citizen)
    response = client.post(reverse("commitments:upload", args=[draft.pk, requirement.pk]),
                           {"file": upload(name, content), "state": "draft"})
    assert response.status_code == 200
    errors = response.context["form"].errors["file"]
    assert errors and all(CJK.search(e) for e in errors)
    assert not ProofDocument.objects.exists()


def test_a_proof_named_png_holding_a_pdf_is_stored_as_the_pdf_it_is(client, citizen, draft):
    requirement = draft.requirements.first()
    client.force_login(citizen)
    response = client.post(reverse("commitments:upload", args=[draft.pk, requirement.pk]),
                           {"file": upload("照片.png", PDF), "state": "draft"})
    assert response.status_code == 302
    proof = ProofDocument.objects.get()
    assert proof.content_type == "application/pdf" and proof.file.name.endswith(".pdf")


def test_a_paper_scan_that_is_a_bomb_or_a_web_page_is_refused(clerk, service):
    from tests.commitments.conftest import confirmations_for
    from tests.factories import PASSWORD, SubjectFactory

    application, _created = commitments.file_at_window(clerk=clerk, subject=SubjectFactory(name="刘秀英"),
                                                       service_id=service.pk, token=uuid.uuid4())
    requirement = application.requirements.first()
    for name, content in (("scan.png", BOMB_PNG), ("scan.pdf", HTML)):
        with pytest.raises(CommitmentsError) as exc:
            commitments.sign_at_window(clerk=clerk, application_pk=application.pk, requirement_pk=requirement.pk,
                                       signer_name="刘秀英", relation="self", clerk_password=PASSWORD,
                                       identity_checked=True, confirmations=confirmations_for(requirement),
                                       scan=upload(name, content))
        assert exc.value.field == "scan" and CJK.search(exc.value.message)
    assert not application.commitments.exists()


# --- credit repair and objection proofs (citizen) ---------------------------------------------------------
@pytest.fixture
def record(make_record, citizen):
    return make_record(citizen.subject, months_ago=13)


@pytest.mark.parametrize("case", [*REFUSED_EVERYWHERE, "pdf-named-png"])
def test_a_hostile_credit_proof_is_refused_beside_the_field(client, citizen, record, case):
    name, content = REFUSED_EVERYWHERE.get(case, ("整改.png", PDF))
    client.force_login(citizen)
    for url, data in (
        (reverse("credit:apply_repair", args=[record.pk]), {"rectification": "已整改", "agree": "on", "proof": ""}),
        (reverse("credit:raise_objection", args=[record.pk]), {"reasons": "记录有误", "attachments": ""}),
    ):
        field = "proof" if "proof" in data else "attachments"
        response = client.post(url, {**data, field: upload(name, content)})
        assert response.status_code == 200
        errors = response.context["form"].errors[field]
        assert errors and all(CJK.search(e) for e in errors)
    assert not CreditRepair.objects.exists() and not Attachment.objects.exists()


# --- complaint attachments (anonymous and logged in) ------------------------------------------------------
@pytest.mark.parametrize("case", list(REFUSED_EVERYWHERE))
def test_a_hostile_complaint_attachment_is_refused_beside_the_field(client, citizen, agency, case):
    from complaints.models import Ticket, TicketAttachment

    name, content = REFUSED_EVERYWHERE[case]
    client.force_login(citizen)
    response = client.post(reverse("complaints:new"), {
        "kind": "complaint", "topic": "other", "title": "窗口拒收承诺书", "content": "经过如下。",
        "about_agency": agency.pk, "attachments": [upload(name, content)]})
    assert response.status_code == 200
    errors = response.context["form"].errors["attachments"]
    assert errors and all(CJK.search(e) for e in errors)
    assert not Ticket.objects.exists() and not TicketAttachment.objects.exists()


# --- inspection photos (inspector's phone page; shown inline to verifiers) --------------------------------
@pytest.mark.parametrize("name,content", [("现场.png", BOMB_PNG), ("现场.svg", SVG), ("现场.png", PDF)],
                         ids=["bomb", "svg", "pdf"])
def test_an_inspection_photo_that_is_a_bomb_svg_or_pdf_is_refused(client, verifier, claimed, inspector,
                                                                  name, content):
    verification.assign_inspection(user=verifier, task_id=claimed.pk, inspectors=[inspector],
                                   planned_date=datetime.date.today())
    inspection = Inspection.objects.get(task=claimed)
    client.force_login(inspector)
    response = client.post(reverse("verification:inspection", args=[inspection.pk]),
                           {"result": "true", "findings": "场所一致。", "photos": [upload(name, content)]})
    assert response.status_code == 400 and CJK.search(response.content.decode())
    assert "像素尺寸过大" in response.content.decode() or "只能是 JPG 或 PNG" in response.content.decode() \
        or "不是 PDF、JPG 或 PNG" in response.content.decode()
    assert not InspectionPhoto.objects.exists()
    inspection.refresh_from_db()
    assert inspection.state == Inspection.State.ASSIGNED


# --- spreadsheets ----------------------------------------------------------------------------------------
HEADER = importing.COLUMNS


def good_row(name="无犯罪记录证明", seq="1"):
    return [seq, name, "律师执业核准", "《中华人民共和国律师法》第五条", "西安市人力资源和社会保障局", "公安机关", "市级",
            "行政许可", "数据共享", "是", ""]


def csv_bytes(rows, encoding="utf-8-sig"):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def zip_bomb(gigabytes=1) -> bytes:
    """A real workbook whose first sheet holds one inline string of ``gigabytes`` GB of zeros.

    Packed (fastest level) it is about 4.5 MB per GB, under the 5 MB upload limit. Without the directory
    check, openpyxl spent 28 s and 2.2 GB of memory reading it (measured once by hand).
    """
    real = zipfile.ZipFile(io.BytesIO(xlsx_bytes([good_row()])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for item in real.infolist():
            if item.filename != "xl/worksheets/sheet1.xml":
                archive.writestr(item, real.read(item))
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as member:
            member.write(b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
                         b'spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>')
            block = b"0" * (8 * 1024 * 1024)
            for _i in range(gigabytes * 128):
                member.write(block)
            member.write(b"</t></is></c></row></sheetData></worksheet>")
    return buffer.getvalue()


def million_blank_rows() -> bytes:
    """A tiny real workbook with one cell in the sheet's last row: read naively, a million empty rows."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    sheet.cell(row=1_048_576, column=1, value="x")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def bomb():
    return zip_bomb(1)


@pytest.fixture
def draft_catalogue(editor):
    return catalog_services.start_version(actor=editor)


def problems(data, agency):
    return [p.message for p in importing.parse(data, agency, "清单").problems]


def test_a_zip_bomb_workbook_is_refused_from_its_directory_without_unpacking(bomb, agency):
    assert len(bomb) < importing.MAX_FILE_BYTES  # it gets past the upload size limit
    assert sum(i.file_size for i in zipfile.ZipFile(io.BytesIO(bomb)).infolist()) >= 1024 ** 3
    tracemalloc.start()
    try:
        found = problems(bomb, agency)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert found and "解压后超过" in found[0]
    assert peak < 64 * 1024 * 1024, f"refusing the bomb allocated {peak // 2**20} MB"


def test_a_workbook_declaring_a_million_rows_is_refused_at_the_row_limit(agency):
    found = problems(million_blank_rows(), agency)
    assert found == [f"一次最多导入{importing.MAX_ROWS}行。"]


@pytest.mark.parametrize("data,message", [
    (xlsx_bytes([good_row()])[:1500], "无法读取该 XLSX 文件"),             # truncated workbook
    (b"PK\x03\x04" + b"\x00" * 100, "无法读取该 XLSX 文件"),               # a zip header and nothing else
    (b"\xff\xfe\xff\xff\x81\x30" * 50, "无法识别文件编码"),                 # neither UTF-8 nor GBK
    ("序号,证明名称\n".encode("utf-16"), "不是 XLSX 或 CSV"),               # UTF-16 (NUL bytes)
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64, "不支持旧版 Excel"),
    (HTML, "找不到表头行"),
    (b'"' + b"x" * 200_000, "CSV 文件格式有误"),                            # one unterminated 200 kB field
    (csv_bytes([good_row(seq=str(i + 1)) for i in range(importing.MAX_ROWS + 1)]), "一次最多导入"),
    (csv_bytes([good_row(seq="²")]), "序号应为正整数"),
    (csv_bytes([good_row(seq="9" * 5000)]), "序号应为正整数"),
    (csv_bytes([good_row(seq="99999999999")]), "序号应为正整数"),
], ids=["truncated-xlsx", "bare-zip-header", "bad-encoding", "utf16", "xls", "html", "huge-field", "too-many-rows",
        "superscript-seq", "5000-digit-seq", "int-overflow-seq"])
def test_malformed_spreadsheets_are_refused_with_a_chinese_reason(agency, data, message):
    found = problems(data, agency)
    assert found and any(message in p for p in found), found


def test_the_import_page_refuses_a_bomb_and_a_truncated_workbook_beside_the_field(client, editor, draft_catalogue, bomb):
    client.force_login(editor)
    url = reverse("catalog:import", args=[draft_catalogue.pk])
    for name, data in (("清单.xlsx", bomb), ("清单.xlsx", xlsx_bytes([good_row()])[:1500]),
                       ("清单.xlsx", b"0" * (5 * 1024 * 1024 + 1))):
        response = client.post(url, {"file": upload(name, data)})
        assert response.status_code == 200
        assert all(CJK.search(e) for e in response.context["form"].errors["file"])
    assert not CertificationMatter.objects.filter(catalogue=draft_catalogue).exists()


def test_the_import_command_refuses_a_bomb_and_an_oversized_file(tmp_path, editor, agency, bomb):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(bomb)
    with pytest.raises(CommandError, match="问题"):
        call_command("import_catalogue", str(path), agency=agency.code, stdout=io.StringIO(), stderr=io.StringIO())
    path.write_bytes(csv_bytes([good_row()]) + b"\n" * (5 * 1024 * 1024))
    with pytest.raises(CommandError, match="5 MB"):
        call_command("import_catalogue", str(path), agency=agency.code, stdout=io.StringIO(), stderr=io.StringIO())
    assert not CertificationMatter.objects.exists()


def import_confirmed(client, catalogue, file, check=None):
    """Upload (the preview), then confirm the previewed file: the import page's two steps."""
    url = reverse("catalog:import", args=[catalogue.pk])
    preview = client.post(url, {"file": file})
    if check:
        check(preview)
    if preview.status_code != 200 or "confirm" not in preview.context:
        return preview
    return client.post(url, {"token": preview.context["confirm"].initial["token"]})


FORMULAS = ["=cmd|' /C calc'!A0", "+1+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "=HYPERLINK(\"http://127.0.0.1/?\"&A1,\"点击\")", "\t=1+1", "\r=2+2"]


def test_formula_cells_survive_import_as_text_and_are_neutralised_on_export(client, editor, draft_catalogue):
    rows = [good_row(name=f, seq=str(i + 1)) for i, f in enumerate(FORMULAS)]
    client.force_login(editor)
    response = import_confirmed(client, draft_catalogue, upload("清单.csv", csv_bytes(rows)))
    assert response.status_code == 302, response.context["form"].errors if response.context else response
    assert set(CertificationMatter.objects.values_list("name", flat=True)) == {f.strip() for f in FORMULAS}

    exported = client.get(reverse("catalog:export_catalogue_csv", args=[draft_catalogue.pk])).content.decode("utf-8-sig")
    names = [row[1] for row in csv.reader(io.StringIO(exported))][1:]
    assert names and all(n[:1] not in "=+-@\t\r" for n in names), names

    data = client.get(reverse("catalog:export_xlsx", args=[draft_catalogue.pk])).content
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    cells = [sheet.cell(row=r, column=2) for r in range(2, sheet.max_row + 1)]
    assert cells and all(c.data_type == "s" and not str(c.value).startswith(("=", "+", "-", "@")) for c in cells)


FUZZ = hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                        HealthCheck.too_slow])


@FUZZ
@given(cells=st.lists(st.lists(hostile.map(lambda s: s[:300]), min_size=0, max_size=14), min_size=1, max_size=5),
       encoding=st.sampled_from(["utf-8-sig", "utf-8", "gb18030", "xlsx"]))
def test_hostile_cells_never_break_the_import(client, editor, draft_catalogue, cells, encoding):
    if encoding == "xlsx":
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # control characters cannot be stored in XLSX

        cells = [[ILLEGAL_CHARACTERS_RE.sub("", c) for c in row] for row in cells]
        data = xlsx_bytes(cells)
    else:
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(HEADER)
        writer.writerows(cells)
        data = buffer.getvalue().encode(encoding, "replace")
    result = importing.parse(data, draft_catalogue.agency, "清单")
    assert all(CJK.search(p.message) for p in result.problems)
    client.force_login(editor)
    response = client.post(reverse("catalog:import", args=[draft_catalogue.pk]), {"file": upload("清单.csv", data)})
    assert response.status_code in (200, 302)
    assert_safe(response, *[c for row in cells for c in row if any(x in c for x in XSS)])


def test_imported_markup_is_shown_escaped_on_the_editors_pages(client, editor, draft_catalogue):
    rows = [good_row(name=XSS[0], seq="1"), good_row(name=XSS[1], seq="2")]
    rows[1][5] = XSS[2]  # 开具单位
    client.force_login(editor)
    response = import_confirmed(client, draft_catalogue, upload("清单.xlsx", xlsx_bytes(rows)), check=lambda preview:
                                assert_safe(preview, *XSS))
    assert response.status_code == 302
    matter = CertificationMatter.objects.get(name=XSS[1])
    for url in (reverse("catalog:catalogue", args=[draft_catalogue.pk]), reverse("catalog:staff_matter", args=[matter.pk])):
        page = client.get(url)
        assert page.status_code == 200
        assert_safe(page, *XSS)
    assert "&lt;script&gt;" in client.get(reverse("catalog:catalogue", args=[draft_catalogue.pk])).content.decode()
