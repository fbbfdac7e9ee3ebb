"""The audit trail's hash chain (审计记录防篡改链).

Each ``AuditEvent`` carries ``seq`` (1, 2, 3 … without gaps), ``prev_hash`` (the previous row's
``hash``) and ``hash`` = HMAC-SHA256 over the row's content and ``prev_hash``. Rows are appended
under one lock (PostgreSQL: a transaction-level advisory lock; SQLite: its single writer), so
concurrent writers chain one after the other, and the time comes from the database clock
(``clock_timestamp()``). ``verify`` walks the chain: an edited row no longer matches its hash, a
deleted row leaves a gap in ``seq`` and a broken link. The key is not in the database: someone who
can write to the table (even its owner) cannot recompute a valid chain after an edit.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.utils import timezone

# Any constant works; it names "the audit chain" among PostgreSQL advisory locks.
ADVISORY_LOCK_KEY = 7_141_905_002
FIELDS = ("action", "actor_id", "agency_id", "object_type", "object_id", "from_state", "to_state",
          "summary", "data", "ip")


def _key() -> bytes:
    explicit = getattr(settings, "AUDIT_CHAIN_KEY", "")
    if explicit:
        return explicit.encode("utf-8")
    # Derived from the field-encryption key, which must stay stable anyway (it decrypts ID numbers).
    return hmac.new(settings.FIELD_ENCRYPTION_KEY.encode("utf-8"), b"chengnuo.audit-chain", hashlib.sha256).digest()


def normalise_ip(ip):
    return str(ipaddress.ip_address(ip)) if ip else None


def _timestamp(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def digest(*, seq: int, prev_hash: str, at: datetime.datetime, values: dict) -> str:
    """HMAC of one row: a canonical JSON list of its content (``values`` keyed by ``FIELDS``)."""
    content = [seq, prev_hash, _timestamp(at)]
    for name in FIELDS:
        value = values.get(name)
        if name == "data":
            value = json.loads(json.dumps(value or {}))  # as the JSON column gives it back
        content.append(value)
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def row_digest(event) -> str:
    return digest(seq=event.seq, prev_hash=event.prev_hash, at=event.at,
                  values={name: getattr(event, name) for name in FIELDS})


def seal(event, using: str) -> None:
    """Give a new event its place in the chain: lock, read the database clock and the last row, hash.

    Must run inside a transaction (the caller's ``atomic``): the lock is held until it commits, so
    the next writer reads this row as the last one.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(type(event)._meta.db_table)
        with connection.cursor() as cursor:
            # The lock is its own statement: under READ COMMITTED the next statement's snapshot is taken
            # after the lock is granted, so it sees the row the previous holder committed. The clock and
            # the last row come in that one next statement: every round trip made while holding the lock
            # is one every other audited writer waits for (docs/performance.md, claiming).
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            cursor.execute(
                f"SELECT clock_timestamp(), last.seq, last.hash, last.at FROM (SELECT 1) AS one "  # noqa: S608
                f"LEFT JOIN LATERAL (SELECT seq, hash, at FROM {table} ORDER BY seq DESC LIMIT 1) AS last ON true"
            )
            event.at, seq, hash_, at = cursor.fetchone()
        last = {"seq": seq, "hash": hash_, "at": at} if seq is not None else None
    else:
        event.at = timezone.now()
        last = type(event).objects.using(using).order_by("-seq").values("seq", "hash", "at").first()
    event.seq = last["seq"] + 1 if last else 1
    event.prev_hash = last["hash"] if last else ""
    if last and event.at < last["at"]:
        event.at = last["at"]  # a clock step backwards must not reorder the trail
    event.ip = normalise_ip(event.ip)
    event.hash = row_digest(event)


@dataclass
class Finding:
    seq: int | None
    pk: int | None
    problem: str

    def __str__(self):
        where = f"seq {self.seq}" if self.seq is not None else "chain"
        return f"{where} (id {self.pk}): {self.problem}" if self.pk else f"{where}: {self.problem}"


def verify(events, anchors=()) -> tuple[int, list[Finding], tuple | None]:
    """Walk the whole chain of ``events`` (``AuditEvent.objects.using(alias)``: the caller names the table, so
    the chain and the model that seals its rows do not import each other). Returns (rows checked,
    findings, (seq, hash) of the last row).

    ``anchors`` are (seq, hash) pairs recorded earlier outside the database (e.g. from the logs):
    a later rewrite of the whole chain, or rows cut off its end, shows against them.
    """
    findings: list[Finding] = []
    expected_seq, prev_hash, prev_at, count, last = 1, "", None, 0, None
    for event in events.order_by("seq", "pk").iterator(chunk_size=2000):
        count += 1
        if event.seq is None:
            findings.append(Finding(None, event.pk, "no place in the chain (inserted around it)"))
            continue
        if event.seq > expected_seq:
            findings.append(Finding(expected_seq, None,
                                    f"rows {expected_seq}–{event.seq - 1} are missing (deleted)"))
        if event.prev_hash != prev_hash:
            findings.append(Finding(event.seq, event.pk, "does not link to the row before it"))
        if prev_at is not None and event.at < prev_at:
            findings.append(Finding(event.seq, event.pk, "dated before the row before it"))
        if not hmac.compare_digest(row_digest(event), event.hash or ""):
            findings.append(Finding(event.seq, event.pk, "content or hash was changed after it was written"))
        expected_seq, prev_hash, prev_at = event.seq + 1, event.hash, event.at
        last = (event.seq, event.hash)
    for seq, anchored_hash in anchors:
        row = events.filter(seq=seq).values_list("hash", flat=True).first()
        if row is None:
            findings.append(Finding(seq, None, "an anchored row is gone (the end of the trail was cut off)"))
        elif not hmac.compare_digest(row, anchored_hash):
            findings.append(Finding(seq, None, "differs from its anchored hash (the chain was rewritten)"))
    return count, findings, last
