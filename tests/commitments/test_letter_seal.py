"""Sealed letters (电子印章): PAdES signature by the agency, PDF/A-3b with the data attached, and anyone
checking a copy — genuine, unchanged, ours, and the letter's current state."""

import datetime
import io
import json
import re
import shutil
import subprocess
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from commitments import services
from commitments.models import Commitment
from portal import seals

pytestmark = pytest.mark.django_db


@pytest.fixture
def letter(accepted):
    """A letter issued the normal way (stored, registered); returns (commitment, pdf bytes)."""
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    content = services.letter_pdf(c.pk)
    return Commitment.objects.get(pk=c.pk), content


def upload(data: bytes, name="告知承诺书.pdf"):
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def check_page(client, data: bytes, name="告知承诺书.pdf"):
    return client.post(reverse("commitments:verify_copy"), {"file": upload(data, name)})


def test_issued_letter_is_sealed_by_its_agency_with_a_timestamp_and_validates_with_pyhanko(letter):
    c, data = letter
    assert c.letter_sha256 and c.letter_sealed_by
    result = seals.check(data)
    assert result.signed and result.valid and result.intact and result.ours and result.timestamped
    agency = c.application.agency.name
    assert agency in result.signer and "演示" in result.signer
    assert result.attachment["letter_number"] == c.letter_number
    assert b"/DSS" in data  # PAdES B-LT: the CRL and chain travel with the letter


def test_pdfsig_finds_a_valid_signature_naming_the_agency(letter):
    if not shutil.which("pdfsig"):
        pytest.skip("pdfsig (poppler-utils) is not installed")
    c, data = letter
    out = subprocess.run(["pdfsig", "-"], input=data, capture_output=True, check=False).stdout.decode()
    if "Signature #1" not in out:  # pdfsig of poppler < 23 cannot read standard input
        out = _pdfsig_file(data)
    assert "Signature is Valid." in out
    assert c.application.agency.name in out
    assert "ETSI.CAdES.detached" in out  # PAdES


def _pdfsig_file(data):
    import tempfile

    with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
        tmp.write(data)
        tmp.flush()
        return subprocess.run(["pdfsig", tmp.name], capture_output=True, check=False).stdout.decode()


def test_the_letter_is_pdf_a_3b_with_embedded_fonts_and_its_data_attached(letter):
    """Structural PDF/A-3b check (veraPDF is not packaged for Debian; docs/operations.md)."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    c, data = letter
    reader = PdfFileReader(io.BytesIO(data))
    root = reader.root
    xmp = root["/Metadata"].get_object().data.decode("utf-8")
    assert re.search(r"pdfaid:part[^0-9]*3", xmp) and re.search(r"pdfaid:conformance[^A-Z]*B", xmp)
    assert "/OutputIntents" in root
    # every font is embedded: the letter's CJK faces and the signature box's
    widget = reader.embedded_signatures[0].sig_field
    resources = [page["/Resources"] for page in _pages(root["/Pages"])]
    resources.append(widget["/AP"]["/N"].get_object()["/Resources"])
    fonts = 0
    for res in resources:
        for font in _fonts(res.get_object()):
            fonts += 1
            descriptor = font["/FontDescriptor"].get_object()
            assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), descriptor[
                "/FontName"
            ]
    assert fonts >= 2
    # the data attachment (PDF/A-3 associated file)
    names = root["/Names"]["/EmbeddedFiles"]["/Names"]
    spec = names[1].get_object()
    assert spec["/AFRelationship"] == "/Data"
    payload = json.loads(spec["/EF"]["/F"].get_object().data)
    assert payload["letter_number"] == c.letter_number and payload["content_hash"] == c.content_hash
    assert payload["notification"]["matter_name"] == "无犯罪记录证明"
    # the seal is an incremental update: the PDF/A file WeasyPrint wrote is kept byte for byte
    assert data.count(b"%%EOF") >= 2
    assert "/AP" in widget and int(widget.get("/F", 0)) & 4  # visible, printable appearance


def test_the_seal_is_b_lt_in_the_signed_revision_covering_the_whole_file(letter):
    """The chain and the CRL travel inside what the seal signs: nothing follows the signature."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    _c, data = letter
    reader = PdfFileReader(io.BytesIO(data))
    dss = reader.root["/DSS"].get_object()
    assert len(dss["/Certs"]) >= 2 and len(dss["/CRLs"]) >= 1  # seal and CA certificates, the CA's CRL
    embedded = reader.embedded_signatures[0]
    assert embedded.evaluate_signature_coverage() == SignatureCoverageLevel.ENTIRE_FILE


def test_the_signature_box_text_can_be_read_back_naming_agency_and_time(letter):
    """The box's glyphs map back to text (ToUnicode): a reader copying or searching it gets the agency
    and the signing time, not glyph numbers."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    c, data = letter
    reader = PdfFileReader(io.BytesIO(data))
    appearance = reader.embedded_signatures[0].sig_field["/AP"]["/N"].get_object()
    font = next(iter(appearance["/Resources"]["/Font"].get_object().values())).get_object()
    cmap = font["/ToUnicode"].get_object().data.decode("ascii")
    to_text = {
        int(cid, 16): bytes.fromhex(text).decode("utf-16-be")
        for cid, text in re.findall(r"<([0-9a-f]{4})> <([0-9a-f]+)>", cmap)
    }
    shown = "".join(
        to_text[int(run[i : i + 4], 16)]
        for run in re.findall(rb"\[<([0-9a-f]+)>\] TJ", appearance.data)
        for run in [run.decode()]
        for i in range(0, len(run), 4)
    )
    assert c.application.agency.name in shown
    assert re.search(r"签章时间：\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}（北京时间）", shown)
    descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
    assert descriptor["/FontFile3"].get_object()["/Subtype"] == "/CIDFontType0C"  # embedded (PDF/A)


def _pages(node):
    node = node.get_object()
    if node.get("/Type") == "/Page":
        yield node
    for kid in node.get("/Kids", []):
        yield from _pages(kid)


def _fonts(resources):
    """Font dictionaries with a descriptor (a Type0 font's descendant), including those in form XObjects."""
    for font in (resources["/Font"].get_object() if "/Font" in resources else {}).values():
        font = font.get_object()
        for f in [font, *[d.get_object() for d in font.get("/DescendantFonts", [])]]:
            if "/FontDescriptor" in f:
                yield f
    for xobject in (resources["/XObject"].get_object() if "/XObject" in resources else {}).values():
        xobject = xobject.get_object()
        if "/Resources" in xobject:
            yield from _fonts(xobject["/Resources"].get_object())


def test_one_changed_byte_is_detected(letter, client):
    _c, data = letter
    position = data.index(b"/Title") + 10  # inside the signed range, in an uncompressed dictionary
    changed = data[:position] + bytes([data[position] ^ 0x01]) + data[position + 1 :]
    result = seals.check(changed)
    assert result.signed and not result.valid and not result.intact
    html = check_page(client, changed).content.decode()
    assert "电子签章无效" in html


def test_an_appended_revision_is_reported_as_changed_after_sealing(letter):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    _c, data = letter
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    from pyhanko.pdf_utils.generic import pdf_string

    writer.root["/Lang"] = pdf_string("en-US")  # a change after sealing
    writer.update_root()
    out = io.BytesIO()
    writer.write(out)
    result = seals.check(out.getvalue())
    assert result.signed and not result.intact


def test_a_letter_sealed_by_another_deployment_is_not_ours(accepted, client, settings, tmp_path):
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    ours = settings.SEAL_KEYSTORE_DIR
    settings.SEAL_KEYSTORE_DIR = str(tmp_path / "elsewhere")
    seals.ensure_demo(prefix="另一平台")
    from commitments import letters

    forged = letters.render(c)
    settings.SEAL_KEYSTORE_DIR = ours
    result = seals.check(forged)
    assert result.signed and result.valid and not result.ours
    html = check_page(client, forged).content.decode()
    assert "不是本平台签发的文件" in html and "非本平台证书" in html
    assert "核验结果：真实有效" not in html


def test_anyone_uploads_the_letter_and_sees_genuine_unchanged_registered_and_in_force(
    letter, client, citizen
):
    c, data = letter
    assert "上传" in client.get(reverse("commitments:verify_copy")).content.decode()
    response = check_page(client, data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "文件真实、未被改动，与登记一致" in html and "核验结果：真实有效" in html
    assert c.letter_number in html and c.application.agency.name in html
    assert c.subject_name not in html and c.application.subject.id_masked not in html  # no personal data
    services.withdraw_commitment(user=citizen, letter_number=c.letter_number, reason="改交证明")
    html = check_page(client, data).content.decode()
    assert "核验结果：已撤回" in html and "文件真实、未被改动，与登记一致" in html


def test_the_qr_page_shows_the_seal_and_the_registered_file_hash(letter, client):
    c, _data = letter
    html = client.get(reverse("commitments:verify_letter", args=[c.letter_number])).content.decode()
    assert c.letter_sealed_by in html and c.letter_sha256 in html
    assert reverse("commitments:verify_copy") in html


def test_an_unsigned_pdf_is_reported_as_unsealed(client):
    data = _pdf(b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[]/Count 0>>")
    html = check_page(client, data).content.decode()
    assert "未加盖电子签章" in html


def _pdf(*objects: bytes) -> bytes:
    """A minimal PDF with these objects (1 0 obj is the catalogue) and a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<</Size %d/Root 1 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _stream(content: bytes, compress=True) -> bytes:
    body = zlib.compress(content, 9) if compress else content
    return (
        b"<</Length %d%s>>\nstream\n" % (len(body), b"/Filter/FlateDecode" if compress else b"")
        + body
        + b"\nendstream"
    )


HOSTILE = {
    "JavaScript run on opening": (
        _pdf(
            b"<</Type/Catalog/Pages 2 0 R/OpenAction 3 0 R>>",
            b"<</Type/Pages/Kids[]/Count 0>>",
            b"<</S/JavaScript/JS(app.alert(1))>>",
        ),
        "脚本或自动执行的动作",
    ),
    "JavaScript hidden in a compressed object stream, its name escaped": (
        _pdf(
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[]/Count 0>>",
            _stream(b"<</S/Java#53cript/JS(app.launchURL('x'))>>"),
        ),
        "脚本或自动执行的动作",
    ),
    "zip-bomb-like stream": (
        _pdf(
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[]/Count 0>>",
            _stream(bytes(64 * 1024 * 1024)),
        ),
        "压缩炸弹",
    ),
    "huge page count": (
        _pdf(
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[3 0 R]/Count 100000>>",
            b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 10 10]>>",
        ),
        "页数过多",
    ),
    "many page objects": (
        _pdf(
            b"<</Type/Catalog/Pages 2 0 R>>",
            b"<</Type/Pages/Kids[]/Count 0>>",
            *[b"<</Type/Page/Parent 2 0 R>>" for _ in range(60)],
        ),
        "页数过多",
    ),
    "damaged file": (b"%PDF-1.7\n1 0 obj <</Type/Catalog", "已损坏"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_uploads_are_refused_with_a_chinese_message(client, case):
    data, message = HOSTILE[case]
    response = check_page(client, data)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_a_scan_or_a_program_is_refused_before_any_pdf_parsing(client):
    from tests.commitments.conftest import EXE, PNG

    assert "请上传 PDF 文件" in check_page(client, PNG, "扫描件.png").content.decode()
    assert check_page(client, EXE, "letter.pdf").status_code == 400
    assert "超过 10 MB" in check_page(client, b"%PDF-1.7\n" + bytes(11 * 1024 * 1024)).content.decode()


def test_without_a_certificate_no_letter_is_issued_and_operators_are_told(
    accepted, client, citizen, settings, tmp_path
):
    settings.SEAL_KEYSTORE_DIR = str(tmp_path / "empty")
    settings.SEAL_DEMO_CA = False
    settings.SEAL_TSA_URL = "http://127.0.0.1:9/tsa"
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    agency = c.application.agency.name
    with pytest.raises(seals.SealError, match="没有电子印章证书"):
        services.render_letter(c.pk)
    assert Commitment.objects.get(pk=c.pk).letter_file == ""  # never an unsigned letter
    client.force_login(citizen)
    response = client.get(reverse("commitments:letter_pdf", args=[c.letter_number]))
    assert response.status_code == 503 and "电子签章暂时不可用" in response.content.decode()
    assert not response.content.startswith(b"%PDF")
    health = client.get("/healthz").json()
    assert health["status"] == "degraded" and agency in health["seals"]
    from portal.checks import seals_ready

    assert any(agency in w.msg for w in seals_ready(None))


def test_an_expired_certificate_stops_the_render_with_its_date(accepted, settings):
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec

    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    agency = c.application.agency
    settings.SEAL_DEMO_CA = True
    seals.ensure_demo()
    ca_key, ca_cert, _chain = seals._demo_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(seals._name(f"{agency.name}（演示电子印章）", agency.name))
        .issuer_name(ca_cert.subject)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=400))
        .not_valid_after(now - datetime.timedelta(days=1))
        .sign(ca_key, hashes.SHA256())
    )
    path = seals._agency_file(agency.code)
    previous = path.read_bytes() if path.exists() else None
    seals._write_atomic(path, seals._pkcs12(key, cert, [ca_cert], agency.code))
    try:
        with pytest.raises(seals.SealError, match="过期"):
            services.render_letter(c.pk)
        assert Commitment.objects.get(pk=c.pk).letter_file == ""
        assert any("已过期" in p for p in seals.problems([agency]))
    finally:
        if previous is None:
            path.unlink()
        else:
            seals._write_atomic(path, previous)


def test_one_time_notice_and_assistance_reply_pdfs_are_sealed_too(accepted):
    from portal import pdf

    c = accepted.commitments.first()
    data = pdf.render_pdf(
        "verification/assistance_reply_pdf.html",
        {"req": None, "today": datetime.date.today()},
        seal_by=c.application.agency,
    )
    result = seals.check(data)
    assert result.valid and result.intact and result.ours and c.application.agency.name in result.signer


def test_the_task_and_the_sweep_issue_sealed_letters(accepted):
    c = accepted.commitments.get(matter_name="无犯罪记录证明")
    assert services.render_missing_letters() >= 1
    c.refresh_from_db()
    with c.letter_file.open("rb") as fh:
        data = fh.read()
    import hashlib

    assert hashlib.sha256(data).hexdigest() == c.letter_sha256
    assert seals.check(data).ours


def test_a_time_stamping_authority_over_http_is_used_when_configured(accepted, settings):
    """SEAL_TSA_URL's path (production): RFC 3161 over HTTP, here the exchange simulator's authority."""
    from commitments import letters
    from verification.simulator import start_in_thread

    server = start_in_thread()
    try:
        settings.SEAL_TSA_URL = server.url + "/tsa"
        try:
            data = letters.render(accepted.commitments.first())
        except seals.SealError as exc:
            raise AssertionError(f"{exc.message}; the authority said: {server.errors}") from exc
    finally:
        server.shutdown()
    assert "/tsa" in server.paths
    result = seals.check(data)
    assert result.timestamped and result.valid and result.ours


def test_an_agency_with_a_long_chinese_name_gets_a_demo_certificate_still_marked_as_demo(settings, tmp_path):
    from cryptography.hazmat.primitives.serialization import pkcs12
    from cryptography.x509.oid import NameOID

    from tests.factories import AgencyFactory

    settings.SEAL_DEMO_CA = True
    settings.SEAL_KEYSTORE_DIR = str(tmp_path)
    agency = AgencyFactory(name="西安市西咸新区沣东新城管理委员会行政审批与政务服务局第一分局", code="610100-LONG")
    path = seals.issue_demo_certificate(agency)
    _key, cert, _chain = pkcs12.load_key_and_certificates(path.read_bytes(), seals._passphrase())
    common_name = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert common_name.endswith("（演示电子印章）") and common_name.startswith("西安市西咸新区")
    assert len(common_name.encode()) <= 64
