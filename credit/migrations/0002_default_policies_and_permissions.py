"""Seed the four severity grades (DOMAIN.md §二(六)) and give credit officers this app's permissions."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

POLICIES = {
    "minor": dict(min_publicity_months=0, default_publicity_months=3, max_publicity_months=3, bars_commitment=False,
                  mandatory_onsite=False, blacklists=False, min_months_before_repair=0, repair_cooldown_months=12),
    "general": dict(min_publicity_months=3, default_publicity_months=6, max_publicity_months=12, bars_commitment=True,
                    mandatory_onsite=True, blacklists=False, min_months_before_repair=3, repair_cooldown_months=12),
    "major": dict(min_publicity_months=6, default_publicity_months=12, max_publicity_months=24, bars_commitment=True,
                  mandatory_onsite=True, blacklists=False, min_months_before_repair=6, repair_cooldown_months=12),
    "serious": dict(min_publicity_months=12, default_publicity_months=36, max_publicity_months=36, bars_commitment=True,
                    mandatory_onsite=True, blacklists=True, min_months_before_repair=12, repair_cooldown_months=12),
}
OFFICER_PERMISSIONS = [
    "view_dishonestyrecord", "add_dishonestyrecord", "view_severitypolicy", "change_severitypolicy",
    "view_creditrepair", "view_objection", "view_attachment", "view_pushoutbox", "view_commitmentoutcome",
]


def forwards(apps, schema_editor):
    SeverityPolicy = apps.get_model("credit", "SeverityPolicy")
    for severity, values in POLICIES.items():
        SeverityPolicy.objects.get_or_create(severity=severity, defaults=values)
    app_config = apps.get_app_config("credit")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _created = Group.objects.get_or_create(name="credit_officer")
    group.permissions.add(*Permission.objects.filter(content_type__app_label="credit", codename__in=OFFICER_PERMISSIONS))


def backwards(apps, schema_editor):
    apps.get_model("credit", "SeverityPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("credit", "0001_initial"), ("portal", "0002_roles")]
    operations = [migrations.RunPython(forwards, backwards)]
