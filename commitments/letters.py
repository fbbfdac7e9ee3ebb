"""The 告知承诺书 as a document: the notification snapshot, its exact text, its hash and its PDF.

The snapshot is built once, at signing, from the matter's published version; the letter and
the verification page only ever read the snapshot, so later catalogue changes never alter a
signed letter.
"""

import hashlib
import json

import segno
from django.urls import reverse
from django.utils import timezone, translation

from catalog.api import verification_promise
from portal import pdf
from portal.conf import setting

# 申请人承诺 (§二(三)): the statements the applicant confirms one by one.
STATEMENTS = (
    "已经知晓行政机关告知的全部内容；",
    "自身已经符合行政机关告知的条件、标准和要求；",
    "所填写的信息和提供的材料真实、准确、完整，愿意接受行政机关的核查；",
    "不存在由他人代为承诺的情形（法定监护人代为承诺的除外）；",
    "如承诺不实，愿意承担相应的民事、行政和刑事法律责任。",
)
NEGATIVE_LIST_STATEMENT = "不属于本证明事项告知承诺制负面清单所列的情形或对象。"
COMMITMENT_METHOD = "书面承诺：在本平台在线签署或在政务服务窗口签署告知承诺书，电子文本与纸质文本具有同等效力。不得由他人代为承诺，法定监护人代为承诺的除外。"
CN_NUMERALS = (*"一二三四五六七八九十", "十一", "十二", "十三", "十四")


def public_base_url() -> str:
    """PUBLIC_BASE_URL: the portal's public address, printed in letters' QR codes (default: local)."""
    return setting("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/")


def verify_url(letter_number: str) -> str:
    return public_base_url() + reverse("commitments:verify_letter", args=[letter_number])


def _cn_date(d) -> str:
    """A date in Chinese form (2026年3月5日): the letter is Chinese whatever the page language."""
    return f"{d.year}年{d.month}月{d.day}日"


def snapshot(matter, negative_entries, findings=None) -> dict:
    """Everything the applicant is notified of, copied from the matter's published version.

    ``findings`` (``commitments.negative_list``): each negative-list entry as checked or answered at signing."""
    catalogue = matter.catalogue
    return {
        "matter_name": matter.name,
        "service_name": matter.service.name,
        "service_kind": str(matter.service.get_kind_display()),
        "agency_name": catalogue.agency.name,
        "requesting_agency": matter.requesting_agency.name,
        "issuing_unit": matter.issuing_unit,
        "catalogue_version": catalogue.version,
        "catalogue_published_at": _cn_date(timezone.localtime(catalogue.published_at).date()) if catalogue.published_at else "",
        "legal_basis": matter.legal_basis,
        "proof_content": matter.proof_content,
        "commitment_content": matter.commitment_content,
        "commitment_method": COMMITMENT_METHOD,
        "liability_civil": matter.liability_civil,
        "liability_administrative": matter.liability_administrative,
        "liability_criminal": matter.liability_criminal,
        "verification_methods": matter.verification_method_labels(),
        "verification_days": matter.verification_days,
        # The same promise verification planning acts on (catalog.models.verification_promise).
        "verification_promise": verification_promise(matter)["text"],
        "publicity_required": matter.publicity_required,
        "publicity_place": matter.publicity_place,
        "publicity_days": matter.publicity_days,
        "insurance_note": matter.insurance_note,
        "negative_list": [e.description for e in negative_entries],
        "statements": list(STATEMENTS) + ([NEGATIVE_LIST_STATEMENT] if negative_entries else []),
        "negative_checks": [f.as_snapshot() for f in findings or []],
    }


def negative_check_lines(s: dict) -> list[str]:
    """负面清单核对, one line per entry: the question and the answer, or the condition and what the portal found."""
    lines = []
    for c in s.get("negative_checks") or []:
        if c.get("question"):
            lines.append(f"{c['question']}（{c['detail']}）")
        else:
            verdict = "属于" if c.get("applies") else "不属于"
            lines.append(f"{c['kind']}“{c['description']}”：系统核对{c['condition']}——{verdict}（{c['detail']}）")
    return lines


def notice_sections(s: dict) -> list[tuple[str, str]]:
    """(heading, text) of the notification part, in the letter's order."""
    liability = "".join(
        f"{label}{text}" for label, text in (
            ("民事责任：", s["liability_civil"]), ("行政责任：", s["liability_administrative"]),
            ("刑事责任：", s["liability_criminal"]),
        ) if text
    )
    if s.get("verification_promise"):
        verification = "行政机关有权对申请人的承诺内容进行核查。" + s["verification_promise"]
    else:  # letters signed before the promise was recorded keep their wording
        verification = "行政机关有权对申请人的承诺内容进行核查。核查方式：" + ("、".join(s["verification_methods"]) or "依法核查")
        if s["verification_days"]:
            verification += f"；核查时限：受理后{s['verification_days']}个工作日内"
        verification += "。"
    if s["publicity_required"]:
        publicity = f"本事项的承诺信息将在{s['publicity_place']}公示，公示期{s['publicity_days']}日，公示时不公开个人隐私和商业秘密。"
    else:
        publicity = "本事项的承诺信息不予公示。"
    sections = [
        ("证明事项名称", s["matter_name"]),
        ("办理事项", f"{s['service_name']}（{s['service_kind']}）"),
        ("设定依据", s["legal_basis"]),
        ("证明内容", s["proof_content"]),
        ("承诺方式", s["commitment_method"]),
        ("不实承诺的法律责任", liability),
        ("核查权力和核查方式", verification),
        ("承诺公示", publicity),
    ]
    if s["negative_list"]:
        sections.append(("不适用告知承诺的情形", "；".join(s["negative_list"]) + "。"))
    checks = negative_check_lines(s)
    if checks:  # letters signed before the checks were recorded keep their wording
        sections.append(("负面清单核对", "；".join(checks) + "。"))
    if s["insurance_note"]:
        sections.append(("责任保险", s["insurance_note"]))
    return sections


def full_text(s: dict, *, letter_number: str, subject_name: str, signer_name: str, relation_label: str) -> str:
    """The exact text the applicant signed (kept verbatim on the commitment)."""
    lines = [f"证明事项告知承诺书（{s['matter_name']}）", f"编号：{letter_number}", "", "一、行政机关告知"]
    for i, (heading, text) in enumerate(notice_sections(s)):
        lines.append(f"（{CN_NUMERALS[i]}）{heading}：{text}")
    lines += ["", "二、申请人承诺", s["commitment_content"], "本人（本单位）郑重承诺："]
    for i, statement in enumerate(s["statements"]):
        lines.append(f"{CN_NUMERALS[i]}、{statement}")
    lines += ["", f"承诺人：{subject_name}", f"签署人：{signer_name}（{relation_label}）"]
    return "\n".join(lines)


def content_hash(*, letter_number, text, signer_name, relation, subject_id_masked, signed_at, method) -> str:
    payload = json.dumps(
        {"letter_number": letter_number, "text": text, "signer": signer_name, "relation": relation,
         "subject": subject_id_masked, "signed_at": signed_at.isoformat(), "method": method},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=0, dark="#000")


def data(commitment) -> dict:
    """The letter's record as embedded in its PDF (PDF/A-3 attachment): what the letter shows, no more
    (the ID number only masked), so an archive keeps the data with the document."""
    return {
        "letter_number": commitment.letter_number,
        "content_hash": commitment.content_hash,
        "subject_name": commitment.subject_name,
        "subject_id_masked": commitment.subject_id_masked,
        "signer_name": commitment.signer_name,
        "signer_relation": commitment.signer_relation,
        "method": commitment.method,
        "signed_at": commitment.signed_at.isoformat(),
        "verify_url": verify_url(commitment.letter_number),
        "notification": commitment.notification,
        "text": commitment.notification_text,
    }


def render(commitment) -> bytes:
    """The letter PDF through the one PDF helper (QR code embedded as a data: URI), PDF/A-3b with its
    data attached, sealed by the handling agency (电子印章; raises ``SealError`` rather than issue unsealed)."""
    s = commitment.notification
    url = verify_url(commitment.letter_number)
    payload = json.dumps(data(commitment), ensure_ascii=False, indent=1).encode("utf-8")
    with translation.override("zh-hans"):  # the letter is Chinese whatever the request language
        return _render_pdf(commitment, s, url, payload)


def _render_pdf(commitment, s, url, payload) -> bytes:
    return pdf.render_pdf("commitments/letter_pdf.html", {
        "c": commitment, "s": s, "sections": [(CN_NUMERALS[i], h, t) for i, (h, t) in enumerate(notice_sections(s))],
        "statements": [(CN_NUMERALS[i], t) for i, t in enumerate(s["statements"])],
        "verify_url": url, "qr": qr_data_uri(url), "signed_at": timezone.localtime(commitment.signed_at),
        "seal_reason": f"告知承诺书 {commitment.letter_number}",
    }, seal_by=commitment.application.agency,
        attachments=[(f"{commitment.letter_number}.json", payload, "告知承诺书数据（签署时的快照）")])
