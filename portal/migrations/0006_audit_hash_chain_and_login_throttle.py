"""Login protection counters (portal/login_guard.py), and the audit trail becomes a hash chain (portal/audit_chain.py), dated by the database clock.

Existing rows are chained in their order (time, id). On PostgreSQL a trigger refuses any insert
that does not continue the chain or is not dated by ``clock_timestamp()``; UPDATE, DELETE and
TRUNCATE are revoked from PUBLIC (the app role gets its grants from ``manage.py migrate``, see
portal/db_roles.py), and the append-only trigger of 0003 stays.
"""

import django.utils.timezone
from django.db import migrations, models

from portal import audit_chain

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
    SELECT seq, hash, at INTO last_seq, last_hash, last_at FROM portal_auditevent ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        last_seq := 0;
        last_hash := '';
        last_at := NEW.at;
    END IF;
    IF NEW.seq IS DISTINCT FROM last_seq + 1 OR NEW.prev_hash IS DISTINCT FROM last_hash OR NEW.at < last_at
       OR coalesce(NEW.hash, '') !~ '^[0-9a-f]{64}$' THEN
        RAISE EXCEPTION 'portal_auditevent: a row continues the chain (审计记录须接续上一条)';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS portal_auditevent_chain ON portal_auditevent;
CREATE TRIGGER portal_auditevent_chain BEFORE INSERT ON portal_auditevent
    FOR EACH ROW EXECUTE FUNCTION portal_auditevent_chain_check();
REVOKE UPDATE, DELETE, TRUNCATE ON portal_auditevent FROM PUBLIC;
"""
DROP_CHAIN_CHECK = """
DROP TRIGGER IF EXISTS portal_auditevent_chain ON portal_auditevent;
DROP FUNCTION IF EXISTS portal_auditevent_chain_check();
"""


def chain_existing_rows(apps, schema_editor):
    AuditEvent = apps.get_model("portal", "AuditEvent")
    postgresql = schema_editor.connection.vendor == "postgresql"
    if postgresql:  # the owner lifts the append-only trigger of 0003 for this one rewrite
        schema_editor.execute("ALTER TABLE portal_auditevent DISABLE TRIGGER portal_auditevent_no_change")
    prev_hash, batch = "", []
    events = AuditEvent.objects.using(schema_editor.connection.alias).order_by("at", "pk")
    for seq, event in enumerate(events.iterator(chunk_size=2000), start=1):
        event.seq, event.prev_hash = seq, prev_hash
        event.hash = prev_hash = audit_chain.row_digest(event)
        batch.append(event)
        if len(batch) >= 1000:
            AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
            batch = []
    if batch:
        AuditEvent.objects.bulk_update(batch, ["seq", "prev_hash", "hash"])
    if postgresql:
        schema_editor.execute("ALTER TABLE portal_auditevent ENABLE TRIGGER portal_auditevent_no_change")


def create_chain_check(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CHAIN_CHECK)


def drop_chain_check(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_CHAIN_CHECK)


class Migration(migrations.Migration):
    dependencies = [("portal", "0005_supervision_notices")]

    operations = [
        migrations.AlterModelOptions(
            name="auditevent",
            options={"ordering": ["seq"], "verbose_name": "审计记录", "verbose_name_plural": "审计记录"},
        ),
        migrations.AddField(
            model_name="auditevent",
            name="hash",
            field=models.CharField(default="", editable=False, max_length=64, verbose_name="校验值"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(blank=True, default="", editable=False, max_length=64, verbose_name="上一条的校验值"),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, null=True, verbose_name="序号"),
        ),
        migrations.AlterField(
            model_name="auditevent",
            name="at",
            field=models.DateTimeField(db_index=True, default=django.utils.timezone.now, editable=False,
                                       verbose_name="时间"),
        ),
        migrations.RunPython(chain_existing_rows, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditevent",
            name="seq",
            field=models.BigIntegerField(editable=False, unique=True, verbose_name="序号"),
        ),
        migrations.RunPython(create_chain_check, drop_chain_check),
        migrations.CreateModel(
            name="LoginThrottle",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("scope", models.CharField(choices=[("account", "账号"), ("password", "密码")], max_length=10,
                                           verbose_name="范围")),
                ("key", models.CharField(max_length=64, verbose_name="键（带密钥散列）")),
                ("failures", models.PositiveIntegerField(default=0, verbose_name="失败次数")),
                ("window_start", models.DateTimeField(verbose_name="计数起点")),
                ("next_attempt_at", models.DateTimeField(blank=True, null=True, verbose_name="下次可尝试时间")),
                ("locked_until", models.DateTimeField(blank=True, null=True, verbose_name="锁定至")),
            ],
            options={
                "verbose_name": "登录防护计数",
                "verbose_name_plural": "登录防护计数",
                "constraints": [models.UniqueConstraint(fields=("scope", "key"), name="login_throttle_unique_key")],
            },
        ),
    ]
