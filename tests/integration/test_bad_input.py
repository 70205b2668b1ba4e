"""Bad input against a real database: a broken character (a lone surrogate) is refused at its field instead
of failing inside the database driver, and is harmless in a search; a demo village out of bounds is refused
in one line before any work."""

from __future__ import annotations

import datetime as dt

import pytest

from app.cli import main
from app.errors import DomainError
from app.services import households as hh
from app.services.demo import generate_demo, table_digest
from app.services.search import search
from app.services.supplies import ReceiptInput, items, receive
from tests.conftest import TODAY


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


def test_a_demo_village_out_of_bounds_is_refused_before_any_work(db):
    before = table_digest(db)
    for people, msg_id in (
        (19, "demo.people_too_few"),
        (-5, "demo.people_too_few"),
        (200_001, "demo.people_too_many"),
    ):
        with pytest.raises(DomainError) as info:
            generate_demo(db, people=people, seed=1, today=TODAY)
        assert (info.value.msg_id, info.value.field) == (msg_id, "people")
        assert "200000" in info.value.message("zh_CN") and "20" in info.value.message("zh_CN")
    assert table_digest(db) == before


@pytest.mark.parametrize(("people", "words"), [("10000000", "不能多于 200000"), ("5", "不能少于 20")])
def test_the_demo_command_says_the_bounds_in_one_line(tmp_path, capsys, people, words):
    folder = tmp_path / "data"
    assert main(["--data-dir", str(folder), "demo", "--people", people, "--quiet"]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and words in err and "Traceback" not in err
    assert not folder.exists()  # checked before the data folder was touched
