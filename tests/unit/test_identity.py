"""Resident ID numbers (GB 11643-1999): the checks an officer meets when typing a number.

Hand-checked example used throughout: 110105 19491231 002 X
  area 110105, born 1949-12-31, sequence 002 (even: female).
  ISO 7064 MOD 11-2 weights 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 over 1 1 0 1 0 5 1 9 4 9 1 2 3 1 0 0 2:
  7+9+0+5+0+20+2+9+24+27+7+18+30+5+0+0+4 = 167; 167 mod 11 = 2; (12 - 2) mod 11 = 10, written X.
"""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from app.errors import DomainError
from app.services import identity
from app.vocab import Sex

VALID = "11010519491231002X"

# Province-level codes (GB/T 2260) written out here, independently of identity.PROVINCES.
PROVINCE_CODES = [
    "11",
    "12",
    "13",
    "14",
    "15",
    "21",
    "22",
    "23",
    "31",
    "32",
    "33",
    "34",
    "35",
    "36",
    "37",
    "41",
    "42",
    "43",
    "44",
    "45",
    "46",
    "50",
    "51",
    "52",
    "53",
    "54",
    "61",
    "62",
    "63",
    "64",
    "65",
    "71",
    "81",
    "82",
]


def refused(raw: str) -> DomainError:
    with pytest.raises(DomainError) as info:
        identity.parse(raw)
    assert info.value.field == "id_number"
    return info.value


def test_valid_number_gives_birth_date_sex_and_area():
    rid = identity.parse(VALID)
    assert rid.number == VALID
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.sex == Sex.FEMALE
    assert rid.area_code == "110105"


def test_male_number():
    # 110101 19900307 123: weights x digits = 7+9+0+5+0+4+2+9+54+0+0+27+0+35+8+8+6 = 174,
    # 174 mod 11 = 9 -> check character 3 (0->1, 1->0, 2->X, 3->9, ..., 9->3). Sequence 123 is odd: male.
    rid = identity.parse("110101199003071233")
    assert rid.birth_date == dt.date(1990, 3, 7)
    assert rid.sex == Sex.MALE
    assert refused("110101199003071232").msg_id == "id.bad_check_character"


def test_lower_case_x_and_spaces_are_accepted():
    assert identity.parse("11010519491231002x").number == VALID
    assert identity.parse(" 110105 19491231 002x ").number == VALID
    assert identity.parse("110105-19491231-002X").number == VALID


def test_full_width_characters_from_a_chinese_input_method_are_accepted():
    assert identity.parse("１１０１０５１９４９１２３１００２Ｘ").number == VALID
    assert identity.parse("１１０１０５１９４９１２３１００２ｘ").number == VALID


def test_wrong_check_character_is_refused():
    assert refused("110105194912310021").msg_id == "id.bad_check_character"
    # one digit mistyped in the middle (sequence 002 -> 003)
    assert refused("11010519491231003X").msg_id == "id.bad_check_character"


def test_impossible_birth_date_is_refused_with_the_digits():
    first17 = "11010519900230123"  # 30 February 1990
    err = refused(first17 + identity.check_character(first17))
    assert err.msg_id == "id.bad_birth_date"
    assert err.params["digits"] == "19900230"
    assert "19900230" in err.message("zh_CN")


def test_wrong_length_is_refused_with_the_length():
    err = refused("1101051949123100")  # 16 characters
    assert err.msg_id == "id.bad_length"
    assert err.params["length"] == 16
    assert refused(VALID + "1").msg_id == "id.bad_length"


def test_letters_are_refused():
    assert refused("11010519491231A02X").msg_id == "id.bad_characters"
    assert refused("1101054912310A2").msg_id == "id.bad_characters"  # 15 characters with a letter
    assert refused("X10105194912310021").msg_id == "id.bad_characters"


def test_empty_is_refused():
    assert refused("   ").msg_id == "id.empty"


def test_area_starting_with_zero_or_odd_century_is_refused():
    first17 = "01010519491231002"
    assert refused(first17 + identity.check_character(first17)).msg_id == "id.bad_area_or_year"
    first17 = "11010517491231002"  # born 1749
    assert refused(first17 + identity.check_character(first17)).msg_id == "id.bad_area_or_year"


def test_field_name_is_the_one_asked_for():
    with pytest.raises(DomainError) as info:
        identity.parse("123", field="spouse_id_number")
    assert info.value.field == "spouse_id_number"


def test_old_15_digit_number_is_converted_to_18():
    # 110105 491231 002 -> insert "19" -> 11010519491231002, whose check character is X (see module doc).
    rid = identity.parse("110105491231002")
    assert rid.number == "11010519491231002X"
    assert rid.birth_date == dt.date(1949, 12, 31)
    assert rid.sex == Sex.FEMALE
    assert identity.upgrade_15("110105491231002") == "11010519491231002X"


def test_area_code_newer_than_the_birth_date_is_still_accepted():
    # 500156 (Wulong district, Chongqing) was created long after 1960; people born there keep the new code.
    number = identity.make("500156", dt.date(1960, 3, 1), 12, Sex.MALE)
    with pytest.raises(ric.ValidationError):
        ric.validate(number)  # what the library would say; see pitfalls.md
    rid = identity.parse(number)
    assert rid.birth_date == dt.date(1960, 3, 1)
    assert rid.sex == Sex.MALE
    assert rid.area_code == "500156"


def with_check(first17: str) -> str:
    return first17 + identity.check_character(first17)


NO_PROVINCE = [f"{n}" for n in range(10, 100) if f"{n}" not in PROVINCE_CODES and n != 83]


@pytest.mark.parametrize("prefix", NO_PROVINCE)
def test_a_number_from_no_province_is_refused_at_the_number(prefix):
    """A correct check character does not make 99… or 20… a resident ID number: no birth date or sex is
    taken from it, and the sentence names the two digits to check."""
    err = refused(with_check(f"{prefix}010519900307123"))
    assert err.msg_id == "id.bad_province"
    assert f"“{prefix}”" in err.message("zh_CN") and "前两位" in err.message("zh_CN")
    assert f"“{prefix}”" in err.message("en")


@pytest.mark.parametrize("prefix", PROVINCE_CODES)
def test_every_province_and_an_unknown_county_are_accepted(prefix):
    # xx9999 is no county anywhere: the county is never checked (see pitfalls.md), only the province
    rid = identity.parse(with_check(f"{prefix}999919900307123"))
    assert (rid.area_code, rid.birth_date, rid.sex) == (f"{prefix}9999", dt.date(1990, 3, 7), Sex.MALE)


def test_a_taiwan_residents_residence_permit_is_accepted():
    # residence permits of Taiwan residents (2018) carry 830000, as those of Hong Kong (81) and Macao (82)
    assert identity.parse(with_check("83000019900307123")).area_code == "830000"


def test_an_old_15_digit_number_from_no_province_is_refused():
    assert refused("990105491231002").msg_id == "id.bad_province"


def test_a_birth_date_after_today_is_refused_at_the_number():
    today = dt.date(2026, 11, 24)
    tomorrow = with_check("62042220261125002")
    with pytest.raises(DomainError) as info:
        identity.parse(tomorrow, today=today)
    err = info.value
    assert (err.msg_id, err.field) == ("id.birth_in_future", "id_number")
    assert "2026-11-25" in err.message("zh_CN") and "身份证号码" in err.message("zh_CN")
    # born today is fine; without a day to compare with (a look-up, not a form) the number still reads
    assert identity.parse(with_check("62042220261124002"), today=today).birth_date == today
    assert identity.parse(tomorrow).birth_date == dt.date(2026, 11, 25)


def test_a_birth_date_before_1900_is_refused_at_the_number():
    err = refused(with_check("62042218991231002"))
    assert err.msg_id == "id.birth_too_old"
    assert "1899-12-31" in err.message("zh_CN")
    assert identity.parse(with_check("62042219000101002")).birth_date == dt.date(1900, 1, 1)


def test_mask_keeps_the_last_four():
    assert identity.mask(VALID) == "**************002X"
    assert identity.mask(VALID, visible=6) == "************31002X"
    assert identity.mask(None) == ""
    assert identity.mask("") == ""


def test_make_refuses_a_sequence_out_of_range():
    with pytest.raises(ValueError):
        identity.make("110105", dt.date(2000, 1, 1), 500, Sex.MALE)


areas = st.builds(str.__add__, st.sampled_from(PROVINCE_CODES), st.from_regex(r"[0-9]{4}", fullmatch=True))
births = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2099, 12, 31))
sequences = st.integers(min_value=0, max_value=499)
sexes = st.sampled_from([Sex.MALE, Sex.FEMALE])


@settings(max_examples=300, deadline=None)
@given(areas, births, sequences, sexes)
def test_every_made_number_parses_back(area, birth, seq, sex):
    number = identity.make(area, birth, seq, sex)
    rid = identity.parse(number)
    assert (rid.number, rid.birth_date, rid.sex, rid.area_code) == (number, birth, sex, area)
    assert identity.parse(number.lower()) == rid


@settings(max_examples=300, deadline=None)
@given(areas, births, sequences, sexes, st.integers(0, 17), st.integers(1, 9))
def test_any_single_mistyped_digit_is_noticed(area, birth, seq, sex, position, shift):
    """MOD 11-2 weights are powers of 2 mod 11, never 0, and a digit changes by 1..9 (not a multiple of
    11), so every single substitution changes the checksum: the number is refused."""
    number = identity.make(area, birth, seq, sex)
    old = number[position]
    new = str((int(old) + shift) % 10) if old != "X" else str(shift)
    typo = number[:position] + new + number[position + 1 :]
    assert typo != number
    with pytest.raises(DomainError):  # so it can never change the derived birth date or sex unnoticed
        identity.parse(typo)
