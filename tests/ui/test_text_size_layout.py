"""At 1366×768 and at the largest text size nothing is cut (issue 12, item 15): every table's columns hold
their title and the rows on screen, the monthly report needs no sideways scrolling, and the navigation grows
with the text. The text size is changed the way the officer does it, in Settings, after the pages were used at
the normal size (their columns fitted to it and remembered)."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtWidgets import QApplication, QComboBox, QStyle, QTableView

from app.services import supplies
from app.ui.application import TEXT_SIZES, apply_text_size
from tests.conftest import TODAY
from tests.followup_village import build_village


@pytest.fixture
def restore_app_font():
    app = QApplication.instance()
    font = app.font()
    yield
    app.setFont(font)


@pytest.fixture
def window(qtbot, ctx, db, officer, restore_app_font):
    from app.ui.main_window import MainWindow

    apply_text_size(QApplication.instance(), "normal")
    build_village(db, officer)
    supplies.ensure_catalogue(db, officer)
    pill = next(i for i in supplies.items(db, TODAY) if i.code == "C02")
    supplies.receive(
        db,
        officer,
        supplies.ReceiptInput(
            pill.id, "L2026A", dt.date(2028, 6, 30), 302, TODAY - dt.timedelta(days=40), "X1"
        ),
        TODAY,
    )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    qtbot.waitExposed(window)
    return window


def cut_cells(view: QTableView) -> list[str]:
    """The titles and texts on screen that a column is too narrow for (Qt elides them with "…")."""
    model = view.model()
    header = view.horizontalHeader()
    margin = 2 * (view.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, view) + 1)
    metrics, title_metrics = view.fontMetrics(), QFontMetrics(header.font())
    last_row = view.rowAt(view.viewport().height() - 1)
    rows = range(max(view.rowAt(0), 0), (model.rowCount() - 1 if last_row < 0 else last_row) + 1)
    cut = []
    for c in range(model.columnCount()):
        if header.isSectionHidden(c):
            continue
        width = view.columnWidth(c)
        title = str(model.headerData(c, Qt.Orientation.Horizontal))
        if title_metrics.horizontalAdvance(title) + margin > width:
            cut.append(f"{view.objectName()} title {title!r}: {width}px")
        for r in rows:
            text = str(model.index(r, c).data() or "")
            if metrics.horizontalAdvance(text) + margin > width:
                cut.append(f"{view.objectName()} [{title}] {text!r}: {width}px")
                break
    return cut


def visible_tables(page) -> list[QTableView]:
    return [v for v in page.findChildren(QTableView) if v.isVisible() and v.model().rowCount()]


def use_pages(qtbot, window) -> None:
    for key in ("dashboard", "households", "women", "pregnancies", "followups", "supplies"):
        window.show_page(key)
        qtbot.wait(10)


def choose_largest_text_size(qtbot, window) -> None:
    window.show_page("settings")
    combo = window.settings_page.findChild(QComboBox, "settingsTextSize")
    with qtbot.waitSignal(window.settings_page.textSizeChanged):
        combo.setCurrentIndex(combo.findData("larger"))
    assert QApplication.instance().font().pointSize() == TEXT_SIZES["larger"]
    qtbot.wait(50)  # Qt posts the font change to every widget


def test_no_table_cuts_its_text_at_the_largest_size(qtbot, window):
    use_pages(qtbot, window)  # columns fitted to the normal size first
    choose_largest_text_size(qtbot, window)
    cut = []
    for key in ("dashboard", "households", "women", "pregnancies", "followups", "supplies"):
        window.show_page(key)
        qtbot.wait(10)
        for view in visible_tables(window.page(key)):
            cut += cut_cells(view)
    page = window.supplies
    page.tabs.setCurrentIndex(1)  # the monthly supply report
    qtbot.wait(10)
    cut += cut_cells(page.report_view)
    assert cut == []
    stock = page.item_model.find_row(lambda r: r.code == "C02")
    assert page.item_model.rows()[stock].on_hand == 302


def test_the_pregnancies_next_window_is_whole(qtbot, window):
    use_pages(qtbot, window)
    choose_largest_text_size(qtbot, window)
    window.show_page("pregnancies")
    qtbot.wait(10)
    view = window.pregnancies.view
    column = next(
        c
        for c in range(view.model().columnCount())
        if view.model().headerData(c, Qt.Orientation.Horizontal) == "下次产检窗口"
    )
    texts = [view.model().index(r, column).data() for r in range(view.model().rowCount())]
    assert all(texts)
    widest = max(view.fontMetrics().horizontalAdvance(t) for t in texts)
    assert view.columnWidth(column) >= widest + 6


def test_the_monthly_report_needs_no_sideways_scrolling(qtbot, window):
    choose_largest_text_size(qtbot, window)
    tab = window.reports.monthly
    with qtbot.waitSignal(tab.reportShown, timeout=10_000):
        window.show_page("reports")
    qtbot.wait(50)
    table = tab.table
    total = sum(table.columnWidth(c) for c in range(table.columnCount()))
    assert total <= table.viewport().width()
    assert not table.horizontalScrollBar().isVisible()
    supply = next(
        r for r in range(table.rowCount()) if table.item(r, 0) and "避孕药具" in table.item(r, 0).text()
    )
    metrics = QFontMetrics(table.font())
    for c in range(1, table.columnCount()):  # the supply section's figures are whole, on one line
        item = table.item(supply + 2, c)
        if item is not None:
            assert metrics.horizontalAdvance(item.text()) < table.columnWidth(c), item.text()


def test_the_navigation_grows_with_the_text_size(qtbot, window):
    nav = window.nav
    before = nav.font().pointSizeF()
    choose_largest_text_size(qtbot, window)
    assert nav.font().pointSizeF() > before
    metrics = QFontMetrics(nav.font())
    widest = max(metrics.horizontalAdvance(nav.item(i).text()) for i in range(nav.count()))
    assert nav.viewport().width() >= widest + 24  # the item's padding: nothing cut
    assert nav.visualItemRect(nav.item(0)).height() >= metrics.height()
