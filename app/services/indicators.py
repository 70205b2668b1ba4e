"""The monthly report's indicators (shared/design/domain.md): one definition each, for any month or year-to-date.

Every figure is a function of the database and the period only — never of the day the report is made — so the
same database gives the same numbers next year. Figures that describe a state (population, follow-ups done or
missed) are read as of the period's last day from dated facts: birth, death and move dates, done dates, window
dates. Each figure keeps the ids of the people it counts, so the screen can open the list behind a number.

The definitions, for a period [first, last]:
- live births: persons with a birth event dated in the period; sex from the person; child order from the
  pregnancy they were born of (its registered child order, else parity + 1; a twin counts one more), else
  "unknown". Sex ratio = males per 100 females, shown with its counts.
- deaths, marriages, divorces, moves in, moves out: vital events dated in the period.
- population at the last day: people born by then, not dead by then, not moved away (permanently) by then, and
  not yet arrived if they came by a later move in; their status then from their last move before that day.
- pregnancies registered: registration date in the period; early = registered before 13+0 weeks (LMP + 91 days).
- deliveries: live-birth or stillbirth outcomes dated in the period; facility = delivered in hospital;
  ≥ 5 antenatal checks = five antenatal follow-ups recorded done; postpartum visit = the home visit recorded
  done within 7 days of discharge (or delivery when no discharge date).
- pre-pregnancy checks: checks dated in the period; their follow-ups (early-pregnancy and outcome) done ÷ due.
- folic acid: women supplied = a course started or folic acid issued to them (net of reversals) in the period;
  followed up = women with an adherence follow-up done in the period (the latest one counts); taking = answered
  "daily" or "sometimes"; adherent = "daily".
- follow-ups by type: those due in the period, cancelled ones left out; done = recorded done by the last day;
  missed = not done by then and the window closed before the last day; open = the rest.
- supplies: app.services.supplies.supply_report for the period.
- record quality: the validation rules of app.services.quality over the people present on the last day, each
  rule reading the state of people as it was that day (a death recorded since changes nothing).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa

from app.clock import today as clock_today
from app.db import Database
from app.models import (
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    StockMovement,
    SupplyItem,
    VillageProfile,
    VitalEvent,
)
from app.models.village import home_profile
from app.services import population
from app.services.pregnancies import DELIVERIES
from app.services.quality import check_on
from app.services.supplies import SupplyMonthRow, supply_report
from app.services.validation import full_years
from app.vocab import (
    DeliveryPlace,
    FollowupStatus,
    FollowupType,
    MovementType,
    ResidenceStatus,
    Sex,
    SupplyCategory,
    VitalEventType,
)

if TYPE_CHECKING:
    from app.services.report_tables import ReportDocument

# The version of the definitions above, carried with every figure that leaves the laptop (the monthly package's
# report/monthly.json): change it whenever a definition changes, so the township never compares unlike figures.
INDICATOR_DEFINITIONS_VERSION = "2026.12"

EARLY_REGISTRATION_DAYS = 91  # before 13+0 weeks
POSTPARTUM_VISIT_DAYS = 7
ANTENATAL_CHECKS_TARGET = 5
ANTENATAL_TYPES = (
    FollowupType.ANC1,
    FollowupType.ANC2,
    FollowupType.ANC3,
    FollowupType.ANC4,
    FollowupType.ANC5,
)
PREPREGNANCY_TYPES = (FollowupType.PREPREG_EARLY, FollowupType.PREPREG_OUTCOME)
BIRTH_ORDERS = ("1", "2", "3plus", "unknown")
VITAL_EVENTS = (
    VitalEventType.BIRTH,
    VitalEventType.DEATH,
    VitalEventType.MARRIAGE,
    VitalEventType.DIVORCE,
    VitalEventType.MOVE_IN,
    VitalEventType.MOVE_OUT,
)
POPULATION_STATUSES = (ResidenceStatus.RESIDENT, ResidenceStatus.OUT_MIGRANT, ResidenceStatus.IN_MIGRANT)
WOMEN_AGES = (15, 49)

People = tuple[str, ...]


@dataclass(frozen=True)
class Period:
    first: dt.date
    last: dt.date
    year_to_date: bool = False

    @classmethod
    def month(cls, year: int, month: int, year_to_date: bool = False) -> Period:
        last = dt.date(year, month, calendar.monthrange(year, month)[1])
        first = dt.date(year, 1, 1) if year_to_date else dt.date(year, month, 1)
        return cls(first, last, year_to_date)


@dataclass(frozen=True)
class Count:
    people: People = ()

    @property
    def value(self) -> int:
        return len(self.people)


@dataclass(frozen=True)
class Rate:
    """numerator ÷ denominator, both as the people counted; no rate when nobody is in the denominator."""

    numerator: People
    denominator: People

    @property
    def value(self) -> float | None:
        return len(self.numerator) / len(self.denominator) if self.denominator else None


@dataclass(frozen=True)
class Births:
    by_sex_order: dict[tuple[str, str], People]  # (sex code, order in BIRTH_ORDERS) -> children

    def cell(self, sex: str | None, order: str | None) -> People:
        return tuple(
            pid
            for (s, o), people in sorted(self.by_sex_order.items())
            if (sex is None or s == sex) and (order is None or o == order)
            for pid in people
        )

    @property
    def sex_ratio(self) -> float | None:
        """Males per 100 females (None when no girl was born: a ratio would be meaningless)."""
        boys, girls = len(self.cell(Sex.MALE, None)), len(self.cell(Sex.FEMALE, None))
        return 100 * boys / girls if girls else None


@dataclass(frozen=True)
class FollowupTally:
    followup_type: str
    done: People
    missed: People
    open: People

    @property
    def due(self) -> People:
        return self.done + self.missed + self.open

    @property
    def completion(self) -> Rate:
        return Rate(self.done, self.due)


@dataclass(frozen=True)
class QualityFigures:
    checked: People  # people present on the last day
    failing: dict[str, People]  # rule message id -> people failing it (rules with nobody failing omitted)
    passing: People

    @property
    def rate(self) -> Rate:
        return Rate(self.passing, self.checked)


@dataclass(frozen=True)
class MonthlyFigures:
    period: Period
    births: Births
    events: dict[str, People]  # vital event type -> people
    population: dict[str, People]  # residence status at the last day -> people
    women_15_49: People
    registered: Rate  # early registrations ÷ registrations
    deliveries: People
    facility_delivery: Rate
    antenatal_5: Rate
    postpartum_visit: Rate
    prepregnancy_checks: People
    prepregnancy_followups: Rate
    folic_supplied: People
    folic_taking: Rate
    folic_adherent: Rate
    followups: tuple[FollowupTally, ...]
    supplies: tuple[SupplyMonthRow, ...]
    quality: QualityFigures

    @property
    def population_total(self) -> People:
        return tuple(pid for status in POPULATION_STATUSES for pid in self.population.get(status, ()))


def _ids(rows: Iterable[str]) -> People:
    """People in a stable order, each once."""
    return tuple(dict.fromkeys(rows))


# ---------------------------------------------------------------- births and vital events


def _birth_order(child_order: int | None, parity: int | None, twin_index: int) -> str:
    base = child_order if child_order is not None else (parity + 1 if parity is not None else None)
    if base is None:
        return "unknown"
    order = base + twin_index
    return "3plus" if order >= 3 else str(order)


def births(s: sa.orm.Session, period: Period, owner: str | None = None) -> Births:
    rows = s.execute(
        sa.select(Person.id, Person.sex, Person.born_of_pregnancy_id, Pregnancy.child_order, Pregnancy.parity)
        .join(VitalEvent, VitalEvent.person_id == Person.id)
        .outerjoin(Pregnancy, Pregnancy.id == Person.born_of_pregnancy_id)
        .where(
            VitalEvent.event_type == VitalEventType.BIRTH,
            VitalEvent.live(),
            Person.live(),
            Person.owned_by(owner),
            VitalEvent.event_date.between(period.first, period.last),
        )
        .order_by(Person.birth_date, Person.id)
    ).all()
    # Twins: the children of one pregnancy in the order they were registered (ids are time-ordered UUIDv7).
    seen: dict[str, int] = defaultdict(int)
    by: dict[tuple[str, str], list[str]] = defaultdict(list)
    for pid, sex, pregnancy_id, child_order, parity in sorted(rows, key=lambda r: r[0]):
        twin_index = 0
        if pregnancy_id is not None:
            twin_index = seen[pregnancy_id]
            seen[pregnancy_id] += 1
        by[(sex, _birth_order(child_order, parity, twin_index))].append(pid)
    return Births({k: _ids(v) for k, v in by.items()})


def vital_events(s: sa.orm.Session, period: Period, owner: str | None = None) -> dict[str, People]:
    out: dict[str, list[str]] = defaultdict(list)
    for kind, pid in s.execute(
        sa.select(VitalEvent.event_type, VitalEvent.person_id)
        .join(Person, Person.id == VitalEvent.person_id)
        .where(
            VitalEvent.live(),
            Person.live(),
            Person.owned_by(owner),
            VitalEvent.event_date.between(period.first, period.last),
        )
        .order_by(VitalEvent.event_date, VitalEvent.id)
    ):
        out[kind].append(pid)
    # An event list counts events: the same person moving out twice in a year is two moves.
    return {kind: tuple(out.get(kind, ())) for kind in VITAL_EVENTS}


# ---------------------------------------------------------------- population on a day


def population_on(
    s: sa.orm.Session, day: dt.date, statuses: dict[str, str] | None = None, owner: str | None = None
) -> tuple[dict[str, People], People]:
    """People present on `day` by residence status, and the women 15–49 among them."""
    statuses = population.statuses_on(s, day, owner=owner) if statuses is None else statuses
    by_status: dict[str, list[str]] = defaultdict(list)
    women: list[str] = []
    for pid, birth_date, sex in s.execute(
        sa.select(Person.id, Person.birth_date, Person.sex)
        .where(Person.live(), Person.owned_by(owner), Person.birth_date <= day)
        .order_by(Person.id)
    ):
        status = statuses.get(pid)
        if status is None:
            continue
        by_status[status].append(pid)
        if sex == Sex.FEMALE and WOMEN_AGES[0] <= full_years(birth_date, day) <= WOMEN_AGES[1]:
            women.append(pid)
    return {status: tuple(by_status.get(status, ())) for status in POPULATION_STATUSES}, tuple(women)


# ---------------------------------------------------------------- pregnancy care


@dataclass(frozen=True)
class _MaternalFigures:
    registered: Rate
    deliveries: People
    facility: Rate
    antenatal_5: Rate
    postpartum: Rate


def maternal(s: sa.orm.Session, period: Period, owner: str | None = None) -> _MaternalFigures:
    live = Pregnancy.live() & Pregnancy.owned_by(owner)
    registered = s.execute(
        sa.select(Pregnancy.woman_id, Pregnancy.lmp, Pregnancy.registration_date)
        .where(live, Pregnancy.registration_date.between(period.first, period.last))
        .order_by(Pregnancy.registration_date, Pregnancy.id)
    ).all()
    early = [w for w, lmp, reg in registered if (reg - lmp).days < EARLY_REGISTRATION_DAYS]

    delivered = s.execute(
        sa.select(
            Pregnancy.id,
            Pregnancy.woman_id,
            Pregnancy.delivery_place,
            Pregnancy.outcome_date,
            Pregnancy.discharge_date,
        )
        .where(
            live,
            Pregnancy.outcome.in_(list(DELIVERIES)),
            Pregnancy.outcome_date.between(period.first, period.last),
        )
        .order_by(Pregnancy.outcome_date, Pregnancy.id)
    ).all()
    ids = [d.id for d in delivered]
    done = (
        Followup.live(),
        Followup.status == FollowupStatus.DONE,
        Followup.source_id.in_(ids),
    )
    checks = dict(
        s.execute(
            sa.select(Followup.source_id, sa.func.count())
            .where(*done, Followup.followup_type.in_(list(ANTENATAL_TYPES)))
            .group_by(Followup.source_id)
        ).all()
    )
    visits: dict[str, dt.date] = {}
    for source_id, done_date in s.execute(
        sa.select(Followup.source_id, Followup.done_date).where(
            *done, Followup.followup_type == FollowupType.POSTPARTUM_VISIT
        )
    ):
        assert done_date is not None  # the database's done_has_date check: a done follow-up has its date
        visits[source_id] = min(done_date, visits.get(source_id, done_date))
    women = tuple(d.woman_id for d in delivered)
    return _MaternalFigures(
        registered=Rate(tuple(early), tuple(w for w, _, _ in registered)),
        deliveries=women,
        facility=Rate(
            tuple(d.woman_id for d in delivered if d.delivery_place == DeliveryPlace.HOSPITAL), women
        ),
        antenatal_5=Rate(
            tuple(d.woman_id for d in delivered if checks.get(d.id, 0) >= ANTENATAL_CHECKS_TARGET), women
        ),
        postpartum=Rate(
            tuple(
                d.woman_id
                for d in delivered
                if d.id in visits
                and visits[d.id]
                <= (d.discharge_date or d.outcome_date) + dt.timedelta(days=POSTPARTUM_VISIT_DAYS)
            ),
            women,
        ),
    )


# ---------------------------------------------------------------- follow-ups


def followup_tallies(
    s: sa.orm.Session, period: Period, owner: str | None = None
) -> tuple[FollowupTally, ...]:
    """Follow-ups due in the period by type, each done / missed / open as it stood on the period's last day."""
    by: dict[str, dict[str, list[str]]] = {t: {"done": [], "missed": [], "open": []} for t in FollowupType}
    for kind, pid, status, done_date, latest in s.execute(
        sa.select(
            Followup.followup_type,
            Followup.person_id,
            Followup.status,
            Followup.done_date,
            Followup.latest_date,
        )
        .join(Person, Person.id == Followup.person_id)
        .where(
            Followup.live(),
            Person.live(),
            Person.owned_by(owner),
            Followup.status != FollowupStatus.CANCELLED,
            Followup.due_date.between(period.first, period.last),
        )
        .order_by(Followup.due_date, Followup.id)
    ):
        if status == FollowupStatus.DONE and done_date is not None and done_date <= period.last:
            state = "done"
        elif latest < period.last:
            state = "missed"
        else:
            state = "open"
        by[kind][state].append(pid)
    return tuple(
        FollowupTally(t.value, tuple(v["done"]), tuple(v["missed"]), tuple(v["open"]))
        for t, v in ((FollowupType(k), v) for k, v in by.items())
    )


def _merge(tallies: Iterable[FollowupTally], types: Iterable[str]) -> Rate:
    wanted = set(types)
    chosen = [t for t in tallies if t.followup_type in wanted]
    return Rate(
        tuple(p for t in chosen for p in t.done),
        tuple(p for t in chosen for p in t.due),
    )


# ---------------------------------------------------------------- pre-pregnancy checks and folic acid


def prepregnancy_checks(s: sa.orm.Session, period: Period, owner: str | None = None) -> People:
    return tuple(
        s.execute(
            sa.select(PrepregnancyCheck.woman_id)
            .where(
                PrepregnancyCheck.live(),
                PrepregnancyCheck.owned_by(owner),
                PrepregnancyCheck.check_date.between(period.first, period.last),
            )
            .order_by(PrepregnancyCheck.check_date, PrepregnancyCheck.id)
        ).scalars()
    )


def folic_supplied(s: sa.orm.Session, period: Period, owner: str | None = None) -> People:
    started = s.execute(
        sa.select(FolicAcidCourse.woman_id)
        .where(
            FolicAcidCourse.live(),
            FolicAcidCourse.owned_by(owner),
            FolicAcidCourse.start_date.between(period.first, period.last),
        )
        .order_by(FolicAcidCourse.start_date, FolicAcidCourse.id)
    ).scalars()
    net = sa.func.sum(StockMovement.direction * StockMovement.quantity)
    issued = s.execute(
        sa.select(StockMovement.person_id)
        .join(SupplyItem, SupplyItem.id == StockMovement.item_id)
        .where(
            StockMovement.live(),
            StockMovement.owned_by(owner),
            StockMovement.movement_type == MovementType.ISSUE_PERSON,
            SupplyItem.category == SupplyCategory.FOLIC_ACID,
            StockMovement.person_id.is_not(None),
            StockMovement.movement_date.between(period.first, period.last),
        )
        .group_by(StockMovement.person_id)
        .having(net < 0)  # issues go out (negative); a reversed issue nets to zero
        .order_by(StockMovement.person_id)
    ).scalars()
    return _ids([*started, *issued])


def folic_adherence(s: sa.orm.Session, period: Period, owner: str | None = None) -> tuple[Rate, Rate]:
    """(taking ÷ followed up, daily ÷ followed up), one answer per woman: her latest in the period."""
    latest: dict[str, tuple[dt.date, str, str]] = {}
    for pid, done_date, fid, answer in s.execute(
        sa.select(Followup.person_id, Followup.done_date, Followup.id, FollowupAnswer.value)
        .join(
            FollowupAnswer,
            (FollowupAnswer.followup_id == Followup.id)
            & (FollowupAnswer.item_key == "taking")
            & FollowupAnswer.live(),
        )
        .where(
            Followup.live(),
            Followup.owned_by(owner),
            Followup.followup_type == FollowupType.FOLIC_ADHERENCE,
            Followup.status == FollowupStatus.DONE,
            Followup.done_date.between(period.first, period.last),
        )
    ):
        assert done_date is not None  # the database's done_has_date check: a done follow-up has its date
        if pid not in latest or (done_date, fid) > latest[pid][:2]:
            latest[pid] = (done_date, fid, answer)
    followed = tuple(sorted(latest))
    taking = tuple(p for p in followed if latest[p][2] in ("daily", "sometimes"))
    daily = tuple(p for p in followed if latest[p][2] == "daily")
    return Rate(taking, followed), Rate(daily, followed)


# ---------------------------------------------------------------- record quality


def quality_on(s: sa.orm.Session, day: dt.date, present: People, **known: Any) -> QualityFigures:
    """The record-quality rules as of `day` over the people present then (in the order given); `known`
    passes on what app.services.quality.check_on would otherwise read again (statuses, moves), and the
    village (`owner`) it is scoped to."""
    check = check_on(s, day, **known)
    here = set(present)
    failing = {
        rule: tuple(p for p in present if p in set(ids))
        for rule, ids in check.failing.items()
        if here.intersection(ids)
    }
    bad = {p for people in failing.values() for p in people}
    return QualityFigures(present, failing, tuple(p for p in present if p not in bad))


# ---------------------------------------------------------------- the whole report


def monthly_figures(
    db: Database,
    year: int,
    month: int,
    *,
    owner: str | None = None,
    year_to_date: bool = False,
    today: dt.date | None = None,
) -> MonthlyFigures:
    """Every indicator for the month (or January to the month). `today` only caps the supply report's days
    out of stock for a month not yet over. `owner` (a village's 12-digit code) counts that village's records
    only, in a township's database holding many; None counts every record of the database (one village's
    own database, or a township's total)."""
    period = Period.month(year, month, year_to_date)
    with db.read() as s:
        moves = population.moves_by_person(s, owner)
        statuses = population.statuses_on(s, period.last, moves, owner)
        people, women = population_on(s, period.last, statuses, owner)
        present = tuple(p for status in POPULATION_STATUSES for p in people[status])
        quality = quality_on(s, period.last, present, statuses=statuses, moves=moves, owner=owner)
        care = maternal(s, period, owner)
        tallies = followup_tallies(s, period, owner)
        taking, adherent = folic_adherence(s, period, owner)
        figures = {
            "births": births(s, period, owner),
            "events": vital_events(s, period, owner),
            "prepregnancy_checks": prepregnancy_checks(s, period, owner),
            "folic_supplied": folic_supplied(s, period, owner),
        }
    return MonthlyFigures(
        period=period,
        population=people,
        women_15_49=women,
        registered=care.registered,
        deliveries=care.deliveries,
        facility_delivery=care.facility,
        antenatal_5=care.antenatal_5,
        postpartum_visit=care.postpartum,
        prepregnancy_followups=_merge(tallies, PREPREGNANCY_TYPES),
        folic_taking=taking,
        folic_adherent=adherent,
        followups=tallies,
        supplies=tuple(supply_report(db, period.first, period.last, today or clock_today(), owner)),
        quality=quality,
        **figures,  # type: ignore[arg-type]
    )


def monthly_report_document(
    db: Database,
    year: int,
    month: int,
    *,
    owner: str | None = None,
    year_to_date: bool = False,
    today: dt.date | None = None,
) -> ReportDocument:
    """The monthly report as the tables every renderer draws (screen, Excel, PDF): of the database's own
    village, or of village `owner` in a township's database (see monthly_figures)."""
    from app.services.report_tables import build_document  # it imports this module's definitions

    figures = monthly_figures(db, year, month, owner=owner, year_to_date=year_to_date, today=today)
    with db.read() as s:
        profile = home_profile(s) if owner is None else s.get(VillageProfile, owner)
        village = (profile.name, profile.code, profile.township_name) if profile else ("", owner or "", "")
    return build_document(figures, *village)
