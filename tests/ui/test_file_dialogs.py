"""Where to save a file is asked in Chinese, in the person's Documents folder at first and then in the folder
they used last, by every save button of the app (issue 12, item 16)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFileDialog, QLabel, QPushButton

from tests.ui.save_dialog import answer_save_dialog
from tests.ui.test_reports_page import answer_offer

LEFT = Qt.MouseButton.LeftButton
ENGLISH = ("Look in", "Files of type", "File name", "&Save", "Cancel")


@pytest.fixture
def documents(tmp_path, monkeypatch) -> Path:
    """A home folder of the test's own with a Documents folder in it (Qt reads $HOME on every call)."""
    home = tmp_path / "home"
    (home / "Documents").mkdir(parents=True)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    monkeypatch.delenv("XDG_DOCUMENTS_DIR", raising=False)
    return home / "Documents"


@pytest.fixture
def reports(qtbot, ctx, small_village, documents):
    from app.ui.main_window import MainWindow

    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    page = window.reports
    with qtbot.waitSignal(page.monthly.reportShown, timeout=10_000):
        window.show_page("reports")
    return page


def test_the_save_dialog_speaks_chinese(qtbot, ctx, documents):
    from app.ui.file_dialogs import save_dialog

    dialog = save_dialog(None, ctx.settings, "导出报表", "月报.xlsx", "Excel 工作簿 (*.xlsx)")
    qtbot.addWidget(dialog)
    dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own dialog, as on Linux
    dialog.show()
    qtbot.waitExposed(dialog)
    shown = [label.text() for label in dialog.findChildren(QLabel) if label.isVisible()]
    assert "查找范围：" in shown and "文件名：" in shown and "文件类型：" in shown, shown
    assert not [text for text in shown if any(word in text for word in ENGLISH)], shown
    buttons = {b.text() for b in dialog.findChildren(QPushButton) if b.isVisible()}
    assert {"保存", "取消"} <= buttons, buttons
    assert Path(dialog.directory().absolutePath()) == documents
    dialog.reject()


def test_the_first_dialog_opens_in_documents_and_the_next_where_the_last_file_went(
    qtbot, reports, ctx, documents, tmp_path, monkeypatch
):
    from PySide6.QtGui import QDesktopServices

    monkeypatch.setattr(QDesktopServices, "openUrl", lambda url: True)
    out = tmp_path / "U盘"
    out.mkdir()
    asked: dict = {}
    answer_save_dialog(out / "report.xlsx", asked)
    answer_offer(asked, "reportExported")
    qtbot.mouseClick(reports.monthly.xlsx_button, LEFT)
    qtbot.waitUntil(lambda: "offer" in asked, timeout=20_000)
    assert Path(asked["folder"]) == documents != ctx.data_dir
    assert Path(asked["default"]).name == "2026年10月月报.xlsx"
    assert (out / "report.xlsx").is_file()

    # another page's save button, another day: the folder chosen last time
    reports.tabs.setCurrentWidget(reports.registers)
    asked.clear()
    answer_save_dialog(None, asked)  # looked, then cancelled: nothing is written
    qtbot.mouseClick(reports.registers.export_button, LEFT)
    qtbot.waitUntil(lambda: "folder" in asked, timeout=10_000)
    assert Path(asked["folder"]) == out
    assert asked["labels"][QFileDialog.DialogLabel.LookIn] == "查找范围："


def test_a_folder_gone_since_falls_back_to_documents(qtbot, ctx, documents, tmp_path):
    from app.ui.file_dialogs import ask_save_path

    stick = tmp_path / "stick"
    stick.mkdir()
    asked: dict = {}
    answer_save_dialog(stick / "卡.pdf", asked)
    assert ask_save_path(None, ctx.settings, "保存", "卡.pdf", "PDF 文件 (*.pdf)") == stick / "卡.pdf"
    assert Path(asked["folder"]) == documents
    stick.rmdir()  # the USB stick was taken out
    asked.clear()
    answer_save_dialog(None, asked)
    assert ask_save_path(None, ctx.settings, "保存", "卡.pdf", "PDF 文件 (*.pdf)") is None
    assert Path(asked["folder"]) == documents
