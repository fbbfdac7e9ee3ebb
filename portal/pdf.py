"""The one WeasyPrint entry: HTML templates → PDF bytes, with a CJK font and nothing fetched over a network.

Fonts: every PDF template includes ``pdf/_fonts.css`` and names its fonts through the
``--pdf-serif``/``--pdf-sans``/``--pdf-mono`` stacks defined there. A stack starts with a
reduced face (GB 2312, built once per machine by ``manage.py build_pdf_fonts`` into
``font_dir()``) and goes on with the full system font (Debian ``fonts-noto-cjk``, through
fontconfig), so a rare character in a name still gets its real glyph. WeasyPrint subsets each
face used in each PDF and that costs ~5 ms for a reduced face against 30–50 ms for a system
one; when the reduced fonts are not built, PDFs just use the system fonts.

Images, stylesheets and fonts come only from ``static/`` on disk, the built fonts' folder or
``data:`` URLs. Every other URL — http(s), ``file:`` elsewhere — is refused, so a template can
never make the server fetch ``http://127.0.0.1`` or read ``/etc/passwd``.
"""

import functools
from pathlib import Path
from typing import NamedTuple

from django.conf import settings
from django.template.loader import render_to_string

from portal.fonts import font_dir


class ReducedFace(NamedTuple):
    family: str  # the @font-face family (templates/pdf/_fonts.css)
    weight: int
    file: str  # in font_dir()
    source: str  # fontconfig pattern of the system face it is cut from


REDUCED_FACES = (
    ReducedFace("Chengnuo Serif", 400, "ChengnuoSerif-Regular.otf", "Noto Serif CJK SC:weight=80"),
    ReducedFace("Chengnuo Serif", 700, "ChengnuoSerif-Bold.otf", "Noto Serif CJK SC:weight=200"),
    ReducedFace("Chengnuo Sans", 400, "ChengnuoSans-Regular.otf", "Noto Sans CJK SC:weight=80"),
    ReducedFace("Chengnuo Sans", 700, "ChengnuoSans-Bold.otf", "Noto Sans CJK SC:weight=200"),
)


def font_faces() -> list[dict]:
    """The @font-face rules of the reduced fonts that are built (none: the system fonts are used)."""
    folder = font_dir()
    faces = []
    for face in REDUCED_FACES:
        path = folder / face.file
        if path.is_file():
            faces.append({"family": face.family, "weight": face.weight, "url": path.as_uri()})
    return faces


def _allowed(path: Path) -> bool:
    if any(path.is_relative_to(Path(root).resolve()) for root in settings.STATICFILES_DIRS):
        return path.is_file()
    # The built fonts' folder: only its font files.
    return path.parent == font_dir() and path.suffix == ".otf" and path.is_file()


@functools.cache
def _weasy():
    # Imported lazily: WeasyPrint loads Pango at import time, which only PDF work needs.
    import weasyprint
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(url[len("file://") :].split("?", 1)[0]).resolve()
                if _allowed(path):
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"PDF 渲染不加载外部资源：{url[:80]}")

    return weasyprint, LocalOnlyFetcher(fail_on_errors=False)


@functools.cache
def _font_config(face_urls: tuple[str, ...]):
    """One fontconfig set per set of reduced fonts: WeasyPrint keeps every @font-face it has loaded
    in its FontConfiguration, so PDFs rendered without the built fonts must not share one with those
    rendered with them."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def render_pdf(template_name: str, context: dict | None = None, *, seal_by=None, attachments=(), **options) -> bytes:
    """Render ``template_name`` (an HTML template) to PDF bytes (``options`` go to ``write_pdf``).

    ``seal_by`` (an Agency): the document is issued — PDF/A-3b (tagged), ``attachments`` embedded as
    ``(file name, bytes, description)``, then sealed by that agency (``portal.seals``, PAdES) in the box the
    template marks with ``id="seal-box"`` on the last page that has it. Raises ``seals.SealError`` rather
    than hand out an unsealed document."""
    weasyprint, fetcher = _weasy()
    faces = font_faces()
    font_config = _font_config(tuple(face["url"] for face in faces))
    html = render_to_string(template_name, {**(context or {}), "pdf_font_faces": faces})
    base = Path(settings.STATICFILES_DIRS[0]).resolve().as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher)
    if seal_by is None:
        options.setdefault("pdf_variant", "pdf/ua-1")
        return document.write_pdf(font_config=font_config, **options)
    from portal import seals

    seals.seal_key(seal_by)  # fail before rendering when the agency cannot seal
    options.setdefault("pdf_variant", "pdf/a-3b")
    options.setdefault("pdf_tags", True)
    if attachments:
        options["attachments"] = [
            weasyprint.Attachment(string=content, name=name, description=description, relationship="Data")
            for name, content, description in attachments
        ]
    rendered = document.render(font_config=font_config, **options)
    page, box = seal_box(rendered)
    data = rendered.write_pdf(**options)
    return seals.seal(data, seal_by, page=page, box=box, reason=context.get("seal_reason", "") if context else "")


PX_TO_PT = 0.75  # CSS px (1/96 in) → PDF points (1/72 in)


def seal_box(rendered, anchor: str = "seal-box") -> tuple[int, tuple[float, float, float, float] | None]:
    """(page index, box in PDF points from the bottom left) of the element ``id=anchor`` on the last page
    that has it; (-1, None) when the template marks no place."""
    for index in range(len(rendered.pages) - 1, -1, -1):
        page = rendered.pages[index]
        if anchor in page.anchors:
            x1, y1, x2, y2 = page.anchors[anchor]
            height = page.height * PX_TO_PT
            return index, (x1 * PX_TO_PT, height - y2 * PX_TO_PT, x2 * PX_TO_PT, height - y1 * PX_TO_PT)
    return -1, None
