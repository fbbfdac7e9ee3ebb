"""Identifiers: 居民身份证号 and 统一社会信用代码 — validation (python-stdnum), masking, keyed hashing."""

import hashlib
import hmac
import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_exceptions
from stdnum.cn import ric, uscc


def normalise(value: str) -> str:
    """Strip separators and spaces, upper-case the check character (``x`` → ``X``)."""
    return "".join(str(value or "").split()).replace("-", "").upper()


def validate_resident_id(value: str) -> str:
    """Return the normalised 18-digit resident ID, or raise ``ValidationError`` in Chinese."""
    number = normalise(value)
    try:
        ric.validate(number)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(_("居民身份证号码应为18位。"), code="length") from None
    except stdnum_exceptions.InvalidFormat:
        raise ValidationError(_("居民身份证号码前17位应为数字，最后一位为数字或X。"), code="format") from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(_("居民身份证号码校验位不正确，请核对后重新输入。"), code="checksum") from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("居民身份证号码中的出生日期或地区码无效。"), code="component") from None
    return number


def validate_uscc(value: str) -> str:
    """Return the normalised 统一社会信用代码, or raise ``ValidationError`` in Chinese."""
    number = normalise(value)
    try:
        uscc.validate(number)
    except stdnum_exceptions.InvalidLength:
        raise ValidationError(_("统一社会信用代码应为18位。"), code="length") from None
    except stdnum_exceptions.InvalidFormat:
        raise ValidationError(
            _("统一社会信用代码格式不正确（前8位为数字，其余为数字或大写字母，不含I、O、Z、S、V）。"), code="format"
        ) from None
    except stdnum_exceptions.InvalidChecksum:
        raise ValidationError(_("统一社会信用代码校验位不正确，请核对后重新输入。"), code="checksum") from None
    except stdnum_exceptions.ValidationError:
        raise ValidationError(_("统一社会信用代码无效。"), code="invalid") from None
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
