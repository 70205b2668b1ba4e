"""First run: the officer types the village, township and account; mistakes are explained at the field."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWizard

from app.db import is_plain_sqlite
from app.services import households, login
from app.services.village import village_info
from app.sync import keys
from app.ui.dialogs.setup_wizard import SetupWizard
from tests.ui.helpers import ime_type


def township_keys_of(code):
    from tests.sync_keys import township_public_keys

    return township_public_keys(code)


def next_button(wizard):
    return wizard.button(QWizard.WizardButton.NextButton)


def test_wizard_sets_up_the_village(qtbot, tmp_path):
    folder = tmp_path / "data"
    wizard = SetupWizard(folder)
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
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    assert "不一样" in wizard.officer_page.errors.message_of("password_again")
    assert wizard.session is None
    qtbot.keyClicks(wizard.password2, "z")
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.CommitButton), Qt.MouseButton.LeftButton)
    assert wizard.currentPage() is wizard.keys_page
    assert not finished

    # the township's keys, pasted: its fingerprints are shown to compare before finishing
    wizard.township_keys.setPlainText("age1 是不完整的")
    assert "不是完整的公钥" in wizard.keys_fingerprint.text()
    wizard.township_keys.setPlainText(keys.demo_township_keys().text())
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)
    assert "演示乡镇" in wizard.keys_page.errors.message_of("keys")  # a real village refuses the demo key
    assert not finished
    township = township_keys_of("620422103000")
    wizard.township_keys.setPlainText(township.text())
    assert keys.read_aloud(township.sign_id) in wizard.keys_fingerprint.text()
    qtbot.mouseClick(wizard.button(QWizard.WizardButton.FinishButton), Qt.MouseButton.LeftButton)

    assert finished
    session = wizard.session  # the new village, encrypted, opened as its first officer
    try:
        own, enrolled = keys.read_keys(session.db)
        assert own is not None and own.node == "620422103205"  # the village's own keys made at set-up
        assert enrolled == township
        info = village_info(session.db)
        assert (info.name, info.code, info.township_code) == ("青山村", "620422103205", "620422103000")
        assert households.list_groups(session.db) == [(1, "上组"), (2, "下组")]
        assert (session.user.display_name, session.user.role) == ("王丽", "admin")
    finally:
        session.close()
    assert not is_plain_sqlite(folder / "fhdesk.sqlite")
    again = login.open_village(folder, "wangli", "abc123xyz")  # the password typed in the wizard opens it
    again.close()
