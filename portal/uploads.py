"""The one check every uploaded file goes through (proofs, paper scans, credit proofs, complaint
attachments, inspection photos): at most 10 MB, a PDF, JPG or PNG by its own first bytes (never by
its name — an HTML page or a program called ``.pdf`` is refused, and so is any SVG), and an image
small enough to open: a decompression bomb (a few kilobytes that declare 50 000 × 50 000 pixels)
is refused from its header, before anything decodes it.

Messages are Chinese and name the file; apps raise them beside their own field. ``open_stored``
is the way back out: a stored upload missing from storage is a 404, not a server error.
"""

import hashlib
import warnings
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

MAX_BYTES = 10 * 1024 * 1024
# content type → (magic prefix, stored extension)
TYPES = {
    "application/pdf": (b"%PDF-", ".pdf"),
    "image/jpeg": (b"\xff\xd8\xff", ".jpg"),
    "image/png": (b"\x89PNG\r\n\x1a\n", ".png"),
}
# a file name's extension → the content type it promises
NAME_TYPES = {"pdf": "application/pdf", "jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png"}


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str
    sha256: str


def check(upload, *, name_must_match: bool = False) -> Checked:
    """Check ``upload``; raise ``ValidationError`` (Chinese) if it is not an acceptable file.

    ``name_must_match`` also refuses a file whose extension promises another type than its content
    (``照片.png`` holding a PDF); without it the content alone decides and the name is ignored.
    """
    if upload is None:
        raise ValidationError(_("请选择要上传的文件。"), code="required")
    name = upload.name or ""
    if not upload.size:
        raise ValidationError(_("文件“%(name)s”是空文件。") % {"name": name}, code="empty")
    if upload.size > MAX_BYTES:
        raise ValidationError(_("文件“%(name)s”超过 10 MB，请压缩后再上传。") % {"name": name}, code="size")
    named = NAME_TYPES.get(name.rsplit(".", 1)[-1].lower() if "." in name else "")
    if name_must_match and named is None:
        raise ValidationError(_("文件“%(name)s”格式不支持，只能上传 PDF、JPG 或 PNG 文件。") % {"name": name},
                              code="extension")
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    content_type = next((ct for ct, (magic, _ext) in TYPES.items() if head.startswith(magic)), None)
    if name_must_match and content_type != named:
        raise ValidationError(
            _("文件“%(name)s”的内容与扩展名不符，请上传真实的 PDF、JPG 或 PNG 文件。") % {"name": name}, code="content")
    if content_type is None:
        raise ValidationError(
            _("文件“%(name)s”不是 PDF、JPG 或 PNG 文件（按文件内容判断，与文件名无关），请重新选择。") % {"name": name},
            code="content",
        )
    if content_type.startswith("image/"):
        _check_dimensions(upload, name)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    return Checked(content_type, TYPES[content_type][1], digest.hexdigest())


def open_stored(fieldfile):
    """Open a stored upload for streaming (local disk or object store); missing → 404."""
    try:
        return fieldfile.open("rb")
    except FileNotFoundError:
        raise Http404 from None


def extension_for(content_type: str) -> str:
    return TYPES[content_type][1]


def _check_dimensions(upload, name):
    """Refuse an image that declares more pixels than Pillow's decompression-bomb limit (≈ 89 MP).

    Only the header is read. A header Pillow cannot read is left alone: no browser can draw it
    either, and the file is only ever served as a download.
    """
    from PIL import Image

    limit = Image.MAX_IMAGE_PIXELS
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                width, height = image.size
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        width = height = None
    except Exception:  # noqa: BLE001 - an unreadable header is not a bomb
        return
    finally:
        upload.seek(0)
    if width is None or width * height > limit:
        raise ValidationError(
            _("图片“%(name)s”的像素尺寸过大，无法处理，请缩小后再上传（不超过 %(mp)s 百万像素）。")
            % {"name": name, "mp": limit // 1_000_000},
            code="dimensions",
        )
