"""The shell around the pages: Qt's own strings in Chinese, calm errors, and guards against known Qt traps."""

import logging

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QMessageBox

from app.ui import errors as ui_errors
from app.ui.application import install_translations
from app.ui.dialogs.household_form import HouseholdForm
from tests.ui.helpers import ime_type


def test_qt_own_dialog_buttons_are_chinese(qapp):
    install_translations(qapp, "zh_CN")
    # QPlatformTheme's button text is what QMessageBox and QDialogButtonBox show for Cancel
    assert QCoreApplication.translate("QPlatformTheme", "Cancel") == "取消"


def test_void_qt_calls_do_not_crash(qtbot):
    """PySide6 6.12.0 on CPython 3.11 drops a reference to None on every void call and aborts after a few
    thousand (pitfalls.md). An upgrade that brings that back fails here instead of in an officer's hands."""
    label = QLabel()
    qtbot.addWidget(label)
    for i in range(10_000):
        label.setText(str(i))
    assert label.text() == "9999"


def test_unexpected_error_is_logged_and_shown_calmly(qtbot, ctx, small_village, monkeypatch, tmp_path):
    log_file = ui_errors.setup_logging(tmp_path)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Discard)

    def broken(*args, **kwargs):
        raise RuntimeError("disk unplugged")

    monkeypatch.setattr("app.services.households.create_household", broken)
    form = HouseholdForm(ctx)
    qtbot.addWidget(form)
    form.show()
    qtbot.keyClicks(form.number, "0999")
    ime_type(form.address, "三组")
    qtbot.keyClick(form.number, Qt.Key.Key_Return)
    assert form.isVisible()  # nothing lost: the form stays open with what was typed
    assert form.number.text() == "0999"
    assert len(shown) == 1 and str(log_file) in shown[0] and "Traceback" not in shown[0]
    for handler in logging.getLogger().handlers:
        handler.flush()
    assert "disk unplugged" in log_file.read_text(encoding="utf-8")
