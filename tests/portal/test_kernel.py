import datetime

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError, InternalError

from portal import audit, workdays
from portal.models import Agency, AuditEvent, Subject, Workday
from tests.factories import AgencyFactory, SubjectFactory

pytestmark = pytest.mark.django_db


def test_subject_id_number_is_encrypted_at_rest_and_found_by_keyed_hash():
    subject = SubjectFactory(id_number="61011319900101102x")
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, id_masked FROM portal_subject WHERE id = %s", [subject.pk])
        stored, masked = cursor.fetchone()
    assert "61011319900101102X" not in stored
    assert masked == "6****************X"
    found = Subject.objects.by_identifier(Subject.Kind.PERSON, "61011319900101102X").get()
    assert found.id_number == "61011319900101102X"


def test_the_same_id_number_cannot_make_two_subjects():
    SubjectFactory(id_number="610113198805203217")
    with pytest.raises(Exception), transaction.atomic():
        SubjectFactory(id_number="610113198805203217")


def test_audit_event_refuses_update_and_delete_in_code():
    event = audit.record("test.happened", summary="一次操作")
    event.summary = "篡改"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(summary="篡改")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).summary == "一次操作"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the trigger exists on PostgreSQL only")
def test_audit_trail_is_append_only_in_postgresql_itself():
    event = audit.record("test.happened", summary="原始记录")
    for sql in ("UPDATE portal_auditevent SET summary = 'x' WHERE id = %s", "DELETE FROM portal_auditevent WHERE id = %s"):
        with pytest.raises((InternalError, DatabaseError)), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).summary == "原始记录"


def test_audit_timeline_lists_an_objects_events_in_order(city_government):
    audit.record("agency.created", obj=city_government, to_state="active")
    audit.record("agency.renamed", obj=city_government, summary="更名")
    assert [e.action for e in audit.timeline(city_government)] == ["agency.created", "agency.renamed"]


def test_three_working_days_from_the_eve_of_national_day_land_after_the_holiday():
    # 2026: 10月1日–7日 国庆中秋放假, 10月10日（星期六）调休上班.
    assert workdays.add_workdays(datetime.date(2026, 9, 30), 1) == datetime.date(2026, 10, 8)
    assert workdays.add_workdays(datetime.date(2026, 9, 30), 3) == datetime.date(2026, 10, 10)


def test_a_make_up_saturday_counts_as_a_working_day():
    saturday = datetime.date(2026, 10, 10)
    assert saturday.weekday() == 5
    assert workdays.is_workday(saturday)
    assert not workdays.is_workday(datetime.date(2026, 10, 11))


def test_ordinary_weekend_is_skipped_and_zero_days_is_the_same_day():
    friday = datetime.date(2026, 11, 27)
    assert workdays.add_workdays(friday, 1) == datetime.date(2026, 11, 30)
    assert workdays.add_workdays(friday, 0) == friday


def test_working_days_between_counts_across_the_holiday():
    assert workdays.workdays_between(datetime.date(2026, 9, 30), datetime.date(2026, 10, 10)) == 3
    assert workdays.workdays_between(datetime.date(2026, 10, 10), datetime.date(2026, 9, 30)) == -3


def test_administrators_can_add_next_years_holidays_for_years_the_package_does_not_know():
    day = datetime.date(2031, 10, 8)  # a Wednesday after the statutory 10月1日–3日, unknown to the package
    assert workdays.is_workday(day)
    Workday.objects.create(date=day, is_workday=False, note="国庆节")
    assert not workdays.is_workday(day)
    assert workdays.add_workdays(datetime.date(2031, 10, 7), 1) == datetime.date(2031, 10, 9)


def test_workday_sync_from_package_is_idempotent():
    Workday.objects.filter(date__year=2026).delete()
    added = workdays.sync_from_package(years={2026})
    assert added > 20
    assert workdays.sync_from_package(years={2026}) == 0
    assert Workday.objects.get(date=datetime.date(2026, 10, 10)).note == "国庆节调休上班"


def test_agency_scope_government_sees_children_justice_bureau_sees_its_government_tree(
    city_government, justice_bureau, agency, district_government
):
    yanta_market = AgencyFactory(code="610113-SCJ", parent=district_government)
    assert set(city_government.scoped_agencies()) == {city_government, justice_bureau, agency, district_government, yanta_market}
    assert set(district_government.scoped_agencies()) == {district_government, yanta_market}
    assert set(justice_bureau.scoped_agencies()) == set(city_government.scoped_agencies())
    assert list(agency.scoped_agencies()) == [agency]
    assert yanta_market.path == "/610100/610113/610113-SCJ/"


def test_agency_kinds_include_the_xian_structures():
    labels = dict(Agency.Kind.choices)
    assert labels[Agency.Kind.NEW_AREA] == "西咸新区管委会"
    assert labels[Agency.Kind.DEV_ZONE] == "开发区管委会"



def test_supervises_and_scope_filter_agree_with_scoped_agencies(city_government, justice_bureau, agency,
                                                                 district_government):
    yanta_market = AgencyFactory(code="610113-SCJ", parent=district_government)
    everyone = [city_government, justice_bureau, agency, district_government, yanta_market]
    for a in everyone:
        audit.record("test.row", agency=a)  # one row per agency, filtered through its foreign key
    for own in everyone:
        expected = set(own.scoped_agencies())
        assert {a for a in everyone if own.supervises(a)} == expected
        rows = AuditEvent.objects.filter(own.scope_q("agency"))
        assert {e.agency for e in rows.select_related("agency")} == expected
    assert not agency.supervises(None)
    assert district_government.supervises(yanta_market) and not district_government.supervises(agency)
