"""Care rules kept as data, read without a database: the schedule rules' order of occurrences and the next
check date a visit asks for; the high-risk pregnancy rules (resources/followups/risk_rules.json)."""

from __future__ import annotations

import datetime as dt

import pytest

from app import i18n
from app.errors import DomainError
from app.services import risk, schedule
from app.services.schedule import Plan, Planned, Window

D = dt.date


def test_the_occurrence_after_a_visit():
    rules = schedule.load_rules()
    assert schedule.next_after(rules, "anc1", 1) == ("anc2", 1)
    assert schedule.next_after(rules, "anc4", 1) == ("anc5", 1)
    assert schedule.next_after(rules, "anc5", 1) is None  # then come the postpartum visits: another anchor
    assert schedule.next_after(rules, "postpartum_visit", 1) is None
    assert schedule.next_after(rules, "folic_adherence", 3) == ("folic_adherence", 4)
    assert schedule.next_after(rules, "contraceptive_check", 2) == ("contraceptive_check", 3)


def test_a_next_check_date_moves_only_the_due_day_within_the_window():
    rules = schedule.load_rules()
    w2, w3 = (
        Window(D(2026, 11, 21), D(2026, 11, 21), D(2026, 12, 25)),
        Window(D(2026, 12, 26), D(2026, 12, 26), D(2027, 1, 22)),
    )
    plan = Plan((Planned("anc2", 1, w2), Planned("anc3", 1, w3)))
    moved = schedule.with_next_dates(rules, plan, [("anc1", 1, D(2026, 12, 1))])
    assert moved.planned == (
        Planned("anc2", 1, Window(w2.earliest, D(2026, 12, 1), w2.latest)),
        plan.planned[1],
    )
    early = schedule.with_next_dates(rules, plan, [("anc2", 1, D(2026, 12, 1))])
    assert early.planned[1].window == w3  # before the 3rd check's window opens: its earliest day
    late = schedule.with_next_dates(rules, plan, [("anc2", 1, D(2027, 3, 1))])
    assert late.planned[1].window == Window(w3.earliest, w3.latest, w3.latest)
    assert schedule.with_next_dates(rules, plan, []) is plan


# ---------------------------------------------------------------- high-risk pregnancy rules

EDD = D(2027, 3, 1)


def flags(birth: dt.date, gravidity: int | None = None, ticked=()) -> tuple[str, ...]:
    return risk.load_risk_rules().flags(birth, EDD, gravidity, ticked)


def test_age_at_the_edd_flags_35_and_over_and_under_18():
    assert flags(D(1992, 3, 1)) == ("age_35_plus",)  # 35 on the EDD itself
    assert flags(D(1992, 3, 2)) == ()  # 34 then
    assert flags(D(2009, 3, 2)) == ("age_under_18",)  # 17 on the EDD
    assert flags(D(2009, 3, 1)) == ()  # 18 on the EDD


def test_gravidity_and_ticked_factors_flag_in_the_files_order():
    assert flags(D(1995, 1, 1), 4) == ()
    assert flags(D(1995, 1, 1), 5) == ("gravidity_5_plus",)
    assert flags(D(1985, 1, 1), 6, ("twins", "hypertension")) == (
        "age_35_plus",
        "gravidity_5_plus",
        "hypertension",
        "twins",
    )


def test_the_factors_ticked_are_checked_and_other_needs_a_note():
    rules = risk.load_risk_rules()
    assert [r.code for r in rules.tickable] == [
        "previous_caesarean",
        "hypertension",
        "diabetes",
        "heart_disease",
        "previous_stillbirth",
        "twins",
        "other",
    ]
    assert rules.check_factors(["twins", "diabetes", "twins"], "") == ("diabetes", "twins")
    with pytest.raises(DomainError) as e:
        rules.check_factors(["fetal_sex"], "")  # no such factor: never a fetus's sex
    assert e.value.field == "risk_factors"
    with pytest.raises(DomainError) as e:
        rules.check_factors(["other"], "  ")
    assert e.value.field == "risk_notes" and "其他" in e.value.message()
    assert rules.check_factors(["other"], "甲状腺功能减退") == ("other",)


@pytest.mark.parametrize("lang", ["zh_CN", "en"])
def test_every_risk_rule_has_a_label(lang):
    labels = i18n.catalogue(lang)
    assert all(f"risk.flag.{r.code}" in labels for r in risk.load_risk_rules().rules)


def test_a_rules_file_with_an_unknown_kind_or_no_bound_is_refused():
    base = {"format": "fhd-risk-rules", "version": "x"}
    with pytest.raises(ValueError, match="unknown kind"):
        risk.parse_risk_rules({**base, "rules": [{"code": "a", "kind": "fetal_sex"}]})
    with pytest.raises(ValueError, match="at_least or below"):
        risk.parse_risk_rules({**base, "rules": [{"code": "a", "kind": "gravidity"}]})
    assert risk.load_risk_rules().version == "2026.1"
