"""Care rules kept by the services: folic acid issued to a woman starts or extends her folic-acid course in the
same transaction as the issue; the next check date asked at a visit is the due day of the next one; the high-risk
rules flag a pregnancy from the woman's age at the EDD, the gravidity and the factors ticked."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from openpyxl import load_workbook

from app.db import Database
from app.errors import DomainError
from app.models import StockMovement
from app.reports.registers_xlsx import export_register
from app.services import care, followups, women
from app.services import households as hh
from app.services import pregnancies as pg
from app.services import supplies as sp
from tests.conftest import TODAY

D = dt.date
EXPIRY = D(2028, 6, 30)


@pytest.fixture
def folic(db: Database, officer) -> str:
    item = next(i.id for i in sp.items(db, TODAY) if i.code == "F01")
    sp.receive(db, officer, sp.ReceiptInput(item, "F2611", EXPIRY, 10, D(2026, 11, 1)), TODAY)
    return item


@pytest.fixture
def people(db: Database, officer) -> dict[str, str]:
    """张三 (head, 1990) and his wife 李梅 (1992); 王奶奶 (1950)."""
    h = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 1 号", "13900001111"))
    out = {}
    for name, sex, born, relation in (
        ("张三", "M", D(1990, 3, 7), "head"),
        ("李梅", "F", D(1992, 8, 15), "spouse"),
        ("王奶奶", "F", D(1950, 1, 1), "mother"),
    ):
        out[name] = hh.add_person(
            db, officer, h, hh.PersonInput(name, sex=sex, birth_date=born, relation=relation), TODAY
        )
    return out


def issue(db, officer, folic, person, quantity, on, start=False, course=None) -> str:
    data = sp.IssueInput(folic, None, quantity, on, person_id=person, folic_acid_course_id=course)
    return sp.issue_to_person(db, officer, data, TODAY, start_folic_course=start)


def taking_folic(db, person) -> bool:
    return next(w for w in women.list_women(db, TODAY) if w.id == person).folic_acid


def test_folic_acid_issued_to_a_woman_without_a_course_can_start_it(db, officer, folic, people):
    li = people["李梅"]
    assert care.folic_issue_plan(db, li, D(2026, 11, 10)) == care.FolicIssuePlan(None, True)
    movement = issue(db, officer, folic, li, 2, D(2026, 11, 10), start=True)
    [course] = care.folic_courses_of(db, li)
    assert (course.start_date, course.end_date, course.dose_mg, course.bottles_issued) == (
        D(2026, 11, 10),
        None,
        0.4,
        2,
    )
    assert [m.id for m in sp.person_supplies(db, li)] == [movement]
    with db.read() as s:
        assert s.get(StockMovement, movement).folic_acid_course_id == course.id
    assert taking_folic(db, li)  # the women register shows her course
    assert care.folic_issue_plan(db, li, D(2026, 11, 20)).course == course
    # her monthly adherence follow-ups come with it
    assert "folic_adherence" in {f.followup_type for f in followups.person_followups(db, li)}


def test_folic_acid_issued_to_a_woman_on_a_course_adds_its_bottles(db, officer, folic, people):
    li = people["李梅"]
    course = care.start_folic_course(
        db, officer, li, care.FolicCourseInput(D(2026, 11, 1), bottles_issued=1), TODAY
    )
    plan = care.folic_issue_plan(db, li, D(2026, 11, 15))
    assert plan.course is not None and plan.course.id == course and not plan.can_start
    first = issue(db, officer, folic, li, 2, D(2026, 11, 15), course=course)
    assert care.folic_courses_of(db, li)[0].bottles_issued == 3
    # asked to start one while she has one already (another window started it): added to hers, not a second
    issue(db, officer, folic, li, 1, D(2026, 11, 16), start=True)
    assert [(c.id, c.bottles_issued) for c in care.folic_courses_of(db, li)] == [(course, 4)]
    # a reversed issue takes its bottles back off the course
    sp.reverse(db, officer, first, "发错了数量", TODAY)
    assert care.folic_courses_of(db, li)[0].bottles_issued == 2


def test_a_refused_issue_starts_no_course(db, officer, folic, people):
    li = people["李梅"]
    with pytest.raises(DomainError) as e:
        issue(db, officer, folic, li, 50, D(2026, 11, 10), start=True)  # only 10 bottles in stock
    assert e.value.field == "quantity"
    assert care.folic_courses_of(db, li) == []
    assert sp.person_supplies(db, li) == []


def test_no_course_is_offered_to_a_man_or_a_woman_past_49(db, officer, folic, people):
    for name in ("张三", "王奶奶"):
        assert care.folic_issue_plan(db, people[name], TODAY) == care.FolicIssuePlan(None, False)
    with pytest.raises(DomainError):
        issue(db, officer, folic, people["张三"], 1, TODAY, start=True)
    assert sp.person_supplies(db, people["张三"]) == []


def test_condoms_never_start_a_folic_acid_course(db, officer, people):
    condom = next(i.id for i in sp.items(db, TODAY) if i.code == "C01")
    sp.receive(db, officer, sp.ReceiptInput(condom, "C1", EXPIRY, 10, D(2026, 11, 1)), TODAY)
    data = sp.IssueInput(condom, None, 2, TODAY, person_id=people["李梅"])
    with pytest.raises(DomainError):
        sp.issue_to_person(db, officer, data, TODAY, start_folic_course=True)
    assert care.folic_courses_of(db, people["李梅"]) == []


# ---------------------------------------------------------------- the checklist's next check date


ANTENATAL = {"checked_at_facility": "yes", "danger_signs": "no", "referred": "no"}


def antenatal(db, person, kind):
    return next(f for f in followups.person_followups(db, person) if f.followup_type == kind)


def test_the_next_check_date_asked_at_a_visit_is_the_due_day_of_the_next_check(db, officer, people):
    """LMP 2026-08-01: the 2nd check's window is 11-21 (16+0) to 12-25 (20+6), due 11-21 by the rule."""
    li, lmp = people["李梅"], D(2026, 8, 1)
    pg.register_pregnancy(db, officer, li, pg.PregnancyInput(lmp, D(2026, 9, 20)), TODAY)
    anc2 = antenatal(db, li, "anc2")
    assert (anc2.earliest, anc2.due, anc2.latest) == (D(2026, 11, 21), D(2026, 11, 21), D(2026, 12, 25))

    def visit(answers: dict) -> None:
        anc1 = antenatal(db, li, "anc1")
        followups.record_visit(db, officer, anc1.id, followups.VisitInput(D(2026, 9, 20), answers), TODAY)

    visit({**ANTENATAL, "next_check_date": "2026-12-05"})
    anc2 = antenatal(db, li, "anc2")
    assert (anc2.earliest, anc2.due, anc2.latest) == (D(2026, 11, 21), D(2026, 12, 5), D(2026, 12, 25))
    assert antenatal(db, li, "anc3").due == lmp + dt.timedelta(days=147)  # only the next one moves

    # a date outside the rule's window is kept within it
    visit({**ANTENATAL, "next_check_date": "2026-10-18"})
    assert antenatal(db, li, "anc2").due == D(2026, 11, 21)
    visit({**ANTENATAL, "next_check_date": "2027-01-10"})
    assert antenatal(db, li, "anc2").due == D(2026, 12, 25)
    # the date taken off the checklist: the rule's due day again
    visit(ANTENATAL)
    assert antenatal(db, li, "anc2").due == D(2026, 11, 21)


# ---------------------------------------------------------------- high-risk pregnancies


def test_a_pregnancy_keeps_the_factors_ticked_and_is_flagged_by_the_rules(db, officer, people, tmp_path):
    li = people["李梅"]  # born 1992-08-15: 34 on the EDD 2027-08-12, 35 three days later
    lmp = D(2026, 11, 5)
    data = pg.PregnancyInput(lmp, D(2026, 11, 20), gravidity=2, risk_factors=("twins", "previous_caesarean"))
    pid = pg.register_pregnancy(db, officer, li, data, TODAY)
    row = pg.get_pregnancy(db, pid)
    assert row.risk_factors == ("previous_caesarean", "twins")
    assert row.risk_flags == ("previous_caesarean", "twins") and row.high_risk
    assert row.input().risk_factors == row.risk_factors  # what the edit form starts from
    assert [p.id for p in pg.high_risk_pregnancies(db)] == [pid]

    # the ticks taken off: no longer high-risk (she is 34 at the EDD, gravidity 2)
    pg.update_pregnancy(db, officer, pid, replace(row.input(), risk_factors=()), TODAY)
    assert pg.get_pregnancy(db, pid).risk_flags == () and pg.high_risk_pregnancies(db) == []
    # an ultrasound moves the EDD past her 35th birthday: the age rule flags it, nobody ticked anything
    pg.update_pregnancy(db, officer, pid, replace(row.input(), risk_factors=(), edd=D(2027, 8, 20)), TODAY)
    assert pg.get_pregnancy(db, pid).risk_flags == ("age_35_plus",)

    # "other" needs the notes to say what it is
    with pytest.raises(DomainError) as e:
        pg.update_pregnancy(db, officer, pid, replace(row.input(), risk_factors=("other",)), TODAY)
    assert e.value.field == "risk_notes"

    # the pregnancy register shows the flags
    path = tmp_path / "pregnancies.xlsx"
    export_register(db, "pregnancies", path, on=TODAY)
    ws = load_workbook(path).worksheets[0]
    headings = [c.value for c in ws[2]]
    assert ws.cell(3, headings.index("高危因素") + 1).value == "高龄（≥35岁）"


def test_an_ended_pregnancy_is_not_on_the_high_risk_list(db, officer, people):
    li = people["李梅"]
    data = pg.PregnancyInput(D(2026, 3, 1), D(2026, 4, 10), risk_factors=("hypertension",))
    pid = pg.register_pregnancy(db, officer, li, data, TODAY)
    assert pg.high_risk_pregnancies(db)
    pg.record_outcome(db, officer, pid, pg.OutcomeInput("miscarriage", D(2026, 5, 1)), TODAY)
    assert pg.high_risk_pregnancies(db) == []
    assert pg.get_pregnancy(db, pid).risk_flags == ("hypertension",)  # the register still says so


def test_the_demo_ticks_factors_and_writes_no_age_into_the_notes(tmp_path):
    from app.db import open_database
    from app.services.demo import generate_demo

    db = open_database(tmp_path / "demo.sqlite")
    try:
        generate_demo(db, people=600, seed=5, today=TODAY)
        rows = pg.all_pregnancies(db)
    finally:
        db.dispose()
    assert not any("高龄" in p.risk_notes for p in rows)
    assert any(p.risk_factors for p in rows)
    assert all(("other" in p.risk_factors) == bool(p.risk_notes) for p in rows)
    assert any("age_35_plus" in p.risk_flags for p in rows)  # from the birth date, not from a note
