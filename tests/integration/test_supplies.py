"""The supply ledger on a real database, with hand-counted ledgers: the monthly identity for a month with
movements on its first and last day, days out of stock, refusals naming the item, the lot and what is left,
first expiry first out, reversals, counts, two windows issuing the last units, the database's own rules
(raw SQL too), resupply reminders, and a property test over random sequences of movements.
Today is Tuesday 24 Nov 2026."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import threading
from collections import defaultdict
from pathlib import Path

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app import i18n
from app.actor import Actor
from app.db import Database, open_database
from app.errors import DomainError
from app.models import StockMovement, SupplyItem, new_id
from app.models.ids import catalogue_item_id
from app.models.user import SYSTEM_USER_ID
from app.services import care
from app.services import households as hh
from app.services import supplies as sp
from app.services.village import set_up_village
from tests.conftest import SETUP, TODAY

D = dt.date
DAY = dt.timedelta(days=1)


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    return info.value


@pytest.fixture
def ids(db: Database) -> dict[str, str]:
    """Item code -> id; the village set-up brought the catalogue."""
    return {i.code: i.id for i in sp.items(db, TODAY)}


@pytest.fixture
def people(db: Database, officer: str) -> dict[str, str]:
    """Household 0101: 张三 (head, 1990) and 李梅 (his wife, 1992); household 0102: 王芳 (1995), 赵红 (1998)."""
    h1 = hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 1 号", "13900001111"))
    h2 = hh.create_household(db, officer, hh.HouseholdInput("0102", 1, "红星村一组 2 号"))
    out = {"0101": h1, "0102": h2}
    for household, name, sex, born, relation in (
        (h1, "张三", "M", D(1990, 3, 7), "head"),
        (h1, "李梅", "F", D(1992, 8, 15), "spouse"),
        (h2, "王芳", "F", D(1995, 6, 1), "head"),
        (h2, "赵红", "F", D(1998, 4, 20), "daughter_in_law"),
    ):
        out[name] = hh.add_person(
            db, officer, household, hh.PersonInput(name, sex=sex, birth_date=born, relation=relation), TODAY
        )
    return out


def receive(db, officer, item, lot, expiry, quantity, on, document_no="") -> str:
    return sp.receive(db, officer, sp.ReceiptInput(item, lot, expiry, quantity, on, document_no), TODAY)


def give(db, officer, item, lot, quantity, on, person, **links) -> str:
    return sp.issue_to_person(db, officer, sp.IssueInput(item, lot, quantity, on, person, **links), TODAY)


def self_service(db, officer, item, lot, quantity, on) -> str:
    return sp.issue_self_service(db, officer, sp.IssueInput(item, lot, quantity, on), TODAY)


def report_row(db, year, month, code) -> sp.SupplyMonthRow:
    return next(r for r in sp.monthly_report(db, year, month, TODAY) if r.code == code)


def lines(r: sp.SupplyMonthRow) -> tuple[int, ...]:
    return (
        r.opening,
        r.received,
        r.issued_person,
        r.issued_self_service,
        r.losses,
        r.adjustments,
        r.returned,
        r.closing,
    )


def identity_holds(r: sp.SupplyMonthRow) -> bool:
    return (
        r.opening
        + r.received
        - r.issued_person
        - r.issued_self_service
        - r.losses
        + r.adjustments
        - r.returned
        == r.closing
    )


def movement_count(db: Database) -> int:
    with db.read() as s:
        return s.execute(sa.select(sa.func.count()).select_from(StockMovement)).scalar_one()


# ---------------------------------------------------------------- the catalogue


def test_the_village_set_up_brings_the_catalogue_and_ensuring_it_again_adds_nothing(db, officer):
    rows = sp.items(db, TODAY)
    assert [(r.code, r.name, r.unit, r.on_hand) for r in rows[:3]] == [
        ("C01", "避孕套", "只", 0),
        ("C02", "口服避孕药", "板", 0),
        ("C03", "避孕针", "支", 0),
    ]
    assert len(rows) == 8 and all(r.below_reorder for r in rows)  # nothing in stock yet
    assert sp.ensure_catalogue(db, officer) == 0


def test_a_newer_catalogue_adds_its_new_items_once_as_the_townships_rows(db, officer, monkeypatch):
    assert sp.ensure_catalogue(db, officer) == 0  # set-up brought the whole catalogue
    newer = (*sp.catalogue(), dataclasses.replace(sp.catalogue()[0], code="C99", name="新药具"))
    monkeypatch.setattr(sp, "catalogue", lambda: newer)
    assert sp.ensure_catalogue(db, officer) == 1
    assert sp.ensure_catalogue(db, officer) == 0
    assert len(sp.items(db, TODAY)) == 9
    with db.read() as s:
        added = s.get(SupplyItem, catalogue_item_id("C99"))
    assert (added.owner, added.created_by) == ("620422103000", SYSTEM_USER_ID)


def test_item_names_follow_the_language_and_the_stored_name_stays_chinese(db, ids):
    try:
        i18n.set_language("en")
        row = next(r for r in sp.items(db, TODAY) if r.code == "F01")
        assert (row.name, row.unit) == ("Folic acid 0.4 mg", "bottles")
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    with db.read() as s:
        assert (s.get(SupplyItem, ids["F01"]).name, s.get(SupplyItem, ids["F01"]).unit) == (
            "叶酸片 0.4mg",
            "瓶",
        )


# ---------------------------------------------------------------- a month counted by hand


def test_a_month_with_movements_on_its_first_and_last_day(db, officer, ids, people):
    c01 = ids["C01"]
    a_exp, b_exp = D(2028, 6, 30), D(2027, 1, 15)
    # September: 200 in (lot A), 30 out at the self-service point -> October opens with 170.
    receive(db, officer, c01, "A", a_exp, 200, D(2026, 9, 20), "RK0920")
    self_service(db, officer, c01, "A", 30, D(2026, 9, 25))
    # October
    receive(db, officer, c01, "B", b_exp, 100, D(2026, 10, 1), "RK1001")  # first day
    give(db, officer, c01, "A", 20, D(2026, 10, 1), people["张三"])  # first day
    self_service(db, officer, c01, "A", 50, D(2026, 10, 5))
    sp.record_loss(db, officer, c01, "A", 5, "damaged", "受潮", D(2026, 10, 12), TODAY)
    # lot A on the book: 170 − 20 − 50 − 5 = 95; counted 93 -> −2
    assert sp.count_stock(db, officer, c01, "A", 93, D(2026, 10, 20), TODAY) is not None
    # lot B on the book: 100; counted 101 -> +1
    assert sp.count_stock(db, officer, c01, "B", "101", D(2026, 10, 22), TODAY) is not None
    sp.return_to_township(db, officer, c01, "B", 10, D(2026, 10, 25), "TH1025", TODAY)
    give(db, officer, c01, "B", 15, D(2026, 10, 31), people["张三"])  # last day
    self_service(db, officer, c01, "A", 30, D(2026, 10, 31))  # last day

    october = report_row(db, 2026, 10, "C01")
    # opening 170 + received 100 − to persons (20 + 15) − self-service (50 + 30) − losses 5 + adjustments
    # (−2 + 1) − returned 10 = 139; lot A 170 − 20 − 50 − 5 − 2 − 30 = 63, lot B 100 + 1 − 10 − 15 = 76.
    assert lines(october) == (170, 100, 35, 80, 5, -1, 10, 139)
    assert identity_holds(october)
    assert october.days_out_of_stock == 0
    # 31 Oct + 90 days = 29 Jan 2027: lot B (15 Jan 2027) is listed with what it has at the month's end
    assert october.lots_expiring_90 == (("B", b_exp, 76),)

    september = report_row(db, 2026, 9, "C01")
    assert lines(september) == (0, 200, 0, 30, 0, 0, 0, 170)
    assert september.days_out_of_stock == 19  # 1–19 September, before the first receipt

    november = report_row(db, 2026, 11, "C01")
    assert lines(november) == (139, 0, 0, 0, 0, 0, 0, 139)
    assert november.lots_expiring_90 == (("B", b_exp, 76),)  # 30 Nov + 90 days = 28 Feb 2027

    assert next(r for r in sp.items(db, TODAY) if r.code == "C01").on_hand == 139
    assert [(x.lot, x.on_hand, x.expires_within_90, x.expired) for x in sp.lots(db, TODAY, c01)] == [
        ("B", 76, True, False),  # 15 Jan 2027 is 52 days away
        ("A", 63, False, False),
    ]

    ledger = sp.ledger(db, 2026, 10, item_id=c01)
    assert [(m.movement_date.day, m.movement_type, m.direction * m.quantity) for m in ledger] == [
        (1, "receipt", 100),
        (1, "issue_person", -20),
        (5, "issue_self_service", -50),
        (12, "loss", -5),
        (20, "adjustment", -2),
        (22, "adjustment", 1),
        (25, "return", -10),
        (31, "issue_person", -15),
        (31, "issue_self_service", -30),
    ]
    assert ledger[1].person_name == "张三" and ledger[1].household_no == "0101"
    assert ledger[1].created_by == officer.user_id
    assert ledger[3].reason == "破损报损：受潮"
    assert ledger[4].reason == "盘点：账面 95，实点 93"
    assert ledger[6].document_no == "TH1025"
    assert all(identity_holds(r) for r in sp.monthly_report(db, 2026, 10, TODAY))


def test_days_out_of_stock(db, officer, ids):
    c02, c03, c05 = ids["C02"], ids["C03"], ids["C05"]
    # Pills: the 10 of lot P1 go on 10 October; lot P2 comes on the 17th -> out on the 10th to the 16th.
    receive(db, officer, c02, "P1", D(2027, 12, 31), 10, D(2026, 9, 28))
    self_service(db, officer, c02, "P1", 10, D(2026, 10, 10))
    receive(db, officer, c02, "P2", D(2028, 3, 31), 20, D(2026, 10, 17))
    # Emergency pills: the last 5 go on 12 October and 5 more of the same lot come that day.
    receive(db, officer, c05, "E1", D(2027, 6, 30), 5, D(2026, 9, 28))
    self_service(db, officer, c05, "E1", 5, D(2026, 10, 12))
    receive(db, officer, c05, "E1", D(2027, 6, 30), 5, D(2026, 10, 12))

    october = {r.code: r for r in sp.monthly_report(db, 2026, 10, TODAY)}
    assert october["C02"].days_out_of_stock == 7
    assert lines(october["C02"]) == (10, 20, 0, 10, 0, 0, 0, 20)
    assert october["C03"].days_out_of_stock == 31  # never had any
    assert october["C05"].days_out_of_stock == 0  # restocked the day it ran out
    november = {r.code: r for r in sp.monthly_report(db, 2026, 11, TODAY)}
    assert (november["C02"].days_out_of_stock, november["C03"].days_out_of_stock) == (0, 24)  # up to today
    assert all(r.days_out_of_stock == 0 for r in sp.monthly_report(db, 2026, 12, TODAY))  # still ahead
    assert c03 not in {x.item_id for x in sp.lots(db, TODAY)}


# ---------------------------------------------------------------- refusals


def test_an_issue_exceeding_the_lot_is_refused_naming_item_lot_and_what_is_left(db, officer, ids, people):
    c01 = ids["C01"]
    receive(db, officer, c01, "A123", D(2028, 1, 31), 40, D(2026, 11, 1))
    before = movement_count(db)
    err = refused(give, db, officer, c01, "A123", 50, TODAY, people["张三"])
    assert (err.field, err.message("zh_CN")) == ("quantity", "批号 A123 的避孕套只剩 40 只，不能发放 50 只。")
    assert "Lot A123 of Male condom has only 40 pcs left" in err.message("en")
    err = refused(sp.record_loss, db, officer, c01, "a123", 41, "damaged", "", TODAY, TODAY)
    assert err.message("zh_CN") == "批号 A123 的避孕套只剩 40 只，不能报损 41 只。"
    err = refused(sp.return_to_township, db, officer, c01, "A123", 41, TODAY, "", TODAY)
    assert err.message("zh_CN") == "批号 A123 的避孕套只剩 40 只，不能退回 41 只。"
    # a backdated issue cannot draw on stock that came in later
    err = refused(self_service, db, officer, c01, "A123", 1, D(2026, 10, 31))
    assert (
        err.msg_id == "supply.lot_short_on"
        and "在 2026-10-31 的结存只够发放 0 只，不能发放 1 只" in err.message("zh_CN")
    )
    err = refused(self_service, db, officer, c01, "NOPE", 1, TODAY)
    assert (err.field, err.msg_id) == ("lot", "supply.lot_not_found")
    assert movement_count(db) == before
    give(db, officer, c01, "A123", 40, TODAY, people["张三"])  # all of it is fine
    assert sp.lots(db, TODAY, c01) == []
    assert [x.on_hand for x in sp.lots(db, TODAY, c01, include_empty=True)] == [0]


def test_an_expired_lot_cannot_be_issued_but_can_be_written_off(db, officer, ids, people):
    c02 = ids["C02"]
    receive(db, officer, c02, "OLD", D(2026, 11, 20), 10, D(2026, 10, 1))
    assert [(x.lot, x.expired) for x in sp.lots(db, TODAY, c02)] == [("OLD", True)]
    err = refused(give, db, officer, c02, "OLD", 1, D(2026, 11, 21), people["李梅"])
    assert (err.field, err.msg_id) == ("lot", "supply.lot_expired")
    assert err.message("zh_CN").startswith("批号 OLD 的口服避孕药已于 2026-11-20 过期，不能发放")
    assert sp.fefo_lot(db, c02, 1, TODAY) is None
    assert refused(self_service, db, officer, c02, None, 1, TODAY).msg_id == "supply.out_of_stock"
    give(db, officer, c02, "OLD", 1, D(2026, 11, 20), people["李梅"])  # usable through its expiry date
    err = refused(sp.record_loss, db, officer, c02, "OLD", 9, "expired", "", D(2026, 11, 19), TODAY)
    assert (err.field, err.msg_id) == ("kind", "supply.not_expired_yet")
    sp.record_loss(db, officer, c02, "OLD", 9, "expired", "", D(2026, 11, 21), TODAY)
    november = report_row(db, 2026, 11, "C02")
    assert lines(november) == (10, 0, 1, 0, 9, 0, 0, 0)
    assert november.days_out_of_stock == 4  # 21–24 November


def test_receipt_rules(db, officer, ids):
    c01 = ids["C01"]
    receive(db, officer, c01, "L1", D(2028, 1, 31), 100, D(2026, 11, 1))
    err = refused(receive, db, officer, c01, "L1", D(2028, 2, 29), 100, TODAY)
    assert (err.field, err.msg_id) == ("expiry_date", "supply.lot_expiry_differs")
    assert "2028-01-31" in err.message("zh_CN")
    err = refused(receive, db, officer, c01, "L2", TODAY, 100, TODAY)
    assert (err.field, err.msg_id) == ("expiry_date", "supply.expiry_not_after_receipt")
    err = refused(receive, db, officer, "no-such-item", "L2", D(2028, 1, 1), 1, TODAY)
    assert (err.field, err.msg_id) == ("item_id", "supply.item_not_found")
    receive(db, officer, c01, "l1", D(2028, 1, 31), 50, TODAY)  # more of the same lot, typed in lower case
    assert [(x.lot, x.on_hand) for x in sp.lots(db, TODAY, c01)] == [("L1", 150)]


def test_links_and_people(db, officer, ids, people):
    c01, c02, f01 = ids["C01"], ids["C02"], ids["F01"]
    receive(db, officer, c02, "P", D(2028, 1, 31), 50, D(2026, 11, 1))
    receive(db, officer, f01, "F", D(2028, 1, 31), 50, D(2026, 11, 1))
    receive(db, officer, c01, "C", D(2028, 1, 31), 50, D(2026, 11, 1))
    method = care.choose_method(
        db, officer, people["李梅"], care.MethodInput("pill", D(2026, 9, 1), D(2026, 9, 1)), TODAY
    )
    course = care.start_folic_course(
        db, officer, people["王芳"], care.FolicCourseInput(D(2026, 11, 1)), TODAY
    )
    give(db, officer, c02, None, 1, TODAY, people["李梅"], contraceptive_episode_id=method)
    give(db, officer, f01, None, 1, TODAY, people["王芳"], folic_acid_course_id=course)
    err = refused(give, db, officer, c02, None, 1, TODAY, people["王芳"], contraceptive_episode_id=method)
    assert (err.field, err.message("zh_CN")) == (
        "contraceptive_episode_id",
        "所选的避孕方法记录不是王芳的，请重新选择。",
    )
    err = refused(give, db, officer, c01, None, 1, TODAY, people["王芳"], folic_acid_course_id=course)
    assert (err.field, err.msg_id) == ("folic_acid_course_id", "supply.link_wrong_category")
    assert refused(give, db, officer, c01, None, 1, TODAY, None).field == "person_id"
    err = refused(
        sp.issue_self_service,
        db,
        officer,
        sp.IssueInput(c01, None, 1, TODAY, person_id=people["张三"]),
        TODAY,
    )
    assert (err.field, err.msg_id) == ("person_id", "supply.self_service_anonymous")
    hh.record_move_away(db, officer, people["赵红"], D(2026, 11, 2), "兰州市", TODAY, permanent=True)
    assert refused(give, db, officer, c01, None, 1, TODAY, people["赵红"]).msg_id == "care.person_not_present"
    [row] = sp.person_supplies(db, people["李梅"])
    assert (row.code, row.quantity, row.lot, row.person_name, row.movement_type) == (
        "C02",
        1,
        "P",
        "李梅",
        "issue_person",
    )
    with db.read() as s:
        assert s.get(StockMovement, row.id).contraceptive_episode_id == method


# ---------------------------------------------------------------- first expiry first out


def test_first_expiry_first_out(db, officer, ids, people):
    c01 = ids["C01"]
    receive(db, officer, c01, "X", D(2027, 3, 1), 10, D(2026, 10, 1))
    receive(db, officer, c01, "Y", D(2026, 12, 31), 5, D(2026, 10, 1))
    receive(db, officer, c01, "Z", D(2026, 11, 1), 50, D(2026, 10, 1))  # expired by today
    assert sp.fefo_lot(db, c01, 3, TODAY).lot == "Y"  # expires first and has 3
    assert sp.fefo_lot(db, c01, 8, TODAY).lot == "X"  # Y has only 5
    assert sp.fefo_lot(db, c01, 20, TODAY) is None
    assert sp.fefo_lot(db, c01, 20, D(2026, 10, 20)).lot == "Z"  # on 20 October Z was still good
    assert [x.lot for x in sp.lots(db, TODAY, c01)] == ["Z", "Y", "X"]  # first expiry first
    moved = give(db, officer, c01, None, 3, TODAY, people["张三"])
    assert sp.person_supplies(db, people["张三"])[0].id == moved
    assert sp.person_supplies(db, people["张三"])[0].lot == "Y"
    err = refused(self_service, db, officer, c01, None, 20, TODAY)
    assert (err.field, err.msg_id) == ("quantity", "supply.no_lot_covers")
    assert err.message("zh_CN") == (
        "避孕套没有哪一个未过期的批号够发放 20 只：最多的批号 X 只剩 10 只。请少发一些，或分批号发放。"
    )


# ---------------------------------------------------------------- corrections and counts


def test_a_correction_is_a_reversing_movement(db, officer, ids, people):
    c01 = ids["C01"]
    received = receive(db, officer, c01, "R", D(2028, 1, 31), 50, D(2026, 11, 1))
    issued = give(db, officer, c01, "R", 20, D(2026, 11, 2), people["李梅"])
    assert refused(sp.reverse, db, officer, issued, " ", TODAY).field == "reason"
    reversal = sp.reverse(db, officer, issued, "发错了人", TODAY)
    rows = {m.id: m for m in sp.ledger(db, 2026, 11, c01)}
    assert rows[issued].reversed and not rows[reversal].reversed
    r = rows[reversal]
    assert (r.movement_type, r.direction, r.quantity, r.lot, r.reverses_id, r.movement_date, r.reason) == (
        "issue_person",
        1,
        20,
        "R",
        issued,
        TODAY,
        "发错了人",
    )
    assert [m.id for m in sp.person_supplies(db, people["李梅"])] == [reversal, issued]
    assert refused(sp.reverse, db, officer, issued, "再冲一次", TODAY).msg_id == "supply.already_reversed"
    assert (
        refused(sp.reverse, db, officer, reversal, "冲正冲正", TODAY).msg_id
        == "supply.reversal_not_reversible"
    )
    assert refused(sp.reverse, db, officer, "no-such-id", "x", TODAY).msg_id == "supply.movement_not_found"
    # the reversal is dated today: on 3 November the lot still had only 30
    err = refused(give, db, officer, c01, "R", 45, D(2026, 11, 3), people["张三"])
    assert "在 2026-11-03 的结存只够发放 30 只，不能发放 45 只" in err.message("zh_CN")
    give(db, officer, c01, "R", 45, TODAY, people["张三"])
    err = refused(sp.reverse, db, officer, received, "数量录错", TODAY)
    assert err.message("zh_CN") == "批号 R 的避孕套只剩 5 只，不能冲正 50 只。"
    november = report_row(db, 2026, 11, "C01")
    # received 50; to persons 20 − 20 (reversed) + 45 = 45; closing 5
    assert lines(november) == (0, 50, 45, 0, 0, 0, 0, 5)


def test_a_reversed_receipt_counts_against_received(db, officer, ids):
    c03 = ids["C03"]
    wrong = receive(db, officer, c03, "J", D(2028, 1, 31), 100, D(2026, 10, 30))
    sp.reverse(db, officer, wrong, "应为 10 支", TODAY)
    receive(db, officer, c03, "J", D(2028, 1, 31), 10, TODAY)
    assert lines(report_row(db, 2026, 10, "C03")) == (0, 100, 0, 0, 0, 0, 0, 100)
    assert lines(report_row(db, 2026, 11, "C03")) == (100, -90, 0, 0, 0, 0, 0, 10)  # −100 + 10


def test_a_count_records_the_difference_both_ways(db, officer, ids):
    c01 = ids["C01"]
    receive(db, officer, c01, "K", D(2028, 1, 31), 10, D(2026, 11, 1))
    before = movement_count(db)
    assert sp.count_stock(db, officer, c01, "K", 10, D(2026, 11, 5), TODAY) is None  # it matches
    assert movement_count(db) == before
    up = sp.count_stock(db, officer, c01, "K", 12, D(2026, 11, 5), TODAY)
    down = sp.count_stock(db, officer, c01, "K", "9", D(2026, 11, 10), TODAY)
    rows = {m.id: m for m in sp.ledger(db, 2026, 11, c01)}
    assert (rows[up].direction, rows[up].quantity, rows[up].reason) == (1, 2, "盘点：账面 10，实点 12")
    assert (rows[down].direction, rows[down].quantity, rows[down].reason) == (-1, 3, "盘点：账面 12，实点 9")
    self_service(db, officer, c01, "K", 8, D(2026, 11, 20))
    # a count of 0 on the 10th (book 9) would take 9 off, and leave the 20th at 9 − 9 − 8 = −8: refused
    err = refused(sp.count_stock, db, officer, c01, "K", 0, D(2026, 11, 10), TODAY)
    assert err.message("zh_CN") == "批号 K 的避孕套只剩 1 只，不能盘减 9 只。"
    # counted 4 on the 5th (book 12 -> −8) would leave the 20th at 12 − 8 − 3 − 8 = −7: only 1 can come off
    err = refused(sp.count_stock, db, officer, c01, "K", 4, D(2026, 11, 5), TODAY)
    assert err.message("zh_CN") == "批号 K 的避孕套只剩 1 只，不能盘减 8 只。"
    assert sp.count_stock(db, officer, c01, "K", 0, TODAY, TODAY) is not None
    assert lines(report_row(db, 2026, 11, "C01")) == (0, 10, 0, 8, 0, -2, 0, 0)
    assert refused(sp.count_stock, db, officer, c01, "K", -1, TODAY, TODAY).field == "counted"


def test_stock_highlights(db, officer, ids):
    c02 = ids["C02"]  # reorder level 30
    receive(db, officer, c02, "OLD", D(2026, 11, 20), 40, D(2026, 10, 1))  # expired: not usable
    receive(db, officer, c02, "SOON", D(2027, 1, 31), 20, D(2026, 11, 1))
    row = next(r for r in sp.items(db, TODAY) if r.code == "C02")
    assert (row.on_hand, row.below_reorder) == (60, True)  # only 20 usable
    receive(db, officer, c02, "NEW", D(2028, 1, 31), 10, TODAY)
    row = next(r for r in sp.items(db, TODAY) if r.code == "C02")
    assert (row.on_hand, row.below_reorder) == (70, False)
    assert [(x.lot, x.expired, x.expires_within_90) for x in sp.lots(db, TODAY, c02)] == [
        ("OLD", True, False),
        ("SOON", False, True),
        ("NEW", False, False),
    ]


# ---------------------------------------------------------------- two windows at once


@pytest.mark.parametrize("bypass_service_check", [False, True])
def test_two_windows_issuing_the_last_units_exactly_one_succeeds(
    db, officer, ids, monkeypatch, bypass_service_check
):
    """Two Database objects on one file, two threads. With the service's check the second window waits for
    the first (BEGIN IMMEDIATE) and then sees the stock gone; without it, the database's trigger refuses."""
    c01 = ids["C01"]
    receive(db, officer, c01, "LAST", D(2028, 1, 31), 10, D(2026, 11, 1))
    if bypass_service_check:
        monkeypatch.setattr(sp, "_require_available", lambda *args: None)
    second = open_database(db.path)
    barrier = threading.Barrier(2)
    results: list[object] = []

    def window(database: Database) -> None:
        barrier.wait()
        try:
            results.append(self_service(database, officer, c01, "LAST", 10, TODAY))
        except DomainError as e:
            results.append(e)

    try:
        threads = [threading.Thread(target=window, args=(d,)) for d in (db, second)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
    finally:
        second.dispose()
    done = [r for r in results if isinstance(r, str)]
    errors = [r for r in results if isinstance(r, DomainError)]
    assert (len(done), len(errors)) == (1, 1), results
    assert errors[0].message("zh_CN") == "批号 LAST 的避孕套只剩 0 只，不能发放 10 只。"
    assert [x.on_hand for x in sp.lots(db, TODAY, c01, include_empty=True)] == [0]


def test_the_database_refusal_is_the_same_sentence_when_the_service_check_is_skipped(
    db, officer, ids, people, monkeypatch
):
    c01 = ids["C01"]
    receive(db, officer, c01, "OLD", D(2026, 11, 20), 10, D(2026, 10, 1))
    receive(db, officer, c01, "NEW", D(2028, 1, 31), 5, D(2026, 10, 1))
    monkeypatch.setattr(
        sp, "_issue_lot", lambda s, item, lot, quantity, on: (lot, sp._lot_expiry(s, item.id, lot))
    )
    err = refused(give, db, officer, c01, "OLD", 1, TODAY, people["张三"])
    assert (err.msg_id, err.field) == ("supply.lot_expired", "lot")
    err = refused(give, db, officer, c01, "NEW", 6, TODAY, people["张三"])
    assert err.message("zh_CN") == "批号 NEW 的避孕套只剩 5 只，不能发放 6 只。"
    monkeypatch.setattr(sp, "_lot_expiry", lambda *args: None)  # the receipt's own check is skipped too
    err = refused(receive, db, officer, c01, "NEW", D(2029, 1, 31), 5, TODAY)
    assert (err.msg_id, err.field) == ("supply.lot_expiry_differs", "expiry_date")


# ---------------------------------------------------------------- the database's own rules, raw SQL


def raw_movement(conn: sa.Connection, item_id: str, **values: object) -> str:
    row: dict[str, object] = {
        "id": new_id(),
        "rev": 1,
        "owner": SETUP.village_code,
        "created_at": "2026-11-24 08:00:00.000000",
        "created_by": SYSTEM_USER_ID,
        "updated_at": "2026-11-24 08:00:00.000000",
        "updated_by": SYSTEM_USER_ID,
        "item_id": item_id,
        "lot": "RAW",
        "expiry_date": "2028-01-01",
        "movement_type": "receipt",
        "direction": 1,
        "quantity": 10,
        "movement_date": "2026-11-01",
        "document_no": "",
        "reason": "",
        **values,
    }
    conn.exec_driver_sql(
        f"INSERT INTO stock_movement ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
        tuple(row.values()),
    )
    return str(row["id"])


def test_the_database_refuses_what_the_service_would_even_from_raw_sql(db, ids):
    c01 = ids["C01"]
    out = {"movement_type": "issue_self_service", "direction": -1}

    def refused_by_db(marker: str, sql: str | None = None, **values: object) -> None:
        with pytest.raises(sa.exc.IntegrityError, match=marker), db.engine.begin() as conn:
            if sql:
                conn.exec_driver_sql(sql)
            else:
                raw_movement(conn, c01, **values)

    with db.engine.begin() as conn:
        received = raw_movement(conn, c01)  # 10 in on 1 November
    refused_by_db("stock_below_zero", quantity=11, **out)
    refused_by_db("stock_below_zero", movement_date="2026-10-31", **out)  # before the receipt
    refused_by_db("stock_below_zero", movement_type="loss", direction=-1, quantity=11)
    refused_by_db("lot_expiry_mismatch", expiry_date="2029-01-01")
    with db.engine.begin() as conn:
        issued = raw_movement(conn, c01, quantity=10, movement_date="2026-11-02", **out)
    refused_by_db("stock_below_zero", quantity=1, movement_date="2026-11-30", **out)
    refused_by_db("stock_below_zero", movement_type="receipt", direction=-1, quantity=1, reverses_id=received)
    for sql in (
        f"UPDATE stock_movement SET quantity = 1 WHERE id = '{issued}'",
        f"UPDATE stock_movement SET movement_date = '2026-11-03' WHERE id = '{issued}'",
        f"UPDATE stock_movement SET deleted_at = '2026-11-24 09:00:00', deleted_reason = 'x' WHERE id = '{issued}'",
        f"UPDATE stock_movement SET reason = 'edited' WHERE id = '{issued}'",
        f"DELETE FROM stock_movement WHERE id = '{issued}'",
        "DELETE FROM stock_movement",
    ):
        refused_by_db("ledger_immutable", sql)
    with db.engine.begin() as conn:  # sync bookkeeping may still be stamped
        conn.exec_driver_sql(
            f"UPDATE stock_movement SET rev = rev + 1, updated_at = '2026-11-24 10:00:00' WHERE id = '{issued}'"
        )
        raw_movement(
            conn, c01, direction=1, movement_type="issue_self_service", reverses_id=issued, quantity=10
        )
    refused_by_db("reverses_id", direction=1, movement_type="issue_self_service", reverses_id=issued)
    # an expired lot: 10 in on 1 September, good until 1 October
    with db.engine.begin() as conn:
        raw_movement(conn, c01, lot="EXP", expiry_date="2026-10-01", movement_date="2026-09-01")
    refused_by_db("lot_expired", lot="EXP", expiry_date="2026-10-01", movement_date="2026-10-02", **out)
    with db.engine.begin() as conn:  # written off as a loss: allowed
        raw_movement(
            conn,
            c01,
            lot="EXP",
            expiry_date="2026-10-01",
            movement_date="2026-10-02",
            movement_type="loss",
            direction=-1,
        )
    with db.engine.connect() as conn:
        total = conn.exec_driver_sql(
            "SELECT sum(direction * quantity) FROM stock_movement WHERE item_id = ?", (c01,)
        ).scalar()
    assert total == 10  # RAW: 10 − 10 + 10; EXP: 10 − 10


# ---------------------------------------------------------------- resupply reminders


def test_resupply_reminders(db, officer, ids, people):
    c01, c02 = ids["C01"], ids["C02"]
    receive(db, officer, c01, "C", D(2028, 1, 31), 500, D(2026, 6, 1))
    receive(db, officer, c02, "P", D(2028, 1, 31), 50, D(2026, 6, 1))

    def method(name: str, kind: str) -> str:
        return care.choose_method(
            db, officer, people[name], care.MethodInput(kind, D(2026, 6, 1), D(2026, 6, 1)), TODAY
        )

    pill = method("李梅", "pill")
    method("张三", "condom")
    method("王芳", "iud")
    method("赵红", "pill")
    # 李梅: 3 packs in August (not the last), then 1 pack 25 days ago -> runs out 30 Oct + 28 = 27 Nov, in 3 days
    give(db, officer, c02, "P", 3, D(2026, 8, 1), people["李梅"], contraceptive_episode_id=pill)
    give(db, officer, c02, "P", 1, TODAY - 25 * DAY, people["李梅"], contraceptive_episode_id=pill)
    # 张三: 10 condoms on 20 Oct -> 10 × 3 days -> ran out on 19 Nov, 5 days ago (still a reminder)
    give(db, officer, c01, "C", 10, D(2026, 10, 20), people["张三"])
    # 王芳 uses an IUD: condoms given to her are no reminder
    give(db, officer, c01, "C", 10, D(2026, 10, 20), people["王芳"])
    # 赵红: 3 packs on 1 Aug -> ran out on 24 Oct, 31 days ago: too long ago. A later issue was reversed.
    give(db, officer, c02, "P", 3, D(2026, 8, 1), people["赵红"])
    wrong = give(db, officer, c02, "P", 1, D(2026, 11, 20), people["赵红"])
    sp.reverse(db, officer, wrong, "录错", TODAY)

    rows = sp.resupply_reminders(db, TODAY)
    assert [
        (r.name, r.item_name, r.last_issue, r.quantity, r.runs_out_on, r.household_no, r.phone) for r in rows
    ] == [
        ("张三", "避孕套", D(2026, 10, 20), 10, D(2026, 11, 19), "0101", "13900001111"),
        ("李梅", "口服避孕药", D(2026, 10, 30), 1, D(2026, 11, 27), "0101", "13900001111"),
    ]
    assert rows[1].person_id == people["李梅"] and rows[1].household_id == people["0101"]
    assert [r.name for r in sp.resupply_reminders(db, TODAY, within_days=2)] == ["张三"]
    # she came back today for 2 packs: no reminder until 56 days from now
    give(db, officer, c02, "P", 2, TODAY, people["李梅"])
    assert [r.name for r in sp.resupply_reminders(db, TODAY)] == ["张三"]
    # he stops using condoms: no reminder
    care.stop_method(db, officer, care.current_method(db, people["张三"]).id, TODAY, "计划怀孕", TODAY)
    assert sp.resupply_reminders(db, TODAY) == []


# ---------------------------------------------------------------- property: any accepted sequence


LOTS = {"E": D(2026, 10, 15), "M": D(2026, 11, 30), "L": D(2027, 6, 30)}
DAYS = [D(2026, 9, 25) + k * DAY for k in range(61)]  # 25 Sep – 24 Nov
MONTHS = ((2026, 9), (2026, 10), (2026, 11))
lot_names = st.sampled_from(sorted(LOTS))
days = st.sampled_from(DAYS)
OPERATIONS = st.lists(
    st.one_of(
        st.tuples(st.just("receive"), lot_names, st.integers(1, 60), days),
        st.tuples(st.just("issue"), st.one_of(lot_names, st.none()), st.integers(1, 40), days, st.booleans()),
        st.tuples(st.just("loss"), lot_names, st.integers(1, 40), days, st.sampled_from(sp.LOSS_KINDS)),
        st.tuples(st.just("count"), lot_names, st.integers(0, 80), days),
        st.tuples(st.just("return"), lot_names, st.integers(1, 40), days),
        st.tuples(st.just("reverse"), st.integers(0, 10_000)),
    ),
    max_size=30,
)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory):
    """One village for every example; each example works on an item of its own."""
    db = open_database(Path(tmp_path_factory.mktemp("supplies")) / "fhdesk.sqlite")
    officer = Actor(set_up_village(db, SETUP), "admin", SETUP.village_code)
    household = hh.create_household(db, officer, hh.HouseholdInput("0101", 1))
    person = hh.add_person(
        db, officer, household, hh.PersonInput("李梅", sex="F", birth_date=D(1992, 8, 15)), TODAY
    )
    yield db, officer, person, iter(range(1, 100_000))
    db.dispose()


def apply(db: Database, officer: str, person: str, item: str, op: tuple, done: list[str]) -> None:
    kind = op[0]
    if kind == "receive":
        _, lot, quantity, on = op
        done.append(receive(db, officer, item, lot, LOTS[lot], quantity, on))
    elif kind == "issue":
        _, lot, quantity, on, to_person = op
        if to_person:
            done.append(give(db, officer, item, lot, quantity, on, person))
        else:
            done.append(self_service(db, officer, item, lot, quantity, on))
    elif kind == "loss":
        _, lot, quantity, on, loss = op
        done.append(sp.record_loss(db, officer, item, lot, quantity, loss, "其他", on, TODAY))
    elif kind == "count":
        _, lot, counted, on = op
        moved = sp.count_stock(db, officer, item, lot, counted, on, TODAY)
        done.extend([moved] if moved else [])
    elif kind == "return":
        _, lot, quantity, on = op
        done.append(sp.return_to_township(db, officer, item, lot, quantity, on, "", TODAY))
    elif done:
        done.append(sp.reverse(db, officer, done[op[1] % len(done)], "更正", TODAY))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations=OPERATIONS)
def test_any_accepted_sequence_keeps_every_balance_and_every_month_right(shared, operations):
    db, officer, person, serial = shared
    with db.write(officer) as s:
        item = SupplyItem(code=f"P{next(serial)}", name="测试药具", unit="只", category="contraceptive")
        s.add(item)
        s.flush()
        item_id = item.id
    done: list[str] = []
    opening_stock = [("receive", lot, 40, DAYS[0]) for lot in sorted(LOTS)]  # so most operations have a lot
    for op in [*opening_stock, *operations]:
        with contextlib.suppress(DomainError):  # refused: nothing was written
            apply(db, officer, person, item_id, op, done)

    with db.read() as s:
        moves = s.execute(
            sa.select(
                StockMovement.lot,
                StockMovement.movement_date,
                StockMovement.direction * StockMovement.quantity,
            ).where(StockMovement.item_id == item_id)
        ).all()
    per_lot: dict[str, dict[dt.date, int]] = defaultdict(lambda: defaultdict(int))
    for lot, on, delta in moves:
        per_lot[lot][on] += delta
    for lot, deltas in per_lot.items():  # every lot ends every day at zero or more
        balance = 0
        for on in sorted(deltas):
            balance += deltas[on]
            assert balance >= 0, (lot, on, balance)
    for year, month in MONTHS:
        first, last = sp.month_bounds(year, month)
        r = next(x for x in sp.monthly_report(db, year, month, TODAY) if x.item_id == item_id)
        assert identity_holds(r)
        assert r.opening == sum(d for _, on, d in moves if on < first)
        assert r.closing == sum(d for _, on, d in moves if on <= last)
        out, balance, day = 0, r.opening, first
        while day <= min(last, TODAY):
            balance += sum(d for _, on, d in moves if on == day)
            out += balance == 0
            day += DAY
        assert r.days_out_of_stock == out
    on_hand = next(x for x in sp.items(db, TODAY) if x.id == item_id).on_hand
    assert on_hand == sum(d for _, _, d in moves) >= 0
