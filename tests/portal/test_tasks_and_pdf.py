import datetime

import pytest

from portal import pdf
from portal.models import Workday
from portal.tasks import extend_workday_calendar
from tests.conftest import wait_for


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_real_worker_extends_the_workday_calendar_once(celery_worker):
    Workday.objects.filter(date__year=2026).delete()
    extend_workday_calendar.delay()
    assert wait_for(lambda: Workday.objects.filter(date=datetime.date(2026, 10, 10), is_workday=True).exists())
    count = Workday.objects.filter(date__year=2026).count()
    extend_workday_calendar.delay()
    wait_for(lambda: False, timeout=1)
    assert Workday.objects.filter(date__year=2026).count() == count


def test_pdf_renders_chinese_with_an_embedded_cjk_font(tmp_path, settings):
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "sample.html").write_text(
        "<html><body style='font-family: \"Noto Serif CJK SC\"'><h1>告知承诺书</h1><p>申请人承诺所填信息真实。</p></body></html>",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]
    data = pdf.render_pdf("sample.html", uncompressed_pdf=True)
    assert data.startswith(b"%PDF")
    assert b"/FontFile" in data  # the font is embedded, not referenced
    assert b"CJK" in data


def test_pdf_rendering_never_fetches_a_url_or_reads_outside_static(tmp_path, settings):
    import http.server
    import threading

    hits = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802
            hits.append(self.path)
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    template_dir = tmp_path / "templates"
    template_dir.mkdir()
    (template_dir / "evil.html").write_text(
        f"<html><body><img src='http://127.0.0.1:{server.server_port}/x.png'>"
        "<img src='file:///etc/passwd'><link rel='stylesheet' href='file:///etc/hostname'>"
        "<p>正文</p></body></html>",
        encoding="utf-8",
    )
    settings.TEMPLATES = [{**settings.TEMPLATES[0], "DIRS": [template_dir]}]
    data = pdf.render_pdf("evil.html")
    server.shutdown()
    assert data.startswith(b"%PDF")
    assert hits == []
    assert b"root:x:0:0" not in data
