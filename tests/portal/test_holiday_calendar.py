"""The working-day calendar for years chinese-calendar does not know: statutory holidays always,
the State Council's schedule when entered, provisional deadlines until then."""

import datetime
import io
from pathlib import Path

import chinese_calendar
import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from portal import holidays, workdays
from portal.models import AuditEvent, HolidaySchedule, Workday

pytestmark = pytest.mark.django_db
D = datetime.date
DATA = Path(__file__).parent / "data"

# A schedule for 2027 as the State Council might publish it (the real one was not out when this was
# written): the statutory days plus bridging days and two make-up Saturdays.
HYPOTHETICAL_2027 = """国务院办公厅关于2027年部分节假日安排的通知
一、元旦：1月1日（周五）至3日（周日）放假，共3天。
二、春节：2月5日（农历除夕、周五）至12日（农历正月初七、周五）放假调休，共8天。1月31日（周日）、2月20日（周六）上班。
三、清明节：4月3日（周六）至5日（周一）放假，共3天。
四、劳动节：5月1日（周六）至5日（周三）放假调休，共5天。4月25日（周日）、5月8日（周六）上班。
五、端午节：6月9日（周三）放假，共1天。
六、中秋节：9月15日（周三）放假，共1天。
七、国庆节：10月1日（周五）至7日（周四）放假调休，共7天。9月26日（周日）、10月9日（周六）上班。
"""


def enter_2027():
    return holidays.enter_schedule(holidays.parse_schedule(HYPOTHETICAL_2027), source=HolidaySchedule.Source.NOTICE)


# --- statutory holidays ------------------------------------------------------------------------------
def test_statutory_holidays_of_2027_and_2028_follow_the_2024_revision():
    h27 = workdays.statutory_holidays(2027)
    assert [d for d, n in h27.items() if n == "春节"] == [D(2027, 2, 5), D(2027, 2, 6), D(2027, 2, 7), D(2027, 2, 8)]
    assert h27[D(2027, 1, 1)] == "元旦" and h27[D(2027, 4, 5)] == "清明节"
    assert h27[D(2027, 5, 1)] == h27[D(2027, 5, 2)] == "劳动节"
    assert h27[D(2027, 6, 9)] == "端午节" and h27[D(2027, 9, 15)] == "中秋节"
    assert [d for d, n in h27.items() if n == "国庆节"] == [D(2027, 10, 1), D(2027, 10, 2), D(2027, 10, 3)]
    h28 = workdays.statutory_holidays(2028)
    assert [d for d, n in h28.items() if n == "春节"] == [D(2028, 1, 25), D(2028, 1, 26), D(2028, 1, 27), D(2028, 1, 28)]
    assert D(2028, 4, 4) in h28  # 清明 falls on 4 April in 2028


@pytest.mark.parametrize("year", [2008, 2012, 2014, 2019, 2024, 2025, 2026])
def test_every_computed_statutory_holiday_is_a_holiday_in_the_published_schedules(year):
    for day in workdays.statutory_holidays(year):
        assert not chinese_calendar.is_workday(day), day


@pytest.mark.parametrize(("year", "day"), [(2024, D(2024, 4, 4)), (2025, D(2025, 4, 4)), (2026, D(2026, 4, 5)),
                                           (2027, D(2027, 4, 5)), (2028, D(2028, 4, 4)), (2029, D(2029, 4, 4))])
def test_qingming_is_the_day_of_the_solar_term(year, day):
    assert workdays.qingming(year) == day


# --- deadlines before and after the schedule ---------------------------------------------------------
def test_ten_working_days_from_christmas_eve_2026_skip_new_years_day_2027_before_any_schedule():
    due = workdays.deadline(D(2026, 12, 24), 10)
    # 12-25, 28, 29, 30, 31, (1-1 元旦), 1-4, 5, 6, 7, 8
    assert due.date == D(2027, 1, 8)
    assert due.provisional


def test_spring_festival_2027_is_never_counted_before_the_schedule():
    due = workdays.deadline(D(2027, 2, 1), 5)
    assert due.date == D(2027, 2, 10)  # 2, 3, 4, (5–8 春节), 9, 10
    assert due.provisional
    assert not any(workdays.is_workday(d) for d in workdays.statutory_holidays(2027))


def test_spring_festival_2028_is_never_counted_before_the_schedule():
    assert workdays.add_workdays(D(2028, 1, 21), 3) == D(2028, 2, 1)  # 24, (25–28 春节), 31, 2-1
    assert workdays.deadline(D(2027, 12, 27), 6).date == D(2028, 1, 4)  # 28, 29, 30, 31, (1-1), 3, 4


def test_after_the_2027_schedule_is_entered_its_bridging_days_and_make_up_days_count():
    enter_2027()
    assert workdays.deadline(D(2026, 12, 24), 10) == workdays.Deadline(D(2026, 12, 24), 10, D(2027, 1, 8), False)
    # 春节 2027 entered as 2月5日–12日 with 2月20日（周六）上班.
    assert workdays.add_workdays(D(2027, 2, 1), 5) == D(2027, 2, 16)
    assert workdays.is_workday(D(2027, 2, 20)) and workdays.is_workday(D(2027, 1, 31))
    # 2028 is still unknown: a deadline crossing into it stays provisional.
    assert workdays.deadline(D(2027, 12, 27), 6).provisional


def test_after_a_2028_schedule_is_entered_new_year_and_spring_festival_2028_follow_it():
    enter_2027()
    before = workdays.deadline(D(2028, 1, 21), 3)
    assert before == workdays.Deadline(D(2028, 1, 21), 3, D(2028, 2, 1), True)
    holidays.enter_schedule(holidays.parse_schedule(
        "国务院办公厅关于2028年部分节假日安排的通知\n"
        "一、元旦：1月1日（周六）至3日（周一）放假，共3天。\n"
        "二、春节：1月25日（农历除夕、周二）至2月1日（农历正月初七、周二）放假调休，共8天。"
        "1月22日（周六）、2月5日（周六）上班。\n"), source=HolidaySchedule.Source.NOTICE)
    assert workdays.deadline(D(2027, 12, 27), 6) == workdays.Deadline(D(2027, 12, 27), 6, D(2028, 1, 5), False)
    # 1-21 → 1-22 (Saturday worked), 1-24, (1-25 … 2-1 off), 2-2
    assert workdays.deadline(D(2028, 1, 21), 3) == workdays.Deadline(D(2028, 1, 21), 3, D(2028, 2, 2), False)


def test_a_deadline_inside_a_published_year_is_final():
    assert not workdays.deadline(D(2026, 9, 30), 3).provisional


# --- entering the schedule ---------------------------------------------------------------------------
def test_the_notice_text_of_2026_gives_exactly_the_published_calendar():
    parsed = holidays.parse_schedule((DATA / "holidays_2026_notice.txt").read_text(encoding="utf-8"))
    assert parsed.year == 2026
    for day, (is_work, _note) in parsed.days.items():
        assert chinese_calendar.is_workday(day) == is_work, day
    differing = {D(2026, 1, 1) + datetime.timedelta(days=i) for i in range(365)}
    differing = {d for d in differing if chinese_calendar.is_workday(d) != (d.weekday() < 5)}
    assert differing <= set(parsed.days)


def test_an_older_notice_with_substitute_days_and_a_joint_holiday_is_read():
    parsed = holidays.parse_schedule((DATA / "holidays_2017_notice.txt").read_text(encoding="utf-8"))
    assert parsed.document == "国办发明电〔2016〕17号"
    for day, (is_work, _note) in parsed.days.items():
        assert chinese_calendar.is_workday(day) == is_work, day
    assert parsed.days[D(2017, 1, 2)] == (False, "元旦")
    assert parsed.days[D(2017, 10, 8)][0] is False and parsed.days[D(2017, 9, 30)][0] is True


def test_a_csv_schedule_is_read():
    parsed = holidays.parse_schedule("日期,类型,说明\n2027-01-01,休,元旦\n2027-02-20,班,春节调休上班\n")
    assert parsed.year == 2027
    assert parsed.days == {D(2027, 1, 1): (False, "元旦"), D(2027, 2, 20): (True, "春节调休上班")}


@pytest.mark.parametrize(("text", "message"), [
    ("日期,类型,说明\n2027-02-08,班,春节\n", "是法定节假日"),
    ("日期,类型,说明\n2027-13-01,休,元旦\n", "应写作"),
    ("日期,类型,说明\n2027-01-01,放个假,元旦\n", "类型应为"),
    ("一、元旦：放假一天。", "年份"),
    ("国务院办公厅关于2027年部分节假日安排的通知\n鼓励错峰出行。", "没有读到"),
])
def test_a_schedule_that_cannot_be_right_is_refused_with_the_reason(text, message):
    with pytest.raises(ValidationError) as error:
        holidays.parse_schedule(text)
    assert message in error.value.messages[0]


def test_import_holidays_command_enters_the_year_and_is_audited(tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text(HYPOTHETICAL_2027, encoding="utf-8")
    out = io.StringIO()
    call_command("import_holidays", str(notice), stdout=out)
    assert "2027" in out.getvalue()
    assert HolidaySchedule.objects.get(year=2027).source == HolidaySchedule.Source.NOTICE
    assert Workday.objects.get(date=D(2027, 2, 20)).is_workday
    assert AuditEvent.objects.filter(action="workdays.schedule_entered", object_id="2027").count() == 1
    # Entering a corrected notice replaces the year's days.
    notice.write_text(HYPOTHETICAL_2027.replace("、2月20日（周六）", ""), encoding="utf-8")
    call_command("import_holidays", str(notice), stdout=io.StringIO())
    assert not Workday.objects.filter(date=D(2027, 2, 20)).exists()


def test_import_holidays_dry_run_writes_nothing_and_bad_files_are_refused(tmp_path):
    notice = tmp_path / "2027.txt"
    notice.write_text(HYPOTHETICAL_2027, encoding="utf-8")
    call_command("import_holidays", str(notice), "--dry-run", stdout=io.StringIO())
    assert not HolidaySchedule.objects.filter(year=2027).exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("日期,类型\n2027-10-01,班\n", encoding="utf-8")
    with pytest.raises(CommandError, match="法定节假日"):
        call_command("import_holidays", str(bad))


def test_an_administrator_pastes_the_notice_on_the_admin_page(admin_client):
    response = admin_client.post(reverse("admin:portal_holidayschedule_add"), {"year": "", "document": "", "text": HYPOTHETICAL_2027})
    assert response.status_code == 302
    assert HolidaySchedule.objects.get(year=2027).source == HolidaySchedule.Source.NOTICE
    assert not Workday.objects.get(date=D(2027, 2, 12)).is_workday


def test_a_wrong_notice_on_the_admin_page_is_explained_beside_the_field(admin_client):
    response = admin_client.post(reverse("admin:portal_holidayschedule_add"),
                                 {"year": "2027", "document": "", "text": "日期,类型\n2027-01-01,班\n"})
    assert response.status_code == 200
    assert "法定节假日" in str(response.context["adminform"].form.errors["text"])
    assert not HolidaySchedule.objects.filter(year=2027).exists()


# --- the warning from 1 November ---------------------------------------------------------------------
def test_next_years_schedule_is_wanted_from_the_first_of_november():
    assert holidays.missing_schedule_years(D(2026, 10, 31)) == []
    assert holidays.missing_schedule_years(D(2026, 11, 1)) == [2027]
    enter_2027()
    assert holidays.missing_schedule_years(D(2026, 12, 3)) == []
    assert holidays.missing_schedule_years(D(2027, 11, 1)) == [2028]


def test_supervisor_and_administrator_see_the_warning_and_a_citizen_does_not(client, supervisor, citizen, admin_client):
    today = datetime.date.today()
    if (today.month, today.day) < holidays.WARN_FROM or HolidaySchedule.objects.filter(year=today.year + 1).exists():
        HolidaySchedule.objects.filter(year=today.year).delete()  # make a year missing whatever today is
        workdays.forget_scheduled_years()
    client.force_login(supervisor)
    assert "节假日安排尚未录入" in client.get(reverse("workspace")).content.decode()
    assert "节假日安排尚未录入" in admin_client.get(reverse("admin:index")).content.decode()
    client.force_login(citizen)
    assert "节假日安排尚未录入" not in client.get(reverse("workspace")).content.decode()


def test_the_warning_goes_once_the_schedule_is_entered(client, supervisor):
    for year in (datetime.date.today().year, datetime.date.today().year + 1):
        HolidaySchedule.objects.get_or_create(year=year, defaults={"source": HolidaySchedule.Source.ADMIN})
    workdays.forget_scheduled_years()
    client.force_login(supervisor)
    assert "节假日安排尚未录入" not in client.get(reverse("workspace")).content.decode()


def test_the_admin_lists_schedules_and_provisional_deadlines(admin_client):
    for name in ("admin:portal_holidayschedule_changelist", "admin:portal_holidayschedule_add",
                 "admin:portal_provisionaldeadline_changelist"):
        assert admin_client.get(reverse(name)).status_code == 200
    assert ">2026<" in admin_client.get(reverse("admin:portal_holidayschedule_changelist")).content.decode()
