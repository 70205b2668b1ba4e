"""The demo's own village set-up (红星村, officer `demo`), with ids and stamps drawn from the seed.

app.services.village.set_up_village gives every set-up fresh random ids and the wall-clock time, which is right
for a real village but would make two demos of one seed differ. This makes the same rows from the seed
instead, for the demo's own transaction.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from app.models import SyncState, User, VillageProfile, VillagerGroup
from app.models.tracking import actor_of, insert_rows
from app.services.auth import hash_password
from app.services.demo.builder import WINDOW_DAYS, office_stamp, seeded_uuid7
from app.services.demo.dates import days
from app.services.validation import clean_phone
from app.services.village import VillageSetup, check_setup
from app.vocab import UserRole

DEMO_SETUP = VillageSetup(
    village_name="红星村",
    village_code="620422103201",
    township_name="白银镇",
    township_code="620422103000",
    groups=("一组", "二组", "三组", "四组", "五组", "六组"),
    officer_name="李秀英",
    username="demo",
    password="demo1234",
    officer_phone="13993012345",
)
# The village was set up this many days before the window opens, before the paper register was typed in
# (60 to 200 days before the window).
SET_UP_BEFORE_WINDOW = 210


@dataclass(frozen=True)
class DemoSetUp:
    """The rows of a village set-up: profile, sync state, first officer and villager groups."""

    code: str
    name: str
    officer_id: str
    profile: dict[str, Any]
    officer: dict[str, Any]
    groups: list[dict[str, Any]]

    @property
    def numbered_groups(self) -> list[tuple[int, str, str]]:
        return [(g["number"], g["name"], g["id"]) for g in self.groups]

    def insert(self, session: Session) -> None:
        """Write the set-up in `session`'s transaction (in replicate mode: the seeded ids and stamps are kept);
        the groups are signed by its acting person, and every row has its audit line, as a real set-up has."""
        user_id = actor_of(session).user_id
        session.add(VillageProfile(**self.profile))
        session.add(SyncState(node=self.code))
        session.add(User(**self.officer))
        session.flush()
        insert_rows(
            session, VillagerGroup, [{**g, "created_by": user_id, "updated_by": user_id} for g in self.groups]
        )


def plan_set_up(data: VillageSetup, *, seed: int, today: dt.date) -> DemoSetUp:
    """The set-up `data` describes, as set_up_village would write it, with ids and stamps from the seed."""
    check_setup(data)
    code = data.village_code.strip()
    rng = random.Random(f"fhdesk-demo-setup:{seed}:{code}")
    at = office_stamp(rng, today - days(WINDOW_DAYS + SET_UP_BEFORE_WINDOW))
    phone = clean_phone(data.officer_phone, "officer_phone")
    name = data.village_name.strip()
    officer: dict[str, Any] = {
        "id": seeded_uuid7(rng, at),
        "username": data.username.strip(),
        "display_name": data.officer_name.strip(),
        "password_hash": hash_password(data.password),  # salted: not the same twice, and not travelling
        "role": UserRole.ADMIN.value,
        "phone": phone,
        "active": True,
        "created_at": at,
    }
    profile = {
        "code": code,
        "home": True,
        "name": name,
        "township_code": data.township_code.strip(),
        "township_name": data.township_name.strip(),
        "officer_phone": phone,
        "created_at": at,
    }
    groups = [
        {
            "id": seeded_uuid7(rng, at),
            "rev": 1,
            "owner": code,
            "created_at": at,
            "updated_at": at,
            "deleted_at": None,
            "deleted_reason": None,
            "number": number,
            "name": group,
        }
        for number, group in enumerate((g.strip() for g in data.groups if g.strip()), start=1)
    ]
    return DemoSetUp(code, name, officer["id"], profile, officer, groups)
