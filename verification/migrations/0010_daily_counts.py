"""Triggers that keep ``portal.DailyCount`` for verification tasks (by due date and outcome), and the counts of
the tasks already there (``portal.rollup``)."""

from django.db import migrations

from portal import rollup
from verification.rollups import ROLLUPS


class Migration(migrations.Migration):
    dependencies = [
        ("verification", "0009_merge_commitment_agency"),
        ("portal", "0011_daily_counts"),
    ]

    operations = [rollup.migration_operation(ROLLUPS)]
