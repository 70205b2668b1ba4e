"""The monthly indicators of one village of many (issue 16, item 4): a township database holding two villages
gives each village exactly the figures its own database gives — every cell of the report and the people behind
it — and its whole-database figures are the villages' sums; on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import pytest

from app.db import Database, open_database, open_url
from app.services.indicators import monthly_figures, monthly_report_document
from app.services.report_tables import CellKind, ReportDocument
from tests.conftest import TODAY
from tests.township_data import copy_village, make_village

MONTHS = ((2026, 10, False), (2026, 9, False), (2026, 10, True))
NOT_A_SUM = {"report.col.supply_days_out"}  # days out of stock of the pooled stock is not the villages' sum


@pytest.fixture(scope="module")
def villages(tmp_path_factory):
    """Two demo villages of the same township, each in its own database (different codes and seeds)."""
    folder = tmp_path_factory.mktemp("villages")
    return [
        make_village(folder, 1, people=500, today=TODAY),
        make_village(folder, 2, people=350, today=TODAY),
    ]


@pytest.fixture
def township(any_url, villages) -> Database:
    db = open_url(any_url)
    for village in villages:
        copy_village(db, village)
    yield db
    db.dispose()


def cells(doc: ReportDocument) -> dict[tuple[str, str, str], tuple[object, tuple[str, ...] | None]]:
    return {
        (t.key, r.label, c.key): (r.cells[i], r.people_of(i))
        for t in doc.tables
        for r in t.rows
        for i, c in enumerate(t.columns)
    }


def test_each_village_of_a_township_gets_the_figures_of_its_own_database(villages, township):
    for village in villages:
        own = open_database(village.path)
        try:
            for year, month, ytd in MONTHS:
                alone = monthly_report_document(own, year, month, year_to_date=ytd, today=TODAY)
                there = monthly_report_document(
                    township, year, month, owner=village.code, year_to_date=ytd, today=TODAY
                )
                assert there.village_name == village.name and there.village_code == village.code
                assert cells(there) == cells(alone), (village.code, year, month, ytd)
                assert there == alone  # the headings, the order of rows and the chart's figures too
        finally:
            own.dispose()


def test_the_whole_database_counts_are_the_sum_of_the_villages(villages, township):
    year, month = 2026, 10
    total = cells(monthly_report_document(township, year, month, today=TODAY))
    parts = [
        cells(monthly_report_document(township, year, month, owner=v.code, today=TODAY)) for v in villages
    ]
    # the month is not empty: the comparison below compares figures, not zeros
    f = monthly_figures(township, year, month, today=TODAY)
    assert len(f.population_total) == sum(
        len(monthly_figures(township, year, month, owner=v.code, today=TODAY).population_total)
        for v in villages
    )
    assert len(f.population_total) > 700 and f.followups and f.quality.checked
    compared = 0
    for (table, label, column), (value, people) in total.items():
        kinds = {
            c.key: c.kind for t in monthly_report_document(township, year, month).tables for c in t.columns
        }
        if kinds[column] is not CellKind.COUNT or value is None or column in NOT_A_SUM:
            continue
        summed = sum(int(p.get((table, label, column), (0, None))[0] or 0) for p in parts)
        assert value == summed, (table, label, column)
        if people is not None:
            together = [pid for p in parts for pid in (p.get((table, label, column), (0, ()))[1] or ())]
            assert sorted(people) == sorted(together), (table, label, column)
        compared += 1
    assert compared > 60


def test_one_villages_figures_leave_out_every_record_of_the_other(villages, township):
    first, second = villages
    f1 = monthly_figures(township, 2026, 10, owner=first.code, today=TODAY)
    f2 = monthly_figures(township, 2026, 10, owner=second.code, today=TODAY)
    assert set(f1.population_total).isdisjoint(f2.population_total)
    assert set(f1.quality.checked).isdisjoint(f2.quality.checked)
    due1 = {p for t in f1.followups for p in t.due}
    due2 = {p for t in f2.followups for p in t.due}
    assert due1 and due2 and due1.isdisjoint(due2)
    # the supply ledger is the village's own; the catalogue (every item listed) is the township's
    assert [r.code for r in f1.supplies] == [r.code for r in f2.supplies]
    whole = monthly_figures(township, 2026, 10, today=TODAY)
    for a, b, w in zip(f1.supplies, f2.supplies, whole.supplies, strict=True):
        assert (a.opening + b.opening, a.closing + b.closing) == (w.opening, w.closing)
    # a village the database does not hold has no records
    nobody = monthly_figures(township, 2026, 10, owner="620422103299", today=TODAY)
    assert not nobody.population_total and not nobody.deliveries
    assert all(r.opening == r.closing == 0 for r in nobody.supplies)
