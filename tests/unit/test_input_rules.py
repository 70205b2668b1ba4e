"""Bad input at the field: invisible and control characters, broken characters, very long pastes, birth dates
before 1900 and marriages below the age limits — refused (or warned) by the rules every service shares."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.errors import DomainError
from app.services import households as hh
from app.services.names import search_needle
from app.services.supplies import check_lot
from app.services.validation import (
    check_birth_date,
    check_marriage_age,
    clean_phone,
    optional_text,
    parse_date,
    required_text,
)

TODAY = dt.date(2026, 11, 24)

CONTROL = ["\x00", "\x07", "\x1b", "\x7f", "\x85", "\u2028"]
DIRECTION = ["\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff"]
BROKEN = ["\ud800", "\udfff"]


def refusal(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.mark.parametrize(
    ("char", "msg_id"),
    [(c, "text.control_character") for c in CONTROL]
    + [(c, "text.direction_character") for c in DIRECTION]
    + [(c, "text.invisible_character") for c in INVISIBLE]
    + [(c, "text.broken_character") for c in BROKEN],
)
def test_a_hidden_character_is_refused_at_its_field_with_a_sentence(char, msg_id):
    for call, args in (
        (required_text, ("张" + char + "三", "name", 40)),
        (optional_text, ("a" + char + "b", "notes", 2000)),
    ):
        err = refusal(call, *args)
        assert (err.msg_id, err.field) == (msg_id, args[1])
        for lang in ("zh_CN", "en"):
            text = err.message(lang)
            assert char not in text and "张" not in text and len(text) > 20


def test_a_note_keeps_its_line_breaks_and_tabs_a_name_does_not():
    assert optional_text("第一行\n第二行\t完", "notes", 2000, multiline=True) == "第一行\n第二行\t完"
    assert refusal(required_text, "张\n三", "name", 40).msg_id == "text.control_character"
    assert refusal(required_text, "张\t三", "name", 40).msg_id == "text.control_character"
    # a multi-line note still refuses the rest
    assert refusal(optional_text, "a\x00b", "notes", 2000, multiline=True).msg_id == "text.control_character"
    # what stays allowed: spaces of every width, rare characters, private-use characters (some rare characters
    # in names can only be typed that way), surrounding line breaks (stripped)
    assert required_text("  王\u3000𠮷\ue000 \n", "name", 40) == "王\u3000𠮷\ue000"


def test_a_10000_character_paste_is_never_repeated_back():
    long = "张" * 10_000
    for err in (
        refusal(required_text, long, "name", 40),
        refusal(required_text, long[:20] + "\x00" + long, "name", 100_000),
        refusal(parse_date, long, "birth_date"),
        refusal(clean_phone, "1" * 10_000, "phone"),
    ):
        for lang in ("zh_CN", "en"):
            assert len(err.message(lang)) < 200, err.msg_id
    # a short mistake is still shown as typed
    assert "2024-2-30" in refusal(parse_date, "2024-2-30", "birth_date").message("zh_CN")


def test_household_numbers_lot_numbers_and_names_share_the_rule():
    err = refusal(hh.check_household, hh.HouseholdInput("01\u200b02", 1))
    assert (err.msg_id, err.field) == ("text.invisible_character", "household_no")
    err = refusal(check_lot, "B2024\x1b01")
    assert (err.msg_id, err.field) == ("text.control_character", "lot")
    person = hh.PersonInput("王\u202e芳", sex="F", birth_date=dt.date(1990, 1, 1))
    err = refusal(hh.check_person, person, TODAY)
    assert (err.msg_id, err.field) == ("text.direction_character", "name")
    err = refusal(hh.check_person, dataclasses.replace(person, name="王芳", notes="\ud83d"), TODAY)
    assert (err.msg_id, err.field) == ("text.broken_character", "notes")


def test_search_ignores_hidden_and_broken_characters():
    assert search_needle("z\u200bs\ud800\x00") == "zs"
    assert search_needle("\ud83d") == ""


def test_birth_dates_before_1900_are_refused():
    assert check_birth_date(dt.date(1900, 1, 1), TODAY) == dt.date(1900, 1, 1)
    err = refusal(check_birth_date, dt.date(1899, 12, 31), TODAY)
    assert (err.msg_id, err.field) == ("date.birth_too_old", "birth_date")
    assert "1900" in err.message("zh_CN")
    assert refusal(check_birth_date, TODAY + dt.timedelta(days=1), TODAY).msg_id == "date.in_future"
    person = hh.PersonInput("王芳", sex="F", birth_date=dt.date(1880, 6, 1))
    assert refusal(hh.check_person, person, TODAY).msg_id == "date.birth_too_old"


@pytest.mark.parametrize(
    ("sex", "married_at", "outcome"),
    [
        ("F", 14, "refused"),
        ("M", 14, "refused"),
        ("F", 15, "warned"),
        ("F", 19, "warned"),
        ("F", 20, "fine"),
        ("M", 21, "warned"),
        ("M", 22, "fine"),
    ],
)
def test_marriage_age(sex, married_at, outcome):
    birth = dt.date(1990, 3, 7)
    # the day before the birthday of `married_at + 1`: still `married_at` full years old
    marriage = dt.date(1990 + married_at + 1, 3, 6)
    person = hh.PersonInput(
        "王芳", sex=sex, birth_date=birth, marital_status="first_marriage", marriage_date=marriage
    )
    if outcome == "refused":
        err = refusal(hh.check_person, person, TODAY)
        assert (err.msg_id, err.field) == ("person.marriage_too_young", "marriage_date")
        assert "14" in err.message("zh_CN") and "15" in err.message("zh_CN")
        return
    checked = hh.check_person(person, TODAY)
    assert checked.data.marriage_date == marriage
    warned = "person.marriage_under_legal_age" in checked.warnings
    assert warned == (outcome == "warned")
    assert check_marriage_age(birth, marriage, sex) == ("person.marriage_under_legal_age" if warned else None)
