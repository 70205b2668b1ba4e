"""Answering the app's save dialog (app.ui.file_dialogs) as a person would: read what it proposes, type a file
name, press Save."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QFileDialog, QLineEdit


def answer_save_dialog(target: Path | None, asked: dict, typed: str | None = None) -> Callable[[], None]:
    """When the save dialog shows, note its title, proposed path, folder, filters and labels in `asked`, then
    save to `target` typed without its extension (None: press Cancel); `typed` overrides what is typed.
    Returns a function that stops waiting (for a test that expects no dialog: the wait must not outlive it)."""
    waiting = [True]

    def answer() -> None:
        if not waiting[0]:
            return
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QFileDialog):
            QTimer.singleShot(20, answer)
            return
        asked.update(
            title=dialog.windowTitle(),
            default=dialog.selectedFiles()[0],
            folder=dialog.directory().absolutePath(),
            filters=dialog.nameFilters(),
            labels={which: dialog.labelText(which) for which in QFileDialog.DialogLabel},
        )
        if target is None:
            dialog.reject()
            return
        name = dialog.findChild(QLineEdit, "fileNameEdit")  # Qt's own dialog: type into the file name
        name.setText(typed if typed is not None else str(target.with_suffix("")))
        dialog.accept()

    QTimer.singleShot(20, answer)
    return lambda: waiting.__setitem__(0, False)
