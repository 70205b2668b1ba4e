"""The list behind the dashboard's "resupply reminders" number: people whose last pills, condoms or
injectable run out within a week — a reminder to bring them more, not a follow-up obligation."""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.i18n import tr
from app.services import supplies
from app.ui.context import AppContext
from app.ui.labels import fmt_date
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView

COLUMNS: list[Column[supplies.ResupplyRow]] = [
    Column("followups.col.person", lambda r: r.name, width=80),
    Column("households.col.number", lambda r: r.household_no, width=70),
    Column("resupply.col.item", lambda r: r.item_name, width=190),
    Column(
        "resupply.col.last_issue",
        lambda r: fmt_date(r.last_issue),
        sort_key=lambda r: r.last_issue,
        width=100,
    ),
    Column(
        "resupply.col.quantity", lambda r: str(r.quantity), sort_key=lambda r: r.quantity, align_right=True
    ),
    Column(
        "resupply.col.runs_out",
        lambda r: fmt_date(r.runs_out_on),
        sort_key=lambda r: r.runs_out_on,
        width=100,
    ),
    Column("households.col.phone", lambda r: r.phone, width=110),
]


class ResupplyDialog(QDialog):
    careRequested = Signal(str)  # double-click: open the person's care record (the "药具" tab gives more)

    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("resupplyReminders")
        self.setWindowTitle(tr("resupply.title"))
        self.model: RowTableModel[supplies.ResupplyRow] = RowTableModel(COLUMNS, self)
        self.model.set_rows(supplies.resupply_reminders(ctx.db, ctx.today()))
        self.view = RegisterView(self.model, ctx.settings, "resupply", sort_column=5)
        self.view.setObjectName("resupplyTable")
        self.view.doubleClicked.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("care.close"))
        buttons.rejected.connect(self.reject)
        intro = QLabel(tr("resupply.intro"))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(820, 380)

    def _open(self, *_: object) -> None:
        row = self.view.current_row()
        if isinstance(row, supplies.ResupplyRow):
            self.careRequested.emit(row.person_id)
