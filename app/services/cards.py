"""家庭服务卡: what each household's card says — its members, and for each woman of reproductive age the
services she is due and who to call. The family keeps the card; it is service, not surveillance: no targets,
no fetal sex, nothing judgemental, and resident ID numbers masked unless the officer asks for them in full.

`card_batch` reads the cards of one household, a chosen few, a villager group or the whole village with a
handful of set-based queries per 500 households (never a query per household or per person), and returns
plain frozen values; app.reports.cards draws them.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db import Database
from app.models import (
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    Household,
    Person,
    Pregnancy,
    SupportEntitlement,
    User,
    VillagerGroup,
)
from app.models.village import home_profile
from app.services import identity
from app.services.care import FOLIC_UNTIL_WEEKS
from app.services.pregnancy_dates import GestationalAge, gestational_age
from app.services.validation import full_years
from app.services.women import MAX_AGE, MIN_AGE, birth_bounds
from app.vocab import PRESENT, FollowupStatus, FollowupType, Relation, Sex

CHUNK = 500  # households per round of queries: well under SQLite's limit of bound parameters
SHOWN_DIGITS = 4  # an ID number on a card shows its last four characters unless printed in full
# Visits that say which method a woman uses (left off with the methods, and for a woman who is pregnant).
METHOD_FOLLOWUPS = (FollowupType.CONTRACEPTIVE_CHECK, FollowupType.RESUPPLY, FollowupType.INJECTION)


# ---------------------------------------------------------------- what a card says


@dataclass(frozen=True)
class CardFollowup:
    """A service the person is due: its type (a vocab.followup_type code) and its window."""

    person_id: str
    person_name: str
    followup_type: str
    earliest: dt.date
    due: dt.date
    latest: dt.date


@dataclass(frozen=True)
class CardMember:
    person_id: str
    name: str
    relation: str  # vocab.relation code
    sex: str  # "M" / "F"
    birth_date: dt.date
    age: int  # full years (周岁) on the card's date
    age_months: int  # full months, for the babies (age 0)
    id_number: str  # in full: the writer masks it with mask_id_number unless asked not to
    residence_status: str  # resident / out_migrant / in_migrant (the people who left are not on the card)


@dataclass(frozen=True)
class CardFolicCourse:
    start_date: dt.date
    end_date: dt.date | None  # the recorded end, if any
    dose_mg: float
    until: dt.date | None  # planned end: the recorded one, else LMP + 13 weeks when she is pregnant


@dataclass(frozen=True)
class CardWoman:
    """A woman of 15–49 (full years on the card's date) and the services that concern her."""

    person_id: str
    name: str
    age: int
    method: str  # vocab.method code of her current method; "" when none is recorded, or she is pregnant
    method_since: dt.date | None
    pregnant: bool
    lmp: dt.date | None
    gestational_age: GestationalAge | None  # on the card's date (weeks+days)
    edd: dt.date | None
    folic: CardFolicCourse | None  # the course she is on, if any
    followups: tuple[CardFollowup, ...]  # the next of each kind of service, soonest first


@dataclass(frozen=True)
class CardSupport:
    """奖励扶助 / 特别扶助 in force, and the person the family calls about it."""

    kind: str  # vocab.support code
    person_name: str  # the entitled member
    contact_name: str
    contact_phone: str


@dataclass(frozen=True)
class HouseholdCard:
    household_id: str
    household_no: str
    group_no: int
    group_name: str
    address: str
    head_name: str
    phone: str
    members: tuple[CardMember, ...]  # present members, the head first, then by relation and age
    women: tuple[CardWoman, ...]  # the members who are women of reproductive age, oldest first
    others_followups: tuple[CardFollowup, ...]  # services due to the other members (a man's, an elder's)
    supports: tuple[CardSupport, ...]


@dataclass(frozen=True)
class CardBatch:
    village_name: str
    village_code: str
    township_name: str
    officer_name: str
    officer_phone: str
    on: dt.date  # the day the cards are printed for: ages, weeks of pregnancy and due services
    cards: tuple[HouseholdCard, ...]


# ---------------------------------------------------------------- helpers


def mask_id_number(id_number: str | None) -> str:
    """A resident ID number with all but its last four characters hidden: "**************123X"."""
    return identity.mask((id_number or "").strip(), SHOWN_DIGITS)


_PARTS = re.compile(r"(\d+)")


def household_number_key(number: str) -> tuple[tuple[int, int | str], ...]:
    """Natural order of household numbers: digit runs compare as numbers, so "2" comes before "10" and
    "3-2" before "3-10"; zero-padded numbers ("01002") keep the order the register shows."""
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in _PARTS.split(number) if part)


def _full_months(birth: dt.date, on: dt.date) -> int:
    months = (on.year - birth.year) * 12 + on.month - birth.month
    return max(months - (on.day < birth.day), 0)


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    size = CHUNK
    for start in range(0, len(values), size):
        yield values[start : start + size]


# ---------------------------------------------------------------- reading


def household_ids_by_number(db: Database, numbers: Sequence[str]) -> dict[str, str]:
    """The ids of the households in use with these numbers (as the officer knows them), by number; a
    number that matches none is left out."""
    wanted = list(dict.fromkeys(n.strip() for n in numbers if n.strip()))
    found: dict[str, str] = {}
    with db.read() as s:
        for chunk in _chunks(wanted):
            q = sa.select(Household.household_no, Household.id).where(
                Household.household_no.in_(chunk), Household.live()
            )
            found.update({number: hid for number, hid in s.execute(q)})
    return {n: found[n] for n in wanted if n in found}


def card_batch(
    db: Database,
    user_id: str | None,
    on: dt.date,
    household_ids: Sequence[str] | None = None,
    group_no: int | None = None,
) -> CardBatch:
    """The cards of the chosen households (the whole village when neither `household_ids` nor `group_no` is
    given; both together: the chosen households of that group), in household-number order (natural order,
    household_number_key). The officer named on the cards is the user `user_id`, else the first active
    user; the phone falls back to the village profile's officer phone."""
    with db.read() as s:
        profile = home_profile(s)
        officer_name, officer_phone = _officer(s, user_id)
        if not officer_phone and profile is not None:
            officer_phone = profile.officer_phone or ""
        groups = dict(
            s.execute(sa.select(VillagerGroup.number, VillagerGroup.name).where(VillagerGroup.live())).all()
        )
        q = sa.select(Household.id, Household.household_no).where(Household.live())
        if group_no is not None:
            q = q.where(Household.group_no == group_no)
        if household_ids is None:
            found = s.execute(q).all()
        else:
            wanted = list(dict.fromkeys(household_ids))
            found = [row for chunk in _chunks(wanted) for row in s.execute(q.where(Household.id.in_(chunk)))]
        ordered = [hid for hid, number in sorted(found, key=lambda r: (household_number_key(r[1]), r[1]))]
        cards: list[HouseholdCard] = []
        for chunk in _chunks(ordered):
            cards += _cards(s, chunk, on, groups)
    return CardBatch(
        village_name=profile.name if profile else "",
        village_code=profile.code if profile else "",
        township_name=profile.township_name if profile else "",
        officer_name=officer_name,
        officer_phone=officer_phone,
        on=on,
        cards=tuple(cards),
    )


def _officer(s: Session, user_id: str | None) -> tuple[str, str]:
    user = s.get(User, user_id) if user_id else None
    if user is None:
        user = s.execute(
            sa.select(User).where(User.active.is_(True)).order_by(User.created_at, User.username).limit(1)
        ).scalar()
    if user is None:
        return "", ""
    return user.display_name, user.phone or ""


def _cards(
    s: Session, household_ids: Sequence[str], on: dt.date, groups: dict[int, str]
) -> list[HouseholdCard]:
    """The cards of up to CHUNK households, in the order given: seven queries, whatever their number."""
    households = {
        row.id: row
        for row in s.execute(
            sa.select(
                Household.id,
                Household.household_no,
                Household.group_no,
                Household.address,
                sa.func.coalesce(Household.phone, "").label("phone"),
                Household.head_person_id,
            ).where(Household.id.in_(household_ids))
        )
    }
    relation_order = {r.value: i for i, r in enumerate(Relation)}
    people = s.execute(
        sa.select(
            Person.id,
            Person.household_id,
            Person.name,
            Person.relation,
            Person.sex,
            Person.birth_date,
            sa.func.coalesce(Person.id_number, ""),
            Person.residence_status,
        ).where(
            Person.household_id.in_(household_ids),
            Person.live(),
            Person.residence_status.in_(PRESENT),
        )
    ).all()
    members: dict[str, list[CardMember]] = defaultdict(list)
    names: dict[str, str] = {}
    for pid, hid, name, relation, sex, birth, id_number, status in people:
        names[pid] = name
        age = full_years(birth, on)
        members[hid].append(
            CardMember(pid, name, relation, sex, birth, age, _full_months(birth, on), id_number, status)
        )
    for listed in members.values():
        listed.sort(key=lambda m: (relation_order.get(m.relation, 99), m.birth_date, m.name))

    born_after, born_by = birth_bounds(on, MIN_AGE, MAX_AGE)
    women_ids = {
        m.person_id
        for listed in members.values()
        for m in listed
        if m.sex == Sex.FEMALE and born_after < m.birth_date <= born_by
    }
    in_households = sa.select(Person.id).where(Person.household_id.in_(household_ids))

    methods = {
        pid: (method, start)
        for pid, method, start in s.execute(
            sa.select(
                ContraceptiveEpisode.person_id, ContraceptiveEpisode.method, ContraceptiveEpisode.start_date
            ).where(
                ContraceptiveEpisode.person_id.in_(in_households),
                ContraceptiveEpisode.current(),
            )
        )
    }
    pregnancies = {
        pid: (lmp, edd)
        for pid, lmp, edd in s.execute(
            sa.select(Pregnancy.woman_id, Pregnancy.lmp, Pregnancy.edd).where(
                Pregnancy.woman_id.in_(in_households),
                Pregnancy.open(),
            )
        )
    }
    courses: dict[str, tuple[dt.date, dt.date | None, float]] = {}
    for pid, start, end, dose in s.execute(
        sa.select(
            FolicAcidCourse.woman_id,
            FolicAcidCourse.start_date,
            FolicAcidCourse.end_date,
            FolicAcidCourse.dose_mg,
        )
        .where(
            FolicAcidCourse.woman_id.in_(in_households),
            FolicAcidCourse.live(),
            FolicAcidCourse.start_date <= on,
            sa.or_(FolicAcidCourse.end_date.is_(None), FolicAcidCourse.end_date >= on),
        )
        .order_by(FolicAcidCourse.start_date)
    ):
        courses[pid] = (start, end, dose)  # the latest one that is running, should two overlap

    # the next open visit of each kind per person: all the antenatal checks ahead (each is its own kind),
    # but only the next of a repeating one (folic-acid adherence, a contraceptive check-up, …)
    followups: dict[str, list[CardFollowup]] = defaultdict(list)
    seen: set[tuple[str, str]] = set()
    for pid, ftype, earliest, due, latest in s.execute(
        sa.select(
            Followup.person_id,
            Followup.followup_type,
            Followup.earliest_date,
            Followup.due_date,
            Followup.latest_date,
        )
        .where(
            Followup.person_id.in_(in_households),
            Followup.live(),
            Followup.status == FollowupStatus.DUE,
            Followup.latest_date >= on,
        )
        .order_by(Followup.due_date, Followup.earliest_date, Followup.followup_type)
    ):
        if pid not in names or (pid, ftype) in seen:
            continue
        seen.add((pid, ftype))
        followups[pid].append(CardFollowup(pid, names[pid], ftype, earliest, due, latest))

    supports: dict[str, list[CardSupport]] = defaultdict(list)
    for hid, kind, person_name, contact, phone in s.execute(
        sa.select(
            SupportEntitlement.household_id,
            SupportEntitlement.kind,
            Person.name,
            SupportEntitlement.contact_name,
            sa.func.coalesce(SupportEntitlement.contact_phone, ""),
        )
        .join(Person, Person.id == SupportEntitlement.person_id)
        .where(
            SupportEntitlement.household_id.in_(household_ids),
            SupportEntitlement.live(),
            sa.or_(SupportEntitlement.ended_on.is_(None), SupportEntitlement.ended_on >= on),
        )
        .order_by(SupportEntitlement.assigned_on, SupportEntitlement.kind)
    ):
        supports[hid].append(CardSupport(kind, person_name, contact, phone))

    cards = []
    for hid in household_ids:
        h = households.get(hid)
        if h is None:
            continue
        listed = members.get(hid, [])
        head = next((m.name for m in listed if m.person_id == h.head_person_id), "")
        women = [
            _woman(
                m,
                on,
                methods.get(m.person_id),
                pregnancies.get(m.person_id),
                courses.get(m.person_id),
                followups.get(m.person_id, []),
            )  # fmt: skip
            for m in sorted(listed, key=lambda m: (m.birth_date, m.name))
            if m.person_id in women_ids
        ]
        others = sorted(
            (f for m in listed if m.person_id not in women_ids for f in followups.get(m.person_id, [])),
            key=lambda f: (f.due, f.earliest, f.person_name),
        )
        cards.append(
            HouseholdCard(
                household_id=h.id,
                household_no=h.household_no,
                group_no=h.group_no,
                group_name=groups.get(h.group_no, ""),
                address=h.address,
                head_name=head,
                phone=h.phone,
                members=tuple(listed),
                women=tuple(women),
                others_followups=tuple(others),
                supports=tuple(supports.get(hid, [])),
            )
        )
    return cards


def _woman(
    m: CardMember,
    on: dt.date,
    method: tuple[str, dt.date] | None,
    pregnancy: tuple[dt.date, dt.date] | None,
    course: tuple[dt.date, dt.date | None, float] | None,
    followups: list[CardFollowup],
) -> CardWoman:
    lmp, edd = pregnancy if pregnancy else (None, None)
    if pregnancy is not None:
        # a card never says both: while she is pregnant, the method recorded before (and its visits) is not
        # what she uses, whatever is left open on her record
        method = None
        followups = [f for f in followups if f.followup_type not in METHOD_FOLLOWUPS]
    folic = None
    if course is not None:
        start, end, dose = course
        until = end or (lmp + dt.timedelta(weeks=FOLIC_UNTIL_WEEKS) if lmp else None)
        folic = CardFolicCourse(start, end, dose, until)
    return CardWoman(
        person_id=m.person_id,
        name=m.name,
        age=m.age,
        method=method[0] if method else "",
        method_since=method[1] if method else None,
        pregnant=pregnancy is not None,
        lmp=lmp,
        gestational_age=gestational_age(lmp, on) if lmp is not None and lmp <= on else None,
        edd=edd,
        folic=folic,
        followups=tuple(followups),
    )
