"""Supervision fixtures: a district department, a district supervisor, and a hand-built year of activity."""

import datetime

import pytest
from django.core.cache import cache

from portal import roles
from tests.factories import AgencyFactory, StaffFactory
from tests.supervision import builders as b

YEAR = 2025
TODAY = datetime.date(YEAR, 7, 1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def district_department(district_government):
    return AgencyFactory(code="610113-SPJ", name="西安市雁塔区行政审批服务局", parent=district_government,
                         level="county")


@pytest.fixture
def district_supervisor(district_government):
    return StaffFactory(full_name="马超", agency=district_government, roles=[roles.SUPERVISOR])


@pytest.fixture
def second_supervisor(city_government):
    return StaffFactory(full_name="韩梅", agency=city_government, roles=[roles.SUPERVISOR])


@pytest.fixture
def department_supervisor(agency):
    """A supervisor sitting in a department (not a government): may draft, may not approve."""
    return StaffFactory(full_name="高峰", agency=agency, roles=[roles.SUPERVISOR])


def d(month, day):
    return datetime.date(YEAR, month, day)


@pytest.fixture
def year_of_activity(agency, other_agency, district_department):
    """The data whose figures the tests know by heart (see test_figures.py for the expected values)."""
    _cat, matters = b.catalogue(agency, allowed=3, excluded=("public_safety", "ecology"))
    _other_cat, other_matters = b.catalogue(other_agency, allowed=1)
    _district_cat, district_matters = b.catalogue(district_department, allowed=2)
    m = matters[0]

    verified = b.Case(agency, m, submitted=b.at(d(3, 2)))
    b.commitment(verified, signed=b.at(d(3, 5)), state="verified")
    false = b.Case(agency, m, submitted=b.at(d(3, 3)))
    b.commitment(false, signed=b.at(d(3, 6)), state="found_false")
    withdrawn = b.Case(agency, m, submitted=b.at(d(3, 4)))
    b.commitment(withdrawn, signed=b.at(d(3, 7)), state="withdrawn")
    last_year = b.Case(agency, m, submitted=b.at(datetime.date(YEAR - 1, 12, 30)))
    b.commitment(last_year, signed=b.at(datetime.date(YEAR - 1, 12, 30)))

    # Verification at the agency: one on time, one late, one overdue and open, one not yet due.
    b.task(verified, due=d(4, 10), concluded=b.at(d(4, 9)))
    b.task(false, due=d(4, 10), concluded=b.at(d(4, 12)), result="false")
    b.task(withdrawn, due=d(6, 1))
    late_open = b.task(last_year, due=d(8, 1))

    # Assistance asked of the other agency: on time (24 h), late (48 h), pending past due, refused.
    b.assistance(late_open, other_agency, sent=b.at(d(5, 1)), due=d(5, 2), state="answered",
                 answered=b.at(d(5, 2)), on_time=True)
    b.assistance(late_open, other_agency, sent=b.at(d(5, 1)), due=d(5, 2), state="answered",
                 answered=b.at(d(5, 3)), on_time=False)
    b.assistance(late_open, other_agency, sent=b.at(d(5, 1)), due=d(5, 5))
    b.assistance(late_open, other_agency, sent=b.at(d(5, 1)), due=d(5, 5), state="refused", answered=b.at(d(5, 1)))

    # Spot checks: two pool entries this year, one drawn.
    pool_a = b.Case(agency, matters[1], submitted=b.at(d(2, 1)), state="approved")
    pool_b = b.Case(agency, matters[2], submitted=b.at(d(2, 1)), state="approved")
    b.pool_entry(pool_a, added=b.at(d(2, 2)), drawn=True)
    b.pool_entry(pool_b, added=b.at(d(2, 2)))

    # Complaints handled by the agency: replied on time and satisfied, late and unsatisfied, still open.
    b.ticket(agency, created=b.at(d(5, 6)), replied_on_time=True, rating="satisfied")
    b.ticket(agency, created=b.at(d(5, 7)), replied_on_time=False, rating="not_satisfied")
    b.ticket(agency, created=b.at(d(5, 8)))

    # Credit decided by the agency: general and serious this year, minor last year.
    general = b.record(agency, decided=d(3, 10), severity="general")
    serious = b.record(agency, decided=d(3, 11), severity="serious")
    b.record(agency, decided=datetime.date(YEAR - 1, 6, 1), severity="minor")
    b.repair(general, submitted=b.at(d(4, 1)), due=d(4, 20), decided=b.at(d(4, 15)))
    b.repair(general, submitted=b.at(d(5, 1)), due=d(6, 1))
    b.objection(serious, submitted=b.at(d(4, 1)), due=d(4, 20), decided=b.at(d(4, 25)))

    # The district: one application with a commitment, one complaint replied on time.
    district_case = b.Case(district_department, district_matters[0], submitted=b.at(d(6, 1)))
    b.commitment(district_case, signed=b.at(d(6, 2)))
    b.ticket(district_department, created=b.at(d(6, 3)), replied_on_time=True)
    return {"agency": agency, "other_agency": other_agency, "district_department": district_department}
