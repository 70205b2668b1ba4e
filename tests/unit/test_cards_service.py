"""What a household service card says (app.services.cards), on the small village of tests/card_village.py:
who is listed, what each woman of reproductive age is due, who to call, the order and the choice of
households — and that reading 3 households takes as many queries as reading 1."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.models import User, VillageProfile
from app.services import followups, pregnancies
from app.services.cards import card_batch, household_ids_by_number, household_number_key, mask_id_number
from app.services.pregnancy_dates import GestationalAge
from tests.card_village import ID_LINA, LMP_DAYS_AGO, build_card_village
from tests.conftest import TODAY  # 2026-11-24

D = dt.date


@pytest.fixture
def village(db, officer):
    return build_card_village(db, officer)


@pytest.fixture
def cards(db, officer, village):
    batch = card_batch(db, officer.user_id, TODAY)
    return {c.household_no: c for c in batch.cards}


# ---------------------------------------------------------------- helpers


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("62042219920815038X", "**************038X"),
        ("620422199208152449", "**************2449"),
        (" 62042219920815038X ", "**************038X"),
        ("", ""),
        (None, ""),
        ("1234", "1234"),
    ],
)
def test_an_id_number_shows_only_its_last_four_characters(number, masked):
    assert mask_id_number(number) == masked


def test_household_numbers_sort_naturally():
    """Digit runs compare as numbers: "2" before "10", "1-2" before "1-10"; zero-padded numbers keep the
    order of the register (01001 < 01002 < 02001), as plain text would."""
    numbers = ["10", "2", "1-10", "1-2", "3A", "3", "02001", "01002", "01001"]
    assert sorted(numbers, key=household_number_key) == [
        "1-2",
        "1-10",
        "2",
        "3",
        "3A",
        "10",
        "01001",
        "01002",
        "02001",
    ]


# ---------------------------------------------------------------- the batch


def test_the_whole_village_in_household_number_order(db, officer, village):
    batch = card_batch(db, officer.user_id, TODAY)
    assert [c.household_no for c in batch.cards] == ["2", "9", "10"]  # "10" after "9", not before "2"
    assert (batch.village_name, batch.village_code, batch.township_name) == (
        "红星村",
        "620422103201",
        "白银镇",
    )
    assert (batch.officer_name, batch.officer_phone) == ("李秀英", "13912345678")
    assert batch.on == TODAY


def test_a_villager_group(db, officer, village):
    assert [c.household_no for c in card_batch(db, officer.user_id, TODAY, group_no=1).cards] == ["2", "10"]
    assert [c.household_no for c in card_batch(db, officer.user_id, TODAY, group_no=2).cards] == ["9"]
    assert card_batch(db, officer.user_id, TODAY, group_no=3).cards == ()


def test_chosen_households_come_in_number_order_each_once(db, officer, village):
    chosen = [village["10"], village["2"], village["10"], "no-such-id"]
    assert [c.household_no for c in card_batch(db, officer.user_id, TODAY, household_ids=chosen).cards] == [
        "2",
        "10",
    ]
    assert card_batch(db, officer.user_id, TODAY, household_ids=[]).cards == ()
    # both: the chosen households of that group
    both = card_batch(db, officer.user_id, TODAY, household_ids=[village["10"], village["9"]], group_no=2)
    assert [c.household_no for c in both.cards] == ["9"]


def test_many_households_are_read_in_rounds_with_the_same_result(db, officer, village, monkeypatch):
    """Households are read 500 at a time (SQLite's bound parameters); rounds of 2 give the same cards."""
    from app.services import cards as service

    whole = card_batch(db, officer.user_id, TODAY)
    chosen = card_batch(db, officer.user_id, TODAY, household_ids=[village["10"], village["9"], village["2"]])
    monkeypatch.setattr(service, "CHUNK", 2)
    assert card_batch(db, officer.user_id, TODAY) == whole
    assert (
        card_batch(db, officer.user_id, TODAY, household_ids=[village["10"], village["9"], village["2"]])
        == chosen
    )
    assert chosen.cards == whole.cards


def test_household_numbers_find_their_ids(db, village):
    assert household_ids_by_number(db, ["10", " 2 ", "77"]) == {"10": village["10"], "2": village["2"]}


def test_the_officer_is_the_user_else_the_first_active_one_and_the_phone_falls_back(db, officer, village):
    assert card_batch(db, None, TODAY).officer_name == "李秀英"
    assert card_batch(db, "no-such-user", TODAY).officer_name == "李秀英"
    with db.write(officer) as s:
        s.get(User, officer.user_id).phone = None
        s.get(VillageProfile, "620422103201").officer_phone = "13800009999"
    assert card_batch(db, officer.user_id, TODAY).officer_phone == "13800009999"


def test_reading_many_households_takes_no_more_queries_than_one(db, officer, village):
    """Set-based: the number of statements does not grow with the households (no query per household)."""
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", count)
    try:
        card_batch(db, officer.user_id, TODAY, household_ids=[village["2"]])
        one = len(statements)
        statements.clear()
        card_batch(db, officer.user_id, TODAY)
        everything = len(statements)
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", count)
    assert everything == one
    assert one <= 12


# ---------------------------------------------------------------- one card


def test_the_household_header(cards):
    card = cards["2"]
    assert (card.group_no, card.group_name, card.address) == (1, "一组", "红星村一组 2 号")
    assert (card.head_name, card.phone) == ("张伟", "13900001111")
    assert cards["10"].phone == ""


def test_members_are_the_people_still_in_the_household_head_first(cards):
    members = cards["2"].members
    # the brother who died and the sister who moved away are not on the card; the one working away is
    assert [m.name for m in members] == ["张伟", "李娜", "张小宝", "王秀英", "张丽"]
    by_name = {m.name: m for m in members}
    assert [m.relation for m in members] == ["head", "spouse", "son", "mother", "sibling"]
    assert by_name["张丽"].residence_status == "out_migrant"
    assert by_name["李娜"].id_number == ID_LINA  # in full: the writer masks it
    assert (by_name["李娜"].sex, by_name["李娜"].age) == ("F", 34)
    assert (by_name["张小宝"].age, by_name["张小宝"].age_months) == (0, 8)


def test_only_women_of_reproductive_age_get_a_services_section(cards):
    # not the men, not the 76-year-old mother; the out-migrant sister is still served
    assert [w.name for w in cards["2"].women] == ["李娜", "张丽"]
    assert cards["9"].women == ()


def test_a_woman_with_a_method_shows_it_since_when_and_her_next_check(db, village, cards):
    lina = cards["2"].women[0]
    assert (lina.method, lina.method_since) == ("iud", D(2026, 10, 20))
    assert not lina.pregnant and lina.edd is None and lina.gestational_age is None
    assert lina.folic is None
    # only the next of a repeating check-up, with its window
    open_checks = [
        r for r in followups.person_followups(db, village["李娜"]) if r.status == "due" and r.latest >= TODAY
    ]
    assert len(open_checks) == 2
    first = min(open_checks, key=lambda r: r.due)
    assert [(f.followup_type, f.earliest, f.due, f.latest) for f in lina.followups] == [
        ("contraceptive_check", first.earliest, first.due, first.latest)
    ]


def test_a_pregnant_woman_shows_weeks_and_days_edd_folic_acid_and_her_antenatal_checks(db, village, cards):
    jing = cards["10"].women[0]
    lmp = TODAY - dt.timedelta(days=LMP_DAYS_AGO)
    assert jing.pregnant and jing.lmp == lmp
    assert jing.gestational_age == GestationalAge(LMP_DAYS_AGO) and str(jing.gestational_age) == "14+2"
    assert jing.edd == lmp + dt.timedelta(days=280)
    assert jing.method == ""
    # on folic acid: to the end of the 3rd month of pregnancy (LMP + 13 weeks), as no end is recorded
    assert jing.folic is not None
    assert (jing.folic.start_date, jing.folic.end_date, jing.folic.dose_mg) == (
        TODAY - dt.timedelta(150),
        None,
        0.4,
    )
    assert jing.folic.until == lmp + dt.timedelta(weeks=13)
    # the 1st antenatal check's window closed at 13 weeks: it is not on the card; the rest are, soonest first
    types = [f.followup_type for f in jing.followups]
    assert [t for t in types if t.startswith("anc")] == ["anc2", "anc3", "anc4", "anc5"]
    assert types.count("folic_adherence") == 1  # the next monthly visit only
    assert [f.due for f in jing.followups] == sorted(f.due for f in jing.followups)
    assert all(f.latest >= TODAY and f.earliest <= f.due <= f.latest for f in jing.followups)
    expected = {
        (r.followup_type, r.earliest, r.latest)
        for r in followups.person_followups(db, village["陈静"])
        if r.status == "due" and r.latest >= TODAY and r.followup_type.startswith("anc")
    }
    assert {
        (f.followup_type, f.earliest, f.latest) for f in jing.followups if f.followup_type.startswith("anc")
    } == expected


def test_family_support_contact_and_the_other_members_services(cards):
    card = cards["9"]
    assert [(x.kind, x.person_name, x.contact_name, x.contact_phone) for x in card.supports] == [
        ("reward", "赵刚", "刘晓明", "17304537978")
    ]
    assert [(f.person_name, f.followup_type) for f in card.others_followups] == [("赵刚", "support_visit")]
    assert cards["2"].supports == () and cards["2"].others_followups == ()


def test_a_card_is_printed_for_a_household_whose_members_all_left(db, officer, village):
    """An empty household still gets its card (the officer may be printing the whole group)."""
    from app.services import households as hh

    empty = hh.create_household(db, officer, hh.HouseholdInput("11", 1, "红星村一组 11 号"))
    card = card_batch(db, officer.user_id, TODAY, household_ids=[empty]).cards[0]
    assert (card.household_no, card.members, card.women, card.head_name) == ("11", (), (), "")


def test_a_pregnant_woman_shows_her_pregnancy_not_the_method_left_open_on_her_record(db, officer, village):
    """李娜's IUD is still open on her record when her pregnancy is registered: the card says she is pregnant,
    and neither the method nor its check-ups (the pregnancy wins)."""
    lmp = TODAY - dt.timedelta(days=60)
    pregnancies.register_pregnancy(
        db, officer, village["李娜"], pregnancies.PregnancyInput(lmp=lmp, registration_date=TODAY), TODAY
    )
    lina = next(w for w in card_batch(db, officer.user_id, TODAY).cards[0].women if w.name == "李娜")
    assert lina.pregnant and lina.edd == lmp + dt.timedelta(days=280)
    assert (lina.method, lina.method_since) == ("", None)
    assert [f.followup_type for f in lina.followups if f.followup_type.startswith("anc")]
    assert not [
        f for f in lina.followups if f.followup_type in ("contraceptive_check", "resupply", "injection")
    ]
