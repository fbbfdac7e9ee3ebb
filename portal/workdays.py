"""Working-day arithmetic (工作日) on the Chinese calendar, honouring holidays and 调休 make-up days."""

import datetime

from portal.models import Workday


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(Workday.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def _is_workday(day: datetime.date, overrides: dict[datetime.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    return day.weekday() < 5


def is_workday(day: datetime.date) -> bool:
    return _is_workday(day, _overrides(day, day))


def add_workdays(start: datetime.date, n: int) -> datetime.date:
    """The date ``n`` working days after ``start`` (``n`` = 0 gives ``start`` itself).

    A deadline of "3 working days" from a Friday before 国庆 lands after the holiday, and a
    调休 Saturday counts as a working day. One query, whatever ``n`` is.
    """
    if isinstance(start, datetime.datetime):
        start = start.date()
    if n <= 0:
        return start
    # Long holidays are at most ~9 days; this window always holds n working days.
    horizon = start + datetime.timedelta(days=n * 2 + 30)
    overrides = _overrides(start, horizon)
    day, left = start, n
    while left:
        day += datetime.timedelta(days=1)
        if day > horizon:  # pragma: no cover - only with an absurd calendar
            overrides.update(_overrides(day, day + datetime.timedelta(days=60)))
            horizon = day + datetime.timedelta(days=60)
        if _is_workday(day, overrides):
            left -= 1
    return day


def workdays_between(start: datetime.date, end: datetime.date) -> int:
    """Working days after ``start`` up to and including ``end`` (negative if ``end`` is earlier)."""
    if isinstance(start, datetime.datetime):
        start = start.date()
    if isinstance(end, datetime.datetime):
        end = end.date()
    if end < start:
        return -workdays_between(end, start)
    overrides = _overrides(start, end)
    count, day = 0, start
    while day < end:
        day += datetime.timedelta(days=1)
        count += _is_workday(day, overrides)
    return count


def sync_from_package(years=None) -> int:
    """Copy the ``chinese-calendar`` package's holidays and 调休 days into the table.

    Only dates that differ from the Monday–Friday rule are stored. Idempotent; rows an
    administrator already edited are kept. Returns the number of rows added.
    """
    import chinese_calendar

    known = {d for d in chinese_calendar.holidays} | {d for d in chinese_calendar.workdays}
    rows = []
    for day in sorted(known):
        if years is not None and day.year not in years:
            continue
        is_work = chinese_calendar.is_workday(day)
        if is_work == (day.weekday() < 5):
            continue
        _on_holiday, name = chinese_calendar.get_holiday_detail(day)
        rows.append(Workday(date=day, is_workday=is_work, note=_holiday_label(name, is_work)))
    existing = set(Workday.objects.filter(date__in=[r.date for r in rows]).values_list("date", flat=True))
    new = [r for r in rows if r.date not in existing]
    Workday.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


_HOLIDAY_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利纪念日",
}


def _holiday_label(name: str | None, is_work: bool) -> str:
    label = _HOLIDAY_NAMES.get(name or "", name or "")
    return f"{label}调休上班" if is_work else label
