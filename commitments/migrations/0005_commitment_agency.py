import django.db.models.deletion
from django.db import migrations, models

# Every existing commitment takes its application's handling agency (one UPDATE, both databases).
BACKFILL = """
UPDATE commitments_commitment SET agency_id = (
    SELECT a.agency_id FROM commitments_application a WHERE a.id = commitments_commitment.application_id)
"""


# The NOT NULL and the indexes come in 0006: on PostgreSQL the backfill leaves deferred foreign-key checks
# pending, and ALTER TABLE refuses to run in the same transaction.
class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0004_verification_promise_and_decision_words"),
        ("portal", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="commitment",
            name="agency",
            field=models.ForeignKey(editable=False, null=True, on_delete=django.db.models.deletion.PROTECT,
                                    related_name="+", to="portal.agency", verbose_name="办理机关"),
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
    ]
