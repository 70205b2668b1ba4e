"""导入表格: the preview of an import — which column became which field (the officer fixes it with a drop-down),
the rows to add, the rows to update (field by field) and the rows refused (Excel row and reason) — then the
import itself, in the background with progress and Cancel. The refused rows can be saved as an Excel file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.progress import Cancelled
from app.services import registers_import as ri
from app.ui.context import AppContext
from app.ui.file_dialogs import LAST_FOLDER_KEY, ask_save_path, start_folder
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.workers import run_op

SAMPLE_ROWS = 1  # the first data row shown beside each column's title


def choose_register_file(parent: QWidget | None, settings: QSettings) -> Path | None:
    """The spreadsheet the officer picks to import (None: cancelled); its folder is where the next dialog opens."""
    dialog = QFileDialog(
        parent, tr("import.choose_file"), str(start_folder(settings)), tr("import.file_filter")
    )
    dialog.setObjectName("openRegisterDialog")
    dialog.setAcceptMode(QFileDialog.AcceptMode.AcceptOpen)
    dialog.setFileMode(QFileDialog.FileMode.ExistingFile)
    try:
        if dialog.exec() != QFileDialog.DialogCode.Accepted or not dialog.selectedFiles():
            return None
        chosen = Path(dialog.selectedFiles()[0])
    finally:
        dialog.deleteLater()
    settings.setValue(LAST_FOLDER_KEY, str(chosen.parent))
    return chosen


def _what(row: ri.PlannedRow) -> str:
    parts = [
        tr("import.change", field=tr(f"import.field.{c.field}"), old=c.old or "—", new=c.new)
        for c in row.changes
    ]
    return "；".join(parts + list(row.warnings))


ROW_COLUMNS: list[Column[ri.PlannedRow]] = [
    Column("import.col.sheet", lambda r: r.sheet, width=90),
    Column(
        "import.col.row",
        lambda r: str(r.excel_row),
        sort_key=lambda r: r.excel_row,
        align_right=True,
        width=50,
    ),
    Column("import.col.name", lambda r: r.name, width=90),
    Column("import.col.what", _what, width=420),
]
REFUSED_COLUMNS: list[Column[ri.PlannedRow]] = [
    *ROW_COLUMNS[:3],
    Column("import.col.reason", lambda r: r.reason, width=420),
]


class ImportDialog(QDialog):
    """Opened on a chosen file: reads and checks it in the background, then shows the preview."""

    def __init__(self, ctx: AppContext, path: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self.path = path
        self.source: ri.Source | None = None
        self.plan: ri.ImportPlan | None = None
        self.result_: ri.ImportResult | None = None
        self.combos: list[QComboBox] = []  # the field chosen for each column of the sheet shown
        self._checking = True  # the first check starts below
        self._check_again = False
        self.setObjectName("importDialog")
        self.setWindowTitle(f"{tr('import.title')} — {path.name}")

        self.sheet_combo = QComboBox()
        self.sheet_combo.setObjectName("importSheet")
        self.sheet_combo.currentIndexChanged.connect(self._show_mapping)
        self.mapping = QTableWidget(0, 3)
        self.mapping.setObjectName("importMapping")
        self.mapping.setHorizontalHeaderLabels(
            [tr("import.mapping_column"), tr("import.mapping_field"), tr("import.mapping_sample")]
        )
        self.mapping.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.mapping.horizontalHeader().setStretchLastSection(True)
        self.unsure_label = QLabel()
        self.unsure_label.setObjectName("importUnsure")
        self.unsure_label.setWordWrap(True)
        self.unsure_label.setStyleSheet("color: #a15c00;")
        self.summary = QLabel(tr("import.reading"))
        self.summary.setObjectName("importSummary")
        self.summary.setWordWrap(True)
        self.models: dict[str, RowTableModel[ri.PlannedRow]] = {}
        self.tabs = QTabWidget()
        self.tabs.setObjectName("importTabs")
        for status, columns in (
            (ri.ADD, ROW_COLUMNS),
            (ri.UPDATE, ROW_COLUMNS),
            (ri.REFUSED, REFUSED_COLUMNS),
        ):
            model: RowTableModel[ri.PlannedRow] = RowTableModel(columns, self)
            view = QTableView()
            view.setObjectName(f"importRows_{status}")
            view.setModel(model)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.horizontalHeader().setStretchLastSection(True)
            for i, col in enumerate(columns):
                view.setColumnWidth(i, col.width)
            self.models[status] = model
            self.tabs.addTab(view, "")
        self.commit_button = QPushButton(tr("import.commit"))
        self.commit_button.setObjectName("importCommit")
        self.commit_button.clicked.connect(self.commit)
        self.save_refused_button = QPushButton(tr("import.save_refused"))
        self.save_refused_button.setObjectName("importSaveRefused")
        self.save_refused_button.clicked.connect(self.save_refused)
        cancel = QPushButton(tr("common.cancel"))
        cancel.setObjectName("importCancel")
        cancel.clicked.connect(self.reject)
        for button in (self.commit_button, self.save_refused_button, cancel):
            button.setAutoDefault(False)
        self.commit_button.setEnabled(False)
        self.save_refused_button.setEnabled(False)

        top = QHBoxLayout()
        top.addWidget(QLabel(tr("import.sheet_label")))
        top.addWidget(self.sheet_combo, 1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_refused_button)
        buttons.addStretch(1)
        buttons.addWidget(self.commit_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(QLabel(tr("import.mapping_title")))
        layout.addWidget(self.mapping, 2)
        layout.addWidget(self.unsure_label)
        layout.addWidget(self.tabs, 3)
        layout.addWidget(self.summary)
        layout.addLayout(buttons)
        self.resize(900, 640)
        self._refresh_tabs()
        run_op(
            self,
            lambda progress: self._read_and_check(progress),
            title=tr("import.reading"),
            on_success=self._checked,
            on_error=self._failed_to_read,
        )

    # -- reading and checking (background)

    def _read_and_check(self, progress: Any) -> tuple[ri.Source, ri.ImportPlan]:
        source = ri.open_source(self.path)
        return source, ri.preview(self.ctx.db, self.ctx.actor, source, self.ctx.today(), progress)

    def _failed_to_read(self, error: BaseException) -> None:
        from app.ui.errors import show_error

        if not isinstance(error, Cancelled):
            show_error(self, error)
        self.reject()

    def _checked(self, result: tuple[ri.Source, ri.ImportPlan]) -> None:
        self._checking = False
        self.source, self.plan = result
        self.sheet_combo.blockSignals(True)
        current = self.sheet_combo.currentIndex()
        self.sheet_combo.clear()
        for layout in self.source.layouts:
            self.sheet_combo.addItem(layout.sheet)
        self.sheet_combo.setCurrentIndex(max(current, 0))
        self.sheet_combo.blockSignals(False)
        self._show_mapping()
        self._refresh_tabs()

    def _recheck(self) -> None:
        """Check the rows again with the mapping as it now is (once more after the running check, if the
        officer changed something meanwhile)."""
        assert self.source is not None
        self.commit_button.setEnabled(False)
        if self._checking:
            self._check_again = True
            return
        self._checking, self._check_again = True, False
        source = self.source
        run_op(
            self,
            lambda progress: (
                source,
                ri.preview(self.ctx.db, self.ctx.actor, source, self.ctx.today(), progress),
            ),
            title=tr("import.checking"),
            on_success=self._rechecked,
            on_error=self._recheck_failed,
        )

    def _rechecked(self, result: tuple[ri.Source, ri.ImportPlan]) -> None:
        self._checking = False
        if self._check_again:
            self._recheck()
            return
        self.plan = result[1]
        self._refresh_tabs()

    def _recheck_failed(self, error: BaseException) -> None:
        from app.ui.errors import show_error

        self._checking = False
        if not isinstance(error, Cancelled):
            show_error(self, error)

    # -- the mapping

    def _show_mapping(self, *_: object) -> None:
        if self.source is None:
            return
        index = max(self.sheet_combo.currentIndex(), 0)
        layout, sheet = self.source.layouts[index], self.source.sheets[index]
        sample = sheet.rows[layout.data_start] if layout.data_start < len(sheet.rows) else []
        self.mapping.setRowCount(0)
        self.combos = []
        self.mapping.setRowCount(len(layout.titles))
        for col, (title, field) in enumerate(zip(layout.titles, layout.fields, strict=True)):
            self.mapping.setItem(col, 0, QTableWidgetItem(title))
            combo = QComboBox()
            combo.setObjectName(f"importField_{col}")
            combo.addItem(tr("import.field.ignored"), None)
            for name in ri.FIELDS:
                combo.addItem(tr(f"import.field.{name}"), name)
            chosen = combo.findData(field) if field not in (None, ri.IGNORED) else 0
            combo.setCurrentIndex(max(chosen, 0))
            combo.currentIndexChanged.connect(
                lambda _i, c=col, box=combo: self._field_chosen(c, box.currentData())
            )
            self.mapping.setCellWidget(col, 1, combo)
            self.combos.append(combo)
            shown = str(sample[col]) if col < len(sample) else ""
            self.mapping.setItem(col, 2, QTableWidgetItem(shown))
        self.mapping.resizeColumnsToContents()
        self._show_unsure(layout)

    def _show_unsure(self, layout: ri.Layout) -> None:
        self.unsure_label.setText("\n".join(tr(reason) for reason in layout.unsure))
        self.unsure_label.setVisible(bool(layout.unsure))

    def _field_chosen(self, col: int, field: str | None) -> None:
        """A field chosen for a column (by mouse, or stepping through with the arrow keys: a field chosen twice
        on the way only marks the mapping unsure until the officer settles)."""
        if self.source is None:
            return
        index = max(self.sheet_combo.currentIndex(), 0)
        self.source = self.source.with_fields(self.source.layouts[index].sheet, {col: field})
        self._show_unsure(self.source.layouts[index])
        self._recheck()

    # -- the preview

    def _refresh_tabs(self) -> None:
        plan = self.plan
        rows = list(plan.rows()) if plan is not None else []
        for i, (status, text_id) in enumerate(
            ((ri.ADD, "import.tab_add"), (ri.UPDATE, "import.tab_update"), (ri.REFUSED, "import.tab_refused"))
        ):
            chosen = [r for r in rows if r.status == status]
            self.models[status].set_rows(chosen)
            self.tabs.setTabText(i, tr(text_id, count=len(chosen)))
        if plan is None:
            return
        self.summary.setText(
            tr(
                "import.summary.counts",
                added=plan.added,
                updated=plan.updated,
                same=plan.unchanged,
                refused=plan.refused,
            )
        )
        twice = any(ri.TWICE in layout.unsure for layout in self.source.layouts) if self.source else False
        self.commit_button.setEnabled(plan.added + plan.updated > 0 and not twice)
        self.save_refused_button.setEnabled(plan.refused > 0)

    # -- importing

    def commit(self) -> None:
        if self.source is None:
            return
        source = self.source
        key = self.ctx.login.key if self.ctx.login is not None else None
        self.commit_button.setEnabled(False)
        run_op(
            self,
            lambda progress: ri.import_register(
                self.ctx.db, self.ctx.actor, source, self.ctx.today(), key=key, progress=progress
            ),
            title=tr("import.importing"),
            on_success=self._imported,
            on_error=self._import_failed,
            show_after_ms=0,
        )

    def _import_failed(self, error: BaseException) -> None:
        from app.ui.errors import show_error

        if not isinstance(error, Cancelled):  # a cancel kept nothing: the preview stays as it was
            show_error(self, error)
        self.commit_button.setEnabled(True)

    def _imported(self, result: ri.ImportResult) -> None:
        self.result_ = result
        self.plan = result.plan
        self._refresh_tabs()
        self.commit_button.setEnabled(False)
        plan = result.plan
        QMessageBox.information(
            self,
            tr("import.done_title"),
            tr("import.done", added=plan.added, updated=plan.updated, refused=plan.refused),
        )
        if plan.refused == 0:
            self.accept()
        else:  # the refused rows stay on screen, to be saved and corrected
            self.setResult(QDialog.DialogCode.Accepted)

    def save_refused(self) -> None:
        if self.plan is None or not self.plan.refused:
            return
        target = ask_save_path(
            self,
            self.ctx.settings,
            tr("import.save_refused"),
            tr("import.refused_file_name"),
            "Excel (*.xlsx)",
        )
        if target is None:
            return
        from app.reports.import_refused_xlsx import write_refused_rows

        plan = self.plan
        run_op(
            self,
            lambda _progress: write_refused_rows(target, plan),
            title=tr("import.save_refused"),
            on_success=lambda _n: self._refused_saved(target),
        )

    def _refused_saved(self, target: Path) -> None:
        QMessageBox.information(self, tr("import.done_title"), tr("import.refused_saved", path=str(target)))

    def reject(self) -> None:
        if self.result_ is not None:  # imported, refused rows looked at: closing is the end of it
            self.done(QDialog.DialogCode.Accepted)
            return
        super().reject()
