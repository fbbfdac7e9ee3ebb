"""Set-based bench data (PostgreSQL): copies of a real seed row made by ``INSERT … SELECT generate_series``.

``clone`` copies one row ``n`` times in a single statement; the columns named in ``overrides`` get an
SQL expression of ``g`` (1 … n) instead of the seed's value, so unique columns and foreign keys can
point into the other generated tables. Columns are read from the model, so a field added later is
copied from the seed row instead of breaking the generator.
"""

from django.db import connection


def clone(model, seed_pk, n, overrides=None, *, ids_from=None, start=1):
    """Insert ``n`` copies of row ``seed_pk`` of ``model``; ``g`` runs from ``start`` to ``start + n - 1``.

    ``ids_from``: give the copies the explicit ids ``ids_from + g`` (so other tables can refer to them
    by arithmetic); the id sequence is moved past them afterwards.
    """
    overrides = dict(overrides or {})
    table = model._meta.db_table
    pk = model._meta.pk.column
    columns = [f.column for f in model._meta.concrete_fields if f.column != pk or ids_from is not None]
    if ids_from is not None:
        overrides[pk] = f"{int(ids_from)} + g"
    # the expressions are plain SQL: a modulo sign must not read as a placeholder
    select = ", ".join(str(overrides.get(c, f's."{c}"')) for c in columns).replace("%", "%%")
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        cur.execute(
            f'INSERT INTO "{table}" ({names}) SELECT {select} '  # noqa: S608 (names from the model)
            f'FROM "{table}" s, generate_series(%s, %s) AS g WHERE s."{pk}" = %s',
            [start, start + n - 1, seed_pk],
        )
        if ids_from is not None:
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('\"{table}\"', '{pk}'), "
                f'(SELECT max("{pk}") FROM "{table}"))'
            )


def next_id(model) -> int:
    """A base for explicit ids: past every existing row (and a round number, for reading plans)."""
    with connection.cursor() as cur:
        cur.execute(f'SELECT coalesce(max("{model._meta.pk.column}"), 0) FROM "{model._meta.db_table}"')
        top = cur.fetchone()[0]
    return (top // 1_000_000 + 1) * 1_000_000


def analyze(*models):
    with connection.cursor() as cur:
        for model in models:
            cur.execute(f'ANALYZE "{model._meta.db_table}"')
