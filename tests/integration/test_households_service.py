"""The household register as the officer uses it: households, members by ID number, deaths and moves,
duplicates, the register's filters, the search box and the record-quality count."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.db import Database
from app.errors import DomainError, NotFound
from app.i18n import tr
from app.models import VitalEvent
from app.services import households as hh
from app.services import quality
from app.services.quality import record_quality
from app.services.search import search

ZHANG_SAN_ID = "110101199003071233"  # male, born 1990-03-07 (check character worked out in test_identity)
WANG_FANG_ID = "11010519491231002X"  # female, born 1949-12-31
LI_XIULAN_ID = "620422199208150849"  # female, born 1992-08-15


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.fixture
def family(db: Database, officer: str, today: dt.date) -> dict[str, str]:
    """Household 0101 in group 1: 张三 (head, married), 李秀兰 (his wife), 张小明 (their son, no ID yet)."""
    hid = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 3 号", "13900001111"))
    married = {"marital_status": "first_marriage", "marriage_date": dt.date(2015, 5, 1)}
    head = hh.add_person(
        db,
        officer,
        hid,
        hh.PersonInput("张三", id_number=ZHANG_SAN_ID, relation="head", phone="13900001111", **married),
        today,
    )
    wife = hh.add_person(
        db,
        officer,
        hid,
        hh.PersonInput("李秀兰", id_number=LI_XIULAN_ID, relation="spouse", **married),
        today,
    )
    son = hh.add_person(
        db,
        officer,
        hid,
        hh.PersonInput("张小明", sex="M", birth_date=dt.date(2016, 9, 1), relation="son"),
        today,
    )
    return {"household": hid, "head": head, "wife": wife, "son": son}


def events_of(db: Database, person_id: str) -> list[tuple[str, dt.date, str | None]]:
    with db.read() as s:
        rows = s.execute(
            sa.select(VitalEvent.event_type, VitalEvent.event_date, VitalEvent.place)
            .where(VitalEvent.person_id == person_id)
            .order_by(VitalEvent.event_date)
        )
        return [tuple(r) for r in rows]


# ---------------------------------------------------------------- households and members


def test_a_household_and_its_members(db: Database, family):
    row = hh.get_household(db, family["household"])
    assert (row.household_no, row.group_no, row.head_name, row.address, row.phone, row.members) == (
        "0101",
        1,
        "张三",
        "红星村一组 3 号",
        "13900001111",
        3,
    )
    members = hh.household_members(db, family["household"])
    assert [(m.name, m.relation) for m in members] == [
        ("张三", "head"),
        ("李秀兰", "spouse"),
        ("张小明", "son"),
    ]


def test_birth_date_and_sex_come_from_the_id_number(db: Database, family):
    wife = hh.get_person(db, family["wife"])
    assert (wife.sex, wife.birth_date) == ("F", dt.date(1992, 8, 15))
    assert wife.age_on(dt.date(2026, 8, 14)) == 33
    assert wife.age_on(dt.date(2026, 8, 15)) == 34


def test_a_15_digit_and_lower_case_id_are_stored_in_the_18_character_form(db, officer, family, today):
    pid = hh.add_person(
        db, officer, family["household"], hh.PersonInput("王芳", id_number="110105491231002"), today
    )
    assert hh.get_person(db, pid).id_number == WANG_FANG_ID
    assert hh.find_duplicates(db, hh.PersonInput("王芳", id_number="11010519491231002x"))[0].person.id == pid


def test_an_invalid_id_number_is_refused_with_its_message_and_field(db, officer, family, today):
    err = refused(
        hh.add_person,
        db,
        officer,
        family["household"],
        hh.PersonInput("王芳", id_number="110105194912310021"),
        today,
    )
    assert (err.msg_id, err.field) == ("id.bad_check_character", "id_number")
    assert err.message("zh_CN") == "身份证号码校验位不对，可能有数字输错了，请逐位核对。"
    assert len(hh.household_members(db, family["household"])) == 3  # nothing added


def test_a_birth_date_contradicting_the_id_is_refused(db, officer, family, today):
    err = refused(
        hh.add_person,
        db,
        officer,
        family["household"],
        hh.PersonInput("王芳", id_number=WANG_FANG_ID, birth_date=dt.date(1949, 12, 30)),
        today,
    )
    assert (err.msg_id, err.field, err.params["id_birth"]) == (
        "person.birth_mismatch_id",
        "birth_date",
        "1949-12-31",
    )
    err = refused(
        hh.add_person,
        db,
        officer,
        family["household"],
        hh.PersonInput("王芳", id_number=WANG_FANG_ID, sex="M"),
        today,
    )
    assert (err.msg_id, err.field) == ("person.sex_mismatch_id", "sex")


def test_without_an_id_number_birth_date_and_sex_are_required(db, officer, family, today):
    err = refused(hh.add_person, db, officer, family["household"], hh.PersonInput("王芳", sex="F"), today)
    assert (err.msg_id, err.field) == ("field.required", "birth_date")
    err = refused(
        hh.add_person,
        db,
        officer,
        family["household"],
        hh.PersonInput("王芳", birth_date=dt.date(2000, 1, 1)),
        today,
    )
    assert (err.msg_id, err.field) == ("field.required", "sex")
    err = refused(
        hh.add_person,
        db,
        officer,
        family["household"],
        hh.PersonInput("王芳", sex="F", birth_date=today + dt.timedelta(days=1)),
        today,
    )
    assert (err.msg_id, err.field) == ("date.in_future", "birth_date")


def test_a_living_persons_id_cannot_be_registered_twice(db, officer, family, today):
    other = hh.create_household(db, officer, hh.HouseholdInput("0102", 1))
    err = refused(hh.add_person, db, officer, other, hh.PersonInput("张叁", id_number=ZHANG_SAN_ID), today)
    assert (err.msg_id, err.field, err.params["name"]) == ("person.id_taken", "id_number", "张三")
    assert "张三" in err.message("zh_CN")
    # nor by editing someone else's record
    son = hh.get_person(db, family["son"])
    err = refused(
        hh.update_person,
        db,
        officer,
        son.id,
        hh.PersonInput("张小明", id_number=LI_XIULAN_ID, relation="son"),
        today,
    )
    assert err.msg_id == "person.id_taken"


def test_find_duplicates_by_id_and_by_name_and_birth_date(db, officer, family):
    by_id = hh.find_duplicates(db, hh.PersonInput("张叁", id_number=ZHANG_SAN_ID))
    assert [(c.person.name, c.reason) for c in by_id] == [("张三", "id_number")]
    by_name = hh.find_duplicates(db, hh.PersonInput("张小明", birth_date=dt.date(2016, 9, 1)))
    assert [(c.person.name, c.reason) for c in by_name] == [("张小明", "name_birth")]
    assert hh.find_duplicates(db, hh.PersonInput("张小明", birth_date=dt.date(2016, 9, 2))) == []
    assert (
        hh.find_duplicates(db, hh.PersonInput("张三", id_number=ZHANG_SAN_ID), exclude_id=family["head"])
        == []
    )


def test_the_household_has_one_head(db, officer, family, today):
    err = refused(
        hh.add_person,
        db,
        officer,
        family["household"],
        hh.PersonInput("张老汉", sex="M", birth_date=dt.date(1960, 1, 1), relation="head"),
        today,
    )
    assert (err.msg_id, err.params["name"]) == ("household.has_head", "张三")


def test_an_edit_with_a_stale_revision_is_refused(db, officer, family, today):
    son = hh.get_person(db, family["son"])  # the form opens at rev 1
    data = hh.PersonInput("张小明", sex="M", birth_date=dt.date(2016, 9, 1), relation="son")
    hh.update_person(
        db,
        officer,
        son.id,
        hh.PersonInput(**{**data.__dict__, "notes": "上小学"}),
        today,
        expected_rev=son.rev,
    )  # someone else saves first
    err = refused(
        hh.update_person,
        db,
        officer,
        son.id,
        hh.PersonInput(**{**data.__dict__, "phone": "13900003333"}),
        today,
        expected_rev=son.rev,
    )
    assert err.msg_id == "record.changed_meanwhile"
    after = hh.get_person(db, son.id)
    assert (after.rev, after.notes, after.phone) == (2, "上小学", "")


def test_a_marriage_typed_in_the_form_is_a_vital_event(db, officer, family, today):
    hid = hh.create_household(db, officer, hh.HouseholdInput("0102", 1))
    pid = hh.add_person(
        db, officer, hid, hh.PersonInput("王芳", id_number=WANG_FANG_ID, relation="head"), today
    )
    hh.update_person(
        db,
        officer,
        pid,
        hh.PersonInput(
            "王芳",
            id_number=WANG_FANG_ID,
            relation="head",
            marital_status="first_marriage",
            marriage_date=dt.date(1970, 5, 1),
        ),
        today,
    )
    assert events_of(db, pid) == [("marriage", dt.date(1970, 5, 1), None)]


# ---------------------------------------------------------------- deaths and moves


def test_record_death(db, officer, family, today):
    hh.record_death(db, officer, family["head"], dt.date(2026, 10, 3), today, notes="病故")
    head = hh.get_person(db, family["head"])
    assert (head.residence_status, head.death_date) == ("deceased", dt.date(2026, 10, 3))
    assert events_of(db, family["head"]) == [("death", dt.date(2026, 10, 3), None)]
    assert hh.get_person(db, family["wife"]).marital_status == "widowed"
    assert hh.get_person(db, family["son"]).marital_status == "unmarried"
    assert hh.get_household(db, family["household"]).members == 2  # the register counts the living
    assert len(hh.household_members(db, family["household"], include_gone=False)) == 2
    # his ID number may now be typed for someone else without a refusal (the dead keep theirs)
    assert hh.find_duplicates(db, hh.PersonInput("张三", id_number=ZHANG_SAN_ID))[
        0
    ].person.residence_status == ("deceased")
    # and the widow can become the head
    hh.update_person(
        db,
        officer,
        family["wife"],
        hh.PersonInput("李秀兰", id_number=LI_XIULAN_ID, relation="head", marital_status="widowed"),
        today,
    )
    assert hh.get_household(db, family["household"]).head_name == "李秀兰"


def test_a_death_before_birth_or_in_the_future_is_refused(db, officer, family, today):
    err = refused(hh.record_death, db, officer, family["son"], dt.date(2016, 8, 31), today)
    assert (err.msg_id, err.field) == ("person.death_before_birth", "death_date")
    err = refused(hh.record_death, db, officer, family["son"], today + dt.timedelta(days=1), today)
    assert (err.msg_id, err.field) == ("date.in_future", "death_date")
    assert hh.get_person(db, family["son"]).residence_status == "resident"
    assert events_of(db, family["son"]) == []


def test_a_death_is_recorded_once(db, officer, family, today):
    hh.record_death(db, officer, family["son"], today, today)
    assert refused(hh.record_death, db, officer, family["son"], today, today).msg_id == "person.is_deceased"
    assert (
        refused(
            hh.update_person,
            db,
            officer,
            family["son"],
            hh.PersonInput("张小明", sex="M", birth_date=dt.date(2016, 9, 1)),
            today,
        ).msg_id
        == "person.is_deceased"
    )


def test_a_permanent_move_away(db, officer, family, today):
    hh.record_move_away(
        db, officer, family["son"], dt.date(2026, 9, 1), "兰州市城关区", today, permanent=True
    )
    son = hh.get_person(db, family["son"])
    assert (son.residence_status, son.residence_place) == ("moved_away", "兰州市城关区")
    assert events_of(db, family["son"]) == [("move_out", dt.date(2026, 9, 1), "兰州市城关区")]
    assert hh.get_household(db, family["household"]).members == 2
    err = refused(hh.record_move_away, db, officer, family["son"], dt.date(2026, 9, 2), "天水", today)
    assert err.msg_id == "person.not_present"


def test_a_temporary_move_keeps_the_person_in_the_village(db, officer, family, today):
    hh.record_move_away(db, officer, family["wife"], dt.date(2026, 3, 1), "深圳", today, permanent=False)
    wife = hh.get_person(db, family["wife"])
    assert (wife.residence_status, wife.residence_place) == ("out_migrant", "深圳")
    assert events_of(db, family["wife"]) == [("move_out", dt.date(2026, 3, 1), "深圳")]
    assert hh.get_household(db, family["household"]).members == 3


def test_a_move_needs_a_destination_and_a_sensible_date(db, officer, family, today):
    err = refused(hh.record_move_away, db, officer, family["son"], dt.date(2026, 9, 1), "  ", today)
    assert (err.msg_id, err.field) == ("field.required", "residence_place")
    err = refused(hh.record_move_away, db, officer, family["son"], dt.date(2016, 8, 1), "兰州", today)
    assert (err.msg_id, err.field) == ("event.before_birth", "event_date")
    err = refused(
        hh.record_move_away, db, officer, family["son"], today + dt.timedelta(days=1), "兰州", today
    )
    assert (err.msg_id, err.field) == ("date.in_future", "event_date")


def test_move_to_another_household(db, officer, family, today):
    new = hh.create_household(db, officer, hh.HouseholdInput("0201", 2, "红星村二组 1 号"))
    hh.move_to_household(db, officer, family["head"], new, "head", today)
    head = hh.get_person(db, family["head"])
    assert (head.household_id, head.household_no, head.relation) == (new, "0201", "head")
    assert hh.get_household(db, new).head_name == "张三"
    assert hh.get_household(db, family["household"]).head_name == ""  # the old household has no head now
    assert events_of(db, family["head"]) == []  # not a vital event: he is still in the village
    err = refused(hh.move_to_household, db, officer, family["head"], new, "head", today)
    assert err.msg_id == "person.same_household"


# ---------------------------------------------------------------- household numbers and the register


def test_a_household_number_is_used_once(db, officer, family):
    err = refused(hh.create_household, db, officer, hh.HouseholdInput(" 0101 ", 2))
    assert (err.msg_id, err.field, err.params["number"]) == ("household.number_taken", "household_no", "0101")
    other = hh.create_household(db, officer, hh.HouseholdInput("0102", 1))
    err = refused(hh.update_household, db, officer, other, hh.HouseholdInput("0101", 1))
    assert err.msg_id == "household.number_taken"
    hh.update_household(
        db, officer, family["household"], hh.HouseholdInput("0101", 1, "新地址")
    )  # its own number


def test_a_household_needs_a_known_group(db, officer):
    err = refused(hh.create_household, db, officer, hh.HouseholdInput("0901", 9))
    assert (err.msg_id, err.field, err.params["group"]) == ("household.group_unknown", "group_no", 9)


def test_unknown_records_are_not_found(db, officer, today):
    with pytest.raises(NotFound):
        hh.get_person(db, "no-such-id")
    with pytest.raises(NotFound):
        hh.get_household(db, "no-such-id")
    with pytest.raises(NotFound):
        hh.add_person(db, officer, "no-such-id", hh.PersonInput("王芳", id_number=WANG_FANG_ID), today)


@pytest.fixture
def register(db, officer, family, today) -> dict[str, str]:
    """Two more households: 0102 (head 曾家明, group 1) and 0201 (head 王芳, group 2)."""
    zeng = hh.create_household(db, officer, hh.HouseholdInput("0102", 1, "红星村一组 8 号"))
    hh.add_person(
        db,
        officer,
        zeng,
        hh.PersonInput("曾家明", sex="M", birth_date=dt.date(1980, 6, 1), relation="head"),
        today,
    )
    wang = hh.create_household(db, officer, hh.HouseholdInput("0201", 2, "红星村二组 2 号", "0943-8123456"))
    hh.add_person(db, officer, wang, hh.PersonInput("王芳", id_number=WANG_FANG_ID, relation="head"), today)
    return {"zhang": family["household"], "zeng": zeng, "wang": wang}


@pytest.mark.parametrize(
    ("typed", "heads"),
    [
        ("", ["张三", "曾家明", "王芳"]),
        ("0101", ["张三"]),
        ("0201", ["王芳"]),
        ("010", ["张三", "曾家明"]),  # a household-number fragment: 0101 and 0102
        ("张三", ["张三"]),
        ("王", ["王芳"]),
        ("zs", ["张三"]),
        ("lxl", ["张三"]),  # his wife's initials find the household
        ("zxm", ["张三"]),  # and his son's
        ("zeng", ["曾家明"]),
        ("ceng", ["曾家明"]),
        ("8123456", ["王芳"]),  # the household's phone
        ("二组", ["王芳"]),  # the address
        ("nobody", []),
    ],
)
def test_list_households_filters(db, register, typed, heads):
    assert [h.head_name for h in hh.list_households(db, typed)] == heads


def test_list_households_by_group(db, register):
    assert [h.household_no for h in hh.list_households(db, group_no=1)] == ["0101", "0102"]
    assert [h.household_no for h in hh.list_households(db, "zs", group_no=2)] == []


# ---------------------------------------------------------------- the search box


@pytest.mark.parametrize(
    ("typed", "found"),
    [
        ("zhangsan", [("person", "张三")]),
        ("ZS", [("person", "张三")]),
        ("张", [("person", "张三"), ("person", "张小明")]),
        ("cjm", [("person", "曾家明")]),
        ("zengjiaming", [("person", "曾家明")]),
        ("0307", [("person", "张三")]),  # a fragment of his ID number (born 0307)
        ("1231002x", [("person", "王芳")]),  # the end of an ID number, typed with a small x
        ("0201", [("household", "0201")]),
        ("nobody", []),
    ],
)
def test_search(db, register, typed, found):
    assert [(hit.kind, hit.title) for hit in search(db, typed)] == found


def test_search_shows_the_living_before_the_gone(db, officer, register, today):
    hh.record_death(
        db, officer, hh.household_members(db, register["zhang"])[0].id, dt.date(2026, 1, 1), today
    )
    assert [hit.title for hit in search(db, "张")] == ["张小明", "张三"]
    assert search(db, "张")[1].residence_status == "deceased"


# ---------------------------------------------------------------- record quality


def test_quality_counts_a_member_without_an_id_number(db, family):
    report = record_quality(db)
    # 张三 passes; 李秀兰 passes; 张小明 has no ID number
    assert (report.total, report.passing) == (3, 2)
    assert report.failures == (("quality.rule.id_missing", 1),)
    assert report.rate == pytest.approx(2 / 3)


def test_quality_of_an_empty_village_is_not_a_number(db):
    report = record_quality(db)
    assert (report.total, report.passing, report.failures, report.rate) == (0, 0, (), None)


def test_wildcards_typed_in_a_filter_match_nothing_special(db, officer, today):
    hid = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "一组 1 号"))
    hh.add_person(
        db,
        officer,
        hid,
        hh.PersonInput(name="张三", sex="M", birth_date=today.replace(year=1980), relation="head"),
        today,
    )
    assert (
        hh.list_households(db, "%") != [] and len(hh.list_households(db, "%")) == 1
    )  # same as an empty filter
    assert hh.list_households(db, "z_") == hh.list_households(db, "z")
    assert hh.load_register(db).filter("zs%") == hh.list_households(db, "zs")


def test_household_whose_head_died_fails_the_head_rule(db, officer, today):
    from app.services.quality import record_quality

    hid = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "一组 1 号", "13900001111"))
    head = hh.add_person(
        db, officer, hid, hh.PersonInput(name="张三", id_number="110101199003071233", relation="head"), today
    )
    hh.add_person(
        db,
        officer,
        hid,
        hh.PersonInput(name="张小红", id_number="110105199208150029", relation="daughter"),
        today,
    )
    assert dict(record_quality(db).failures).get("quality.rule.household_without_head") is None
    hh.record_death(db, officer, head, today, today)
    assert dict(record_quality(db).failures)["quality.rule.household_without_head"] == 1


def test_a_household_fails_the_phone_rule_only_when_nobody_can_be_reached(db, officer, today):
    """A household phone, or any member's phone, is a way to reach the household; only a household with
    neither fails, and then every member present fails with it."""

    def household(number: str, phone: str | None, member_phones: tuple[str | None, ...]) -> list[str]:
        hid = hh.create_household(db, officer, hh.HouseholdInput(number, 1, f"一组 {number} 号", phone))
        ids = []
        for i, member_phone in enumerate(member_phones):
            data = hh.PersonInput(
                name=f"张{'一二三'[i]}",
                sex="M",
                birth_date=dt.date(1980 + i, 1, 1),
                relation="head" if i == 0 else "son",
                phone=member_phone,
            )
            ids.append(hh.add_person(db, officer, hid, data, today))
        return ids

    household("0101", "13900001111", (None, None))  # the household's phone, nobody's own
    household("0102", None, (None, "13900002222"))  # the son's phone
    unreachable = household("0103", None, (None, None))
    with db.read() as s:
        check = quality.check_on(s, today)
    assert set(check.failing["quality.rule.household_unreachable"]) == set(unreachable)
    assert dict(record_quality(db, today).failures)["quality.rule.household_unreachable"] == 2
    assert tr("quality.rule.household_unreachable") == "全户无法联系（户电话和成员电话都没有）"
