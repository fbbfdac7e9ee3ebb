"""The audit trail is tamper-evident: the app's database role cannot change or empty it, and
``verify_audit`` finds any row edited or deleted by someone who could (the owner)."""

import contextlib

import psycopg
import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from portal import audit
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
    from io import StringIO

    out = StringIO()
    call_command("verify_audit", stdout=out, stderr=out)
    return out.getvalue()


def broken() -> str:
    from io import StringIO

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


@pytest.mark.django_db
def test_each_event_is_chained_to_the_one_before_and_verify_audit_says_intact():
    first = audit.record("test.first", summary="一")
    second = audit.record("test.second", summary="二", data={"b": [1, 2], "a": "甲"})
    assert (first.seq + 1, first.hash) == (second.seq, second.prev_hash)
    assert len(second.hash) == 64
    assert "audit chain intact" in verify()


@pytest.mark.django_db
def test_verify_audit_catches_a_row_edited_by_the_owner():
    audit.record("test.first", summary="原始记录")
    middle = audit.record("credit.record.entered", summary="列入严重失信名单")
    audit.record("test.third", summary="其后的记录")
    with as_owner_without_triggers() as cursor:
        cursor.execute("UPDATE portal_auditevent SET summary = %s WHERE id = %s", ["无事发生", middle.pk])
    report = broken()
    assert f"seq {middle.seq}" in report and "changed after it was written" in report


@pytest.mark.django_db
def test_verify_audit_catches_a_deleted_row():
    audit.record("test.first")
    middle = audit.record("test.second")
    audit.record("test.third")
    with as_owner_without_triggers() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [middle.pk])
    report = broken()
    assert f"rows {middle.seq}–{middle.seq} are missing" in report


@pytest.mark.django_db
def test_verify_audit_catches_a_cut_off_end_against_an_anchor():
    audit.record("test.first")
    last = audit.record("test.second")
    with as_owner_without_triggers() as cursor:
        cursor.execute("DELETE FROM portal_auditevent WHERE id = %s", [last.pk])
    assert "audit chain intact" in verify()  # nothing left to compare the end with…
    from io import StringIO

    err = StringIO()
    with pytest.raises(CommandError):  # …but the head printed earlier and kept elsewhere shows it
        call_command("verify_audit", f"--anchor={last.seq}:{last.hash}", stdout=err, stderr=err)
    assert "anchored row is gone" in err.getvalue()


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
    with as_app_role(app_db_role) as conn:
        seq, prev = conn.execute(
            "SELECT coalesce(max(seq), 0) + 1, coalesce((SELECT hash FROM portal_auditevent ORDER BY seq DESC LIMIT 1), '')"
            " FROM portal_auditevent").fetchone()
        insert = (f"INSERT INTO portal_auditevent ({columns}) "
                  "VALUES (%s, 'test.forged', '', '', '', '', '', '{}', %s, %s, %s)")
        message = refused(conn, insert.replace("VALUES (%s", "VALUES (%s::timestamptz"),
                          ["2020-01-01T08:00:00+08:00", seq, prev, "0" * 64])
        assert "数据库时钟" in message
        message = refused(conn, insert.replace("VALUES (%s", "VALUES (clock_timestamp() + %s * interval '0'"),
                          [0, seq + 5, prev, "0" * 64])
        assert "接续上一条" in message
        # The chain's own way in is open to it: lock, database clock, next seq, link.
        conn.execute("SELECT pg_advisory_xact_lock(7141905002)")
        conn.execute(insert.replace("VALUES (%s", "VALUES (clock_timestamp() + %s * interval '0'"),
                     [0, seq, prev, "a" * 64])


@postgresql_only
def test_an_error_of_the_app_role_copies_no_row_into_the_server_log(app_db_role):
    with as_app_role(app_db_role) as conn:
        settings = dict(conn.execute(
            "SELECT name, setting FROM pg_settings WHERE name IN ('log_error_verbosity', 'log_min_error_statement')"
        ).fetchall())
    assert settings == {"log_error_verbosity": "terse", "log_min_error_statement": "panic"}


@postgresql_only
@pytest.mark.django_db(transaction=True, serialized_rollback=True)  # the next transactional test finds the rows
def test_concurrent_writers_chain_one_after_the_other():
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
    count, findings, _ = audit_chain.verify(AuditEvent.objects.all())
    assert AuditEvent.objects.filter(action="test.concurrent").count() == 40
    assert not findings, findings
    assert list(AuditEvent.objects.values_list("seq", flat=True)) == list(range(1, count + 1))


@pytest.mark.django_db
def test_the_chain_head_is_logged_hourly_as_an_anchor(caplog):
    from portal import tasks

    last = audit.record("test.event")
    with caplog.at_level("INFO", logger="portal.audit"):
        anchor = tasks.log_audit_head()
    assert anchor == f"{last.seq}:{last.hash}"
    assert anchor in caplog.text
    assert "audit chain intact" in verify()
