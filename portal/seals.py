"""电子印章: the issuing agency's seal on every PDF the portal issues (PAdES), and the check of any copy.

Key store (``SEAL_KEYSTORE_DIR``, default ``VAR_DIR/seals``, never in the repository or the database)::

    agencies/<agency code>.p12   the agency's seal: key, certificate and chain, PKCS#12 encrypted with
                                 SEAL_KEYSTORE_PASSPHRASE
    trust/*.pem                  the roots a seal must chain to for a copy to count as "ours"
    crl/*.crl                    revocation lists embedded in each signature (PAdES B-LT) when present
    demo/ca.p12, demo/tsa.p12    the development CA and time-stamping authority (SEAL_DEMO_CA only)

A seal is PAdES B-T: a CMS signature over the whole file (pyHanko, incremental update, so PDF/A stays
valid) with an RFC 3161 time-stamp from ``SEAL_TSA_URL`` (in development: a local authority signed by the
demo CA); B-LT when revocation data is in ``crl/`` or may be fetched (``SEAL_REVOCATION_FETCH``). A missing,
expired or unreadable certificate raises ``SealError``: nothing is issued unsealed.

With ``SEAL_DEMO_CA`` (the default outside production) ``ensure_demo`` creates a CA and, on first use, a
certificate for each agency, every subject name marked 演示. docs/operations.md says how a real
电子印章 certificate replaces them.
"""

import datetime
import functools
import hashlib
import io
import logging
import os
import re
import tempfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


class _ExpectedNoFetching(logging.Filter):
    """pyHanko warns on every B-LT signature that fetching is off; here that is the configuration
    (the CRLs come from the key store), not news for the operators' log."""

    def filter(self, record):
        return "fetching is not allowed" not in record.getMessage()


logging.getLogger("pyhanko.sign.signers.pdf_signer").addFilter(_ExpectedNoFetching())

DEMO_MARK = "演示"
STAMP_FONT_SIZE = 9
EXPIRY_WARNING_DAYS = 30


class SealError(Exception):
    """The seal cannot be applied (missing, expired or unreadable certificate, no time-stamp)."""

    def __init__(self, message):
        super().__init__(message)
        self.message = message


# --- configuration ------------------------------------------------------------------------------------
def keystore_dir() -> Path:
    return Path(getattr(settings, "SEAL_KEYSTORE_DIR", None) or Path(settings.VAR_DIR) / "seals")


def _passphrase() -> bytes:
    value = getattr(settings, "SEAL_KEYSTORE_PASSPHRASE", "") or ""
    if not value:
        raise SealError(_("未配置电子印章密钥库口令（SEAL_KEYSTORE_PASSPHRASE），不能签章。"))
    return value.encode()


def demo_mode() -> bool:
    return bool(getattr(settings, "SEAL_DEMO_CA", False))


def tsa_url() -> str:
    return (getattr(settings, "SEAL_TSA_URL", "") or "").strip()


def _agency_file(code: str) -> Path:
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", code)
    return keystore_dir() / "agencies" / f"{safe}.p12"


def keystore_path(agency) -> Path | None:
    """The agency's seal file, if installed."""
    path = _agency_file(agency.code)
    return path if path.is_file() else None


# --- files --------------------------------------------------------------------------------------------
def _write_atomic(path: Path, data: bytes) -> None:
    keystore_dir().mkdir(parents=True, exist_ok=True, mode=0o700)  # only its owner may list the key store
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    with tempfile.NamedTemporaryFile(dir=path.parent, prefix=".new-", delete=False) as tmp:
        tmp.write(data)
    os.chmod(tmp.name, 0o600)
    os.replace(tmp.name, path)


def _pkcs12(key, cert, chain, name: str) -> bytes:
    from cryptography.hazmat.primitives.serialization import BestAvailableEncryption, pkcs12

    return pkcs12.serialize_key_and_certificates(
        name.encode(), key, cert, chain or None, BestAvailableEncryption(_passphrase())
    )


@functools.lru_cache(maxsize=256)
def _load_p12_cached(path: str, mtime_ns: int, passphrase: bytes):
    from cryptography.hazmat.primitives.serialization import pkcs12

    try:
        key, cert, chain = pkcs12.load_key_and_certificates(Path(path).read_bytes(), passphrase)
    except ValueError:
        raise SealError(
            _("电子印章文件 %(file)s 无法用配置的口令打开。") % {"file": Path(path).name}
        ) from None
    if key is None or cert is None:
        raise SealError(_("电子印章文件 %(file)s 不含私钥或证书。") % {"file": Path(path).name})
    return key, cert, tuple(chain)


def _load_p12(path: Path):
    try:
        mtime = path.stat().st_mtime_ns
    except FileNotFoundError:
        return None
    return _load_p12_cached(str(path), mtime, _passphrase())


@functools.lru_cache(maxsize=16)
def _trust_roots_cached(folder: str, stamp: tuple):
    from cryptography import x509

    roots = []
    for name, _mtime in stamp:
        data = (Path(folder) / name).read_bytes()
        roots.extend(x509.load_pem_x509_certificates(data))
    return tuple(roots)


def trust_roots():
    """The certificates (cryptography) a seal must chain to for a copy to count as ours."""
    folder = keystore_dir() / "trust"
    if not folder.is_dir():
        return ()
    stamp = tuple(sorted((p.name, p.stat().st_mtime_ns) for p in folder.glob("*.pem")))
    return _trust_roots_cached(str(folder), stamp)


def _crls():
    from asn1crypto import crl

    folder = keystore_dir() / "crl"
    return (
        [crl.CertificateList.load(_der(p.read_bytes())) for p in sorted(folder.glob("*.crl"))]
        if folder.is_dir()
        else []
    )


def _der(data: bytes) -> bytes:
    if data.lstrip().startswith(b"-----BEGIN"):
        import base64

        body = b"".join(line for line in data.splitlines() if line and not line.startswith(b"-----"))
        return base64.b64decode(body)
    return data


# --- the demo CA ----------------------------------------------------------------------------------------
def _fit(text: str, limit: int = 64) -> str:
    """``text`` cut to at most ``limit`` UTF-8 bytes, on a character boundary: cryptography counts a name
    attribute's length in encoded bytes, and a Chinese character is three (21 characters fit in 64)."""
    return text.encode("utf-8")[:limit].decode("utf-8", errors="ignore")


def _name(common_name: str, organisation: str, unit: str = ""):
    from cryptography import x509
    from cryptography.x509.oid import NameOID

    attrs = [
        x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
        x509.NameAttribute(NameOID.LOCALITY_NAME, "西安市"),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, _fit(organisation)),
    ]
    if unit:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, _fit(unit)))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, _fit(common_name)))
    return x509.Name(attrs)


def _certificate(subject, public_key, issuer_name, issuer_key, *, days, ca=False, eku=None):
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes

    now = datetime.datetime.now(datetime.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer_name)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(hours=1))
        .not_valid_after(now + datetime.timedelta(days=days))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca and not eku,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    )
    if issuer_key.public_key() != public_key:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), critical=False
        )
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(eku), critical=True)
    return builder.sign(issuer_key, hashes.SHA256())


def _demo_ca():
    loaded = _load_p12(keystore_dir() / "demo" / "ca.p12")
    if loaded is None:
        raise SealError(_("演示 CA 尚未创建，请运行 manage.py seal_certificates。"))
    return loaded


def ensure_demo(prefix: str = "承诺通") -> list[str]:
    """Create what is missing of the demo CA, its time-stamping authority and revocation list (SEAL_DEMO_CA).
    Returns what it created. ``prefix`` names the deployment in the CA's subject."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, rsa
    from cryptography.x509.oid import ExtendedKeyUsageOID

    created = []
    folder = keystore_dir()
    ca_file = folder / "demo" / "ca.p12"
    if not ca_file.exists():
        key = ec.generate_private_key(ec.SECP256R1())
        name = _name(f"{prefix}电子印章演示根证书", f"{prefix}（{DEMO_MARK}，不具法律效力）")
        cert = _certificate(name, key.public_key(), name, key, days=3650, ca=True)
        _write_atomic(ca_file, _pkcs12(key, cert, None, "demo-ca"))
        _write_atomic(folder / "trust" / "demo-ca.pem", cert.public_bytes(serialization.Encoding.PEM))
        for stale in (folder / "demo" / "tsa.p12", folder / "crl" / "demo-ca.crl"):
            stale.unlink(missing_ok=True)
        created.append(str(ca_file))
    ca_key, ca_cert, _chain = _demo_ca()
    tsa_file = folder / "demo" / "tsa.p12"
    if not tsa_file.exists():
        # RSA: pyHanko's local time-stamper signs with RSA only.
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = _name(f"{prefix}时间戳服务（{DEMO_MARK}）", f"{prefix}（{DEMO_MARK}，不具法律效力）")
        cert = _certificate(
            name,
            key.public_key(),
            ca_cert.subject,
            ca_key,
            days=3650,
            eku=[ExtendedKeyUsageOID.TIME_STAMPING],
        )
        _write_atomic(tsa_file, _pkcs12(key, cert, [ca_cert], "demo-tsa"))
        created.append(str(tsa_file))
    crl_file = folder / "crl" / "demo-ca.crl"
    now = datetime.datetime.now(datetime.UTC)
    fresh = False
    if crl_file.exists():
        current = x509.load_der_x509_crl(crl_file.read_bytes())
        fresh = current.next_update_utc and current.next_update_utc - now > datetime.timedelta(days=15)
    if not fresh:
        crl = (
            x509.CertificateRevocationListBuilder()
            .issuer_name(ca_cert.subject)
            .last_update(now)
            .next_update(now + datetime.timedelta(days=30))
            .sign(ca_key, hashes.SHA256())
        )
        _write_atomic(crl_file, crl.public_bytes(serialization.Encoding.DER))
        created.append(str(crl_file))
    return created


def issue_demo_certificate(agency) -> Path:
    """A demo seal certificate for ``agency`` (ECDSA P-256, two years), signed by the demo CA."""
    from cryptography.hazmat.primitives.asymmetric import ec

    ensure_demo()
    ca_key, ca_cert, _chain = _demo_ca()
    key = ec.generate_private_key(ec.SECP256R1())
    suffix = f"（{DEMO_MARK}电子印章）"  # kept whole: a demo certificate must say so in its name
    subject = _name(_fit(agency.name, 64 - len(suffix.encode())) + suffix, agency.name, f"{DEMO_MARK} {agency.code}")
    cert = _certificate(subject, key.public_key(), ca_cert.subject, ca_key, days=730)
    path = _agency_file(agency.code)
    _write_atomic(path, _pkcs12(key, cert, [ca_cert], agency.code))
    log.info("issued demo seal certificate for agency %s", agency.code)
    return path


# --- sealing -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class SealKey:
    key: object
    cert: object
    chain: tuple

    @property
    def holder(self) -> str:
        return _common_name(self.cert)


def _common_name(cert) -> str:
    from cryptography.x509.oid import NameOID

    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else cert.subject.rfc4514_string()


def seal_key(agency, *, issue=True) -> SealKey:
    """The agency's seal; in demo mode issued on first use. Raises SealError when it cannot sign."""
    path = _agency_file(agency.code)
    loaded = _load_p12(path)
    if loaded is None and demo_mode() and issue:
        issue_demo_certificate(agency)
        loaded = _load_p12(path)
    if loaded is None:
        raise SealError(
            _("%(agency)s 没有电子印章证书（%(file)s），告知书不能签发。")
            % {"agency": agency.name, "file": path.name}
        )
    key, cert, chain = loaded
    now = datetime.datetime.now(datetime.UTC)
    if cert.not_valid_after_utc <= now:
        raise SealError(
            _("%(agency)s 的电子印章证书已于 %(date)s 过期，请更换证书。")
            % {"agency": agency.name, "date": cert.not_valid_after_utc.date().isoformat()}
        )
    if cert.not_valid_before_utc > now:
        raise SealError(_("%(agency)s 的电子印章证书尚未生效。") % {"agency": agency.name})
    return SealKey(key, cert, chain)


def _asn1_cert(cert):
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization

    return asn1_x509.Certificate.load(cert.public_bytes(serialization.Encoding.DER))


def _asn1_key(key):
    from asn1crypto import keys
    from cryptography.hazmat.primitives import serialization

    return keys.PrivateKeyInfo.load(
        key.private_bytes(
            serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


@functools.lru_cache(maxsize=64)
def _signer(p12_path: str, mtime_ns: int, cert_der: bytes):
    """pyHanko signer per loaded key (converting keys costs more than signing)."""
    from asn1crypto import cms
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    class SealSigner(signers.SimpleSigner):
        """asn1crypto encodes a value built in Python again each time anything enclosing it is encoded (twice
        per level), and re-encodes a whole subtree when a length's last byte is 0x80, which it takes for an
        indefinite length: for every other letter (the ECDSA signature is 70 or 71 bytes) the container cost
        ~50 ms. Both steps below hand pyHanko values parsed from DER, identical bytes, encoded once."""

        async def async_sign_prescribed_attributes(self, digest_algorithm, signed_attrs, *args, **kwargs):
            signed_attrs = cms.CMSAttributes.load(signed_attrs.dump())
            return await super().async_sign_prescribed_attributes(
                digest_algorithm, signed_attrs, *args, **kwargs
            )

        def _package_signature(self, *args, **kwargs):
            container = super()._package_signature(*args, **kwargs)
            # content is [0] EXPLICIT SignedData: its dump carries that tag; encoded here once, wrapped by hand
            body = container["content_type"].dump() + container["content"].dump()
            return cms.ContentInfo.load(_der_tlv(0x30, body))

    key, cert, chain = _load_p12_cached(p12_path, mtime_ns, _passphrase())
    return SealSigner(
        signing_cert=_asn1_cert(cert),
        signing_key=_asn1_key(key),
        cert_registry=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )


def _der_tlv(tag: int, body: bytes) -> bytes:
    """One DER tag-length-value (definite length)."""
    size = len(body)
    if size < 0x80:
        return bytes([tag, size]) + body
    octets = size.to_bytes((size.bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(octets)]) + octets + body


def timestamper():
    """RFC 3161: SEAL_TSA_URL, or in demo mode the local authority of the demo CA."""
    url = tsa_url()
    if url:
        return _http_timestamper(url)
    if not demo_mode():
        raise SealError(_("未配置时间戳服务（SEAL_TSA_URL），不能签章。"))
    ensure_demo()
    path = keystore_dir() / "demo" / "tsa.p12"
    return _local_timestamper(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=4)
def _http_timestamper(url):
    from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper

    return RequestsHTTPTimeStamper(url, timeout=10)


@functools.lru_cache(maxsize=4)
def _local_timestamper(path: str, mtime_ns: int):
    from cryptography.hazmat.primitives.asymmetric.padding import PKCS1v15
    from pyhanko.sign.timestamps.dummy_client import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore
    from pyhanko_certvalidator.util import get_pyca_cryptography_hash

    key, cert, chain = _load_p12_cached(path, mtime_ns, _passphrase())

    class LocalTimeStamper(DummyTimeStamper):
        """pyHanko's local authority, keeping the loaded key (it loads and checks an RSA key per token)."""

        def _sign_tst_info(self, tst_info_data, md_algorithm, dt):
            from cryptography.hazmat.primitives import hashes
            from pyhanko.sign import general
            from pyhanko.sign.general import simple_cms_attribute

            digest = hashes.Hash(get_pyca_cryptography_hash(md_algorithm))
            digest.update(tst_info_data)
            from asn1crypto import cms, core

            signed_attrs = cms.CMSAttributes(
                [
                    simple_cms_attribute("content_type", "tst_info"),
                    simple_cms_attribute("signing_time", cms.Time({"utc_time": core.UTCTime(dt)})),
                    simple_cms_attribute(
                        "signing_certificate", general.as_signing_certificate(self.tsa_cert)
                    ),
                    simple_cms_attribute("message_digest", digest.finalize()),
                ]
            )
            signature = key.sign(
                signed_attrs.dump(), PKCS1v15(), get_pyca_cryptography_hash(md_algorithm.upper())
            )
            return signature, signed_attrs

    return LocalTimeStamper(
        tsa_cert=_asn1_cert(cert),
        tsa_key=_asn1_key(key),
        certs_to_embed=SimpleCertificateStore.from_certs([_asn1_cert(c) for c in chain]),
    )


def local_tsa_response(request_der: bytes) -> bytes:
    """Answer an RFC 3161 TimeStampReq with the demo authority (the exchange simulator serves it over
    HTTP as ``POST /tsa``, so SEAL_TSA_URL's HTTP path runs in development and tests)."""
    from asn1crypto import tsp

    ensure_demo()
    path = keystore_dir() / "demo" / "tsa.p12"
    stamper = _local_timestamper(str(path), path.stat().st_mtime_ns)
    return stamper.request_tsa_response(tsp.TimeStampReq.load(request_der)).dump()


def _validation_context(*, for_signing: bool):
    fetch = bool(getattr(settings, "SEAL_REVOCATION_FETCH", False)) and for_signing
    folder = keystore_dir()
    stamp = tuple(
        sorted(
            (str(p), p.stat().st_mtime_ns)
            for sub in ("trust", "crl")
            if (folder / sub).is_dir()
            for p in (folder / sub).iterdir()
        )
    )
    return _cached_context(str(folder), stamp, fetch)


@functools.lru_cache(maxsize=8)
def _cached_context(folder, stamp, fetch):
    """Parsing roots and CRLs costs more than a signature: kept while the key store's files are unchanged."""
    from pyhanko_certvalidator import ValidationContext

    roots = [_asn1_cert(c) for c in trust_roots()]
    return ValidationContext(
        trust_roots=roots, crls=_crls(), allow_fetching=fetch, revocation_mode="soft-fail"
    )


@functools.lru_cache(maxsize=64)
def _stamp_font(text: str) -> bytes:
    """A font cut to the characters of one agency's signature box (the reduced PDF face when it has them
    all, else the system face), so the box costs a few kilobytes and milliseconds, not a 16 MB font."""
    from fontTools import subset, ttLib

    from portal.fonts import font_dir, system_face

    chars = set(text)
    sources = []
    reduced = font_dir() / "ChengnuoSans-Regular.otf"
    if reduced.is_file():
        sources.append((reduced, 0))
    system = system_face("Noto Sans CJK SC:weight=80")
    if system:
        sources.append(system)
    for path, index in sources:
        font = ttLib.TTFont(str(path), fontNumber=index, lazy=True)
        cmap = font.getBestCmap() or {}
        if all(ord(c) in cmap or c in "\n" for c in chars):
            options = subset.Options()
            options.font_number = index
            options.notdef_outline = True
            options.desubroutinize = True
            options.name_IDs = ["*"]
            font = subset.load_font(str(path), options)
            subsetter = subset.Subsetter(options)
            subsetter.populate(text="".join(chars - {"\n"}))
            subsetter.subset(font)
            out = io.BytesIO()
            font.save(out)
            return out.getvalue()
    raise SealError(_("没有可用于签章框的中文字体（需要 fonts-noto-cjk）。"))


@dataclass(frozen=True)
class StampFace:
    """The stamp font made ready for PDF once per agency: the CID and width of every character the box can
    show, the compressed CFF program and ToUnicode map. Each seal then only adds these bytes to the file,
    where pyHanko's glyph accumulator subset and recompiled the font for every letter (half the seal's time)."""

    base_name: str
    cids: dict  # character -> CID
    widths: dict  # CID -> advance in 1/1000 em
    descriptor: tuple  # (key, number) pairs of the FontDescriptor
    program: bytes  # CIDFontType0C, Flate
    to_unicode: bytes  # CMap, Flate
    ros: tuple = ("Adobe", "Identity", 0)

    def cid_string(self, text: str) -> tuple[bytes, int]:
        """The box's text as CIDs (hex, Identity-H) and its advance in 1/1000 em."""
        try:
            cids = [self.cids[c] for c in text]
        except KeyError as exc:
            raise SealError(_("签章字体缺少字符“%(char)s”。") % {"char": exc.args[0]}) from None
        return "".join(f"{cid:04x}" for cid in cids).encode("ascii"), sum(self.widths[cid] for cid in cids)


@functools.lru_cache(maxsize=64)
def stamp_face(text: str) -> StampFace | None:
    """``text``'s characters (``_stamp_font``) as a StampFace; None when the font is not a CID-keyed CFF
    font (then pyHanko's own accumulator embeds it)."""
    from fontTools import ttLib

    font = ttLib.TTFont(io.BytesIO(_stamp_font(text)))
    if "CFF " not in font:
        return None
    top = font["CFF "].cff[0]
    ros = getattr(top, "ROS", None)
    if not ros:
        return None
    scale = 1000 / font["head"].unitsPerEm
    cmap = font.getBestCmap()
    hmtx = font["hmtx"]
    cids, widths, unicode = {}, {}, {}
    for char in set(text) - {"\n"}:
        glyph = cmap.get(ord(char))
        if glyph is None or not glyph.startswith("cid"):
            return None
        cid = int(glyph[3:])
        cids[char] = cid
        widths[cid] = round(hmtx[glyph][0] * scale)
        unicode.setdefault(cid, char)
    head, hhea, os2 = font["head"], font["hhea"], font["OS/2"]
    descriptor = (
        ("/Flags", 4),  # symbolic: CJK glyphs outside the standard Latin set
        ("/FontBBox", [round(v * scale) for v in (head.xMin, head.yMin, head.xMax, head.yMax)]),
        ("/ItalicAngle", 0),
        ("/Ascent", round(hhea.ascent * scale)),
        ("/Descent", round(hhea.descent * scale)),
        ("/CapHeight", round(getattr(os2, "sCapHeight", 0) * scale) or 700),
        ("/StemV", int(10 + 220 * (os2.usWeightClass - 50) / 900)),
    )
    ranges = "\n".join(
        f"<{cid:04x}> <{char.encode('utf-16-be').hex()}>" for cid, char in sorted(unicode.items())
    )
    cmap_text = (
        "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
        "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n"
        f"{len(unicode)} beginbfchar\n{ranges}\nendbfchar\n"
        "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend"
    )
    return StampFace(
        base_name=str(top.rawDict.get("CIDFontName") or font["CFF "].cff.fontNames[0]),
        cids=cids,
        widths=widths,
        descriptor=descriptor,
        program=zlib.compress(font.getTableData("CFF "), 9),
        to_unicode=zlib.compress(cmap_text.encode("ascii"), 9),
        ros=tuple(ros),
    )


def _stamp_engine_factory(face: StampFace):
    """pyHanko font engine writing ``face`` as a Type0 / CIDFontType0 font (one glyph per character: the box
    shows Chinese, digits and punctuation, nothing that needs shaping)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.api import FontEngine, FontEngineFactory, ShapeResult

    name = generic.NameObject

    class StampFontEngine(FontEngine):
        uses_complex_positioning = False  # plain TJ: the viewer advances by /W, the same widths

        def __init__(self, writer):
            super().__init__(writer, face.base_name, embedded_subset=True, font_size=STAMP_FONT_SIZE)
            self._ref = writer.allocate_placeholder()
            self._used: set[int] = set()
            self._written = False

        def shape(self, txt):
            if not txt:
                return ShapeResult(b"", 0, 0)
            hexed, advance = face.cid_string(txt)
            self._used.update(face.cids[c] for c in txt)
            span = io.BytesIO()
            span.write(b"/Span ")
            generic.DictionaryObject({name("/ActualText"): generic.TextStringObject(txt)}).write_to_stream(
                span
            )
            span.write(b" BDC [<" + hexed + b">] TJ EMC")
            return ShapeResult(graphics_ops=span.getvalue(), x_advance=advance / 1000, y_advance=0)

        def as_resource(self):
            return self._ref

        def prepare_write(self):
            if self._written:
                return
            writer = self.writer
            font_name = f"{self.subset_prefix}+{face.base_name}"
            program = writer.add_object(
                generic.StreamObject(
                    {name("/Subtype"): name("/CIDFontType0C"), name("/Filter"): name("/FlateDecode")},
                    encoded_data=face.program,
                )
            )
            descriptor = generic.DictionaryObject(
                {
                    name("/Type"): name("/FontDescriptor"),
                    name("/FontName"): name("/" + font_name),
                    name("/FontFile3"): program,
                }
            )
            for key, value in face.descriptor:
                descriptor[name(key)] = (
                    generic.ArrayObject(generic.NumberObject(v) for v in value)
                    if isinstance(value, list)
                    else generic.NumberObject(value)
                )
            widths = generic.ArrayObject()
            for cid in sorted(self._used):
                widths.extend(
                    (generic.NumberObject(cid), generic.ArrayObject([generic.NumberObject(face.widths[cid])]))
                )
            registry, ordering, supplement = face.ros
            cidfont = generic.DictionaryObject(
                {
                    name("/Type"): name("/Font"),
                    name("/Subtype"): name("/CIDFontType0"),
                    name("/BaseFont"): name("/" + font_name),
                    name("/CIDSystemInfo"): generic.DictionaryObject(
                        {
                            name("/Registry"): generic.TextStringObject(registry),
                            name("/Ordering"): generic.TextStringObject(ordering),
                            name("/Supplement"): generic.NumberObject(supplement),
                        }
                    ),
                    name("/FontDescriptor"): writer.add_object(descriptor),
                    name("/W"): widths,
                }
            )
            to_unicode = writer.add_object(
                generic.StreamObject({name("/Filter"): name("/FlateDecode")}, encoded_data=face.to_unicode)
            )
            writer.add_object(
                generic.DictionaryObject(
                    {
                        name("/Type"): name("/Font"),
                        name("/Subtype"): name("/Type0"),
                        name("/BaseFont"): name(f"/{font_name}-Identity-H"),
                        name("/Encoding"): name("/Identity-H"),
                        name("/DescendantFonts"): generic.ArrayObject([writer.add_object(cidfont)]),
                        name("/ToUnicode"): to_unicode,
                    }
                ),
                idnum=self._ref.idnum,
            )
            self._written = True

    class StampFont(FontEngineFactory):
        def create_font_engine(self, writer, obj_stream=None):
            return StampFontEngine(writer)

    return StampFont()


def _font_factory(text: str):
    """The stamp's font: prepared once (StampFace), else pyHanko's accumulator over the subset font."""
    face = stamp_face(text)
    if face is not None:
        return _stamp_engine_factory(face)
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulator, GlyphAccumulatorFactory

    font_bytes = _stamp_font(text)

    class InMemoryFont(GlyphAccumulatorFactory):
        def create_font_engine(self, writer, obj_stream=None):
            if obj_stream is None and writer.stream_xrefs and self.create_objstream_if_needed:
                obj_stream = writer.prepare_object_stream()
            return GlyphAccumulator(
                writer=writer,
                font_handle=io.BytesIO(font_bytes),
                font_size=self.font_size,
                obj_stream=obj_stream,
            )

    return InMemoryFont(font_file="(in memory)", font_size=STAMP_FONT_SIZE)


def stamp_text(agency_name: str, when: datetime.datetime) -> str:
    local = timezone.localtime(when)
    return (
        f"电子签章：{agency_name}\n"
        f"签章时间：{local:%Y-%m-%d %H:%M:%S}（北京时间）\n"
        "本文件加盖电子签章，可在本平台核验"
    )


STAMP_CHARS = "".join(
    sorted(set(stamp_text("", datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC))) | set("0123456789"))
)

# Room for the CMS container: chain, time-stamp token and (B-LT) CRLs fit with margin; fixing it spares
# pyHanko a trial signature (and a trial time-stamp) to estimate the size.
BYTES_RESERVED = 16 * 1024

# default box when a template marks no place: bottom right of the last page (PDF points)
DEFAULT_BOX = (330.0, 70.0, 540.0, 130.0)


def seal(data: bytes, agency, *, box=None, page: int = -1, reason: str = "") -> bytes:
    """Sign ``data`` (a PDF) with ``agency``'s seal, PAdES B-T (B-LT with revocation data), visible box."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.sign import fields, signers
    from pyhanko.sign.signers.pdf_signer import DSSContentSettings, SigDSSPlacementPreference
    from pyhanko.stamp import TextStampStyle

    key = seal_key(agency)
    path = _agency_file(agency.code)
    signer = _signer(str(path), path.stat().st_mtime_ns, key.cert.public_bytes(_der_encoding()))
    ts = timestamper()
    crls = _crls()
    lt = bool(crls) or bool(getattr(settings, "SEAL_REVOCATION_FETCH", False))
    now = timezone.now()
    text = stamp_text(agency.name, now)
    style = TextStampStyle(
        stamp_text=text,
        border_width=1,
        background=None,
        text_box_style=TextBoxStyle(
            font=_font_factory(agency.name + STAMP_CHARS),
            font_size=STAMP_FONT_SIZE,
            leading=STAMP_FONT_SIZE + 4,
        ),
    )
    meta = signers.PdfSignatureMetadata(
        field_name="Seal",
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
        reason=reason or "签发",
        location="西安市",
        name=agency.name,
        embed_validation_info=lt,
        use_pades_lta=False,
        validation_context=_validation_context(for_signing=True) if lt else None,
        # B-LT in one revision: the chain and CRLs (signer's and time-stamping authority's, collected before
        # signing) go into the DSS of the signed revision, so the signature covers the whole file and pyHanko
        # does not parse and extend the signed output a second time.
        dss_settings=DSSContentSettings(
            placement=SigDSSPlacementPreference.TOGETHER_WITH_SIGNATURE, include_vri=False
        ),
    )
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    try:
        out = signers.PdfSigner(
            meta,
            signer=signer,
            timestamper=ts,
            stamp_style=style,
            new_field_spec=fields.SigFieldSpec("Seal", on_page=page, box=tuple(box or DEFAULT_BOX)),
        ).sign_pdf(writer, bytes_reserved=BYTES_RESERVED)
    except SealError:
        raise
    except Exception as exc:  # a TSA that does not answer, a chain that does not validate…
        log.exception("sealing failed for agency %s", agency.code)
        raise SealError(
            _("电子签章失败：%(error)s") % {"error": f"{type(exc).__name__}: {str(exc)[:200]}"}
        ) from exc
    return out.getvalue()


def _der_encoding():
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.DER


def unavailable(request, exc: SealError):
    """The page for a document that cannot be sealed: not handed out (503); the reason is in the log
    and /healthz, and shown to staff."""
    from django.shortcuts import render

    return render(request, "portal/seal_unavailable.html", {"reason": exc.message}, status=503)


# --- health ------------------------------------------------------------------------------------------
def problems(agencies) -> list[str]:
    """What stops or will soon stop sealing, for operators (/healthz, ``manage.py check``)."""
    found = []
    if not getattr(settings, "SEAL_KEYSTORE_PASSPHRASE", ""):
        return [_("未配置 SEAL_KEYSTORE_PASSPHRASE")]
    if not tsa_url() and not demo_mode():
        found.append(_("未配置时间戳服务 SEAL_TSA_URL"))
    if not trust_roots() and not demo_mode():
        found.append(_("密钥库 trust/ 中没有根证书"))
    now = datetime.datetime.now(datetime.UTC)
    for agency in agencies:
        try:
            loaded = _load_p12(_agency_file(agency.code))
        except SealError as exc:
            found.append(exc.message)
            continue
        if loaded is None:
            if not demo_mode():
                found.append(_("%(agency)s 没有电子印章证书") % {"agency": agency.name})
            continue
        expires = loaded[1].not_valid_after_utc
        if expires <= now:
            found.append(_("%(agency)s 的电子印章证书已过期") % {"agency": agency.name})
        elif expires - now < datetime.timedelta(days=EXPIRY_WARNING_DAYS):
            found.append(
                _("%(agency)s 的电子印章证书将于 %(date)s 过期")
                % {"agency": agency.name, "date": expires.date().isoformat()}
            )
    return found


# --- checking any copy -------------------------------------------------------------------------------
MAX_PAGES = 50
MAX_INFLATED = 40 * 1024 * 1024  # all streams of one upload together, decompressed
MAX_OBJECTS = 20000
ACTIVE_KEYS = (
    "JavaScript",
    "JS",
    "OpenAction",
    "AA",
    "Launch",
    "SubmitForm",
    "ImportData",
    "RichMedia",
    "GoToR",
    "XFA",
)
_STREAM = re.compile(rb"(?<!end)stream(?:\r\n|\n|\r)")
_NAME = re.compile(rb"/([^\s/<>\[\]()%{}]+)")
_PAGE = re.compile(rb"/Type\s*/Page(?![s\w])")


class UnsafePdf(Exception):
    def __init__(self, message):
        super().__init__(message)
        self.message = message


def _names(chunk: bytes):
    for match in _NAME.finditer(chunk):
        raw = match.group(1)
        if b"#" in raw:  # /Java#53cript is /JavaScript
            raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
        yield raw.decode("latin-1")


def screen(data: bytes) -> None:
    """Refuse what a letter never contains before a parser touches it: scripts and automatic actions,
    hundreds of pages, a stream that inflates past MAX_INFLATED (a zip bomb). Looks inside every
    Flate stream (object streams hide dictionaries there) with a decompression cap."""
    inflated_total = 0
    chunks = [data]
    for match in _STREAM.finditer(data):
        start = match.end()
        end = data.find(b"endstream", start)
        if end < 0:
            break
        body = data[start:end]
        inflater = zlib.decompressobj()
        try:
            out = inflater.decompress(body, MAX_INFLATED - inflated_total + 1)
        except zlib.error:
            continue  # not Flate (images, fonts in other filters): nothing hidden that a reader runs
        inflated_total += len(out)
        if inflated_total > MAX_INFLATED or inflater.unconsumed_tail:
            raise UnsafePdf(_("文件中有解压后异常巨大的数据流（疑似压缩炸弹），已拒绝处理。"))
        chunks.append(out)
    pages = 0
    objects = 0
    for chunk in chunks:
        for name in _names(chunk):
            if name in ACTIVE_KEYS:
                raise UnsafePdf(
                    _("文件含有脚本或自动执行的动作（%(name)s），告知承诺书不会含有这些内容，已拒绝处理。")
                    % {"name": name}
                )
        pages += len(_PAGE.findall(chunk))
        objects += chunk.count(b" obj")
    if pages > MAX_PAGES:
        raise UnsafePdf(
            _("文件页数过多（超过 %(max)s 页），不是本平台签发的告知承诺书。") % {"max": MAX_PAGES}
        )
    if objects > MAX_OBJECTS:
        raise UnsafePdf(_("文件结构过于复杂，已拒绝处理。"))


@dataclass
class Check:
    """What a copy proves: signature, signer, integrity, whether the seal is ours, and embedded data."""

    sha256: str
    signed: bool = False
    valid: bool = False  # cryptographically sound
    intact: bool = False  # nothing changed since signing, the signature covers the whole file
    ours: bool = False  # the seal chains to this deployment's roots
    timestamped: bool = False
    signer: str = ""
    organisation: str = ""
    signed_at: datetime.datetime | None = None
    demo: bool = False
    attachment: dict = field(default_factory=dict)
    note: str = ""


def check(data: bytes) -> Check:
    """Check an uploaded PDF (``screen`` first; raises UnsafePdf)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    screen(data)
    result = Check(sha256=hashlib.sha256(data).hexdigest())
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        count = int(reader.root["/Pages"].get("/Count", 0))
        if count > MAX_PAGES:
            raise UnsafePdf(
                _("文件页数过多（超过 %(max)s 页），不是本平台签发的告知承诺书。") % {"max": MAX_PAGES}
            )
        result.attachment = _attachment(reader)
        signatures = reader.embedded_signatures
    except UnsafePdf:
        raise
    except Exception:  # noqa: BLE001 - a damaged file is an answer, not an error
        raise UnsafePdf(_("文件已损坏或不是有效的 PDF 文件，无法核验。")) from None
    if not signatures:
        result.note = _("文件中没有电子签章。")
        return result
    embedded = signatures[-1]
    result.signed = True
    context = _validation_context(for_signing=False)
    try:
        status = validate_pdf_signature(
            embedded, signer_validation_context=context, ts_validation_context=context
        )
    except Exception as exc:  # noqa: BLE001 - e.g. an algorithm pyHanko does not know (SM2): not valid here
        log.info("uploaded copy: signature not checkable (%s)", type(exc).__name__)
        result.note = _("签章数据无法解析：%(error)s") % {"error": type(exc).__name__}
        return result
    cert = status.signing_cert
    result.signer = cert.subject.native.get("common_name", "") if cert else ""
    result.organisation = cert.subject.native.get("organization_name", "") if cert else ""
    result.demo = DEMO_MARK in result.signer or DEMO_MARK in str(cert.issuer.native) if cert else False
    result.valid = bool(status.intact and status.valid)
    # Unchanged: the signature covers the whole file, or only the seal's own validation data (DSS, B-LT) follows.
    result.intact = result.valid and (
        status.coverage == SignatureCoverageLevel.ENTIRE_FILE
        or (
            status.coverage == SignatureCoverageLevel.ENTIRE_REVISION
            and status.modification_level is not None
            and status.modification_level <= ModificationLevel.LTA_UPDATES
        )
    )
    result.ours = result.valid and bool(status.trusted)
    ts = status.timestamp_validity
    result.timestamped = bool(ts and ts.intact and ts.valid)
    result.signed_at = ts.timestamp if result.timestamped else status.signer_reported_dt
    return result


def _attachment(reader) -> dict:
    """The letter's data embedded in it (PDF/A-3 attachment), at most 1 MB of JSON."""
    import json

    try:
        names = reader.root["/Names"]["/EmbeddedFiles"]["/Names"]
    except KeyError:
        return {}
    for i in range(1, len(names), 2):
        spec = names[i].get_object()
        try:
            stream = spec["/EF"]["/F"].get_object()
        except KeyError:
            continue
        if int(stream.get("/Length", 0)) > 1024 * 1024 or stream.get("/Filter") not in (None, "/FlateDecode"):
            continue
        raw = stream.encoded_data
        if stream.get("/Filter") == "/FlateDecode":
            inflater = zlib.decompressobj()  # capped here too, whatever screen() saw
            try:
                raw = inflater.decompress(raw, 1024 * 1024)
            except zlib.error:
                continue
            if inflater.unconsumed_tail:
                continue
        try:
            value = json.loads(raw.decode("utf-8"))
        except (ValueError, UnicodeDecodeError):
            continue
        if isinstance(value, dict):
            return value
    return {}
