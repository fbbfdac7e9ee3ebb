"""Upload checks for attachments: size, extension and the file's own first bytes must agree."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# extension → (content type, magic prefixes)
ALLOWED = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}


def check_upload(upload) -> str:
    """Return the content type of an acceptable upload, or raise ``ValidationError`` in Chinese."""
    name = upload.name or ""
    if upload.size is None or upload.size == 0:
        raise ValidationError(_("文件“%(name)s”是空文件。"), params={"name": name}, code="empty")
    if upload.size > MAX_BYTES:
        raise ValidationError(_("文件“%(name)s”超过 10 MB，请压缩后再上传。"), params={"name": name}, code="size")
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in ALLOWED:
        raise ValidationError(_("文件“%(name)s”格式不支持，只能上传 PDF、JPG 或 PNG 文件。"), params={"name": name}, code="extension")
    content_type, magics = ALLOWED[ext]
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not any(head.startswith(m) for m in magics):
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件。"), params={"name": name}, code="content"
        )
    return content_type
