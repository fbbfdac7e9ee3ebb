"""Upload checks for proofs and paper scans: portal.uploads (content decides, never the name; ≤ 10 MB)."""

from django.core.exceptions import ValidationError

from portal import uploads

from .models import CommitmentsError

extension_for = uploads.extension_for


def sniff(upload, field="file") -> tuple[str, str]:
    """(content type, sha256) of an acceptable upload, or ``CommitmentsError`` in Chinese beside ``field``."""
    try:
        checked = uploads.check(upload)
    except ValidationError as exc:
        raise CommitmentsError(exc.messages[0], field=field, code="bad_upload") from None
    return checked.content_type, checked.sha256
