"""Choose anyone living in the village (present: resident, out- or in-migrant) by typing their name, full
pinyin, initials or a fragment of their ID number. The same dialog, searching another list, chooses a woman
of reproductive age (woman_picker.WomanPicker)."""

from __future__ import annotations

import datetime as dt
from typing import Any

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
from app.services import households as hh
from app.services import search
from app.services.validation import full_years
from app.ui.context import AppContext
from app.ui.labels import fmt_date, label
from app.vocab import PRESENT

SHOWN = 50


class PersonPicker(QDialog):
    """`chosen` is the person's PersonRow once the dialog is accepted.

    A subclass searches another list by overriding `matches` and `chosen_from`; `texts` names the catalogue
    keys (title, placeholder, intro, row) and `says_none` whether "no one matches" is shown."""

    object_name = "personPicker"
    texts = "person_picker"
    says_none = True
    initial_width = 480

    def __init__(self, ctx: AppContext, parent: QWidget | None = None, title: str = "") -> None:
        super().__init__(parent)
        self.setObjectName(self.object_name)
        self.setWindowTitle(title or tr(f"{self.texts}.title"))
        self.ctx = ctx
        self.chosen: Any = None
        self.find_edit = QLineEdit()
        self.find_edit.setObjectName("pickerFind")
        self.find_edit.setPlaceholderText(tr(f"{self.texts}.placeholder"))
        self.list = QListWidget()
        self.list.setObjectName("pickerList")
        self.none_label = QLabel(tr("person_picker.none"))
        self.none_label.setObjectName("pickerNone")
        self.none_label.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText(tr("picker.choose"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("common.cancel"))
        buttons.accepted.connect(self._choose)
        buttons.rejected.connect(self.reject)
        intro = QLabel(tr(f"{self.texts}.intro"))
        intro.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.find_edit)
        layout.addWidget(self.list)
        layout.addWidget(self.none_label)
        layout.addWidget(buttons)
        self.find_edit.textChanged.connect(self._search)
        self.find_edit.returnPressed.connect(self._choose)
        self.list.itemActivated.connect(lambda _: self._choose())
        self.resize(self.initial_width, 380)

    def matches(self, text: str) -> list[tuple[object, str]]:
        """The people living in the village that `text` finds: (what the list item keeps, its line)."""
        today = self.ctx.today()
        hits = [
            h
            for h in search.search(self.ctx.db, text, limit=SHOWN * 2)
            if h.kind == "person" and h.residence_status in PRESENT
        ][:SHOWN]
        return [
            (
                h.id,
                self.row(
                    h.title,
                    full_years(h.birth_date, today) if h.birth_date else "",
                    h.birth_date,
                    h.household_no,
                    h.group_no,
                ),
            )
            for h in hits
        ]

    def chosen_from(self, kept: object) -> Any:
        """`chosen` for the list item that keeps `kept`."""
        return hh.get_person(self.ctx.db, str(kept))

    def row(self, name: str, age: object, birth: dt.date | None, number: object, group: object) -> str:
        return tr(f"{self.texts}.row", name=name, age=age, birth=fmt_date(birth), number=number, group=group)

    def _search(self, text: str) -> None:
        self.list.clear()
        if not text.strip():
            self.none_label.hide()
            return
        hits = self.matches(text)
        for kept, line in hits:
            item = QListWidgetItem(line)
            item.setData(Qt.ItemDataRole.UserRole, kept)
            self.list.addItem(item)
        self.none_label.setVisible(self.says_none and not hits)
        self.list.setCurrentRow(0)

    def _choose(self) -> None:
        item = self.list.currentItem()
        if item is None:
            return
        self.chosen = self.chosen_from(item.data(Qt.ItemDataRole.UserRole))
        self.accept()


def describe(person: hh.PersonRow, today: dt.date) -> str:
    """One line naming the person for a form: name, sex, age, household."""
    return tr(
        "person_picker.chosen",
        name=person.name,
        sex=label("sex", person.sex),
        age=person.age_on(today),
        number=person.household_no,
        group=person.group_no,
    )
