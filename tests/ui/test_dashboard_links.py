"""A dashboard number opens the list it counts, whatever filters that list was left with, and a number of the
monthly report opens one list of people, not two (issue 12, item 11)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

from app.i18n import tr
from app.ui.dialogs.people_list import PeopleListDialog
from tests.followup_village import WEEK, build_village
from tests.ui.helpers import ime_type

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def window(qtbot, ctx, db, officer):
    from app.ui.main_window import MainWindow

    build_village(db, officer)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def click_number(qtbot, window, name: str) -> int:
    window.show_page("dashboard")
    button = window.dashboard.findChild(QPushButton, name)
    count = int(button.text())
    qtbot.mouseClick(button, LEFT)
    return count


def choose(combo, data) -> None:
    combo.setCurrentIndex(combo.findData(data))


def test_due_this_week_opens_the_whole_weeks_list(qtbot, window):
    page = window.followups
    window.show_page("followups")
    choose(page.type_combo, "anc2")  # an earlier look at one type, in one group
    choose(page.group_combo, 1)
    assert page.model.rowCount() == 1

    count = click_number(qtbot, window, "dueThisWeek")

    assert window.stack.currentWidget() is page
    assert count == len(WEEK) == page.model.rowCount()
    assert {r.name for r in page.model.rows()} == set(WEEK)
    assert page.type_combo.currentData() is None and page.group_combo.currentData() is None
    assert page.count_label.text() == tr("followups.count", count=count)


def test_deliveries_in_30_days_open_those_pregnancies(qtbot, window):
    page = window.pregnancies
    window.show_page("pregnancies")
    choose(page.group_combo, 2)
    assert [r.name for r in page.model.rows()] == ["王芳"]

    count = click_number(qtbot, window, "deliveries30")

    assert window.stack.currentWidget() is page
    assert count == 1 == page.model.rowCount()
    assert [r.name for r in page.model.rows()] == ["赵红"]
    assert page.group_combo.currentData() is None

    # the link under the dashboard's list opens every pregnancy
    window.show_page("dashboard")
    qtbot.mouseClick(window.dashboard.deliveries_all, LEFT)
    assert page.model.rowCount() == len(WEEK)
    assert page.count_label.text() == tr("pregnancies.count", count=len(WEEK))


def test_the_quality_number_opens_every_household(qtbot, window):
    page = window.households
    window.show_page("households")
    ime_type(page.filter_edit, "欧阳")
    assert page.household_model.rowCount() == 1
    click_number(qtbot, window, "qualityProblems")
    assert window.stack.currentWidget() is page
    assert page.filter_edit.text() == "" and page.household_model.rowCount() == 3


# ---------------------------------------------------------------- the monthly report's numbers


@pytest.fixture
def report_tab(qtbot, ctx, db, officer):
    from app.ui.main_window import MainWindow
    from tests.indicator_village import build_village as build_indicator_village

    build_indicator_village(db, officer)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    tab = window.reports.monthly
    with qtbot.waitSignal(tab.reportShown, timeout=10_000):
        window.show_page("reports")
    return tab


def facility_cell(tab):
    table = tab.table
    label = tr("report.row.facility_delivery")
    row = next(r for r in range(table.rowCount()) if table.item(r, 0) and table.item(r, 0).text() == label)
    table.scrollToItem(table.item(row, 1))
    return table.visualRect(table.model().index(row, 1)).center()


def people_windows() -> list[PeopleListDialog]:
    return [w for w in QApplication.topLevelWidgets() if isinstance(w, PeopleListDialog) and w.isVisible()]


def test_double_clicking_a_number_opens_one_list(qtbot, report_tab):
    where = facility_cell(report_tab)
    qtbot.mouseClick(report_tab.table.viewport(), LEFT, pos=where)
    qtbot.mouseDClick(report_tab.table.viewport(), LEFT, pos=where)
    qtbot.wait(50)
    opened = people_windows()
    assert len(opened) == 1, [w.windowTitle() for w in opened]
    opened[0].close()


def test_enter_on_a_number_opens_its_list(qtbot, report_tab):
    where = facility_cell(report_tab)
    qtbot.mouseClick(report_tab.table.viewport(), LEFT, pos=where)
    qtbot.keyClick(report_tab.table, Qt.Key.Key_Return)
    qtbot.wait(50)
    opened = people_windows()
    assert len(opened) == 1
    assert {opened[0].model.row_at(i).name for i in range(opened[0].model.rowCount())} == {"刘芳", "周娟"}
    opened[0].close()
