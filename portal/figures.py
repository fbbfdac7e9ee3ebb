"""The vocabulary of figures (统计口径) shared by every app's ``selectors.figures(scope, period)``.

* ``Period`` — an inclusive date range, the current calendar year by default;
* ``grouped`` — one aggregate query grouped by an agency column, with monthly counts folded into the
  same pass (``month_measures``), so a table is read once for both the per-agency row and the trend;
* ``pct`` — a rate in percent with one decimal, ``None`` without data.

Which agencies a figure covers is ``portal.scope.Scope`` (the supervision duty); the apps filter with
``scope.q(field)`` and never decide scope themselves. Nothing here imports an app.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Q
from django.utils import timezone

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

    def month_edges(self, dates: bool = False) -> list:
        """The months' boundaries clipped to the period: dates, or aware datetimes at 00:00 (``dates=False``)."""
        edges = [max(m, self.start) for m in self.months()] + [self.end + datetime.timedelta(days=1)]
        if dates:
            return edges
        tz = timezone.get_current_timezone()
        return [datetime.datetime.combine(day, datetime.time.min, tzinfo=tz) for day in edges]


def month_measures(period: Period, column: str, measures: dict, *, dates: bool = False) -> dict:
    """Filtered counts ``{name}__m{i}`` of each measure in each month of ``period`` by ``column``.

    A range per month on the column itself (no per-row date function, which SQLite would run in Python).
    """
    edges = period.month_edges(dates)
    out = {}
    for i in range(len(edges) - 1):
        window = Q(**{f"{column}__gte": edges[i], f"{column}__lt": edges[i + 1]})
        for name, condition in measures.items():
            out[f"{name}__m{i}"] = Count("pk", filter=window & condition)
    return out


def grouped(queryset, key: str, **measures) -> dict:
    """``{key value: {measure: value}}`` from one aggregate query grouped by ``key``."""
    return {row.pop(key): row for row in queryset.values(key).annotate(**measures).order_by()}


def split_months(by_agency: dict, period: Period, names) -> dict:
    """Pull the ``{name}__m{i}`` columns out of grouped rows into ``{name: [count per month]}`` summed over agencies."""
    count = len(period.months())
    months = {name: [0] * count for name in names}
    for values in by_agency.values():
        for name in names:
            for i in range(count):
                months[name][i] += values.pop(f"{name}__m{i}", 0) or 0
    return months
