"""A private production-like stack for the fault scripts: PostgreSQL, Redis, gunicorn, Celery.

Everything runs as real subprocesses on private ports (PostgreSQL 24532, Redis 24637, web
24801+), never the machine's shared servers, so a fault script may kill or restart any of them.
The app runs with ``DJANGO_ENV=production`` (secrets, manifest static files, secure cookies);
clients send ``X-Forwarded-Proto: https`` as the load balancer in front of it would.
"""

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import threading
import time
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import psutil
import psycopg
import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
PG_BIN = Path("/usr/lib/postgresql/15/bin")
PG_PORT = 24532  # below the ephemeral range (32768+), where a client socket could hold it
REDIS_PORT = 24637
WEB_PORT = 24801
DB_NAME = "chengnuo_faults"
PASSWORD = "Test-pass-2026"  # tests/factories.PASSWORD
OTP_KEY = b"faults-otp-key-2026!".hex()  # the credit officer's authenticator (two-factor login)


def _as_postgres(cmd):
    return ["runuser", "-u", "postgres", "--", *cmd] if os.geteuid() == 0 else cmd


def wait_for(condition, timeout=60.0, step=0.2, what="condition", log=None):
    """tests.conftest.wait_for that fails loudly: what it waited for, and the tail of a process log."""
    from tests.conftest import wait_for as poll

    value = poll(condition, timeout, step)
    if value:
        return value
    tail = f"\n--- {log.log} ---\n{log.text()[-3000:]}" if log is not None else ""
    raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}{tail}")


class Postgres:
    """A throwaway PostgreSQL cluster owned by the ``postgres`` user (initdb refuses root)."""

    def __init__(self, base: Path):
        self.dir = base / "pg"
        self.data = self.dir / "data"

    def init(self):
        self.dir.mkdir()
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        subprocess.run(_as_postgres([str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres",
                                     "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"]),
                       check=True, capture_output=True)
        with open(self.data / "postgresql.conf", "a") as conf:
            conf.write("\nfsync = off\nfull_page_writes = off\nmax_connections = 200\n")

    def _ctl(self, *args):
        options = f"-p {PG_PORT} -k {self.dir} -c listen_addresses=127.0.0.1"
        subprocess.run(_as_postgres([str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-o", options,
                                     "-l", str(self.dir / "server.log"), "-w", *args]),
                       check=True, capture_output=True)

    def start(self):
        self._ctl("start")

    def stop(self, mode="fast"):
        self._ctl("-m", mode, "stop")

    def restart(self, mode="fast"):
        self._ctl("-m", mode, "restart")

    def url(self, db=DB_NAME):
        return f"postgres://postgres@127.0.0.1:{PG_PORT}/{db}"

    def connect(self, db=DB_NAME):
        return psycopg.connect(f"host=127.0.0.1 port={PG_PORT} user=postgres dbname={db}", autocommit=True)

    def scalar(self, sql, *params, db=DB_NAME):
        with self.connect(db) as conn:
            return conn.execute(sql, params).fetchone()[0]

    def rows(self, sql, *params, db=DB_NAME):
        with self.connect(db) as conn:
            return conn.execute(sql, params).fetchall()

    def createdb(self, db):
        with self.connect("postgres") as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{db}"')


class Redis:
    """``redis-server`` without persistence: stopping it loses whatever was queued, like a crash."""

    def __init__(self, base: Path):
        self.log = base / "redis.log"
        self.proc = None

    def start(self):
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=open(self.log, "ab"), stderr=subprocess.STDOUT, start_new_session=True,
        )
        wait_for(lambda: self.ping(), 15, what="redis")

    def ping(self):
        return subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True,
                              text=True).stdout.strip() == "PONG"

    def stop(self):
        subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "shutdown", "nosave"], capture_output=True)
        if self.proc is not None:
            self.proc.wait(10)
            self.proc = None

    def freeze(self):
        """SIGSTOP: connections stay open and nothing answers (a hung server, a dropped network path)."""
        os.kill(self.proc.pid, signal.SIGSTOP)

    def thaw(self):
        os.kill(self.proc.pid, signal.SIGCONT)

    def cli(self, *args):
        return subprocess.run(["redis-cli", "-p", str(REDIS_PORT), *args], capture_output=True,
                              text=True).stdout.strip()


class Proc:
    """An app process (own session, so a kill reaches its children) logging to a file."""

    def __init__(self, name, cmd, env, log: Path):
        self.name, self.log = name, log
        self.popen = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                      start_new_session=True)

    @property
    def pid(self):
        return self.popen.pid

    def text(self):
        return self.log.read_text(errors="replace")

    def children(self):
        with contextlib.suppress(psutil.NoSuchProcess):
            return psutil.Process(self.pid).children(recursive=True)
        return []

    def alive(self):
        return self.popen.poll() is None

    def kill_group(self, sig=signal.SIGKILL):
        """The whole process group at once: as if the host died."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.pid, sig)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.popen.wait(15)

    def stop(self):
        if self.alive():
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(20)
            except subprocess.TimeoutExpired:
                self.kill_group()
        with contextlib.suppress(ProcessLookupError):  # stray pool children
            os.killpg(self.pid, signal.SIGKILL)


class Stack:
    """The shared data services plus the app processes a fault script starts and kills."""

    def __init__(self, base: Path, receiver_url: str):
        self.base = base
        self.pg = Postgres(base)
        self.redis = Redis(base)
        self.logs = base / "logs"
        self.logs.mkdir()
        self.media = base / "media"
        self.var = base / "var"
        self.procs: list[Proc] = []
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "RUN_", "DJANGO_"))},
            "DJANGO_SETTINGS_MODULE": "tests.faults.settings",
            "DJANGO_ENV": "production",
            "SECRET_KEY": "faults-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
            "FIELD_ENCRYPTION_KEY": "faults-only-field-encryption-key",
            # Production settings with demo data: letters are sealed by the demo CA (portal/seals.py).
            "SEAL_DEMO_CA": "1",
            "SEAL_KEYSTORE_PASSPHRASE": "faults-only-keystore-passphrase",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "DATABASE_URL": self.pg.url(),
            "CONN_MAX_AGE": "60",
            "REDIS_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "CACHE_URL": f"redis://127.0.0.1:{REDIS_PORT}/1",  # shared by the web nodes (rate limits, nonces)
            "VAR_DIR": str(self.var),
            "MEDIA_ROOT": str(self.media),
            "CREDIT_PUSH_URL": receiver_url,
            "CREDIT_PUSH_TIMEOUT": "3",
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }

    # --- setup ------------------------------------------------------------------------------------
    def setup(self):
        self.pg.init()
        self.pg.start()
        self.pg.createdb(DB_NAME)
        self.redis.start()
        self.manage("migrate", "--noinput")
        self.manage("collectstatic", "--noinput")

    def manage(self, *args, env=None, timeout=600):
        result = subprocess.run([str(BIN / "python"), "manage.py", *args], cwd=ROOT, env={**self.env, **(env or {})},
                                capture_output=True, text=True, timeout=timeout)
        if result.returncode:
            raise RuntimeError(f"manage.py {' '.join(args)} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return result.stdout

    def python(self, module, *args, env=None):
        """Run ``python -m module`` with the stack's settings (Django set up by the module); JSON out."""
        result = subprocess.run([str(BIN / "python"), "-m", module, *args], cwd=ROOT, env={**self.env, **(env or {})},
                                capture_output=True, text=True, timeout=600)
        if result.returncode:
            raise RuntimeError(f"{module} failed:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
        return json.loads(result.stdout.strip().splitlines()[-1])

    # --- processes --------------------------------------------------------------------------------
    def _start(self, name, cmd, env=None):
        proc = Proc(name, cmd, {**self.env, **(env or {})}, self.logs / f"{name}-{time.monotonic_ns()}.log")
        self.procs.append(proc)
        return proc

    def web(self, port=WEB_PORT, workers=2, env=None):
        proc = self._start(f"web{port}", [str(BIN / "gunicorn"), "chengnuo.wsgi", "-b", f"127.0.0.1:{port}",
                                          "-w", str(workers), "--timeout", "30", "--graceful-timeout", "5",
                                          "--no-control-socket"], env)
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 60, what=f"gunicorn on {port}", log=proc)
        return proc

    def worker(self, name="w1@host-a", concurrency=1, env=None):
        proc = self._start(name.split("@")[0], [str(BIN / "celery"), "-A", "chengnuo", "worker", "-n", name,
                                                "-c", str(concurrency), "-l", "INFO", "--without-mingle",
                                                "--without-gossip"], env)
        wait_for(lambda: "ready." in proc.text(), 90, what=f"worker {name}", log=proc)
        return proc

    def beat(self, name="beat", env=None, scheduler=None):
        proc = self._start(name, [str(BIN / "celery"), "-A", "chengnuo", "beat", "-l", "INFO",
                                  "-s", str(self.var / f"{name}-schedule"), "--pidfile", str(self.var / f"{name}.pid"),
                                  *(["-S", scheduler] if scheduler else [])], env)
        wait_for(lambda: "beat: Starting" in proc.text(), 60, what=f"beat {name}", log=proc)
        return proc

    def stop_all(self):
        for proc in self.procs:
            proc.stop()
        self.procs.clear()

    def teardown(self):
        self.stop_all()
        with contextlib.suppress(Exception):
            self.redis.stop()
        with contextlib.suppress(Exception):
            self.pg.stop("immediate")


def _answers(url):
    try:
        requests.get(url, timeout=2, allow_redirects=False)
    except requests.RequestException:
        return False
    return True


def task_lines(proc_or_text, task, what="succeeded"):
    """Lines of a worker log saying a task was received/succeeded (Celery's INFO log)."""
    text = proc_or_text if isinstance(proc_or_text, str) else proc_or_text.text()
    return re.findall(rf"Task {re.escape(task)}\[[0-9a-f-]+\] {what}", text)


# --- HTTP ---------------------------------------------------------------------------------------------
class _Forms(HTMLParser):
    """The inputs of every POST form on a page: (action, hidden/text values, checkbox names, all names)."""

    def __init__(self):
        super().__init__()
        self.forms: list[tuple[str, dict, list, set]] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and (a.get("method") or "").lower() == "post":
            self.forms.append((a.get("action") or "", {}, [], set()))
        elif tag in ("input", "textarea", "select") and self.forms and a.get("name"):
            _action, values, boxes, names = self.forms[-1]
            names.add(a["name"])
            if a.get("type") == "checkbox":
                boxes.append(a["name"])
            elif a.get("type") in ("hidden", None, "text") and a.get("value") is not None:
                values[a["name"]] = a["value"]


class Client:
    """A citizen's or clerk's browser against one web node (or several: ``bases`` rotate per request).

    Cookies are kept by hand because the production cookies are ``Secure`` and the load balancer
    (here: the ``X-Forwarded-Proto`` header) terminates TLS.
    """

    def __init__(self, *bases, timeout=15):
        self.bases = list(bases)
        self.turn = 0
        self.cookies: dict[str, str] = {}
        self.timeout = timeout

    def _base(self):
        base = self.bases[self.turn % len(self.bases)]
        self.turn += 1
        return base

    def request(self, method, path, data=None):
        base = self._base()
        headers = {"X-Forwarded-Proto": "https", "Referer": base.replace("http://", "https://") + path,
                   "Accept-Language": "zh-hans"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        response = requests.request(method, base + path, data=data, headers=headers, allow_redirects=False,
                                    timeout=self.timeout)
        for cookie in response.cookies:
            self.cookies[cookie.name] = cookie.value
        return response

    def get(self, path):
        return self.request("GET", path)

    def form(self, path, action_contains="", field=None):
        """GET a page; the hidden fields and checkbox names of its first POST form whose action contains
        ``action_contains`` and that has an input named ``field``."""
        response = self.get(path)
        response.raise_for_status()
        parser = _Forms()
        parser.feed(response.text)
        for action, values, boxes, names in parser.forms:
            if action_contains in action and (field is None or field in names):
                return action or path.split("?")[0], values, boxes
        raise AssertionError(f"no POST form with {action_contains!r}/{field!r} on {path}")

    def post_form(self, path, fields=None, action_contains="", field=None, check_all=True):
        action, values, boxes = self.form(path, action_contains, field)
        data = {**values, **({b: "on" for b in boxes} if check_all else {}), **(fields or {})}
        return self.request("POST", action, data)

    def login(self, username, password=PASSWORD):
        response = self.post_form("/accounts/login/", {"username": username, "password": password}, field="password")
        assert response.status_code == 302, response.text[:2000]
        if self.get("/accounts/two-factor/").status_code == 200:  # this role logs in with a second factor
            from django_otp.oath import TOTP

            code = f"{TOTP(bytes.fromhex(OTP_KEY), digits=6).token():06d}"
            second = self.post_form("/accounts/two-factor/", {"token": code}, field="token")
            assert second.status_code == 302, second.text[:2000]
        return response


# --- the national credit platform, on loopback ---------------------------------------------------------
class Receiver:
    """Records every push (Idempotency-Key, time) and answers 200 the first time, 409 after that."""

    def __init__(self, delay=0.0):
        self.delay = delay
        self.receipts: list[tuple[str, float]] = []
        self.accepted: set[str] = set()
        self.lock = threading.Lock()
        self.arrived = threading.Event()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server's naming
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                key = self.headers.get("Idempotency-Key", "")
                assert json.loads(body)["idempotency_key"] == key
                with receiver.lock:
                    receiver.receipts.append((key, time.monotonic()))
                    first = key not in receiver.accepted
                    receiver.accepted.add(key)
                receiver.arrived.set()
                time.sleep(receiver.delay)
                with contextlib.suppress(OSError):
                    self.send_response(200 if first else 409)
                    self.send_header("Content-Length", "0")
                    self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/push"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def received(self, key):
        with self.lock:
            return sum(1 for k, _t in self.receipts if k == key)

    def close(self):
        self.server.shutdown()
