"""Pregnancies of the demo: live births with their newborns, miscarriages, and pregnancies still going on."""

from __future__ import annotations

import datetime as dt
from typing import Any

from app.services.demo.builder import Builder, Member
from app.services.demo.dates import days
from app.services.demo.events import vital_event
from app.services.demo.households import new_person
from app.services.demo.places import HOSPITALS
from app.vocab import DeliveryPlace, PregnancyOutcome, Relation, ResidenceStatus, Sex, VitalEventType

# Risks the officer notes at registration: a factor she ticks (risk_rules.json) and, for "other", what it is.
# Age and gravidity are not ticked: the rules flag them from the birth date, the EDD and the gravidity.
RISKS = (
    ("previous_caesarean", ""),
    ("other", "轻度贫血"),
    ("diabetes", ""),
    ("hypertension", ""),
    ("other", "既往自然流产史"),
    ("other", "甲状腺功能减退"),
)


def mothers(b: Builder) -> list[Member]:
    """Married women of child-bearing age living in the village whose husband is around."""
    return [
        m
        for m in b.members
        if m.sex == Sex.FEMALE
        and m.present
        and not m.busy
        and m.married
        and 21 <= b.age(m) <= 42
        and m.row["residence_status"] != ResidenceStatus.OUT_MIGRANT
        and m.husband is not None
        and m.husband.present
    ]


def _mother_weight(b: Builder, m: Member) -> float:
    age = b.age(m)
    by_age = 1.0 if 24 <= age <= 33 else 0.5 if age <= 37 else 0.15
    by_children = (3.0, 2.0, 0.35, 0.08)[min(m.children, 3)]
    return by_age * by_children


def _birth_reg_no(b: Builder, day: dt.date) -> str:
    b.birth_reg_seq += 1
    return f"{b.area}{day.year}{b.birth_reg_seq:05d}"


def _pregnancy(
    b: Builder, mother: Member, lmp: dt.date, registration: dt.date, **fields: Any
) -> dict[str, Any]:
    factor, note = b.rng.choice(RISKS) if b.rng.random() < 0.12 else ("", "")
    parity = mother.children
    gravidity = parity + 1 + (1 if b.rng.random() < 0.15 else 0)
    registered = b.rng.random() < 0.8
    reg_day = min(registration + days(b.rng.randint(0, 30)), b.today)
    row = b.add(
        "pregnancy",
        registration,
        woman_id=mother.row["id"],
        lmp=lmp,
        edd=lmp + days(280),
        registration_date=registration,
        gravidity=gravidity,
        parity=parity,
        risk_factors=factor,
        risk_notes=note,
        planned_facility=b.rng.choice(HOSPITALS),
        birth_reg_no=_birth_reg_no(b, reg_day) if registered else None,
        birth_reg_date=reg_day if registered else None,
        child_order=parity + 1 if registered else None,
        **fields,
    )
    mother.busy = True
    return row


def _registration_offset(b: Builder) -> int:
    return b.rng.randint(42, 84) if b.rng.random() < 0.85 else b.rng.randint(91, 150)


def births(b: Builder) -> list[tuple[Member, dict[str, Any]]]:
    """Live births of the window: the closed pregnancy, the newborn and its birth event; returns the mothers
    and their pregnancies."""
    n = max(4, round(b.target * 0.015))
    candidates = mothers(b)
    picked = b.sample(candidates, [_mother_weight(b, m) for m in candidates], n * 2)
    out: list[tuple[Member, dict[str, Any]]] = []
    for mother in picked:
        if len(out) == n:
            break
        birth = b.window_day(latest=b.today - days(1))
        lmp = birth - days(b.rng.randint(262, 290) if b.rng.random() < 0.94 else b.rng.randint(238, 258))
        if mother.last_birth is not None and mother.last_birth > lmp - days(365):
            continue
        registration = min(lmp + days(_registration_offset(b)), birth)
        hospital = b.rng.random() < 0.97
        facility = b.rng.choice(HOSPITALS) if hospital else None
        discharge = birth + days(b.rng.randint(1, 6)) if hospital else None
        if discharge is not None and discharge > b.today:
            discharge = None  # still in hospital
        preg = _pregnancy(
            b,
            mother,
            lmp,
            registration,
            outcome=PregnancyOutcome.LIVE_BIRTH,
            outcome_date=birth,
            delivery_place=DeliveryPlace.HOSPITAL if hospital else DeliveryPlace.HOME,
            delivery_facility=facility,
            live_births=1,
            discharge_date=discharge,
        )
        father = mother.husband
        assert father is not None
        sex = Sex.MALE if b.rng.random() < 0.52 else Sex.FEMALE
        grand = mother.row["relation"] == Relation.DAUGHTER_IN_LAW
        relation = {
            (Sex.MALE, False): Relation.SON,
            (Sex.FEMALE, False): Relation.DAUGHTER,
            (Sex.MALE, True): Relation.GRANDSON,
            (Sex.FEMALE, True): Relation.GRANDDAUGHTER,
        }[sex, grand]
        baby = new_person(
            b,
            mother.home,
            father.surname,
            sex,
            birth,
            relation,
            on=birth + days(7),
            with_id=b.rng.random() < 0.15,
            residence=ResidenceStatus.IN_MIGRANT
            if mother.row["residence_status"] == ResidenceStatus.IN_MIGRANT
            else ResidenceStatus.RESIDENT,
            place=mother.row["residence_place"],
            area=mother.row["id_number"][:6] if mother.row["id_number"] else None,
        )
        baby.row["born_of_pregnancy_id"] = preg["id"]
        baby.busy = True
        vital_event(b, baby, VitalEventType.BIRTH, birth, notes=facility or "")
        mother.children += 1
        mother.last_birth = birth
        out.append((mother, preg))
    return out


def miscarriages(b: Builder, n: int) -> list[tuple[Member, dict[str, Any]]]:
    candidates = mothers(b)
    out = []
    for mother in b.sample(candidates, [_mother_weight(b, m) for m in candidates], n):
        end = b.window_day(earliest=b.start + days(60), latest=b.today - days(14))
        lmp = end - days(b.rng.randint(50, 84))
        registration = min(lmp + days(b.rng.randint(40, 55)), end)
        preg = _pregnancy(
            b,
            mother,
            lmp,
            registration,
            outcome=PregnancyOutcome.MISCARRIAGE,
            outcome_date=end,
            delivery_place=DeliveryPlace.HOSPITAL,
            delivery_facility=b.rng.choice(HOSPITALS),
        )
        preg.update(birth_reg_no=None, birth_reg_date=None, child_order=None)
        out.append((mother, preg))
    return out


def open_pregnancies(b: Builder) -> list[tuple[Member, dict[str, Any]]]:
    """Pregnancies at every stage, from a few weeks to past the due date."""
    n = max(6, round(b.target * 0.009))
    candidates = [m for m in mothers(b) if m.last_birth is None or m.last_birth < b.today - days(700)]
    picked = b.sample(candidates, [_mother_weight(b, m) for m in candidates], n)
    lo, hi = 28, 287  # 4+0 weeks (a test turns positive) to 41+0 weeks
    out = []
    for i, mother in enumerate(picked):
        ga = lo + int((i + b.rng.random()) / len(picked) * (hi - lo))
        if i == 0:
            ga = b.rng.randint(lo, 70)
        elif i == len(picked) - 1:
            ga = b.rng.randint(262, hi)
        lmp = b.today - days(ga)
        registration = lmp + days(min(ga, _registration_offset(b)))
        out.append((mother, _pregnancy(b, mother, lmp, registration)))
    return out
