"""The one WeasyPrint entry: HTML templates → PDF bytes, with a CJK font and nothing fetched over a network.

Fonts come from the system (Debian ``fonts-noto-cjk``) through fontconfig; images and
stylesheets only from ``static/`` on disk or ``data:`` URLs. Every other URL — http(s),
``file:`` outside ``static/`` — is refused, so a template can never make the server fetch
``http://127.0.0.1`` or read ``/etc/passwd``.
"""

import functools
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string


def _allowed_roots() -> list[Path]:
    return [Path(p).resolve() for p in settings.STATICFILES_DIRS]


@functools.cache
def _weasy():
    # Imported lazily: WeasyPrint loads Pango at import time, which only PDF work needs.
    import weasyprint
    from weasyprint.text.fonts import FontConfiguration
    from weasyprint.urls import URLFetcher

    class LocalOnlyFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if url.startswith("file://"):
                path = Path(url[len("file://") :].split("?", 1)[0]).resolve()
                if any(path.is_relative_to(root) for root in _allowed_roots()) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            raise ValueError(f"PDF 渲染不加载外部资源：{url[:80]}")

    return weasyprint, FontConfiguration(), LocalOnlyFetcher(fail_on_errors=False)


def render_pdf(template_name: str, context: dict | None = None, **options) -> bytes:
    """Render ``template_name`` (an HTML template) to PDF bytes (``options`` go to ``write_pdf``)."""
    weasyprint, font_config, fetcher = _weasy()
    html = render_to_string(template_name, context or {})
    base = _allowed_roots()[0].as_uri() + "/"
    document = weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher)
    options.setdefault("pdf_variant", "pdf/ua-1")
    return document.write_pdf(font_config=font_config, **options)
