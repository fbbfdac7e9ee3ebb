"""Upload checks: the file's own first bytes decide its type (never its name); at most 10 MB."""

import hashlib

from django.utils.translation import gettext as _

from .models import CommitmentsError

MAX_BYTES = 10 * 1024 * 1024
MAGIC = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
)


def sniff(upload, field="file") -> tuple[str, str]:
    """(content type, sha256) of an acceptable upload, or ``CommitmentsError`` in Chinese beside ``field``."""
    if upload is None:
        raise CommitmentsError(_("请选择要上传的文件。"), field=field)
    name = upload.name or ""
    if not upload.size:
        raise CommitmentsError(_("文件“%(name)s”是空文件。") % {"name": name}, field=field)
    if upload.size > MAX_BYTES:
        raise CommitmentsError(_("文件“%(name)s”超过 10 MB，请压缩后再上传。") % {"name": name}, field=field)
    upload.seek(0)
    head = upload.read(16)
    content_type = next((ct for magic, ct, _ext in MAGIC if head.startswith(magic)), None)
    if content_type is None:
        raise CommitmentsError(
            _("文件“%(name)s”不是 PDF、JPG 或 PNG 文件（按文件内容判断，与文件名无关），请重新选择。") % {"name": name},
            field=field,
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return content_type, digest.hexdigest()


def extension_for(content_type: str) -> str:
    return next(ext for _m, ct, ext in MAGIC if ct == content_type)
