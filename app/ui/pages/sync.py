"""数据同步: the monthly package for the township.

What the next package will carry (its number, month, rows by kind), "export to…" (USB sticks first) running in
the background, the history of packages (acknowledged by the township or not), this village's keys (to hand
over as a file and a printed enrolment sheet) and the township's keys (from its file or pasted text, the
fingerprints shown to compare aloud before they are enrolled).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.clock import CHINA_TZ
from app.errors import DomainError
from app.i18n import tr
from app.progress import ProgressFn
from app.services.permissions import Permission, allowed
from app.sync import keys as sync_keys
from app.sync.keys import PublicKeys, read_aloud
from app.ui.context import AppContext
from app.ui.dialogs.backups import ask_removable_folder
from app.ui.errors import show_error
from app.ui.file_dialogs import start_folder
from app.ui.workers import run_op

HISTORY_COLUMNS = ("seq", "period", "made", "size", "kind", "acked")
MONTHS_OFFERED = 12
KINDS = (
    "household",
    "person",
    "vital_event",
    "pregnancy",
    "prepregnancy_check",
    "contraceptive_method",
    "folic_acid_course",
    "followup",
    "followup_answer",
    "stock_movement",
    "support_entitlement",
    "villager_group",
    "tombstone",
    "audit_event",
)


def size_text(n: int) -> str:
    return f"{n / 1024:.0f} KB" if n < 1024 * 1024 else f"{n / 1024 / 1024:.1f} MB"


def counts_text(counts: dict[str, int]) -> str:
    """ "户 847 · 人 3002 · …" in a fixed order; "no changes" when only the audit trail moved."""
    parts = [
        tr("sync_ui.kind_count", kind=tr(f"sync_ui.kind.{k}"), n=counts[k]) for k in KINDS if counts.get(k)
    ]
    return tr("sync_ui.list_sep").join(parts) if parts else tr("sync_ui.nothing_new")


def keys_text(keys: PublicKeys | None) -> str:
    if keys is None:
        return tr("sync_ui.township_missing")
    return tr(
        "sync_ui.keys_value",
        name=keys.name,
        node=keys.node,
        sign=read_aloud(keys.sign_id),
        age=read_aloud(keys.age_id),
    )


def fingerprints_match(parent: QWidget, found: PublicKeys) -> bool:
    """The other node's fingerprints, shown to compare aloud: True when the person says they match."""
    answer = QMessageBox.question(
        parent,
        tr("sync_ui.compare_title"),
        tr(
            "sync_ui.compare",
            name=found.name,
            node=found.node,
            sign=read_aloud(found.sign_id),
            age=read_aloud(found.age_id),
        ),
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


class SyncPage(QWidget):
    packageWritten = Signal(str)  # the package file's path

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.setObjectName("syncPage")
        self.may_export = allowed(ctx.actor, Permission.SYNC)
        self.own: PublicKeys | None = None
        self.township: PublicKeys | None = None
        self._shown_once = False

        # -- the next package
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("syncMonth")
        first = ctx.today().replace(day=1)
        for back in range(1, MONTHS_OFFERED + 1):
            month_start = first
            for _ in range(back):
                month_start = (month_start - dt.timedelta(days=1)).replace(day=1)
            self.month_combo.addItem(
                tr("sync_ui.month_value", year=month_start.year, month=month_start.month),
                (month_start.year, month_start.month),
            )
        self.month_combo.addItem(
            tr("sync_ui.month_this", year=first.year, month=first.month), (first.year, first.month)
        )
        self.month_combo.setCurrentIndex(0)
        self.month_combo.currentIndexChanged.connect(self.refresh)
        self.full_check = QCheckBox(tr("sync_ui.full"))
        self.full_check.setObjectName("syncFull")
        self.full_check.setToolTip(tr("sync_ui.full_tip"))
        self.full_check.toggled.connect(self.refresh)
        self.unencrypted_check = QCheckBox(tr("sync_ui.unencrypted"))
        self.unencrypted_check.setObjectName("syncUnencrypted")
        self.unencrypted_check.toggled.connect(self._show_unencrypted_warning)
        self.unencrypted_warning = QLabel(tr("sync_ui.unencrypted_warning"))
        self.unencrypted_warning.setObjectName("syncUnencryptedWarning")
        self.unencrypted_warning.setWordWrap(True)
        self.unencrypted_warning.setStyleSheet("color: #b00020;")
        self.unencrypted_warning.setVisible(False)
        self.next_number = QLabel()
        self.next_number.setObjectName("syncNextNumber")
        self.next_summary = QLabel()
        self.next_summary.setObjectName("syncNextSummary")
        self.next_summary.setWordWrap(True)
        self.export_button = QPushButton(tr("sync_ui.export"))
        self.export_button.setObjectName("syncExport")
        self.export_button.clicked.connect(self._choose_and_export)
        self.export_note = QLabel()
        self.export_note.setObjectName("syncExportNote")
        self.export_note.setWordWrap(True)
        next_box = QGroupBox(tr("sync_ui.next_title"))
        next_form = QFormLayout(next_box)
        month_row = QHBoxLayout()
        month_row.addWidget(self.month_combo)
        month_row.addStretch(1)
        next_form.addRow(tr("sync_ui.month"), month_row)
        next_form.addRow(tr("sync_ui.number"), self.next_number)
        next_form.addRow(tr("sync_ui.carries"), self.next_summary)
        options = QVBoxLayout()
        options.addWidget(self.full_check)
        options.addWidget(self.unencrypted_check)
        options.addWidget(self.unencrypted_warning)
        next_form.addRow("", options)
        export_row = QHBoxLayout()
        export_row.addWidget(self.export_button)
        export_row.addStretch(1)
        next_form.addRow("", export_row)
        next_form.addRow("", self.export_note)

        # -- history
        self.history = QTableWidget(0, len(HISTORY_COLUMNS))
        self.history.setObjectName("syncHistory")
        self.history.setHorizontalHeaderLabels([tr(f"sync_ui.col.{c}") for c in HISTORY_COLUMNS])
        self.history.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.history.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.history.verticalHeader().setVisible(False)
        self.history.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.horizontalHeader().setStretchLastSection(True)
        self.history.setMinimumHeight(160)
        self.township_status = QLabel()
        self.township_status.setObjectName("syncTownshipStatus")
        self.township_status.setWordWrap(True)
        self.import_return_button = QPushButton(tr("sync_ui.import_return"))
        self.import_return_button.setObjectName("syncImportReturn")
        self.import_return_button.clicked.connect(self._choose_return)
        history_box = QGroupBox(tr("sync_ui.history_title"))
        history_layout = QVBoxLayout(history_box)
        status_row = QHBoxLayout()
        status_row.addWidget(self.township_status, 1)
        status_row.addWidget(self.import_return_button)
        history_layout.addLayout(status_row)
        history_layout.addWidget(self.history)

        # -- the township's proposed corrections
        self.corrections = QTableWidget(0, 5)
        self.corrections.setObjectName("syncCorrections")
        self.corrections.setHorizontalHeaderLabels(
            [tr(f"sync_ui.corr.{c}") for c in ("record", "field", "old", "new", "reason")]
        )
        self.corrections.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.corrections.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.corrections.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.corrections.verticalHeader().setVisible(False)
        self.corrections.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.corrections.horizontalHeader().setStretchLastSection(True)
        self.accept_button = QPushButton(tr("sync_ui.accept"))
        self.accept_button.setObjectName("syncAcceptCorrection")
        self.accept_button.clicked.connect(lambda: self.decide(True))
        self.decline_button = QPushButton(tr("sync_ui.decline"))
        self.decline_button.setObjectName("syncDeclineCorrection")
        self.decline_button.clicked.connect(lambda: self.decide(False))
        self.corrections_box = QGroupBox(tr("sync_ui.corrections_title"))
        corrections_layout = QVBoxLayout(self.corrections_box)
        corrections_note = QLabel(tr("sync_ui.corrections_note"))
        corrections_note.setWordWrap(True)
        corrections_layout.addWidget(corrections_note)
        corrections_layout.addWidget(self.corrections)
        decide_row = QHBoxLayout()
        decide_row.addWidget(self.accept_button)
        decide_row.addWidget(self.decline_button)
        decide_row.addStretch(1)
        corrections_layout.addLayout(decide_row)
        self._pending: list[str] = []

        # -- keys
        self.own_label = QLabel()
        self.own_label.setObjectName("syncOwnKeys")
        self.township_label = QLabel()
        self.township_label.setObjectName("syncTownshipKeys")
        for value in (self.own_label, self.township_label):
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            value.setWordWrap(True)
        self.export_keys_button = QPushButton(tr("sync_ui.export_keys"))
        self.export_keys_button.setObjectName("syncExportKeys")
        self.export_keys_button.clicked.connect(self._export_keys)
        self.enrol_file_button = QPushButton(tr("sync_ui.enrol_file"))
        self.enrol_file_button.setObjectName("syncEnrolFile")
        self.enrol_file_button.clicked.connect(self._enrol_from_file)
        self.enrol_paste_button = QPushButton(tr("sync_ui.enrol_paste"))
        self.enrol_paste_button.setObjectName("syncEnrolPaste")
        self.enrol_paste_button.clicked.connect(self._enrol_from_paste)
        keys_box = QGroupBox(tr("sync_ui.keys_title"))
        keys_form = QFormLayout(keys_box)
        keys_form.addRow(tr("sync_ui.own_keys"), self.own_label)
        own_buttons = QHBoxLayout()
        own_buttons.addWidget(self.export_keys_button)
        own_buttons.addStretch(1)
        keys_form.addRow("", own_buttons)
        keys_form.addRow(tr("sync_ui.township_keys"), self.township_label)
        township_buttons = QHBoxLayout()
        township_buttons.addWidget(self.enrol_file_button)
        township_buttons.addWidget(self.enrol_paste_button)
        township_buttons.addStretch(1)
        keys_form.addRow("", township_buttons)

        self.role_note = QLabel(tr("sync_ui.role_cannot"))
        self.role_note.setObjectName("syncRoleNote")
        self.role_note.setWordWrap(True)
        self.role_note.setVisible(not self.may_export)
        for button in (
            self.export_button,
            self.export_keys_button,
            self.enrol_file_button,
            self.enrol_paste_button,
        ):
            button.setEnabled(self.may_export)

        content = QWidget()
        layout = QVBoxLayout(content)
        intro = QLabel(tr("sync_ui.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.role_note)
        layout.addWidget(self.corrections_box)
        layout.addWidget(next_box)
        layout.addWidget(history_box)
        layout.addWidget(keys_box)
        layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        self._make_keys()
        self.refresh()

    # ------------------------------------------------------------ reading

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt's name
        """Shown again after work elsewhere: what the next package carries has changed."""
        super().showEvent(event)
        if self._shown_once:
            self.refresh()
        self._shown_once = True

    def _make_keys(self) -> None:
        """An existing village meets the Sync page for the first time: its keys are made now."""
        if not self.may_export:
            return
        try:
            sync_keys.ensure_own_keys(self.ctx.db, self.ctx.actor)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)

    def month(self) -> tuple[int, int]:
        year, month = self.month_combo.currentData()
        return int(year), int(month)

    def refresh(self, *_: object) -> None:
        from app.sync.package import history, next_package, township_status

        self.own, self.township = sync_keys.read_keys(self.ctx.db)
        self.own_label.setText(keys_text(self.own) if self.own else tr("sync_ui.own_missing"))
        self.township_label.setText(keys_text(self.township))
        coming = next_package(self.ctx.db, month=self.month(), full=self.full_check.isChecked())
        self.next_number.setText(
            tr("sync_ui.number_value", seq=coming.seq)
            + ("  " + tr("sync_ui.whole_village") if coming.full else "")
        )
        self.next_summary.setText(counts_text(coming.counts))
        if self.township is None:
            self.export_note.setText(tr("sync_ui.needs_township"))
        else:
            self.export_note.setText(
                tr("sync_ui.encrypted_to", name=self.township.name or self.township.node)
            )
        status = township_status(self.ctx.db)
        if status.acked_seq and status.acked_at:
            self.township_status.setText(
                tr(
                    "sync_ui.acked_upto",
                    seq=status.acked_seq,
                    date=status.acked_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d"),
                )
            )
        else:
            self.township_status.setText(tr("sync_ui.never_acked"))
        self._refresh_corrections()
        from app.sync.returns import full_export_requested

        if full_export_requested(self.ctx.db) and not self.full_check.isChecked():
            self.full_check.blockSignals(True)  # the township asked for it: ticked for the officer
            self.full_check.setChecked(True)
            self.full_check.blockSignals(False)
            coming = next_package(self.ctx.db, month=self.month(), full=True)
            self.next_summary.setText(counts_text(coming.counts))
            self.export_note.setText(tr("returns.full_requested") + " " + self.export_note.text())
        packages = history(self.ctx.db)
        self.history.setRowCount(len(packages))
        for row, p in enumerate(packages):
            cells = (
                str(p.seq),
                p.period,
                p.created_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M"),
                size_text(p.size),
                tr("sync_ui.kind_full" if p.full else "sync_ui.kind_changes")
                + ("" if p.encrypted else " " + tr("sync_ui.kind_unencrypted")),
                tr("sync_ui.acked_on", date=p.acked_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d"))
                if p.acked_at
                else tr("sync_ui.not_acked"),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(p.file_name)
                if column in (0, 3):
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.history.setItem(row, column, item)

    def _refresh_corrections(self) -> None:
        from app.sync.returns import corrections

        pending = corrections(self.ctx.db)
        self._pending = [c.id for c in pending]
        self.corrections.setRowCount(len(pending))
        for row, c in enumerate(pending):
            cells = (
                c.record_label,
                tr(f"sync_ui.field.{c.field}"),
                "" if c.old is None else str(c.old),
                "" if c.new is None else str(c.new),
                c.reason,
            )
            for column, text in enumerate(cells):
                self.corrections.setItem(row, column, QTableWidgetItem(text))
        self.corrections_box.setVisible(bool(pending))
        if pending and self.corrections.currentRow() < 0:
            self.corrections.selectRow(0)

    def decide(self, accept: bool) -> None:
        """Accept (an ordinary, audited change of the record by the officer) or decline the selected correction."""
        from app.sync.returns import decide_correction

        row = self.corrections.currentRow()
        if not 0 <= row < len(self._pending):
            return
        try:
            decide_correction(self.ctx.db, self.ctx.actor, self._pending[row], accept)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
        self.refresh()

    def _choose_return(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            tr("sync_ui.import_return"),
            str(start_folder(self.ctx.settings)),
            tr("sync_ui.return_filter"),
        )
        if chosen:
            self.import_return(Path(chosen))

    def import_return(self, path: Path) -> None:
        from app.sync.returns import apply_return

        try:
            result = apply_return(self.ctx.db, self.ctx.actor, path)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return
        self.refresh()
        if result.outcome == "rejected":
            QMessageBox.warning(self, tr("sync_ui.import_return"), result.message)
        else:
            QMessageBox.information(self, tr("sync_ui.import_return"), result.message)

    def _show_unencrypted_warning(self, on: bool) -> None:
        self.unencrypted_warning.setVisible(on)

    # ------------------------------------------------------------ export

    def _choose_and_export(self) -> None:
        if self.township is None and not self.unencrypted_check.isChecked():
            QMessageBox.information(self, tr("sync_ui.title"), tr("sync.no_township_key"))
            return
        if self.unencrypted_check.isChecked():
            answer = QMessageBox.warning(
                self,
                tr("sync_ui.title"),
                tr("sync_ui.unencrypted_confirm"),
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        folder = ask_removable_folder(
            self,
            self.ctx,
            title=tr("sync_ui.export_title"),
            question=tr("sync_ui.export_question"),
            settings_key="sync/last_folder",
        )
        if folder is not None:
            self.export_to(folder)

    def export_to(self, folder: Path) -> None:
        """Write the next package into `folder` in the background; say where it is once it was read back."""
        from app.services.vault import KeyFile
        from app.sync.package import Exported, export_package

        login = self.ctx.login
        recovery = None
        if login is not None and KeyFile.exists(login.folder):
            recovery = (KeyFile.load(login.folder).recovery or {}).get("recipient")
        month, full, unencrypted = (
            self.month(),
            self.full_check.isChecked(),
            self.unencrypted_check.isChecked(),
        )
        self.export_button.setEnabled(False)

        def work(progress: ProgressFn) -> Exported:
            return export_package(
                self.ctx.db,
                self.ctx.actor,
                folder,
                month=month,
                full=full,
                unencrypted=unencrypted,
                recovery_recipient=recovery,
                progress=progress,
            )

        def done(result: Exported) -> None:
            self.export_button.setEnabled(self.may_export)
            self.refresh()
            self.packageWritten.emit(str(result.path))
            QMessageBox.information(
                self,
                tr("sync_ui.title"),
                tr(
                    "sync_ui.exported",
                    seq=result.seq,
                    period=result.period,
                    path=str(result.path),
                    size=size_text(result.size),
                )
                + "\n\n"
                + tr("sync_ui.safe_to_remove"),
            )

        def failed(error: BaseException) -> None:
            self.export_button.setEnabled(self.may_export)
            self.refresh()
            show_error(self, error)

        run_op(self, work, title=tr("sync_ui.export_title"), on_success=done, on_error=failed)

    # ------------------------------------------------------------ keys

    def _export_keys(self) -> None:
        from app.sync.enrolment import sheet_name, write_sheet

        if self.own is None:
            return
        folder = ask_removable_folder(
            self,
            self.ctx,
            title=tr("sync_ui.export_keys"),
            question=tr("sync_ui.export_keys_question"),
            settings_key="sync/last_keys_folder",
        )
        if folder is None:
            return
        try:
            text_file = sync_keys.write_public_keys(self.own, folder)
            sheet = write_sheet(
                self.ctx.db, self.own, folder / sheet_name(self.own), printed_on=self.ctx.today()
            )
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return
        QMessageBox.information(
            self,
            tr("sync_ui.export_keys"),
            tr("sync_ui.keys_exported", text=str(text_file), sheet=str(sheet)),
        )

    def _enrol_from_file(self) -> None:
        chosen, _ = QFileDialog.getOpenFileName(
            self,
            tr("sync_ui.enrol_file"),
            str(start_folder(self.ctx.settings)),
            tr("sync_ui.key_file_filter"),
        )
        if not chosen:
            return
        try:
            text = sync_keys.read_key_file(Path(chosen))
        except OSError as e:
            show_error(self, e)
            return
        self.enrol_text(text)

    def _enrol_from_paste(self) -> None:
        text, ok = QInputDialog.getMultiLineText(self, tr("sync_ui.enrol_paste"), tr("sync_ui.paste_here"))
        if ok and text.strip():
            self.enrol_text(text)

    def enrol_text(self, text: str) -> bool:
        """Show the fingerprints of the township keys in `text`; enrol them when the officer says they match
        what the township reads out."""
        try:
            found = sync_keys.parse_public_keys(text)
        except DomainError as e:
            show_error(self, e)
            return False
        if not fingerprints_match(self, found):
            return False
        try:
            sync_keys.enrol_township(self.ctx.db, self.ctx.actor, text, allow_demo=self.ctx.demo)
        except Exception as e:  # noqa: BLE001 - shown calmly and logged
            show_error(self, e)
            return False
        self.refresh()
        return True
