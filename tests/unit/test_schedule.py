"""The pure follow-up engine (app.services.schedule) with the default rules of resources/followups/rules.json.

Every expected date below was counted on a calendar by hand (see the comments), not recomputed with the
engine's own formula: a wrong offset or a month-end slip shows up as a wrong date.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest

from app.services import schedule
from app.services.schedule import (
    Existing,
    Plan,
    Planned,
    PregnancyFacts,
    Window,
    load_rules,
    plan_contraceptive,
    reconcile,
)

D = dt.date
RULES = schedule.load_rules()


def W(earliest: str, due: str, latest: str) -> Window:  # noqa: N802 - reads like the tables below
    return Window(D.fromisoformat(earliest), D.fromisoformat(due), D.fromisoformat(latest))


def windows(plan: schedule.Plan) -> dict[tuple[str, int], Window]:
    return {(p.followup_type, p.occurrence): p.window for p in plan.planned}


def by_type(plan: schedule.Plan, ftype: str) -> list[Window]:
    return [p.window for p in sorted(plan.planned, key=lambda p: p.occurrence) if p.followup_type == ftype]


# ---------------------------------------------------------------- antenatal windows


def test_antenatal_windows_of_an_lmp_on_31_january_of_a_leap_year():
    # LMP 2024-01-31. Days counted: 1 Feb = +1, 29 Feb = +29, 31 Mar = +60, 30 Apr = +90, 31 May = +121,
    # 30 Jun = +151, 31 Jul = +182, 31 Aug = +213, 30 Sep = +243, 31 Oct = +274.
    plan = schedule.plan_pregnancy(RULES, PregnancyFacts(D(2024, 1, 31)))
    assert windows(plan) == {
        ("anc1", 1): W("2024-01-31", "2024-04-24", "2024-04-30"),  # 0, 84 (12+0), 90 (12+6)
        ("anc2", 1): W("2024-05-22", "2024-05-22", "2024-06-25"),  # 112 (16+0) – 146 (20+6)
        ("anc3", 1): W("2024-06-26", "2024-06-26", "2024-07-23"),  # 147 (21+0) – 174 (24+6)
        ("anc4", 1): W("2024-08-14", "2024-08-14", "2024-10-15"),  # 196 (28+0) – 258 (36+6)
        ("anc5", 1): W("2024-10-16", "2024-10-16", "2024-11-12"),  # 259 (37+0) – 286 (40+6)
    }
    assert plan.reason == "followup.reason.not_scheduled"


def test_antenatal_windows_of_an_lmp_on_31_january_of_a_common_year():
    # LMP 2023-01-31: 28 Feb = +28, 31 Mar = +59, 30 Apr = +89 — every date one day later than in 2024
    # until the leap day would have been passed.
    plan = schedule.plan_pregnancy(RULES, PregnancyFacts(D(2023, 1, 31)))
    assert by_type(plan, "anc1") == [W("2023-01-31", "2023-04-25", "2023-05-01")]
    assert by_type(plan, "anc2") == [W("2023-05-23", "2023-05-23", "2023-06-26")]
    assert by_type(plan, "anc5") == [W("2023-10-17", "2023-10-17", "2023-11-13")]


def test_antenatal_windows_whose_span_crosses_29_february():
    # LMP 2023-11-20: 30 Nov = +10, 31 Dec = +41, 31 Jan = +72, 29 Feb = +101, 31 Mar = +132, 30 Apr = +162,
    # 31 May = +193, 30 Jun = +223, 31 Jul = +254, 31 Aug = +285.
    plan = schedule.plan_pregnancy(RULES, PregnancyFacts(D(2023, 11, 20)))
    assert windows(plan) == {
        ("anc1", 1): W("2023-11-20", "2024-02-12", "2024-02-18"),
        ("anc2", 1): W("2024-03-11", "2024-03-11", "2024-04-14"),
        ("anc3", 1): W("2024-04-15", "2024-04-15", "2024-05-12"),
        ("anc4", 1): W("2024-06-03", "2024-06-03", "2024-08-04"),
        ("anc5", 1): W("2024-08-05", "2024-08-05", "2024-09-01"),
    }
    # a year earlier, with no 29 February in the span, the 2nd check falls a day later in the month
    earlier = schedule.plan_pregnancy(RULES, PregnancyFacts(D(2022, 11, 20)))
    assert by_type(earlier, "anc2") == [W("2023-03-12", "2023-03-12", "2023-04-15")]


# ---------------------------------------------------------------- postpartum


def test_postpartum_visit_from_the_discharge_date_and_the_42_day_check_from_the_delivery():
    facts = PregnancyFacts(D(2023, 5, 20), "live_birth", D(2024, 2, 26), D(2024, 2, 28))
    plan = schedule.plan_pregnancy(RULES, facts)
    # discharge 28 Feb 2024: due from day 3 (29 Feb +1, 1 Mar +2, 2 Mar +3), within 7 days (6 Mar)
    # delivery 26 Feb 2024: 29 Feb = +3, 31 Mar = +34, 8 Apr = +42, 22 Apr = +56
    assert windows(plan) == {
        ("postpartum_visit", 1): W("2024-02-28", "2024-03-02", "2024-03-06"),
        ("postpartum_42d", 1): W("2024-04-08", "2024-04-08", "2024-04-22"),
    }
    assert plan.reason == "followup.reason.pregnancy_ended"


def test_postpartum_visit_from_the_delivery_date_when_there_is_no_discharge_date():
    facts = PregnancyFacts(D(2023, 5, 20), "stillbirth", D(2024, 2, 26))
    plan = schedule.plan_pregnancy(RULES, facts)
    # 26 Feb + 3 = 29 Feb; + 7 = 4 Mar
    assert by_type(plan, "postpartum_visit") == [W("2024-02-26", "2024-02-29", "2024-03-04")]
    assert by_type(plan, "postpartum_42d") == [W("2024-04-08", "2024-04-08", "2024-04-22")]


def test_a_miscarriage_has_no_postpartum_follow_up_and_no_antenatal_one():
    plan = schedule.plan_pregnancy(RULES, PregnancyFacts(D(2024, 1, 2), "miscarriage", D(2024, 2, 20)))
    assert plan.planned == ()
    assert plan.reason == "followup.reason.pregnancy_ended"


# ---------------------------------------------------------------- contraceptive methods


def test_iud_checks_at_1_3_and_12_months_then_yearly():
    # start 31 Jan 2024: +1 month is the month's last day, 29 Feb; +3 months 30 Apr; +12 months 31 Jan 2025;
    # then 31 Jan of each year. Window: 7 days before to 30 days after (29 Feb + 30 = 30 Mar;
    # 31 Jan + 30 = 2 Mar in a common year). The horizon (today + 92 days = 24 Feb 2027) ends the list.
    plan = schedule.plan_contraceptive(RULES, "iud", D(2024, 1, 31), None, (), D(2026, 11, 24))
    assert by_type(plan, "contraceptive_check") == [
        W("2024-02-22", "2024-02-29", "2024-03-30"),
        W("2024-04-23", "2024-04-30", "2024-05-30"),
        W("2025-01-24", "2025-01-31", "2025-03-02"),
        W("2026-01-24", "2026-01-31", "2026-03-02"),
        W("2027-01-24", "2027-01-31", "2027-03-02"),
    ]
    assert [p.occurrence for p in plan.planned] == [1, 2, 3, 4, 5]


def test_iud_checks_beyond_the_horizon_are_not_made_yet():
    # today 1 Feb 2024, horizon + 92 days = 3 May 2024: the 3-month check (30 Apr) is in, the 12-month one not
    plan = schedule.plan_contraceptive(RULES, "implant", D(2024, 1, 31), None, (), D(2024, 2, 1))
    assert [w.due for w in by_type(plan, "contraceptive_check")] == [D(2024, 2, 29), D(2024, 4, 30)]


def test_stopping_the_iud_ends_its_checks():
    # stopped 1 Jun 2024: the 12-month check (31 Jan 2025) is due after the stop, so it is not planned
    plan = schedule.plan_contraceptive(RULES, "iud", D(2024, 1, 31), D(2024, 6, 1), (), D(2026, 11, 24))
    assert [w.due for w in by_type(plan, "contraceptive_check")] == [D(2024, 2, 29), D(2024, 4, 30)]
    assert plan.reason == "followup.reason.method_stopped"


def test_injection_reminders_are_chained_on_the_previous_injection_done():
    # first injection 10 Jan 2024: 31 Jan = +21, 29 Feb = +50, 31 Mar = +81, 3 Apr = +84; 30 Apr = +111,
    # 8 May = +119 (WHO: 4 weeks late is still fine)
    plan = schedule.plan_contraceptive(RULES, "injectable", D(2024, 1, 10), None, (), D(2024, 1, 10))
    assert windows(plan) == {("injection", 1): W("2024-04-03", "2024-04-03", "2024-05-08")}
    # the reminder was done on 5 Apr: the next one counts from then — 30 Apr = +25, 31 May = +56,
    # 28 Jun = +84; 30 Jun = +86, 31 Jul = +117, 2 Aug = +119
    plan = schedule.plan_contraceptive(
        RULES, "injectable", D(2024, 1, 10), None, (D(2024, 4, 5),), D(2024, 4, 5)
    )
    assert windows(plan) == {
        ("injection", 1): W("2024-04-03", "2024-04-03", "2024-05-08"),
        ("injection", 2): W("2024-06-28", "2024-06-28", "2024-08-02"),
    }


def test_methods_without_follow_ups():
    for method in ("pill", "condom", "male_sterilisation", "none"):
        assert (
            schedule.plan_contraceptive(RULES, method, D(2024, 1, 31), None, (), D(2024, 2, 1)).planned == ()
        )


# ---------------------------------------------------------------- folic acid and pre-pregnancy checks


def test_folic_adherence_monthly_until_the_course_ends():
    # start 31 Jan 2024: each month counted from the start (29 Feb, 31 Mar, 30 Apr, 31 May — not chained),
    # window 7 days before to 14 days after; the course ended on 15 May, so 31 May is not planned
    plan = schedule.plan_folic(RULES, D(2024, 1, 31), D(2024, 5, 15), D(2024, 6, 1))
    assert by_type(plan, "folic_adherence") == [
        W("2024-02-22", "2024-02-29", "2024-03-14"),
        W("2024-03-24", "2024-03-31", "2024-04-14"),
        W("2024-04-23", "2024-04-30", "2024-05-14"),
    ]
    assert plan.reason == "followup.reason.course_ended"


def test_folic_adherence_of_an_open_course_goes_up_to_the_horizon():
    # today 1 Jun 2024, horizon 1 Sep 2024: 29 Feb … 31 Aug, seven months
    plan = schedule.plan_folic(RULES, D(2024, 1, 31), None, D(2024, 6, 1))
    assert [w.due for w in by_type(plan, "folic_adherence")] == [
        D(2024, 2, 29),
        D(2024, 3, 31),
        D(2024, 4, 30),
        D(2024, 5, 31),
        D(2024, 6, 30),
        D(2024, 7, 31),
        D(2024, 8, 31),
    ]


def test_prepregnancy_early_follow_ups_every_3_months_four_times():
    # check 15 Jan 2024: 15 Apr, 15 Jul, 15 Oct 2024, 15 Jan 2025; window 14 days before to 30 days after
    plan = schedule.plan_prepregnancy(RULES, D(2024, 1, 15), None, None, D(2024, 12, 31))
    assert by_type(plan, "prepreg_early") == [
        W("2024-04-01", "2024-04-15", "2024-05-15"),
        W("2024-07-01", "2024-07-15", "2024-08-14"),
        W("2024-10-01", "2024-10-15", "2024-11-14"),
        W("2025-01-01", "2025-01-15", "2025-02-14"),
    ]
    assert by_type(plan, "prepreg_outcome") == []


def test_prepregnancy_follow_ups_stop_when_a_pregnancy_is_registered_and_the_outcome_one_follows():
    # pregnancy registered 1 Aug 2024, EDD 10 Mar 2025: the follow-ups whose window opened by 1 Aug stay
    # (1 Apr, 1 Jul), the later ones are not wanted; the outcome follow-up is EDD … EDD + 42 days
    # (31 Mar = +21, 21 Apr = +42)
    plan = schedule.plan_prepregnancy(RULES, D(2024, 1, 15), D(2024, 8, 1), D(2025, 3, 10), D(2024, 12, 31))
    assert [w.due for w in by_type(plan, "prepreg_early")] == [D(2024, 4, 15), D(2024, 7, 15)]
    assert by_type(plan, "prepreg_outcome") == [W("2025-03-10", "2025-03-10", "2025-04-21")]
    assert plan.reason == "followup.reason.pregnancy_known"


def test_support_visits_every_interval_and_referral_within_14_days():
    # assigned 31 Jan 2024, every 3 months: 30 Apr, 31 Jul (anchored on the assignment, not chained)
    plan = schedule.plan_support(RULES, D(2024, 1, 31), 3, D(2024, 5, 1))
    assert by_type(plan, "support_visit") == [
        W("2024-04-23", "2024-04-30", "2024-05-21"),
        W("2024-07-24", "2024-07-31", "2024-08-21"),
    ]
    # referred on 26 Feb 2024: due a week later (4 Mar), latest 14 days (11 Mar)
    plan = schedule.plan_referral(RULES, D(2024, 2, 26))
    assert windows(plan) == {("referral", 1): W("2024-02-26", "2024-03-04", "2024-03-11")}


def test_add_months_keeps_the_day_or_takes_the_months_last_day():
    assert schedule.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert schedule.add_months(D(2023, 1, 31), 1) == D(2023, 2, 28)
    assert schedule.add_months(D(2024, 8, 31), 6) == D(2025, 2, 28)
    assert schedule.add_months(D(2024, 11, 30), 3) == D(2025, 2, 28)
    assert schedule.add_months(D(2024, 12, 15), 1) == D(2025, 1, 15)


# ---------------------------------------------------------------- reconciling


def apply(existing: list[Existing], changes: schedule.Changes) -> list[Existing]:
    """What the database layer does with the changes (new ids for inserts)."""
    out = {e.id: e for e in existing}
    for fid, w, status in changes.moves:
        out[fid] = replace(out[fid], window=w, status=status)
    for fid, _reason in changes.cancels:
        out[fid] = replace(out[fid], status="cancelled")
    for n, (p, status) in enumerate(changes.inserts):
        fid = f"new-{len(out)}-{n}"
        out[fid] = Existing(fid, p.followup_type, p.occurrence, p.window, status)
    return list(out.values())


def first_run(plan: schedule.Plan, today: D) -> list[Existing]:
    changes = schedule.reconcile([], plan, today)
    assert changes.moves == [] and changes.cancels == []
    return apply([], changes)


def find(existing: list[Existing], ftype: str) -> Existing:
    (e,) = [e for e in existing if e.followup_type == ftype]
    return e


def test_a_new_pregnancy_gets_its_five_antenatal_follow_ups_once():
    today = D(2024, 2, 1)
    plan = schedule.plan_pregnancy(RULES, PregnancyFacts(D(2024, 1, 31)))
    existing = first_run(plan, today)
    assert sorted(e.followup_type for e in existing) == ["anc1", "anc2", "anc3", "anc4", "anc5"]
    assert {e.status for e in existing} == {"due"}
    assert not schedule.reconcile(existing, plan, today)  # idempotent: nothing more to do


def test_an_lmp_edit_moves_the_open_windows_and_leaves_the_done_ones():
    today = D(2024, 4, 20)
    existing = first_run(schedule.plan_pregnancy(RULES, PregnancyFacts(D(2024, 1, 31))), today)
    anc1 = find(existing, "anc1")
    existing = [replace(e, status="done") if e.id == anc1.id else e for e in existing]
    # the ultrasound puts the LMP a week later: 7 Feb 2024 (+112 = 29 May, +146 = 2 Jul)
    plan = schedule.plan_pregnancy(RULES, PregnancyFacts(D(2024, 2, 7)))
    changes = schedule.reconcile(existing, plan, today)
    assert changes.inserts == [] and changes.cancels == []
    moved = {fid: w for fid, w, _ in changes.moves}
    assert anc1.id not in moved  # done: history is never rewritten
    assert moved[find(existing, "anc2").id] == W("2024-05-29", "2024-05-29", "2024-07-02")
    assert len(moved) == 4
    after = apply(existing, changes)
    assert find(after, "anc1").window == W("2024-01-31", "2024-04-24", "2024-04-30")
    assert not schedule.reconcile(after, plan, today)  # idempotent


def test_a_window_on_its_latest_day_is_still_due_and_missed_the_day_after():
    w = W("2024-01-31", "2024-04-24", "2024-04-30")
    assert schedule.status_for(w, D(2024, 4, 30)) == "due"
    assert schedule.status_for(w, D(2024, 5, 1)) == "missed"
    plan = schedule.Plan((Planned("anc1", 1, w),))
    on_latest = schedule.reconcile([], plan, D(2024, 4, 30))
    assert [status for _, status in on_latest.inserts] == ["due"]
    existing = apply([], on_latest)
    assert not schedule.reconcile(existing, plan, D(2024, 4, 30))
    day_after = schedule.reconcile(existing, plan, D(2024, 5, 1))
    assert [(fid, status) for fid, _, status in day_after.moves] == [(existing[0].id, "missed")]


def test_reconciling_the_result_again_changes_nothing():
    today = D(2024, 6, 1)
    for plan in (
        schedule.plan_pregnancy(RULES, PregnancyFacts(D(2023, 11, 20))),
        schedule.plan_folic(RULES, D(2024, 1, 31), None, today),
        schedule.plan_contraceptive(RULES, "iud", D(2024, 1, 31), None, (), today),
        schedule.plan_prepregnancy(RULES, D(2024, 1, 15), None, None, today),
    ):
        existing = first_run(plan, today)
        assert not schedule.reconcile(existing, plan, today)


def test_an_outcome_cancels_the_due_antenatal_ones_keeps_the_missed_and_adds_postpartum_ones():
    lmp = D(2023, 11, 20)
    today = D(2024, 7, 15)
    existing = first_run(schedule.plan_pregnancy(RULES, PregnancyFacts(lmp)), today)
    # on 15 Jul the windows of the 1st to 3rd checks (to 18 Feb, 14 Apr, 12 May) have passed: missed;
    # the 2nd was then recorded late
    assert {e.followup_type: e.status for e in existing} == {
        "anc1": "missed",
        "anc2": "missed",
        "anc3": "missed",
        "anc4": "due",
        "anc5": "due",
    }
    existing = [replace(e, status="done") if e.followup_type == "anc2" else e for e in existing]
    # a preterm live birth on 10 Jul 2024 (33+2 weeks: 30 Jun = +223, 10 Jul = +233), no discharge date known
    plan = schedule.plan_pregnancy(RULES, PregnancyFacts(lmp, "live_birth", D(2024, 7, 10), None))
    changes = schedule.reconcile(existing, plan, today)
    cancelled = dict(changes.cancels)
    assert set(cancelled) == {find(existing, "anc4").id, find(existing, "anc5").id}
    assert set(cancelled.values()) == {"followup.reason.pregnancy_ended"}
    assert changes.moves == []  # the missed ones stay missed, the done one done
    # 10 Jul + 3 = 13 Jul, + 7 = 17 Jul; + 42: 31 Jul = +21, 21 Aug = +42, 4 Sep = +56
    assert sorted((p.followup_type, p.window, status) for p, status in changes.inserts) == [
        ("postpartum_42d", W("2024-08-21", "2024-08-21", "2024-09-04"), "due"),
        ("postpartum_visit", W("2024-07-10", "2024-07-13", "2024-07-17"), "due"),
    ]
    after = apply(existing, changes)
    assert {e.followup_type: e.status for e in after if e.followup_type.startswith("anc")} == {
        "anc1": "missed",
        "anc2": "done",
        "anc3": "missed",
        "anc4": "cancelled",
        "anc5": "cancelled",
    }
    assert not schedule.reconcile(after, plan, today)


def test_a_done_follow_up_no_longer_planned_is_left_alone():
    today = D(2024, 6, 1)
    w = W("2024-02-22", "2024-02-29", "2024-03-30")
    existing = [Existing("x", "contraceptive_check", 1, w, "done"), Existing("y", "anc1", 1, w, "cancelled")]
    assert not schedule.reconcile(existing, schedule.Plan((), "followup.reason.method_stopped"), today)


@pytest.mark.parametrize(
    "bad", [{"earliest": 5, "due": 3, "latest": 7}, {"earliest": 0, "due": 9, "latest": 7}]
)
def test_rules_with_an_unordered_window_are_refused(bad):
    data = {
        "format": "fhd-followup-rules",
        "version": "x",
        "rules": {"anc1": {"source": "pregnancy", "anchor": "lmp", **bad}},
    }
    with pytest.raises(ValueError):
        schedule.parse_rules(data)


def test_a_visit_marked_missed_by_hand_stays_missed_while_its_window_is_open():
    w = Window(dt.date(2026, 11, 1), dt.date(2026, 11, 10), dt.date(2026, 12, 15))
    existing = [Existing("f1", "anc4", 1, w, "missed")]
    plan = Plan((Planned("anc4", 1, w),))
    assert not reconcile(existing, plan, dt.date(2026, 11, 24))


def test_checks_whose_window_is_open_when_the_method_stops_are_not_planned():
    rules = load_rules()
    plan = plan_contraceptive(
        rules, "iud", dt.date(2026, 1, 10), dt.date(2027, 1, 12), (), dt.date(2027, 1, 12)
    )
    # 1 and 3 months closed before the removal; the 12-month window (3 Jan – 9 Feb 2027) was open: dropped
    assert [p.window.due for p in plan.planned] == [dt.date(2026, 2, 10), dt.date(2026, 4, 10)]
