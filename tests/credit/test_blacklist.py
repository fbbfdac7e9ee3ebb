"""The public blacklist: only serious false commitments in effect; persons masked, organisations by name only."""

import datetime

import pytest
from django.urls import reverse

from credit import services
from credit.models import Severity
from tests.credit.conftest import pdf_upload
from tests.search import search

pytestmark = pytest.mark.django_db


@pytest.fixture
def person():
    return services.ensure_subject("person", "张伟", "610113198805203217")


@pytest.fixture
def company():
    return services.ensure_subject("organisation", "西安秦川软件科技有限公司", "91610131MA6UQ1234U")


def test_person_is_shown_masked_and_organisation_by_name_only(client, person, company, make_record):
    make_record(person, severity=Severity.SERIOUS, number="西人社罚〔2026〕11号")
    make_record(company, severity=Severity.SERIOUS, number="西市监罚〔2026〕12号")
    html = client.get(reverse("credit:blacklist")).content.decode()
    assert "张*" in html and "张伟" not in html
    # The public masking rule: first and last character of a person's number; no organisation code at all.
    assert "6****************7" in html and "6101" not in html and "3217" not in html
    assert "西安秦川软件科技有限公司" in html and "9161" not in html and "1234U" not in html
    assert "西人社罚〔2026〕11号" in html and "西市监罚〔2026〕12号" in html


def test_three_character_names_keep_only_the_surname():
    from portal.identifiers import mask_name

    assert mask_name("王建国", "person", full_organisation_name=True) == "王**"
    assert mask_name("西安秦川软件科技有限公司", "organisation", full_organisation_name=True) == "西安秦川软件科技有限公司"


def test_the_blacklist_names_an_organisation_in_full_and_the_publicity_board_shortens_it():
    from portal.identifiers import mask_name

    name = "西安秦川软件科技有限公司"
    assert mask_name(name, "organisation", full_organisation_name=True) == name
    assert mask_name(name, "organisation", full_organisation_name=False) == "西安秦川**有限公司"
    assert mask_name("张伟", "person", full_organisation_name=True) == mask_name("张伟", "person", full_organisation_name=False) == "张*"


def test_only_blacklisted_false_commitments_appear(client, person, company, make_record):
    make_record(person, severity=Severity.GENERAL, number="一般虚假承诺1号")
    make_record(company, severity=Severity.SERIOUS, kind="other", number="其他严重失信2号")
    html = client.get(reverse("credit:blacklist")).content.decode()
    assert "一般虚假承诺1号" not in html and "其他严重失信2号" not in html
    assert "目前没有列入黑名单的主体" in html


def test_entry_leaves_when_its_period_ends_even_before_the_beat_runs(person, make_record):
    from credit import selectors

    record = make_record(person, severity=Severity.SERIOUS)
    assert list(selectors.blacklist()) == [record]
    assert list(selectors.blacklist(today=record.publicity_end + datetime.timedelta(days=1))) == []


def test_entry_leaves_on_repair(client, citizen, credit_officer, make_record):
    record = make_record(citizen.subject, severity=Severity.SERIOUS, months_ago=13, number="待修复1号")
    assert "待修复1号" in client.get(reverse("credit:blacklist")).content.decode()
    repair = services.apply_for_repair(record=record, applicant=citizen, rectification="已整改", uploads=[pdf_upload()])
    services.decide_repair(repair, officer=credit_officer, approve=True)
    assert "待修复1号" not in client.get(reverse("credit:blacklist")).content.decode()


def test_blacklist_search_filters_by_name(client, person, company, make_record):
    make_record(person, severity=Severity.SERIOUS, number="甲1号")
    make_record(company, severity=Severity.SERIOUS, number="乙2号")
    html = search(client, reverse("credit:blacklist"), {"q": "秦川"}).content.decode()
    assert "乙2号" in html and "甲1号" not in html
