"""Subject.id_type: which document a subject's number is from (filled in for existing subjects)."""

from django.db import migrations, models


def fill_id_type(apps, schema_editor):
    from portal import identifiers

    Subject = apps.get_model("portal", "Subject")
    Subject.objects.filter(kind="organisation").update(id_type=identifiers.USCC)
    for subject in Subject.objects.filter(kind="person").only("pk", "id_number").iterator():
        kind = identifiers.personal_id_kind(subject.id_number)
        if kind != identifiers.RESIDENT_ID:
            Subject.objects.filter(pk=subject.pk).update(id_type=kind)


class Migration(migrations.Migration):

    dependencies = [
        ('portal', '0005_supervision_notices'),
    ]

    operations = [
        migrations.AddField(
            model_name='subject',
            name='id_type',
            field=models.CharField(choices=[('resident_id', '居民身份证'), ('hmt_residence_permit', '港澳台居民居住证'), ('foreign_permanent_residence', '外国人永久居留身份证'), ('uscc', '统一社会信用代码')], default='resident_id', editable=False, max_length=30, verbose_name='证件类型'),
        ),
        migrations.RunPython(fill_id_type, migrations.RunPython.noop),
    ]
