"""On PostgreSQL: a pg_trgm GIN index on the application number, so that the window desk's search by a
part of the 办件编号 (``number__icontains``) uses an index. Nothing elsewhere."""

from django.db import migrations


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute(
        "CREATE INDEX IF NOT EXISTS commitments_application_number_trgm ON commitments_application "
        "USING gin (UPPER(number) gin_trgm_ops)"
    )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("DROP INDEX IF EXISTS commitments_application_number_trgm")


class Migration(migrations.Migration):
    dependencies = [("commitments", "0008_merge_desk_index")]

    operations = [migrations.RunPython(create, drop)]
