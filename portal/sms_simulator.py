"""An SMS gateway simulator (stdlib ``http.server``, loopback only) for development and the tests.

``POST /sms`` with JSON ``{"mobile", "sign", "text", "idempotency_key"}`` (and ``Authorization: Bearer
<token>`` when the simulator was given one) answers ``{"id", "segments"}``: the gateway's receipt and how
many 70-character SMS the text costs. The same ``idempotency_key`` again answers the first receipt
with ``"duplicate": true`` and sends nothing (a retry after a lost answer). An invalid mobile number or
a text without the 【承诺通】 signature is refused with 400 (as a real gateway refuses an unregistered
signature). ``sent`` keeps every SMS sent, ``hits`` counts requests; ``fail`` answers 503 to everything
(retries), ``delay`` slows every answer (timeouts). ``GET /healthz`` answers ``ok``.
"""

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

MOBILE = re.compile(r"^1[3-9]\d{9}$")
SIGNATURE = "【承诺通】"


def segments(text: str) -> int:
    return 1 if len(text) <= 70 else -(-len(text) // 67)


class Handler(BaseHTTPRequestHandler):
    server_version = "SmsSimulator/1"

    def log_message(self, format, *args):  # quiet
        pass

    def _send(self, status, body):
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server API
        if self.path == "/healthz":
            return self._send(200, {"status": "ok"})
        return self._send(405, {"error": "POST /sms"})

    def do_POST(self):  # noqa: N802 - http.server API
        server = self.server
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with server.lock:
            server.hits += 1
        if server.delay:
            time.sleep(server.delay)
        if server.fail:
            return self._send(503, {"error": "unavailable"})
        if self.path.split("?", 1)[0] != "/sms":
            return self._send(404, {"error": "POST /sms"})
        if server.token and self.headers.get("Authorization") != f"Bearer {server.token}":
            return self._send(401, {"error": "bad token"})
        try:
            payload = json.loads(body)
            mobile, text, key = str(payload["mobile"]), str(payload["text"]), str(payload["idempotency_key"])
        except (ValueError, KeyError, TypeError):
            return self._send(400, {"error": "expected {mobile, text, idempotency_key}"})
        if not MOBILE.match(mobile):
            return self._send(400, {"error": "invalid mobile number"})
        if not text.startswith(SIGNATURE):
            return self._send(400, {"error": "unregistered signature"})
        with server.lock:
            if key in server.receipts:
                return self._send(200, {**server.receipts[key], "duplicate": True})
            receipt = {"id": f"SIM{len(server.receipts) + 1:08d}", "segments": segments(text)}
            server.receipts[key] = receipt
            server.sent.append({"mobile": mobile, "text": text, "idempotency_key": key, **receipt})
        return self._send(200, receipt)


class SmsSimulator(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host="127.0.0.1", port=8766, token="", delay=0.0, fail=False):
        super().__init__((host, port), Handler)
        self.token, self.delay, self.fail = token, delay, fail
        self.hits, self.sent, self.receipts, self.lock = 0, [], {}, threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/sms"


def start_in_thread(host="127.0.0.1", port=0, **options) -> SmsSimulator:
    """Start a simulator on a background thread (port 0: any free port); call ``shutdown()`` to stop."""
    server = SmsSimulator(host, port, **options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
