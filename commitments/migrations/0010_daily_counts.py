"""Triggers that keep ``portal.DailyCount`` for applications (by submission day) and commitments (by signing day
and state), and the counts of the rows already there (``portal.rollup``)."""

from django.db import migrations

from commitments.rollups import ROLLUPS
from portal import rollup


class Migration(migrations.Migration):
    dependencies = [
        ("commitments", "0009_application_number_trigram_index"),
        ("portal", "0011_daily_counts"),
    ]

    operations = [rollup.migration_operation(ROLLUPS)]
