"""The Reports page: the monthly report on screen with the people behind each number, its exports, the
household service cards with their preview, and registers to Excel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QApplication, QMessageBox, QPushButton

from app.i18n import tr
from app.services.indicators import monthly_report_document
from app.services.report_tables import format_cell
from app.ui.dialogs.people_list import PeopleListDialog
from tests.conftest import TODAY
from tests.indicator_village import build_village
from tests.ui.save_dialog import answer_save_dialog


@pytest.fixture
def village(db, officer):
    return build_village(db, officer)


@pytest.fixture
def reports(qtbot, ctx, village):
    from app.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.reports
    with qtbot.waitSignal(page.monthly.reportShown, timeout=10_000):
        window.show_page("reports")
    return window, page


def row_of(table, text: str) -> int:
    for r in range(table.rowCount()):
        item = table.item(r, 0)
        if item is not None and item.text() == text:
            return r
    raise AssertionError(f"no row {text!r}")


def cells(table, row: int) -> list[str]:
    return [table.item(row, c).text() if table.item(row, c) else "" for c in range(1, table.columnCount())]


def test_the_report_opens_on_last_month_with_its_figures(reports):
    _, page = reports
    tab = page.monthly
    assert tab.month_combo.currentText() == "2026年10月"  # made in November for October
    table = tab.table
    facility = row_of(table, tr("report.row.facility_delivery"))
    assert cells(table, facility)[:3] == ["2", "3", "66.7%"]
    births = row_of(table, tr("report.row.all_births"))
    assert cells(table, births)[:5] == ["1", "1", "1", "0", "3"]
    ratio = row_of(table, tr("report.row.sex_ratio"))
    assert cells(table, ratio)[:3] == ["1", "2", "50.0"]


def test_every_figure_on_screen_is_the_services_figure(reports, ctx):
    _, page = reports
    doc = monthly_report_document(ctx.db, 2026, 10, today=TODAY)
    table = page.monthly.table
    for t in doc.tables:
        for r in t.rows:
            shown = cells(table, row_of(table, r.label_text()))
            assert shown[: len(r.cells)] == [
                format_cell(v, c.kind) for v, c in zip(r.cells, t.columns, strict=True)
            ]


def test_double_click_a_number_lists_the_people_it_counts(qtbot, reports):
    _, page = reports
    table = page.monthly.table
    row = row_of(table, tr("report.row.facility_delivery"))
    table.scrollToItem(table.item(row, 1))
    rect = table.visualRect(table.model().index(row, 1))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    dialog = page.monthly.findChild(PeopleListDialog)
    assert dialog is not None and dialog.isVisible()
    names = {dialog.model.row_at(i).name for i in range(dialog.model.rowCount())}
    assert names == {"刘芳", "周娟"}
    assert tr("report.row.facility_delivery") in dialog.windowTitle()
    dialog.close()


def test_year_to_date_adds_up_from_january(qtbot, reports):
    _, page = reports
    tab = page.monthly
    with qtbot.waitSignal(tab.reportShown, timeout=10_000):
        qtbot.mouseClick(tab.ytd_check, Qt.MouseButton.LeftButton)
    early = row_of(tab.table, tr("report.row.early_registration"))
    assert cells(tab.table, early)[:3] == ["3", "5", "60.0%"]
    assert "2026年1月至10月" in tab.period_label.text()


def test_a_month_without_deliveries_shows_dashes(qtbot, reports):
    _, page = reports
    tab = page.monthly
    with qtbot.waitSignal(tab.reportShown, timeout=10_000):
        tab.month_combo.setCurrentIndex(tab.month_combo.findText("2026年7月"))
    facility = row_of(tab.table, tr("report.row.facility_delivery"))
    assert cells(tab.table, facility)[:3] == ["0", "0", "—"]


def answer_offer(asked: dict, name: str) -> None:
    """Say "not now" to the box that offers to open a written file."""

    def answer():
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox) and box.objectName() == name:
            asked["offer"] = box.text()
            next(b for b in box.buttons() if b.text() == tr("followups.not_now")).click()
        else:
            QTimer.singleShot(20, answer)

    QTimer.singleShot(20, answer)


def save_to(monkeypatch, target, asked: dict) -> None:
    answer_save_dialog(target, asked)  # no extension typed: it is added
    monkeypatch.setattr(
        QDesktopServices, "openUrl", lambda url: asked.setdefault("opened", url.toLocalFile())
    )


def test_export_the_report_to_excel_with_the_screens_numbers(qtbot, reports, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    _, page = reports
    asked: dict = {}
    target = tmp_path / "out" / "october.xlsx"
    target.parent.mkdir()
    save_to(monkeypatch, target, asked)
    answer_offer(asked, "reportExported")
    qtbot.mouseClick(page.findChild(QPushButton, "exportReportXlsx"), Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "offer" in asked, timeout=20_000)
    assert asked["default"].endswith("2026年10月月报.xlsx")
    sheet = load_workbook(target).active
    rows = {r[0]: r[1:] for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], str)}
    facility = rows[tr("report.row.facility_delivery")]
    assert facility[:2] == (2, 3) and facility[2] == pytest.approx(2 / 3)


def test_print_one_households_card_from_the_households_page(qtbot, reports, village):
    from app.ui.dialogs.pdf_preview import PdfPreviewDialog

    window, page = reports
    window.show_page("households")
    window.households.show_household(village["0101"])
    qtbot.mouseClick(window.households.card_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: getattr(page.cards, "preview_dialog", None) is not None, timeout=20_000)
    dialog = page.cards.preview_dialog
    assert isinstance(dialog, PdfPreviewDialog)
    assert page.tabs.currentWidget() is page.cards
    assert page.cards.chosen_ids() == [village["0101"]]
    assert len(dialog.pages) >= 1
    assert not dialog.image.pixmap().isNull() and dialog.image.pixmap().width() > 300
    # the preview is held in memory: no file with the family's data is left anywhere by it
    assert dialog.data.startswith(b"%PDF")
    assert not list(page.cards.ctx.data_dir.rglob("*.pdf"))
    dialog.close()


def test_save_a_groups_cards(qtbot, reports, monkeypatch, tmp_path):
    from pypdf import PdfReader

    _, page = reports
    page.tabs.setCurrentWidget(page.cards)
    tab = page.cards
    tab.group_combo.setCurrentIndex(tab.group_combo.findData(2))
    assert tab.model.rowCount() == 2 and tab.listed_radio.isChecked()
    asked: dict = {}
    target = tmp_path / "out" / "group2.pdf"
    target.parent.mkdir()
    save_to(monkeypatch, target, asked)
    answer_offer(asked, "cardsSaved")
    qtbot.mouseClick(tab.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "offer" in asked, timeout=20_000)
    assert asked["default"].endswith("服务卡 第2组.pdf")
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert "赵敏" in text and "孙丽" in text and "张伟" not in text


def test_export_the_women_register(qtbot, reports, monkeypatch, tmp_path):
    from openpyxl import load_workbook

    _, page = reports
    page.tabs.setCurrentWidget(page.registers)
    tab = page.registers
    tab.register_list.setCurrentRow(1)  # women 15–49
    assert not tab.month_combo.isEnabled() and tab.group_combo.isEnabled()
    asked: dict = {}
    target = tmp_path / "out" / "women.xlsx"
    target.parent.mkdir()
    save_to(monkeypatch, target, asked)
    answer_offer(asked, "registerExported")
    qtbot.mouseClick(tab.export_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "offer" in asked, timeout=20_000)
    values = [v for row in load_workbook(target).active.iter_rows(values_only=True) for v in row]
    for name in ("刘芳", "王丽", "赵敏", "周娟", "孙丽", "吴静", "郑云"):
        assert name in values
    assert "张伟" not in values


def test_a_change_saved_elsewhere_is_counted_when_the_pages_refresh(qtbot, reports, ctx, village):
    from app.services import households as hh

    window, page = reports
    hh.record_death(ctx.db, ctx.actor, village["张伟"], TODAY.replace(month=10, day=20), TODAY)
    with qtbot.waitSignal(page.monthly.reportShown, timeout=10_000):
        window.refresh_pages()  # what a dialog does after saving
    deaths = row_of(page.monthly.table, tr("vocab.event.death"))
    assert cells(page.monthly.table, deaths)[0] == "2"
