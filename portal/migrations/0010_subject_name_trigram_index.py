"""On PostgreSQL: indexes for the window desk's search by the applicant's name, so that it does not read
every subject: a pg_trgm GIN index for ``name__icontains`` (three characters or more: a trigram needs
three), and a pattern btree for ``name__startswith`` (the usual two-character Chinese name or a surname,
which trigrams cannot serve). Nothing elsewhere."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS portal_subject_name_trgm ON portal_subject USING gin (UPPER(name) gin_trgm_ops)"
    )
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS portal_subject_name_prefix ON portal_subject ((name::text) text_pattern_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS portal_subject_name_trgm")
    schema_editor.execute("DROP INDEX IF EXISTS portal_subject_name_prefix")


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_service_standards_role")]

    operations = [migrations.RunPython(create, drop)]
