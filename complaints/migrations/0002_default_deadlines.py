from django.db import migrations

# The defaults: sign for within 1 working day; reply to a consultation within 2, to a
# complaint or a report within 10; a replied ticket not rated within 5 working days is closed.
DEFAULTS = [("consultation", 1, 2, 5), ("complaint", 1, 10, 5), ("report", 1, 10, 5)]


def seed(apps, schema_editor):
    DeadlinePolicy = apps.get_model("complaints", "DeadlinePolicy")
    for kind, sign_days, reply_days, rating_days in DEFAULTS:
        DeadlinePolicy.objects.get_or_create(
            kind=kind, defaults={"sign_days": sign_days, "reply_days": reply_days, "rating_days": rating_days}
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
