"""The list behind the dashboard's "folic acid ending" number: whose course ends within 30 days."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.i18n import tr
from app.services import care
from app.ui.context import AppContext
from app.ui.labels import fmt_date
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView

COLUMNS: list[Column[care.FolicEndingRow]] = [
    Column("followups.col.person", lambda r: r.name, width=90),
    Column("households.col.number", lambda r: r.household_no, width=80),
    Column("care.col.start", lambda r: fmt_date(r.start_date), width=100),
    Column("folic_ending.col.ends", lambda r: fmt_date(r.ends_on), width=110),
    Column("households.col.phone", lambda r: r.phone, width=120),
]


class FolicEndingDialog(QDialog):
    careRequested = Signal(str)  # double-click: open the woman's care record

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("folicEnding")
        self.setWindowTitle(tr("folic_ending.title"))
        self.model: RowTableModel[care.FolicEndingRow] = RowTableModel(COLUMNS, self)
        self.model.set_rows(care.folic_courses_ending(ctx.db, ctx.today()))
        self.view = RegisterView(self.model, ctx.settings, "folic_ending", sort_column=-1)
        self.view.setObjectName("folicEndingTable")
        self.view.doubleClicked.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("care.close"))
        buttons.rejected.connect(self.reject)
        intro = QLabel(tr("folic_ending.intro"))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(620, 360)

    def _open(self, *_: object) -> None:
        row = self.view.current_row()
        if isinstance(row, care.FolicEndingRow):
            self.careRequested.emit(row.person_id)
