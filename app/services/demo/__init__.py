"""The demo village: realistic, deterministic households, care records, supplies and follow-ups, bulk-loaded.

generate_demo reads the village, has the rooms of this package build every row in memory (households, life
events, pregnancies, care, follow-ups, supplies), then writer saves them in one transaction.
"""

from __future__ import annotations

import datetime as dt
import shutil
from dataclasses import dataclass, replace
from pathlib import Path

import sqlalchemy as sa

from app.actor import SYSTEM_USER_ID, Actor
from app.db import Database, open_database
from app.errors import DomainError
from app.i18n import tr
from app.models import SupplyItem, User, VillagerGroup
from app.models.village import home_profile
from app.progress import Cancelled, ProgressFn, report
from app.services import auth
from app.services.demo import care, events, followups, households, pregnancies
from app.services.demo.builder import MODELS, Builder
from app.services.demo.digest import table_digest
from app.services.demo.setup import DEMO_SETUP, DemoSetUp, plan_set_up
from app.services.demo.supplies import supplies
from app.services.demo.writer import refuse_households, save
from app.services.village import VillageSetup
from app.vocab import UserRole

__all__ = [
    "DEMO_ACCOUNTS",
    "DEMO_SETUP",
    "FEWEST_PEOPLE",
    "MOST_PEOPLE",
    "Cancelled",
    "DemoSummary",
    "ProgressFn",
    "check_people",
    "create_demo_village",
    "generate_demo",
    "table_digest",
]

# A demo village of 20 people up to a township of 200,000 (the builder holds every row in memory first).
FEWEST_PEOPLE = 20
MOST_PEOPLE = 200_000


@dataclass(frozen=True)
class DemoSummary:
    """How many rows the demo wrote, per table (in the order of builder.MODELS)."""

    households: int
    people: int
    vital_events: int
    pregnancies: int
    prepregnancy_checks: int
    contraceptive_episodes: int
    folic_acid_courses: int
    followups: int
    followup_answers: int
    supply_items: int
    stock_movements: int
    support_entitlements: int


def _build(b: Builder, progress: ProgressFn | None) -> None:
    """Every row of the demo, in an order that never changes: the same seed draws the same numbers."""
    extras = (  # the people the events below add: newborns, brides, in-migrant families
        max(4, round(b.target * 0.015)) + max(2, round(b.target * 0.007)) // 2 + 3 * max(1, round(b.scale))
    )
    step = max(50, b.target // 20)
    next_report = step
    while len(b.members) < b.target - extras:
        households.household(b)
        if len(b.members) >= next_report:
            report(progress, 0.5 * len(b.members) / b.target, tr("demo.step.households"))
            next_report += step
    report(progress, 0.5, tr("demo.step.events"))
    events.deaths(b)
    births = pregnancies.births(b)
    misses = pregnancies.miscarriages(b, max(1, round(len(births) * 0.08)))
    opened = pregnancies.open_pregnancies(b)
    events.marriages(b)
    events.moves(b)
    households.number_households(b)
    report(progress, 0.55, tr("demo.step.care"))
    window = births + misses + opened
    for _mother, preg in window:
        followups.pregnancy(b, preg)
    care.around_pregnancies(b, window)
    care.planners(b)
    report(progress, 0.6, tr("demo.step.care"))
    care.contraception(b, {m.row["id"]: (p["lmp"], p["outcome_date"]) for m, p in window})
    care.support(b)
    report(progress, 0.65, tr("demo.step.supplies"))
    supplies(b)
    report(progress, 0.7, tr("demo.step.saving"))


def check_people(people: int) -> int:
    """The number of people a demo may have; DomainError("…", "people") with the bounds otherwise."""
    bounds = {"minimum": FEWEST_PEOPLE, "maximum": MOST_PEOPLE}
    if people < FEWEST_PEOPLE:
        raise DomainError("demo.people_too_few", "people", **bounds)
    if people > MOST_PEOPLE:
        raise DomainError("demo.people_too_many", "people", **bounds)
    return people


def _acting_user(db: Database) -> str:
    """The first officer of the village (the demo's rows are theirs), or the app itself if there is none."""
    with db.read() as s:
        found = s.execute(
            sa.select(User.id)
            .where(User.active, User.role.in_([UserRole.ADMIN, UserRole.OFFICER]))
            .order_by(User.created_at, User.id)
            .limit(1)
        ).scalar()
    return found or SYSTEM_USER_ID


def generate_demo(
    db: Database,
    *,
    people: int = 3000,
    seed: int = 1,
    today: dt.date,
    progress: ProgressFn | None = None,
    user_id: str | None = None,
    setup: VillageSetup = DEMO_SETUP,
) -> DemoSummary:
    """Fill a village without households with a realistic demo population of about `people` persons.

    The same seed, `today` and starting database give identical travelling rows (ids included); an empty
    database counts as one starting point. A village that is not set up yet is set up as 红星村 (officer
    `demo`, password `demo1234`) with ids and stamps drawn from the seed too. Everything — that set-up
    included — is written in one transaction; `progress(fraction, message)` returning False cancels it and
    raises Cancelled, leaving the database as it was.
    """
    check_people(people)  # before any work: 10 million people would fill the memory first
    report(progress, 0.0, tr("demo.step.households"))
    set_up: DemoSetUp | None = None
    with db.read() as s:
        refuse_households(s)
        profile = home_profile(s)
        if profile is not None:
            code, name, township = profile.code, profile.name, profile.township_code
            groups = [
                (n, g, gid)
                for n, g, gid in s.execute(
                    sa.select(VillagerGroup.number, VillagerGroup.name, VillagerGroup.id)
                    .where(VillagerGroup.owner == code, VillagerGroup.live())
                    .order_by(VillagerGroup.number)
                )
            ]
        items = {c: i for c, i in s.execute(sa.select(SupplyItem.code, SupplyItem.id))}
    if profile is None:
        set_up = plan_set_up(setup, seed=seed, today=today)
        code, name, groups = set_up.code, set_up.name, set_up.numbered_groups
        township = setup.township_code
    if not groups:
        raise ValueError("the village has no villager groups")
    b = Builder(
        people=people,
        seed=seed,
        today=today,
        village_code=code,
        village_name=name,
        groups=groups,
        existing_items=items,
        township_code=township,
    )
    _build(b, progress)
    user_id = user_id or (set_up.officer_id if set_up is not None else _acting_user(db))
    b.sign(user_id)
    save(db, b, user_id=user_id, set_up=set_up, progress=progress)
    return DemoSummary(*(len(b.rows[m.__tablename__]) for m in MODELS))


# The demo village's other accounts (README): a village doctor and a township reviewer, with the officer's
# password, so a new user can try what each role may do.
DEMO_ACCOUNTS = (("doctor", "王医生", UserRole.DOCTOR), ("reviewer", "张审核", UserRole.REVIEWER))


def create_demo_village(
    folder: Path,
    *,
    password: str = DEMO_SETUP.password,
    people: int = 3000,
    seed: int = 1,
    today: dt.date,
    progress: ProgressFn | None = None,
    setup: VillageSetup = DEMO_SETUP,
) -> DemoSummary:
    """A demo village in `folder`, encrypted like a real one: a new key, the demo written into it (under a
    temporary name until it is whole), and key slots for its accounts (officer `demo`, `doctor`, `reviewer`),
    all with `password`. If anything fails, nothing is left in the folder."""
    from app.services import login
    from app.services.vault import KeyFile

    with login.building(Path(folder)) as (staging, key):
        db = open_database(staging, key=key)
        try:
            summary = generate_demo(
                db,
                people=people,
                seed=seed,
                today=today,
                progress=progress,
                setup=replace(setup, password=password),
            )
            _enrol_demo_keys(db, setup)
            officer = next(u for u in auth.list_users(db) if u.username == setup.username)
            keys = KeyFile()
            keys.add(key, setup.username, officer.id, password)
            keys.save(Path(folder))
            session = login.LoggedIn(db, officer, Path(folder), key)
            for username, name, role in DEMO_ACCOUNTS:
                login.add_account(session, username, name, role, password)
        finally:
            db.dispose()
    copy_demo_township(Path(folder))
    return summary


def _enrol_demo_keys(db: Database, setup: VillageSetup) -> None:
    """The demo village's own package keys, and the published demo township enrolled, so that a package
    exported from the demo opens with the files of `demo-township/` and the standard age tool."""
    from app.sync import keys

    actor = Actor.system(setup.village_code)
    keys.ensure_own_keys(db, actor)
    keys.enrol_township(db, actor, keys.demo_township_keys().text(), allow_demo=True)


def copy_demo_township(folder: Path) -> Path:
    """The demo township's published keys into `folder/demo-township/` (age identity, Ed25519 keys, the
    public-key file): what a new user needs to open a demo package."""
    from app.sync.keys import DEMO_TOWNSHIP

    target = folder / "demo-township"
    target.mkdir(exist_ok=True)
    for source in sorted(DEMO_TOWNSHIP.iterdir()):
        if source.is_file():
            shutil.copyfile(source, target / source.name)
    return target
