"""The consolidated report to Excel and PDF: every figure as computed, the differences from the submitted reports
highlighted with the submitted value beside them, 60 villages split across landscape pages sensibly, written
whole or not at all."""

from __future__ import annotations

import copy
import dataclasses
import json

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from app.db import open_database
from app.i18n import language, set_language, tr
from app.progress import Cancelled
from app.reports.consolidated_pdf import village_groups, write_consolidated_pdf
from app.reports.consolidated_xlsx import DIFFERS_FILL, write_consolidated_xlsx
from app.reports.fonts import register_cjk_font
from app.services.consolidated import ConsolidatedReport, VillageColumn, consolidated_report
from app.services.report_tables import CellKind, format_cell
from app.sync.package import report_members
from tests.conftest import TODAY
from tests.township_data import copy_village, make_village, village_name

YEAR, MONTH = 2026, 10


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> ConsolidatedReport:
    """Two villages in a township database; the first village's submitted report says 2 more births."""
    folder = tmp_path_factory.mktemp("township")
    villages = [
        make_village(folder, 1, people=400, today=TODAY),
        make_village(folder, 2, people=300, today=TODAY),
    ]
    township = open_database(folder / "township.sqlite")
    submitted = {}
    for village in villages:
        copy_village(township, village)
        db = open_database(village.path)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("app.sync.package.today", lambda: TODAY)
            submitted[village.code] = json.loads(
                dict(report_members(db, YEAR, MONTH, TODAY))["report/monthly.json"]
            )
        db.dispose()
    births = next(t for t in submitted[villages[0].code]["tables"] if t["key"] == "report.section.births")
    next(r for r in births["rows"] if r["label"] == "report.row.all_births")["cells"][4] += 2
    try:
        return consolidated_report(
            township,
            YEAR,
            MONTH,
            villages=[(v.code, v.name) for v in villages],
            submitted=submitted,
            today=TODAY,
        )
    finally:
        township.dispose()


def widened(report: ConsolidatedReport, count: int) -> ConsolidatedReport:
    """The same figures laid out for `count` villages (the two real columns repeated under other names): the
    shape of a 60-village township for the renderers, computed in a moment."""
    columns = tuple(
        dataclasses.replace(report.villages[i % 2], code=f"6204221032{i + 1:02d}", name=village_name(i + 1))
        for i in range(count)
    )
    sections = tuple(
        dataclasses.replace(
            s,
            lines=tuple(
                dataclasses.replace(
                    line, cells=tuple(line.cells[i % 2] for i in range(count)) + (line.total_cell,)
                )
                for line in s.lines
            ),
        )
        for s in report.sections
    )
    return dataclasses.replace(report, villages=columns, sections=sections)


def expected(value, kind):
    if value is None:
        return "—"
    return pytest.approx(value) if kind is CellKind.RATE else value


def test_the_workbook_has_every_figure_and_marks_the_difference(report, tmp_path):
    path = tmp_path / "township.xlsx"
    write_consolidated_xlsx(path, report, printed_on=TODAY)
    book = load_workbook(path)
    ws = book.worksheets[0]
    assert ws.freeze_panes == "B5"  # the labels and the village names stay in view
    assert [ws.cell(4, c).value for c in range(2, 5)] == ["红星村", "东风村", "全乡（镇）合计"]
    assert ws.page_setup.orientation == "landscape"
    row = 5
    for section in report.sections:  # each section: its title, then one row per line, in order
        assert ws.cell(row, 1).value == tr(section.key)
        for i, line in enumerate(section.lines, start=row + 1):
            assert ws.cell(i, 1).value == line.label_text()
            got = [ws.cell(i, c).value for c in range(2, 5)]
            assert got == [expected(c.value, line.kind) for c in line.cells], line.label_text()
        row += 1 + len(section.lines) + bool(section.note) + 1
    marked = [
        (r, c)
        for r in range(5, ws.max_row + 1)
        for c in range(2, 4)
        if ws.cell(r, c).fill.fgColor.rgb.endswith(DIFFERS_FILL.fgColor.rgb[-6:])
    ]
    assert len(marked) == 1
    r, c = marked[0]
    cell = report.differences()[0].cell
    assert ws.cell(r, c).value == cell.value
    assert f"村上报数：{cell.submitted}" in ws.cell(r, c).comment.text
    checks = book.worksheets[1]
    rows = [[checks.cell(r, c).value for c in range(1, 6)] for r in range(1, checks.max_row + 1)]
    assert ["红星村", "620422103201", "已逐项核对", 1, None] in rows
    assert any(row[0] == "红星村" and row[3] == cell.submitted and row[4] == cell.value for row in rows)


def test_the_pdf_is_landscape_shows_the_submitted_figure_and_lists_the_difference(report, tmp_path):
    path = tmp_path / "township.pdf"
    pages = write_consolidated_pdf(path, report, printed_on=TODAY)
    reader = PdfReader(path)
    assert len(reader.pages) == pages >= 2
    box = reader.pages[0].mediabox
    assert box.width > box.height
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert "白银镇 计生卫生服务月报汇总（分村）" in text
    assert "红星村" in text and "东风村" in text and "全乡（镇）合计" in text
    cell = report.differences()[0].cell
    assert f"报 {cell.submitted}" in text
    assert "复核数与上报数不同的数字" in text
    population = next(
        line for s in report.sections for line in s.lines if line.ident == "report.row.population"
    )
    assert "\n".join(format_cell(c.value, CellKind.COUNT) for c in population.cells) in text


def test_sixty_villages_are_split_into_even_tables_with_labels_and_total_on_every_page(report, tmp_path):
    wide = widened(report, 60)
    groups = village_groups(60, register_cjk_font(), [v.name for v in wide.villages])
    sizes = [len(g) for g in groups]
    assert len(groups) > 1 and max(sizes) - min(sizes) <= 1 and sum(sizes) == 60
    path = tmp_path / "sixty.pdf"
    write_consolidated_pdf(path, wide, printed_on=TODAY)
    reader = PdfReader(path)
    text = "\n".join(p.extract_text() for p in reader.pages)
    for g in groups:
        assert f"一、出生（活产）（第 {g.start + 1}–{g.stop} 村，共 60 村）" in text
    for v in wide.villages:
        assert v.name in text
    # every page with a table has the township total and the heading of its labels
    for page in reader.pages:
        body = page.extract_text()
        if "村，共 60 村）" in body:
            assert "全乡（镇）" in body and "项目" in body  # the heading may wrap
    # Excel keeps one sheet: 61 figure columns, the labels frozen
    xlsx = tmp_path / "sixty.xlsx"
    write_consolidated_xlsx(xlsx, wide, printed_on=TODAY)
    ws = load_workbook(xlsx).worksheets[0]
    assert ws.cell(4, 62).value == "全乡（镇）合计" and ws.print_title_cols == "$A:$A"


def test_cancel_leaves_no_file(report, tmp_path):
    for write, name in ((write_consolidated_xlsx, "a.xlsx"), (write_consolidated_pdf, "a.pdf")):
        calls = []

        def progress(fraction, message, calls=calls):
            calls.append(fraction)
            return len(calls) < 3

        with pytest.raises(Cancelled):
            write(tmp_path / name, report, printed_on=TODAY, progress=progress)
        assert not list(tmp_path.iterdir())


def test_english_files(report, tmp_path):
    before = language()
    set_language("en")
    try:
        write_consolidated_xlsx(tmp_path / "en.xlsx", report, printed_on=TODAY)
        write_consolidated_pdf(tmp_path / "en.pdf", report, printed_on=TODAY)
    finally:
        set_language(before)
    ws = load_workbook(tmp_path / "en.xlsx").worksheets[0]
    assert ws.cell(4, 4).value == "Township total"
    text = PdfReader(tmp_path / "en.pdf").pages[0].extract_text()
    assert "Family Health Monthly Report, by village" in text


def test_a_village_without_a_report_reads_so(report, tmp_path):
    nothing = dataclasses.replace(
        report, villages=tuple(VillageColumn(v.code, v.name) for v in report.villages)
    )
    write_consolidated_xlsx(tmp_path / "none.xlsx", copy.deepcopy(nothing), printed_on=TODAY)
    checks = load_workbook(tmp_path / "none.xlsx").worksheets[1]
    assert "未收到本月月报" in [checks.cell(r, 3).value for r in range(1, checks.max_row + 1)]
