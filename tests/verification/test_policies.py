"""The run-time default policies and the migration that seeded them say the same (the migration stays frozen)."""

from importlib import import_module

from verification import services


def test_the_run_time_default_policies_are_the_ones_the_migration_seeded():
    seeded = import_module("verification.migrations.0002_default_policies").POLICIES
    assert services.DEFAULT_POLICIES == seeded
