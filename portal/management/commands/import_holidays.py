"""``manage.py import_holidays FILE [--year 2027]``: enter the State Council's holiday schedule of one year.

FILE is either the text of the notice (国务院办公厅关于2027年部分节假日安排的通知), copied as
published — one line per holiday, e.g. ``一、元旦：1月1日（周五）至3日（周日）放假调休，共3天。`` —
or a CSV with the columns ``日期,类型,说明`` (类型 休 or 班, one row per date that differs from
the plain Monday–Friday rule). ``-`` reads standard input. ``--dry-run`` shows what was read.
Provisional deadlines are counted again right after the import.
"""

import sys

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from portal import holidays
from portal.models import HolidaySchedule


class Command(BaseCommand):
    help = "Enter a year's holiday schedule (notice text or CSV) and recount provisional deadlines."

    def add_arguments(self, parser):
        parser.add_argument("file", help="notice text or CSV (日期,类型,说明); - for standard input")
        parser.add_argument("--year", type=int, help="the year, when the text does not say it")
        parser.add_argument("--dry-run", action="store_true", help="show the dates read, write nothing")

    def handle(self, *args, file, year=None, dry_run=False, **options):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8-sig") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CommandError(f"cannot read {file}: {exc}") from exc
        try:
            parsed = holidays.parse_schedule(text, year=year)
        except ValidationError as exc:
            raise CommandError("; ".join(exc.messages)) from exc
        for day, (is_work, note) in sorted(parsed.days.items()):
            self.stdout.write(f"{day:%Y-%m-%d} {'班' if is_work else '休'} {note}")
        if dry_run:
            self.stdout.write(f"{parsed.year}: {len(parsed.days)} dates read (dry run, nothing written)")
            return
        source = HolidaySchedule.Source.CSV if parsed.document == "CSV" else HolidaySchedule.Source.NOTICE
        holidays.enter_schedule(parsed, source=source)
        counts = holidays.settle_provisional_deadlines()
        self.stdout.write(self.style.SUCCESS(
            f"{parsed.year}: {len(parsed.days)} dates entered; provisional deadlines: {counts or 'none'}"))
