"""The daily counts (``portal.DailyCount``, kept by triggers) give the same figures as reading every row did.

After a mix of writes — ORM saves, queryset updates, transitions through the services, a delete, bulk and
``INSERT … SELECT`` inserts — around a month boundary and around local midnight (23:30 / 00:30 China time,
which are 15:30 / 16:30 UTC of one UTC day), each app's ``selectors.figures`` must equal the direct
queries the figures used before (``tests/supervision/direct.py``), for the whole city, the city government's
tree and a district, and for periods that cut through those boundaries.
"""

import datetime

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from commitments import selectors as commitment_selectors
from commitments.models import Commitment
from commitments.rollups import ROLLUPS as COMMITMENT_ROLLUPS
from commitments.services.outcomes import conclude_commitment
from portal import roles, rollup, tasks
from portal.figures import Period
from portal.models import DailyCount
from portal.scope import Scope
from supervision import figures as f
from tests.factories import AgencyFactory, StaffFactory
from tests.supervision import builders as b
from tests.supervision import direct
from tests.supervision.conftest import TODAY, YEAR
from verification import selectors as verification_selectors
from verification import services as verification_services
from verification.models import VerificationTask
from verification.rollups import ROLLUPS as TASK_ROLLUPS

pytestmark = pytest.mark.django_db

JAN31, FEB1 = datetime.date(YEAR, 1, 31), datetime.date(YEAR, 2, 1)
TASK_FIELDS = ("tasks_decided", "tasks_on_time", "tasks_overdue")


def local(day: datetime.date, hour: int, minute: int) -> datetime.datetime:
    return b.at(day, hour).replace(minute=minute)


def insert_select_copies(commitment: Commitment, copies: int) -> None:
    """Copies of a (withdrawn) commitment in one ``INSERT … SELECT`` statement, as the bench data is built."""
    columns = [field.column for field in Commitment._meta.concrete_fields if not field.primary_key]
    quote = connection.ops.quote_name
    select = ", ".join("t.letter_number || '-' || g.k" if c == "letter_number" else f"t.{quote(c)}" for c in columns)
    numbers = " UNION ALL ".join(f"SELECT {k} AS k" for k in range(1, copies + 1))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO commitments_commitment ({', '.join(quote(c) for c in columns)}) "  # noqa: S608 (model columns)
            f"SELECT {select} FROM commitments_commitment t, ({numbers}) g WHERE t.id = %s", [commitment.pk])


@pytest.fixture
def busy_days(city_government, district_government):
    """Writes of every kind at a city department and a district department, around 31 January / 1 February."""
    city_dept = AgencyFactory(code="610100-RB1", name="西安市某局", parent=city_government)
    district_dept = AgencyFactory(code="610113-RB2", name="雁塔区某局", parent=district_government, level="county")
    _cat, (m1, m2) = b.catalogue(city_dept, allowed=2)
    _cat, (m3,) = b.catalogue(district_dept, allowed=1)

    # ORM saves: a commitment each side of local midnight at the month's end.
    late_jan = b.Case(city_dept, m1, submitted=local(JAN31, 23, 30))
    early_feb = b.Case(city_dept, m2, submitted=local(FEB1, 0, 30))
    c_jan = b.commitment(late_jan, signed=local(JAN31, 23, 30))
    c_feb = b.commitment(early_feb, signed=local(FEB1, 0, 30))
    on_time = b.task(late_jan, due=JAN31, concluded=local(JAN31, 23, 30))  # same local day: on time
    late = b.task(early_feb, due=JAN31, concluded=local(FEB1, 0, 30), origin="spot_check")  # next local day: late
    overdue = b.task(late_jan, due=TODAY - datetime.timedelta(days=1), origin="spot_check")
    not_yet = b.task(early_feb, due=TODAY + datetime.timedelta(days=3), origin="spot_check")
    doomed = b.task(late_jan, due=FEB1, origin="spot_check")

    # A district case concluded through the services: the task (claimed, concluded now: late) and its commitment.
    district_case = b.Case(district_dept, m3, submitted=local(datetime.date(YEAR, 3, 10), 9, 0))
    c_district = b.commitment(district_case, signed=local(datetime.date(YEAR, 3, 10), 9, 0))
    checked = b.task(district_case, due=datetime.date(YEAR, 3, 20))
    VerificationTask.objects.filter(pk=checked.pk).update(commitment=c_district)
    verifier = StaffFactory(agency=district_dept, roles=[roles.VERIFIER])
    verification_services.claim(user=verifier, task_id=checked.pk)
    verification_services.conclude(user=verifier, task_id=checked.pk, result="true", conclusion="经数据共享核查属实。")

    # A commitment found false through the services; another withdrawn by a conditional queryset update.
    conclude_commitment(commitment_pk=c_feb.pk, outcome="found_false")
    Commitment.objects.filter(pk=c_jan.pk, state="signed").update(
        state="withdrawn", withdrawn_at=local(FEB1, 9, 0), withdrawal_reason="改为提交证明")
    # A task moved to another day, and one deleted.
    VerificationTask.objects.filter(pk=not_yet.pk).update(due_date=TODAY + datetime.timedelta(days=40))
    doomed.delete()

    # Bulk inserts: bulk_create of tasks across the boundary, and INSERT … SELECT of three withdrawn copies.
    VerificationTask.objects.bulk_create([
        b.task_row(late_jan.parts, city_dept, due=JAN31, concluded=local(FEB1, 0, 30), origin="spot_check"),
        b.task_row(early_feb.parts, city_dept, due=FEB1, concluded=local(JAN31, 23, 30), origin="spot_check"),
        b.task_row(district_case.parts, district_dept, due=FEB1, origin="spot_check"),
    ])
    insert_select_copies(c_jan, 3)
    return {"city_dept": city_dept, "district_dept": district_dept, "tasks": (on_time, late, overdue)}


def nonzero(by_agency: dict, fields=None) -> dict:
    """Agencies with something to count (a count may fall back to a zero row), only ``fields`` if given."""
    rows = {pk: {k: v or 0 for k, v in row.items() if fields is None or k in fields} for pk, row in by_agency.items()}
    return {pk: row for pk, row in rows.items() if any(row.values())}


PERIODS = {
    "year": Period(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)),
    "February": Period(FEB1, datetime.date(YEAR, 2, 28)),
    "31 January": Period(JAN31, JAN31),
    "January to today": Period(datetime.date(YEAR, 1, 1), TODAY),
}


@pytest.mark.parametrize("period_name", PERIODS)
def test_figures_from_daily_counts_equal_the_figures_from_every_row(
        busy_days, city_government, district_government, period_name):
    period = PERIODS[period_name]
    for scope in (Scope(), Scope(city_government), Scope(district_government), Scope(busy_days["city_dept"])):
        expected = direct.commitment_figures(scope, period)
        got = commitment_selectors.figures(scope, period)
        assert nonzero(got["by_agency"]) == nonzero(expected["by_agency"]), (scope.key, period_name)
        assert got["months"] == expected["months"], (scope.key, period_name)

        expected = direct.task_figures(scope, period, TODAY)
        got = verification_selectors.figures(scope, period, today=TODAY)
        assert nonzero(got["by_agency"], TASK_FIELDS) == nonzero(expected["by_agency"]), (scope.key, period_name)
        assert got["months"] == expected["months"], (scope.key, period_name)


def test_a_commitment_signed_at_half_past_midnight_counts_on_the_local_day(busy_days, city_government):
    city_dept = busy_days["city_dept"]
    scope = Scope(city_government)

    def row(period):
        return f.compute(scope, period, today=TODAY)["rows"]

    january = next(r for r in row(Period(datetime.date(YEAR, 1, 1), JAN31)) if r["pk"] == city_dept.pk)
    february = next(r for r in row(PERIODS["February"]) if r["pk"] == city_dept.pk)
    # 31 January 23:30: the commitment (withdrawn by the update) and its three INSERT … SELECT copies.
    assert (january["applications"], january["commitments"], january["withdrawn"]) == (1, 4, 4)
    # 1 February 00:30 (still 31 January in UTC): the commitment found false through the service.
    assert (february["applications"], february["commitments"], february["found_false"]) == (1, 1, 1)
    # Due 31 January: concluded 23:30 that day (on time), 00:30 the next day (late, twice).
    assert (january["tasks_decided"], january["tasks_on_time"]) == (3, 1)
    # Due 1 February: concluded 23:30 the day before (on time); the deleted task is gone.
    assert (february["tasks_decided"], february["tasks_on_time"], february["tasks_overdue"]) == (1, 1, 0)


def test_overdue_follows_today_without_any_write(busy_days):
    scope, period = Scope(busy_days["city_dept"]), PERIODS["year"]
    before = verification_selectors.figures(scope, period, today=TODAY)["by_agency"][busy_days["city_dept"].pk]
    later = TODAY + datetime.timedelta(days=41)
    after = verification_selectors.figures(scope, period, today=later)["by_agency"][busy_days["city_dept"].pk]
    # The task due yesterday was already overdue; the one moved 40 days ahead becomes overdue by itself.
    assert (before["tasks_overdue"], after["tasks_overdue"]) == (1, 2)
    assert after["tasks_decided"] == before["tasks_decided"] + 1


def test_recounting_from_the_rows_gives_the_counts_the_triggers_kept(busy_days):
    """What the migrations' backfill computes equals what the triggers maintained write by write."""
    def counts():
        return {(c.kind, c.agency_id, str(c.day), c.bucket): c.n for c in DailyCount.objects.exclude(n=0)}

    kept = counts()
    assert kept
    for spec in (*COMMITMENT_ROLLUPS, *TASK_ROLLUPS):
        rollup.rebuild(spec, connection)
    assert counts() == kept


def test_an_update_that_changes_no_counted_column_writes_no_count(busy_days):
    task = busy_days["tasks"][2]
    before = list(DailyCount.objects.order_by("pk").values_list("pk", "n"))
    VerificationTask.objects.filter(pk=task.pk).update(method="on_site")
    Commitment.objects.filter(agency=busy_days["city_dept"]).update(subject_name="王芳")
    assert list(DailyCount.objects.order_by("pk").values_list("pk", "n")) == before


def test_the_daily_counts_command_finds_every_installed_apps_kinds():
    assert {spec.kind for spec in rollup.registered()} >= {spec.kind for spec in (*COMMITMENT_ROLLUPS, *TASK_ROLLUPS)}


def test_the_daily_counts_check_passes_when_the_counts_match_their_rows(busy_days, capsys):
    call_command("daily_counts")
    out = capsys.readouterr().out
    assert "commitment: counts match their rows" in out and "application: counts match their rows" in out


def test_counts_lost_behind_the_triggers_are_reported_and_recounted(busy_days, capsys):
    """A restore of one table or a TRUNCATE changes rows without the triggers: the check says where, and
    ``--rebuild`` puts the counts back as the triggers would have kept them."""
    kept = {(c.kind, c.agency_id, c.day, c.bucket): c.n for c in DailyCount.objects.exclude(n=0)}
    lost = DailyCount.objects.filter(kind="commitment").exclude(n=0).order_by("pk").first()
    DailyCount.objects.filter(pk=lost.pk).update(n=lost.n + 5)
    with pytest.raises(CommandError, match="1 daily count"):
        call_command("daily_counts")
    err = capsys.readouterr().err
    assert f"DIFFERS commitment agency={lost.agency_id} day={lost.day}" in err
    assert f"kept {lost.n + 5}, rows {lost.n}" in err

    call_command("daily_counts", "--rebuild", "--kind", "commitment")
    assert {(c.kind, c.agency_id, c.day, c.bucket): c.n for c in DailyCount.objects.exclude(n=0)} == kept
    call_command("daily_counts")


def test_the_daily_counts_command_refuses_a_kind_it_does_not_know(db):
    with pytest.raises(CommandError, match="unknown kind"):
        call_command("daily_counts", "--kind", "commitments")


def test_the_daily_check_logs_nothing_while_the_counts_match(busy_days, caplog):
    assert tasks.check_daily_counts() == {}
    assert not [r for r in caplog.records if r.name == "portal.rollup"]


def test_the_daily_check_logs_an_error_naming_the_kind_whose_counts_drifted(busy_days, caplog):
    drifted = DailyCount.objects.filter(kind="task").exclude(n=0).order_by("pk").first()
    DailyCount.objects.filter(pk=drifted.pk).update(n=drifted.n - 1)
    assert tasks.check_daily_counts() == {"task": 1}
    [record] = [r for r in caplog.records if r.name == "portal.rollup"]
    assert record.levelname == "ERROR" and "daily counts of task differ" in record.getMessage()
    assert "daily_counts --rebuild" in record.getMessage()
    assert DailyCount.objects.get(pk=drifted.pk).n == drifted.n - 1  # reported, not repaired
