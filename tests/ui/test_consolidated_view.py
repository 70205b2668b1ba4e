"""The consolidated report widget of the Township page, with real clicks: villages as columns with the township
total, the row labels frozen while scrolling across, a difference from the submitted report highlighted with
the submitted figure in its tooltip, double-click for the people behind a number, another month, and the
exports running in the background."""

from __future__ import annotations

import copy
import json

import pytest
import sqlalchemy as sa
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.db import open_database
from app.i18n import tr
from app.models import AuditEvent
from app.services.consolidated import consolidated_report
from app.services.report_tables import format_cell
from app.ui.application import settings_for
from app.ui.dialogs.people_list import PeopleListDialog
from app.ui.widgets.consolidated_report import DIFFERS_BACKGROUND, ConsolidatedReportView
from tests.conftest import TODAY
from tests.township_data import IMPORTER, copy_village, make_village
from tests.ui.save_dialog import answer_save_dialog


@pytest.fixture(scope="module")
def township_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("township")
    villages = [
        make_village(folder, 1, people=400, today=TODAY),
        make_village(folder, 2, people=300, today=TODAY),
    ]
    path = folder / "township.sqlite"
    township = open_database(path)
    submitted = {}
    for village in villages:
        copy_village(township, village)
        db = open_database(village.path)
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr("app.sync.package.today", lambda: TODAY)
            from app.sync.package import report_members

            submitted[village.code] = json.loads(
                dict(report_members(db, 2026, 10, TODAY))["report/monthly.json"]
            )
        db.dispose()
    township.dispose()
    population = next(
        t for t in submitted[villages[1].code]["tables"] if t["key"] == "report.section.population"
    )
    population["rows"][0]["cells"][0] += 7  # 东风村 said 7 more people than its records show
    return path, villages, submitted


@pytest.fixture
def view(qtbot, township_files, tmp_path):
    path, villages, submitted = township_files
    db = open_database(path)
    asked = []

    def submitted_for(year: int, month: int):
        asked.append((year, month))
        return copy.deepcopy(submitted) if (year, month) == (2026, 10) else {}

    widget = ConsolidatedReportView(
        db,
        lambda: [(v.code, v.name) for v in villages],
        submitted_for,
        lambda: TODAY,
        settings=settings_for(tmp_path),
        actor=IMPORTER,
    )
    widget.asked = asked
    qtbot.addWidget(widget)
    widget.resize(900, 600)
    with qtbot.waitSignal(widget.reportShown, timeout=20_000):
        widget.show()
    yield widget
    db.dispose()


def headings(table):
    return [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())]


def label_row(table, text: str) -> int:
    for r in range(table.rowCount()):
        item = table.verticalHeaderItem(r)
        if item is not None and item.text() == text:
            return r
    raise AssertionError(f"no row {text!r}")


def test_villages_are_columns_with_the_total_and_every_figure_is_the_services(view, township_files):
    _, villages, submitted = township_files
    assert view.month_combo.currentText() == "2026年10月"
    assert view.asked == [(2026, 10)]
    table = view.table
    assert headings(table) == ["红星村", "东风村", "全乡（镇）合计"]
    report = consolidated_report(
        view.db, 2026, 10, villages=[(v.code, v.name) for v in villages], submitted=submitted, today=TODAY
    )
    shown = 0
    row = 0
    for section in report.sections:
        assert table.verticalHeaderItem(row).text() == tr(section.key)
        row += 1
        for line in section.lines:
            assert table.verticalHeaderItem(row).text() == line.label_text()
            texts = [table.item(row, c).text() for c in range(3)]
            assert texts == [format_cell(c.value, line.kind) for c in line.cells]
            shown += 1
            row += 1
    assert shown > 150 and row == table.rowCount()
    assert "2 个村" in view.summary.text() and "东风村" in view.summary.text()


def test_the_row_labels_stay_in_view_when_scrolling_across(qtbot, view):
    table = view.table
    view.resize(420, 500)  # narrower than the figures: the table scrolls sideways
    qtbot.waitUntil(lambda: table.horizontalScrollBar().maximum() > 0, timeout=5_000)
    table.horizontalScrollBar().setValue(table.horizontalScrollBar().maximum())
    labels = table.verticalHeader()
    assert labels.isVisible() and labels.width() > 80
    assert labels.geometry().left() < table.viewport().geometry().left()  # beside the figures, not among them
    assert (
        table.columnViewportPosition(0) < 0
    )  # the first village has scrolled out of view; the labels have not


def test_a_difference_is_amber_with_the_submitted_figure_in_its_tooltip(view):
    table = view.table
    row = label_row(table, tr("report.row.population"))
    mine, theirs, total = (table.item(row, c) for c in range(3))
    assert theirs.background().color() == DIFFERS_BACKGROUND
    recount = int(theirs.text().replace(",", ""))
    assert f"村上报：{recount + 7:,}；乡镇复核：{recount:,}" in theirs.toolTip()
    assert mine.background().color() != DIFFERS_BACKGROUND
    assert total.background().color() != DIFFERS_BACKGROUND
    assert int(total.text().replace(",", "")) == int(mine.text().replace(",", "")) + recount


def _double_click(qtbot, table, row: int, column: int) -> None:
    table.scrollToItem(table.item(row, column))
    rect = table.visualRect(table.model().index(row, column))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


def test_double_click_lists_the_people_behind_a_villages_number_and_the_totals(qtbot, view):
    table = view.table
    row = label_row(table, tr("report.row.women_15_49"))
    _double_click(qtbot, table, row, 1)
    dialog = view.findChild(PeopleListDialog)
    assert dialog is not None and dialog.isVisible()
    assert dialog.model.rowCount() == int(table.item(row, 1).text().replace(",", ""))
    assert dialog.windowTitle().startswith("东风村 · ")
    rows = [dialog.model.row_at(i) for i in range(dialog.model.rowCount())]
    assert all(r.sex == "F" and 15 <= r.age <= 49 for r in rows)
    dialog.close()
    dialog.deleteLater()
    _double_click(qtbot, table, row, 2)
    total = [d for d in view.findChildren(PeopleListDialog) if d.isVisible()][0]
    assert total.model.rowCount() == int(table.item(row, 2).text().replace(",", ""))
    total.close()


def test_another_month_is_counted_again_and_not_compared(qtbot, view):
    with qtbot.waitSignal(view.reportShown, timeout=20_000):
        view.month_combo.setCurrentIndex(view.month_combo.findText("2026年9月"))
    assert view.asked[-1] == (2026, 9)
    assert "其中 0 个村" in view.summary.text()
    table = view.table
    amber = [
        (r, c)
        for r in range(table.rowCount())
        for c in range(table.columnCount())
        if table.item(r, c) and table.item(r, c).background().color() == DIFFERS_BACKGROUND
    ]
    assert amber == []


def test_export_to_excel_runs_in_the_background_and_is_audited(qtbot, view, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    asked: dict = {}
    target = tmp_path / "out" / "township.xlsx"
    target.parent.mkdir()
    answer_save_dialog(target, asked)
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: asked.setdefault("opened", url.toLocalFile())
    )

    def answer_offer():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == "consolidatedExported":
            asked["offer"] = box.text()
            next(b for b in box.buttons() if b.text() == tr("followups.not_now")).click()
        else:
            QTimer.singleShot(20, answer_offer)

    QTimer.singleShot(20, answer_offer)
    button = view.findChild(QPushButton, "exportConsolidatedXlsx")
    assert button.text() == "导出Excel…"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "offer" in asked, timeout=20_000)
    assert asked["default"].endswith("白银镇2026年10月月报汇总.xlsx")
    ws = load_workbook(target).worksheets[0]
    assert [ws.cell(4, c).value for c in range(2, 5)] == headings(view.table)
    with view.db.read() as s:
        kinds = (
            s.execute(sa.select(AuditEvent.record_id).where(AuditEvent.action == "export")).scalars().all()
        )
    assert "consolidated_report" in kinds
    assert view.findChild(QPushButton, "exportConsolidatedPdf").text() == "导出PDF…"
