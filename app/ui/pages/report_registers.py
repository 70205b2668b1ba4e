"""Registers to Excel: the household register, women 15–49, pregnancies, a month's follow-ups, the supply
ledger — the workbooks the township and the officer's own filing still expect."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.progress import Cancelled
from app.reports.registers_xlsx import REGISTERS, register_title
from app.ui.audit_log import record_output
from app.ui.context import AppContext
from app.ui.errors import show_error
from app.ui.file_dialogs import ask_save_path
from app.ui.pages.supplies import months_back
from app.ui.widgets import action_button, fill_group_combo, offer_to_open
from app.ui.workers import run_op

# Which choices each register uses (the month for what happened in a month, the group for lists of people).
MONTHLY = ("followups", "supply_ledger")
BY_GROUP = ("households", "women", "pregnancies", "followups")


class RegistersTab(QWidget):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.ctx = ctx
        self._operation: object | None = None

        self.register_list = QListWidget()
        self.register_list.setObjectName("registerList")
        for key in REGISTERS:
            item = QListWidgetItem(register_title(key))
            item.setData(Qt.ItemDataRole.UserRole, key)
            item.setToolTip(tr(f"report_ui.register_tip.{key}"))
            self.register_list.addItem(item)
        self.register_list.setCurrentRow(0)
        self.register_list.setMaximumWidth(320)
        self.register_list.setStyleSheet("QListWidget#registerList::item { padding: 8px 10px; }")
        self.month_combo = QComboBox()
        self.month_combo.setObjectName("registerMonth")
        for year, month in months_back(ctx.today(), 24):
            self.month_combo.addItem(tr("report.period_month", year=year, month=month), (year, month))
        self.group_combo = QComboBox()
        self.group_combo.setObjectName("registerGroup")
        fill_group_combo(self.group_combo, ctx.db)
        self.explanation = QLabel()
        self.explanation.setObjectName("registerExplanation")
        self.explanation.setWordWrap(True)
        self.explanation.setMaximumWidth(640)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow(tr("report_ui.month"), self.month_combo)
        form.addRow(tr("households.group"), self.group_combo)
        buttons = QHBoxLayout()
        self.export_button = action_button(
            buttons, "report_ui.export_register", "exportRegister", self.export
        )
        right = QVBoxLayout()
        buttons.addStretch(1)
        right.addWidget(self.explanation)
        right.addLayout(form)
        right.addLayout(buttons)
        right.addStretch(1)
        layout = QHBoxLayout(self)
        layout.addWidget(self.register_list)
        layout.addLayout(right, 1)

        self.register_list.currentRowChanged.connect(self._chosen)
        self.register_list.itemActivated.connect(lambda *_: self.export())
        self._chosen()

    def refresh(self, *_: object) -> None:
        fill_group_combo(self.group_combo, self.ctx.db)

    def register(self) -> str:
        return self.register_list.currentItem().data(Qt.ItemDataRole.UserRole)

    def _chosen(self, *_: object) -> None:
        key = self.register()
        self.explanation.setText(tr(f"report_ui.register_tip.{key}"))
        self.month_combo.setEnabled(key in MONTHLY)
        self.group_combo.setEnabled(key in BY_GROUP)

    def default_name(self) -> str:
        key = self.register()
        name = register_title(key)
        if key in MONTHLY:
            year, month = self.month_combo.currentData()
            name += f" {year}-{month:02d}"
        return f"{name} {self.ctx.today().isoformat()}.xlsx"

    def export(self) -> None:
        if self._operation is not None:
            return
        path = ask_save_path(
            self, self.ctx.settings, tr("report_ui.export_title"), self.default_name(),
            tr("report_ui.xlsx_filter"),
        )  # fmt: skip
        if path is None:
            return
        key, db, on = self.register(), self.ctx.db, self.ctx.today()
        year, month = self.month_combo.currentData() if key in MONTHLY else (None, None)
        group = self.group_combo.currentData() if key in BY_GROUP else None

        def write(progress: Callable[[float, str], bool]) -> tuple[Path, int]:
            from app.reports.registers_xlsx import export_register

            rows = export_register(
                db, key, path, on=on, year=year, month=month, group_no=group, progress=progress
            )
            return path, rows

        def done(result: tuple[Path, int]) -> None:
            self._operation = None
            written, rows = result
            record_output(self.ctx, key, rows=rows)
            offer_to_open(
                self,
                written,
                "registerExported",
                tr("report_ui.register_written", rows=rows, path=str(written)),
            )

        def failed(error: BaseException) -> None:
            self._operation = None
            if not isinstance(error, Cancelled):
                show_error(self, error)

        self._operation = run_op(
            self, write, title=tr("report_ui.exporting"), on_success=done, on_error=failed
        )
