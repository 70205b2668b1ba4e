"""Voiding records typed by mistake and merging two records of one person (issue 11): what stays, what goes,
what is refused, and the follow-ups re-planned."""

from __future__ import annotations

import datetime as dt

import pytest
import sqlalchemy as sa

from app.errors import DomainError
from app.models import Followup, FollowupAnswer, Person, VitalEvent
from app.services import care, followups, merging, supplies, voiding
from app.services import households as hh
from app.services import pregnancies as pg
from app.vocab import FollowupStatus
from tests.conftest import TODAY

LMP = TODAY - dt.timedelta(days=70)


@pytest.fixture
def home(db, officer) -> str:
    return hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "一组 1 号"))


def _woman(db, officer, home, name="王芳", **extra) -> str:
    data = {"sex": "F", "birth_date": dt.date(1995, 3, 1), **extra}
    return hh.add_person(db, officer, home, hh.PersonInput(name, **data), TODAY)


def _open_followups(db, person_id) -> list[str]:
    return [
        f.followup_type for f in followups.person_followups(db, person_id) if f.status == FollowupStatus.DUE
    ]


def test_a_voided_pregnancy_cancels_its_visits_and_leaves_the_register(db, officer, home):
    woman = _woman(db, officer, home)
    pid = pg.register_pregnancy(db, officer, woman, pg.PregnancyInput(LMP, registration_date=TODAY), TODAY)
    assert _open_followups(db, woman)
    with pytest.raises(DomainError) as no_reason:
        voiding.void_pregnancy(db, officer, pid, "  ", TODAY)
    assert no_reason.value.field == "reason"
    voiding.void_pregnancy(db, officer, pid, "录错了人", TODAY)
    assert pg.open_pregnancies(db) == [] and pg.pregnancies_of(db, woman) == []
    assert _open_followups(db, woman) == []
    # she can be registered again (the one open pregnancy per woman is the live one)
    pg.register_pregnancy(db, officer, woman, pg.PregnancyInput(LMP, registration_date=TODAY), TODAY)


def test_a_voided_visit_is_open_again_with_its_answers_voided(db, officer, home):
    woman = _woman(db, officer, home)
    pg.register_pregnancy(db, officer, woman, pg.PregnancyInput(LMP, registration_date=TODAY), TODAY)
    first = next(f for f in followups.person_followups(db, woman) if f.followup_type == "anc1")
    detail = followups.get_detail(db, first.id)
    answers = {
        i.key: ("no" if i.kind == "yesno" else "1" if i.kind == "number" else "好")
        for i in detail.template.items
    }
    answers = {k: v for k, v in answers.items() if k in {i.key for i in detail.template.items if i.required}}
    followups.record_visit(db, officer, first.id, followups.VisitInput(TODAY, answers), TODAY)
    done = followups.get_detail(db, first.id).row
    with pytest.raises(DomainError) as stale:
        voiding.void_visit(db, officer, first.id, "记在了别人名下", TODAY, expected_rev=first.rev)
    assert stale.value.msg_id == "record.changed_meanwhile"
    voiding.void_visit(db, officer, first.id, "记在了别人名下", TODAY, expected_rev=done.rev)
    again = followups.get_detail(db, first.id)
    assert (again.row.status, again.row.done_date, again.answers) == (FollowupStatus.DUE, None, {})
    with db.read() as s:
        voided = (
            s.execute(sa.select(FollowupAnswer).where(FollowupAnswer.followup_id == first.id)).scalars().all()
        )
    assert voided and all(a.deleted_reason == "记在了别人名下" for a in voided)


def test_voiding_a_changed_method_makes_the_earlier_one_current_again(db, officer, home):
    woman = _woman(db, officer, home)
    first = care.choose_method(
        db,
        officer,
        woman,
        care.MethodInput("condom", TODAY - dt.timedelta(days=90), TODAY - dt.timedelta(days=90)),
        TODAY,
    )
    wrong = care.choose_method(db, officer, woman, care.MethodInput("iud", TODAY, TODAY), TODAY)
    voiding.void_method(db, officer, wrong, "选错了方法", TODAY)
    current = care.current_method(db, woman)
    assert current is not None and (current.id, current.method, current.stop_date) == (first, "condom", None)
    assert [m.id for m in care.methods_of(db, woman)] == [first]


def test_a_household_with_members_and_a_person_with_supplies_are_not_voided(db, officer, home):
    woman = _woman(db, officer, home)
    with pytest.raises(DomainError) as members:
        voiding.void_household(db, officer, home, "重复的户")
    assert members.value.msg_id == "void.household_has_members"
    item = next(i for i in supplies.items(db, TODAY) if i.code == "C01")
    supplies.receive(db, officer, supplies.ReceiptInput(item.id, "L1", dt.date(2029, 1, 1), 50, TODAY), TODAY)
    supplies.issue_to_person(
        db, officer, supplies.IssueInput(item.id, None, 10, TODAY, person_id=woman), TODAY
    )
    with pytest.raises(DomainError) as issued:
        voiding.void_person(db, officer, woman, "录错了", TODAY)
    assert issued.value.msg_id == "void.person_has_supplies"
    other = _woman(db, officer, home, "李四妹")
    voiding.void_person(db, officer, other, "录错了", TODAY)
    assert [m.name for m in hh.household_members(db, home)] == ["王芳"]


def test_merging_moves_everything_to_the_survivor_and_frees_the_id_number(db, officer, home):
    home2 = hh.create_household(db, officer, hh.HouseholdInput("0102", 1))
    with_id = hh.add_person(
        db,
        officer,
        home,
        hh.PersonInput("李梅", id_number="110105199208150029", relation="spouse"),
        TODAY,
        arrival=None,
    )
    typed_again = _woman(db, officer, home2, "李梅", birth_date=dt.date(1992, 8, 15), phone="13900001111")
    hh.record_move_away(
        db, officer, typed_again, TODAY - dt.timedelta(days=5), "兰州市", TODAY, permanent=False
    )
    pg.register_pregnancy(db, officer, typed_again, pg.PregnancyInput(LMP, registration_date=TODAY), TODAY)
    # the survivor is the record without the ID; it takes the ID number and the phone of the other
    merging.merge_people(
        db, officer, typed_again, with_id, {"id_number": merging.OTHER, "household": merging.OTHER}, TODAY
    )
    kept = hh.get_person(db, typed_again)
    assert (kept.id_number, kept.phone, kept.household_no) == ("110105199208150029", "13900001111", "0101")
    with pytest.raises(DomainError):
        hh.get_person(db, with_id)  # merged: not found as a live person
    with db.read() as s:
        merged = s.get(Person, with_id)
        assert (merged.status, merged.merged_into) == ("merged", typed_again)
        moves = (
            s.execute(sa.select(VitalEvent.person_id).where(VitalEvent.event_type == "move_out"))
            .scalars()
            .all()
        )
        assert moves == [typed_again]
        assert all(f.person_id == typed_again for f in s.execute(sa.select(Followup)).scalars())
    assert len(pg.pregnancies_of(db, typed_again)) == 1


def test_two_ongoing_pregnancies_are_not_merged_silently(db, officer, home):
    a, b = _woman(db, officer, home, "赵敏"), _woman(db, officer, home, "赵敏")
    for w in (a, b):
        pg.register_pregnancy(db, officer, w, pg.PregnancyInput(LMP, registration_date=TODAY), TODAY)
    with pytest.raises(DomainError) as refused:
        merging.merge_people(db, officer, a, b, {}, TODAY)
    assert refused.value.msg_id == "merge.two_open_pregnancies"
    assert hh.get_person(db, b).name == "赵敏"  # nothing changed
