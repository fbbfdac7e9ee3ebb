"""Calling another government system over HTTP JSON: timeouts, retries and a circuit breaker (kernel part).

Shared by the data-sharing connectors (``verification.connectors``) and the identity provider
(``portal.identity``): every attempt has a timeout; failed attempts (network errors, timeouts, 5xx)
are retried a few times; after a run of failures the caller's circuit opens and calls fail at once
until the cool-down ends, so one dead system never stalls a page. Personal numbers travel in the
JSON body, never in the URL (docs/security.md).
"""

import json
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable

from django.utils.translation import gettext_lazy as _


class ConnectorError(Exception):
    """The other system could not be asked (timeout, refused, bad answer, circuit open)."""


class CircuitOpen(ConnectorError):
    pass


class CircuitBreaker:
    """Closed → (threshold consecutive failures) → open → (cool-down) → half-open: one trial call.

    ``threshold`` and ``cooldown`` fixed numbers, or read each time from ``default_threshold`` /
    ``default_cooldown`` (settings may change under tests)."""

    open_message = _("接口暂时不可用（连续失败后熔断），请稍后再试。")

    def __init__(self, threshold=None, cooldown=None, *, default_threshold: Callable[[], int] = lambda: 3,
                 default_cooldown: Callable[[], float] = lambda: 30.0):
        self._threshold, self._cooldown = threshold, cooldown
        self._default_threshold, self._default_cooldown = default_threshold, default_cooldown
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    @property
    def threshold(self) -> int:
        return self._threshold or self._default_threshold()

    @property
    def cooldown(self) -> float:
        return self._cooldown if self._cooldown is not None else self._default_cooldown()

    @property
    def state(self) -> str:
        if self.opened_at is None:
            return "closed"
        return "half_open" if time.monotonic() - self.opened_at >= self.cooldown else "open"

    def before(self):
        with self._lock:
            if self.state == "open":
                raise CircuitOpen(str(self.open_message))

    def success(self):
        with self._lock:
            self.failures, self.opened_at = 0, None

    def failure(self):
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold or self.opened_at is not None:
                self.opened_at = time.monotonic()

    def reset(self):
        self.success()


UNREACHABLE = _("连接接口失败：%(reason)s")
UNREADABLE = _("接口返回的内容无法解析。")


def post_json(url: str, payload: dict, *, timeout: float, retries: int, breaker: CircuitBreaker,
              unreachable=UNREACHABLE, unreadable=UNREADABLE) -> dict | None:
    """POST ``payload`` as JSON; the answer's JSON, or ``None`` for a 404 (not found / refused).

    Raises ``ConnectorError`` after ``retries`` extra attempts, ``CircuitOpen`` while the circuit is open."""
    if not url.startswith(("http://", "https://")):
        raise ConnectorError(str(_("接口地址配置错误。")))
    breaker.before()
    body = json.dumps(payload).encode("utf-8")
    last = None
    for attempt in range(retries + 1):
        try:
            answer = _attempt(url, body, timeout, unreachable, unreadable)
        except ConnectorError as exc:
            last = exc
            if attempt < retries:
                time.sleep(min(0.05 * 2**attempt, 0.5))
            continue
        breaker.success()
        return answer
    breaker.failure()
    raise last


def _attempt(url, body, timeout, unreachable, unreadable) -> dict | None:
    # post_json() refuses any scheme but http(s) before we get here.
    headers = {"Accept": "application/json", "Content-Type": "application/json", "User-Agent": "chengnuo/1"}
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - see post_json()  # nosec B310
            return json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            return None
        raise ConnectorError(f"HTTP {exc.code}") from None
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ConnectorError(str(unreachable) % {"reason": reason}) from None
    except (ValueError, UnicodeDecodeError):
        raise ConnectorError(str(unreadable)) from None
