"""The vocabulary of figures (统计口径) shared by every app's ``selectors.figures(scope, period)``.

* ``Period`` — an inclusive date range, the current calendar year by default;
* ``grouped`` — one aggregate query grouped by an agency column; ``grouped_by_month`` also by the month
  of the period column, so a table is read once for both the per-agency row and the monthly trend;
* ``pct`` — a rate in percent with one decimal, ``None`` without data;
* ``daily_counts`` — the rows of a kind of ``portal.models.DailyCount`` (counts per agency and local day that
  database triggers keep, ``portal.rollup``) for a scope and period: the big figures sum these instead of
  reading every application, commitment and task.

Which agencies a figure covers is ``portal.scope.Scope`` (the supervision duty); the apps filter with
``scope.q(field)`` and never decide scope themselves. Nothing here imports an app.
"""

import datetime
from dataclasses import dataclass

from django.db.models.functions import TruncMonth
from django.utils import timezone

from portal.models import DailyCount

MAX_SPAN_DAYS = 5 * 366


def pct(part, whole) -> float | None:
    return None if not whole else round(100 * part / whole, 1)


@dataclass(frozen=True)
class Period:
    """An inclusive date range; by default the current calendar year."""

    start: datetime.date
    end: datetime.date

    @classmethod
    def current_year(cls, today: datetime.date | None = None) -> "Period":
        today = today or timezone.localdate()
        return cls(datetime.date(today.year, 1, 1), datetime.date(today.year, 12, 31))

    @classmethod
    def parse(cls, start: str | None, end: str | None, today: datetime.date | None = None) -> "Period":
        """From ``YYYY-MM-DD`` strings; anything unreadable falls back to the current year's bound.

        Years outside 2000–2099 fall back too: 9999-12-31 + 1 day (the period's exclusive end) would
        overflow ``datetime.date``.
        """
        default = cls.current_year(today)

        def read(value, fallback):
            try:
                date = datetime.date.fromisoformat((value or "").strip()[:10])
            except ValueError:
                return fallback
            return date if 2000 <= date.year <= 2099 else fallback

        first, last = read(start, default.start), read(end, default.end)
        if last < first:
            first, last = last, first
        if (last - first).days > MAX_SPAN_DAYS:
            first = last - datetime.timedelta(days=MAX_SPAN_DAYS)
        return cls(first, last)

    @property
    def key(self) -> str:
        return f"{self.start:%Y%m%d}-{self.end:%Y%m%d}"

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        """Aware datetimes [start 00:00, day after end 00:00) so that indexes on timestamps are usable."""
        tz = timezone.get_current_timezone()
        first = datetime.datetime.combine(self.start, datetime.time.min, tzinfo=tz)
        after = datetime.datetime.combine(self.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=tz)
        return first, after

    def months(self) -> list[datetime.date]:
        months, month = [], self.start.replace(day=1)
        while month <= self.end:
            months.append(month)
            month = (month + datetime.timedelta(days=32)).replace(day=1)
        return months


def daily_counts(kind: str, scope, period: Period):
    """The ``DailyCount`` rows of ``kind`` for agencies in ``scope`` (``portal.scope.Scope``) and days in ``period``;
    sum ``n`` (``Sum("n", filter=Q(bucket=…))``) and group by ``day`` as ``grouped_by_month`` does."""
    return DailyCount.objects.filter(scope.q("agency"), kind=kind, day__gte=period.start, day__lte=period.end)


def grouped(queryset, key: str, **measures) -> dict:
    """``{key value: {measure: value}}`` from one aggregate query grouped by ``key``."""
    return {row.pop(key): row for row in queryset.values(key).annotate(**measures).order_by()}


def grouped_by_month(
    queryset, key: str, column: str, period: Period, monthly, **measures
) -> tuple[dict, dict]:
    """One aggregate query grouped by ``key`` and by the month of ``column``: the per-agency totals
    ``{key value: {measure: n}}`` and, for the measures named in ``monthly``, ``{measure: [n per month of
    period]}`` summed over the agencies. ``queryset`` must already be limited to ``period``.

    The month is the database's own truncation in the portal's time zone, so each row is read once and
    tested against its few measures (not against one window per month).
    """
    index = {month: i for i, month in enumerate(period.months())}
    months = {name: [0] * len(index) for name in monthly}
    by_agency: dict = {}
    rows = queryset.values(key, month=TruncMonth(column)).annotate(**measures).order_by()
    for row in rows:
        agency_id, month = row.pop(key), row.pop("month")
        month = (month.date() if isinstance(month, datetime.datetime) else month).replace(day=1)
        totals = by_agency.setdefault(agency_id, dict.fromkeys(row, 0))
        for name, value in row.items():
            totals[name] += value or 0
        if month in index:
            for name in monthly:
                months[name][index[month]] += row[name] or 0
    return by_agency, months
