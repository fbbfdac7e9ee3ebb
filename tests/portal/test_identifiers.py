import pytest
from django.core.exceptions import ValidationError

from portal import identifiers


@pytest.mark.parametrize("value", ["610113198805203217", "610103199203154827"])
def test_valid_resident_id_is_accepted(value):
    assert identifiers.validate_resident_id(value) == value


def test_resident_id_with_x_check_character_is_accepted_and_lowercase_x_is_normalised():
    assert identifiers.validate_resident_id("61011319900101102X") == "61011319900101102X"
    assert identifiers.validate_resident_id("61011319900101102x") == "61011319900101102X"


def test_resident_id_with_spaces_is_normalised():
    assert identifiers.validate_resident_id(" 610113 19880520 3217 ") == "610113198805203217"


def test_resident_id_with_wrong_checksum_says_so_in_chinese():
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id("610113198805203218")
    assert error.value.code == "checksum"
    assert "校验位不正确" in error.value.messages[0]


@pytest.mark.parametrize("value", ["61011319880520321", "6101131988052032175", ""])
def test_resident_id_of_wrong_length_says_it_needs_18_digits(value):
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id(value)
    assert "18位" in error.value.messages[0]


def test_resident_id_with_letters_in_the_body_is_refused():
    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id("61011319880520A215")
    assert error.value.code == "format"


def test_resident_id_with_impossible_birth_date_is_refused():
    body = "61011319881340123"
    from stdnum.cn import ric

    with pytest.raises(ValidationError) as error:
        identifiers.validate_resident_id(body + ric.calc_check_digit(body + "0"))
    assert "出生日期" in error.value.messages[0]


def test_valid_uscc_is_accepted():
    assert identifiers.validate_uscc("91610131MA6UQ1234U") == "91610131MA6UQ1234U"


def test_uscc_whose_check_value_is_zero_is_accepted():
    assert identifiers.validate_uscc("91610113MA6T101700") == "91610113MA6T101700"


def test_lowercase_uscc_is_normalised_to_uppercase():
    assert identifiers.validate_uscc("91610131ma6uq1234u") == "91610131MA6UQ1234U"


def test_uscc_with_wrong_checksum_says_so_in_chinese():
    with pytest.raises(ValidationError) as error:
        identifiers.validate_uscc("91610131MA6UQ1234W")
    assert error.value.code == "checksum"
    assert "统一社会信用代码校验位不正确" in error.value.messages[0]


def test_uscc_of_wrong_length_is_refused():
    with pytest.raises(ValidationError) as error:
        identifiers.validate_uscc("91610131MA6UQ123")
    assert "18位" in error.value.messages[0]


def test_mask_shows_only_the_first_and_last_character():
    assert identifiers.mask("61011319900101102X") == "6****************X"


def test_keyed_hash_is_stable_and_ignores_case_and_spaces(settings):
    assert identifiers.keyed_hash("61011319900101102x") == identifiers.keyed_hash(" 61011319900101102X")
    first = identifiers.keyed_hash("610113198805203217")
    settings.FIELD_ENCRYPTION_KEY = "another-key"
    assert identifiers.keyed_hash("610113198805203217") != first
