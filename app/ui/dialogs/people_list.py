"""A list of people behind a dashboard number (folic-acid courses ending, resupply reminders, …):
a short explanation, a sortable table, and double-click to open the person's care record."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QVBoxLayout, QWidget

from app.i18n import tr
from app.ui.tablemodels.rows import Column, RowTableModel
from app.ui.widgets import RegisterView


class HasSettings(Protocol):
    """What the list needs of its caller: where the table's column widths are remembered (an AppContext)."""

    @property
    def settings(self) -> QSettings: ...


class PeopleListDialog(QDialog):
    careRequested = Signal(str)  # double-click: the person's id (rows carry `person_id`)

    def __init__(
        self,
        ctx: HasSettings,
        key: str,
        title: str,
        intro: str,
        columns: list[Column],
        rows: Sequence[object],
        sort_column: int = -1,
        width: int = 720,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName(key)
        self.setWindowTitle(title)
        self.model: RowTableModel = RowTableModel(columns, self)
        self.model.set_rows(rows)
        self.view = RegisterView(self.model, ctx.settings, key, sort_column=sort_column)
        self.view.setObjectName(f"{key}Table")
        self.view.doubleClicked.connect(self._open)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.button(QDialogButtonBox.StandardButton.Close).setText(tr("care.close"))
        buttons.rejected.connect(self.reject)
        intro_label = QLabel(intro)
        intro_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro_label)
        layout.addWidget(self.view, 1)
        layout.addWidget(buttons)
        self.resize(width, 380)

    def _open(self, *_: object) -> None:
        row = self.view.current_row()
        person_id = getattr(row, "person_id", None)
        if person_id:
            self.careRequested.emit(person_id)
