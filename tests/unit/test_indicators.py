"""The monthly report's indicators against a village whose figures were counted by hand (tests/indicator_village.py)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from app.db import Database
from app.services import households as hh
from app.services import indicators, quality
from app.services.indicators import MonthlyFigures, Period, monthly_figures, monthly_report_document
from app.services.population import status_on
from app.services.quality import record_quality
from app.services.report_tables import CellKind, format_cell
from tests.indicator_village import FOLIC_OCTOBER, OCTOBER, TODAY, build_village


@pytest.fixture
def village(db: Database, officer: str) -> tuple[Database, dict[str, str]]:
    return db, build_village(db, officer)


def names(ids: dict[str, str], people: tuple[str, ...]) -> list[str]:
    by_id = {v: k for k, v in ids.items()}
    return sorted(by_id[p] for p in people)


def test_october_births_by_sex_and_order_and_the_sex_ratio(village):
    db, ids = village
    f = monthly_figures(db, 2026, 10, today=TODAY)
    got = {key: names(ids, people) for key, people in f.births.by_sex_order.items()}
    assert got == {key: sorted(v) for key, v in OCTOBER["births"].items()}
    assert f.births.sex_ratio == pytest.approx(OCTOBER["sex_ratio"])
    assert len(f.births.cell(None, None)) == 3  # 孙小虎 was born in November


def test_october_vital_events_and_population_at_the_month_end(village):
    db, ids = village
    f = monthly_figures(db, 2026, 10, today=TODAY)
    assert {k: len(v) for k, v in f.events.items()} == OCTOBER["events"]
    assert {k: len(v) for k, v in f.population.items()} == OCTOBER["population"]
    assert "郑云" in names(ids, f.population["in_migrant"])
    gone = {"张老汉", "陈刚", "孙小虎"}
    assert not gone & set(names(ids, f.population_total))
    assert set(names(ids, f.women_15_49)) == OCTOBER["women_15_49"]


def test_population_before_a_move_in_and_before_a_death(village):
    """On 30 September 张老汉 was alive, 陈刚 still here, 郑云 not yet arrived, no twin born yet."""
    db, ids = village
    f = monthly_figures(db, 2026, 9, today=TODAY)
    present = set(names(ids, f.population_total))
    assert present == {"张伟", "刘芳", "张老汉", "陈强", "王丽", "陈刚", "赵敏", "周娟", "孙丽", "吴静"}
    assert len(f.population["in_migrant"]) == 0


def test_october_pregnancy_care_rates(village):
    db, ids = village
    f = monthly_figures(db, 2026, 10, today=TODAY)
    early, registered = OCTOBER["registered"]
    assert set(names(ids, f.registered.numerator)) == early
    assert set(names(ids, f.registered.denominator)) == registered
    assert f.registered.value == pytest.approx(0.5)
    assert set(names(ids, f.deliveries)) == OCTOBER["deliveries"]
    assert set(names(ids, f.facility_delivery.numerator)) == OCTOBER["facility"]
    assert f.facility_delivery.value == pytest.approx(2 / 3)
    assert set(names(ids, f.antenatal_5.numerator)) == OCTOBER["antenatal_5"]
    assert f.antenatal_5.value == pytest.approx(1 / 3)
    assert set(names(ids, f.postpartum_visit.numerator)) == OCTOBER["postpartum"]
    assert f.postpartum_visit.value == pytest.approx(1 / 3)


def test_year_to_date_early_registration(village):
    """January to October: 刘芳 (55 days), 周娟 (59), 赵敏 (70) early; 王丽 (130), 孙丽 (133) late."""
    db, ids = village
    f = monthly_figures(db, 2026, 10, year_to_date=True, today=TODAY)
    assert set(names(ids, f.registered.denominator)) == {"刘芳", "王丽", "周娟", "赵敏", "孙丽"}
    assert f.registered.value == pytest.approx(3 / 5)
    assert f.period == Period(dt.date(2026, 1, 1), dt.date(2026, 10, 31), True)


def test_october_folic_acid_rates_use_each_womans_latest_answer(village):
    db, ids = village
    f = monthly_figures(db, 2026, 10, today=TODAY)
    assert set(names(ids, f.folic_supplied)) == OCTOBER["folic_supplied"]  # 周娟's issue was reversed
    assert set(names(ids, f.folic_taking.denominator)) == OCTOBER["folic_followed"]
    assert set(names(ids, f.folic_taking.numerator)) == OCTOBER["folic_taking"]
    assert set(names(ids, f.folic_adherent.numerator)) == OCTOBER["folic_daily"]  # 吴静: "daily" on 10-30
    assert f.folic_taking.value == pytest.approx(2 / 3)
    assert f.folic_adherent.value == pytest.approx(1 / 3)


def test_october_supply_identity_for_folic_acid(village):
    db, _ = village
    f = monthly_figures(db, 2026, 10, today=TODAY)
    row = next(r for r in f.supplies if r.code == "F01")
    assert {k: getattr(row, k) for k in FOLIC_OCTOBER} == FOLIC_OCTOBER
    assert row.opening + row.received - row.issued_person - row.losses == row.closing
    condoms = next(r for r in f.supplies if r.code == "C01")
    assert [(lot, left) for lot, _, left in condoms.lots_expiring_90] == [("C2612", 20)]


def test_october_record_quality_over_the_people_present(village):
    db, ids = village
    f = monthly_figures(db, 2026, 10, today=TODAY)
    failing = {rule: set(names(ids, people)) for rule, people in f.quality.failing.items()}
    assert failing == OCTOBER["quality_failing"]
    assert len(f.quality.checked) == 12
    assert len(f.quality.passing) == 4
    assert f.quality.rate.value == pytest.approx(4 / 12)


def test_october_postpartum_visits_as_they_stood_on_the_last_day(village):
    db, ids = village
    f = monthly_figures(db, 2026, 10, today=TODAY)
    visits = next(t for t in f.followups if t.followup_type == "postpartum_visit")
    got = {"done": set(names(ids, visits.done)), "missed": set(names(ids, visits.missed))}
    got["open"] = set(names(ids, visits.open))
    assert got == OCTOBER["postpartum_visits"]
    assert visits.completion.value == pytest.approx(2 / 3)


def test_a_month_with_nothing_to_divide_shows_dashes_not_errors(village):
    """July 2026: no registration, no delivery, no folic follow-up: every such rate is None, shown "—"."""
    db, _ = village
    f = monthly_figures(db, 2026, 7, today=TODAY)
    for rate in (f.registered, f.facility_delivery, f.antenatal_5, f.postpartum_visit, f.folic_taking):
        assert rate.denominator == () and rate.value is None
    assert f.births.sex_ratio is None
    doc = monthly_report_document(db, 2026, 7, today=TODAY)
    maternal = next(t for t in doc.tables if t.key == "report.section.maternal")
    rates = [format_cell(r.cells[2], CellKind.RATE) for r in maternal.rows]
    assert rates == ["—"] * len(rates)


def test_the_same_database_gives_the_same_report_next_year(village):
    db, _ = village
    now = monthly_report_document(db, 2026, 10, today=TODAY)
    later = monthly_report_document(db, 2026, 10, today=dt.date(2027, 11, 24))
    assert now == later


def test_the_document_shows_the_figures_it_was_built_from(village):
    db, ids = village
    doc = monthly_report_document(db, 2026, 10, today=TODAY)
    births = next(t for t in doc.tables if t.key == "report.section.births")
    total = next(r for r in births.rows if r.total)
    assert total.cells == (1, 1, 1, 0, 3)
    assert set(names(ids, total.people_of(4))) == {"张小宝", "陈大妹", "陈二妹"}
    maternal = next(t for t in doc.tables if t.key == "report.section.maternal")
    facility = next(r for r in maternal.rows if r.label == "report.row.facility_delivery")
    assert facility.cells[:2] == (2, 3)
    assert format_cell(facility.cells[2], CellKind.RATE) == "66.7%"
    assert ("vocab.followup_type.postpartum_visit", 2, 3) in doc.completion
    assert doc.village_name == "红星村" and doc.period_label() == "2026年10月"


@pytest.mark.parametrize(
    ("current", "moves", "on", "expected"),
    [
        ("resident", [], dt.date(2026, 1, 1), "resident"),  # from the paper register
        ("in_migrant", [], dt.date(2026, 1, 1), "in_migrant"),
        ("in_migrant", [(dt.date(2026, 5, 1), "move_in")], dt.date(2026, 4, 30), None),  # not yet arrived
        ("in_migrant", [(dt.date(2026, 5, 1), "move_in")], dt.date(2026, 5, 1), "in_migrant"),
        ("out_migrant", [(dt.date(2026, 5, 1), "move_out")], dt.date(2026, 4, 30), "resident"),
        ("out_migrant", [(dt.date(2026, 5, 1), "move_out")], dt.date(2026, 5, 31), "out_migrant"),
        ("moved_away", [(dt.date(2026, 5, 1), "move_out")], dt.date(2026, 5, 31), None),
        ("moved_away", [(dt.date(2026, 5, 1), "move_out")], dt.date(2026, 4, 30), "resident"),
        # came to work in May, went on elsewhere (or died) in June: on 31 May an in-migrant, as she came
        ("out_migrant", [(dt.date(2026, 5, 1), "move_in", "in_migrant"), (dt.date(2026, 6, 1), "move_out")],
         dt.date(2026, 5, 31), "in_migrant"),
        ("moved_away", [(dt.date(2026, 5, 1), "move_in", "in_migrant"), (dt.date(2026, 6, 1), "move_out")],
         dt.date(2026, 5, 31), "in_migrant"),
        ("deceased", [(dt.date(2026, 5, 1), "move_in", "in_migrant")], dt.date(2026, 5, 31), "in_migrant"),
        ("deceased", [(dt.date(2026, 5, 1), "move_in", "resident")], dt.date(2026, 5, 31), "resident"),
        ("deceased", [(dt.date(2026, 5, 1), "move_in", None)], dt.date(2026, 5, 31), "resident"),  # not known
        # went out to work in March, left for good in May
        ("moved_away", [(dt.date(2026, 3, 1), "move_out"), (dt.date(2026, 5, 1), "move_out")], dt.date(2026, 4, 1),
         "out_migrant"),
    ],
)  # fmt: skip
def test_status_on_a_day(current, moves, on, expected):
    assert status_on(current, None, dt.date(1990, 1, 1), moves, on) == expected


def test_status_on_a_day_around_birth_and_death():
    born, died = dt.date(2026, 3, 1), dt.date(2026, 6, 1)
    assert status_on("deceased", died, born, [], dt.date(2026, 2, 28)) is None
    assert status_on("deceased", died, born, [], dt.date(2026, 5, 31)) == "resident"
    assert status_on("deceased", died, born, [], died) is None


def test_twins_take_consecutive_child_orders():
    assert indicators._birth_order(2, None, 0) == "2"
    assert indicators._birth_order(2, None, 1) == "3plus"
    assert indicators._birth_order(None, 0, 0) == "1"
    assert indicators._birth_order(None, None, 0) == "unknown"


def _retype(db, officer, person_id: str, **changes) -> None:
    """Save a member's form again with some fields changed, on TODAY, as the officer would."""
    p = hh.get_person(db, person_id)
    fields = {
        "name": p.name,
        "sex": p.sex,
        "birth_date": p.birth_date,
        "id_number": p.id_number or None,
        "relation": p.relation,
        "marital_status": p.marital_status,
        "marriage_date": p.marriage_date,
        "phone": p.phone or None,
        "residence_status": p.residence_status,
        "residence_place": p.residence_place or None,
    }
    hh.update_person(db, officer, person_id, hh.PersonInput(**{**fields, **changes}), TODAY)


def test_events_recorded_today_leave_last_months_report_unchanged(village, officer):
    """Every figure of October is what was true on 31 October: deaths, moves, marriages and divorces recorded on
    24 November change November's state, not October's — record quality included."""
    db, ids = village
    _retype(db, officer, ids["刘芳"], marriage_date=None)  # a correction, before October is looked at
    before = monthly_figures(db, 2026, 10, today=TODAY)
    document = monthly_report_document(db, 2026, 10, today=TODAY)
    assert set(names(ids, before.quality.failing["quality.rule.marriage_date_missing"])) == {"刘芳", "周娟"}

    hh.record_death(db, officer, ids["张伟"], TODAY, TODAY)  # head of 0101: 刘芳 is widowed
    hh.record_move_away(db, officer, ids["陈强"], TODAY, "广东省深圳市", TODAY)  # head and only phone of 0102
    hh.record_move_away(db, officer, ids["郑云"], TODAY, "浙江省杭州市", TODAY, permanent=False)
    _retype(db, officer, ids["周娟"], marital_status="divorced")  # a divorce, dated today
    _retype(db, officer, ids["孙丽"], marital_status="remarried")  # a marriage, no date given: today

    after = monthly_figures(db, 2026, 10, today=TODAY)
    for figure in dataclasses.fields(MonthlyFigures):
        assert getattr(after, figure.name) == getattr(before, figure.name), figure.name
    assert monthly_report_document(db, 2026, 10, today=TODAY) == document

    # while today's figures do see what happened
    now = dict(record_quality(db, TODAY).failures)
    assert now["quality.rule.household_without_head"] == 5  # 刘芳, 张小宝 in 0101; 王丽 and the twins in 0102
    assert now["quality.rule.household_unreachable"] == 4 + 3  # 0202 (孙小虎 born since) and now 0102
    with db.read() as s:
        today = quality.check_on(s, TODAY)
    assert set(names(ids, today.failing["quality.rule.marriage_date_missing"])) == {"孙丽"}


def test_a_widow_whose_husband_died_after_the_day_was_married_that_day(village, officer):
    db, ids = village
    _retype(db, officer, ids["刘芳"], marriage_date=None)
    hh.record_death(db, officer, ids["张伟"], dt.date(2026, 11, 10), TODAY)
    with db.read() as s:
        october, november = quality.check_on(s, dt.date(2026, 10, 31)), quality.check_on(s, TODAY)
    assert ids["刘芳"] in october.failing["quality.rule.marriage_date_missing"]
    assert ids["刘芳"] not in november.failing["quality.rule.marriage_date_missing"]
    assert ids["刘芳"] in november.failing["quality.rule.household_without_head"]
    assert ids["刘芳"] not in october.failing.get("quality.rule.household_without_head", ())
