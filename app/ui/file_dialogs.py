"""The one way the app asks where to save a file: a file dialog that speaks the app's language, opens in the
folder used last time (at first the person's Documents folder, never the app's data folder), and remembers the
folder chosen.

Qt's own widget-based dialog (Linux without a desktop's portal) takes its words from qtbase_*.qm, which leaves
"Look in:" and "Files of type:" in English: every label the dialog lets an application set is set here from our
catalogue. Native dialogs (Windows, macOS) speak the system's language and keep the folder and file name given.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings, QStandardPaths
from PySide6.QtWidgets import QFileDialog, QListView, QSplitter, QWidget

from app.i18n import tr

LAST_FOLDER_KEY = "files/last_folder"
LABELS = {
    QFileDialog.DialogLabel.LookIn: "files.look_in",
    QFileDialog.DialogLabel.FileName: "files.file_name",
    QFileDialog.DialogLabel.FileType: "files.file_type",
    QFileDialog.DialogLabel.Accept: "files.save",
    QFileDialog.DialogLabel.Reject: "common.cancel",
}


def documents_folder() -> Path:
    """The person's Documents folder (QStandardPaths), or their home folder when there is none."""
    documents = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    if documents and Path(documents).is_dir():
        return Path(documents)
    return Path.home()


def start_folder(settings: QSettings) -> Path:
    """Where the next file dialog opens: the folder last saved to, while it still exists; else Documents."""
    last = settings.value(LAST_FOLDER_KEY)
    if isinstance(last, str) and last and Path(last).is_dir():
        return Path(last)
    return documents_folder()


def save_dialog(
    parent: QWidget | None, settings: QSettings, title: str, file_name: str, file_filter: str
) -> QFileDialog:
    """The dialog, not yet shown: `file_name` (no folder) proposed in the start folder."""
    dialog = QFileDialog(parent, title, str(start_folder(settings) / file_name), file_filter)
    dialog.setObjectName("saveFileDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptSave)
    dialog.setFileMode(QFileDialog.FileMode.AnyFile)
    suffix = Path(file_name).suffix.lstrip(".")
    if suffix:
        dialog.setDefaultSuffix(suffix)
    for which, text_id in LABELS.items():
        dialog.setLabelText(which, tr(text_id))
    dialog.selectFile(file_name)
    _widen_sidebar(dialog)
    return dialog


def _widen_sidebar(dialog: QFileDialog) -> None:
    """Qt's own dialog opens its list of places too narrow for "计算机" at a larger text size."""
    sidebar = dialog.findChild(QListView, "sidebar")
    splitter = dialog.findChild(QSplitter, "splitter")
    if sidebar is None or splitter is None or sidebar.model() is None:
        return
    need = sidebar.sizeHintForColumn(0) + 2 * sidebar.frameWidth() + 8
    sizes = splitter.sizes()
    if len(sizes) == 2 and sizes[0] < need:
        splitter.setSizes([need, max(sum(sizes) - need, need)])


def ask_save_path(
    parent: QWidget | None, settings: QSettings, title: str, file_name: str, file_filter: str
) -> Path | None:
    """The path the person chose to save to (with the suggested name's extension when they typed none), or
    None when they cancelled. The chosen folder is where the next dialog opens."""
    dialog = save_dialog(parent, settings, title, file_name, file_filter)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        chosen = Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
    suffix = Path(file_name).suffix
    if suffix and chosen.suffix.lower() != suffix.lower():
        chosen = chosen.with_name(chosen.name + suffix)
    settings.setValue(LAST_FOLDER_KEY, str(chosen.parent))
    return chosen
