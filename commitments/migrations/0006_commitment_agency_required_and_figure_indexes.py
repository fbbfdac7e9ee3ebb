import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("commitments", "0005_commitment_agency"),
    ]

    operations = [
        migrations.AlterField(
            model_name="commitment",
            name="agency",
            field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="portal.agency", verbose_name="办理机关"),
        ),
        migrations.AddIndex(
            model_name="application",
            index=models.Index(fields=["agency", "submitted_at"], name="application_agency_sub_idx"),
        ),
        migrations.AddIndex(
            model_name="commitment",
            index=models.Index(fields=["agency", "signed_at", "state"], name="commitment_agency_signed_idx"),
        ),
    ]
