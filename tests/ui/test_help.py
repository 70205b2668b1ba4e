"""Help inside the app (issue 18): F1 on every page opens the user guide at that page's section, in Chinese and
in English, with its pictures; an empty village shows the first three steps on the dashboard, each opening
its page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QPushButton

from app.assets import resource
from app.i18n import DEFAULT_LANGUAGE, set_language, tr
from app.services import households as hh
from app.ui.help_window import guide_path, topics
from app.ui.main_window import PAGES, MainWindow
from app.ui.pages.dashboard import FirstUsePanel

GUIDES = {lang: resource("help", lang, "guide.html") for lang in ("zh_CN", "en")}
# the sections F1 opens: every page of the main window, and the Sync page (issue 15) once it is merged
SECTIONS = {key for key, _, _ in PAGES} | {"sync"}
HEADINGS = {
    "zh_CN": {"households": "家庭户和成员", "supplies": "药具"},
    "en": {"households": "Households", "supplies": "Supplies"},
}


@pytest.fixture
def in_language(request):
    set_language(request.param)
    yield request.param
    set_language(DEFAULT_LANGUAGE)


def pictures(guide: Path) -> list[str]:
    return re.findall(r'<img src="([^"]+)"', guide.read_text(encoding="utf-8"))


@pytest.mark.parametrize("lang", sorted(GUIDES))
def test_each_guide_has_a_section_for_every_page_and_all_its_pictures(lang):
    guide = GUIDES[lang]
    assert topics(guide) >= SECTIONS
    for src in pictures(guide):
        picture = (guide.parent / src).resolve()
        assert picture.is_file(), src
        assert not QImage(str(picture)).isNull(), src
    # the topics of the officer's month, each in both languages
    assert {"start", "import", "cards", "backups", "month"} <= topics(guide)


def test_the_english_guide_is_complete():
    assert topics(GUIDES["en"]) == topics(GUIDES["zh_CN"])
    assert len(pictures(GUIDES["en"])) == len(pictures(GUIDES["zh_CN"]))
    assert [Path(p).name.replace("-en", "") for p in pictures(GUIDES["en"])] == [
        Path(p).name.replace("-zh_CN", "") for p in pictures(GUIDES["zh_CN"])
    ]


@pytest.mark.parametrize("in_language", ["zh_CN", "en"], indirect=True)
def test_f1_opens_the_guide_at_the_section_of_every_page(qtbot, ctx, small_village, in_language):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    for key, _, _ in PAGES:
        window.show_page(key)
        assert window.current_page_key() == key
        window.activateWindow()  # back from the guide to the main window, as the officer would be
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_F1)
        help_window = window.help_window
        assert help_window is not None and help_window.isVisible(), key
        assert help_window.topic() == key
        assert help_window.guide == guide_path(in_language) == GUIDES[in_language]
        assert help_window.browser.source().toLocalFile() == str(GUIDES[in_language])
    text = help_window.browser.toPlainText()
    for heading in HEADINGS[in_language].values():
        assert heading in text
    assert help_window.windowTitle() == tr("help.title", name=tr("app.name"))


def test_the_help_button_and_contents(qtbot, main_window):
    main_window.show_page("supplies")
    main_window.findChild(type(main_window.actions()[0]), "helpAction").trigger()
    help_window = main_window.help_window
    assert help_window is not None and help_window.topic() == "supplies"
    qtbot.mouseClick(help_window.findChild(QPushButton, "helpContents"), Qt.MouseButton.LeftButton)
    assert help_window.topic() == "contents"
    help_window.show_topic("no_such_page")
    assert help_window.topic() == "contents"


@pytest.fixture
def empty_window(qtbot, ctx):
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    return window


def test_an_empty_village_shows_the_three_first_steps(qtbot, empty_window):
    panel = empty_window.dashboard.findChild(FirstUsePanel, "firstUsePanel")
    assert panel.isVisible()
    steps = [b.text() for b in panel.steps]
    assert steps == [
        f"1. {tr('first_use.households')} ›",
        f"2. {tr('first_use.township_key')} ›",
        f"3. {tr('first_use.backups')} ›",
    ]
    qtbot.mouseClick(panel.findChild(QPushButton, "firstUse_households"), Qt.MouseButton.LeftButton)
    assert empty_window.current_page_key() == "households"
    empty_window.show_page("dashboard")
    qtbot.mouseClick(panel.findChild(QPushButton, "firstUse_settings"), Qt.MouseButton.LeftButton)
    assert empty_window.current_page_key() == "settings"
    empty_window.show_page("dashboard")
    with qtbot.waitSignal(empty_window.dashboard.openPage) as asked:  # the Sync page arrives with issue 15
        qtbot.mouseClick(panel.findChild(QPushButton, "firstUse_sync"), Qt.MouseButton.LeftButton)
    assert asked.args == ["sync"]


def test_the_first_steps_go_once_the_first_household_is_there(qtbot, empty_window, db, officer):
    panel = empty_window.dashboard.first_use
    assert panel.isVisible()
    hh.create_household(db, officer, hh.HouseholdInput("0101", 1, "红星村一组 1 号", "13900001111"))
    empty_window.dashboard.refresh()
    assert not panel.isVisible()


def test_a_village_with_households_shows_no_first_steps(main_window):
    assert not main_window.dashboard.first_use.isVisible()
