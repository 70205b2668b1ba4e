"""The cards tab never turns "the households selected" into "all households" behind the officer's back: a
selection lost to a filter change is asked about before any card is made (issue 12, item 12)."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QMessageBox

from tests.indicator_village import build_village
from tests.ui.helpers import DialogScript
from tests.ui.save_dialog import answer_save_dialog
from tests.ui.test_reports_page import answer_offer

LEFT = Qt.MouseButton.LeftButton


@pytest.fixture
def tab(qtbot, ctx, db, officer, monkeypatch):
    from app.ui.main_window import MainWindow

    build_village(db, officer)
    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    window.show_page("reports")
    window.reports.tabs.setCurrentWidget(window.reports.cards)
    return window.reports.cards


def click_household(qtbot, tab, number: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:
    row = tab.model.find_row(lambda r: r.household_no == number)
    assert row >= 0, number
    rect = tab.view.visualRect(tab.model.index(row, 0))
    qtbot.mouseClick(tab.view.viewport(), LEFT, modifier, rect.center())


def choose_group(tab, group: int) -> None:
    tab.group_combo.setCurrentIndex(tab.group_combo.findData(group))


def select_0101_then_filter_to_group_2(qtbot, tab) -> None:
    click_household(qtbot, tab, "0101")
    qtbot.mouseClick(tab.selected_radio, LEFT)
    assert tab.selected_radio.isChecked() and tab.chosen_ids() == [tab.model.row_at(0).id]
    choose_group(tab, 2)  # 0101 is in group 1: the selection is gone


def test_a_lost_selection_stays_a_selection_and_save_asks(qtbot, tab, tmp_path):
    select_0101_then_filter_to_group_2(qtbot, tab)
    assert tab.selected_radio.isChecked() and not tab.listed_radio.isChecked()
    asked: dict = {}
    stop_waiting = answer_save_dialog(tmp_path / "never.pdf", asked)
    seen = {}

    def go_back(box):
        seen["text"] = box.text()
        assert isinstance(box, QMessageBox) and box.objectName() == "cardsSelectionLost"
        next(b for b in box.buttons() if b.text() == "返回重新选择").click()

    script = DialogScript(go_back)
    qtbot.mouseClick(tab.save_button, LEFT)
    script.done()
    qtbot.wait(100)
    stop_waiting()
    assert "全部 2 户" in seen["text"]
    assert "folder" not in asked  # no save dialog: nothing was made
    assert not (tmp_path / "never.pdf").exists()
    assert tab.selected_radio.isChecked()


def test_answering_all_listed_makes_the_listed_households_cards(qtbot, tab, tmp_path):
    from pypdf import PdfReader

    select_0101_then_filter_to_group_2(qtbot, tab)
    target = tmp_path / "group2.pdf"

    def all_listed(box):
        next(b for b in box.buttons() if b.text() == "为列表中的 2 户制作").click()

    script = DialogScript(all_listed)
    asked: dict = {}
    answer_save_dialog(target, asked)
    answer_offer(asked, "cardsSaved")
    qtbot.mouseClick(tab.save_button, LEFT)
    script.done()
    qtbot.waitUntil(lambda: "offer" in asked, timeout=20_000)
    assert tab.listed_radio.isChecked()
    text = "".join(p.extract_text() for p in PdfReader(target).pages)
    assert "赵敏" in text and "孙丽" in text and "张伟" not in text


def test_the_preview_asks_too(qtbot, tab):
    select_0101_then_filter_to_group_2(qtbot, tab)
    seen = []

    def go_back(box):
        seen.append(box.objectName())
        next(b for b in box.buttons() if b.text() == "返回重新选择").click()

    script = DialogScript(go_back)
    qtbot.mouseClick(tab.preview_button, LEFT)
    script.done()
    assert seen == ["cardsSelectionLost"]
    assert getattr(tab, "preview_dialog", None) is None


def test_households_still_listed_stay_selected_when_the_filter_changes(qtbot, tab):
    click_household(qtbot, tab, "0101")
    click_household(qtbot, tab, "0201", Qt.KeyboardModifier.ControlModifier)
    assert len(tab.selected_households()) == 2
    choose_group(tab, 2)
    assert [r.household_no for r in tab.selected_households()] == ["0201"]
    assert tab.selected_radio.text() == "选中的 1 户"
