"""Subject.id_type (which document a number is from); the holiday-schedule register (年度节假日安排),
provisional deadlines and 期限调整提醒. Years the seeded calendar holds (0004) are recorded as scheduled."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def fill_id_type(apps, schema_editor):
    from portal import identifiers

    Subject = apps.get_model("portal", "Subject")
    Subject.objects.filter(kind="organisation").update(id_type=identifiers.USCC)
    for subject in Subject.objects.filter(kind="person").only("pk", "id_number").iterator():
        kind = identifiers.personal_id_kind(subject.id_number)
        if kind != identifiers.RESIDENT_ID:
            Subject.objects.filter(pk=subject.pk).update(id_type=kind)


def record_seeded_years(apps, schema_editor):
    """0004 copied chinese-calendar's years from 2020 on: those schedules are published."""
    from portal.workdays import package_years

    HolidaySchedule = apps.get_model("portal", "HolidaySchedule")
    HolidaySchedule.objects.bulk_create(
        [HolidaySchedule(year=year, source="package", document="chinese-calendar") for year in package_years() if year >= 2020],
        ignore_conflicts=True,
    )


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
        migrations.CreateModel(
            name='HolidaySchedule',
            fields=[
                ('year', models.PositiveSmallIntegerField(primary_key=True, serialize=False, verbose_name='年份')),
                ('source', models.CharField(choices=[('package', 'chinese-calendar 程序包'), ('notice', '国务院办公厅通知正文'), ('csv', 'CSV 文件'), ('admin', '管理后台逐日录入')], max_length=10, verbose_name='来源')),
                ('document', models.CharField(blank=True, max_length=120, verbose_name='通知文号或标题')),
                ('entered_at', models.DateTimeField(auto_now_add=True, verbose_name='录入时间')),
                ('entered_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='录入人')),
            ],
            options={
                'verbose_name': '年度节假日安排',
                'verbose_name_plural': '年度节假日安排',
                'ordering': ['-year'],
            },
        ),
        migrations.CreateModel(
            name='ProvisionalDeadline',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('model', models.CharField(max_length=100)),
                ('object_id', models.CharField(max_length=40)),
                ('field', models.CharField(max_length=40)),
                ('start', models.DateField()),
                ('workdays', models.PositiveSmallIntegerField()),
                ('due', models.DateField()),
                ('people', models.JSONField(blank=True, default=list)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('settled_at', models.DateTimeField(blank=True, null=True)),
                ('settled_due', models.DateField(blank=True, null=True)),
            ],
            options={
                'verbose_name': '暂定期限',
                'verbose_name_plural': '暂定期限',
                'indexes': [models.Index(fields=['settled_at', 'due'], name='provisional_open_idx')],
                'constraints': [models.UniqueConstraint(fields=('model', 'object_id', 'field'), name='provisional_deadline_once')],
            },
        ),
        migrations.CreateModel(
            name='DeadlineChangeNotice',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('text', models.CharField(max_length=300, verbose_name='内容')),
                ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='时间')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='deadline_notices', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'verbose_name': '期限调整提醒',
                'verbose_name_plural': '期限调整提醒',
                'ordering': ['-created_at', '-pk'],
                'indexes': [models.Index(fields=['user', 'created_at'], name='deadline_notice_user_idx')],
            },
        ),
        migrations.RunPython(fill_id_type, migrations.RunPython.noop),
        migrations.RunPython(record_seeded_years, migrations.RunPython.noop),
    ]
