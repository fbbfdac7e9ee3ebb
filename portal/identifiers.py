"""Identifiers: personal ID numbers and 统一社会信用代码 — validation, masking, keyed hashing.

Personal ID numbers of 18 characters share one shape (ISO 7064 MOD 11-2 check, birth date at
positions 7–14) and are accepted wherever a resident ID is asked for:

* 居民身份证 — 6-digit area code (any code that is or ever was in GB/T 2260: a number is assigned
  once and stays valid after the district is re-zoned, so 长安县 610121 and 长安区 610116 are both fine);
* 港澳台居民居住证 — area code 810000 (Hong Kong), 820000 (Macao) or 830000 (Taiwan);
* 外国人永久居留身份证 (2023 form) — ``9`` + 2-digit province code + 3-digit nationality code
  (GB/T 2659 = ISO 3166-1 numeric) + birth date + sequence + check.
"""

import datetime
import functools
import hashlib
import hmac
import importlib.resources
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

RESIDENT_ID = "resident_id"
HMT_RESIDENCE_PERMIT = "hmt_residence_permit"
FOREIGN_PERMANENT_RESIDENCE = "foreign_permanent_residence"
USCC = "uscc"

# Area codes of the 港澳台居民居住证 (Hong Kong, Macao, Taiwan).
HMT_AREA_CODES = {"810000": "香港", "820000": "澳门", "830000": "台湾"}
EARLIEST_BIRTH_YEAR = 1900

_RIC_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 32100 登记管理部门代码: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游, 7 宗教, 8 工会,
# 9 市场监管（工商）, A 中央军委改革和编制办公室, N 农业, Y 其他.
USCC_REGISTRATION_AUTHORITIES = "123456789ANY"


def normalise(value: str) -> str:
    """Strip separators and spaces, upper-case the check character (``x`` → ``X``)."""
    return "".join(str(value or "").split()).replace("-", "").upper()


@functools.cache
def area_codes() -> frozenset[str]:
    """Every administrative-division code that is or ever was in GB/T 2260 (历史行政区划代码).

    Built from python-stdnum's own table, ignoring the years it gives for each code: a resident
    ID keeps the code of the place where it was first issued, for life.
    """
    text = (importlib.resources.files("stdnum") / "cn" / "loc.dat").read_text(encoding="utf-8")
    codes, province = set(), None
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        if not line[0].isspace():
            province = line.split()[0]
        elif province:
            codes.add(province + line.split()[0])
    return frozenset(codes | set(HMT_AREA_CODES))


@functools.cache
def province_codes() -> frozenset[str]:
    return frozenset(code[:2] for code in area_codes() if code[:2] not in {"71", "81", "82", "83"})


@functools.cache
def nationality_codes() -> frozenset[str]:
    """GB/T 2659 numeric country codes (identical to ISO 3166-1 numeric), China itself excluded."""
    import pycountry

    return frozenset(country.numeric for country in pycountry.countries if country.numeric != "156")


def personal_id_check_digit(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits."""
    total = sum(int(digit) * weight for digit, weight in zip(first17, _RIC_WEIGHTS, strict=True))
    return "10X98765432"[total % 11]


def personal_id_kind(number: str) -> str:
    """Which document an (already valid) 18-character personal ID number belongs to."""
    number = normalise(number)
    if number[:6] in HMT_AREA_CODES:
        return HMT_RESIDENCE_PERMIT
    if number[:1] == "9":
        return FOREIGN_PERMANENT_RESIDENCE
    return RESIDENT_ID


DOCUMENT_NAMES = {
    RESIDENT_ID: "居民身份证",
    HMT_RESIDENCE_PERMIT: "港澳台居民居住证",
    FOREIGN_PERMANENT_RESIDENCE: "外国人永久居留身份证",
    USCC: "统一社会信用代码",
}


def birth_date(number: str) -> datetime.date:
    """The birth date written in a valid personal ID number (positions 7–14 in all three documents)."""
    number = normalise(number)
    return datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))


def validate_resident_id(value: str, today: datetime.date | None = None) -> str:
    """Return the normalised 18-character personal ID number, or raise ``ValidationError`` in Chinese.

    Accepts 居民身份证, 港澳台居民居住证 and 外国人永久居留身份证 numbers (``personal_id_kind`` says
    which). Each fault has its own message and code: ``length``, ``format``, ``area`` (or
    ``province`` / ``nationality`` for a permanent-residence card), ``birth_date`` (no such day),
    ``birth_future``, ``birth_too_early`` (before 1900), ``checksum``. A wrong check digit is only
    reported as wrong: the message never says which one would be right.
    """
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(_("居民身份证号码应为18位。"), code="length")
    if not (number[:17].isascii() and number[:17].isdigit()) or number[17] not in "0123456789X":
        raise ValidationError(_("居民身份证号码前17位应为数字，最后一位为数字或X。"), code="format")
    kind = personal_id_kind(number)
    if kind == FOREIGN_PERMANENT_RESIDENCE:
        if number[1:3] not in province_codes():
            raise ValidationError(
                _("外国人永久居留身份证号码第2至3位的受理地省份代码不存在，请核对。"), code="province")
        if number[3:6] not in nationality_codes():
            raise ValidationError(
                _("外国人永久居留身份证号码第4至6位的国籍代码不存在，请核对。"), code="nationality")
    elif number[:6] not in area_codes():
        raise ValidationError(
            _("居民身份证号码前6位地区码不存在（不是任何时期的行政区划代码），请核对。"), code="area")
    try:
        born = birth_date(number)
    except ValueError:
        raise ValidationError(
            _("居民身份证号码第7至14位的出生日期不存在（如2月30日、13月），请核对。"), code="birth_date") from None
    if born > (today or timezone.localdate()):
        raise ValidationError(_("居民身份证号码中的出生日期晚于今天，请核对。"), code="birth_future")
    if born.year < EARLIEST_BIRTH_YEAR:
        raise ValidationError(_("居民身份证号码中的出生日期早于1900年，请核对。"), code="birth_too_early")
    if number[17] != personal_id_check_digit(number[:17]):
        raise ValidationError(_("居民身份证号码校验位不正确，请核对后重新输入。"), code="checksum")
    return number


def uscc_check_digit(first17: str) -> str:
    """GB 32100 check character of the first 17 characters of a 统一社会信用代码."""
    total = sum(_USCC_ALPHABET.index(char) * weight for char, weight in zip(first17, _USCC_WEIGHTS, strict=True))
    return _USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Return the normalised 统一社会信用代码 (GB 32100), or raise ``ValidationError`` in Chinese.

    Codes: ``length``, ``format`` (a character outside the 31 allowed), ``authority`` (position 1
    is no 登记管理部门代码), ``area`` (positions 3–8 not digits), ``checksum``.
    """
    number = normalise(value)
    if len(number) != 18:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="length")
    if any(char not in _USCC_ALPHABET for char in number):
        raise ValidationError(
            _("统一社会信用代码格式不正确（由数字和大写字母组成，不含I、O、Z、S、V）。"), code="format")
    if number[0] not in USCC_REGISTRATION_AUTHORITIES:
        raise ValidationError(
            _("统一社会信用代码第1位登记管理部门代码不正确（应为1至9、A、N或Y）。"), code="authority")
    if not number[2:8].isdigit():
        raise ValidationError(_("统一社会信用代码第3至8位应为数字（登记管理机关行政区划码）。"), code="area")
    if number[17] != uscc_check_digit(number[:17]):
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="checksum")
    return number


def mask(value: str) -> str:
    """Show the first and the last character only: ``6****************X`` (the public masking rule).

    Four and four (``6101…3217``) left the birth date and three sequence digits to find, and a
    birth year from elsewhere narrowed that to a few hundred guesses; with one and one, the area,
    the birth date and the sequence are all unknown (docs/security.md, "Masking"). Masking an
    already masked value applies the same rule, so older four-and-four masks can be re-masked."""
    number = normalise(value)
    if len(number) <= 2:
        return "*" * len(number)
    return number[:1] + "*" * (len(number) - 2) + number[-1:]


def mask_name(name: str, kind: str, *, full_organisation_name: bool) -> str:
    """A subject's name on a public page: a person as 张** (surname only), always.

    An organisation's name is public in its registration; ``full_organisation_name`` says whether
    this page shows it whole (the 失信 blacklist: naming the organisation is the point of the
    publication) or as its first four and last four characters (the 告知承诺 publicity board, whose
    applicants have done no wrong). Each public page passes its choice explicitly.
    """
    if not name:
        return ""
    if kind == "person":
        return name[:1] + "*" * (len(name) - 1)
    if full_organisation_name or len(name) <= 8:
        return name
    return name[:4] + "**" + name[-4:]


# A resident ID number standing alone in free text: 17 digits and a check character (digit or X).
RESIDENT_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])\d{17}[0-9Xx](?![0-9A-Za-z])")


def redact(text: str) -> str:
    """Mask every resident ID number in free text (log lines, audit summaries): ``6****************X``."""
    return RESIDENT_ID_IN_TEXT.sub(lambda m: mask(m.group()), text)


def redact_data(value):
    """``redact`` every string inside JSON-like data (dicts, lists), keys included."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {redact_data(key): redact_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_data(item) for item in value]
    return value


def keyed_hash(value: str) -> str:
    """HMAC-SHA256 blind index of a normalised identifier, for exact lookups of encrypted values."""
    key = settings.FIELD_ENCRYPTION_KEY.encode("utf-8")
    return hmac.new(key, normalise(value).encode("utf-8"), hashlib.sha256).hexdigest()
