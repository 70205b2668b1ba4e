"""First run: the officer types the village, township and account; mistakes are explained at the field."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.services import auth, households
from app.services.village import village_info
from app.ui.dialogs.setup_wizard import SetupWizard
from tests.ui.helpers import ime_type


def next_button(wizard):
    return wizard.button(QWizard.WizardButton.NextButton)


def test_wizard_sets_up_the_village(qtbot, empty_db, tmp_path):
    wizard = SetupWizard(empty_db, tmp_path)
    qtbot.addWidget(wizard)
    finished = []
    wizard.finished_setup.connect(lambda: finished.append(True))
    wizard.show()
    qtbot.waitExposed(wizard)

    ime_type(wizard.village_name, "青山村")
    qtbot.keyClicks(wizard.village_code, "62042210320")  # one digit short
    qtbot.mouseClick(next_button(wizard), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.village_page
    assert "12 位数字" in wizard.village_page.errors.message_of("village_code")
    qtbot.keyClicks(wizard.village_code, "5")
    wizard.groups.clear()
    ime_type(wizard.groups, "上组\n下组")
    qtbot.mouseClick(next_button(wizard), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.township_page

    ime_type(wizard.township_name, "白银镇")
    qtbot.keyClicks(wizard.township_code, "620422103000")
    qtbot.mouseClick(next_button(wizard), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.officer_page

    ime_type(wizard.officer_name, "王丽")
    qtbot.keyClicks(wizard.officer_phone, "13800138000")
    qtbot.keyClicks(wizard.username, "wangli")
    qtbot.keyClicks(wizard.password, "abc123xyz")
    qtbot.keyClicks(wizard.password2, "abc123xy")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert "不一样" in wizard.officer_page.errors.message_of("password_again")
    assert not finished
    qtbot.keyClicks(wizard.password2, "z")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    assert finished
    info = village_info(empty_db)
    assert (info.name, info.code, info.township_code) == ("青山村", "620422103205", "620422103000")
    assert households.list_groups(empty_db) == [(1, "上组"), (2, "下组")]
    user = auth.login(empty_db, "wangli", "abc123xyz")
    assert user.display_name == "王丽" and user.role == "admin"
