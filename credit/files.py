"""Upload checks for credit attachments: portal.uploads, and the extension must match the content."""

from portal import uploads


def check_upload(upload) -> str:
    """Return the content type of an acceptable upload, or raise ``ValidationError`` in Chinese."""
    return uploads.check(upload, name_must_match=True).content_type
