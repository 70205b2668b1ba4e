"""乡镇模式: the township office's window — its villages' status, importing their packages (files or a whole
folder, in the background), enrolling villages, the township's public keys, return packages, the cross-village
duplicates and the import log."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction, QColor, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.clock import CHINA_TZ
from app.i18n import tr
from app.progress import ProgressFn
from app.sync import keys as sync_keys
from app.sync import township
from app.ui.backup_status import backup_status
from app.ui.context import AppContext
from app.ui.dialogs.backups import ask_removable_folder
from app.ui.errors import show_error
from app.ui.file_dialogs import start_folder
from app.ui.workers import run_op

STATUS_COLUMNS = ("code", "name", "seq", "period", "imported", "notes")
DUPLICATE_COLUMNS = ("id_number", "village", "name", "birth", "household")
LATE = QColor("#fff3cd")
TROUBLE = QColor("#f8d7da")


def _table(columns: tuple[str, ...], prefix: str) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels([tr(f"{prefix}.{c}") for c in columns])
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


def _put(table: QTableWidget, row: int, cells: tuple[str, ...], colour: QColor | None = None) -> None:
    for column, text in enumerate(cells):
        item = QTableWidgetItem(text)
        if colour is not None:
            item.setBackground(colour)
        table.setItem(row, column, item)


def _reason_text(reason: str, detail: str) -> str:
    """A logged rejection's sentence, with the values it was logged with."""
    import orjson

    try:
        params = orjson.loads(detail).get("params", {})
        return tr(reason, **{str(k): v for k, v in params.items()})
    except (KeyError, ValueError, IndexError, orjson.JSONDecodeError):
        return reason


class TownshipWindow(QMainWindow):
    imported = Signal()

    def __init__(self, ctx: AppContext) -> None:
        super().__init__()
        self.ctx = ctx
        self.setObjectName("townshipWindow")
        found = township.township_of(ctx.db)
        name, code = (found[1], found[0]) if found else ("", "")
        title = f"{tr('app.name')} — {tr('township_window.title', name=name, code=code)}"
        if ctx.demo:
            title += f" {tr('main.demo_suffix')}"
        self.setWindowTitle(title)

        self.statuses = _table(STATUS_COLUMNS, "township_window.col")
        self.statuses.setObjectName("villageStatuses")
        self.import_files_button = QPushButton(tr("township_window.import_files"))
        self.import_files_button.setObjectName("importFiles")
        self.import_files_button.clicked.connect(self._import_files)
        self.import_folder_button = QPushButton(tr("township_window.import_folder"))
        self.import_folder_button.setObjectName("importFolder")
        self.import_folder_button.clicked.connect(self._import_folder)
        self.enrol_button = QPushButton(tr("township_window.enrol"))
        self.enrol_button.setObjectName("enrolVillage")
        self.enrol_button.clicked.connect(self._enrol)
        self.keys_button = QPushButton(tr("township_window.export_keys"))
        self.keys_button.setObjectName("exportTownshipKeys")
        self.keys_button.clicked.connect(self._export_keys)
        self.return_button = QPushButton(tr("township_window.write_return"))
        self.return_button.setObjectName("writeReturn")
        self.return_button.clicked.connect(self._write_return)
        self.summary = QLabel()
        self.summary.setObjectName("townshipSummary")
        self.summary.setWordWrap(True)
        buttons = QHBoxLayout()
        for button in (
            self.import_files_button,
            self.import_folder_button,
            self.return_button,
            self.enrol_button,
            self.keys_button,
        ):
            buttons.addWidget(button)
        buttons.addStretch(1)
        status_tab = QWidget()
        status_layout = QVBoxLayout(status_tab)
        status_layout.addLayout(buttons)
        status_layout.addWidget(self.summary)
        status_layout.addWidget(self.statuses, 1)

        self.duplicates = _table(DUPLICATE_COLUMNS, "township_window.dup")
        self.duplicates.setObjectName("crossVillageDuplicates")
        dup_note = QLabel(tr("township_window.duplicates_note"))
        dup_note.setWordWrap(True)
        dup_tab = QWidget()
        dup_layout = QVBoxLayout(dup_tab)
        dup_layout.addWidget(dup_note)
        dup_layout.addWidget(self.duplicates, 1)

        self.log = _table(("when", "file", "village", "seq", "outcome"), "township_window.log")
        self.log.setObjectName("importLog")
        log_tab = QWidget()
        QVBoxLayout(log_tab).addWidget(self.log)

        from app.ui.widgets.consolidated_report import ConsolidatedReportView

        self.report = ConsolidatedReportView(
            ctx.db,
            lambda: township.villages(ctx.db),
            lambda year, month: township.submitted_reports(ctx.db, f"{year:04d}-{month:02d}"),
            ctx.today,
            settings=ctx.settings,
            actor=ctx.actor,
        )
        self.report.setObjectName("consolidatedReport")
        self.imported.connect(self.report.refresh)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("townshipTabs")
        self.tabs.addTab(status_tab, tr("township_window.tab_status"))
        self.tabs.addTab(self.report, tr("township_window.tab_report"))
        self.tabs.addTab(dup_tab, tr("township_window.tab_duplicates"))
        self.tabs.addTab(log_tab, tr("township_window.tab_log"))
        self.setCentralWidget(self.tabs)
        self.backup_label = QLabel()
        self.statusBar().addPermanentWidget(self.backup_label)
        # F1: the user guide at its township section
        self.help_window: QWidget | None = None
        help_action = QAction(tr("help.button"), self)
        help_action.setObjectName("helpAction")
        help_action.setShortcut(QKeySequence.StandardKey.HelpContents)
        help_action.triggered.connect(self.show_help)
        self.addAction(help_action)
        self.resize(1180, 720)
        self.refresh()
        self.refresh_backup_status()

    def show_help(self) -> None:
        from app.ui.help_window import HelpWindow

        if self.help_window is None:
            self.help_window = HelpWindow(self)
        assert isinstance(self.help_window, HelpWindow)
        self.help_window.show_topic("township")

    # ------------------------------------------------------------ reading

    def refresh_backup_status(self) -> None:
        state = backup_status(self.ctx)
        self.backup_label.setText(state.text)
        self.backup_label.setStyleSheet(f"color: {state.colour}; font-weight: bold;" if state.colour else "")

    def refresh(self) -> None:
        from app.models import SyncImport

        statuses = township.village_statuses(self.ctx.db, self.ctx.today())
        self.statuses.setRowCount(len(statuses))
        late = 0
        for row, v in enumerate(statuses):
            notes = []
            if v.late:
                notes.append(tr("township_ui.late"))
                late += 1
            if v.missing:
                notes.append(tr("township_ui.missing", numbers="、".join(map(str, v.missing))))
            if v.conflicts:
                notes.append(tr("township_ui.conflicts", n=v.conflicts))
            if v.needs_full:
                notes.append(tr("township_ui.needs_full"))
            if not v.audit_ok:
                notes.append(tr("township_ui.audit_broken"))
            if v.rejected:
                notes.append(tr("township_ui.rejected", n=v.rejected))
            trouble = v.needs_full or not v.audit_ok or v.conflicts or v.rejected
            colour = TROUBLE if trouble else (LATE if v.late else None)
            _put(
                self.statuses,
                row,
                (
                    v.code,
                    v.name,
                    str(v.last_seq) if v.last_seq else "—",
                    v.last_period or "—",
                    v.last_imported.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
                    if v.last_imported
                    else "—",
                    "；".join(notes),
                ),
                colour,
            )
        duplicates = township.cross_village_duplicates(self.ctx.db)
        self.summary.setText(
            tr("township_window.summary", villages=len(statuses), late=late, duplicates=len(duplicates))
        )
        rows = [(d.id_number, r) for d in duplicates for r in d.records]
        self.duplicates.setRowCount(len(rows))
        for row, (number, r) in enumerate(rows):
            _put(self.duplicates, row, (number, r.village, r.name, r.birth_date.isoformat(), r.household_no))
        with self.ctx.db.read() as s:
            import sqlalchemy as sa

            entries = (
                s.execute(sa.select(SyncImport).order_by(SyncImport.imported_at.desc()).limit(500))
                .scalars()
                .all()
            )
        self.log.setRowCount(len(entries))
        for row, e in enumerate(entries):
            outcome = tr(f"township_window.outcome_{e.outcome}")
            if e.reason:
                outcome += "：" + _reason_text(e.reason, e.detail)
            _put(
                self.log,
                row,
                (
                    e.imported_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
                    e.file_name,
                    e.node or "—",
                    str(e.seq) if e.seq else "—",
                    outcome,
                ),
                TROUBLE if e.outcome == "rejected" else None,
            )

    def selected_village(self) -> str | None:
        row = self.statuses.currentRow()
        item = self.statuses.item(row, 0) if row >= 0 else None
        return item.text() if item is not None else None

    # ------------------------------------------------------------ import

    def _import_files(self) -> None:
        chosen, _ = QFileDialog.getOpenFileNames(
            self,
            tr("township_window.import_files"),
            str(start_folder(self.ctx.settings)),
            tr("township_window.package_filter"),
        )
        if chosen:
            self.import_paths([Path(p) for p in chosen])

    def _import_folder(self) -> None:
        folder = ask_removable_folder(
            self,
            self.ctx,
            title=tr("township_window.import_folder"),
            question=tr("township_window.import_question"),
            settings_key="township/last_import_folder",
        )
        if folder is not None:
            self.import_paths([folder])

    def import_paths(self, paths: list[Path]) -> None:
        """Import the packages in the background; then say, file by file, what happened."""
        quarantine = self.ctx.data_dir / "quarantine"

        def work(progress: ProgressFn) -> list[township.ImportOutcome]:
            return township.import_packages(
                self.ctx.db, self.ctx.actor, paths, quarantine=quarantine, progress=progress
            )

        def done(outcomes: list[township.ImportOutcome]) -> None:
            self.refresh()
            self.imported.emit()
            if not outcomes:
                QMessageBox.information(
                    self, tr("township_window.import_title"), tr("township_window.nothing_found")
                )
                return
            box = QMessageBox(self)
            box.setObjectName("importResults")
            box.setWindowTitle(tr("township_window.import_title"))
            applied = sum(1 for o in outcomes if o.outcome == "applied")
            rejected = sum(1 for o in outcomes if o.outcome == "rejected")
            box.setIcon(QMessageBox.Icon.Warning if rejected else QMessageBox.Icon.Information)
            box.setText(
                tr(
                    "township_ui.cli_import_summary",
                    applied=applied,
                    already=sum(1 for o in outcomes if o.outcome == "already"),
                    rejected=rejected,
                )
            )
            box.setDetailedText("\n".join(f"{o.file.name}: {o.message}" for o in outcomes))
            box.open()

        run_op(
            self,
            work,
            title=tr("township_window.import_title"),
            on_success=done,
            on_error=lambda e: show_error(self, e),
        )

    # ------------------------------------------------------------ keys and return packages

    def _enrol(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            tr("township_window.enrol"),
            str(start_folder(self.ctx.settings)),
            tr("sync_ui.key_file_filter"),
        )
        if not chosen:
            return
        try:
            text = sync_keys.read_key_file(Path(chosen))
            found = sync_keys.parse_public_keys(text)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return
        self.enrol_text(text, found)

    def enrol_text(self, text: str, found: sync_keys.PublicKeys) -> bool:
        from app.ui.pages.sync import fingerprints_match

        if not fingerprints_match(self, found):
            return False
        try:
            sync_keys.enrol_village(self.ctx.db, self.ctx.actor, text)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return False
        self.refresh()
        return True

    def _export_keys(self) -> None:
        own, _ = sync_keys.read_keys(self.ctx.db)
        if own is None:
            return
        folder = ask_removable_folder(
            self,
            self.ctx,
            title=tr("township_window.export_keys"),
            question=tr("sync_ui.export_keys_question"),
            settings_key="township/last_keys_folder",
        )
        if folder is None:
            return
        try:
            path = sync_keys.write_public_keys(own, folder)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return
        QMessageBox.information(
            self,
            tr("township_window.export_keys"),
            tr(
                "township_window.keys_written",
                path=str(path),
                sign=sync_keys.read_aloud(own.sign_id),
                age=sync_keys.read_aloud(own.age_id),
            ),
        )

    def _write_return(self) -> None:
        village = self.selected_village()
        if village is None:
            codes = [c for c, _ in township.villages(self.ctx.db)]
            if not codes:
                return
            village, ok = QInputDialog.getItem(
                self, tr("township_window.write_return"), tr("township_window.which_village"), codes, 0, False
            )
            if not ok:
                return
        folder = ask_removable_folder(
            self,
            self.ctx,
            title=tr("township_window.write_return"),
            question=tr("township_window.return_question", village=village),
            settings_key="township/last_return_folder",
        )
        if folder is not None:
            self.write_return_to(village, folder)

    def write_return_to(self, village: str, folder: Path) -> None:
        from app.sync import returns

        try:
            written = returns.write_return(self.ctx.db, self.ctx.actor, village, folder)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return
        QMessageBox.information(
            self,
            tr("township_window.write_return"),
            tr(
                "township_ui.cli_return_written",
                village=village,
                seq=written.seq,
                acked=written.acked_seq,
                corrections=written.corrections,
                path=str(written.path),
            ),
        )
