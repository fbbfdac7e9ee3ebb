"""The State Council's annual holiday schedule (国务院节假日安排): entering it, warning while it is
missing, and counting provisional deadlines again once it arrives.

``parse_schedule`` reads either a CSV (``日期,类型,说明`` — 类型 休/班) or the text of the notice
itself (``二、春节：2月15日（周日）至23日（周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。``).
``enter_schedule`` writes one year (admin page and ``manage.py import_holidays``).
``settle_provisional_deadlines`` is the beat task's body; ``tell_deadline_changed`` is the one
place that tells people a date moved.
"""

import csv
import dataclasses
import datetime
import io
import logging
import re

from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal import audit, notifications, workdays
from portal.models import HolidaySchedule, Message, ProvisionalDeadline, Workday

log = logging.getLogger(__name__)

# From this day of the year on, next year's schedule is expected (the State Council publishes it
# in November or December).
WARN_FROM = (11, 1)


@dataclasses.dataclass
class ParsedSchedule:
    year: int
    days: dict[datetime.date, tuple[bool, str]]  # date -> (is_workday, note)
    document: str = ""


_PARENTHESES = re.compile(r"[（(][^）)]*[）)]")
_DATE = re.compile(r"(?:(\d{4})年)?(?:(\d{1,2})月)?(\d{1,2})日")
_TITLE_YEAR = re.compile(r"(\d{4})年(?:部分节假日|元旦)")
_ITEM = re.compile(r"^\s*[一二三四五六七八九十]+、\s*([^：:]+)[：:](.*)$")


def _dates_in(text: str, year: int, month_hint: int | None) -> list[datetime.date]:
    """Every date written in a clause, a day without a month taking the month before it."""
    found, month = [], month_hint
    for match in _DATE.finditer(text):
        y, m, d = match.groups()
        if m:
            month = int(m)
        if month is None:
            raise ValidationError(_("“%(text)s”中的日期缺少月份。") % {"text": text})
        day_year = int(y) if y else year
        # 元旦 of the notice's year may begin on 30 or 31 December of the year before.
        if not y and month == 12 and "元旦" in text:
            day_year = year - 1
        try:
            found.append(datetime.date(day_year, month, int(d)))
        except ValueError:
            raise ValidationError(_("“%(text)s”中有不存在的日期。") % {"text": text}) from None
    return found


def _parse_notice(text: str, year: int | None) -> ParsedSchedule:
    if year is None:
        match = _TITLE_YEAR.search(text)
        if not match:
            raise ValidationError(_("无法从通知正文中读出年份（如“2027年部分节假日安排”），请注明年份。"))
        year = int(match.group(1))
    days: dict[datetime.date, tuple[bool, str]] = {}
    for line in text.splitlines():
        item = _ITEM.match(_PARENTHESES.sub("", line))
        if not item:
            continue
        name, body = item.group(1).strip(), item.group(2)
        label = name.replace("、", "/")[:30]
        for clause in re.split(r"[，,。；;]", body):
            if not _DATE.search(clause):
                continue
            if "上班" in clause:
                for day in _dates_in(clause, year, None):
                    days[day] = (True, f"{label}调休上班")
            elif "放假" in clause or "补休" in clause or "休息" in clause:
                if "至" in clause:
                    first_part, last_part = clause.split("至", 1)
                    first = _dates_in(first_part, year, None)
                    if not first:
                        raise ValidationError(_("“%(text)s”中缺少起始日期。") % {"text": clause})
                    last = _dates_in(last_part, year, first[-1].month)
                    if not last:
                        raise ValidationError(_("“%(text)s”中缺少结束日期。") % {"text": clause})
                    start, end = first[-1], last[0]
                    if end < start:  # 12月30日至1月1日
                        end = end.replace(year=end.year + 1)
                    if (end - start).days > 15:
                        raise ValidationError(_("“%(text)s”的放假时段超过15天，请核对。") % {"text": clause})
                    day = start
                    while day <= end:
                        days[day] = (False, label)
                        day += datetime.timedelta(days=1)
                else:
                    for day in _dates_in(clause, year, None):
                        days[day] = (False, label)
    if not days:
        raise ValidationError(_("通知正文中没有读到放假或上班日期。每个节日一行，如“一、元旦：1月1日放假，共1天。”"))
    match = re.search(r"国办发明电〔\d{4}〕\d+号", text)
    return ParsedSchedule(year=year, days=days, document=match.group(0) if match else f"国务院办公厅关于{year}年部分节假日安排的通知")


_KINDS = {"休": False, "放假": False, "休息": False, "holiday": False, "班": True, "上班": True, "workday": True}


def _parse_csv(text: str, year: int | None) -> ParsedSchedule:
    days: dict[datetime.date, tuple[bool, str]] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if not row or not row[0].strip() or row[0].strip().startswith("#") or row[0].strip() in ("日期", "date"):
            continue
        try:
            day = datetime.date.fromisoformat(row[0].strip())
        except ValueError:
            raise ValidationError(_("第%(n)d行：日期“%(value)s”应写作 2027-01-01。") % {"n": number, "value": row[0]}) from None
        kind = row[1].strip() if len(row) > 1 else ""
        if kind not in _KINDS:
            raise ValidationError(_("第%(n)d行：类型应为“休”或“班”。") % {"n": number})
        days[day] = (_KINDS[kind], (row[2].strip() if len(row) > 2 else "")[:40])
    if not days:
        raise ValidationError(_("文件中没有日期行。"))
    years = {day.year for day, (is_work, note) in days.items() if not (day.month == 12 and "元旦" in note)}
    if year is None:
        if len(years) != 1:
            raise ValidationError(_("文件中的日期跨越多个年份，请一次导入一年。"))
        year = years.pop()
    return ParsedSchedule(year=year, days=days, document="CSV")


def parse_schedule(text: str, year: int | None = None) -> ParsedSchedule:
    """Read a year's schedule from a CSV or from the notice's text (see the module docstring)."""
    text = (text or "").lstrip("\ufeff")
    first = next((line for line in text.splitlines() if line.strip()), "")
    if re.match(r"\s*(日期|date|\d{4}-\d{2}-\d{2})\s*,", first):
        parsed = _parse_csv(text, year)
    else:
        parsed = _parse_notice(text, year)
    outside = [day for day in parsed.days if abs(day.year - parsed.year) > 1]
    if outside:
        raise ValidationError(_("日期 %(day)s 不属于 %(year)d 年的安排。") % {"day": outside[0], "year": parsed.year})
    missing = [day for day, name in workdays.statutory_holidays(parsed.year).items()
               if day.weekday() < 5 and parsed.days.get(day, (False, ""))[0]]
    if missing:
        raise ValidationError(
            _("%(day)s 是法定节假日（%(name)s），安排中却写作上班，请核对。")
            % {"day": missing[0], "name": workdays.statutory_holiday(missing[0])})
    return parsed


def enter_schedule(parsed: ParsedSchedule, *, source: str, actor=None, request=None, replace_days: bool = True
                   ) -> HolidaySchedule:
    """Record one year's State Council schedule: its days replace the year's calendar rows.

    Rows of the year are replaced, so entering a corrected notice again is safe; with
    ``replace_days=False`` (days already entered one by one in 工作日历) they are kept. The year is
    then scheduled; provisional deadlines are counted again by the next beat (or right away by
    ``import_holidays``).
    """
    year = parsed.year
    with transaction.atomic():
        in_year = [day for day in parsed.days if day.year == year]
        if replace_days:
            Workday.objects.filter(date__year=year).exclude(date__in=list(parsed.days)).delete()
        for day, (is_work, note) in sorted(parsed.days.items()):
            Workday.objects.update_or_create(date=day, defaults={"is_workday": is_work, "note": note[:40]})
        schedule, created = HolidaySchedule.objects.update_or_create(
            year=year, defaults={"source": source, "document": parsed.document[:120],
                                 "entered_by": actor if getattr(actor, "is_authenticated", False) else None},
        )
        audit.record("workdays.schedule_entered", obj=schedule, actor=actor, request=request,
                     summary=_("录入%(year)d年节假日安排（%(days)d个日期）") % {"year": year, "days": len(in_year)},
                     data={"year": year, "source": source, "replaced": not created,
                           "rest_days": sorted(str(d) for d, (w, _n) in parsed.days.items() if not w),
                           "work_days": sorted(str(d) for d, (w, _n) in parsed.days.items() if w)})
        workdays.forget_scheduled_years()
        transaction.on_commit(workdays.forget_scheduled_years)  # and again, should a reader have cached the old list meanwhile
    return schedule


def missing_schedule_years(today: datetime.date | None = None) -> list[int]:
    """Years whose schedule should be entered by now and is not: this year, and from 1 November next year."""
    today = today or timezone.localdate()
    wanted = [today.year]
    if (today.month, today.day) >= WARN_FROM:
        wanted.append(today.year + 1)
    known = workdays.scheduled_years()
    return [year for year in wanted if year not in known]


def open_provisional_count() -> int:
    return ProvisionalDeadline.objects.filter(settled_at__isnull=True).count()


def tell_deadline_changed(user_ids, text: str, *, key: str) -> int:
    """Tell people that a deadline of theirs moved (期限调整提醒), through the notification centre.

    ``key`` names the change (object, field, new date), so telling twice tells once. Returns how many
    were told.
    """
    from portal.models import User

    told = 0
    for user in User.objects.filter(pk__in={int(i) for i in user_ids}).order_by("pk"):
        told += len(notifications.notify(user, Message.Kind.DEADLINE, _("期限调整提醒"), text, key=key))
    return told


def recent_deadline_notices(user, days: int = 30, limit: int = 10):
    """The user's own 期限调整提醒 of the last ``days`` days, newest first (shown on the workspace)."""
    since = timezone.now() - datetime.timedelta(days=days)
    return list(notifications.own_messages(user).filter(kind=Message.Kind.DEADLINE, created_at__gte=since)[:limit])


def _describe(obj, field: str) -> tuple[str, str]:
    label = str(obj._meta.verbose_name)
    number = getattr(obj, "number", "") or obj.pk
    return f"{label} {number}", str(obj._meta.get_field(field).verbose_name)


class _Taken(Exception):
    """Another beat settled these records first."""


def _settle_object(model_label: str, object_id: str, rows: list[ProvisionalDeadline], now) -> str:
    """Count one object's provisional dates again and write them in one conditional update (one transaction)."""
    try:
        with transaction.atomic():
            return _settle_object_now(model_label, object_id, rows, now)
    except _Taken:
        return "taken"


def _settle_object_now(model_label, object_id, rows, now) -> str:
    model = apps.get_model(model_label)
    recounted = {row.pk: workdays.deadline(row.start, row.workdays) for row in rows}
    if any(d.provisional for d in recounted.values()):
        return "waiting"  # a year it spans is still unscheduled
    claimed = ProvisionalDeadline.objects.filter(pk__in=[r.pk for r in rows], settled_at__isnull=True)
    if claimed.update(settled_at=now) != len(rows):
        raise _Taken  # leave the other beat's work whole: roll back this claim
    for row in rows:
        ProvisionalDeadline.objects.filter(pk=row.pk).update(settled_due=recounted[row.pk].date)
    expected = {row.field: row.due for row in rows}
    changes = {row.field: recounted[row.pk].date for row in rows}
    still_open = ProvisionalDeadline.objects.filter(model=model_label, object_id=object_id, settled_at__isnull=True)
    values = dict(changes)
    if not still_open.exists() and any(f.name == "deadline_provisional" for f in model._meta.get_fields()):
        values["deadline_provisional"] = False
    updated = model._default_manager.filter(pk=object_id, **expected).update(**values)
    obj = model._default_manager.filter(pk=object_id).first()
    if obj is None:
        return "gone"
    if not updated:
        # The date was changed by hand (extended, re-set) since: it is no longer ours to move.
        audit.record("workdays.deadline_superseded", obj=obj, agency=getattr(obj, "agency", None),
                     summary=_("期限已另行变更，不再按节假日安排重算"),
                     data={"fields": {f: str(d) for f, d in expected.items()}})
        return "superseded"
    moved = {f: (expected[f], changes[f]) for f in changes if changes[f] != expected[f]}
    what, _field = _describe(obj, rows[0].field)
    audit.record(
        "workdays.deadline_recomputed" if moved else "workdays.deadline_confirmed", obj=obj,
        agency=getattr(obj, "agency", None),
        summary=(_("%(what)s 的期限按节假日安排重算") if moved else _("%(what)s 的暂定期限已确认")) % {"what": what},
        data={"fields": {f: {"from": str(expected[f]), "to": str(changes[f])} for f in changes}},
    )
    if moved:
        # Whoever holds the case now (a verifier who claimed the task) is told too.
        people = sorted({p for row in rows for p in row.people} | {getattr(obj, "claimed_by_id", None)} - {None})
        for field, (old, new) in moved.items():
            _what, field_label = _describe(obj, field)
            tell_deadline_changed(people, _("国务院公布了节假日安排，%(what)s 的%(field)s由 %(old)s 调整为 %(new)s。") % {
                "what": what, "field": field_label, "old": f"{old:%Y年%m月%d日}", "new": f"{new:%Y年%m月%d日}"},
                key=f"deadline:{model_label}:{object_id}:{field}:{new}")
    return "moved" if moved else "confirmed"


def settle_provisional_deadlines(limit: int = 500) -> dict[str, int]:
    """Count again every provisional deadline whose years are now all scheduled (beat task body).

    Idempotent and safe with two beats: each object is settled in its own transaction by a
    conditional update of its records (``settled_at IS NULL``), and the date itself only moves
    if it still holds the provisional value.
    """
    workdays.forget_scheduled_years()
    known = workdays.scheduled_years()
    counts: dict[str, int] = {}
    pending = (ProvisionalDeadline.objects.filter(settled_at__isnull=True)
               .order_by("model", "object_id").values_list("model", "object_id").distinct()[:limit])
    now = timezone.now()
    for model_label, object_id in list(pending):
        rows = list(ProvisionalDeadline.objects.filter(model=model_label, object_id=object_id, settled_at__isnull=True))
        if not rows or any(y not in known for r in rows for y in range(r.start.year, r.due.year + 1)
                           if datetime.date(y, 12, 31) > r.start):
            counts["waiting"] = counts.get("waiting", 0) + 1
            continue
        outcome = _settle_object(model_label, object_id, rows, now)
        counts[outcome] = counts.get(outcome, 0) + 1
    if counts:
        log.info("provisional deadlines settled: %s", counts)
    return counts
