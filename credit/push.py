"""Outbound push to the national credit information sharing platform (全国信用信息共享平台).

A ``PushOutbox`` row is written with each record change. ``deliver`` claims a row (a
conditional UPDATE sets a short lease, so two workers never post the same row at once),
POSTs JSON with an ``Idempotency-Key`` header, and marks it delivered on 2xx (or 409, the
receiver saying it already has it). Failures keep the row pending with a back-off; the beat
task ``resend_pending_pushes`` picks it up again. The payload stored in the database never
holds the full ID number: it is read from the (encrypted) subject at send time.
"""

import json
import logging
import urllib.error
import urllib.request
from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from portal import queue

from . import conf
from .models import PushOutbox

log = logging.getLogger(__name__)

DELIVERED = "delivered"
NOT_CONFIGURED = "not_configured"
SKIPPED = "skipped"
BUSY = "busy"
FAILED = "failed"


def snapshot(record, event) -> dict:
    return {
        "record_id": record.pk,
        "event": event,
        "subject_kind": record.subject.kind,
        "subject_name": record.subject.name,
        "kind": record.kind,
        "severity": record.severity,
        "decision_number": record.decision_number,
        "decision_date": record.decision_date.isoformat(),
        "deciding_agency_code": record.deciding_agency.code,
        "deciding_agency_name": record.deciding_agency.name,
        "facts": record.facts,
        "basis": record.basis,
        "commitment_ref": record.commitment_ref,
        "publicity_end": record.publicity_end.isoformat(),
        "status": record.status,
        "blacklisted": record.blacklisted,
        "bars_commitment": record.bars_commitment,
        "occurred_at": timezone.now().isoformat(),
    }


def enqueue(outbox_id: int) -> None:
    """Queue delivery; if the broker is down the row simply stays pending for the beat task."""
    try:
        queue.enqueue("credit.tasks.deliver_push", outbox_id)  # by name: tasks imports this module
    except Exception as exc:  # noqa: BLE001 - broker outage must not break the request
        log.warning("credit push %s not queued (%s); beat will re-send it", outbox_id, type(exc).__name__)


def _body(row: PushOutbox) -> bytes:
    subject = row.record.subject
    message = {
        "idempotency_key": str(row.idempotency_key),
        "source": "chengnuo",
        **row.payload,
        "subject_id_number": subject.id_number,
    }
    return json.dumps(message, ensure_ascii=False).encode("utf-8")


def lease_seconds() -> float:
    """How long one attempt holds its row: longer than any live POST, short enough to recover a dead one."""
    return conf.push_timeout() * 3 + 30


def _claim(pk: int, now) -> bool:
    lease = now + timedelta(seconds=lease_seconds())
    from django.db.models import Q

    return bool(
        PushOutbox.objects.filter(pk=pk, status=PushOutbox.Status.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lt=now))
        .update(locked_until=lease)
    )


def deliver(pk: int) -> str:
    """Try to deliver one row once. Returns DELIVERED, NOT_CONFIGURED, SKIPPED (delivered already),
    BUSY (still pending under another attempt's lease — perhaps a worker that died mid-POST) or FAILED."""
    url = conf.push_url()
    if not url:
        return NOT_CONFIGURED
    if not url.startswith(("https://", "http://")):
        log.error("CREDIT_PUSH_URL is not an http(s) URL; nothing is pushed until it is corrected")
        return NOT_CONFIGURED
    now = timezone.now()
    if not _claim(pk, now):
        pending = PushOutbox.objects.filter(pk=pk, status=PushOutbox.Status.PENDING).exists()
        return BUSY if pending else SKIPPED
    row = PushOutbox.objects.select_related("record__subject").get(pk=pk)
    headers = {"Content-Type": "application/json; charset=utf-8", "Idempotency-Key": str(row.idempotency_key)}
    if conf.push_token():
        headers["Authorization"] = f"Bearer {conf.push_token()}"
    request = urllib.request.Request(url, data=_body(row), headers=headers, method="POST")  # noqa: S310
    error = ""
    try:
        with urllib.request.urlopen(request, timeout=conf.push_timeout()) as response:  # noqa: S310 - http(s) checked above  # nosec B310
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
        error = f"HTTP {exc.code}"
    except (urllib.error.URLError, OSError, TimeoutError) as exc:
        status = None
        error = f"{type(exc).__name__}: {getattr(exc, 'reason', exc)}"
    done = timezone.now()
    if status is not None and (200 <= status < 300 or status == 409):
        PushOutbox.objects.filter(pk=pk, status=PushOutbox.Status.PENDING).update(
            status=PushOutbox.Status.DELIVERED, delivered_at=done, last_attempt_at=done, attempts=F("attempts") + 1,
            locked_until=None, last_error="",
        )
        return DELIVERED
    attempts = row.attempts + 1
    PushOutbox.objects.filter(pk=pk, status=PushOutbox.Status.PENDING).update(
        attempts=F("attempts") + 1, last_attempt_at=done, last_error=(error or f"HTTP {status}")[:300],
        next_attempt_at=done + timedelta(seconds=conf.push_backoff(attempts)), locked_until=None,
    )
    log.warning("credit push %s failed (%s), attempt %s", pk, error or status, attempts)
    return FAILED
