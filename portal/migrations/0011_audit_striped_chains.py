"""The audit trail becomes ``AUDIT_CHAINS`` independent hash chains ("stripes", portal/audit_chain.py), each
appended under its own advisory lock, so audited writers stop waiting for one another.

Existing rows become chain 0 as they are: ``seq``, ``prev_hash`` and ``hash`` unchanged (a chain-0 row
hashes as before, see portal/audit_chain.py), so they still verify and anchors recorded before stay
valid. ``seq`` is unique per chain now. On PostgreSQL ``portal_audit_take_chain(n)`` picks the stripe
and ``portal_audit_chain_head(n)`` also reads the clock and that chain's last row, in one round trip;
the insert trigger checks that a row continues its own chain. Going back works only while every row is
still chain 0.
"""

from django.db import migrations, models

# portal_audit_take_chain(n): the stripe this transaction already holds (re-entrant: one stripe per
# transaction, so no two audited writers can deadlock), else the first free one from pg_backend_pid() % n,
# else it waits for that one. One round trip. 714190500 is audit_chain.CHAIN_LOCK_CLASS.
TAKE_CHAIN = """
CREATE OR REPLACE FUNCTION portal_audit_take_chain(n integer) RETURNS integer AS $$
DECLARE
    held integer;
    start integer;
    stripe integer;
BEGIN
    SELECT objid::bigint::integer INTO held FROM pg_locks
     WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = 714190500::oid
       AND objsubid = 2 AND granted
     ORDER BY objid LIMIT 1;
    IF held IS NOT NULL THEN
        RETURN held;
    END IF;
    n := greatest(coalesce(n, 1), 1);
    start := mod(pg_backend_pid(), n);  -- mod(), not the operator: this text goes through psycopg placeholders
    FOR i IN 0 .. n - 1 LOOP
        stripe := mod(start + i, n);
        IF pg_try_advisory_xact_lock(714190500, stripe) THEN
            RETURN stripe;
        END IF;
    END LOOP;
    PERFORM pg_advisory_xact_lock(714190500, start);
    RETURN start;
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

# portal_audit_chain_head(n): what a seal needs, in one round trip: the stripe (taken as above), then the
# database clock and that chain's last row. The read is a statement of its own inside a VOLATILE
# function, so under READ COMMITTED it takes a fresh snapshot after the lock was granted and sees the row
# the stripe's previous holder committed (as a next statement from the client would).
CHAIN_HEAD = """
CREATE OR REPLACE FUNCTION portal_audit_chain_head(n integer, OUT stripe integer, OUT clock timestamptz,
                                                   OUT last_seq bigint, OUT last_hash varchar,
                                                   OUT last_at timestamptz) AS $$
BEGIN
    stripe := portal_audit_take_chain(n);
    SELECT e.seq, e.hash, e.at INTO last_seq, last_hash, last_at FROM portal_auditevent AS e
     WHERE e.chain = stripe ORDER BY e.seq DESC LIMIT 1;
    clock := clock_timestamp();
END;
$$ LANGUAGE plpgsql VOLATILE;
"""

CHAIN_CHECK = """
CREATE OR REPLACE FUNCTION portal_auditevent_chain_check() RETURNS trigger AS $$
DECLARE
    last_seq bigint;
    last_hash varchar;
    last_at timestamptz;
BEGIN
    IF NEW.at IS NULL OR NEW.at > clock_timestamp() OR NEW.at < clock_timestamp() - interval '10 seconds' THEN
        RAISE EXCEPTION 'portal_auditevent: a row is dated by the database clock (审计记录时间须取自数据库时钟)';
    END IF;
    SELECT seq, hash, at INTO last_seq, last_hash, last_at FROM portal_auditevent
     WHERE chain = NEW.chain ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := '';
        last_at := NEW.at;
    END IF;
    IF NEW.seq IS DISTINCT FROM last_seq + 1 OR NEW.prev_hash IS DISTINCT FROM last_hash OR NEW.at < last_at
       OR coalesce(NEW.hash, '') !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'portal_auditevent: a row continues its chain (审计记录须接续上一条)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""
# 0006's function, for going back (one chain again: only right while every row is still chain 0).
SINGLE_CHAIN_CHECK = CHAIN_CHECK.replace("\n     WHERE chain = NEW.chain ORDER BY", " ORDER BY").replace(
    "continues its chain", "continues the chain")


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(TAKE_CHAIN)
        schema_editor.execute(CHAIN_HEAD)
        schema_editor.execute(CHAIN_CHECK)


def backwards(apps, schema_editor):
    AuditEvent = apps.get_model("portal", "AuditEvent")
    if AuditEvent.objects.using(schema_editor.connection.alias).exclude(chain=0).exists():
        # One chain again would need every later row re-chained and re-signed: not something to do silently.
        raise RuntimeError("audit rows exist in chains other than 0: the trail cannot go back to one chain")
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(SINGLE_CHAIN_CHECK)
        schema_editor.execute("DROP FUNCTION IF EXISTS portal_audit_chain_head(integer)")
        schema_editor.execute("DROP FUNCTION IF EXISTS portal_audit_take_chain(integer)")


class Migration(migrations.Migration):
    dependencies = [("portal", "0010_subject_name_trigram_index")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain",
            field=models.PositiveSmallIntegerField(default=0, editable=False, verbose_name="链"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, verbose_name="序号"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_chain_seq_unique"),
        ),
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["at", "chain", "seq"], "verbose_name": "审计记录", "verbose_name_plural": "审计记录"},
        ),
        migrations.RunPython(forwards, backwards),
    ]
