"""The audit trail is tamper-evident: the app's database role cannot change or empty it, and
``verify_audit`` finds any row edited or deleted by someone who could (the owner), in whichever of the
trail's chains (stripes) it sits; concurrent audited writers take different stripes on PostgreSQL."""

import contextlib
import threading
from io import StringIO

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal import audit, audit_chain
from portal.models import AuditEvent

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="role separation and triggers are PostgreSQL-only; SQLite has no roles"
)


@contextlib.contextmanager
def as_app_role(params):
    """A connection as the app role; whatever it manages to do is rolled back."""
    with psycopg.connect(**params, connect_timeout=5) as conn:
        conn.execute("SET lock_timeout = '5s'")
        yield conn
        conn.rollback()


def refused(conn, sql, params=None) -> str:
    with pytest.raises(psycopg.Error) as caught:
        conn.execute(sql, params)
    conn.rollback()
    return str(caught.value)


def verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=out)
    return out.getvalue()


def broken() -> str:
    err = StringIO()
    with pytest.raises(CommandError):
        call_command("verify_audit", stdout=err, stderr=err)
    return err.getvalue()


@contextlib.contextmanager
def as_owner_without_triggers():
    """What only the table's owner (or a superuser) can do: lift the append-only trigger."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # ALTER TABLE refuses pending FK checks
            cursor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER USER")
        yield cursor
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER USER")
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def side_connection():
    """A second PostgreSQL session of the test database (as the test's own user)."""
    params = connection.get_connection_params()
    return psycopg.connect(**{k: v for k, v in params.items() if k in ("host", "port", "dbname", "user", "password")},
                           connect_timeout=5, autocommit=True)


@pytest.fixture(params=[0, 1], ids=["chain-0", "chain-1"])
def stripe(request, settings):
    """The test's transaction writes to chain 0 or 1: with two stripes, another session holds the other
    one, so ``portal_audit_take_chain`` finds only this one free (SQLite: always chain 0)."""
    if connection.vendor != "postgresql":
        if request.param:
            pytest.skip("SQLite has one writer: every row is chain 0")
        yield 0
        return
    settings.AUDIT_CHAINS = 2
    with side_connection() as other:
        other.execute("SELECT pg_advisory_lock(%s, %s)", [audit_chain.CHAIN_LOCK_CLASS, 1 - request.param])
        yield request.param


@pytest.mark.django_db
def test_each_event_is_chained_to_the_one_before_and_verify_audit_says_intact():
    first = audit.record("test.first", summary="一")
    second = audit.record("test.second", summary="二", data={"b": [1, 2], "a": "甲"})
    assert (first.chain, first.seq + 1, first.hash) == (second.chain, second.seq, second.prev_hash)
    assert len(second.hash) == 64
    report = verify()
    assert "audit chain intact" in report
    assert f"head {second.chain}:{second.seq}:{second.hash}" in report  # to keep as an anchor


@pytest.mark.django_db
def test_verify_audit_catches_a_row_edited_by_the_owner(stripe):
    audit.record("test.first", summary="原始记录")
    middle = audit.record("credit.record.entered", summary="列入严重失信名单")
    audit.record("test.third", summary="其后的记录")
    assert middle.chain == stripe
    with as_owner_without_triggers() as cursor:
        cursor.execute("UPDATE portal_auditevent SET summary = %s WHERE id = %s", ["无事发生", middle.pk])
    report = broken()
    assert f"chain {stripe} seq {middle.seq}" in report and "changed after it was written" in report


@pytest.mark.django_db
def test_verify_audit_catches_a_deleted_row(stripe):
    audit.record("test.first")
    middle = audit.record("test.second")
    audit.record("test.third")
    assert middle.chain == stripe
    with as_owner_without_triggers() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [middle.pk])
    report = broken()
    assert f"chain {stripe} seq {middle.seq}: rows {middle.seq}–{middle.seq} are missing" in report


@pytest.mark.django_db
def test_verify_audit_catches_a_row_inserted_around_the_chain_by_the_owner(stripe):
    audit.record("test.first")
    last = audit.record("test.second")
    with as_owner_without_triggers() as cursor:  # continues the chain's numbers and links, but cannot sign
        cursor.execute(
            "INSERT INTO portal_auditevent (at, action, object_type, object_id, from_state, to_state, summary, data,"
            " chain, seq, prev_hash, hash) VALUES (%s, 'credit.record.revoked', '', '', '', '', '', '{}', %s, %s, %s, %s)",
            [last.at, last.chain, last.seq + 1, last.hash, "0" * 64])
    report = broken()
    assert f"chain {stripe} seq {last.seq + 1}" in report and "changed after it was written" in report


@pytest.mark.django_db
def test_verify_audit_catches_rows_moved_to_another_chain(stripe):
    audit.record("test.first")
    audit.record("test.second")
    with as_owner_without_triggers() as cursor:  # the whole chain renumbered: links and seq still agree
        cursor.execute("UPDATE portal_auditevent SET chain = 7 WHERE chain = %s", [stripe])
    report = broken()
    assert "chain 7 seq 1" in report and "changed after it was written" in report


@pytest.mark.django_db
def test_verify_audit_catches_a_cut_off_end_against_an_anchor(stripe):
    audit.record("test.first")
    last = audit.record("test.second")
    with as_owner_without_triggers() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [last.pk])
    assert "audit chain intact" in verify()  # nothing left to compare the end with…
    err = StringIO()
    with pytest.raises(CommandError):  # …but the head printed earlier and kept elsewhere shows it
        call_command("verify_audit", f"--anchor={last.chain}:{last.seq}:{last.hash}", stdout=err, stderr=err)
    assert f"chain {stripe} seq {last.seq}: an anchored row is gone" in err.getvalue()


@pytest.mark.django_db
def test_an_anchor_kept_before_the_trail_was_striped_still_counts_as_chain_0(stripe):
    if stripe:
        pytest.skip("the old SEQ:HASH form names a row of chain 0")
    audit.record("test.first")
    last = audit.record("test.second")
    out = StringIO()
    call_command("verify_audit", f"--anchor={last.seq}:{last.hash}", stdout=out, stderr=out)
    assert "audit chain intact" in out.getvalue()
    with as_owner_without_triggers() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError):
        call_command("verify_audit", f"--anchor={last.seq}:{last.hash}", stdout=out, stderr=out)
    assert f"chain 0 seq {last.seq}: an anchored row is gone" in out.getvalue()


@pytest.mark.django_db
def test_audit_events_cannot_be_bulk_inserted_around_the_chain():
    with pytest.raises(PermissionError):
        AuditEvent.objects.bulk_create([AuditEvent(action="test.forged")])


@postgresql_only
@pytest.mark.parametrize("sql", [
    "TRUNCATE portal_auditevent",
    "ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_no_change",
    "ALTER TABLE portal_auditevent DISABLE TRIGGER ALL",
    "SET session_replication_role = replica",
    "UPDATE portal_auditevent SET summary = 'x'",
    "DELETE FROM portal_auditevent",
    "DROP TABLE portal_auditevent",
], ids=["truncate", "disable-trigger", "disable-all-triggers", "replication-role", "update", "delete", "drop"])
def test_the_app_role_cannot_alter_or_empty_the_audit_trail(app_db_role, sql):
    with as_app_role(app_db_role) as conn:
        message = refused(conn, sql)
    assert "permission denied" in message or "must be owner" in message or "must be superuser" in message


@postgresql_only
def test_the_app_role_cannot_insert_a_back_dated_or_unchained_row(app_db_role):
    columns = ("at, action, object_type, object_id, from_state, to_state, summary, data, seq, prev_hash, hash")
    last_of_chain = ("SELECT coalesce(max(seq), 0) + 1, coalesce((SELECT hash FROM portal_auditevent WHERE chain = %s "
                     "ORDER BY seq DESC LIMIT 1), '') FROM portal_auditevent WHERE chain = %s")
    with as_app_role(app_db_role) as conn:
        seq, prev = conn.execute(last_of_chain, [0, 0]).fetchone()
        insert = (f"INSERT INTO portal_auditevent (chain, {columns}) "
                  "VALUES (%s, %s, 'test.forged', '', '', '', '', '', '{}', %s, %s, %s)")
        message = refused(conn, insert.replace("%s, %s, 'test", "%s, %s::timestamptz, 'test"),
                          [0, "2020-01-01T08:00:00+08:00", seq, prev, "0" * 64])
        assert "数据库时钟" in message
        now = insert.replace("%s, %s, 'test", "%s, clock_timestamp() + %s * interval '0', 'test")
        message = refused(conn, now, [0, 0, seq + 5, prev, "0" * 64])
        assert "接续上一条" in message
        # The chain's own way in is open to it: take a stripe, database clock, that chain's next seq, link.
        chain = conn.execute("SELECT portal_audit_take_chain(16)").fetchone()[0]
        seq, prev = conn.execute(last_of_chain, [chain, chain]).fetchone()
        conn.execute(now, [chain, 0, seq, prev, "a" * 64])


@postgresql_only
def test_an_error_of_the_app_role_copies_no_row_into_the_server_log(app_db_role):
    with as_app_role(app_db_role) as conn:
        settings = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('log_error_verbosity', 'log_min_error_statement')"
        ).fetchall())
    assert settings == {"log_error_verbosity": "terse", "log_min_error_statement": "panic"}


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the next transactional test finds the rows
@pytest.mark.parametrize("stripes", [1, 16])
def test_concurrent_writers_chain_one_after_the_other(stripes, settings):
    """With one stripe all four writers queue for it, and each must read the row the one before committed."""
    settings.AUDIT_CHAINS = stripes
    import threading

    from django.db import connections

    from portal import audit_chain

    errors = []

    def write(n):
        try:
            for i in range(10):
                audit.record("test.concurrent", summary=f"{n}-{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    count, findings, heads = audit_chain.verify(AuditEvent.objects.all())
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 40
    assert not findings, findings
    for chain, last_seq, _ in heads:  # each chain numbered 1, 2, 3 … without gaps
        seqs = list(AuditEvent.objects.filter(chain=chain).order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, last_seq + 1))
    assert sum(last_seq for _, last_seq, _ in heads) == count


def _stripe_locks_held(cursor) -> int:
    cursor.execute("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                   "AND classid = %s AND objsubid = 2", [audit_chain.CHAIN_LOCK_CLASS])
    return cursor.fetchone()[0]


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_concurrent_transactions_write_to_different_chains_and_both_verify():
    from django.db import connections, transaction

    both_hold_a_stripe = threading.Barrier(2, timeout=20)  # one lock for all would never let both through
    written, errors = {}, []

    def write(name):
        try:
            with transaction.atomic():
                first = audit.record("test.striped", summary=f"{name}-1")
                both_hold_a_stripe.wait()
                second = audit.record("test.striped", summary=f"{name}-2")
                with connections["default"].cursor() as cursor:
                    held = _stripe_locks_held(cursor)
            written[name] = (first, second, held)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(name,)) for name in ("甲", "乙")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    (a1, a2, a_held), (b1, b2, b_held) = written["甲"], written["乙"]
    assert a1.chain != b1.chain
    assert (a2.chain, a2.seq, a2.prev_hash) == (a1.chain, a1.seq + 1, a1.hash)
    assert (b2.chain, b2.seq, b2.prev_hash) == (b1.chain, b1.seq + 1, b1.hash)
    assert a_held == b_held == 1
    count, findings, heads = audit_chain.verify(AuditEvent.objects.all())
    assert not findings, findings
    assert {(a2.chain, a2.seq, a2.hash), (b2.chain, b2.seq, b2.hash)} <= set(heads)
    assert "audit chain intact" in verify()


@postgresql_only
@pytest.mark.django_db
def test_a_transaction_with_several_events_keeps_one_chain_and_holds_one_stripe():
    events = [audit.record("test.several", summary=str(i)) for i in range(3)]
    assert {e.chain for e in events} == {events[0].chain}
    assert [e.seq for e in events] == [events[0].seq, events[0].seq + 1, events[0].seq + 2]
    with connection.cursor() as cursor:
        assert _stripe_locks_held(cursor) == 1


@pytest.mark.django_db
def test_the_chain_head_is_logged_hourly_as_an_anchor(caplog):
    from portal import tasks

    last = audit.record("test.event")
    with caplog.at_level("INFO", logger="portal.audit"):
        anchors = tasks.log_audit_head()
    assert f"{last.chain}:{last.seq}:{last.hash}" in anchors.split()
    assert anchors in caplog.text
    out = StringIO()
    call_command("verify_audit", f"--anchor={anchors}", stdout=out, stderr=out)  # the logged line, as it is
    assert "audit chain intact" in out.getvalue()


def test_a_row_of_chain_0_signs_what_it_signed_before_the_trail_was_striped(settings):
    """Rows written before migration 0011 are chain 0 and keep their hashes: the payload is the old one."""
    import datetime
    import hashlib
    import hmac
    import json

    settings.AUDIT_CHAIN_KEY = "test-key"
    at = datetime.datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=datetime.UTC)
    values = {"action": "test.old", "summary": "旧记录", "data": {"b": 1}}
    old_payload = [7, "ab" * 32, "2026-01-02T03:04:05.678901Z", "test.old", None, None, None, None, None, None,
                   "旧记录", {"b": 1}, None]
    old = hmac.new(b"test-key", json.dumps(old_payload, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
                   .encode("utf-8"), hashlib.sha256).hexdigest()
    assert audit_chain.digest(seq=7, prev_hash="ab" * 32, at=at, values=values, chain=0) == old
    assert audit_chain.digest(seq=7, prev_hash="ab" * 32, at=at, values=values, chain=3) != old
