"""The schedule rules' order of occurrences and the next check date a visit asks for (pure)."""

from __future__ import annotations

import datetime as dt

from app.services import schedule
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
