"""Supplies of the demo: the catalogue, what the villagers need, and the stock ledger that serves it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from app.services.demo.builder import WINDOW_DAYS, Builder
from app.services.demo.dates import days
from app.services.supplies import catalogue_rows
from app.vocab import ContraceptiveMethod as CM
from app.vocab import MovementType, SupplyCategory


@dataclass(frozen=True)
class Supply:
    code: str
    name: str
    form: str
    unit: str
    category: str
    days_per_unit: int
    reorder_level: int
    pack: int  # receipts come in whole boxes
    shelf_days: int


SUPPLIES = (
    Supply("C01", "避孕套", "男用乳胶避孕套", "只", SupplyCategory.CONTRACEPTIVE, 3, 300, 100, 5 * 365),
    Supply("C02", "口服避孕药", "复方左炔诺孕酮片", "板", SupplyCategory.CONTRACEPTIVE, 28, 30, 10, 3 * 365),
    Supply(
        "C03", "避孕针", "醋酸甲羟孕酮注射液 150mg", "支", SupplyCategory.CONTRACEPTIVE, 90, 5, 10, 3 * 365
    ),
    Supply("C04", "外用避孕栓", "壬苯醇醚栓", "盒", SupplyCategory.CONTRACEPTIVE, 0, 5, 10, 2 * 365),
    Supply("C05", "紧急避孕药", "左炔诺孕酮片 1.5mg", "板", SupplyCategory.CONTRACEPTIVE, 0, 10, 10, 3 * 365),
    Supply("C06", "女用避孕套", "聚氨酯女用避孕套", "只", SupplyCategory.CONTRACEPTIVE, 3, 20, 20, 5 * 365),
    Supply("C07", "外用避孕药膜", "壬苯醇醚膜", "盒", SupplyCategory.CONTRACEPTIVE, 0, 5, 10, 2 * 365),
    Supply("F01", "叶酸片 0.4mg", "叶酸片 0.4mg×31片", "瓶", SupplyCategory.FOLIC_ACID, 31, 20, 20, 2 * 365),
)


def method_demand(b: Builder, episode: dict[str, Any], injections: list[dt.date]) -> None:
    """The issues a method needs while it is used inside the window (pills, condoms, injections...); an
    injectable's are the `injections` given (the days its follow-ups say)."""
    code = {CM.PILL: "C02", CM.CONDOM: "C01", CM.INJECTABLE: "C03", CM.SPERMICIDE: "C04"}.get(
        episode["method"]
    )
    if code is None:
        return
    start, stop = episode["start_date"], episode["stop_date"]
    end = min(stop or b.today, b.today)
    link = {"person_id": episode["person_id"], "contraceptive_episode_id": episode["id"]}
    if code == "C03":
        b.demand[code] += [(given, 1, link) for given in injections if b.start <= given <= end]
        return
    rng = b.rng
    day = start if start >= b.start else b.start + days(rng.randint(0, 60))
    if code == "C04" and rng.random() < 0.5:
        code = "C07"
    while day <= end:
        if code == "C02":
            b.demand[code].append((day, 3, link))
            day += days(rng.randint(80, 92))
        elif code == "C01":
            b.demand[code].append((day, rng.choice((10, 20, 20, 30)), link))
            day += days(rng.randint(25, 50))
        else:
            b.demand[code].append((day, 1, link))
            day += days(rng.randint(45, 90))


def supplies(b: Builder) -> None:
    """The catalogue (unless the village has it already), the self-service point's demand, and every ledger."""
    rng = b.rng
    shipped = {row["code"]: row for row in catalogue_rows(b.township_code)}
    for s in SUPPLIES:
        if s.code in b.existing_items:
            b.item_ids[s.code] = b.existing_items[s.code]
            continue
        row = dict(shipped[s.code])  # the township's catalogue row, the same in every database
        b.rows["supply_item"].append(row)
        b.item_ids[s.code] = row["id"]
    # The free self-service point (免费自助发放机) and emergency pills handed out on request.
    for code, every, lo, hi in (("C01", 30, 30, 80), ("C05", 60, 1, 4), ("C06", 90, 2, 6)):
        day = b.start + days(rng.randint(0, every))
        while day <= b.today:
            b.demand[code].append((day, max(1, round(rng.randint(lo, hi) * b.scale)), {"self": True}))
            day += days(every + rng.randint(-5, 5))
    for s in SUPPLIES:
        _ledger(b, s)


def _ledger(b: Builder, s: Supply) -> None:
    """Receipts every quarter sized on the coming demand, issues first-expiry-first-out from lots that have
    not expired, a loss when a lot expires with stock left. No lot ever goes below zero."""
    rng = b.rng
    item = b.item_ids[s.code]
    demand = sorted(b.demand.get(s.code, []), key=lambda d: d[0])
    receipts = []
    day = b.start - days(10)
    while day <= b.today:
        receipts.append(day)
        day += days(91)
    lots: dict[str, list[Any]] = {}  # lot -> [expiry, balance, received on]

    def move(kind: str, lot: str, qty: int, on: dt.date, **extra: Any) -> dict[str, Any]:
        # receipts come in; a count adjustment here is the found surplus; everything else goes out
        direction = 1 if kind in (MovementType.RECEIPT, MovementType.ADJUSTMENT) else -1
        lots[lot][1] += direction * qty
        assert lots[lot][1] >= 0
        return b.add(
            "stock_movement",
            on,
            item_id=item,
            lot=lot,
            expiry_date=lots[lot][0],
            movement_type=kind,
            direction=direction,
            quantity=qty,
            movement_date=on,
            **extra,
        )

    def receive(on: dt.date, qty: int, doc: str, shelf_left: int | None = None) -> None:
        made = on - days(rng.randint(30, 200))
        lot = f"{made:%y%m%d}{rng.randint(1, 9)}"
        while lot in lots:
            lot = lot[:-1] + str(rng.randint(0, 9))
        expiry = on + days(shelf_left) if shelf_left is not None else made + days(s.shelf_days)
        lots[lot] = [expiry, 0, on]
        move(MovementType.RECEIPT, lot, qty, on, document_no=doc, reason="乡镇计生办配发")

    def pack(qty: float) -> int:
        return max(s.pack, math.ceil(qty / s.pack) * s.pack)

    events: list[tuple[dt.date, int, int, dict[str, Any]]] = []
    for i, r in enumerate(receipts):
        nxt = receipts[i + 1] if i + 1 < len(receipts) else b.today + days(91)
        need = sum(q for d, q, _ in demand if r <= d < nxt)
        events.append((r, 0, pack(need * 1.2 + s.reorder_level), {}))
    events += [(d, 2, q, link) for d, q, link in demand]
    events.sort(key=lambda e: (e[0], e[1]))
    n_receipts = 0
    for on, order, qty, link in events:
        if order == 0:
            n_receipts += 1
            # The first C07 lot was old stock that expires inside the window (it ends as a loss); the last
            # C05 lot is close to its expiry date (the report lists lots expiring within 90 days).
            short = None
            if s.code == "C07" and n_receipts == 1:
                short = WINDOW_DAYS // 2
            elif s.code == "C05" and n_receipts == len(receipts):
                short = (b.today - on).days + 75
            receive(on, qty, f"RK{on:%Y%m%d}{s.code}", short)
            continue
        _expire(b, s, lots, on, move)
        left = qty
        while left > 0:
            usable = sorted((exp, lot) for lot, (exp, bal, _) in lots.items() if bal > 0 and exp > on)
            if not usable:
                receive(
                    on, pack(left + s.reorder_level), f"LS{on:%Y%m%d}{s.code}"
                )  # fetched from the township
                continue
            exp, lot = usable[0]
            take = min(left, lots[lot][1])
            if link.get("self"):
                move(MovementType.ISSUE_SELF_SERVICE, lot, take, on, reason="免费自助发放机补货")
            else:
                move(MovementType.ISSUE_PERSON, lot, take, on, **link)
            left -= take
    _expire(b, s, lots, b.today, move)
    if s.code == "C01":  # boxes damaged by damp in the store room, and a difference found at stock-taking
        on = b.window_day(earliest=b.today - days(200))
        for lot, (exp, bal, received) in sorted(lots.items()):
            if bal >= 20 and received <= on < exp:
                move(
                    MovementType.LOSS, lot, 12, on, document_no=f"BS{on:%Y%m%d}", reason="破损报损：受潮损坏"
                )
                move(MovementType.ADJUSTMENT, lot, 2, b.today, reason="盘点差异")
                break


def _expire(b: Builder, s: Supply, lots: dict[str, list[Any]], on: dt.date, move: Callable[..., Any]) -> None:
    for lot, (exp, bal, _) in sorted(lots.items()):
        if bal > 0 and exp <= on:
            day = min(exp + days(b.rng.randint(0, 10)), b.today)
            move(
                MovementType.LOSS,
                lot,
                bal,
                max(day, exp),
                document_no=f"BS{exp:%Y%m%d}{s.code}",
                reason="过期报损",
            )
