"""Care records and their follow-ups on a real database: pregnancies, visits on their checklists, referrals,
missed windows, contraceptive methods, folic acid, pre-pregnancy checks, family support, births, deaths,
moves and regenerating everything. Today is Tuesday 24 Nov 2026 (this week: Mon 23 – Sun 29 Nov);
the horizon of repeating follow-ups is today + 92 days = 24 Feb 2027. Expected dates are counted by hand."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from app.db import Database
from app.errors import DomainError, NotFound
from app.models import Followup, Person, VitalEvent, tracking
from app.services import care, checklists, followups
from app.services import households as hh
from app.services import pregnancies as pg
from app.services.followups import VisitInput

D = dt.date
ZHANG_SAN_ID = "110101199003071233"  # male, born 1990-03-07
LI_XIULAN_ID = "620422199208150849"  # female, born 1992-08-15 (34 on today's date)
ANC_OK = {"checked_at_facility": "yes", "danger_signs": "no", "referred": "no"}
CONTRACEPTIVE_OK = {"side_effects": "no", "satisfied": "yes", "wants_change": "no"}


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.fixture
def family(db: Database, officer: str, today: dt.date) -> dict[str, str]:
    """Household 0101: 张三 (head), 李秀兰 (his wife), 张小明 (their son, 10); household 0102: 王奶奶 (55)."""
    hid = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 3 号", "13900001111"))
    married = {"marital_status": "first_marriage", "marriage_date": dt.date(2015, 5, 1)}
    head = hh.add_person(
        db, officer, hid, hh.PersonInput("张三", id_number=ZHANG_SAN_ID, relation="head", **married), today
    )
    wife = hh.add_person(
        db,
        officer,
        hid,
        hh.PersonInput("李秀兰", id_number=LI_XIULAN_ID, relation="spouse", **married),
        today,
    )
    son = hh.add_person(
        db, officer, hid, hh.PersonInput("张小明", sex="M", birth_date=D(2016, 9, 1), relation="son"), today
    )
    other = hh.create_household(db, officer, hh.HouseholdInput("0102", 1, "红星村一组 5 号"))
    grandma = hh.add_person(
        db,
        officer,
        other,
        hh.PersonInput("王秀珍", sex="F", birth_date=D(1971, 3, 2), relation="head"),
        today,
    )
    return {"household": hid, "head": head, "wife": wife, "son": son, "other": other, "grandma": grandma}


def rows_of(db: Database, person_id: str, ftype: str | None = None) -> list[followups.FollowupRow]:
    return [r for r in followups.person_followups(db, person_id) if ftype is None or r.followup_type == ftype]


def one(db: Database, person_id: str, ftype: str, status: str | None = None) -> followups.FollowupRow:
    found = [r for r in rows_of(db, person_id, ftype) if status is None or r.status == status]
    assert len(found) == 1, found
    return found[0]


def window(r: followups.FollowupRow) -> tuple[dt.date, dt.date, dt.date]:
    return r.earliest, r.due, r.latest


def register(db, officer, woman, lmp: dt.date, today: dt.date) -> str:
    return pg.register_pregnancy(db, officer, woman, pg.PregnancyInput(lmp, today), today)


def row_count(db: Database, person_id: str) -> int:
    with db.read() as s:
        return s.execute(
            sa.select(sa.func.count()).select_from(Followup).where(Followup.person_id == person_id)
        ).scalar_one()


# ---------------------------------------------------------------- pregnancy and antenatal follow-ups


def test_a_registered_pregnancy_has_five_antenatal_follow_ups(db, officer, family, today):
    register(db, officer, family["wife"], D(2026, 9, 1), today)
    found = {r.followup_type: r for r in rows_of(db, family["wife"])}
    assert sorted(found) == ["anc1", "anc2", "anc3", "anc4", "anc5"]
    assert {r.status for r in found.values()} == {"due"}
    assert {r.source_table for r in found.values()} == {"pregnancy"}
    # LMP 1 Sep: 30 Sep = +29, 31 Oct = +60, 24 Nov = +84, 30 Nov = +90, 22 Dec = +112, 25 Jan = +146
    assert window(found["anc1"]) == (D(2026, 9, 1), D(2026, 11, 24), D(2026, 11, 30))
    assert window(found["anc2"]) == (D(2026, 12, 22), D(2026, 12, 22), D(2027, 1, 25))


def test_an_lmp_edit_moves_the_open_windows_and_keeps_the_done_ones(db, officer, family, today):
    pid = register(db, officer, family["wife"], D(2026, 9, 1), today)
    anc1 = one(db, family["wife"], "anc1")
    followups.record_visit(db, officer, anc1.id, VisitInput(today, ANC_OK), today)
    assert row_count(db, family["wife"]) == 5
    # the ultrasound dates the LMP a week later: 8 Sep (30 Sep = +22, 31 Oct = +53, 30 Nov = +83, 29 Dec = +112)
    pg.update_pregnancy(db, officer, pid, pg.PregnancyInput(D(2026, 9, 8), today), today)
    assert row_count(db, family["wife"]) == 5  # moved in place, nothing duplicated
    done = one(db, family["wife"], "anc1")
    assert (done.status, window(done)) == ("done", (D(2026, 9, 1), D(2026, 11, 24), D(2026, 11, 30)))
    assert window(one(db, family["wife"], "anc2"))[:2] == (D(2026, 12, 29), D(2026, 12, 29))
    assert Counter(r.followup_type for r in rows_of(db, family["wife"])) == Counter(
        {"anc1": 1, "anc2": 1, "anc3": 1, "anc4": 1, "anc5": 1}
    )
    # and the same edit again changes nothing
    pg.update_pregnancy(db, officer, pid, pg.PregnancyInput(D(2026, 9, 8), today), today)
    assert row_count(db, family["wife"]) == 5


def test_a_visit_is_recorded_on_its_checklist_and_leaves_the_week_list(db, officer, family, today):
    register(db, officer, family["wife"], D(2026, 9, 1), today)
    anc1 = one(db, family["wife"], "anc1")
    assert anc1.id in {r.id for r in followups.work_list(db, today, "week")}
    error = refused(
        followups.record_visit,
        db,
        officer,
        anc1.id,
        VisitInput(today, {"checked_at_facility": "yes", "referred": "no"}),
        today,
    )
    assert (error.msg_id, error.field) == ("checklist.answer_required", checklists.field_of("danger_signs"))
    assert one(db, family["wife"], "anc1").status == "due"  # nothing saved half-way
    followups.record_visit(db, officer, anc1.id, VisitInput(today, {**ANC_OK, "facility": "镇卫生院"}), today)
    detail = followups.get_detail(db, anc1.id)
    assert (detail.row.status, detail.row.done_date) == ("done", today)
    assert detail.answers == {**ANC_OK, "facility": "镇卫生院"}
    assert anc1.id not in {r.id for r in followups.work_list(db, today, "week")}


def test_a_referral_answer_creates_a_referral_follow_up_within_14_days(db, officer, family, today):
    register(db, officer, family["wife"], D(2026, 9, 1), today)
    anc1 = one(db, family["wife"], "anc1")
    done_on = D(2026, 11, 23)
    followups.record_visit(db, officer, anc1.id, VisitInput(done_on, {**ANC_OK, "referred": "yes"}), today)
    referral = one(db, family["wife"], "referral")
    assert (referral.status, referral.source_table, referral.source_id) == ("due", "followup", anc1.id)
    # referred on 23 Nov: due a week later (30 Nov), at the latest 14 days later (7 Dec)
    assert window(referral) == (D(2026, 11, 23), D(2026, 11, 30), D(2026, 12, 7))
    assert referral.latest - done_on <= dt.timedelta(days=14)
    assert referral.id in {r.id for r in followups.work_list(db, today, "week")}


def test_a_follow_up_is_missed_exactly_after_its_latest_day(db, officer, family, today):
    register(db, officer, family["wife"], D(2026, 9, 1), today)
    anc1 = one(db, family["wife"], "anc1")
    assert anc1.latest == D(2026, 11, 30)
    assert followups.mark_missed(db, officer, D(2026, 11, 30)) == 0
    assert one(db, family["wife"], "anc1").status == "due"
    assert followups.mark_missed(db, officer, D(2026, 12, 1)) == 1
    missed = one(db, family["wife"], "anc1")
    assert missed.status == "missed"
    assert missed.id in {r.id for r in followups.work_list(db, D(2026, 12, 1), "overdue")}
    # a missed visit can still be recorded late
    followups.record_visit(db, officer, anc1.id, VisitInput(today, ANC_OK), today)
    assert one(db, family["wife"], "anc1").status == "done"


def test_a_late_registration_shows_the_first_window_as_missed(db, officer, family, today):
    register(db, officer, family["wife"], D(2026, 7, 1), today)  # 20+6 weeks on registration
    assert one(db, family["wife"], "anc1").status == "missed"
    assert one(db, family["wife"], "anc2").status == "due"


def test_a_live_birth_adds_the_newborn_and_schedules_postpartum_follow_ups(db, officer, family, today):
    pid = register(db, officer, family["wife"], D(2026, 3, 1), today)
    assert one(db, family["wife"], "anc5").status == "due"  # 15 Nov – 12 Dec
    outcome = pg.OutcomeInput(
        "live_birth",
        D(2026, 11, 20),
        "hospital",
        "县医院",
        D(2026, 11, 22),
        (pg.NewbornInput("张小红", "F"),),
    )
    (baby,) = pg.record_outcome(db, officer, pid, outcome, today)
    with db.read() as s:
        child = s.get(Person, baby)
        events = s.execute(
            sa.select(VitalEvent.event_type, VitalEvent.event_date, VitalEvent.household_id).where(
                VitalEvent.person_id == baby
            )
        ).all()
    assert (child.household_id, child.born_of_pregnancy_id, child.birth_date) == (
        family["household"],
        pid,
        D(2026, 11, 20),
    )
    assert (child.relation, child.sex) == ("daughter", "F")
    assert [tuple(e) for e in events] == [("birth", D(2026, 11, 20), family["household"])]
    # discharged 22 Nov: visit due 25 Nov, within 29 Nov; the 42-day check from the delivery on 20 Nov:
    # 30 Nov = +10, 31 Dec = +41, 1 Jan = +42, 15 Jan = +56
    assert window(one(db, family["wife"], "postpartum_visit")) == (
        D(2026, 11, 22),
        D(2026, 11, 25),
        D(2026, 11, 29),
    )
    assert window(one(db, family["wife"], "postpartum_42d")) == (D(2027, 1, 1), D(2027, 1, 1), D(2027, 1, 15))
    anc5 = one(db, family["wife"], "anc5")
    assert (anc5.status, anc5.status_reason) == ("cancelled", "followup.reason.pregnancy_ended")
    assert {r.status for r in rows_of(db, family["wife"]) if r.followup_type in ("anc1", "anc2", "anc3")} == {
        "missed"
    }


def test_a_death_cancels_her_due_follow_ups_and_keeps_the_missed_ones(db, officer, family, today):
    register(db, officer, family["wife"], D(2026, 7, 1), today)
    care.start_folic_course(db, officer, family["wife"], care.FolicCourseInput(D(2026, 11, 1)), today)
    hh.record_death(db, officer, family["wife"], D(2026, 11, 23), today)
    statuses = {
        (r.followup_type, r.occurrence): (r.status, r.status_reason) for r in rows_of(db, family["wife"])
    }
    assert statuses[("anc1", 1)] == ("missed", "")
    for key in [("anc2", 1), ("anc3", 1), ("anc4", 1), ("anc5", 1), ("folic_adherence", 1)]:
        assert statuses[key] == ("cancelled", "followup.reason.person_gone"), key
    assert not [r for r in rows_of(db, family["wife"]) if r.status == "due"]
    assert not followups.work_list(db, today, "week")


def test_a_permanent_move_cancels_due_follow_ups_and_a_temporary_one_keeps_them(db, officer, family, today):
    register(db, officer, family["wife"], D(2026, 9, 1), today)
    hh.record_move_away(db, officer, family["wife"], today, "兰州市", today, permanent=False)
    assert {r.status for r in rows_of(db, family["wife"])} == {"due"}
    hh.record_move_away(db, officer, family["wife"], today, "兰州市", today, permanent=True)
    assert {(r.status, r.status_reason) for r in rows_of(db, family["wife"])} == {
        ("cancelled", "followup.reason.person_gone")
    }


# ---------------------------------------------------------------- contraceptive methods


@contextmanager
def typed_in_on(day: dt.date) -> Iterator[None]:
    """Records saved inside are stamped as typed in on `day` (09:00 in China), as if the officer had."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(tracking, "now_utc", lambda: dt.datetime.combine(day, dt.time(1, 0), dt.UTC))
        yield


def test_a_new_method_closes_the_old_episode_and_cancels_its_remaining_checks(db, officer, family, today):
    wife = family["wife"]
    with typed_in_on(D(2026, 1, 10)):
        iud = care.choose_method(
            db, officer, wife, care.MethodInput("iud", D(2026, 1, 10), D(2026, 1, 10)), D(2026, 1, 10)
        )
    # on 10 Jan the horizon (+92 days) is 12 Apr: checks 1 and 3 months later
    assert [(r.due, r.status) for r in rows_of(db, wife, "contraceptive_check")] == [
        (D(2026, 2, 10), "due"),
        (D(2026, 4, 10), "due"),
    ]
    # today's start-up run: both were not done in time, and the 12-month check (10 Jan 2027) is now ahead
    followups.regenerate_all(db, officer, today)
    assert [(r.due, r.status) for r in rows_of(db, wife, "contraceptive_check")] == [
        (D(2026, 2, 10), "missed"),
        (D(2026, 4, 10), "missed"),
        (D(2027, 1, 10), "due"),
    ]
    condom = care.choose_method(
        db, officer, wife, care.MethodInput("condom", D(2026, 11, 20), D(2026, 11, 18), "  想换方法  "), today
    )
    new, old = care.methods_of(db, wife)
    assert (new.id, new.method, new.stop_date, new.counselling_notes) == (condom, "condom", None, "想换方法")
    assert (old.id, old.stop_date, old.stop_reason) == (iud, D(2026, 11, 20), care.CHANGED_METHOD)
    assert care.current_method(db, wife) == new
    checks = rows_of(db, wife, "contraceptive_check")
    assert [(r.due, r.status, r.status_reason) for r in checks] == [
        (D(2026, 2, 10), "missed", ""),
        (D(2026, 4, 10), "missed", ""),
        (D(2027, 1, 10), "cancelled", "followup.reason.method_stopped"),
    ]
    assert len(rows_of(db, wife)) == 3  # a condom has no follow-ups


def test_a_method_from_the_paper_register_gets_no_missed_checks_from_before_it_was_entered(
    db, officer, family, today
):
    wife = family["wife"]
    care.choose_method(db, officer, wife, care.MethodInput("iud", D(2012, 5, 1), D(2012, 4, 28)), today)
    # yearly checks on 1 May: 2026's closed on 31 May, before the IUD was entered; 2027's is past the horizon
    assert rows_of(db, wife) == []
    followups.regenerate_all(db, officer, D(2027, 4, 20))
    (check,) = rows_of(db, wife, "contraceptive_check")
    # 1 May 2027 = 1, 3, 12 months then 14 more years after 1 May 2012: the 17th occurrence
    assert (check.occurrence, window(check), check.status) == (
        17,
        (D(2027, 4, 24), D(2027, 5, 1), D(2027, 5, 31)),
        "due",
    )
    # a support entitlement since 2015, monthly: the visits from today on, none "missed" for 2015–2026
    care.add_support(
        db,
        officer,
        family["household"],
        care.SupportInput("reward", family["head"], 2026, D(2015, 1, 1)),
        today,
    )
    assert [(r.due, r.status) for r in rows_of(db, family["head"], "support_visit")] == [
        (D(2026, 12, 1), "due"),
        (D(2027, 1, 1), "due"),
        (D(2027, 2, 1), "due"),
    ]


def test_the_next_injection_appears_once_the_injection_visit_is_done(db, officer, family, today):
    wife = family["wife"]
    care.choose_method(db, officer, wife, care.MethodInput("injectable", D(2026, 8, 1), D(2026, 8, 1)), today)
    # 1 Aug: 31 Aug = +30, 30 Sep = +60, 24 Oct = +84, 31 Oct = +91, 28 Nov = +119
    first = one(db, wife, "injection")
    assert (first.occurrence, window(first), first.status) == (
        1,
        (D(2026, 10, 24), D(2026, 10, 24), D(2026, 11, 28)),
        "due",
    )
    followups.record_visit(db, officer, first.id, VisitInput(D(2026, 11, 20), CONTRACEPTIVE_OK), today)
    # given on 20 Nov: 30 Nov = +10, 31 Dec = +41, 31 Jan = +72, 12 Feb = +84, 28 Feb = +100, 19 Mar = +119
    nxt = one(db, wife, "injection", "due")
    assert (nxt.occurrence, window(nxt)) == (2, (D(2027, 2, 12), D(2027, 2, 12), D(2027, 3, 19)))
    # stopping the method cancels the reminder
    (episode,) = care.methods_of(db, wife)
    care.stop_method(db, officer, episode.id, today, "想怀孕", today)
    reminder = one(db, wife, "injection", "cancelled")
    assert reminder.status_reason == "followup.reason.method_stopped"
    assert care.current_method(db, wife) is None
    assert care.methods_of(db, wife)[0].stop_reason == "想怀孕"


def test_method_rules(db, officer, family, today):
    head, wife = family["head"], family["wife"]
    e = refused(care.choose_method, db, officer, head, care.MethodInput("iud", today, today), today)
    assert (e.msg_id, e.field) == ("care.method_not_for_sex", "method")
    e = refused(
        care.choose_method, db, officer, wife, care.MethodInput("male_sterilisation", today, today), today
    )
    assert (e.msg_id, e.field) == ("care.method_not_for_sex", "method")
    e = refused(care.choose_method, db, officer, wife, care.MethodInput("pill", today, None), today)
    assert (e.msg_id, e.field) == ("care.counselling_required", "counselled_on")
    e = refused(
        care.choose_method, db, officer, wife, care.MethodInput("pill", D(2026, 11, 1), D(2026, 11, 2)), today
    )
    assert (e.msg_id, e.field) == ("care.counselled_after_start", "counselled_on")
    e = refused(
        care.choose_method, db, officer, wife, care.MethodInput("pill", D(2026, 11, 25), today), today
    )
    assert (e.msg_id, e.field) == ("date.in_future", "start_date")
    e = refused(care.choose_method, db, officer, wife, care.MethodInput("patch", today, today), today)
    assert (e.msg_id, e.field) == ("field.invalid_choice", "method")
    e = refused(
        care.choose_method, db, officer, family["son"], care.MethodInput("condom", today, today), today
    )
    assert (e.msg_id, e.field) == ("care.too_young_for_method", "start_date")
    # a man chooses male sterilisation; a later change cannot start before it
    vas = care.choose_method(
        db, officer, head, care.MethodInput("male_sterilisation", D(2026, 6, 1), D(2026, 5, 20)), today
    )
    e = refused(
        care.choose_method, db, officer, head, care.MethodInput("condom", D(2026, 5, 1), D(2026, 5, 1)), today
    )
    assert (e.msg_id, e.field) == ("care.start_before_previous", "start_date")
    e = refused(care.stop_method, db, officer, vas, D(2026, 5, 1), "", today)
    assert (e.msg_id, e.field) == ("care.stop_before_start", "stop_date")
    care.stop_method(db, officer, vas, D(2026, 6, 2), "", today)
    e = refused(care.stop_method, db, officer, vas, today, "", today)
    assert e.msg_id == "care.method_already_stopped"
    with pytest.raises(NotFound):
        care.stop_method(db, officer, "no-such-episode", today, "", today)
    # "none" records that no method is used; it needs no counselling and has no follow-ups
    care.choose_method(db, officer, wife, care.MethodInput("iud", D(2026, 10, 1), D(2026, 10, 1)), today)
    none = care.choose_method(db, officer, wife, care.MethodInput("none", today, None), today)
    current = care.current_method(db, wife)
    assert (current.id, current.method) == (none, "none")
    assert [m.method for m in care.methods_of(db, wife)] == ["none", "iud"]
    # the IUD was removed on 24 Nov: its 1-month check (window 25 Oct – 1 Dec, still open at the stop) and
    # the 3-month one (1 Jan) are no longer needed and are cancelled
    assert [(r.due, r.status) for r in rows_of(db, wife, "contraceptive_check")] == [
        (D(2026, 11, 1), "cancelled"),
        (D(2027, 1, 1), "cancelled"),
    ]


# ---------------------------------------------------------------- folic acid


def test_folic_course_follow_ups_stop_at_its_end(db, officer, family, today):
    wife = family["wife"]
    course = care.start_folic_course(
        db, officer, wife, care.FolicCourseInput(D(2026, 9, 15), None, 0.4, 3), today
    )
    # monthly from 15 Sep, up to the horizon (24 Feb 2027): 15 Nov, 15 Dec, 15 Jan, 15 Feb — 15 Oct's window
    # (8–29 Oct) had closed before the course was typed in today, so it is not made
    found = rows_of(db, wife, "folic_adherence")
    assert [(r.due, r.status) for r in found] == [
        (D(2026, 11, 15), "due"),
        (D(2026, 12, 15), "due"),
        (D(2027, 1, 15), "due"),
        (D(2027, 2, 15), "due"),
    ]
    e = refused(care.start_folic_course, db, officer, wife, care.FolicCourseInput(D(2026, 11, 1)), today)
    assert (e.msg_id, e.field) == ("care.course_open", "start_date")
    care.end_folic_course(db, officer, course, D(2026, 11, 20), today)
    found = rows_of(db, wife, "folic_adherence")
    assert [(r.due, r.status, r.status_reason) for r in found] == [
        (D(2026, 11, 15), "due", ""),
        (D(2026, 12, 15), "cancelled", "followup.reason.course_ended"),
        (D(2027, 1, 15), "cancelled", "followup.reason.course_ended"),
        (D(2027, 2, 15), "cancelled", "followup.reason.course_ended"),
    ]
    e = refused(care.end_folic_course, db, officer, course, today, today)
    assert e.msg_id == "care.course_already_ended"
    # a new course may start once the old one has ended, not on its last day
    e = refused(care.start_folic_course, db, officer, wife, care.FolicCourseInput(D(2026, 11, 20)), today)
    assert e.msg_id == "care.course_open"
    second = care.start_folic_course(
        db, officer, wife, care.FolicCourseInput(D(2026, 11, 21), None, 4, 2, "曾怀神经管缺陷儿"), today
    )
    rows = care.folic_courses_of(db, wife)
    assert [(r.id, r.start_date, r.end_date, r.dose_mg, r.bottles_issued) for r in rows] == [
        (second, D(2026, 11, 21), None, 4.0, 2),
        (course, D(2026, 9, 15), D(2026, 11, 20), 0.4, 3),
    ]
    care.update_folic_course(
        db, officer, second, care.FolicCourseInput(D(2026, 11, 21), None, 4, 5, "曾怀神经管缺陷儿"), today
    )
    assert care.folic_courses_of(db, wife)[0].bottles_issued == 5
    assert care.folic_courses_of(db, wife)[0].rev == 2


@pytest.mark.parametrize(
    ("data", "msg_id", "field"),
    [
        (care.FolicCourseInput(None), "field.required", "start_date"),
        (care.FolicCourseInput(D(2026, 11, 25)), "date.in_future", "start_date"),
        (care.FolicCourseInput(D(2026, 11, 1), D(2026, 10, 1)), "care.end_before_start", "end_date"),
        (care.FolicCourseInput(D(2026, 11, 1), None, 1.0), "care.dose_invalid", "dose_mg"),
        (
            care.FolicCourseInput(D(2026, 11, 1), None, 4),
            "care.high_risk_reason_required",
            "high_risk_reason",
        ),
        (care.FolicCourseInput(D(2026, 11, 1), None, 0.4, -1), "care.bottles_invalid", "bottles_issued"),
        (care.FolicCourseInput(D(2026, 11, 1), None, 0.4, 2.5), "care.bottles_invalid", "bottles_issued"),
    ],
)
def test_folic_course_input_rules(db, officer, family, today, data, msg_id, field):
    e = refused(care.start_folic_course, db, officer, family["wife"], data, today)
    assert (e.msg_id, e.field) == (msg_id, field)
    assert care.folic_courses_of(db, family["wife"]) == []


def test_folic_acid_and_prepregnancy_checks_are_for_women_of_reproductive_age(db, officer, family, today):
    e = refused(care.start_folic_course, db, officer, family["head"], care.FolicCourseInput(today), today)
    assert (e.msg_id, e.field) == ("care.not_female", "woman_id")
    e = refused(care.start_folic_course, db, officer, family["grandma"], care.FolicCourseInput(today), today)
    assert (e.msg_id, e.field, e.params["age"]) == ("care.age_out_of_range", "start_date", 55)
    assert "55" in e.message("zh_CN") and "王秀珍" in e.message("zh_CN")
    e = refused(
        care.add_prepregnancy_check, db, officer, family["grandma"], care.PrepregnancyCheckInput(today), today
    )
    assert (e.msg_id, e.field) == ("care.age_out_of_range", "check_date")
    hh.record_death(db, officer, family["wife"], D(2026, 11, 1), today)
    e = refused(care.start_folic_course, db, officer, family["wife"], care.FolicCourseInput(today), today)
    assert (e.msg_id, e.field) == ("care.person_not_present", "woman_id")


# ---------------------------------------------------------------- pre-pregnancy checks


def test_prepregnancy_follow_ups_stop_when_a_pregnancy_is_registered(db, officer, family, today):
    wife = family["wife"]
    with typed_in_on(D(2026, 6, 1)):
        check = care.add_prepregnancy_check(
            db,
            officer,
            wife,
            care.PrepregnancyCheckInput(D(2026, 6, 1), family["head"], "general", "优生咨询"),
            D(2026, 6, 1),
        )
    followups.regenerate_all(db, officer, today)  # today's start-up run
    # every 3 months from 1 Jun, up to the horizon: 1 Sep (18 Aug – 1 Oct, missed), 1 Dec (17 Nov – 31 Dec)
    assert [(r.due, r.status) for r in rows_of(db, wife, "prepreg_early")] == [
        (D(2026, 9, 1), "missed"),
        (D(2026, 12, 1), "due"),
    ]
    (row,) = care.prepregnancy_checks_of(db, wife)
    assert (row.id, row.partner_id, row.partner_name, row.risk_grade, row.counselling) == (
        check,
        family["head"],
        "张三",
        "general",
        "优生咨询",
    )
    # pregnant: LMP 20 Oct, registered today; EDD = LMP + 280 = 27 Jul 2027 (31 Oct = +11, 30 Nov = +41,
    # 31 Dec = +72, 31 Jan = +103, 28 Feb = +131, 31 Mar = +162, 30 Apr = +192, 31 May = +223, 30 Jun = +253)
    register(db, officer, wife, D(2026, 10, 20), today)
    early = rows_of(db, wife, "prepreg_early")
    assert [(r.due, r.status) for r in early] == [(D(2026, 9, 1), "missed"), (D(2026, 12, 1), "due")]
    outcome = one(db, wife, "prepreg_outcome")
    # EDD … EDD + 42 days (31 Jul = +4, 31 Aug = +35, 7 Sep = +42)
    assert window(outcome) == (D(2027, 7, 27), D(2027, 7, 27), D(2027, 9, 7))
    # a later check date moves the open early follow-ups: 1 Jul + 3 months = 1 Oct (missed); the next, 1 Jan 2027,
    # would open on 18 Dec, after the registration, so it is no longer wanted: the 1 Dec one is cancelled as it was
    care.update_prepregnancy_check(db, officer, check, care.PrepregnancyCheckInput(D(2026, 7, 1)), today)
    early = rows_of(db, wife, "prepreg_early")
    assert [(r.due, r.status, r.status_reason) for r in early] == [
        (D(2026, 10, 1), "missed", ""),
        (D(2026, 12, 1), "cancelled", "followup.reason.pregnancy_known"),
    ]
    assert care.prepregnancy_checks_of(db, wife)[0].partner_name == ""


def test_prepregnancy_check_rules(db, officer, family, today):
    wife = family["wife"]
    e = refused(care.add_prepregnancy_check, db, officer, wife, care.PrepregnancyCheckInput(None), today)
    assert (e.msg_id, e.field) == ("field.required", "check_date")
    e = refused(
        care.add_prepregnancy_check, db, officer, wife, care.PrepregnancyCheckInput(D(2027, 1, 1)), today
    )
    assert (e.msg_id, e.field) == ("date.in_future", "check_date")
    e = refused(
        care.add_prepregnancy_check,
        db,
        officer,
        wife,
        care.PrepregnancyCheckInput(today, None, "medium"),
        today,
    )
    assert (e.msg_id, e.field) == ("field.invalid_choice", "risk_grade")
    e = refused(
        care.add_prepregnancy_check,
        db,
        officer,
        wife,
        care.PrepregnancyCheckInput(today, family["grandma"]),
        today,
    )
    assert (e.msg_id, e.field) == ("care.partner_not_male", "partner_id")
    e = refused(
        care.add_prepregnancy_check, db, officer, family["head"], care.PrepregnancyCheckInput(today), today
    )
    assert (e.msg_id, e.field) == ("care.not_female", "woman_id")
    with pytest.raises(NotFound):
        care.update_prepregnancy_check(db, officer, "nope", care.PrepregnancyCheckInput(today), today)
    assert care.prepregnancy_checks_of(db, wife) == []


# ---------------------------------------------------------------- family support


def test_support_entitlement_visits_and_its_end(db, officer, family, today):
    hid = family["household"]
    sid = care.add_support(
        db,
        officer,
        hid,
        care.SupportInput(
            "special_disability", family["head"], 2026, D(2026, 9, 10), "村医 王大夫", "139 1234 5678", 2
        ),
        today,
    )
    (row,) = care.supports_of_household(db, hid)
    assert (
        row.id,
        row.person_name,
        row.kind,
        row.contact_phone,
        row.visit_interval_months,
        row.ended_on,
    ) == (
        sid,
        "张三",
        "special_disability",
        "13912345678",
        2,
        None,
    )
    # every 2 months from 10 Sep up to the horizon: 10 Nov (3 Nov – 1 Dec), 10 Jan 2027
    assert [(r.due, r.status) for r in rows_of(db, family["head"], "support_visit")] == [
        (D(2026, 11, 10), "due"),
        (D(2027, 1, 10), "due"),
    ]
    e = refused(
        care.add_support,
        db,
        officer,
        hid,
        care.SupportInput("special_disability", family["head"], 2026, today),
        today,
    )
    assert (e.msg_id, e.field) == ("care.support_exists", "kind")
    # a correction: the entitled person is his wife; the visits go with the entitlement
    care.update_support(
        db,
        officer,
        sid,
        care.SupportInput("special_disability", family["wife"], 2026, D(2026, 9, 10), "王大夫", None, 2),
        today,
    )
    assert rows_of(db, family["head"], "support_visit") == []
    assert [r.due for r in rows_of(db, family["wife"], "support_visit")] == [D(2026, 11, 10), D(2027, 1, 10)]
    e = refused(care.end_support, db, officer, sid, D(2026, 9, 1), today)
    assert (e.msg_id, e.field) == ("care.ended_before_assigned", "ended_on")
    care.end_support(db, officer, sid, D(2026, 11, 20), today)
    assert [(r.status, r.status_reason) for r in rows_of(db, family["wife"], "support_visit")] == [
        ("cancelled", "followup.reason.support_ended"),
        ("cancelled", "followup.reason.support_ended"),
    ]
    assert care.supports_of_household(db, hid)[0].ended_on == D(2026, 11, 20)
    e = refused(care.end_support, db, officer, sid, today, today)
    assert e.msg_id == "care.support_already_ended"


@pytest.mark.parametrize(
    ("changes", "msg_id", "field"),
    [
        ({"kind": "bonus"}, "field.invalid_choice", "kind"),
        ({"person_id": "grandma"}, "care.person_not_in_household", "person_id"),
        ({"year_confirmed": None}, "field.required", "year_confirmed"),
        ({"year_confirmed": 1999}, "care.year_out_of_range", "year_confirmed"),
        ({"year_confirmed": 2027}, "care.year_out_of_range", "year_confirmed"),
        ({"assigned_on": None}, "field.required", "assigned_on"),
        ({"assigned_on": D(2026, 12, 1)}, "date.in_future", "assigned_on"),
        ({"visit_interval_months": 0}, "care.interval_out_of_range", "visit_interval_months"),
        ({"visit_interval_months": 13}, "care.interval_out_of_range", "visit_interval_months"),
        ({"contact_phone": "12345"}, "phone.invalid", "contact_phone"),
    ],
)
def test_support_input_rules(db, officer, family, today, changes, msg_id, field):
    values = {"kind": "reward", "person_id": family["head"], "year_confirmed": 2026, "assigned_on": today}
    values.update(changes)
    if values["person_id"] == "grandma":
        values["person_id"] = family["grandma"]
    e = refused(care.add_support, db, officer, family["household"], care.SupportInput(**values), today)
    assert (e.msg_id, e.field) == (msg_id, field)
    assert care.supports_of_household(db, family["household"]) == []


# ---------------------------------------------------------------- regenerating everything


def test_regenerate_all_twice_changes_nothing_the_second_time(db, officer, family, today):
    wife, head = family["wife"], family["head"]
    register(db, officer, wife, D(2026, 9, 1), today)
    care.choose_method(db, officer, head, care.MethodInput("condom", D(2026, 1, 1), D(2026, 1, 1)), today)
    care.start_folic_course(db, officer, wife, care.FolicCourseInput(D(2026, 8, 1)), today)
    care.add_prepregnancy_check(db, officer, wife, care.PrepregnancyCheckInput(D(2026, 5, 1)), today)
    care.add_support(
        db, officer, family["household"], care.SupportInput("reward", head, 2026, D(2026, 10, 1)), today
    )
    followups.record_visit(
        db, officer, one(db, wife, "anc1").id, VisitInput(today, {**ANC_OK, "referred": "yes"}), today
    )
    before = row_count(db, wife) + row_count(db, head)
    # two months later: the horizon moved, repeating follow-ups are extended and passed windows missed
    later = today + dt.timedelta(days=61)
    first = followups.regenerate_all(db, officer, later)
    assert first.inserted > 0 and first.moved > 0
    assert row_count(db, wife) + row_count(db, head) == before + first.inserted
    second = followups.regenerate_all(db, officer, later)
    assert (second.inserted, second.moved, second.cancelled) == (0, 0, 0)
    assert second.people == first.people


def test_folic_courses_ending_on_the_dashboard_list(db, officer, today):
    """Hand-counted: a course that already ended (not listed), a pregnant woman at 12 weeks with an open
    course (ends at 13+0, in 7 days), and an open course of a woman not pregnant (no end: not listed)."""
    import datetime as dt

    from app.services import care
    from app.services import households as hh
    from app.services import pregnancies as pg

    hid = hh.create_household(db, officer, hh.HouseholdInput("0901", 1, "一组 9 号"))
    ids = {}
    for name, number in (
        ("甲", "110105199208150029"),
        ("乙", "110105199303120020"),
        ("丙", "110105199405200021"),
    ):
        ids[name] = hh.add_person(
            db,
            officer,
            hid,
            hh.PersonInput(name=name, id_number=number, relation="other", marital_status="first_marriage"),
            today,
        )
    start = today - dt.timedelta(days=60)
    for name in ids:
        care.start_folic_course(db, officer, ids[name], care.FolicCourseInput(start), today)
    first = care.folic_courses_of(db, ids["甲"])[0]
    care.end_folic_course(db, officer, first.id, today - dt.timedelta(days=1), today)
    pg.register_pregnancy(
        db,
        officer,
        ids["乙"],
        pg.PregnancyInput(lmp=today - dt.timedelta(weeks=12), registration_date=today),
        today,
    )
    ending = care.folic_courses_ending(db, today)
    assert [(r.name, r.ends_on) for r in ending] == [("乙", today + dt.timedelta(days=7))]
