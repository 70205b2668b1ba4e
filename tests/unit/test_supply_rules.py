"""The supply rules that need no database: quantities, dates, lots, loss kinds, the ledger arithmetic (what a
lot can still give on a day, days out of stock) with hand-counted numbers, and the catalogue file."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from app import i18n
from app.errors import DomainError
from app.models import StockMovement
from app.models.supply import LEDGER_BOOKKEEPING, LEDGER_FIXED, LEDGER_MERGE_COLUMN
from app.services import supplies as sp

D = dt.date
TODAY = D(2026, 11, 24)


def refused(call, *args, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as info:
        call(*args, **kwargs)
    return info.value


# ---------------------------------------------------------------- quantities, dates, lots


@pytest.mark.parametrize(
    ("typed", "number"), [(50, 50), ("50", 50), (" 7 ", 7), ("５０", 50), (100_000, 100_000), ("1", 1)]
)
def test_a_quantity_is_a_positive_whole_number(typed, number):
    assert sp.check_quantity(typed) == number


@pytest.mark.parametrize("typed", [0, -1, "0", "-3", "1.5", 2.0, "abc", "1e3", True, 100_001, "100001"])
def test_a_quantity_that_is_not_a_positive_whole_number_is_refused(typed):
    err = refused(sp.check_quantity, typed)
    assert (err.msg_id, err.field) == ("supply.quantity_invalid", "quantity")
    assert "1" in err.message("zh_CN") and "100000" in err.message("zh_CN")


@pytest.mark.parametrize("typed", [None, "", "  "])
def test_a_missing_quantity_is_required(typed):
    assert refused(sp.check_quantity, typed).msg_id == "field.required"


def test_a_count_may_be_zero():
    assert sp.check_quantity("0", "counted", minimum=0) == 0
    assert refused(sp.check_quantity, -1, "counted", minimum=0).field == "counted"


def test_lot_numbers_are_folded_to_one_spelling():
    assert sp.check_lot("  a 123 ") == "A123"
    assert sp.check_lot("Ａ１２３") == "A123"  # full-width, as an input method may type it
    assert refused(sp.check_lot, " ").msg_id == "field.required"
    assert refused(sp.check_lot, "X" * 41).msg_id == "field.too_long"


def receipt(**changes) -> sp.ReceiptInput:
    data = sp.ReceiptInput("item", "l1", D(2028, 6, 30), "100", TODAY, " RK-1 ")
    return sp.ReceiptInput(**{**data.__dict__, **changes})


def test_a_receipt_is_checked_and_cleaned():
    assert sp.check_receipt(receipt(), TODAY) == sp.ReceiptInput(
        "item", "L1", D(2028, 6, 30), 100, TODAY, "RK-1"
    )


@pytest.mark.parametrize(
    ("changes", "field", "msg_id"),
    [
        ({"item_id": ""}, "item_id", "field.required"),
        ({"lot": ""}, "lot", "field.required"),
        ({"expiry_date": None}, "expiry_date", "field.required"),
        ({"quantity": None}, "quantity", "field.required"),
        ({"quantity": "0"}, "quantity", "supply.quantity_invalid"),
        ({"movement_date": None}, "movement_date", "field.required"),
        ({"movement_date": TODAY + dt.timedelta(days=1)}, "movement_date", "date.in_future"),
        ({"expiry_date": TODAY}, "expiry_date", "supply.expiry_not_after_receipt"),  # expiring the same day
        ({"document_no": "X" * 41}, "document_no", "field.too_long"),
    ],
)
def test_a_receipt_needs_lot_expiry_after_the_date_and_a_quantity(changes, field, msg_id):
    err = refused(sp.check_receipt, receipt(**changes), TODAY)
    assert (err.field, err.msg_id) == (field, msg_id)


def test_an_issue_without_a_lot_asks_for_first_expiry_first_out():
    checked = sp.check_issue(
        sp.IssueInput("item", " ", "3", TODAY, person_id="", folic_acid_course_id=""), TODAY
    )
    assert (checked.lot, checked.quantity, checked.person_id, checked.folic_acid_course_id) == (
        None,
        3,
        None,
        None,
    )
    err = refused(sp.check_issue, sp.IssueInput("item", None, 3, D(2026, 11, 25)), TODAY)
    assert (err.field, err.msg_id) == ("movement_date", "date.in_future")


def test_loss_kinds_and_their_reasons():
    assert sp.check_loss("expired", "") == "过期报损"
    assert sp.check_loss("damaged", " 受潮 ") == "破损报损：受潮"
    assert sp.check_loss("other", "老鼠咬坏") == "老鼠咬坏"
    err = refused(sp.check_loss, "other", "  ")
    assert (err.field, err.msg_id) == ("reason", "supply.loss_reason_required")
    assert refused(sp.check_loss, "stolen", "x").field == "kind"


def test_a_stored_loss_reason_reads_in_the_chosen_language():
    try:
        i18n.set_language("en")
        assert sp.shown_reason("过期报损") == "Expired"
        assert sp.shown_reason("破损报损：受潮") == "Damaged: 受潮"
        assert sp.shown_reason("老鼠咬坏") == "老鼠咬坏"
    finally:
        i18n.set_language(i18n.DEFAULT_LANGUAGE)
    assert sp.shown_reason("破损报损：受潮") == "破损报损：受潮"


def test_the_refusal_names_the_item_the_lot_and_what_is_left():
    err = DomainError(
        "supply.lot_short",
        "quantity",
        lot="A123",
        item="避孕套",
        available=40,
        unit="只",
        action="发放",
        quantity=50,
    )
    assert err.message("zh_CN") == "批号 A123 的避孕套只剩 40 只，不能发放 50 只。"


# ---------------------------------------------------------------- ledger arithmetic, counted by hand


def test_what_a_lot_can_give_on_a_day():
    # +100 on 1 Nov, −30 on 5 Nov, −60 on 10 Nov, +50 on 20 Nov: end-of-day balances 100, 70, 10, 60.
    deltas = [(D(2026, 11, 1), 100), (D(2026, 11, 5), -30), (D(2026, 11, 10), -60), (D(2026, 11, 20), 50)]
    assert sp.available_from(deltas, D(2026, 11, 24)) == (60, D(2026, 11, 24))  # today: all of it
    assert sp.available_from(deltas, D(2026, 11, 12)) == (
        10,
        D(2026, 11, 12),
    )  # before the receipt on the 20th
    assert sp.available_from(deltas, D(2026, 11, 3)) == (10, D(2026, 11, 10))  # the 10th would go below zero
    assert sp.available_from(deltas, D(2026, 10, 31)) == (0, D(2026, 10, 31))  # before anything came in
    assert sp.available_from([], TODAY) == (0, TODAY)


def test_days_out_of_stock_counted_by_hand():
    first, last = D(2026, 10, 1), D(2026, 10, 31)
    # 10 left at the start; the last 10 go on the 10th; 20 come in on the 17th: out on the 10th to the 16th.
    hits_zero = [(D(2026, 10, 10), -10), (D(2026, 10, 17), 20)]
    assert sp.days_out_of_stock(10, hits_zero, first, last) == 7
    assert sp.days_out_of_stock(0, [], first, last) == 31  # never had any
    # the last 5 go on the 12th and 5 more come in that same day: the day ends with 5
    assert sp.days_out_of_stock(5, [(D(2026, 10, 12), -5), (D(2026, 10, 12), 5)], first, last) == 0
    # the current month counts up to today only (1–24 November)
    assert sp.days_out_of_stock(0, [], D(2026, 11, 1), TODAY) == 24
    assert sp.days_out_of_stock(0, [], D(2026, 12, 1), TODAY) == 0  # a month still ahead


# ---------------------------------------------------------------- the catalogue file


def test_the_catalogue_file_is_valid_and_every_item_has_its_names():
    items = sp.catalogue()
    assert [i.code for i in items] == ["C01", "C02", "C03", "C04", "C05", "C06", "C07", "F01"]
    by_code = {i.code: i for i in items}
    assert (by_code["C02"].unit, by_code["C02"].days_per_unit) == ("板", 28)  # a blister pack of 28 days
    assert (by_code["C03"].unit, by_code["C03"].days_per_unit) == ("支", 90)
    assert (by_code["C01"].unit, by_code["C01"].days_per_unit) == ("只", 3)
    assert (by_code["F01"].unit, by_code["F01"].days_per_unit, by_code["F01"].category) == (
        "瓶",
        31,
        "folic_acid",
    )
    zh, en = i18n.catalogue("zh_CN"), i18n.catalogue("en")
    for i in items:
        assert (zh[f"supply.item.{i.code}"], zh[f"supply.unit.{i.code}"]) == (i.name, i.unit)
        assert (en[f"supply.item.{i.code}"], en[f"supply.unit.{i.code}"]) == (i.name_en, i.unit_en)


def test_methods_map_to_catalogue_items():
    assert sp.method_items() == {
        "condom": ("C01", "C06"),
        "pill": ("C02",),
        "injectable": ("C03",),
        "spermicide": ("C04", "C07"),
        "emergency": ("C05",),
    }


def test_the_demo_uses_the_catalogue_items():
    from app.services.demo.supplies import SUPPLIES

    assert {(s.code, s.name, s.form, s.unit, s.category) for s in SUPPLIES} == {
        (i.code, i.name, i.form, i.unit, i.category) for i in sp.catalogue()
    }


@pytest.mark.parametrize(
    "change",
    [
        {"format": "other"},
        {"items": [{**json.loads(sp.CATALOGUE_FILE.read_text("utf-8"))["items"][0], "category": "vitamin"}]},
        {"items": [{**json.loads(sp.CATALOGUE_FILE.read_text("utf-8"))["items"][0], "method": "prayer"}]},
        {"items": [{**json.loads(sp.CATALOGUE_FILE.read_text("utf-8"))["items"][0], "days_per_unit": -1}]},
        {"items": json.loads(sp.CATALOGUE_FILE.read_text("utf-8"))["items"][:1] * 2},
    ],
)
def test_a_broken_catalogue_is_refused(change):
    data = {**json.loads(sp.CATALOGUE_FILE.read_text("utf-8")), **change}
    with pytest.raises(ValueError):
        sp.parse_catalogue(data)


def test_the_immutable_columns_are_every_column_but_the_sync_bookkeeping_and_the_merged_person():
    columns = {c.name for c in sa.inspect(StockMovement).columns}
    assert set(LEDGER_FIXED) | set(LEDGER_BOOKKEEPING) | {LEDGER_MERGE_COLUMN} == columns
    assert not set(LEDGER_FIXED) & set(LEDGER_BOOKKEEPING)
    assert LEDGER_MERGE_COLUMN not in set(LEDGER_FIXED) | set(LEDGER_BOOKKEEPING)
