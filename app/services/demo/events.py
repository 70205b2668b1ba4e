"""Life events of the demo's last 18 months: deaths (and new heads), marriages, moves out and in."""

from __future__ import annotations

import datetime as dt
import math
from typing import TypedDict

from app.services.demo.builder import Builder, Member
from app.services.demo.dates import add_years, days
from app.services.demo.households import birth_for_age, marriage_date, new_home, new_person, set_head
from app.services.demo.names import draw_phone, draw_surname
from app.services.demo.places import DESTINATIONS, ORIGINS
from app.vocab import MaritalStatus, Relation, ResidenceStatus, ResidenceType, Sex, VitalEventType


class _Arrival(TypedDict):
    """What every member of an arriving family shares (keyword arguments of new_person)."""

    on: dt.date
    residence: str
    place: str
    area: str


def vital_event(
    b: Builder, m: Member, kind: str, day: dt.date, place: str | None = None, notes: str = ""
) -> None:
    """A birth, death, marriage or move of `m` on `day`, typed in within the week."""
    b.add(
        "vital_event",
        day + days(b.rng.randint(0, 6)),
        person_id=m.row["id"],
        household_id=m.home.row["id"],
        event_type=kind,
        event_date=day,
        place=place,
        notes=notes,
        # a move records the status it gave (the row says it now: the demo updates it before the event)
        residence_status=m.row["residence_status"]
        if kind in (VitalEventType.MOVE_IN, VitalEventType.MOVE_OUT)
        else None,
    )


def deaths(b: Builder) -> None:
    """About one in a hundred villagers died in the window, most of them old."""
    people = [m for m in b.members if m.present]
    weights = [math.exp((b.age(m) - 62) / 9) if b.age(m) >= 40 else 0.002 for m in people]
    for m in b.sample(people, weights, max(3, round(b.target * 0.0105))):
        day = b.window_day(earliest=m.birth)
        m.row.update(residence_status=ResidenceStatus.DECEASED, death_date=day)
        m.busy = True
        vital_event(b, m, VitalEventType.DEATH, day)
        if m.row["relation"] in (Relation.HEAD, Relation.SPOUSE) and m.married:
            for other in m.home.members:
                if (
                    other is not m
                    and other.row["relation"] in (Relation.HEAD, Relation.SPOUSE)
                    and other.married
                    and other.present
                ):
                    other.row["marital_status"] = MaritalStatus.WIDOWED
        if m.row["relation"] == Relation.HEAD and day <= b.today - days(30):
            _new_head(b, m)  # the officer named the new head; a recent death is still on the to-do list


# Relations of the members when a son takes over from his late father or mother.
_SON_TAKES_OVER = {
    Relation.DAUGHTER_IN_LAW: Relation.SPOUSE,
    Relation.GRANDSON: Relation.SON,
    Relation.GRANDDAUGHTER: Relation.DAUGHTER,
    Relation.SON: Relation.SIBLING,
    Relation.DAUGHTER: Relation.SIBLING,
    Relation.SPOUSE: Relation.MOTHER,
}


def _new_head(b: Builder, late: Member) -> None:
    """The household of a late head gets a new one: the spouse, or else the eldest son living there."""
    home = late.home
    present = [m for m in home.members if m is not late and m.present]
    spouse = [m for m in present if m.row["relation"] == Relation.SPOUSE]
    sons = sorted(
        (m for m in present if m.row["relation"] == Relation.SON and b.age(m) >= 18),
        key=lambda m: m.birth,
    )
    if spouse:
        heir = spouse[0]
        late.row["relation"] = Relation.SPOUSE
    elif sons:
        heir = sons[0]
        for m in present:
            if m is not heir:
                m.row["relation"] = _SON_TAKES_OVER.get(m.row["relation"], Relation.OTHER)
        late.row["relation"] = Relation.FATHER if late.sex == Sex.MALE else Relation.MOTHER
    else:
        return  # nobody left to take over: the household is empty
    heir.row["relation"] = Relation.HEAD
    if heir.row["phone"] is None and b.rng.random() < 0.8:
        heir.row["phone"] = draw_phone(b.rng)
    phone = home.row["phone"]
    set_head(home, heir)
    home.row["phone"] = heir.row["phone"] or phone


def _unmarried(b: Builder, relation: str, youngest: int, oldest: int) -> list[Member]:
    """Unmarried sons or daughters of the household, of an age to marry, to whom nothing happened yet."""
    return [
        m
        for m in b.members
        if m.present
        and not m.busy
        and m.row["relation"] == relation
        and m.row["marital_status"] == MaritalStatus.UNMARRIED
        and youngest <= b.age(m) <= oldest
    ]


def marriages(b: Builder) -> None:
    """Sons bring a bride into the household; daughters marry out of the village."""
    n = max(2, round(b.target * 0.007))
    sons = _unmarried(b, Relation.SON, 23, 34)
    daughters = _unmarried(b, Relation.DAUGHTER, 21, 32)
    for son in b.sample(sons, [1.0] * len(sons), (n + 1) // 2):
        son.busy = True
        day = b.window_day(earliest=add_years(son.birth, 22))
        origin = b.rng.choice(ORIGINS)
        bride_birth = add_years(day, -b.rng.randint(20, 27)) - days(b.rng.randrange(1, 365))
        son.row.update(
            marital_status=MaritalStatus.FIRST_MARRIAGE,
            marriage_date=day,
            residence_status=ResidenceStatus.RESIDENT,
            residence_place=None,
        )
        bride = new_person(
            b,
            son.home,
            draw_surname(b.rng),
            Sex.FEMALE,
            bride_birth,
            Relation.DAUGHTER_IN_LAW,
            on=day,
            marital=MaritalStatus.FIRST_MARRIAGE,
            marriage=day,
            area=origin[0],
            phone=draw_phone(b.rng),
        )
        bride.husband = son
        bride.busy = True
        vital_event(b, son, VitalEventType.MARRIAGE, day)
        vital_event(b, bride, VitalEventType.MARRIAGE, day)
        vital_event(b, bride, VitalEventType.MOVE_IN, day, place=origin[1], notes="婚入")
    for daughter in b.sample(daughters, [1.0] * len(daughters), n // 2):
        daughter.busy = True
        day = b.window_day(earliest=add_years(daughter.birth, 20))
        place = b.rng.choice(ORIGINS)[1]
        daughter.row.update(
            marital_status=MaritalStatus.FIRST_MARRIAGE,
            marriage_date=day,
            residence_status=ResidenceStatus.MOVED_AWAY,
            residence_place=place,
        )
        vital_event(b, daughter, VitalEventType.MARRIAGE, day)
        vital_event(
            b,
            daughter,
            VitalEventType.MOVE_OUT,
            day + days(b.rng.randint(0, 20)) if day + days(20) <= b.today else day,
            place=place,
            notes="婚出",
        )


def moves(b: Builder) -> None:
    """Young people who moved away or went to work in the cities, and in-migrant families who arrived."""
    n = max(2, round(b.target * 0.004))
    young = [
        m
        for m in b.members
        if m.present
        and not m.busy
        and 19 <= b.age(m) <= 40
        and m.row["relation"] in (Relation.SON, Relation.DAUGHTER)
    ]
    for i, m in enumerate(b.sample(young, [1.0] * len(young), n)):
        m.busy = True
        day = b.window_day()
        place = b.rng.choice(DESTINATIONS)
        permanent = i % 2 == 0
        m.row.update(
            residence_status=ResidenceStatus.MOVED_AWAY if permanent else ResidenceStatus.OUT_MIGRANT,
            residence_place=place,
        )
        vital_event(
            b, m, VitalEventType.MOVE_OUT, day, place=place, notes="迁出落户" if permanent else "外出务工"
        )
    for _ in range(max(1, round(b.scale))):  # an in-migrant family arrives to work in the village
        day = b.window_day()
        origin = b.rng.choice(ORIGINS)
        home = new_home(b, day, ResidenceType.IN_MIGRANT)
        head_birth = birth_for_age(b, b.rng.randint(28, 42))
        wife_birth = add_years(head_birth, b.rng.randint(0, 3)) + days(b.rng.randrange(200))
        marriage = marriage_date(b, head_birth, wife_birth, b.start - days(30)) or b.start
        surname = draw_surname(b.rng)
        common: _Arrival = {
            "on": day,
            "residence": ResidenceStatus.IN_MIGRANT,
            "place": origin[1],
            "area": origin[0],
        }
        head = new_person(
            b,
            home,
            surname,
            Sex.MALE,
            head_birth,
            Relation.HEAD,
            marital=MaritalStatus.FIRST_MARRIAGE,
            marriage=marriage,
            phone=draw_phone(b.rng),
            **common,
        )
        set_head(home, head)
        wife = new_person(
            b,
            home,
            draw_surname(b.rng),
            Sex.FEMALE,
            wife_birth,
            Relation.SPOUSE,
            marital=MaritalStatus.FIRST_MARRIAGE,
            marriage=marriage,
            phone=draw_phone(b.rng),
            **common,
        )
        wife.husband = head
        arrivals = [head, wife]
        child_birth = marriage + days(b.rng.randint(300, 700))
        if child_birth < b.start:
            sex = Sex.MALE if b.rng.random() < 0.5 else Sex.FEMALE
            arrivals.append(
                new_person(
                    b,
                    home,
                    surname,
                    sex,
                    child_birth,
                    Relation.SON if sex == Sex.MALE else Relation.DAUGHTER,
                    **common,
                )
            )
            wife.children, wife.last_birth = 1, child_birth
        for m in arrivals:
            m.busy = True
            vital_event(b, m, VitalEventType.MOVE_IN, day, place=origin[1], notes="流入务工")
