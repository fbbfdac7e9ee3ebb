"""Daily counts kept by database triggers (``portal.models.DailyCount``), for figures that must not read every row.

An app declares what it counts with a ``Rollup``: its table, the kind name, the agency column, the day (a
date column, or the local date of a timestamp column) and the bucket (an SQL expression of the row's
columns); rows outside ``where`` are not counted. ``install`` (called from the app's migration) creates the
triggers and backfills the counts from the rows already there; ``uninstall`` drops them.

Triggers, so that no write path can bypass them — ORM ``save``, ``QuerySet.update`` (the conditional
transitions of ``portal.transitions``), ``bulk_create``, raw ``INSERT … SELECT``, deletes — and the count
changes in the same transaction as the row:

* PostgreSQL: one ``FOR EACH STATEMENT`` trigger per operation with transition tables (``REFERENCING OLD
  TABLE … NEW TABLE``). Each statement is aggregated once — old rows count −1, new rows +1, keys whose net
  change is 0 are skipped (an update that touches no counted column writes nothing) — and upserted with
  ``INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n``. A bulk ``INSERT … SELECT`` of a million rows
  costs one aggregate, not a million upserts. Keys are upserted in a fixed order so that two statements
  lock the same keys in the same order.
* SQLite (3.24 or later, for the upsert): row-level triggers; an ``UPDATE`` trigger fires only when a
  counted column changed. The old row's key is decremented by ``UPDATE`` (it exists: the row was counted).

Concurrency: transactions that change the same key (agency, day, bucket) — two signings at one agency on one
day — serialize on that DailyCount row from the upsert to their commit. Writes at different agencies, days
or buckets do not wait for each other.

Days are local dates in ``settings.TIME_ZONE`` taken when the triggers are created: PostgreSQL converts with
``AT TIME ZONE``; SQLite has no time-zone data, so it adds the zone's fixed UTC offset (the zone must have
no daylight saving time, as Asia/Shanghai has not since 1991 — ``install`` refuses one that has). A change
of ``TIME_ZONE`` needs the triggers recreated and the counts rebuilt (``install`` again).
"""

import datetime
import importlib
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import migrations, transaction

TABLE = "portal_dailycount"


@dataclass(frozen=True)
class Rollup:
    """What one table contributes to ``DailyCount``.

    ``day``: a column name; ``timestamp``: whether it is a timestamp (its local date is taken) or a date.
    ``bucket`` and ``where``: functions of a ``Dialect`` and the row alias returning an SQL expression.
    """

    kind: str
    table: str
    agency: str
    day: str
    timestamp: bool
    bucket: Callable[["Dialect", str], str]
    where: Callable[["Dialect", str], str] | None = None
    watched: tuple[str, ...] = ()  # every column the day, bucket and where read (SQLite's UPDATE OF list)

    @property
    def name(self) -> str:
        return f"rollup_{self.kind}"


class Dialect:
    def __init__(self, vendor: str, zone: str | None = None):
        self.vendor = vendor
        self.zone = zone or settings.TIME_ZONE

    def local_date(self, column: str) -> str:
        """The local date of a timestamp column, as SQL."""
        if self.vendor == "postgresql":
            return f"({column} AT TIME ZONE '{self.zone}')::date"
        return f"date({column}, '{_fixed_offset(self.zone)}')"

    def day(self, spec: Rollup, row: str) -> str:
        column = f"{row}.{spec.day}"
        return self.local_date(column) if spec.timestamp else column


def _fixed_offset(zone: str) -> str:
    """SQLite's date modifier for ``zone`` (``'+8 hours'``); refuses a zone whose offset changes in the year."""
    tz = zoneinfo.ZoneInfo(zone)
    year = datetime.datetime.now().year
    offsets = {datetime.datetime(year, month, 1, tzinfo=tz).utcoffset() for month in range(1, 13)}
    if len(offsets) != 1:
        raise ValueError(f"{zone} has daylight saving time; the SQLite rollup triggers need a fixed offset")
    minutes = int(offsets.pop().total_seconds() // 60)
    return f"{'+' if minutes >= 0 else '-'}{abs(minutes)} minutes"


def _select(spec: Rollup, d: Dialect, source: str, sign: str) -> str:
    where = f" WHERE {spec.where(d, 'r')}" if spec.where else ""
    return (f"SELECT r.{spec.agency} AS agency_id, {d.day(spec, 'r')} AS day, {spec.bucket(d, 'r')} AS bucket, "  # noqa: S608  # nosec B608 - names from the Rollup specs
            f"{sign}1 AS n FROM {source} r{where}")


def _upsert(spec: Rollup, rows: str) -> str:
    # ORDER BY: statements lock their keys in one order (no deadlock between two bulk statements).
    return (f"INSERT INTO {TABLE} (kind, agency_id, day, bucket, n) "  # noqa: S608  # nosec B608 - names from the Rollup specs
            f"SELECT '{spec.kind}', agency_id, day, bucket, sum(n) FROM ({rows}) d "
            f"GROUP BY agency_id, day, bucket HAVING sum(n) <> 0 ORDER BY agency_id, day, bucket "
            f"ON CONFLICT (kind, agency_id, day, bucket) DO UPDATE SET n = {TABLE}.n + excluded.n")


def _postgresql(spec: Rollup) -> list[str]:
    d = Dialect("postgresql")
    new, old = _select(spec, d, "new_rows", "+"), _select(spec, d, "old_rows", "-")
    function = f"""
        CREATE OR REPLACE FUNCTION {spec.name}() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'INSERT' THEN
                {_upsert(spec, new)};
            ELSIF TG_OP = 'DELETE' THEN
                {_upsert(spec, old)};
            ELSE
                {_upsert(spec, old + " UNION ALL " + new)};
            END IF;
            RETURN NULL;
        END $$"""
    # Transition tables need one trigger per event (PostgreSQL allows them on single-event triggers only).
    events = {"insert": "NEW TABLE AS new_rows", "delete": "OLD TABLE AS old_rows",
              "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows"}
    triggers = [
        f"CREATE TRIGGER {spec.name}_{event} AFTER {event.upper()} ON {spec.table} REFERENCING {tables} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {spec.name}()"
        for event, tables in events.items()
    ]
    return [function, *triggers]


def _sqlite(spec: Rollup) -> list[str]:
    d = Dialect("sqlite")

    def increment(row: str) -> str:
        where = f" AND ({spec.where(d, row)})" if spec.where else ""
        # "WHERE true": SQLite's parser needs a WHERE before ON CONFLICT in INSERT … SELECT.
        return (f"INSERT INTO {TABLE} (kind, agency_id, day, bucket, n) "  # noqa: S608  # nosec B608 - names from the Rollup specs
                f"SELECT '{spec.kind}', {row}.{spec.agency}, {d.day(spec, row)}, {spec.bucket(d, row)}, 1 "
                f"WHERE true{where} "
                f"ON CONFLICT (kind, agency_id, day, bucket) DO UPDATE SET n = n + excluded.n;")

    def decrement(row: str) -> str:
        # The old row was counted when it was written, so its key exists: an UPDATE, never a new row. Django's
        # flush between tests deletes table by table (portal_dailycount and portal_agency may already be
        # empty when the tasks go); an upsert would leave negative counts behind or break a foreign key.
        where = f" AND ({spec.where(d, row)})" if spec.where else ""
        return (f"UPDATE {TABLE} SET n = n - 1 WHERE kind = '{spec.kind}' "  # noqa: S608  # nosec B608 - names from the Rollup specs
                f"AND agency_id = {row}.{spec.agency} AND day = {d.day(spec, row)} "
                f"AND bucket = {spec.bucket(d, row)}{where};")

    columns = list(dict.fromkeys((spec.agency, spec.day, *spec.watched)))
    changed = " OR ".join(f"OLD.{c} IS NOT NEW.{c}" for c in columns)
    return [
        f"CREATE TRIGGER {spec.name}_insert AFTER INSERT ON {spec.table} BEGIN {increment('NEW')} END",
        f"CREATE TRIGGER {spec.name}_delete AFTER DELETE ON {spec.table} BEGIN {decrement('OLD')} END",
        f"CREATE TRIGGER {spec.name}_update AFTER UPDATE OF {', '.join(columns)} ON {spec.table} "
        f"WHEN {changed} BEGIN {decrement('OLD')} {increment('NEW')} END",
    ]


def trigger_sql(spec: Rollup, vendor: str) -> list[str]:
    return _postgresql(spec) if vendor == "postgresql" else _sqlite(spec)


def rebuild_sql(spec: Rollup, vendor: str) -> list[str]:
    """Recount ``spec.kind`` from the rows of its table (the backfill; also a repair after a TRUNCATE)."""
    d = Dialect(vendor)
    rows = _select(spec, d, spec.table, "+")
    return [f"DELETE FROM {TABLE} WHERE kind = '{spec.kind}'",  # noqa: S608  # nosec B608 - names from the Rollup specs
            f"INSERT INTO {TABLE} (kind, agency_id, day, bucket, n) "  # noqa: S608  # nosec B608 - names from the Rollup specs
            f"SELECT '{spec.kind}', agency_id, day, bucket, sum(n) FROM ({rows}) d GROUP BY agency_id, day, bucket"]


def drop_sql(spec: Rollup, vendor: str) -> list[str]:
    drops = [f"DROP TRIGGER IF EXISTS {spec.name}_{event}" + (f" ON {spec.table}" if vendor == "postgresql" else "")
             for event in ("insert", "update", "delete")]
    if vendor == "postgresql":
        drops.append(f"DROP FUNCTION IF EXISTS {spec.name}()")
    return drops


def install(spec: Rollup, schema_editor) -> None:
    """Create the triggers of ``spec`` and count the rows already there (from a migration: one transaction)."""
    vendor = schema_editor.connection.vendor
    for sql in [*drop_sql(spec, vendor), *trigger_sql(spec, vendor), *rebuild_sql(spec, vendor)]:
        schema_editor.execute(sql, params=None)


def uninstall(spec: Rollup, schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    for sql in drop_sql(spec, vendor):
        schema_editor.execute(sql, params=None)
    schema_editor.execute(f"DELETE FROM {TABLE} WHERE kind = '{spec.kind}'", params=None)  # noqa: S608  # nosec B608 - names from the Rollup specs


def rebuild(spec: Rollup, connection) -> None:
    """Recount one kind in place (tests, repairs). On PostgreSQL the table is locked against writes for the
    recount (``SHARE``: readers go on), so a row written meanwhile is neither lost nor counted twice."""
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"LOCK TABLE {spec.table} IN SHARE MODE")
        for sql in rebuild_sql(spec, connection.vendor):
            cursor.execute(sql)


def registered() -> list[Rollup]:
    """Every installed app's rollups (its ``rollups.ROLLUPS``), found at run time: the kernel imports no app."""
    found = []
    for config in apps.get_app_configs():
        try:
            module = importlib.import_module(f"{config.name}.rollups")
        except ModuleNotFoundError as missing:
            if missing.name != f"{config.name}.rollups":
                raise
            continue
        found.extend(getattr(module, "ROLLUPS", ()))
    return found


@dataclass(frozen=True)
class Difference:
    """A key whose kept count is not the count of its rows."""

    kind: str
    agency_id: int
    day: datetime.date
    bucket: str
    kept: int
    counted: int


def differences(spec: Rollup, connection) -> list[Difference]:
    """Compare the kept counts of ``spec.kind`` with a recount of its rows (read only; keys of count 0 are
    the same as absent: SQLite's decrement leaves them)."""
    d = Dialect(connection.vendor)
    outermost = not connection.in_atomic_block
    with transaction.atomic(using=connection.alias), connection.cursor() as cursor:
        if connection.vendor == "postgresql" and outermost:
            # One snapshot for both reads, so a write committed between them is no false alarm.
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        cursor.execute(f"SELECT agency_id, day, bucket, sum(n) FROM ({_select(spec, d, spec.table, '+')}) d "  # noqa: S608  # nosec B608 - names from the Rollup specs
                       "GROUP BY agency_id, day, bucket")
        counted = {(a, _as_date(day), b): n for a, day, b, n in cursor.fetchall()}
        cursor.execute(f"SELECT agency_id, day, bucket, n FROM {TABLE} WHERE kind = %s AND n <> 0", [spec.kind])  # noqa: S608  # nosec B608 - names from the Rollup specs
        kept = {(a, _as_date(day), b): n for a, day, b, n in cursor.fetchall()}
    return [Difference(spec.kind, *key, kept.get(key, 0), counted.get(key, 0))
            for key in sorted(kept.keys() | counted.keys(), key=lambda k: (k[0], k[1], k[2]))
            if kept.get(key, 0) != counted.get(key, 0)]


def check(connection, kinds=()) -> dict[Rollup, list[Difference]]:
    """``differences`` for every registered rollup (or those of ``kinds``): what the ``daily_counts`` command
    prints and the daily beat task logs."""
    return {spec: differences(spec, connection) for spec in registered() if not kinds or spec.kind in kinds}


def _as_date(value) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(value)


def migration_operation(specs):
    """The one operation of an app's migration that installs its ``specs`` (and, going back, drops them)."""

    def forward(apps, schema_editor):
        for spec in specs:
            install(spec, schema_editor)

    def backward(apps, schema_editor):
        for spec in specs:
            uninstall(spec, schema_editor)

    return migrations.RunPython(forward, backward)
