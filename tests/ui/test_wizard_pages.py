"""The first-run wizard checks each page's own fields (issue 12, item 10): a wrong township code is said at the
township code, on the township page, and never sends the officer back to the village page nor blocks it."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.services.village import village_info
from app.ui.dialogs.setup_wizard import SetupWizard
from tests.ui.helpers import ime_type

LEFT = Qt.MouseButton.LeftButton


def click(qtbot, wizard, which: QWizard.WizardButton) -> None:
    qtbot.mouseClick(wizard.button(which), LEFT)


def to_township_page(qtbot, wizard) -> None:
    ime_type(wizard.village_name, "青山村")
    qtbot.keyClicks(wizard.village_code, "620422103205")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.township_page


def test_a_wrong_township_code_is_said_at_the_township_code(qtbot, tmp_path):
    wizard = SetupWizard(tmp_path / "data")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    to_township_page(qtbot, wizard)
    ime_type(wizard.township_name, "白银镇")
    qtbot.keyClicks(wizard.township_code, "620422104000")  # another township's code
    click(qtbot, wizard, QWizard.WizardButton.NextButton)

    assert wizard.currentPage() is wizard.township_page  # not sent back to the village page
    message = wizard.township_page.errors.message_of("township_code")
    assert "乡镇代码" in message and "620422103" in message
    assert wizard.village_page.errors.message_of("village_code") == ""

    # the village code was right: going back, Next is not blocked, and nothing is said there
    click(qtbot, wizard, QWizard.WizardButton.BackButton)
    assert wizard.currentPage() is wizard.village_page
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.township_page
    assert wizard.village_page.errors.message_of("village_code") == ""

    # correcting the township code is all it takes
    wizard.township_code.clear()
    qtbot.keyClicks(wizard.township_code, "620422103000")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.officer_page


def test_each_page_refuses_its_own_missing_field_and_finish_sets_up(qtbot, tmp_path):
    wizard = SetupWizard(tmp_path / "data")
    qtbot.addWidget(wizard)
    wizard.show()
    qtbot.waitExposed(wizard)
    to_township_page(qtbot, wizard)
    qtbot.keyClicks(wizard.township_code, "620422103000")  # no township name yet
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.township_page
    assert wizard.township_page.errors.message_of("township_name")
    ime_type(wizard.township_name, "白银镇")
    click(qtbot, wizard, QWizard.WizardButton.NextButton)
    assert wizard.currentPage() is wizard.officer_page

    ime_type(wizard.officer_name, "王丽")
    qtbot.keyClicks(wizard.username, "wangli")
    qtbot.keyClicks(wizard.password, "abc123xyz")
    qtbot.keyClicks(wizard.password2, "abc123xyz")
    click(qtbot, wizard, QWizard.WizardButton.CommitButton)
    assert wizard.currentPage() is wizard.keys_page  # the township's keys: may come later
    click(qtbot, wizard, QWizard.WizardButton.FinishButton)
    info = village_info(wizard.session.db)
    wizard.session.close()
    assert (info.code, info.township_code) == ("620422103205", "620422103000")
