"""Care records of the demo: pre-pregnancy checks, folic acid, contraceptive methods, family support."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.services.demo import followups
from app.services.demo.builder import Builder, Member
from app.services.demo.dates import days
from app.services.demo.names import draw_given_name, draw_phone, draw_surname
from app.services.demo.pregnancies import mothers
from app.services.demo.supplies import method_demand
from app.vocab import ContraceptiveMethod as CM
from app.vocab import Relation, RiskGrade, Sex, SupportKind

METHOD_LABELS: dict[str, str] = {
    CM.IUD: "宫内节育器",
    CM.IMPLANT: "皮下埋植",
    CM.FEMALE_STERILISATION: "输卵管绝育",
    CM.MALE_STERILISATION: "输精管绝育",
    CM.PILL: "口服避孕药",
    CM.INJECTABLE: "避孕针",
    CM.CONDOM: "避孕套",
    CM.SPERMICIDE: "外用避孕药",
}


def _folic_course(b: Builder, woman: Member, start: dt.date, end: dt.date | None) -> None:
    """A course of folic acid with its monthly bottles (stock issues) and adherence follow-ups."""
    high = b.rng.random() < 0.04
    last = min(end or b.today, b.today)
    bottles = [start + days(31 * i) for i in range(max(1, (last - start).days // 31 + 1))]
    bottles = [bottle for bottle in bottles if bottle <= b.today]
    course = b.add(
        "folic_acid_course",
        b.typed_in(start),
        woman_id=woman.row["id"],
        start_date=start,
        end_date=end,
        dose_mg=4.0 if high else 0.4,
        bottles_issued=len(bottles) * (10 if high else 1),
        high_risk_reason="既往神经管缺陷妊娠史" if high else "",
    )
    link = {"person_id": woman.row["id"], "folic_acid_course_id": course["id"]}
    b.demand["F01"] += [(bottle, 10 if high else 1, link) for bottle in bottles if bottle >= b.start]
    followups.folic_course(b, course)


def _prepregnancy(b: Builder, woman: Member, check: dt.date, pregnancy: dict[str, Any] | None) -> None:
    """A pre-pregnancy check (孕前优生健康检查) of the woman and her husband, and its follow-ups."""
    husband = woman.husband
    high = b.rng.random() < 0.08
    row = b.add(
        "prepregnancy_check",
        b.typed_in(check),
        woman_id=woman.row["id"],
        partner_id=husband.row["id"] if husband is not None and husband.present else None,
        check_date=check,
        risk_grade=RiskGrade.HIGH if high else RiskGrade.GENERAL,
        counselling="风险评估为高风险，已转诊县妇幼保健院进一步咨询"
        if high
        else "已告知检查结果，建议每日增补叶酸 0.4mg 至孕满 3 个月",
        pregnancy_id=pregnancy["id"] if pregnancy else None,
    )
    followups.prepregnancy_check(b, row)


def around_pregnancies(b: Builder, pregnancies: list[tuple[Member, dict[str, Any]]]) -> None:
    """Folic acid and pre-pregnancy checks around the pregnancies of the window."""
    rng = b.rng
    for mother, preg in pregnancies:
        lmp = preg["lmp"]
        planned = rng.random() < 0.4
        if planned and lmp - days(150) >= b.start - days(200):
            _prepregnancy(b, mother, lmp - days(rng.randint(40, 150)), preg)
        start = lmp - days(rng.randint(60, 100)) if planned else preg["registration_date"]
        course_end = min(lmp + days(90), preg["outcome_date"] or lmp + days(90))
        if start <= course_end and course_end >= b.start and rng.random() < 0.85:
            _folic_course(b, mother, start, course_end if course_end <= b.today else None)


def _episode(
    b: Builder, person: Member, method: str, start: dt.date, stop: dt.date | None = None, reason: str = ""
) -> None:
    """A contraceptive method used from `start` (to `stop`), the supplies it needs and its check-ups."""
    counselled = start - days(b.rng.randint(0, 14)) if b.rng.random() < 0.93 else None
    if counselled is not None and counselled < person.birth:
        counselled = start
    row = b.add(
        "contraceptive_method",
        b.typed_in(start),
        person_id=person.row["id"],
        method=method,
        start_date=start,
        stop_date=stop,
        stop_reason=reason,
        counselled_on=counselled,
        counselling_notes=f"介绍了各种避孕方法的效果和注意事项，本人知情选择{METHOD_LABELS[method]}"
        if counselled
        else "",
    )
    method_demand(b, row, followups.contraceptive_method(b, row))


def contraception(b: Builder, after_birth: dict[str, tuple[dt.date, dt.date | None]]) -> None:
    """Methods chosen by married women 15-49 not trying for a child; history where a pregnancy intervened.

    `after_birth`: woman id -> (lmp, outcome date) of her pregnancy in the window.
    """
    rng = b.rng
    for m in b.members:
        if m.sex != Sex.FEMALE or not m.present or not m.married or not 15 <= b.age(m) <= 49:
            continue
        preg = after_birth.get(m.row["id"])
        age = b.age(m)
        if preg is not None:
            lmp, outcome = preg
            if rng.random() < 0.6:  # a method stopped to become pregnant
                method = rng.choice((CM.IUD, CM.CONDOM, CM.CONDOM, CM.PILL))
                stop = lmp - days(rng.randint(20, 200))
                start = max(stop - days(rng.randint(200, 1500)), m.row["marriage_date"] or stop)
                if start <= stop:
                    _episode(b, m, method, start, stop, "计划怀孕")
            if outcome is not None and outcome + days(50) <= b.today and rng.random() < 0.7:
                method = rng.choice((CM.IUD, CM.IUD, CM.CONDOM, CM.IMPLANT, CM.PILL, CM.INJECTABLE))
                _episode(b, m, method, b.window_day(earliest=outcome + days(42), latest=outcome + days(150)))
            continue
        if m.busy:
            continue
        if m.husband is not None and m.husband.present and rng.random() < 0.012 and m.children >= 2:
            start = min((m.last_birth or b.start) + days(rng.randint(60, 900)), b.today)
            _episode(b, m.husband, CM.MALE_STERILISATION, start)
            continue
        if rng.random() > 0.82:
            continue
        if age >= 38:
            method = rng.choices(
                (
                    CM.FEMALE_STERILISATION,
                    CM.IUD,
                    CM.CONDOM,
                    CM.PILL,
                    CM.INJECTABLE,
                    CM.IMPLANT,
                    CM.SPERMICIDE,
                ),
                (33, 45, 12, 3, 3, 2, 2),
            )[0]
        else:
            method = rng.choices(
                (
                    CM.IUD,
                    CM.CONDOM,
                    CM.PILL,
                    CM.INJECTABLE,
                    CM.IMPLANT,
                    CM.FEMALE_STERILISATION,
                    CM.SPERMICIDE,
                ),
                (40, 28, 10, 8, 8, 3, 3),
            )[0]
        if m.children == 0 and method in (CM.IUD, CM.FEMALE_STERILISATION, CM.IMPLANT):
            method = CM.CONDOM
        base = m.last_birth or m.row["marriage_date"] or b.start
        start = base + days(rng.randint(45, 900))
        if start > b.today:
            start = b.window_day(earliest=base)
        if method in (CM.IUD, CM.IMPLANT) and rng.random() < 0.2 and start - days(400) > base:
            _episode(b, m, CM.CONDOM, base + days(45), start - days(1), "改用长效方法")
        earliest_switch = max(start + days(30), b.start + days(90))
        if (
            method in (CM.PILL, CM.CONDOM)
            and m.children > 0
            and earliest_switch < b.today
            and (rng.random() < 0.12)
        ):  # switched to an IUD inside the window
            switch = b.window_day(earliest=earliest_switch)
            _episode(b, m, method, start, switch - days(1), "改用宫内节育器")
            _episode(b, m, CM.IUD, switch)
            continue
        _episode(b, m, method, start)


def planners(b: Builder) -> None:
    """Couples preparing a pregnancy: a pre-pregnancy check and folic acid, no contraception."""
    n = max(2, round(b.target * 0.004))
    candidates = [m for m in mothers(b) if b.age(m) <= 36 and m.children <= 1]
    for woman in b.sample(candidates, [1.0] * len(candidates), n):
        woman.busy = True
        check = b.window_day(earliest=b.today - days(300))
        _prepregnancy(b, woman, check, None)
        start = check + days(b.rng.randint(0, 14))
        if start <= b.today:
            _folic_course(b, woman, start, None)


def support(b: Builder) -> None:
    """Families of the family-planning support schemes (扶助): a few special ones visited monthly, rewards."""
    rng = b.rng
    elders = [m for m in b.members if m.present and m.row["relation"] == Relation.HEAD and b.age(m) >= 60]
    n = max(3, round(b.target * 0.006))
    picked = b.sample(elders, [1.0] * len(elders), n)
    kinds = [SupportKind.SPECIAL_DEATH, SupportKind.SPECIAL_DISABILITY] * max(1, round(b.scale))
    for i, head in enumerate(picked):
        kind = kinds[i] if i < len(kinds) else SupportKind.REWARD
        special = kind != SupportKind.REWARD
        confirmed = b.today.year if b.today.month >= 4 else b.today.year - 1
        notes = {
            SupportKind.SPECIAL_DEATH: "独生子女因病去世，夫妻双方均已年满 49 周岁",
            SupportKind.SPECIAL_DISABILITY: "独生子女三级以上残疾",
            SupportKind.REWARD: "农村部分计划生育家庭奖励扶助",
        }[kind]
        contact = draw_surname(b.rng) + draw_given_name(
            b.rng, Sex.FEMALE if rng.random() < 0.5 else Sex.MALE, dt.date(1975, 1, 1)
        )
        recorded = dt.date(confirmed, rng.randint(3, 4), rng.randint(1, 28))
        row = b.add(
            "support_entitlement",
            recorded,
            household_id=head.home.row["id"],
            assigned_on=min(recorded, b.today),
            person_id=head.row["id"],
            kind=kind,
            year_confirmed=confirmed,
            contact_name=contact,
            contact_phone=draw_phone(b.rng),
            visit_interval_months=1 if special else 12,
            notes=notes,
        )
        followups.support_entitlement(b, row)
