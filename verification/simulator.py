"""A data-sharing exchange simulator (stdlib ``http.server``, loopback only) for the demo and the tests.

``POST /household``, ``/social-insurance``, ``/market-entity``, ``/civil-affairs`` with the JSON body
``{"id_number": ...}`` answer JSON for the sample records below (the demo subjects of ``portal/demo.py``
among them), 404 for unknown numbers. ``GET /healthz`` answers ``ok``. ``paths`` keeps every request
line's path (tests check that no ID number reaches a URL). ``delay`` makes every answer slow (timeouts);
``fail`` makes every answer a 503 (retries and the circuit breaker). ``POST /tsa`` is an RFC 3161
time-stamping authority (the demo CA's, ``portal.seals``) for ``SEAL_TSA_URL``.
"""

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PEOPLE = {
    # the demo citizens (portal/demo.py)
    "610113198805203217": ("张伟", "陕西省西安市雁塔区小寨东路12号", "已婚", "西安秦川软件科技有限公司", 96),
    "610103199203154827": ("李娜", "陕西省西安市碑林区南大街8号", "未婚", "陕西长安律师事务所", 48),
    "610116197509080018": ("王建国", "陕西省西安市长安区韦曲街道东街3号", "已婚", "", 0),
    "610102196011110029": ("刘秀英", "陕西省西安市新城区解放路100号", "丧偶", "", 180),
    # sample records for tests
    "11010519491231002X": ("赵一", "北京市朝阳区", "已婚", "北京某科技有限公司", 24),
    "440524188001010014": ("钱二", "广东省汕头市", "离婚", "", 0),
}
DECEASED = {"440524188001010014": "2020-05-01"}
ENTERPRISES = {
    "91610131MA6UQ1234U": ("西安秦川软件科技有限公司", "赵国栋", "陕西省西安市高新区锦业路1号", "存续"),
    "31610000MD0146751C": ("陕西长安律师事务所", "孙正义", "陕西省西安市雁塔区长安南路88号", "存续"),
    "91350100M000100Y43": ("福州某某商贸有限公司", "周七", "福建省福州市", "注销"),
}


def record(kind: str, number: str):
    number = number.strip().upper()
    if kind == "market-entity":
        if number not in ENTERPRISES:
            return None
        name, legal, address, status = ENTERPRISES[number]
        return {"uscc": number, "name": name, "legal_representative": legal, "registered_address": address,
                "status": status, "source": "市场主体登记系统"}
    if number not in PEOPLE:
        return None
    name, address, marital, employer, months = PEOPLE[number]
    if kind == "household":
        return {"id_number": number, "name": name, "registered_address": address,
                "status": "注销" if number in DECEASED else "正常", "source": "人口信息管理系统"}
    if kind == "social-insurance":
        return {"id_number": number, "name": name, "insured": months > 0, "employer": employer,
                "months_paid": months, "source": "社会保险信息系统"}
    if kind == "civil-affairs":
        return {"id_number": number, "name": name, "marital_status": marital,
                "deceased": number in DECEASED, "death_date": DECEASED.get(number, ""), "source": "民政业务系统"}
    return None


class Handler(BaseHTTPRequestHandler):
    server_version = "ExchangeSimulator/1"
    delay = 0.0
    fail = False

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
        self.server.paths.append(self.path)
        if self.path == "/healthz":
            return self._send(200, {"status": "ok"})
        return self._send(405, {"error": "POST the number in a JSON body"})

    def do_POST(self):  # noqa: N802 - http.server API
        self.server.hits += 1
        self.server.paths.append(self.path)
        body = self.rfile.read(min(int(self.headers.get("Content-Length") or 0), 64 * 1024))
        if self.server.delay:
            time.sleep(self.server.delay)
        if self.server.fail:
            return self._send(503, {"error": "unavailable"})
        if self.path == "/tsa":
            return self._time_stamp(body)
        try:
            number = str(json.loads(body)["id_number"])
        except (ValueError, KeyError, TypeError):
            return self._send(400, {"error": "expected {\"id_number\": ...}"})
        found = record(self.path.split("?", 1)[0].strip("/"), number)
        if found is None:
            return self._send(404, {"found": False})
        return self._send(200, found)


    def _time_stamp(self, body):
        from portal import seals

        try:
            answer = seals.local_tsa_response(body)
        except (ValueError, TypeError, seals.SealError) as exc:
            self.server.errors.append(repr(exc)[:300])
            return self._send(400, {"error": "expected an RFC 3161 TimeStampReq"})
        self.send_response(200)
        self.send_header("Content-Type", "application/timestamp-reply")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)


class Simulator(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, host="127.0.0.1", port=8765, delay=0.0, fail=False):
        super().__init__((host, port), Handler)
        self.delay, self.fail, self.hits, self.paths, self.errors = delay, fail, 0, [], []

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def start_in_thread(host="127.0.0.1", port=0, **options) -> Simulator:
    """Start a simulator on a background thread (port 0: any free port); call ``shutdown()`` to stop."""
    server = Simulator(host, port, **options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
