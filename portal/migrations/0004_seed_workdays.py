"""Seed the working-day calendar with every holiday and 调休 day chinese-calendar knows."""

import datetime

from django.db import migrations

from portal.workdays import _holiday_label


def seed(apps, schema_editor):
    import chinese_calendar

    Workday = apps.get_model("portal", "Workday")
    rows = []
    for day in sorted(set(chinese_calendar.holidays) | set(chinese_calendar.workdays)):
        if day < datetime.date(2020, 1, 1):
            continue
        is_work = chinese_calendar.is_workday(day)
        if is_work != (day.weekday() < 5):
            _on_holiday, name = chinese_calendar.get_holiday_detail(day)
            rows.append(Workday(date=day, is_workday=is_work, note=_holiday_label(name, is_work)))
    Workday.objects.bulk_create(rows, ignore_conflicts=True)


class Migration(migrations.Migration):
    dependencies = [("portal", "0003_audit_append_only")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
