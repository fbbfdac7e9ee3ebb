"""A data-sharing exchange simulator (stdlib ``http.server``, loopback only) for the demo and the tests.

``POST /household``, ``/social-insurance``, ``/market-entity``, ``/civil-affairs`` with the JSON body
``{"id_number": ...}`` answer JSON for the sample records below (the demo subjects of ``portal/demo.py``
among them), 404 for unknown numbers. ``GET /healthz`` answers ``ok``. ``paths`` keeps every request
line's path (tests check that no ID number reaches a URL). ``delay`` makes every answer slow (timeouts);
``fail`` makes every answer a 503 (retries and the circuit breaker). ``POST /tsa`` is an RFC 3161
time-stamping authority (the demo CA's, ``portal.seals``) for ``SEAL_TSA_URL``.

It also stands in for the national unified identity authentication platform (国家政务服务平台统一身份认证,
``portal.identity``): ``GET /identity/authorize?client_id&state&redirect_uri`` shows the platform's page,
where the "face check" passes when the name and ID number match a person below (deterministic, for demo
and tests); ``POST /identity/authorize`` (that form) redirects the browser back with a one-time ``code``;
``POST /identity/token {"code"}`` answers the proofed ``{"name", "id_number", "level"}`` once, then 404.
``POST /business-registry {"uscc"}`` answers the market-registration record with the legal representative's
name and ID number (404 for unknown codes).
It also stands in for the national credit-sharing platform's joint-punishment query (联合惩戒名单,
``credit.platform``): ``POST /joint-punishment {"id_number"}`` answers ``{"listed", "lists"}``; the numbers
in ``JOINT_PUNISHMENT`` below are listed, every other number is not (deterministic, for demo and tests).
"""

import html
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode

PEOPLE = {
    # the demo citizens (portal/demo.py)
    "610113198805203217": ("张伟", "陕西省西安市雁塔区小寨东路12号", "已婚", "西安秦川软件科技有限公司", 96),
    "610103199203154827": ("李娜", "陕西省西安市碑林区南大街8号", "未婚", "陕西长安律师事务所", 48),
    "610116197509080018": ("王建国", "陕西省西安市长安区韦曲街道东街3号", "已婚", "", 0),
    "610102196011110029": ("刘秀英", "陕西省西安市新城区解放路100号", "丧偶", "", 180),
    # sample records for tests
    "11010519491231002X": ("赵一", "北京市朝阳区", "已婚", "北京某科技有限公司", 24),
    "440524188001010014": ("钱二", "广东省汕头市", "离婚", "", 0),
    # legal representatives of the demo enterprises, and the demo account that is not yet verified
    "610104198506070024": ("赵国栋", "陕西省西安市莲湖区北大街20号", "已婚", "西安秦川软件科技有限公司", 120),
    "610113199001010035": ("孙正义", "陕西省西安市雁塔区长安南路90号", "已婚", "陕西长安律师事务所", 150),
    "610112198709030014": ("陈明", "陕西省西安市未央区凤城八路6号", "未婚", "", 60),
}
DECEASED = {"440524188001010014": "2020-05-01"}
ENTERPRISES = {
    "91610131MA6UQ1234U": ("西安秦川软件科技有限公司", "赵国栋", "陕西省西安市高新区锦业路1号", "存续"),
    "31610000MD0146751C": ("陕西长安律师事务所", "孙正义", "陕西省西安市雁塔区长安南路88号", "存续"),
    "91350100M000100Y43": ("福州某某商贸有限公司", "周七", "福建省福州市", "注销"),
}
# USCC → the legal representative's resident ID number (市场主体登记 keeps it; the registry answers it)
LEGAL_REPRESENTATIVE_IDS = {
    "91610131MA6UQ1234U": "610104198506070024",
    "31610000MD0146751C": "610113199001010035",
}
CODE_SECONDS = 300
# 联合惩戒名单 answers of the national credit-sharing platform (the rest are not listed)
JOINT_PUNISHMENT = {
    "11010519491231002X": [{"name": "失信被执行人名单", "agency": "最高人民法院", "until": "2027-12-31"}],
    "91350100M000100Y43": [{"name": "重大税收违法失信主体名单", "agency": "国家税务总局", "until": "2027-06-30"}],
}


def joint_punishment(number: str) -> dict:
    lists = JOINT_PUNISHMENT.get(str(number).strip().upper(), [])
    return {"listed": bool(lists), "lists": lists, "source": "全国信用信息共享平台"}


def proofed_person(name: str, number: str):
    """The platform's face check, simulated: passes when name and number match the population register."""
    number = "".join(str(number).split()).upper()
    person = PEOPLE.get(number)
    if person is None or person[0] != str(name).strip() or number in DECEASED:
        return None
    return {"name": person[0], "id_number": number, "level": "L3"}


def business_registry(uscc: str):
    uscc = str(uscc).strip().upper()
    if uscc not in ENTERPRISES:
        return None
    name, legal, address, status = ENTERPRISES[uscc]
    return {"uscc": uscc, "name": name, "legal_representative": legal,
            "legal_representative_id_number": LEGAL_REPRESENTATIVE_IDS.get(uscc, ""), "registered_address": address,
            "status": status, "source": "市场主体登记系统"}


AUTHORIZE_PAGE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>国家政务服务平台统一身份认证（模拟）</title></head><body>
<h1>国家政务服务平台统一身份认证（本地模拟）</h1>
<p>请填写本人姓名和居民身份证号码，完成人脸识别后返回承诺通。</p>{error}
<form method="post" action="/identity/authorize">
<input type="hidden" name="state" value="{state}"><input type="hidden" name="redirect_uri" value="{redirect_uri}">
<p><label>姓名 <input name="name" autocomplete="name" required></label></p>
<p><label>居民身份证号码 <input name="id_number" required maxlength="18"></label></p>
<p><button type="submit">开始人脸识别并授权</button></p>
</form></body></html>"""


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

    def _page(self, state, redirect_uri, error=""):
        page = AUTHORIZE_PAGE.format(state=html.escape(state), redirect_uri=html.escape(redirect_uri),
                                     error=f'<p role="alert">{html.escape(error)}</p>' if error else "")
        data = page.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):  # noqa: N802 - http.server API
        self.server.paths.append(self.path)
        if self.path == "/healthz":
            return self._send(200, {"status": "ok"})
        path, _sep, query = self.path.partition("?")
        if path == "/identity/authorize":
            params = parse_qs(query)
            return self._page(params.get("state", [""])[0], params.get("redirect_uri", [""])[0])
        return self._send(405, {"error": "POST the number in a JSON body"})

    def _authorize(self, body):
        form = {key: values[0] for key, values in parse_qs(body.decode("utf-8", "replace")).items()}
        state, redirect_uri = form.get("state", ""), form.get("redirect_uri", "")
        if not redirect_uri.startswith(("http://", "https://")):
            return self._send(400, {"error": "redirect_uri"})
        person = proofed_person(form.get("name", ""), form.get("id_number", ""))
        if person is None:
            return self._page(state, redirect_uri, "姓名与居民身份证号码不一致，或人脸比对未通过。")
        code = secrets.token_urlsafe(16)
        with self.server.lock:
            self.server.codes[code] = (person, time.monotonic())
        separator = "&" if "?" in redirect_uri else "?"
        self.send_response(302)
        self.send_header("Location", f"{redirect_uri}{separator}{urlencode({'code': code, 'state': state})}")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _token(self, payload):
        with self.server.lock:
            person, issued = self.server.codes.pop(str(payload.get("code", "")), (None, 0.0))
        if person is None or time.monotonic() - issued > CODE_SECONDS:
            return self._send(404, {"error": "invalid_grant"})
        return self._send(200, person)

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
        path = self.path.split("?", 1)[0]
        if path == "/identity/authorize":
            return self._authorize(body)
        if path in ("/identity/token", "/business-registry", "/joint-punishment"):
            try:
                payload = json.loads(body)
            except ValueError:
                payload = None
            if not isinstance(payload, dict):
                return self._send(400, {"error": "expected a JSON object"})
            if path == "/identity/token":
                return self._token(payload)
            if path == "/joint-punishment":
                return self._send(200, joint_punishment(payload.get("id_number", "")))
            found = business_registry(payload.get("uscc", ""))
            return self._send(200, found) if found else self._send(404, {"found": False})
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
        self.codes, self.lock = {}, threading.Lock()  # identity platform: one-time codes → proofed person

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"


def start_in_thread(host="127.0.0.1", port=0, **options) -> Simulator:
    """Start a simulator on a background thread (port 0: any free port); call ``shutdown()`` to stop."""
    server = Simulator(host, port, **options)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
