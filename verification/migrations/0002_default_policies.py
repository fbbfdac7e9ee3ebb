"""Seed the four verification policies (one per credit level; administrators edit them later)."""

from django.db import migrations

POLICIES = {
    "A": dict(sample_percent=20, verify_exempt_matters=False, force_on_site=False, note="守信主体低比例抽取核查"),
    "B": dict(sample_percent=60, verify_exempt_matters=False, force_on_site=False, note="轻微失信主体提高核查比例"),
    "C": dict(sample_percent=100, verify_exempt_matters=True, force_on_site=True, note="一律现场核查"),
    "D": dict(sample_percent=100, verify_exempt_matters=True, force_on_site=True, note="不适用告知承诺制；如有则现场核查"),
}


def forwards(apps, schema_editor):
    VerificationPolicy = apps.get_model("verification", "VerificationPolicy")
    for level, values in POLICIES.items():
        VerificationPolicy.objects.get_or_create(level=level, defaults=values)


def backwards(apps, schema_editor):
    apps.get_model("verification", "VerificationPolicy").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("verification", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
