"""The household register as the officer uses it: filter as you type, see members, find from anywhere."""

from PySide6.QtCore import Qt

from tests.ui.helpers import ime_type


def household_numbers(page):
    return [r.household_no for r in page.household_model.rows()]


def test_register_lists_households_and_members(qtbot, main_window):
    page = main_window.households
    assert household_numbers(page) == ["0101", "0201"]
    page.household_view.select_row(0)
    names = [r.name for r in page.member_model.rows()]
    assert names == ["张三", "李梅", "张小花"]  # head first, then spouse, then children


def test_filter_as_you_type_by_pinyin_initials(qtbot, main_window):
    page = main_window.households
    qtbot.keyClicks(page.filter_edit, "zgq")
    assert household_numbers(page) == ["0201"]
    page.filter_edit.clear()
    ime_type(page.filter_edit, "李梅")
    assert household_numbers(page) == ["0101"]


def test_global_search_jumps_to_person(qtbot, main_window):
    box = main_window.search_box
    qtbot.keyClick(main_window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(box, "zxh")
    qtbot.keyClick(box, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: box.popup.isVisible())
    assert "张小花" in box.results.item(0).text()
    qtbot.keyClick(box.results, Qt.Key.Key_Return)
    page = main_window.households
    assert page.selected_household().household_no == "0101"
    assert page.selected_member().name == "张小花"


def test_table_models_pass_qtmodeltester(qtbot, qtmodeltester, main_window):
    page = main_window.households
    page.household_view.select_row(0)
    qtmodeltester.check(page.household_model, force_py=True)
    qtmodeltester.check(page.member_model, force_py=True)
    # the tester keeps watching: sorting, filtering and re-reading must keep the models consistent
    page.household_model.sort(2, Qt.SortOrder.DescendingOrder)
    qtbot.keyClicks(page.filter_edit, "zs")
    page.refresh()
    page.household_view.select_row(0)
