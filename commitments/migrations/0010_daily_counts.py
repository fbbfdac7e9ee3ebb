"""Triggers that keep ``portal.DailyCount`` for applications (by submission day) and commitments (by signing day
and state), and the counts of the rows already there (``portal.rollup``)."""

from django.db import migrations

from commitments.rollups import ROLLUPS
from portal import rollup


def install(apps, schema_editor):
    for spec in ROLLUPS:
        rollup.install(spec, schema_editor)


def uninstall(apps, schema_editor):
    for spec in ROLLUPS:
        rollup.uninstall(spec, schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0009_application_number_trigram_index"),
        ("portal", "0011_daily_counts"),
    ]

    operations = [migrations.RunPython(install, uninstall)]
