"""On PostgreSQL: a pg_trgm GIN index on the subject's name, so that the window desk's search by the
applicant's name (``name__icontains``) uses an index instead of reading every subject. Nothing elsewhere."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS portal_subject_name_trgm ON portal_subject USING gin (UPPER(name) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS portal_subject_name_trgm")


class Migration(migrations.Migration):
    dependencies = [("portal", "0009_service_standards_role")]

    operations = [migrations.RunPython(create, drop)]
