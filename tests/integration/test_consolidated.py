"""The consolidated monthly report of a township (issue 16, item 4): one column per village and a township total
computed by the same indicator code; counts summed, rates recomputed from the summed numerators and
denominators; the village's own submitted figures (its package's report/monthly.json) compared with the
recount, a difference kept and flagged — on a SQLite file and on a real PostgreSQL server."""

from __future__ import annotations

import copy
import datetime as dt
import json
import statistics

import pytest

from app.db import Database, open_database, open_url
from app.i18n import language, set_language
from app.services.consolidated import Submitted, consolidated_report
from app.services.indicators import INDICATOR_DEFINITIONS_VERSION, monthly_report_document
from app.services.report_tables import CellKind
from app.sync.package import report_members
from tests.conftest import TODAY
from tests.township_data import copy_village, make_village

YEAR, MONTH = 2026, 10


@pytest.fixture(scope="module")
def villages(tmp_path_factory):
    folder = tmp_path_factory.mktemp("villages")
    return [
        make_village(folder, 1, people=500, today=TODAY),
        make_village(folder, 2, people=350, today=TODAY),
    ]


@pytest.fixture(scope="module")
def submitted(villages):
    """Each village's report/monthly.json for October, made by its own laptop as its package carries it; the
    second village's laptop runs in English (its supply items are named in English)."""
    out = {}
    before = language()
    for village, lang in zip(villages, ("zh_CN", "en"), strict=True):
        db = open_database(village.path)
        set_language(lang)
        try:
            with pytest.MonkeyPatch.context() as mp:
                mp.setattr("app.sync.package.today", lambda: TODAY)
                members = dict(report_members(db, YEAR, MONTH, TODAY))
        finally:
            set_language(before)
            db.dispose()
        out[village.code] = json.loads(members["report/monthly.json"])
    return out


@pytest.fixture
def township(any_url, villages) -> Database:
    db = open_url(any_url)
    for village in villages:
        copy_village(db, village)
    yield db
    db.dispose()


def pairs(villages):
    return [(v.code, v.name) for v in villages]


def line_of(report, table: str, row: str, column: str):
    return next(
        line
        for s in report.sections
        for line in s.lines
        if (line.table, line.ident, line.column) == (table, row, column)
    )


def test_one_column_per_village_then_the_total_with_the_villages_own_figures(villages, township):
    report = consolidated_report(township, YEAR, MONTH, villages=pairs(villages), today=TODAY)
    assert [v.name for v in report.villages] == ["红星村", "东风村"]
    assert report.township_name == "白银镇" and report.township_code == "620422103000"
    assert report.period_first == dt.date(2026, 10, 1) and not report.year_to_date
    own = [monthly_report_document(township, YEAR, MONTH, owner=v.code, today=TODAY) for v in villages]
    checked = 0
    for section in report.sections:
        for line in section.lines:
            assert len(line.cells) == 3
            for cell, doc in zip(line.village_cells, own, strict=True):
                row = next((r for t in doc.tables if t.key == line.table for r in t.rows if r.ident == line.row
                            or r.label == line.row), None)  # fmt: skip
                if row is None:  # a row only the other village has: nobody here
                    assert cell.value in (0, None) and not cell.people
                    continue
                table = next(t for t in doc.tables if t.key == line.table)
                i = [c.key for c in table.columns].index(line.column)
                assert (cell.value, cell.people) == (row.cells[i], row.people_of(i)), line.label_text()
                checked += 1
            total = line.total_cell
            values = [c.value for c in line.village_cells]
            if line.kind is CellKind.COUNT and line.column != "report.col.supply_days_out":
                assert total.value == sum(v or 0 for v in values), line.label_text()
                if total.people is not None:
                    together = [p for c in line.village_cells for p in (c.people or ())]
                    assert sorted(total.people) == sorted(together)
    assert checked > 150
    days_out = line_of(report, "report.section.supplies", "supply.item.C01", "report.col.supply_days_out")
    assert days_out.total_cell.value is None  # not a sum: each village has its own stock
    # a rate is the summed numerator over the summed denominator, not the villages' average
    num, den, rate = (
        line_of(report, "report.section.quality", "report.row.quality_rate", c)
        for c in ("report.col.numerator", "report.col.denominator", "report.col.rate")
    )
    assert rate.total_cell.value == pytest.approx(num.total_cell.value / den.total_cell.value)
    assert rate.total_cell.value != pytest.approx(statistics.mean(c.value for c in rate.village_cells))
    assert num.label_text() == "个案信息合格率 · 数量/分子"


def test_labels_name_the_row_its_column_when_it_has_several_and_a_supply_items_unit(villages, township):
    report = consolidated_report(township, YEAR, MONTH, villages=pairs(villages), today=TODAY)
    supplies = next(s for s in report.sections if s.key == "report.section.supplies")
    labels = {line.label_text() for line in supplies.lines}
    assert "叶酸片 0.4mg（瓶） · 期初" in labels
    assert not any("瓶" in label and "单位" in label for label in labels)  # the unit is no line of its own
    population = next(s for s in report.sections if s.key == "report.section.population")
    assert population.lines[0].label_text() == "期末人口"  # one figure a row: no column in the label


def test_the_villages_submitted_figures_agree_with_the_recount(villages, township, submitted):
    report = consolidated_report(
        township, YEAR, MONTH, villages=pairs(villages), submitted=submitted, today=TODAY
    )
    assert [v.submitted for v in report.villages] == [Submitted.COMPARED, Submitted.COMPARED]
    assert [v.differences for v in report.villages] == [0, 0]
    assert report.differences() == []
    compared = [c for s in report.sections for line in s.lines for c in line.village_cells if c.compared]
    assert len(compared) > 150  # every figure was compared, the supplies named in English included
    supplies = [
        c
        for s in report.sections
        if s.key == "report.section.supplies"
        for line in s.lines
        for c in line.village_cells[1:]
    ]
    assert supplies and all(c.compared and not c.differs for c in supplies)


def _cells(data, table_key: str, label: str):
    table = next(t for t in data["tables"] if t["key"] == table_key)
    return next(r for r in table["rows"] if r["label"] == label)["cells"]


def test_a_difference_keeps_both_values_and_is_flagged(villages, township, submitted):
    sent = copy.deepcopy(submitted)
    first, second = villages
    births = _cells(sent[first.code], "report.section.births", "report.row.all_births")
    recounted = births[4]
    births[4] = recounted + 2  # the village said two more births than its records show
    quality = next(t for t in sent[second.code]["tables"] if t["key"] == "report.section.quality")
    quality["rows"].append({"cells": [3, None, None], "label": "quality.rule.id_missing", "literal": False})
    quality["rows"] = [r for r in quality["rows"] if r["label"] != "quality.rule.id_missing"] + [
        {"cells": [999, None, None], "label": "quality.rule.id_missing", "literal": False}
    ]
    report = consolidated_report(township, YEAR, MONTH, villages=pairs(villages), submitted=sent, today=TODAY)
    line = line_of(report, "report.section.births", "report.row.all_births", "report.col.total")
    cell = line.village_cells[0]
    assert (cell.value, cell.submitted, cell.differs) == (recounted, recounted + 2, True)
    assert not line.village_cells[1].differs and line.total_cell.value == sum(
        c.value for c in line.village_cells
    )  # the total is the recount's
    missing = line_of(report, "report.section.quality", "quality.rule.id_missing", "report.col.numerator")
    assert missing.village_cells[1].submitted == 999 and missing.village_cells[1].differs
    assert [v.differences for v in report.villages] == [1, 1]
    found = {(d.village.code, d.line.ident) for d in report.differences()}
    assert found == {(first.code, "report.row.all_births"), (second.code, "quality.rule.id_missing")}


def test_figures_under_other_definitions_or_of_another_month_are_not_compared(villages, township, submitted):
    sent = copy.deepcopy(submitted)
    first, second = villages
    sent[first.code]["definitions_version"] = "2025.01"
    _cells(sent[first.code], "report.section.births", "report.row.all_births")[4] += 5
    sent[second.code]["period"] = "2026-09"
    report = consolidated_report(township, YEAR, MONTH, villages=pairs(villages), submitted=sent, today=TODAY)
    assert [(v.submitted, v.definitions_version) for v in report.villages] == [
        (Submitted.OTHER_DEFINITIONS, "2025.01"),
        (Submitted.OTHER_PERIOD, INDICATOR_DEFINITIONS_VERSION),
    ]
    assert report.differences() == []
    ytd = consolidated_report(
        township, YEAR, MONTH, villages=pairs(villages), submitted=submitted, year_to_date=True, today=TODAY
    )
    assert {v.submitted for v in ytd.villages} == {Submitted.OTHER_PERIOD}  # a month is not the year to date


def test_progress_is_reported_per_village_and_cancel_stops(villages, township):
    from app.progress import Cancelled

    seen = []

    def progress(fraction: float, message: str) -> bool:
        seen.append(fraction)
        return len(seen) < 2

    with pytest.raises(Cancelled):
        consolidated_report(township, YEAR, MONTH, villages=pairs(villages), today=TODAY, progress=progress)
    assert seen == [0.0, 0.45]
