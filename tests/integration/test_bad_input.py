"""Bad input against a real database: a broken character (a lone surrogate) is refused at its field instead
of failing inside the database driver, and is harmless in a search."""

from __future__ import annotations

import datetime as dt

import pytest

from app.errors import DomainError
from app.services import households as hh
from app.services.demo import table_digest
from app.services.search import search
from app.services.supplies import ReceiptInput, items, receive


@pytest.fixture
def household(db, officer, today):
    hid = hh.create_household(db, officer, hh.HouseholdInput("0101", 1))
    hh.add_person(db, officer, hid, hh.PersonInput("张三", sex="M", birth_date=dt.date(1990, 3, 7)), today)
    return hid


def refused(call, *args) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args)
    return info.value


def test_a_lone_surrogate_is_refused_at_its_field_not_by_the_database(db, officer, household, today):
    before = table_digest(db)
    err = refused(
        hh.add_person,
        db,
        officer,
        household,
        hh.PersonInput("王\ud800", sex="F", birth_date=dt.date(1990, 1, 1)),
        today,
    )
    assert (err.msg_id, err.field) == ("text.broken_character", "name")
    err = refused(hh.create_household, db, officer, hh.HouseholdInput("0102", 1, address="红星村\udc00"))
    assert (err.msg_id, err.field) == ("text.broken_character", "address")
    assert table_digest(db) == before


def test_a_lot_number_with_hidden_characters_is_refused(db, officer, today):
    item = items(db, today)[0]
    data = ReceiptInput(item.id, "B2024\u200b01", dt.date(2028, 1, 1), "10", today)
    err = refused(receive, db, officer, data, today)
    assert (err.msg_id, err.field) == ("text.invisible_character", "lot")


def test_a_search_with_broken_or_hidden_characters_still_finds_and_never_fails(db, household):
    assert [h.title for h in search(db, "张\ud800")] == ["张三"]
    assert [h.title for h in search(db, "z\u200bs\x00")] == ["张三"]
    assert search(db, "\ud83d") == []
    assert hh.load_register(db).filter("张\ud800三")[0].household_no == "0101"
