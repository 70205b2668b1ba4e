"""The demo being built: its seeded random streams, ids and time stamps, and the rows made so far."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from app.clock import CHINA_TZ
from app.models import (
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    Household,
    Person,
    Pregnancy,
    PrepregnancyCheck,
    StockMovement,
    SupplyItem,
    SupportEntitlement,
    VitalEvent,
)
from app.models.base import SyncMixin, table_of
from app.models.tracking import column_defaults
from app.services.demo.dates import days
from app.services.validation import full_years
from app.vocab import MaritalStatus, ResidenceStatus

# How far back vital events, closed pregnancies and the stock ledger go.
WINDOW_DAYS = 548  # 18 months

# The tables the demo fills, in the order they are inserted: parents first (see writer.py for the two
# references that go backwards).
MODELS: tuple[type[SyncMixin], ...] = (
    Household,
    Person,
    VitalEvent,
    Pregnancy,
    PrepregnancyCheck,
    ContraceptiveEpisode,
    FolicAcidCourse,
    Followup,
    FollowupAnswer,
    SupplyItem,
    StockMovement,
    SupportEntitlement,
)


def office_stamp(rng: random.Random, day: dt.date) -> dt.datetime:
    """A moment of office hours (China time) on `day`, as aware UTC."""
    minute = rng.randint(8 * 60 + 30, 18 * 60)
    local = dt.datetime(
        day.year,
        day.month,
        day.day,
        minute // 60,
        minute % 60,
        rng.randrange(60),
        rng.randrange(1000) * 1000,
        tzinfo=CHINA_TZ,
    )
    return local.astimezone(dt.UTC)


def seeded_uuid7(rng: random.Random, at: dt.datetime) -> str:
    """A UUIDv7 whose timestamp is `at` and whose random bits come from `rng`."""
    ms = (at - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)
    bits = rng.getrandbits(74)
    value = ((ms & 0xFFFF_FFFF_FFFF) << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62)
    value |= bits & ((1 << 62) - 1)
    return str(uuid.UUID(int=value))


class Home:
    """A household being built: its row and its members."""

    __slots__ = ("row", "members", "number", "group_no")

    def __init__(self, row: dict[str, Any], number: int, group_no: int) -> None:
        self.row = row
        self.members: list[Member] = []
        self.number = number  # within its villager group
        self.group_no = group_no


class Member:
    """A person being built: the row, and what the demo needs to know about them while it goes on."""

    __slots__ = ("row", "home", "surname", "husband", "children", "last_birth", "busy")

    def __init__(self, row: dict[str, Any], home: Home, surname: str) -> None:
        self.row = row
        self.home = home
        self.surname = surname
        self.husband: Member | None = None
        self.children = 0
        self.last_birth: dt.date | None = None
        self.busy = False  # already given a pregnancy, a death, a marriage or a move in this demo

    @property
    def birth(self) -> dt.date:
        birth: dt.date = self.row["birth_date"]
        return birth

    @property
    def sex(self) -> str:
        sex: str = self.row["sex"]
        return sex

    @property
    def present(self) -> bool:
        """Still part of the village's population (not dead, not moved away)."""
        return self.row["residence_status"] not in (ResidenceStatus.DECEASED, ResidenceStatus.MOVED_AWAY)

    @property
    def married(self) -> bool:
        return self.row["marital_status"] in (MaritalStatus.FIRST_MARRIAGE, MaritalStatus.REMARRIED)


class Builder:
    """Makes every row of the demo in memory, as plain dicts ready for Core inserts."""

    def __init__(
        self,
        *,
        people: int,
        seed: int,
        today: dt.date,
        village_code: str,
        village_name: str,
        groups: Sequence[tuple[int, str, str]],
        existing_items: dict[str, str],
        township_code: str,
    ) -> None:
        self.target = people
        self.scale = people / 3000
        self.rng = random.Random(seed)
        # Ids come from their own stream (mixed with the village code, so that two demo villages of one township
        # never share an id), which keeps the content independent of how many ids were drawn.
        self.id_rng = random.Random(f"fhdesk-demo-ids:{seed}:{village_code}")
        self.today = today
        self.start = today - days(WINDOW_DAYS)
        self.code = village_code
        self.area = village_code[:6]
        self.village_name = village_name
        self.groups = [(number, name) for number, name, _ in groups]
        self.group_ids = {number: gid for number, _, gid in groups}
        self.township_code = township_code
        self.existing_items = existing_items
        self.defaults = {m.__tablename__: column_defaults(table_of(m)) for m in MODELS}
        self.rows: dict[str, list[dict[str, Any]]] = {m.__tablename__: [] for m in MODELS}
        self.homes: list[Home] = []
        self.members: list[Member] = []
        self.people_by_id: dict[str, Member] = {}
        self.pinyin_cache: dict[str, tuple[str, str]] = {}
        self.id_numbers: set[str] = set()
        self.group_counts: dict[int, int] = defaultdict(int)
        self.birth_reg_seq = 0
        self.item_ids: dict[str, str] = {}
        self.demand: dict[str, list[tuple[dt.date, int, dict[str, Any]]]] = defaultdict(list)

    def stamp(self, day: dt.date) -> dt.datetime:
        """When a record was typed in: a moment of office hours on `day` (today at the latest)."""
        return office_stamp(self.rng, min(day, self.today))

    def typed_in(self, day: dt.date) -> dt.date:
        """The day a care record of `day` was typed in: the village began using the desk on the first day of the
        window, and typed in its older records from the paper register then (never after today)."""
        return min(max(day, self.start), self.today)

    def new_id(self, at: dt.datetime) -> str:
        return seeded_uuid7(self.id_rng, at)

    def add(self, table: str, on: dt.date, **fields: Any) -> dict[str, Any]:
        """A new row of `table` typed in on `on`."""
        at = self.stamp(on)
        row = {
            **self.defaults[table],
            "id": self.new_id(at),
            "rev": 1,
            "owner": self.code,
            "created_at": at,
            "updated_at": at,
            **fields,
        }
        self.rows[table].append(row)
        return row

    def sample(self, candidates: list[Member], weights: Iterable[float], k: int) -> list[Member]:
        """k distinct candidates, drawn with probability proportional to their weight (Efraimidis-Spirakis)."""
        keyed = [(self.rng.random() ** (1 / w), i) for i, w in enumerate(weights) if w > 0]
        keyed.sort(reverse=True)
        return [candidates[i] for _, i in keyed[:k]]

    def age(self, m: Member, on: dt.date | None = None) -> int:
        return full_years(m.birth, on or self.today)

    def window_day(self, earliest: dt.date | None = None, latest: dt.date | None = None) -> dt.date:
        """A day of the window (the last 18 months up to today), between `earliest` and `latest`."""
        lo = max(self.start, earliest or self.start)
        hi = min(self.today, latest or self.today)
        if lo > hi:
            raise ValueError(f"empty range {lo}..{hi}")
        return lo + days(self.rng.randint(0, (hi - lo).days))

    def sign(self, user_id: str) -> None:
        """Every row the village made was created and last changed by `user_id` (the township's catalogue
        rows keep their own stamps)."""
        for table, rows in self.rows.items():
            if table == "supply_item":
                continue
            for row in rows:
                row["created_by"] = row["updated_by"] = user_id
