"""Setting up the village on a new laptop: its profile, villager groups, the first officer account."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa

from app.actor import Actor
from app.clock import now_utc
from app.db import Database
from app.errors import DomainError
from app.models import Household, SyncState, User, VillageProfile, VillagerGroup, new_id
from app.services import auth, supplies
from app.services.validation import check_characters, clean_phone, required_text
from app.vocab import UserRole


@dataclass(frozen=True)
class VillageSetup:
    village_name: str
    village_code: str  # 12-digit statistical division code (统计用区划代码)
    township_name: str
    township_code: str
    groups: tuple[str, ...]  # names of villager groups 1..n
    officer_name: str
    username: str
    password: str
    officer_phone: str | None = None


@dataclass(frozen=True)
class VillageInfo:
    code: str
    name: str
    township_code: str
    township_name: str
    officer_phone: str


def _check_code(code: str, field: str) -> str:
    code = code.strip()
    if not re.fullmatch(r"\d{12}", code):
        raise DomainError("village.code_invalid", field)
    return code


def check_village(data: VillageSetup) -> None:
    """The village's own fields: its name, its 12-digit code, its villager groups."""
    required_text(data.village_name, "village_name", 60)
    _check_code(data.village_code, "village_code")
    if not [g for g in data.groups if g.strip()]:
        raise DomainError("village.groups_required", "groups")
    for group in data.groups:
        check_characters(group.strip(), "groups")


def check_township(data: VillageSetup) -> None:
    """The township's fields, given a valid village code: the township's code must share the village code's
    first 9 digits (乡镇级), and a mismatch is said at the township code, where it is typed after the village's."""
    required_text(data.township_name, "township_name", 60)
    township = _check_code(data.township_code, "township_code")
    village = data.village_code.strip()
    if village[:9] != township[:9]:
        raise DomainError("village.not_in_township", "township_code", prefix=village[:9])


def check_officer(data: VillageSetup) -> None:
    """The first officer's account."""
    required_text(data.officer_name, "officer_name", 40)
    auth.check_new_credentials(data.username, data.password)
    clean_phone(data.officer_phone, "officer_phone")


def check_setup(data: VillageSetup) -> None:
    check_village(data)
    check_township(data)
    check_officer(data)


def is_set_up(db: Database) -> bool:
    with db.read() as s:
        return s.execute(sa.select(VillageProfile.code).where(VillageProfile.home)).first() is not None


def set_up_village(db: Database, data: VillageSetup) -> str:
    """Create the village profile, its groups, the first officer (an administrator) and the supply catalogue,
    all audited as the new officer's; returns the officer's user id."""
    check_setup(data)
    if is_set_up(db):
        raise DomainError("village.already_set_up", None)
    code = data.village_code.strip()
    user = User(
        id=new_id(),
        username=data.username.strip(),
        display_name=data.officer_name.strip(),
        password_hash=auth.hash_password(data.password),
        role=UserRole.ADMIN,
        phone=clean_phone(data.officer_phone, "officer_phone"),
        created_at=now_utc(),
    )
    actor = Actor(user.id, UserRole.ADMIN, code)
    with db.write(actor) as s:
        s.add(
            VillageProfile(
                code=code,
                home=True,
                name=data.village_name.strip(),
                township_code=data.township_code.strip(),
                township_name=data.township_name.strip(),
                officer_phone=user.phone,
                created_at=now_utc(),
            )
        )
        s.add(SyncState(node=code))
        s.add(user)
        for number, name in enumerate((g.strip() for g in data.groups if g.strip()), start=1):
            s.add(VillagerGroup(number=number, name=name))
        s.flush()
        supplies.add_catalogue_items(s, data.township_code.strip())  # the distribution point's catalogue
    db.refresh_profile()
    return user.id


def village_info(db: Database) -> VillageInfo | None:
    with db.read() as s:
        p = s.execute(sa.select(VillageProfile).where(VillageProfile.home)).scalar()
        if p is None:
            return None
        return VillageInfo(p.code, p.name, p.township_code, p.township_name, p.officer_phone or "")


def household_count(db: Database) -> int:
    """The village's live households (none yet: the dashboard shows the first steps)."""
    with db.read() as s:
        return s.execute(
            sa.select(sa.func.count()).select_from(Household).where(Household.live())
        ).scalar_one()


def group_count(db: Database) -> int:
    with db.read() as s:
        return s.execute(
            sa.select(sa.func.count()).select_from(VillagerGroup).where(VillagerGroup.live())
        ).scalar_one()
