"""药具: the supply catalogue, the stock ledger (药具出入库) and what is derived from it — stock on hand per item
and lot, first-expiry-first-out, the monthly supply report and resupply reminders (shared/design/domain.md).

The ledger
- A movement is never edited or deleted; `quantity` is a positive whole number and `direction` says which way
  it went: receipt +1 (from the township), issue_person −1, issue_self_service −1 (anonymous), loss −1
  (expired / damaged / other), adjustment ±1 (a count records counted − book), return −1 (back to the township).
- A correction is a new reversing movement: the same type, item, lot, expiry and quantity in the opposite
  direction, `reverses_id` naming the original, dated the day it is recorded (a month already reported stays
  as it was printed). A movement is reversed at most once, and a reversal is not reversed again.
- The balance of a lot on a day is the sum of direction × quantity of its movements dated on or before that
  day (end of day). An outgoing movement must leave every end-of-day balance from its own date on at zero or
  more, so a backdated issue cannot draw on stock that came in later. A lot is usable through its expiry date;
  from the next day it is expired and can no longer be issued, only written off (loss "expired") or returned.
- The service checks all of this first and refuses with a sentence naming the field, the item, the lot and
  what is available; the database keeps the same rules (app.models.supply.LEDGER_RULES) as the last line,
  which matters when two windows issue at once: that refusal is turned into the same DomainError.

The monthly report
- Each line is the movements of its type in the month, counted in the direction the line names: received =
  Σ direction × quantity of receipts; issued_person, issued_self_service, losses and returned = Σ −direction ×
  quantity of their type; adjustments = Σ direction × quantity (signed). A reversal therefore lands in the line
  of the type it reverses, with the opposite sign, in the month it was recorded (an issue reversed in November
  lowers November's "issued"). So opening + received − issued_person − issued_self_service − losses +
  adjustments − returned = closing holds by construction, and one month's closing is the next one's opening.
- Days out of stock: the days of the month (up to today for the current month; none for a month still ahead)
  whose end-of-day balance of the item, all lots together, is 0.
- Lots expiring within 90 days: lots with stock at the month's end whose expiry date is no later than 90 days
  after it (an already expired lot still in stock included).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from app.actor import SYSTEM_USER_ID, Actor
from app.assets import resource
from app.db import Database
from app.errors import DomainError, NotFound
from app.i18n import DEFAULT_LANGUAGE, tr
from app.models import (
    ContraceptiveEpisode,
    FolicAcidCourse,
    Household,
    Person,
    StockMovement,
    SupplyItem,
)
from app.models.ids import catalogue_item_id
from app.models.supply import LOT_EXPIRED, LOT_EXPIRY_MISMATCH, STOCK_BELOW_ZERO
from app.models.tracking import insert_rows, replicate_mode
from app.models.village import VillageProfile
from app.services import care
from app.services.permissions import Permission, require
from app.services.records import get_live, live_person
from app.services.validation import check_characters, not_in_future, optional_text
from app.vocab import PRESENT, ContraceptiveMethod, MovementType, SupplyCategory

CATALOGUE_FILE = resource("supplies", "catalogue.json")
MAX_QUANTITY = 100_000
EXPIRING_DAYS = 90
RESUPPLY_METHODS = (ContraceptiveMethod.PILL, ContraceptiveMethod.CONDOM, ContraceptiveMethod.INJECTABLE)
RESUPPLY_LATE_DAYS = 30  # a supply that ran out longer ago than this is no longer a reminder
LOSS_KINDS = ("expired", "damaged", "other")
REASON_MAX = 200  # stock_movement.reason
ISSUES = (MovementType.ISSUE_PERSON, MovementType.ISSUE_SELF_SERVICE)
# The verb a refusal uses for what was tried ("不能发放 50 只").
ACTIONS = {
    "issue": "supply.action.issue",
    "loss": "supply.action.loss",
    "return": "supply.action.return",
    "adjust": "supply.action.adjust",
    "reverse": "supply.action.reverse",
}
LOSS_LABELS = {"expired": "supply.loss_kind.expired", "damaged": "supply.loss_kind.damaged"}
COUNT_REASON = "supply.count_reason"
_DIGITS = re.compile(r"\d+")

# ---------------------------------------------------------------- rows and inputs (the API of the pages)


@dataclass(frozen=True)
class ItemRow:
    id: str
    code: str
    name: str  # in the current language (supply.item.<code>); the stored Chinese name when there is none
    form: str
    unit: str  # in the current language (supply.unit.<code>)
    category: str
    days_per_unit: int
    reorder_level: int
    on_hand: int  # all lots, expired ones included (what is on the shelf)
    below_reorder: bool  # the stock still usable today (lots not expired) is below the reorder level


@dataclass(frozen=True)
class LotRow:
    item_id: str
    code: str
    name: str
    unit: str
    lot: str
    expiry_date: dt.date
    on_hand: int
    expires_within_90: bool  # not expired yet, and expires within 90 days
    expired: bool  # the expiry date has passed: it cannot be issued any more


@dataclass(frozen=True)
class MovementRow:
    id: str
    item_id: str
    code: str
    name: str
    unit: str
    lot: str
    expiry_date: dt.date
    movement_type: str
    direction: int
    quantity: int
    movement_date: dt.date
    person_id: str | None
    person_name: str
    household_no: str
    document_no: str
    reason: str
    reverses_id: str | None
    reversed: bool
    created_by: str  # the user id of who recorded it


@dataclass(frozen=True)
class ReceiptInput:
    item_id: str
    lot: str
    expiry_date: dt.date | None
    quantity: int | str | None
    movement_date: dt.date | None
    document_no: str = ""


@dataclass(frozen=True)
class IssueInput:
    item_id: str
    lot: str | None  # None: the first-expiry-first-out lot that covers the quantity
    quantity: int | str | None
    movement_date: dt.date | None
    person_id: str | None = None
    contraceptive_episode_id: str | None = None
    folic_acid_course_id: str | None = None


@dataclass(frozen=True)
class SupplyMonthRow:
    item_id: str
    code: str
    name: str
    unit: str
    opening: int
    received: int
    issued_person: int
    issued_self_service: int
    losses: int
    adjustments: int  # signed
    returned: int
    closing: int
    days_out_of_stock: int
    lots_expiring_90: tuple[tuple[str, dt.date, int], ...]  # (lot, expiry date, balance at the month's end)


@dataclass(frozen=True)
class ResupplyRow:
    person_id: str
    household_id: str
    name: str
    household_no: str
    phone: str
    item_name: str
    last_issue: dt.date
    quantity: int
    runs_out_on: dt.date


# ---------------------------------------------------------------- the catalogue (resources/supplies)


@dataclass(frozen=True)
class CatalogueItem:
    code: str
    name: str
    name_en: str
    form: str
    unit: str
    unit_en: str
    category: str
    method: str | None  # the contraceptive method it serves (resupply reminders); None for folic acid
    days_per_unit: int
    reorder_level: int


def parse_catalogue(data: dict[str, Any]) -> tuple[CatalogueItem, ...]:
    """The items of a catalogue file, checked: known category and method, whole numbers, unique codes."""
    if data.get("format") != "fhd-supply-catalogue":
        raise ValueError("not a supply catalogue")
    items = []
    for raw in data["items"]:
        item = CatalogueItem(
            code=str(raw["code"]),
            name=str(raw["name"]),
            name_en=str(raw["name_en"]),
            form=str(raw.get("form", "")),
            unit=str(raw["unit"]),
            unit_en=str(raw["unit_en"]),
            category=str(raw["category"]),
            method=raw.get("method"),
            days_per_unit=raw["days_per_unit"],
            reorder_level=raw["reorder_level"],
        )
        if not re.fullmatch(r"[A-Z0-9]{1,20}", item.code):
            raise ValueError(f"item code {item.code!r}: upper-case letters and digits")
        if item.category not in SupplyCategory.__members__.values():
            raise ValueError(f"{item.code}: unknown category {item.category!r}")
        if item.method is not None and item.method not in ContraceptiveMethod.__members__.values():
            raise ValueError(f"{item.code}: unknown method {item.method!r}")
        for value in (item.days_per_unit, item.reorder_level):
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise ValueError(f"{item.code}: days_per_unit and reorder_level are whole numbers >= 0")
        items.append(item)
    codes = [i.code for i in items]
    if len(codes) != len(set(codes)):
        raise ValueError("an item code appears twice")
    return tuple(items)


@cache
def _catalogue_file() -> dict[str, Any]:
    with open(CATALOGUE_FILE, encoding="utf-8") as f:
        data: dict[str, Any] = json.load(f)
    return data


@cache
def catalogue() -> tuple[CatalogueItem, ...]:
    return parse_catalogue(_catalogue_file())


@dataclass(frozen=True)
class Term:
    """A message parameter that is itself a catalogue entry (an item's name, its unit, a verb), put in the
    language the message is read in; `fallback` when the catalogue has no such entry."""

    msg_id: str
    fallback: str = ""

    def text(self, lang: str | None = None) -> str:
        text = tr(self.msg_id, lang=lang)
        return self.fallback if text == self.msg_id else text

    def __str__(self) -> str:
        return self.text()


class SupplyError(DomainError):
    """A refusal whose Term parameters (item, unit, what was tried) read in the language of the message."""

    def message(self, lang: str | None = None) -> str:
        params = {k: v.text(lang) if isinstance(v, Term) else v for k, v in self.params.items()}
        return tr(self.msg_id, lang=lang, **params)


def item_name(code: str, stored: str) -> str:
    """The item's name in the current language; the stored (Chinese) name for an item the catalogue lacks."""
    return Term(f"supply.item.{code}", stored).text()


def unit_name(code: str, stored: str) -> str:
    return Term(f"supply.unit.{code}", stored).text()


# The catalogue's rows are the township's records, the same in every database: their stamps are fixed.
CATALOGUE_MADE_AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def catalogue_rows(township_code: str) -> list[dict[str, Any]]:
    """The shipped catalogue as supply_item rows owned by the township, with the UUIDv5 id of each code (one
    item is one row everywhere: in each village, and in the township's database that consolidates them)."""
    version = int(_catalogue_file()["version"])
    return [
        {
            "id": catalogue_item_id(c.code),
            "rev": version,
            "owner": township_code,
            "created_at": CATALOGUE_MADE_AT,
            "created_by": SYSTEM_USER_ID,
            "updated_at": CATALOGUE_MADE_AT,
            "updated_by": SYSTEM_USER_ID,
            "code": c.code,
            "name": c.name,
            "form": c.form,
            "unit": c.unit,
            "category": c.category,
            "days_per_unit": c.days_per_unit,
            "reorder_level": c.reorder_level,
        }
        for c in catalogue()
    ]


def add_catalogue_items(s: Session, township_code: str) -> int:
    """In an open write session: add the catalogue items this database has no item for (by id), as the
    township's rows (replicated, not made by this village)."""
    have = set(s.execute(sa.select(SupplyItem.id)).scalars())
    rows = [r for r in catalogue_rows(township_code) if r["id"] not in have]
    with replicate_mode(s):
        insert_rows(s, SupplyItem, rows)
    return len(rows)


def do_ensure_catalogue(s: Session, actor: Actor) -> int:
    township = s.execute(sa.select(VillageProfile.township_code).where(VillageProfile.home)).scalar()
    return add_catalogue_items(s, township) if township else 0


def ensure_catalogue(db: Database, actor: Actor) -> int:
    """Add the catalogue items missing; returns how many were added (0 the second time). An item the village
    has already is never changed."""
    return db.run(actor, do_ensure_catalogue)


# ---------------------------------------------------------------- validation (pure)


def check_quantity(value: object, field: str = "quantity", *, minimum: int = 1) -> int:
    """A whole number from `minimum` to 100,000, typed (full-width digits too) or given as an int."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise SupplyError("field.required", field)
    number: int | None = None
    if isinstance(value, str):
        text = unicodedata.normalize("NFKC", value).strip()
        if _DIGITS.fullmatch(text):
            number = int(text)
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    if number is None or not minimum <= number <= MAX_QUANTITY:
        raise SupplyError("supply.quantity_invalid", field, min=minimum, max=MAX_QUANTITY)
    return number


def check_date(value: dt.date | None, today: dt.date, field: str = "movement_date") -> dt.date:
    if value is None:
        raise SupplyError("field.required", field)
    not_in_future(value, today, field)
    return value


def check_lot(value: str | None, field: str = "lot") -> str:
    """A lot number as printed on the box: full-width characters folded, spaces dropped, letters upper-case."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value or "")).upper()
    if not text:
        raise SupplyError("field.required", field)
    if len(text) > 40:
        raise SupplyError("field.too_long", field, max=40)
    return check_characters(text, field)


def _required_id(value: str | None, field: str) -> str:
    if not value:
        raise SupplyError("field.required", field)
    return value


def check_receipt(data: ReceiptInput, today: dt.date) -> ReceiptInput:
    """Item, lot, an expiry date after the receipt date, a quantity, a date not in the future."""
    item_id = _required_id(data.item_id, "item_id")
    lot = check_lot(data.lot)
    if data.expiry_date is None:
        raise SupplyError("field.required", "expiry_date")
    quantity = check_quantity(data.quantity)
    on = check_date(data.movement_date, today)
    if data.expiry_date <= on:
        raise SupplyError(
            "supply.expiry_not_after_receipt",
            "expiry_date",
            expiry=data.expiry_date.isoformat(),
            date=on.isoformat(),
        )
    document_no = optional_text(data.document_no, "document_no", 40)
    return replace(
        data, item_id=item_id, lot=lot, quantity=quantity, movement_date=on, document_no=document_no
    )


def check_issue(data: IssueInput, today: dt.date) -> IssueInput:
    item_id = _required_id(data.item_id, "item_id")
    lot = check_lot(data.lot) if data.lot is not None and data.lot.strip() else None
    quantity = check_quantity(data.quantity)
    on = check_date(data.movement_date, today)
    return replace(
        data,
        item_id=item_id,
        lot=lot,
        quantity=quantity,
        movement_date=on,
        person_id=data.person_id or None,
        contraceptive_episode_id=data.contraceptive_episode_id or None,
        folic_acid_course_id=data.folic_acid_course_id or None,
    )


def check_loss(kind: str, reason: str) -> str:
    """The reason stored with a loss: the kind's Chinese label (and what was typed after it), or for "other"
    the reason typed, which it needs."""
    if kind not in LOSS_KINDS:
        raise SupplyError("field.invalid_choice", "kind")
    if kind == "other":
        text = optional_text(reason, "reason", REASON_MAX)
        if not text:
            raise SupplyError("supply.loss_reason_required", "reason")
        return text
    label = tr(LOSS_LABELS[kind], lang=DEFAULT_LANGUAGE)
    text = optional_text(reason, "reason", REASON_MAX - len(label) - 1)
    return f"{label}：{text}" if text else label


def shown_reason(stored: str) -> str:
    """A stored reason for the screen: a loss kind's label in the current language, the rest as typed."""
    for msg_id in LOSS_LABELS.values():
        label = tr(msg_id, lang=DEFAULT_LANGUAGE)
        if stored == label:
            return tr(msg_id)
        if stored.startswith(label + "："):
            return tr(msg_id) + tr("supply.reason_separator") + stored[len(label) + 1 :]
    return stored


# ---------------------------------------------------------------- ledger arithmetic (pure)


def available_from(deltas: Iterable[tuple[dt.date, int]], on: dt.date) -> tuple[int, dt.date]:
    """The least end-of-day balance of a lot from `on` on, and the first day it is reached. `deltas` are the
    lot's net movements per day (any order): what can still be taken out on `on` without any later day going
    below zero."""
    per_day: dict[dt.date, int] = defaultdict(int)
    for day, delta in deltas:
        per_day[day] += delta
    balance = sum(delta for day, delta in per_day.items() if day <= on)
    least, least_day = balance, on
    for day in sorted(d for d in per_day if d > on):
        balance += per_day[day]
        if balance < least:
            least, least_day = balance, day
    return least, least_day


def days_out_of_stock(
    opening: int, deltas: Iterable[tuple[dt.date, int]], first: dt.date, last: dt.date
) -> int:
    """How many days from `first` to `last` end with a balance of 0, starting from `opening` (the balance at
    the end of the day before `first`)."""
    per_day: dict[dt.date, int] = defaultdict(int)
    for day, delta in deltas:
        per_day[day] += delta
    balance, out, day = opening, 0, first
    while day <= last:
        balance += per_day.get(day, 0)
        out += balance == 0
        day += dt.timedelta(days=1)
    return out


def month_bounds(year: int, month: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, month, 1), dt.date(year, month, calendar.monthrange(year, month)[1])


# ---------------------------------------------------------------- reading the ledger in a session

_signed = StockMovement.direction * StockMovement.quantity
_live = StockMovement.live()


def _item(s: Session, item_id: str) -> SupplyItem:
    return get_live(s, SupplyItem, item_id, "supply.item_not_found", "item_id", owned=False)


def _lot_deltas(s: Session, item_id: str, lot: str) -> list[tuple[dt.date, int]]:
    q = (
        sa.select(StockMovement.movement_date, sa.func.sum(_signed))
        .where(StockMovement.item_id == item_id, StockMovement.lot == lot, _live)
        .group_by(StockMovement.movement_date)
    )
    return [(day, int(total)) for day, total in s.execute(q)]


def _lot_expiry(s: Session, item_id: str, lot: str) -> dt.date | None:
    return s.execute(
        sa.select(sa.func.min(StockMovement.expiry_date)).where(
            StockMovement.item_id == item_id, StockMovement.lot == lot
        )
    ).scalar()


def _names(item: SupplyItem) -> dict[str, Term]:
    return {
        "item": Term(f"supply.item.{item.code}", item.name),
        "unit": Term(f"supply.unit.{item.code}", item.unit),
    }


def _short(
    item: SupplyItem,
    lot: str,
    deltas: list[tuple[dt.date, int]],
    quantity: int,
    on: dt.date,
    action: str,
    *,
    always: bool = False,
) -> SupplyError | None:
    """The refusal of taking `quantity` out of `lot` on `on`, or None when the lot has it on every day since
    (unless `always`: the database refused it, whatever a second look says)."""
    available, day = available_from(deltas, on)
    if quantity <= available and not always:
        return None
    now = sum(d for _, d in deltas)
    params = {**_names(item), "lot": lot, "quantity": quantity, "action": Term(ACTIONS[action])}
    if available == now:
        return SupplyError("supply.lot_short", "quantity", available=max(available, 0), **params)
    return SupplyError(
        "supply.lot_short_on", "quantity", available=max(available, 0), date=day.isoformat(), **params
    )


def _require_available(
    s: Session, item: SupplyItem, lot: str, quantity: int, on: dt.date, action: str
) -> None:
    refusal = _short(item, lot, _lot_deltas(s, item.id, lot), quantity, on, action)
    if refusal is not None:
        raise refusal


def _known_lot(s: Session, item: SupplyItem, lot: str) -> dt.date:
    expiry = _lot_expiry(s, item.id, lot)
    if expiry is None:
        raise SupplyError("supply.lot_not_found", "lot", lot=lot, **_names(item))
    return expiry


def _lot_expired(item: SupplyItem, lot: str, expiry: dt.date) -> SupplyError:
    return SupplyError("supply.lot_expired", "lot", lot=lot, expiry=expiry.isoformat(), **_names(item))


@dataclass(frozen=True)
class _Lot:
    lot: str
    expiry: dt.date
    on_hand: int
    available: int  # what can be taken out on the day asked about


def _item_lots(s: Session, item_id: str, on: dt.date) -> list[_Lot]:
    """The item's lots, first expiry first."""
    q = (
        sa.select(
            StockMovement.lot, StockMovement.expiry_date, StockMovement.movement_date, sa.func.sum(_signed)
        )
        .where(StockMovement.item_id == item_id, _live)
        .group_by(StockMovement.lot, StockMovement.expiry_date, StockMovement.movement_date)
    )
    by_lot: dict[tuple[str, dt.date], list[tuple[dt.date, int]]] = defaultdict(list)
    for lot, expiry, day, total in s.execute(q):
        by_lot[lot, expiry].append((day, int(total)))
    return [
        _Lot(lot, expiry, sum(d for _, d in deltas), available_from(deltas, on)[0])
        for (lot, expiry), deltas in sorted(by_lot.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]


def _fefo(s: Session, item_id: str, quantity: int, on: dt.date) -> _Lot | None:
    return next((x for x in _item_lots(s, item_id, on) if x.expiry >= on and x.available >= quantity), None)


def _lot_row(item: SupplyItem, lot: str, expiry: dt.date, on_hand: int, today: dt.date) -> LotRow:
    expired = expiry < today
    return LotRow(
        item.id,
        item.code,
        item_name(item.code, item.name),
        unit_name(item.code, item.unit),
        lot,
        expiry,
        on_hand,
        not expired and expiry <= today + dt.timedelta(days=EXPIRING_DAYS),
        expired,
    )


# ---------------------------------------------------------------- stock on hand


def items(db: Database, today: dt.date) -> list[ItemRow]:
    """Every item of the catalogue with its stock, by code."""
    usable = sa.case((StockMovement.expiry_date >= today, _signed), else_=0)
    q = (
        sa.select(
            SupplyItem, sa.func.coalesce(sa.func.sum(_signed), 0), sa.func.coalesce(sa.func.sum(usable), 0)
        )
        .outerjoin(StockMovement, (StockMovement.item_id == SupplyItem.id) & _live)
        .where(SupplyItem.live())
        .group_by(SupplyItem.id)
        .order_by(SupplyItem.code)
    )
    with db.read() as s:
        return [
            ItemRow(
                i.id,
                i.code,
                item_name(i.code, i.name),
                i.form,
                unit_name(i.code, i.unit),
                i.category,
                i.days_per_unit,
                i.reorder_level,
                int(on_hand),
                int(ok) < i.reorder_level,
            )
            for i, on_hand, ok in s.execute(q)
        ]


def lots(
    db: Database, today: dt.date, item_id: str | None = None, include_empty: bool = False
) -> list[LotRow]:
    """Lots with stock (or every lot ever received, with `include_empty`), first expiry first."""
    on_hand = sa.func.sum(_signed)
    q = (
        sa.select(SupplyItem, StockMovement.lot, sa.func.min(StockMovement.expiry_date), on_hand)
        .join(SupplyItem, SupplyItem.id == StockMovement.item_id)
        .where(_live, SupplyItem.live())
        .group_by(SupplyItem.id, StockMovement.lot)
    )
    if item_id is not None:
        q = q.where(StockMovement.item_id == item_id)
    if not include_empty:
        q = q.having(on_hand != 0)
    with db.read() as s:
        rows = [_lot_row(i, lot, expiry, int(n), today) for i, lot, expiry, n in s.execute(q)]
    return sorted(rows, key=lambda r: (r.expiry_date, r.code, r.lot))


def fefo_lot(db: Database, item_id: str, quantity: int, on: dt.date) -> LotRow | None:
    """The lot to issue from on `on`: not expired, the earliest expiry among those that have `quantity`."""
    with db.read() as s:
        item = s.get(SupplyItem, item_id)
        if item is None:
            return None
        found = _fefo(s, item_id, max(quantity, 1), on)
        return _lot_row(item, found.lot, found.expiry, found.on_hand, on) if found else None


# ---------------------------------------------------------------- recording movements


def _rule_broken(error: sa.exc.DBAPIError) -> str | None:
    text = str(error.orig)
    for marker in (STOCK_BELOW_ZERO, LOT_EXPIRED, LOT_EXPIRY_MISMATCH):
        if marker in text:
            return marker
    if "reverses_id" in text:
        return "reversed"
    return None


def _refusal(s: Session, marker: str, tried: dict[str, Any], action: str) -> SupplyError | None:
    """The DomainError for a movement the database refused (read again after the savepoint rolled back)."""
    item = s.get(SupplyItem, tried["item_id"])
    if item is None:
        return None
    lot, on = tried["lot"], tried["on"]
    if marker == STOCK_BELOW_ZERO:
        return _short(item, lot, _lot_deltas(s, item.id, lot), tried["quantity"], on, action, always=True)
    if marker == LOT_EXPIRED:
        return _lot_expired(item, lot, tried["expiry"])
    if marker == LOT_EXPIRY_MISMATCH:
        known = _lot_expiry(s, item.id, lot) or tried["expiry"]
        return SupplyError(
            "supply.lot_expiry_differs", "expiry_date", lot=lot, expiry=known.isoformat(), **_names(item)
        )
    if marker == "reversed" and tried["reverses"]:
        return _already_reversed(s, tried["reverses"])
    return None


def _save_movement(s: Session, m: StockMovement, action: str) -> str:
    """Write a checked movement inside a savepoint: if the database itself refuses it (its ledger rules, e.g. a
    second window took the stock meanwhile), the savepoint rolls back and the refusal becomes the service's
    sentence, while the caller's transaction stays usable."""
    tried = dict(
        item_id=m.item_id,
        lot=m.lot,
        quantity=m.quantity,
        on=m.movement_date,
        expiry=m.expiry_date,
        reverses=m.reverses_id,
    )
    try:
        with s.begin_nested():
            s.add(m)
            s.flush()
    except sa.exc.DBAPIError as e:
        marker = _rule_broken(e)
        refusal = _refusal(s, marker, tried, action) if marker else None
        if refusal is None:
            raise
        raise refusal from None
    return m.id


def do_receive(s: Session, actor: Actor, data: ReceiptInput, today: dt.date) -> str:
    """A receipt from the township: item, lot, expiry, quantity, document number. A lot received before keeps
    its expiry date."""
    require(actor, Permission.LEDGER)
    d = check_receipt(data, today)

    def build(s: Session) -> StockMovement:
        item = _item(s, d.item_id)
        known = _lot_expiry(s, item.id, d.lot)
        if known is not None and known != d.expiry_date:
            raise SupplyError(
                "supply.lot_expiry_differs",
                "expiry_date",
                lot=d.lot,
                expiry=known.isoformat(),
                **_names(item),
            )
        return StockMovement(
            item_id=item.id,
            lot=d.lot,
            expiry_date=d.expiry_date,
            movement_type=MovementType.RECEIPT,
            direction=1,
            quantity=d.quantity,
            movement_date=d.movement_date,
            document_no=d.document_no,
        )

    return _save_movement(s, build(s), "issue")


def receive(db: Database, actor: Actor, data: ReceiptInput, today: dt.date) -> str:
    return db.run(actor, do_receive, data, today)


def _issue_lot(
    s: Session, item: SupplyItem, lot: str | None, quantity: int, on: dt.date
) -> tuple[str, dt.date]:
    """The lot to issue from (first expiry first out when none is given), checked: known, not expired, enough."""
    if lot is None:
        found = _fefo(s, item.id, quantity, on)
        if found is not None:
            return found.lot, found.expiry
        usable = [x for x in _item_lots(s, item.id, on) if x.expiry >= on and x.available > 0]
        if not usable:
            raise SupplyError("supply.out_of_stock", "quantity", **_names(item))
        most = max(usable, key=lambda x: (x.available, -x.expiry.toordinal()))
        raise SupplyError(
            "supply.no_lot_covers",
            "quantity",
            quantity=quantity,
            lot=most.lot,
            available=most.available,
            **_names(item),
        )
    expiry = _known_lot(s, item, lot)
    if expiry < on:
        raise _lot_expired(item, lot, expiry)
    _require_available(s, item, lot, quantity, on, "issue")
    return lot, expiry


def _live_person(s: Session, person_id: str) -> Person:
    p = live_person(s, person_id, "person_id")
    if p.residence_status not in PRESENT:
        raise SupplyError("care.person_not_present", "person_id", name=p.name)
    return p


def _check_links(s: Session, d: IssueInput, person: Person, item: SupplyItem) -> None:
    if d.contraceptive_episode_id is not None:
        e = s.get(ContraceptiveEpisode, d.contraceptive_episode_id)
        if e is None or e.deleted_at is not None or e.person_id != person.id:
            raise SupplyError("supply.episode_not_of_person", "contraceptive_episode_id", name=person.name)
        if item.category != SupplyCategory.CONTRACEPTIVE:
            raise SupplyError("supply.link_wrong_category", "contraceptive_episode_id", **_names(item))
    if d.folic_acid_course_id is not None:
        f = s.get(FolicAcidCourse, d.folic_acid_course_id)
        if f is None or f.deleted_at is not None or f.woman_id != person.id:
            raise SupplyError("supply.course_not_of_person", "folic_acid_course_id", name=person.name)
        if item.category != SupplyCategory.FOLIC_ACID:
            raise SupplyError("supply.link_wrong_category", "folic_acid_course_id", **_names(item))


def _issued(
    s: Session, item: SupplyItem, d: IssueInput, movement_type: MovementType, **links: Any
) -> StockMovement:
    """An issue of `d.quantity` on `d.movement_date`, from the lot asked for or the first to expire."""
    assert isinstance(d.quantity, int) and d.movement_date is not None  # check_issue made them so
    lot, expiry = _issue_lot(s, item, d.lot, d.quantity, d.movement_date)
    return StockMovement(
        item_id=item.id,
        lot=lot,
        expiry_date=expiry,
        movement_type=movement_type,
        direction=-1,
        quantity=d.quantity,
        movement_date=d.movement_date,
        **links,
    )


def _taken_from_lot(
    s: Session,
    item: SupplyItem,
    lot: str,
    expiry: dt.date,
    quantity: int,
    on: dt.date,
    movement_type: MovementType,
    action: str,
    **details: Any,
) -> StockMovement:
    """Stock going out of a known lot (not to a person), checked against what the lot holds on `on`."""
    _require_available(s, item, lot, quantity, on, action)
    return StockMovement(
        item_id=item.id,
        lot=lot,
        expiry_date=expiry,
        movement_type=movement_type,
        direction=-1,
        quantity=quantity,
        movement_date=on,
        **details,
    )


def _folic_course(
    s: Session,
    actor: Actor,
    d: IssueInput,
    person: Person,
    item: SupplyItem,
    today: dt.date,
    start_course: bool,
) -> str | None:
    """The folic-acid course an issue belongs to, its bottles added: the course given; else, when asked to
    start one, her course running on the issue date if there is one by now, or a new course started on the
    issue date with these bottles. An issue of anything else belongs to no course."""
    if item.category != SupplyCategory.FOLIC_ACID:
        if start_course:
            raise SupplyError("supply.link_wrong_category", "folic_acid_course_id", **_names(item))
        return None
    assert d.movement_date is not None and isinstance(d.quantity, int)
    course = s.get(FolicAcidCourse, d.folic_acid_course_id) if d.folic_acid_course_id else None
    if course is None and start_course:
        course = care.folic_course_on(s, person.id, d.movement_date)
        if course is None:
            start = care.FolicCourseInput(start_date=d.movement_date, bottles_issued=d.quantity)
            return care.do_start_folic_course(s, actor, person.id, start, today)
    if course is None:
        return None
    course.bottles_issued += d.quantity
    return course.id


def do_issue_to_person(
    s: Session, actor: Actor, data: IssueInput, today: dt.date, start_folic_course: bool = False
) -> str:
    """Issue to a person present in the village, linked to their method episode or folic-acid course when one
    is given (it must be theirs, and fit the item's category). Folic acid linked to a course adds its bottles
    to the course; `start_folic_course` starts her course on the issue date with these bottles (or adds them to
    the one she has by then). The course and the issue are saved together or not at all."""
    require(actor, Permission.ISSUE)
    d = check_issue(data, today)
    person_id = _required_id(d.person_id, "person_id")

    def build(s: Session) -> StockMovement:
        item = _item(s, d.item_id)
        person = _live_person(s, person_id)
        _check_links(s, d, person, item)
        course_id = _folic_course(s, actor, d, person, item, today, start_folic_course)
        return _issued(
            s,
            item,
            d,
            MovementType.ISSUE_PERSON,
            person_id=person.id,
            contraceptive_episode_id=d.contraceptive_episode_id,
            folic_acid_course_id=course_id,
        )

    with s.begin_nested():  # a refused issue takes back the course it would have started or added to
        return _save_movement(s, build(s), "issue")


def issue_to_person(
    db: Database, actor: Actor, data: IssueInput, today: dt.date, start_folic_course: bool = False
) -> str:
    return db.run(actor, do_issue_to_person, data, today, start_folic_course)


def do_issue_self_service(s: Session, actor: Actor, data: IssueInput, today: dt.date) -> str:
    """An anonymous issue at the free self-service point: a quantity, no person."""
    require(actor, Permission.ISSUE)
    d = check_issue(data, today)
    if (
        d.person_id is not None
        or d.contraceptive_episode_id is not None
        or d.folic_acid_course_id is not None
    ):
        raise SupplyError("supply.self_service_anonymous", "person_id")

    def build(s: Session) -> StockMovement:
        return _issued(s, _item(s, d.item_id), d, MovementType.ISSUE_SELF_SERVICE)

    return _save_movement(s, build(s), "issue")


def issue_self_service(db: Database, actor: Actor, data: IssueInput, today: dt.date) -> str:
    return db.run(actor, do_issue_self_service, data, today)


def do_record_loss(
    s: Session,
    actor: Actor,
    item_id: str,
    lot: str | None,
    quantity: int | str | None,
    kind: str,
    reason: str,
    movement_date: dt.date | None,
    today: dt.date,
) -> str:
    """A loss: "expired" (the lot's expiry date has come), "damaged", or "other" with a reason."""
    require(actor, Permission.LEDGER)
    item_id = _required_id(item_id, "item_id")
    lot = check_lot(lot)
    qty = check_quantity(quantity)
    on = check_date(movement_date, today)
    stored = check_loss(kind, reason)

    def build(s: Session) -> StockMovement:
        item = _item(s, item_id)
        expiry = _known_lot(s, item, lot)
        if kind == "expired" and expiry > on:
            raise SupplyError(
                "supply.not_expired_yet", "kind", lot=lot, expiry=expiry.isoformat(), **_names(item)
            )
        return _taken_from_lot(s, item, lot, expiry, qty, on, MovementType.LOSS, "loss", reason=stored)

    return _save_movement(s, build(s), "loss")


def record_loss(
    db: Database,
    actor: Actor,
    item_id: str,
    lot: str | None,
    quantity: int | str | None,
    kind: str,
    reason: str,
    movement_date: dt.date | None,
    today: dt.date,
) -> str:
    return db.run(actor, do_record_loss, item_id, lot, quantity, kind, reason, movement_date, today)


def do_count_stock(
    s: Session,
    actor: Actor,
    item_id: str,
    lot: str | None,
    counted: int | str | None,
    movement_date: dt.date | None,
    today: dt.date,
) -> str | None:
    """A physical count of a lot: the difference from the book balance at the end of `movement_date` is
    recorded as an adjustment (+ or −). Returns None (nothing recorded) when the count matches."""
    require(actor, Permission.LEDGER)
    item_id = _required_id(item_id, "item_id")
    lot = check_lot(lot)
    number = check_quantity(counted, "counted", minimum=0)
    on = check_date(movement_date, today)

    def build(s: Session) -> StockMovement:
        item = _item(s, item_id)
        expiry = _known_lot(s, item, lot)
        deltas = _lot_deltas(s, item.id, lot)
        book = sum(delta for day, delta in deltas if day <= on)
        difference = number - book
        if difference == 0:
            raise _Matched
        if difference < 0:
            refusal = _short(item, lot, deltas, -difference, on, "adjust")
            if refusal is not None:
                raise refusal
        return StockMovement(
            item_id=item.id,
            lot=lot,
            expiry_date=expiry,
            movement_type=MovementType.ADJUSTMENT,
            direction=1 if difference > 0 else -1,
            quantity=abs(difference),
            movement_date=on,
            reason=tr(COUNT_REASON, lang=DEFAULT_LANGUAGE, book=book, counted=number),
        )

    try:
        return _save_movement(s, build(s), "adjust")
    except _Matched:
        return None


def count_stock(
    db: Database,
    actor: Actor,
    item_id: str,
    lot: str | None,
    counted: int | str | None,
    movement_date: dt.date | None,
    today: dt.date,
) -> str | None:
    return db.run(actor, do_count_stock, item_id, lot, counted, movement_date, today)


class _Matched(Exception):
    """The count agrees with the book: nothing to record."""


def do_return_to_township(
    s: Session,
    actor: Actor,
    item_id: str,
    lot: str | None,
    quantity: int | str | None,
    movement_date: dt.date | None,
    document_no: str,
    today: dt.date,
) -> str:
    """Stock sent back to the township (e.g. lots close to expiry, or expired ones it collects)."""
    require(actor, Permission.LEDGER)
    item_id = _required_id(item_id, "item_id")
    lot = check_lot(lot)
    qty = check_quantity(quantity)
    on = check_date(movement_date, today)
    doc = optional_text(document_no, "document_no", 40)

    def build(s: Session) -> StockMovement:
        item = _item(s, item_id)
        expiry = _known_lot(s, item, lot)
        return _taken_from_lot(s, item, lot, expiry, qty, on, MovementType.RETURN, "return", document_no=doc)

    return _save_movement(s, build(s), "return")


def return_to_township(
    db: Database,
    actor: Actor,
    item_id: str,
    lot: str | None,
    quantity: int | str | None,
    movement_date: dt.date | None,
    document_no: str,
    today: dt.date,
) -> str:
    return db.run(actor, do_return_to_township, item_id, lot, quantity, movement_date, document_no, today)


def _already_reversed(s: Session, movement_id: str) -> SupplyError:
    on = s.execute(
        sa.select(StockMovement.movement_date).where(StockMovement.reverses_id == movement_id, _live)
    ).scalar()
    return SupplyError("supply.already_reversed", None, date=on.isoformat() if on else "")


def do_reverse(s: Session, actor: Actor, movement_id: str, reason: str, today: dt.date) -> str:
    """Correct a wrong movement by a reversing one dated today: the same type, item, lot and quantity the other
    way. A movement is reversed once; a reversal is not reversed (record the right movement instead); reversing
    a receipt must not take the lot below zero."""
    require(actor, Permission.LEDGER)
    text = optional_text(reason, "reason", REASON_MAX)
    if not text:
        raise SupplyError("field.required", "reason")

    def build(s: Session) -> StockMovement:
        original = s.get(StockMovement, movement_id)
        if original is None or original.deleted_at is not None:
            raise NotFound("supply.movement_not_found")
        if original.reverses_id is not None:
            raise SupplyError("supply.reversal_not_reversible", None)
        if s.execute(
            sa.select(StockMovement.id).where(StockMovement.reverses_id == original.id, _live)
        ).first():
            raise _already_reversed(s, original.id)
        if original.direction == 1:
            _require_available(
                s, _item(s, original.item_id), original.lot, original.quantity, today, "reverse"
            )
        if original.folic_acid_course_id is not None and original.movement_type == MovementType.ISSUE_PERSON:
            course = s.get(FolicAcidCourse, original.folic_acid_course_id)
            if course is not None:  # the bottles never reached her: off her course's count
                course.bottles_issued = max(0, course.bottles_issued - original.quantity)
        return StockMovement(
            item_id=original.item_id,
            lot=original.lot,
            expiry_date=original.expiry_date,
            movement_type=original.movement_type,
            direction=-original.direction,
            quantity=original.quantity,
            movement_date=today,
            person_id=original.person_id,
            contraceptive_episode_id=original.contraceptive_episode_id,
            folic_acid_course_id=original.folic_acid_course_id,
            document_no=original.document_no,
            reason=text,
            reverses_id=original.id,
        )

    with s.begin_nested():  # the course's bottles come back only with the reversal
        return _save_movement(s, build(s), "reverse")


def reverse(db: Database, actor: Actor, movement_id: str, reason: str, today: dt.date) -> str:
    return db.run(actor, do_reverse, movement_id, reason, today)


# ---------------------------------------------------------------- the ledger and a person's supplies


def _movements(s: Session, *where: sa.ColumnElement[bool], newest_first: bool = False) -> list[MovementRow]:
    reversal = aliased(StockMovement)
    reversed_ = (
        sa.select(reversal.id).where(reversal.reverses_id == StockMovement.id, reversal.live()).exists()
    )
    order = [StockMovement.movement_date, StockMovement.created_at, StockMovement.id]
    q = (
        sa.select(
            StockMovement,
            SupplyItem.code,
            SupplyItem.name,
            SupplyItem.unit,
            sa.func.coalesce(Person.name, ""),
            sa.func.coalesce(Household.household_no, ""),
            reversed_,
        )
        .join(SupplyItem, SupplyItem.id == StockMovement.item_id)
        .outerjoin(Person, Person.id == StockMovement.person_id)
        .outerjoin(Household, Household.id == Person.household_id)
        .where(_live, *where)
        .order_by(*([c.desc() for c in order] if newest_first else order))
    )
    return [
        MovementRow(
            m.id,
            m.item_id,
            code,
            item_name(code, name),
            unit_name(code, unit),
            m.lot,
            m.expiry_date,
            m.movement_type,
            m.direction,
            m.quantity,
            m.movement_date,
            m.person_id,
            person_name,
            household_no,
            m.document_no,
            shown_reason(m.reason),
            m.reverses_id,
            bool(is_reversed),
            m.created_by,
        )
        for m, code, name, unit, person_name, household_no, is_reversed in s.execute(q)
    ]


def ledger(db: Database, year: int, month: int, item_id: str | None = None) -> list[MovementRow]:
    """The month's movements (of one item, or all), in the order they happened."""
    first, last = month_bounds(year, month)
    where = [StockMovement.movement_date >= first, StockMovement.movement_date <= last]
    if item_id is not None:
        where.append(StockMovement.item_id == item_id)
    with db.read() as s:
        return _movements(s, *where)


def person_supplies(db: Database, person_id: str) -> list[MovementRow]:
    """What the person received (and any reversal of it), the latest first."""
    with db.read() as s:
        return _movements(s, StockMovement.person_id == person_id, newest_first=True)


# ---------------------------------------------------------------- the monthly supply report

_LINES = {
    MovementType.RECEIPT: ("received", 1),
    MovementType.ISSUE_PERSON: ("issued_person", -1),
    MovementType.ISSUE_SELF_SERVICE: ("issued_self_service", -1),
    MovementType.LOSS: ("losses", -1),
    MovementType.ADJUSTMENT: ("adjustments", 1),
    MovementType.RETURN: ("returned", -1),
}


def monthly_report(db: Database, year: int, month: int, today: dt.date) -> list[SupplyMonthRow]:
    """One row per catalogue item (by code) for the month: the lines of the report's supplies section."""
    return supply_report(db, *month_bounds(year, month), today)


def supply_report(
    db: Database, first: dt.date, last: dt.date, today: dt.date, owner: str | None = None
) -> list[SupplyMonthRow]:
    """The supply lines for any period (a month, or January to a month for year-to-date): opening balance on
    `first`, the period's movements by line, closing balance on `last`, days out of stock up to `today` at
    the latest, lots expiring within 90 days of `last`. With `owner` (a village's code), that village's ledger
    only, over the township's one catalogue (supply items belong to the township, movements to a village)."""
    counted_to = min(last, today)
    in_month = (StockMovement.movement_date >= first) & (StockMovement.movement_date <= last)
    mine = StockMovement.live() & StockMovement.owned_by(owner)
    with db.read() as s:
        catalogue_items = (
            s.execute(sa.select(SupplyItem).where(SupplyItem.live()).order_by(SupplyItem.code))
            .scalars()
            .all()
        )
        opening = dict(
            s.execute(
                sa.select(StockMovement.item_id, sa.func.sum(_signed))
                .where(mine, StockMovement.movement_date < first)
                .group_by(StockMovement.item_id)
            ).all()
        )
        lines: dict[str, dict[str, int]] = defaultdict(dict)
        for item_id, kind, total in s.execute(
            sa.select(StockMovement.item_id, StockMovement.movement_type, sa.func.sum(_signed))
            .where(mine, in_month)
            .group_by(StockMovement.item_id, StockMovement.movement_type)
        ):
            line, sign = _LINES[MovementType(kind)]
            lines[item_id][line] = sign * int(total)
        daily: dict[str, list[tuple[dt.date, int]]] = defaultdict(list)
        for item_id, day, total in s.execute(
            sa.select(StockMovement.item_id, StockMovement.movement_date, sa.func.sum(_signed))
            .where(mine, in_month)
            .group_by(StockMovement.item_id, StockMovement.movement_date)
        ):
            daily[item_id].append((day, int(total)))
        balance = sa.func.sum(_signed)
        expiring: dict[str, list[tuple[str, dt.date, int]]] = defaultdict(list)
        for item_id, lot, expiry, left in s.execute(
            sa.select(
                StockMovement.item_id, StockMovement.lot, sa.func.min(StockMovement.expiry_date), balance
            )
            .where(mine, StockMovement.movement_date <= last)
            .group_by(StockMovement.item_id, StockMovement.lot)
            .having(
                balance > 0, sa.func.min(StockMovement.expiry_date) <= last + dt.timedelta(days=EXPIRING_DAYS)
            )
        ):
            expiring[item_id].append((lot, expiry, int(left)))
    rows = []
    for i in catalogue_items:
        start = int(opening.get(i.id) or 0)
        got = lines[i.id]
        amounts = {line: got.get(line, 0) for line, _ in _LINES.values()}
        closing = (
            start
            + amounts["received"]
            - amounts["issued_person"]
            - amounts["issued_self_service"]
            - amounts["losses"]
            + amounts["adjustments"]
            - amounts["returned"]
        )
        rows.append(
            SupplyMonthRow(
                item_id=i.id,
                code=i.code,
                name=item_name(i.code, i.name),
                unit=unit_name(i.code, i.unit),
                opening=start,
                closing=closing,
                days_out_of_stock=days_out_of_stock(start, daily[i.id], first, counted_to),
                lots_expiring_90=tuple(sorted(expiring[i.id], key=lambda x: (x[1], x[0]))),
                **amounts,
            )
        )
    return rows


# ---------------------------------------------------------------- resupply reminders (dashboard)


def method_items() -> dict[str, tuple[str, ...]]:
    """Contraceptive method -> the codes of the catalogue items that serve it."""
    found: dict[str, list[str]] = defaultdict(list)
    for c in catalogue():
        if c.method:
            found[c.method].append(c.code)
    return {method: tuple(codes) for method, codes in found.items()}


def resupply_reminders(db: Database, today: dt.date, within_days: int = 7) -> list[ResupplyRow]:
    """Pill, condom and injectable users (their current method, present in the village) whose last supply runs
    out within `within_days` — or ran out less than 30 days ago. The supply runs out on the last issue date +
    quantity × days one unit lasts, over the items of their method issued to them that day (not reversed).
    A reminder, not a follow-up obligation."""
    by_method = method_items()
    codes = {code: method for method in RESUPPLY_METHODS for code in by_method.get(method, ())}
    reversal = aliased(StockMovement)
    not_reversed = ~(
        sa.select(reversal.id).where(reversal.reverses_id == StockMovement.id, reversal.live()).exists()
    )
    q = (
        sa.select(
            Person.id,
            Household.id,
            Person.name,
            Household.household_no,
            sa.func.coalesce(Person.phone, Household.phone, ""),
            ContraceptiveEpisode.method,
            SupplyItem.code,
            SupplyItem.name,
            SupplyItem.days_per_unit,
            StockMovement.movement_date,
            StockMovement.quantity,
        )
        .join(Household, Household.id == Person.household_id)
        .join(
            ContraceptiveEpisode,
            (ContraceptiveEpisode.person_id == Person.id) & ContraceptiveEpisode.current(),
        )
        .join(StockMovement, StockMovement.person_id == Person.id)
        .join(SupplyItem, SupplyItem.id == StockMovement.item_id)
        .where(
            Person.live(),
            Person.residence_status.in_(PRESENT),
            ContraceptiveEpisode.method.in_(RESUPPLY_METHODS),
            SupplyItem.code.in_(codes),
            StockMovement.movement_type == MovementType.ISSUE_PERSON,
            StockMovement.direction == -1,
            _live,
            not_reversed,
        )
    )
    last: dict[str, dict[str, Any]] = {}
    with db.read() as s:
        for pid, hid, name, number, phone, method, code, stored, days, on, quantity in s.execute(q):
            if codes[code] != method:
                continue
            seen = last.get(pid)
            if seen is None or on > seen["on"]:
                seen = last[pid] = {"row": (pid, hid, name, number, phone), "on": on, "units": [], "days": 0}
            elif on < seen["on"]:
                continue
            seen["units"].append((code, stored, quantity))
            seen["days"] += quantity * days
    rows = []
    for seen in last.values():
        if seen["days"] <= 0:
            continue
        runs_out = seen["on"] + dt.timedelta(days=seen["days"])
        if (
            not today - dt.timedelta(days=RESUPPLY_LATE_DAYS)
            < runs_out
            <= today + dt.timedelta(days=within_days)
        ):
            continue
        names = dict.fromkeys(item_name(code, stored) for code, stored, _ in seen["units"])
        who: tuple[str, str, str, str, str] = seen["row"]
        rows.append(
            ResupplyRow(
                *who,
                item_name=tr("supply.name_separator").join(names),
                last_issue=seen["on"],
                quantity=sum(q for _, _, q in seen["units"]),
                runs_out_on=runs_out,
            )
        )
    return sorted(rows, key=lambda r: (r.runs_out_on, r.household_no, r.name))
