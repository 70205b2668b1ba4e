"""备份与恢复 on screen: back up now (into the data folder, or onto a USB stick, removable drives offered first)
and choose a backup to restore after seeing what it holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QStandardPaths, QStorageInfo, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app import backups, config
from app.clock import CHINA_TZ
from app.errors import DomainError
from app.i18n import tr
from app.progress import Cancelled, ProgressFn
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView


def removable_folders() -> list[Path]:
    """Mounted drives that look removable (a USB stick): under /media, /run/media or /mnt on Linux, any
    ready drive other than the system's on Windows; the largest free space first."""
    system = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.HomeLocation)).anchor
    found = []
    for volume in QStorageInfo.mountedVolumes():
        if not volume.isValid() or not volume.isReady() or volume.isReadOnly():
            continue
        root = Path(volume.rootPath())
        text = str(root)
        linux_removable = text.startswith(("/media/", "/run/media/", "/mnt/"))
        windows_other = len(text) <= 3 and text[1:2] == ":" and root.anchor != system
        if linux_removable or windows_other:
            found.append((volume.bytesAvailable(), root))
    return [root for _, root in sorted(found, reverse=True)]


def ask_removable_folder(
    parent: QWidget, ctx: AppContext, *, title: str, question: str, settings_key: str
) -> Path | None:
    """A folder to write to, USB sticks first: the removable drives in a list with "another folder…" last,
    then the folder dialog (opening where the last one was chosen)."""
    drives = removable_folders()
    other = tr("backups_ui.other_folder")
    if drives:
        choice, ok = QInputDialog.getItem(
            parent, title, question, [str(d) for d in drives] + [other], 0, False
        )
        if not ok:
            return None
        if choice != other:
            return Path(choice)
    start = str(ctx.settings.value(settings_key, "")) or QStandardPaths.writableLocation(
        QStandardPaths.StandardLocation.DocumentsLocation
    )
    chosen = QFileDialog.getExistingDirectory(parent, title, start)
    if not chosen:
        return None
    ctx.settings.setValue(settings_key, chosen)
    return Path(chosen)


def ask_backup_folder(parent: QWidget, ctx: AppContext) -> Path | None:
    """Where to put a backup on a stick: the removable drives first, then "another folder…"."""
    return ask_removable_folder(
        parent,
        ctx,
        title=tr("backups_ui.to_stick_title"),
        question=tr("backups_ui.to_stick_question"),
        settings_key="backups/last_folder",
    )


def _when(info: backups.BackupInfo) -> str:
    return info.made_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")


class RestoreDialog(QDialog):
    """The backups of the data folder (or one chosen elsewhere); what the chosen one holds is shown before
    anything changes, and the restore asks once more."""

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("restoreDialog")
        self.setWindowTitle(tr("backups_ui.restore_title"))
        self.ctx = ctx
        self.chosen: Path | None = None
        columns: list[Column[backups.BackupInfo]] = [
            Column("backups_ui.col.when", _when, width=130),
            Column("backups_ui.col.why", lambda b: backups.label_text(b.label), width=90),
            Column(
                "backups_ui.col.people", lambda b: str(b.counts.get("person", "")), align_right=True, width=70
            ),
            Column("backups_ui.col.file", lambda b: b.path.name, width=260),
        ]
        self.model: RowTableModel[backups.BackupInfo] = RowTableModel(columns, self)
        self.view = RegisterView(self.model, ctx.settings, "restore_backups", sort_column=-1)
        self.view.setObjectName("backupList")
        self.view.selectionModel().currentRowChanged.connect(self._show_selected)
        self.details = QLabel(tr("backups_ui.choose_one"))
        self.details.setObjectName("restorePreview")
        self.details.setWordWrap(True)
        self.details.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        other = QPushButton(tr("backups_ui.other_file"))
        other.setObjectName("restoreOtherFile")
        other.clicked.connect(self._other_file)
        buttons = QDialogButtonBox()
        self.restore_button = buttons.addButton(
            tr("backups_ui.restore"), QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.restore_button.setObjectName("restoreButton")
        self.restore_button.setEnabled(False)
        buttons.addButton(other, QDialogButtonBox.ButtonRole.ActionRole)
        cancel = buttons.addButton(tr("common.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.restore_button.clicked.connect(self._confirm)
        cancel.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.details)
        layout.addWidget(buttons)
        self.resize(680, 420)
        self.model.set_rows(backups.list_backups(config.backups_dir(ctx.data_dir)))
        self._candidate: Path | None = None
        if self.model.rowCount():
            self.view.select_row(0)

    def _show_selected(self, *_: object) -> None:
        row = self.view.current_row()
        if isinstance(row, backups.BackupInfo):
            self._preview(row.path)

    def _other_file(self) -> None:
        name, _ = QFileDialog.getOpenFileName(
            self, tr("backups_ui.other_file"), str(config.backups_dir(self.ctx.data_dir)), "*.sqlite"
        )
        if name:
            self._preview(Path(name))

    def _preview(self, path: Path) -> None:
        """Read what the backup holds (nothing changes yet); refused in one sentence when it cannot be one."""
        self._candidate = None
        self.restore_button.setEnabled(False)
        key = self.ctx.login.key if self.ctx.login is not None else None
        try:
            preview = backups.preview_restore(path, key)
        except DomainError as e:
            self.details.setText(e.message())
            return
        info = preview.info
        newest = "、".join(
            f"{tr(f'backups_ui.table.{table}') if table in TABLES else table} ({at[:16]})"
            for table, at in preview.newest_records
        )
        self.details.setText(
            tr(
                "backups_ui.holds",
                when=_when(info),
                households=info.counts.get("household", 0),
                people=info.counts.get("person", 0),
                pregnancies=info.counts.get("pregnancy", 0),
                newest=newest or "—",
                file=path.name,
            )
        )
        self._candidate = path
        self.restore_button.setEnabled(True)

    def _confirm(self) -> None:
        if self._candidate is None:
            return
        answer = QMessageBox.question(
            self,
            tr("backups_ui.restore_title"),
            tr("backups_ui.restore_question"),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            QMessageBox.StandardButton.No,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.chosen = self._candidate
            self.accept()


TABLES = (
    "household",
    "person",
    "pregnancy",
    "followup",
    "stock_movement",
    "contraceptive_method",
    "vital_event",
)


def back_up_now(parent: QWidget, ctx: AppContext, to: Path | None, done: Callable[[], None]) -> None:
    """A backup now (into the data folder, or `to`), in the background with a progress bar; said in one
    sentence when made or when it failed (a full stick, a read-only one); `done` runs after either."""
    from app.services import audit
    from app.ui.workers import run_op

    if ctx.login is None:
        return
    key, database, today = ctx.login.key, config.database_path(ctx.data_dir), ctx.today()

    def work(progress: ProgressFn) -> backups.BackupInfo:
        info = backups.make_backup(database, key, "manual", to=to, progress=progress)
        if to is None:
            backups.rotate(config.backups_dir(ctx.data_dir), today)
        return info

    def succeeded(info: backups.BackupInfo) -> None:
        audit.record_event(ctx.db, ctx.actor, "backup", "database", {"to_stick": to is not None})
        QMessageBox.information(
            parent, tr("backups_ui.done_title"), tr("backups_ui.done", path=str(info.path))
        )
        done()

    def failed(error: BaseException) -> None:
        if not isinstance(error, Cancelled):
            show_error(parent, error)
        done()

    run_op(parent, work, title=tr("backups_ui.working"), on_success=succeeded, on_error=failed)
