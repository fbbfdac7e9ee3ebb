"""Real people's ID numbers: historic area codes, foreigners' and HMT residents' documents, USCC (GB 32100)."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portal import identifiers
from portal.models import Subject, User

TODAY = datetime.date(2026, 12, 3)
AREA_CODES = sorted(identifiers.area_codes())
birth_dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY)
sequences = st.integers(0, 999).map("{:03d}".format)


def with_check(first17: str) -> str:
    return first17 + identifiers.personal_id_check_digit(first17)


def code_of(number: str, today=TODAY) -> str:
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id(number, today=today)
    return error.value.code


def message_of(number: str, today=TODAY) -> str:
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id(number, today=today)
    return error.value.messages[0]


@given(area=st.sampled_from(AREA_CODES), born=birth_dates, seq=sequences)
def test_every_historic_area_code_and_birth_year_validates(area, born, seq):
    number = with_check(f"{area}{born:%Y%m%d}{seq}")
    assert identifiers.validate_resident_id(number, today=TODAY) == number


@given(area=st.sampled_from(AREA_CODES), born=birth_dates, seq=sequences,
       wrong=st.sampled_from("0123456789X"))
def test_any_other_check_character_is_refused_as_a_wrong_check_digit(area, born, seq, wrong):
    first17 = f"{area}{born:%Y%m%d}{seq}"
    if wrong == identifiers.personal_id_check_digit(first17):
        return
    assert code_of(first17 + wrong) == "checksum"
    assert message_of(first17 + wrong) == "居民身份证号码校验位不正确，请核对后重新输入。"


@given(area=st.integers(100000, 899999).map(str).filter(lambda code: code not in identifiers.area_codes()),
       born=birth_dates, seq=sequences)
def test_an_area_code_that_never_existed_is_refused_as_such(area, born, seq):
    assert code_of(with_check(f"{area}{born:%Y%m%d}{seq}")) == "area"


@given(area=st.sampled_from(AREA_CODES), born=st.dates(min_value=TODAY + datetime.timedelta(days=1),
                                                        max_value=datetime.date(2999, 12, 31)), seq=sequences)
def test_a_birth_date_after_today_is_refused(area, born, seq):
    number = with_check(f"{area}{born:%Y%m%d}{seq}")
    assert code_of(number) == "birth_future"
    assert "晚于今天" in message_of(number)


@given(area=st.sampled_from(AREA_CODES), year=st.integers(1900, 2026),
       month_day=st.sampled_from(["0230", "0231", "0431", "1301", "0001", "0100", "0632", "1131"]), seq=sequences)
def test_a_day_that_does_not_exist_is_refused(area, year, month_day, seq):
    number = with_check(f"{area}{year}{month_day}{seq}")
    assert code_of(number) == "birth_date"
    assert "出生日期不存在" in message_of(number)


@settings(suppress_health_check=[HealthCheck.filter_too_much])
@given(area=st.sampled_from(AREA_CODES), year=st.integers(1000, 1899), seq=sequences)
def test_a_birth_year_before_1900_is_refused(area, year, seq):
    assert code_of(with_check(f"{area}{year}0101{seq}")) == "birth_too_early"


@given(number=st.text(alphabet="0123456789X", max_size=30).filter(lambda s: len(s) != 18))
def test_a_number_of_the_wrong_length_says_it_needs_18_characters(number):
    assert code_of(number) == "length"
    assert message_of(number) == "居民身份证号码应为18位。"


def test_29_february_counts_only_in_leap_years():
    assert identifiers.validate_resident_id(with_check("61011620000229001"), today=TODAY)
    assert code_of(with_check("61011619000229001")) == "birth_date"


def test_each_fault_has_its_own_message():
    valid = "610116197509080018"
    messages = {
        message_of("61011619750908001"),  # length
        message_of("61011619750908A018"),  # format
        message_of(with_check("10000019750908001")),  # area
        message_of(with_check("00000019750908001")),  # area
        message_of(with_check("61011619750230001")),  # day
        message_of(with_check("61011620990101001")),  # future
        message_of(with_check("61011618990101001")),  # before 1900
        message_of(valid[:17] + "9"),  # check digit
    }
    assert len(messages) == 7  # the two unknown area codes share one message
    # A wrong check digit is called wrong; the right one is never revealed.
    assert message_of(valid[:17] + "9") == "居民身份证号码校验位不正确，请核对后重新输入。"


@pytest.mark.parametrize("number", [
    "610116197509080018",  # 长安区 (code from 2002), born 1975: the seeded citizen
    with_check("61012119600101001"),  # 长安县, abolished 2002
    with_check("61012519880808123"),  # 户县, now 鄠邑区
    with_check("61012620100101002"),  # 高陵县, now 高陵区
    with_check("61011820170101003"),  # 鄠邑区, born after the code appeared
    with_check("61012319800101004"),  # 临潼县
])
def test_xian_residents_born_before_or_after_a_rezoning_are_accepted(number):
    assert identifiers.validate_resident_id(number) == number
    assert identifiers.personal_id_kind(number) == identifiers.RESIDENT_ID


@given(area=st.sampled_from(sorted(identifiers.HMT_AREA_CODES)), born=birth_dates, seq=sequences)
def test_hong_kong_macao_and_taiwan_residence_permits_validate(area, born, seq):
    number = with_check(f"{area}{born:%Y%m%d}{seq}")
    assert identifiers.validate_resident_id(number, today=TODAY) == number
    assert identifiers.personal_id_kind(number) == identifiers.HMT_RESIDENCE_PERMIT


@given(province=st.sampled_from(sorted(identifiers.province_codes())),
       country=st.sampled_from(sorted(identifiers.nationality_codes())), born=birth_dates,
       seq=sequences)
def test_foreign_permanent_residence_cards_of_the_2023_form_validate(province, country, born, seq):
    number = with_check(f"9{province}{country}{born:%Y%m%d}{seq}")
    assert identifiers.validate_resident_id(number, today=TODAY) == number
    assert identifiers.personal_id_kind(number) == identifiers.FOREIGN_PERMANENT_RESIDENCE
    assert identifiers.birth_date(number) == born


def test_foreign_permanent_residence_card_with_unknown_province_or_country_says_which():
    assert code_of(with_check("99984019800101011")) == "province"
    assert code_of(with_check("96100019800101011")) == "nationality"
    assert code_of(with_check("96115619800101011")) == "nationality"  # 156 is China itself
    assert "国籍代码" in message_of(with_check("96100019800101011"))


USCC_BODIES = st.tuples(
    st.sampled_from(identifiers.USCC_REGISTRATION_AUTHORITIES),
    st.sampled_from("123459Y"),
    st.sampled_from(AREA_CODES),
    st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=9, max_size=9),
).map("".join)


@given(body=USCC_BODIES)
def test_uscc_with_gb32100_check_character_validates(body):
    number = body + identifiers.uscc_check_digit(body)
    assert identifiers.validate_uscc(number.lower()) == number


@given(body=USCC_BODIES, wrong=st.sampled_from("0123456789ABCDEFGHJKLMNPQRTUWXY"))
def test_uscc_with_any_other_check_character_is_refused(body, wrong):
    if wrong == identifiers.uscc_check_digit(body):
        return
    with pytest.raises(ValidationError) as error:
        identifiers.validate_uscc(body + wrong)
    assert error.value.code == "checksum"


def test_uscc_of_farmers_cooperative_registered_by_agriculture_is_accepted():
    body = "N2610116MA6TXXX0A"
    assert identifiers.validate_uscc(body + identifiers.uscc_check_digit(body))


@pytest.mark.parametrize(("number", "code"), [
    ("B1610116MA6TXXX0A0", "authority"),
    ("91A10116MA6TXXX0A0", "area"),
    ("91610116MA6TIXX0A0", "format"),
    ("91610116MA6TX", "length"),
])
def test_uscc_faults_each_have_their_own_code(number, code):
    with pytest.raises(ValidationError) as error:
        identifiers.validate_uscc(number)
    assert error.value.code == code


ACCOUNT = {"email": "", "password1": "Qinling#2026", "password2": "Qinling#2026", "agree": "on"}


def _bind_at_the_counter(client, clerk, name, number, mobile):
    """The counter path of 实名认证: the clerk checks the document and hands a binding code; the citizen,
    registered without any number, enters the code with the number and is bound to the record."""
    client.force_login(clerk)
    issued = client.post(reverse("desk_binding_code"), {"kind": "person", "name": name, "id_number": number,
                                                        "basis": "id_card", "holder_name": ""})
    client.logout()
    assert issued.status_code == 200, issued.content.decode()[:800]
    code = issued.context["code"]
    assert client.post(reverse("register_person"), {**ACCOUNT, "full_name": name, "mobile": mobile}).status_code == 302
    assert client.post(reverse("identity_code"), {"id_number": number, "code": code}).status_code == 302
    return User.objects.get(username=mobile).subject


@pytest.mark.django_db
def test_the_seeded_citizen_is_bound_with_a_number_from_before_the_district_code(client, clerk):
    subject = _bind_at_the_counter(client, clerk, "王建国", "610116197509080018", "13700000003")
    assert subject.id_number == "610116197509080018"
    assert subject.id_type == Subject.IdType.RESIDENT_ID


@pytest.mark.django_db
def test_a_taiwan_resident_is_bound_and_the_document_type_is_recorded(client, clerk):
    subject = _bind_at_the_counter(client, clerk, "林志明", with_check("83000019900101001"), "13700000009")
    assert subject.id_type == Subject.IdType.HMT_RESIDENCE_PERMIT
    assert subject.get_id_type_display() == "港澳台居民居住证"


@pytest.mark.django_db
def test_a_future_birth_date_is_explained_beside_the_field(client, clerk):
    client.force_login(clerk)
    response = client.post(reverse("desk_binding_code"), {
        "kind": "person", "name": "王未来", "id_number": with_check("61011620990101001"), "basis": "id_card",
        "holder_name": "",
    })
    assert response.status_code == 400
    assert "出生日期晚于今天" in response.context["form"].errors["id_number"][0]
    assert not Subject.objects.exists()
