"""Choose a woman of reproductive age by typing her name, pinyin, initials or household number."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.i18n import tr
from app.services import women
from app.ui.context import AppContext
from app.ui.labels import fmt_date


class WomanPicker(QDialog):
    def __init__(self, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("womanPicker")
        self.setWindowTitle(tr("picker.title"))
        self.ctx = ctx
        self.chosen: women.WomanRow | None = None
        self.find = QLineEdit()
        self.find.setObjectName("pickerFind")
        self.find.setPlaceholderText(tr("picker.placeholder"))
        self.list = QListWidget()
        self.list.setObjectName("pickerList")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("picker.choose"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("common.cancel"))
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(tr("picker.intro")))
        layout.addWidget(self.find)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.find.textChanged.connect(self._search)
        self.find.returnPressed.connect(self._choose)
        self.list.itemActivated.connect(lambda _: self._choose())
        self.resize(460, 380)

    def _search(self, text: str) -> None:
        self.list.clear()
        if not text.strip():
            return
        for w in women.list_women(self.ctx.db, self.ctx.today(), text=text)[:50]:
            item = QListWidgetItem(
                tr(
                    "picker.row",
                    name=w.name,
                    age=w.age,
                    birth=fmt_date(w.birth_date),
                    number=w.household_no,
                    group=w.group_no,
                )
            )
            item.setData(Qt.ItemDataRole.UserRole, w)
            self.list.addItem(item)
        self.list.setCurrentRow(0)

    def _choose(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = item.data(Qt.ItemDataRole.UserRole)
        self.accept()
