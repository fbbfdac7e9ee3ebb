"""Fixtures for the credit tests: records entered through the service, files, a loopback receiver."""

import datetime
import http.server
import io
import json
import threading

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from credit import services
from credit.models import DishonestyRecord, Severity

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def pdf_upload(name="整改证明.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def make_record(agency):
    """Enter a record through the service (the policy applies); ``months_ago`` dates the decision."""

    def make(subject, severity=Severity.SERIOUS, kind=DishonestyRecord.Kind.FALSE_COMMITMENT, months_ago=0,
             number=None, actor=None, deciding_agency=None, **extra):
        today = timezone.localdate()
        decision_date = today - datetime.timedelta(days=int(months_ago * 31))
        make.n += 1
        fields = dict(
            subject=subject, kind=kind, severity=severity, decision_number=number or f"西人社罚〔2026〕{make.n}号",
            decision_date=decision_date, deciding_agency=deciding_agency or agency, facts="承诺已缴纳社保，经核查不实。",
            actor=actor,
        )
        if kind == DishonestyRecord.Kind.FALSE_COMMITMENT:
            fields["commitment_ref"] = extra.pop("commitment_ref", f"CN-2026-{make.n:05d}")
        else:
            fields["basis"] = extra.pop("basis", "《陕西省社会信用条例》第二十条")
        fields.update(extra)
        return services.enter_record(**fields)

    make.n = 0
    return make


@pytest.fixture
def receiver():
    """A real HTTP server on loopback recording every POST; ``fail_next`` makes it answer 503 n times."""

    class State:
        requests: list = []
        fail_next = 0

    state = State()
    state.requests = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if state.fail_next > 0:
                state.fail_next -= 1
                self.send_response(503)
                self.end_headers()
                return
            key = self.headers.get("Idempotency-Key")
            seen = any(r["key"] == key for r in state.requests)
            state.requests.append({"key": key, "body": json.loads(body), "auth": self.headers.get("Authorization")})
            self.send_response(409 if seen else 201)
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/credit/receive"
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.CREDIT_PUSH_URL = ""


def blob(data: bytes, name: str):
    f = io.BytesIO(data)
    f.name = name
    return f
