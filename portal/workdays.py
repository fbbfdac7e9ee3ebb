"""Working-day arithmetic (工作日) on the Chinese calendar, honouring holidays and 调休 make-up days.

Three layers decide whether a day is worked, the first that knows wins:

1. a ``Workday`` row (the State Council's schedule: holidays and 调休 make-up working days);
2. the statutory holidays of the 全国年节及纪念日放假办法, computed for every year
   (``statutory_holidays``) — so no year, published or not, ever counts 元旦 or 春节 as worked;
3. Monday to Friday.

A deadline counted over a year whose schedule is not yet entered (no ``HolidaySchedule``) is
provisional (暂定): ``deadline`` says so, ``track`` records it, and ``portal.holidays`` counts it
again once the schedule arrives.
"""

import dataclasses
import datetime
import functools

from django.core.cache import cache

from portal.models import HolidaySchedule, ProvisionalDeadline, Workday

SCHEDULED_YEARS_CACHE_KEY = "workdays:scheduled-years"


def _lunar_to_solar(year: int, month: int, day: int) -> datetime.date:
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, month, day).getSolar()
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> datetime.date:
    """清明: the day of the 清明 solar term (太阳黄经 15°), from lunar-python's solar-term table."""
    from lunar_python import Lunar

    solar = Lunar.fromYmd(year, 1, 1).getJieQiTable()["清明"]
    return datetime.date(solar.getYear(), solar.getMonth(), solar.getDay())


@functools.cache
def statutory_holidays(year: int) -> dict[datetime.date, str]:
    """The 全体公民放假的节日 of one year under the 全国年节及纪念日放假办法 in force that year.

    From 2025 (revision of 2024): 元旦 1 day, 春节 4 days (除夕 to 正月初三), 清明 1, 劳动节 2
    (5月1日、2日), 端午 1, 中秋 1, 国庆 3 (10月1日至3日). 2014–2024: 春节 初一至初三, 劳动节 1 day;
    2008–2013: 春节 除夕至初二; before 2008 (1999 text): no 清明/端午/中秋, 春节 初一至初三,
    劳动节 5月1日至3日. The State Council's schedule adds the bridging days around them.
    """
    one = datetime.timedelta(days=1)
    new_year = _lunar_to_solar(year, 1, 1)
    national = dict.fromkeys([datetime.date(year, 10, d) for d in (1, 2, 3)], "国庆节")
    if year < 2008:
        days = {datetime.date(year, 1, 1): "元旦"}
        days.update(dict.fromkeys([new_year, new_year + one, new_year + 2 * one], "春节"))
        days.update(dict.fromkeys([datetime.date(year, 5, d) for d in (1, 2, 3)], "劳动节"))
        return days | national
    if year >= 2025:
        spring = [new_year - one, new_year, new_year + one, new_year + 2 * one]
        labour = [datetime.date(year, 5, 1), datetime.date(year, 5, 2)]
    elif year >= 2014:
        spring = [new_year, new_year + one, new_year + 2 * one]
        labour = [datetime.date(year, 5, 1)]
    else:
        spring = [new_year - one, new_year, new_year + one]
        labour = [datetime.date(year, 5, 1)]
    days = {datetime.date(year, 1, 1): "元旦"}
    days.update(dict.fromkeys(spring, "春节"))
    days[qingming(year)] = "清明节"
    days.update(dict.fromkeys(labour, "劳动节"))
    days[_lunar_to_solar(year, 5, 5)] = "端午节"
    days[_lunar_to_solar(year, 8, 15)] = "中秋节"
    return days | national


def statutory_holiday(day: datetime.date) -> str:
    """The statutory holiday ``day`` falls on (``"春节"``), or ``""``. 除夕 of a January 春节 is in the year before."""
    return statutory_holidays(day.year).get(day, "")


def scheduled_years() -> frozenset[int]:
    """Years whose State Council schedule has been entered (kept a few minutes in the cache)."""
    years = cache.get(SCHEDULED_YEARS_CACHE_KEY)
    if years is None:
        years = sorted(HolidaySchedule.objects.values_list("year", flat=True))
        cache.set(SCHEDULED_YEARS_CACHE_KEY, years, 300)
    return frozenset(years)


def forget_scheduled_years() -> None:
    cache.delete(SCHEDULED_YEARS_CACHE_KEY)


def _overrides(start: datetime.date, end: datetime.date) -> dict[datetime.date, bool]:
    return dict(Workday.objects.filter(date__gte=start, date__lte=end).values_list("date", "is_workday"))


def _is_workday(day: datetime.date, overrides: dict[datetime.date, bool]) -> bool:
    if day in overrides:
        return overrides[day]
    if day in statutory_holidays(day.year):
        return False
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


@dataclasses.dataclass(frozen=True)
class Deadline:
    """A deadline ``workdays`` working days after ``start``; ``provisional`` (暂定) while a year it
    spans has no published schedule."""

    start: datetime.date
    workdays: int
    date: datetime.date
    provisional: bool


def unscheduled_years(start: datetime.date, end: datetime.date) -> list[int]:
    """Years among the days after ``start`` up to ``end`` whose schedule has not been entered."""
    first = start + datetime.timedelta(days=1)
    if end < first:
        return []
    known = scheduled_years()
    return [year for year in range(first.year, end.year + 1) if year not in known]


def deadline(start: datetime.date, n: int) -> Deadline:
    """``add_workdays`` that also says whether the date is provisional (暂定)."""
    if isinstance(start, datetime.datetime):
        start = start.date()
    due = add_workdays(start, n)
    return Deadline(start=start, workdays=n, date=due, provisional=bool(unscheduled_years(start, due)))


def track(obj, field: str, due: Deadline | None, people=(), replaces: bool = False) -> None:
    """Remember a provisional deadline of ``obj.<field>`` so it is counted again when the schedule arrives.

    Call it inside the service's transaction, after the object is saved, with the users to tell
    if the date moves. Nothing is kept for a final deadline. Calling it again for the same object
    and field (a retry, a re-routed ticket) replaces the record; with ``replaces=True`` a final
    deadline also drops an open record left by an earlier, provisional one.
    """
    key = {"model": obj._meta.label_lower, "object_id": str(obj.pk), "field": field}
    if due is None or not due.provisional:
        if replaces:
            ProvisionalDeadline.objects.filter(settled_at__isnull=True, **key).delete()
        return
    ProvisionalDeadline.objects.update_or_create(
        **key, defaults={"start": due.start, "workdays": due.workdays, "due": due.date, "settled_at": None,
                         "settled_due": None,
                         "people": sorted({int(getattr(p, "pk", p)) for p in people if p is not None})},
    )


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


def package_years() -> list[int]:
    """Years whose schedule the installed ``chinese-calendar`` package knows."""
    import chinese_calendar

    return sorted({day.year for day in chinese_calendar.holidays})


def sync_from_package(years=None) -> int:
    """Copy the ``chinese-calendar`` package's holidays and 调休 days into the table.

    Only dates that differ from the Monday–Friday rule are stored, and each year the package
    knows is recorded as scheduled (``HolidaySchedule``, source "package") unless an
    administrator entered it already. Idempotent; rows an administrator already edited are
    kept. Returns the number of rows added.
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
    new_years = [y for y in package_years() if years is None or y in years]
    HolidaySchedule.objects.bulk_create(
        [HolidaySchedule(year=y, source=HolidaySchedule.Source.PACKAGE, document="chinese-calendar") for y in new_years],
        ignore_conflicts=True,
    )
    forget_scheduled_years()
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
