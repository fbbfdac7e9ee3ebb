"""Each figure on hand-built data whose right answer is known (see conftest.year_of_activity)."""

import datetime

import pytest

from portal.figures import MAX_SPAN_DAYS
from supervision import figures as f
from tests.supervision.conftest import TODAY, YEAR

pytestmark = pytest.mark.django_db

PERIOD = f.Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))


def city(city_government):
    return f.compute(f.Scope(city_government), PERIOD, today=TODAY)


def row_of(result, agency):
    return next(r for r in result["rows"] if r["pk"] == agency.pk)


def test_matters_listed_and_excluded_come_from_current_public_catalogues(city_government, year_of_activity):
    result = city(city_government)
    row = row_of(result, year_of_activity["agency"])
    assert (row["listed"], row["excluded"]) == (3, 2)
    assert result["totals"]["listed"] == 3 + 1 + 2
    exclusions = dict(result["exclusions"])
    assert exclusions["公共安全"] == 1 and exclusions["生态环境保护"] == 1 and exclusions["国家安全"] == 0


def test_applications_and_commitments_count_only_the_period(city_government, year_of_activity):
    row = row_of(city(city_government), year_of_activity["agency"])
    assert row["applications"] == 5  # three with commitments, two in the spot-check pool; last year's left out
    assert row["commitments"] == 3
    assert row["withdrawn"] == 1
    assert row["proofs_saved"] == 2


def test_false_commitment_rate_is_found_false_over_concluded_verifications(city_government, year_of_activity):
    row = row_of(city(city_government), year_of_activity["agency"])
    assert (row["verified"], row["found_false"], row["false_rate"]) == (1, 1, 50.0)


def test_verification_on_time_counts_late_and_overdue_tasks_but_not_those_not_yet_due(
        city_government, year_of_activity):
    row = row_of(city(city_government), year_of_activity["agency"])
    assert (row["tasks_decided"], row["tasks_on_time"], row["tasks_overdue"]) == (3, 1, 1)
    assert row["verify_rate"] == 33.3


def test_assistance_figures_belong_to_the_agency_asked(city_government, year_of_activity):
    result = city(city_government)
    asked = row_of(result, year_of_activity["other_agency"])
    assert (asked["assist_total"], asked["assist_on_time"], asked["assist_late"], asked["assist_refused"],
            asked["assist_pending"]) == (4, 1, 2, 1, 1)
    assert asked["assist_rate"] == 33.3
    assert asked["assist_hours"] == 36.0
    assert row_of(result, year_of_activity["agency"])["assist_total"] == 0
    assert result["totals"]["assist_hours"] == 36.0


def test_spot_check_coverage_is_drawn_pool_entries_over_the_pool(city_government, year_of_activity):
    row = row_of(city(city_government), year_of_activity["agency"])
    assert (row["pool"], row["drawn"], row["spot_rate"]) == (2, 1, 50.0)


def test_complaint_figures_come_from_the_complaints_app(city_government, year_of_activity):
    result = city(city_government)
    row = row_of(result, year_of_activity["agency"])
    assert (row["tickets"], row["reply_rate"], row["satisfaction"]) == (3, 50.0, 50.0)
    assert result["totals"]["tickets"] == 4
    assert result["totals"]["reply_rate"] == pytest.approx(66.7)


def test_credit_records_by_grade_and_repairs_objections_on_time(city_government, year_of_activity):
    result = city(city_government)
    grades = dict(result["grades"])
    assert (grades["一般"], grades["严重"], grades["轻微"]) == (1, 1, 0)
    row = row_of(result, year_of_activity["agency"])
    assert row["records"] == 2
    assert (row["credit_decided"], row["credit_on_time"], row["credit_rate"]) == (3, 1, 33.3)


def test_score_is_the_mean_of_available_rates_and_ranks_agencies(city_government, year_of_activity):
    result = city(city_government)
    agency = row_of(result, year_of_activity["agency"])
    other = row_of(result, year_of_activity["other_agency"])
    district = row_of(result, year_of_activity["district_department"])
    assert agency["score"] == pytest.approx((33.3 + 50 + 50 + 33.3) / 4, abs=0.06)
    assert other["score"] == 33.3
    assert district["score"] == 100.0  # one complaint replied on time
    assert (district["rank"], agency["rank"], other["rank"]) == (1, 2, 3)
    assert row_of(result, city_government)["rank"] is None


def test_ties_share_a_rank():
    rows = [{"score": 90.0}, {"score": 80.0}, {"score": 90.0}, {"score": None}]
    f._rank(rows)
    assert [r["rank"] for r in rows] == [1, 3, 1, None]


def test_monthly_trends_put_each_event_in_its_month(city_government, year_of_activity):
    months = {m["month"].month: m for m in city(city_government)["months"]}
    assert len(months) == 12
    assert (months[2]["applications"], months[3]["applications"], months[6]["applications"]) == (2, 3, 1)
    assert (months[3]["commitments"], months[6]["commitments"]) == (3, 1)
    assert (months[4]["tasks_decided"], months[4]["tasks_on_time"], months[4]["verify_rate"]) == (2, 1, 50.0)
    assert months[5]["tickets"] == 3 and months[6]["tickets"] == 1


def test_a_district_scope_sees_only_its_subtree(district_government, district_supervisor, year_of_activity):
    scope = f.supervision_scope(district_supervisor)
    result = f.compute(scope, PERIOD, today=TODAY)
    paths = {r["path"] for r in result["rows"]}
    assert all(p.startswith(district_government.path) for p in paths)
    assert year_of_activity["district_department"].pk in {r["pk"] for r in result["rows"]}
    assert result["totals"]["applications"] == 1
    assert result["totals"]["tickets"] == 1
    assert result["totals"]["listed"] == 2
    assert dict(result["exclusions"])["公共安全"] == 0


def test_drilling_down_narrows_to_one_agency_but_never_outside_the_scope(
        city_government, district_government, district_supervisor, year_of_activity):
    city_scope = f.Scope(city_government)
    assert f.narrowed(city_scope, year_of_activity["agency"]).root == year_of_activity["agency"]
    district_scope = f.supervision_scope(district_supervisor)
    assert f.narrowed(district_scope, year_of_activity["agency"]) == district_scope


def test_a_department_supervisor_sees_only_its_own_agency(department_supervisor, year_of_activity):
    scope = f.supervision_scope(department_supervisor)
    result = f.compute(scope, PERIOD, today=TODAY)
    assert [r["pk"] for r in result["rows"]] == [year_of_activity["agency"].pk]


def test_period_parsing_defaults_to_the_current_year_and_repairs_bad_input():
    today = datetime.date(2026, 3, 15)
    assert f.Period.parse("", "", today) == f.Period(datetime.date(2026, 1, 1), datetime.date(2026, 12, 31))
    assert f.Period.parse("2026-05-01", "2026-02-01", today) == f.Period(datetime.date(2026, 2, 1),
                                                                        datetime.date(2026, 5, 1))
    assert f.Period.parse("garbage", "2026-06-30", today).start == datetime.date(2026, 1, 1)
    assert len(f.Period.parse("2026-01-01", "2026-03-31", today).months()) == 3
    long = f.Period.parse("1990-01-01", "2026-01-01", today)
    assert (long.end - long.start).days <= MAX_SPAN_DAYS


def test_empty_data_gives_no_rates_rather_than_zero(city_government):
    totals = city(city_government)["totals"]
    assert totals["commitments"] == 0
    assert totals["verify_rate"] is None and totals["false_rate"] is None and totals["score"] is None


def test_figures_are_cached_and_refresh_recomputes(city_government, year_of_activity, django_assert_num_queries):
    scope = f.Scope(city_government)
    first = f.figures(scope, PERIOD)
    with django_assert_num_queries(0):
        assert f.figures(scope, PERIOD)["computed_at"] == first["computed_at"]
    assert f.figures(scope, PERIOD, refresh=True)["computed_at"] >= first["computed_at"]


def test_the_beat_task_refreshes_city_wide_and_each_government(city_government, district_government, supervisor):
    from django.core.cache import cache

    from supervision.tasks import refresh_figures

    assert refresh_figures() >= 3  # all, the city, the district
    period = f.Period.current_year()
    for scope in (f.Scope(), f.Scope(city_government), f.Scope(district_government)):
        assert cache.get(f.cache_key(scope, period)) is not None


def test_figures_are_kept_per_language_so_english_pages_get_english_labels(city_government, year_of_activity):
    from django.utils import translation

    from supervision import charts

    scope = f.Scope(city_government)
    with translation.override("zh-hans"):
        chinese = f.figures(scope, PERIOD)
    with translation.override("en"):
        english = f.figures(scope, PERIOD)
        months = charts._month_labels(english["months"])
    assert f.cache_key(scope, PERIOD, "en") != f.cache_key(scope, PERIOD, "zh-hans")
    assert [label for label, _n in english["fields"]] != [label for label, _n in chinese["fields"]]
    assert not any("月" in m for m in months) and months[0] in ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                                                "Aug", "Sep", "Oct", "Nov", "Dec")
