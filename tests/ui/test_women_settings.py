"""The women's register and the settings page, driven through their real widgets."""

from __future__ import annotations

import datetime as dt

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QMessageBox,
    QTableView,
    QTextBrowser,
)

from app import __version__
from app.i18n import tr
from app.services import households as hh
from app.ui.application import TEXT_SIZES, apply_text_size
from app.ui.dialogs.about import AboutDialog
from app.ui.pages.settings import SettingsPage
from app.ui.pages.women import WomenPage
from tests.conftest import TODAY  # 2026-11-24
from tests.ui.helpers import ime_type


@pytest.fixture
def village(db, officer, small_village):
    """The fixture village (李梅, 34, is its only woman of 15–49) plus, in household 0201 (group 2):
    王芳 who turns 15 today, 赵丽 who turns 50 tomorrow, and 孙燕 who moved away."""
    h2 = small_village["h2"]
    ids = dict(small_village)
    for name, birth, extra in (
        ("王芳", dt.date(2011, 11, 24), {}),
        ("赵丽", dt.date(1976, 11, 25), {"marital_status": "first_marriage", "phone": "13700003333"}),
        ("孙燕", dt.date(1995, 1, 1), {}),
    ):
        data = hh.PersonInput(name=name, sex="F", birth_date=birth, relation="other", **extra)
        ids[name] = hh.add_person(db, officer, h2, data, TODAY)
    hh.record_move_away(db, officer, ids["孙燕"], dt.date(2025, 3, 1), "兰州", TODAY)
    return ids


@pytest.fixture
def women_page(qtbot, ctx, village):
    page = WomenPage(ctx)
    qtbot.addWidget(page)
    page.resize(1180, 640)
    page.show()
    qtbot.waitExposed(page)
    return page


def shown_names(page):
    return sorted(r.name for r in page.model.rows())


def type_date(qtbot, page, text):
    edit = page.findChild(QLineEdit, "womenReferenceDate")
    edit.selectAll()
    qtbot.keyClicks(edit, text)
    qtbot.keyClick(edit, Qt.Key.Key_Return)


def test_lists_the_women_of_the_village(women_page):
    assert shown_names(women_page) == sorted(["李梅", "王芳", "赵丽"])
    table = women_page.findChild(QTableView, "womenTable")
    model = table.model()
    headers = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert headers[:3] == [tr("members.col.name"), tr("members.col.age"), tr("members.col.birth_date")]
    zhao = model.find_row(lambda r: r.name == "赵丽")
    assert model.index(zhao, 1).data() == "49"
    assert model.index(zhao, 3).data() == tr("vocab.marital.first_marriage")
    assert model.index(zhao, 6).data() == "13700003333"
    li = model.find_row(lambda r: r.name == "李梅")
    assert model.index(li, 6).data() == "13900001111"  # the household's phone
    count = women_page.findChild(QLabel, "womenCount")
    assert count.text() == tr("women.count", count=3, date="2026-11-24")


def test_typing_in_the_filter_narrows_the_list(qtbot, women_page):
    box = women_page.findChild(QLineEdit, "womenFilter")
    qtbot.keyClicks(box, "wf")
    assert shown_names(women_page) == ["王芳"]
    box.clear()
    ime_type(box, "赵")
    assert shown_names(women_page) == ["赵丽"]
    box.clear()
    qtbot.keyClicks(box, "0101")
    assert shown_names(women_page) == ["李梅"]
    box.clear()
    assert len(shown_names(women_page)) == 3


def test_group_marital_and_age_filters(qtbot, women_page):
    group = women_page.findChild(QComboBox, "womenGroupFilter")
    group.setCurrentIndex(group.findData(2))
    assert shown_names(women_page) == sorted(["王芳", "赵丽"])
    marital = women_page.findChild(QComboBox, "womenMaritalFilter")
    marital.setCurrentIndex(marital.findData("unmarried"))
    assert shown_names(women_page) == ["王芳"]
    group.setCurrentIndex(0)
    marital.setCurrentIndex(0)
    ages = women_page.findChild(QComboBox, "womenAgeFilter")
    assert ages.count() == 8  # all, then 15–19 … 45–49
    ages.setCurrentIndex(ages.findText(tr("women.age_band", low=45, high=49)))
    assert shown_names(women_page) == ["赵丽"]
    ages.setCurrentIndex(1)
    assert shown_names(women_page) == ["王芳"]


def test_typing_a_reference_date_updates_the_list(qtbot, women_page):
    type_date(qtbot, women_page, "20261125")
    assert shown_names(women_page) == sorted(["李梅", "王芳"])  # 赵丽 is 50 tomorrow
    type_date(qtbot, women_page, "2026.11.23")
    assert shown_names(women_page) == sorted(["李梅", "赵丽"])  # 王芳 is still 14 yesterday
    type_date(qtbot, women_page, "2026-11-24")
    assert shown_names(women_page) == sorted(["李梅", "王芳", "赵丽"])
    ages = {r.name: r.age for r in women_page.model.rows()}
    assert ages == {"李梅": 34, "王芳": 15, "赵丽": 49}


def test_an_unreadable_date_is_refused_at_the_field(qtbot, women_page):
    error = women_page.findChild(QLabel, "womenReferenceDateError")
    assert not error.isVisible()
    type_date(qtbot, women_page, "2026-13-45")
    assert error.isVisible()
    assert error.text() == tr("date.invalid", value="2026-13-45")
    assert (
        "2026-13-45" in error.text() and "20240503" in error.text()
    )  # says what is wrong and how to type it
    assert shown_names(women_page) == sorted(["李梅", "王芳", "赵丽"])  # the list stays as it was
    assert women_page.reference_date() == TODAY
    type_date(qtbot, women_page, "20261125")
    assert not error.isVisible()
    assert shown_names(women_page) == sorted(["李梅", "王芳"])
    edit = women_page.findChild(QLineEdit, "womenReferenceDate")
    edit.clear()
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    assert error.isVisible() and error.text() == tr("women.reference_date_required")
    qtbot.mouseClick(women_page.today_button, Qt.MouseButton.LeftButton)
    assert not error.isVisible() and edit.text() == "2026-11-24"


def test_double_click_and_enter_choose_a_woman(qtbot, women_page, village):
    table = women_page.findChild(QTableView, "womenTable")
    row = women_page.model.find_row(lambda r: r.name == "赵丽")
    table.select_row(row)
    with qtbot.waitSignal(women_page.personChosen) as blocker:
        qtbot.keyClick(table, Qt.Key.Key_Return)
    assert blocker.args == [village["h2"], village["赵丽"]]
    row = women_page.model.find_row(lambda r: r.name == "李梅")
    rect = table.visualRect(women_page.model.index(row, 0))
    with qtbot.waitSignal(women_page.personChosen) as blocker:
        qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args[0] == village["h1"]


def test_refresh_rereads_after_a_change_elsewhere(db, officer, women_page, village):
    hh.add_person(
        db,
        officer,
        village["h1"],
        hh.PersonInput(name="钱小红", sex="F", birth_date=dt.date(2000, 1, 1), relation="other"),
        TODAY,
    )
    women_page.refresh()
    assert "钱小红" in shown_names(women_page)


def test_women_model_passes_qtmodeltester(qtbot, qtmodeltester, women_page):
    """check() once: the tester stays connected and checks every later sort and reset as it happens
    (a second check() would connect it twice and trip over its own bookkeeping)."""
    qtmodeltester.check(women_page.model, force_py=True)
    women_page.model.sort(1, Qt.SortOrder.DescendingOrder)
    assert [r.name for r in women_page.model.rows()] == ["赵丽", "李梅", "王芳"]
    women_page.model.sort(8, Qt.SortOrder.AscendingOrder)  # pregnancy: nobody is, so all sort alike
    qtbot.keyClicks(women_page.findChild(QLineEdit, "womenFilter"), "wf")  # a reset to one row
    assert shown_names(women_page) == ["王芳"]


# ---------------------------------------------------------------- settings


@pytest.fixture
def settings_page(qtbot, ctx):
    page = SettingsPage(ctx)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


@pytest.fixture
def restore_app_font():
    app = QApplication.instance()
    font = app.font()
    yield
    app.setFont(font)


def test_choosing_english_saves_it_and_says_restart(qtbot, monkeypatch, ctx, settings_page):
    shown = []
    monkeypatch.setattr(QMessageBox, "information", lambda parent, title, text, *a, **k: shown.append(text))
    combo = settings_page.findChild(QComboBox, "settingsLanguage")
    assert combo.currentData() == "zh_CN"
    with qtbot.waitSignal(settings_page.languageChanged) as blocker:
        combo.setCurrentIndex(combo.findText("English"))
    assert blocker.args == ["en"]
    assert ctx.settings.value("ui/language") == "en"
    assert len(shown) == 1
    assert tr("settings.language_restart", language="English") in shown[0]  # in Chinese, the language in use
    assert "restart" in shown[0]  # and in English, the language chosen


def test_largest_text_size_applies_at_once(qtbot, ctx, settings_page, restore_app_font):
    app = QApplication.instance()
    apply_text_size(app, "normal")
    combo = settings_page.findChild(QComboBox, "settingsTextSize")
    assert [combo.itemText(i) for i in range(combo.count())] == ["标准", "大", "特大"]
    with qtbot.waitSignal(settings_page.textSizeChanged) as blocker:
        combo.setCurrentIndex(combo.count() - 1)
    assert blocker.args == ["larger"]
    assert app.font().pointSize() == TEXT_SIZES["larger"] == max(TEXT_SIZES.values())
    assert ctx.settings.value("ui/text_size") == "larger"


def test_larger_text_keeps_table_rows_tall_enough(qtbot, ctx, women_page, restore_app_font):
    app = QApplication.instance()
    apply_text_size(app, "larger")
    qtbot.wait(10)
    table = women_page.findChild(QTableView, "womenTable")
    assert table.font().pointSize() == TEXT_SIZES["larger"]
    assert table.rowHeight(0) >= table.fontMetrics().height() + 8  # rows grow with the text


def test_settings_show_folder_village_user_and_about(monkeypatch, ctx, settings_page):
    folder = settings_page.findChild(QLineEdit, "settingsDataFolder")
    assert folder.text() == str(ctx.data_dir) and folder.isReadOnly()
    assert settings_page.findChild(QLabel, "settingsVillageName").text() == "红星村"
    assert settings_page.findChild(QLabel, "settingsVillageCode").text() == "620422103201"
    assert "白银镇" in settings_page.findChild(QLabel, "settingsTownship").text()
    assert "李秀英" in settings_page.findChild(QLabel, "settingsUser").text()
    opened = []
    monkeypatch.setattr(
        "app.ui.pages.settings.QDesktopServices.openUrl", lambda url: opened.append(url) or True
    )
    settings_page.open_folder_button.click()
    assert opened[0].toLocalFile() == str(ctx.data_dir)
    about = []

    def read_about(dialog):
        about.append(dialog.findChild(QLabel, "aboutSummary").text())
        about.append(dialog.findChild(QTextBrowser, "aboutNotices").toPlainText())
        return 0

    monkeypatch.setattr(AboutDialog, "exec", read_about)
    settings_page.findChild(type(settings_page.about_button), "settingsAbout").click()
    assert __version__ in about[0] and "Apache-2.0" in about[0] and "自愿" in about[0]
    # the third-party notices: Qt's LGPL, SQLCipher and OpenSSL inside sqlcipher3, the PDF font
    for part in ("GNU LESSER GENERAL PUBLIC LICENSE", "ZETETIC LLC", "OpenSSL", "WenQuanYi", "PySide6"):
        assert part in about[1]
