"""The audit trail's hash chains (审计记录防篡改链).

The trail is ``AUDIT_CHAINS`` (default 16) independent chains, "stripes". Each ``AuditEvent`` carries
``chain`` (its stripe), ``seq`` (1, 2, 3 … without gaps within its chain), ``prev_hash`` (the ``hash`` of
the row before it in its chain) and ``hash`` = HMAC-SHA256 over the row's content, its place and
``prev_hash``. Each chain is appended under its own lock (PostgreSQL: a transaction-level advisory lock
per stripe; SQLite: its single writer, and every row in chain 0), so writers of different stripes no
longer wait for each other, and the time comes from the database clock (``clock_timestamp()``).
``verify`` walks each chain: an edited row no longer matches its hash, a deleted row leaves a gap in its
chain's ``seq`` and a broken link. The key is not in the database: someone who can write to the table
(even its owner) cannot recompute a valid chain after an edit.

Which chain a row is in is part of what it signs, so a row cannot be moved to another chain to fill a
gap there. It enters the payload only when non-zero: the rows written before the trail was striped are
chain 0 (migration 0011) and keep their hashes as they were — they still verify, and every (seq, hash)
anchor recorded before the change stays valid as the anchor (0, seq, hash). A chain-0 row differs from
the same row in chain ``c`` by the payload's length, so none can pass for the other.

A transaction that writes several events keeps the stripe it took first (re-entrant), so it never holds
two stripe locks: no deadlock between audited writers, and one transaction's events stay in order in one
chain. The trail as a whole is ordered by time (``at``, then chain and seq): ``AuditEvent.Meta.ordering``.
"""

import datetime
import hashlib
import hmac
import ipaddress
import json
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import Max, Q
from django.utils import timezone

from portal.conf import setting

# Stripe ``c`` is the advisory lock (CHAIN_LOCK_CLASS, c), the two-integer form (pg_locks: classid, objid,
# objsubid = 2); any constant works, it names "the audit chains" among advisory locks. Migration 0011's
# ``portal_audit_take_chain(n)`` takes them (the number is written there too: a migration stays as it ran).
CHAIN_LOCK_CLASS = 714_190_500
DEFAULT_CHAINS = 16
FIELDS = ("action", "actor_id", "agency_id", "object_type", "object_id", "from_state", "to_state",
          "summary", "data", "ip")


def chains() -> int:
    """How many stripes new rows are spread over (``AUDIT_CHAINS``; at least 1, at most a smallint)."""
    try:
        return min(max(int(setting("AUDIT_CHAINS", str(DEFAULT_CHAINS))), 1), 32767)
    except ValueError:
        return DEFAULT_CHAINS


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


def digest(*, seq: int, prev_hash: str, at: datetime.datetime, values: dict, chain: int = 0) -> str:
    """HMAC of one row: a canonical JSON list of its content (``values`` keyed by ``FIELDS``), and its
    chain when not 0 (module docstring: chain-0 rows hash as they did before the trail was striped)."""
    content = [seq, prev_hash, _timestamp(at)]
    for name in FIELDS:
        value = values.get(name)
        if name == "data":
            value = json.loads(json.dumps(value or {}))  # as the JSON column gives it back
        content.append(value)
    if chain:
        content.append(chain)
    payload = json.dumps(content, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hmac.new(_key(), payload.encode("utf-8"), hashlib.sha256).hexdigest()


def row_digest(event) -> str:
    # getattr: migration 0006's historical model has no ``chain`` yet (all its rows are chain 0).
    return digest(seq=event.seq, prev_hash=event.prev_hash, at=event.at, chain=getattr(event, "chain", 0) or 0,
                  values={name: getattr(event, name) for name in FIELDS})


def seal(event, using: str) -> None:
    """Give a new event its place in a chain: take a stripe, read the database clock and that chain's
    last row, hash.

    Must run inside a transaction (the caller's ``atomic``): the stripe's lock is held until it commits,
    so the next writer of that stripe reads this row as the last one.
    """
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # One round trip (migration 0011): take a stripe, then — in a statement of its own inside the
            # function, so its snapshot is taken after the lock is granted and sees the row the stripe's
            # previous holder committed — the database clock and that chain's last row. What a writer
            # sends while holding the lock is what the stripe's next writer waits for, and every round
            # trip costs the claimer's CPU (docs/performance.md, claiming).
            cursor.execute("SELECT * FROM portal_audit_chain_head(%s)", [chains()])
            event.chain, event.at, seq, hash_, at = cursor.fetchone()
        last = {"seq": seq, "hash": hash_, "at": at} if seq is not None else None
    else:
        # SQLite has one writer at a time: nothing to spread, every row goes to chain 0.
        event.chain = 0
        event.at = timezone.now()
        last = (type(event).objects.using(using).filter(chain=0).order_by("-seq")
                .values("seq", "hash", "at").first())
    event.seq = last["seq"] + 1 if last else 1
    event.prev_hash = last["hash"] if last else ""
    if last and event.at < last["at"]:
        event.at = last["at"]  # a clock step backwards must not reorder the chain
    event.ip = normalise_ip(event.ip)
    event.hash = row_digest(event)


@dataclass
class Finding:
    chain: int | None
    seq: int | None
    pk: int | None
    problem: str

    def __str__(self):
        where = "chain" if self.chain is None else f"chain {self.chain}"
        if self.seq is not None:
            where += f" seq {self.seq}"
        return f"{where} (id {self.pk}): {self.problem}" if self.pk else f"{where}: {self.problem}"


def parse_anchors(value: str) -> list[tuple[int, int, str]]:
    """Anchors as ``verify_audit`` and the hourly log print them: ``CHAIN:SEQ:HASH``, several separated by
    spaces or commas; the older ``SEQ:HASH`` (from before the trail was striped) is chain 0."""
    anchors = []
    for item in value.replace(",", " ").split():
        parts = item.split(":")
        if len(parts) == 2:
            parts.insert(0, "0")
        if (len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit()
                or len(parts[2]) != 64 or any(c not in "0123456789abcdef" for c in parts[2])):
            raise ValueError("an anchor is CHAIN:SEQ:HASH (or SEQ:HASH for chain 0), as printed by an earlier run")
        anchors.append((int(parts[0]), int(parts[1]), parts[2]))
    return anchors


def format_anchors(heads) -> str:
    """The heads as anchors, space-separated: ``CHAIN:SEQ:HASH …``."""
    return " ".join(f"{chain}:{seq}:{hash_}" for chain, seq, hash_ in heads) or "(empty)"


def heads(events) -> list[tuple[int, int, str]]:
    """The last (chain, seq, hash) of each chain, by chain: the anchors to keep outside the database."""
    last = dict(events.order_by().values_list("chain").annotate(m=Max("seq")))
    if not last:
        return []
    wanted = Q()
    for chain, seq in last.items():
        wanted |= Q(chain=chain, seq=seq)
    return sorted(events.filter(wanted).order_by().values_list("chain", "seq", "hash"))


def verify(events, anchors=()) -> tuple[int, list[Finding], list[tuple[int, int, str]]]:
    """Walk every chain of ``events`` (``AuditEvent.objects.using(alias)``: the caller names the table, so
    the chains and the model that seals their rows do not import each other). Returns (rows checked,
    findings, the last (chain, seq, hash) of each chain).

    ``anchors`` are (chain, seq, hash) triples recorded earlier outside the database (e.g. from the logs):
    a later rewrite of a whole chain, rows cut off its end, or a whole chain removed, shows against them.
    """
    findings: list[Finding] = []
    count, last = 0, []
    chain, expected_seq, prev_hash, prev_at = None, 1, "", None
    for event in events.order_by("chain", "seq", "pk").iterator(chunk_size=2000):
        count += 1
        if event.chain != chain:  # the next chain starts afresh
            chain, expected_seq, prev_hash, prev_at = event.chain, 1, "", None
        if event.seq is None or event.chain is None:
            findings.append(Finding(event.chain, None, event.pk, "no place in the chain (inserted around it)"))
            continue
        if event.seq > expected_seq:
            findings.append(Finding(chain, expected_seq, None,
                                    f"rows {expected_seq}–{event.seq - 1} are missing (deleted)"))
        if event.prev_hash != prev_hash:
            findings.append(Finding(chain, event.seq, event.pk, "does not link to the row before it"))
        if prev_at is not None and event.at < prev_at:
            findings.append(Finding(chain, event.seq, event.pk, "dated before the row before it"))
        if not hmac.compare_digest(row_digest(event), event.hash or ""):
            findings.append(Finding(chain, event.seq, event.pk, "content or hash was changed after it was written"))
        expected_seq, prev_hash, prev_at = event.seq + 1, event.hash, event.at
        if last and last[-1][0] == chain:
            last[-1] = (chain, event.seq, event.hash)
        else:
            last.append((chain, event.seq, event.hash))
    for chain, seq, anchored_hash in anchors:
        row = events.filter(chain=chain, seq=seq).values_list("hash", flat=True).first()
        if row is None:
            findings.append(Finding(chain, seq, None, "an anchored row is gone (the end of the chain was cut off)"))
        elif not hmac.compare_digest(row, anchored_hash):
            findings.append(Finding(chain, seq, None, "differs from its anchored hash (the chain was rewritten)"))
    return count, findings, last
