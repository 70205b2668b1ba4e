"""Field rules shared by the forms: dates as people type them, phone numbers, ages in full years."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import DomainError
from app.services.validation import (
    clean_phone,
    full_years,
    not_in_future,
    optional_text,
    parse_date,
    required_text,
)


@pytest.mark.parametrize(
    "typed",
    [
        "20240503",
        "2024-5-3",
        "2024-05-03",
        "2024.5.3",
        "2024/5/3",
        "2024年5月3日",
        "2024年5月3",
        " 2024 -5-3 ",
    ],
)
def test_dates_as_officers_type_them(typed):
    assert parse_date(typed, "lmp") == dt.date(2024, 5, 3)


@pytest.mark.parametrize("typed", ["2024-2-30", "abc", "", "2024-13-1", "20240230", "24-5-3", "2024-5"])
def test_impossible_or_unreadable_dates_are_refused(typed):
    with pytest.raises(DomainError) as info:
        parse_date(typed, "lmp")
    assert info.value.msg_id == "date.invalid"
    assert info.value.field == "lmp"
    assert info.value.params["value"] == typed.strip()


def test_the_refusal_shows_what_was_typed():
    with pytest.raises(DomainError) as info:
        parse_date("2024-2-30", "birth_date")
    assert "2024-2-30" in info.value.message("zh_CN")
    assert "2024-2-30" in info.value.message("en")


def test_29_february_of_a_leap_year_is_a_date():
    assert parse_date("2024-2-29", "x") == dt.date(2024, 2, 29)
    with pytest.raises(DomainError):
        parse_date("2023-2-29", "x")


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("13912345678", "13912345678"),
        ("19912345678", "19912345678"),
        ("139 1234 5678", "13912345678"),
        ("0931-8123456", "0931-8123456"),
        ("09318123456", "09318123456"),
        ("010-12345678", "010-12345678"),
        ("0943 8123456", "09438123456"),
        ("１３９１２３４５６７８", "13912345678"),  # full-width, as a Chinese input method types them
        ("０９３１－８１２３４５６", "0931-8123456"),
    ],
)
def test_mobile_and_landline_numbers_are_accepted(typed, kept):
    assert clean_phone(typed) == kept


@pytest.mark.parametrize(
    "typed",
    [
        "12912345678",  # no mobile network starts 12
        "1391234567",  # 10 digits
        "139123456789",  # 12 digits
        "8123456",  # landline without its area code
        "931-8123456",  # area code without the leading 0
        "0931-812345",  # 6-digit local number
        "phone",
        "+8613912345678",
    ],
)
def test_other_numbers_are_refused(typed):
    with pytest.raises(DomainError) as info:
        clean_phone(typed, "officer_phone")
    assert info.value.msg_id == "phone.invalid"
    assert info.value.field == "officer_phone"


def test_empty_phone_is_allowed():
    assert clean_phone(None) is None
    assert clean_phone("") is None
    assert clean_phone("   ") is None


def test_not_in_future():
    today = dt.date(2026, 11, 24)
    not_in_future(today, today, "death_date")
    not_in_future(None, today, "death_date")
    with pytest.raises(DomainError) as info:
        not_in_future(dt.date(2026, 11, 25), today, "death_date")
    assert (info.value.msg_id, info.value.field) == ("date.in_future", "death_date")


def test_text_lengths():
    assert required_text("  张三 ", "name", 40) == "张三"
    with pytest.raises(DomainError) as info:
        required_text("  ", "name", 40)
    assert (info.value.msg_id, info.value.field) == ("field.required", "name")
    with pytest.raises(DomainError) as info:
        optional_text("x" * 41, "address", 40)
    assert (info.value.msg_id, info.value.field, info.value.params["max"]) == (
        "field.too_long",
        "address",
        40,
    )
    assert optional_text(None, "notes", 10) == ""


@pytest.mark.parametrize(
    ("birth", "on", "years"),
    [
        (dt.date(1990, 5, 3), dt.date(2024, 5, 2), 33),  # the day before the birthday
        (dt.date(1990, 5, 3), dt.date(2024, 5, 3), 34),  # on the birthday
        (dt.date(1990, 5, 3), dt.date(1990, 5, 3), 0),
        (dt.date(1990, 12, 31), dt.date(1991, 12, 30), 0),
        (dt.date(1990, 12, 31), dt.date(1991, 12, 31), 1),
        # born on 29 February: the birthday counts on 1 March in common years
        (dt.date(2000, 2, 29), dt.date(2015, 2, 28), 14),
        (dt.date(2000, 2, 29), dt.date(2015, 3, 1), 15),
        (dt.date(2000, 2, 29), dt.date(2016, 2, 28), 15),
        (dt.date(2000, 2, 29), dt.date(2016, 2, 29), 16),
        # a woman is of reproductive age from 15 to 49 full years: the 50th birthday ends it
        (dt.date(1976, 11, 24), dt.date(2026, 11, 23), 49),
        (dt.date(1976, 11, 24), dt.date(2026, 11, 24), 50),
    ],
)
def test_full_years_at_birthday_edges(birth, on, years):
    assert full_years(birth, on) == years
