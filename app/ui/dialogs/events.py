"""Vital-event dialogs: record a death, a move away (permanent or temporary), a move to another household."""

from __future__ import annotations

from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QPlainTextEdit, QWidget

from app.errors import DomainError
from app.i18n import tr
from app.services import households as hh
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog, combo
from app.ui.forms import DateEdit
from app.ui.labels import choices


class DeathDialog(FormDialog):
    def __init__(self, ctx: AppContext, person: hh.PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("death.title", name=person.name), parent)
        self.setObjectName("deathDialog")
        self.ctx, self.person = ctx, person
        self.date = self.add_field("death.date", "death_date", DateEdit("death_date"))
        self.notes = self.add_field("death.notes", "notes", QPlainTextEdit())
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(56)

    def submit(self) -> None:
        when = self.date.date()
        if when is None:
            raise DomainError("field.required", "death_date")
        hh.record_death(
            self.ctx.db,
            self.ctx.actor,
            self.person.id,
            when,
            self.ctx.today(),
            notes=self.notes.toPlainText(),
        )


class MoveAwayDialog(FormDialog):
    def __init__(self, ctx: AppContext, person: hh.PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("move_away.title", name=person.name), parent)
        self.setObjectName("moveAwayDialog")
        self.ctx, self.person = ctx, person
        self.date = self.add_field("move_away.date", "event_date", DateEdit("event_date"))
        self.destination = self.add_field("move_away.destination", "residence_place", QLineEdit())
        self.permanent = self.add_field(
            "move_away.permanent", "permanent", QCheckBox(tr("move_away.permanent_hint"))
        )

    def submit(self) -> None:
        when = self.date.date()
        if when is None:
            raise DomainError("field.required", "event_date")
        hh.record_move_away(
            self.ctx.db,
            self.ctx.actor,
            self.person.id,
            when,
            self.destination.text(),
            self.ctx.today(),
            permanent=self.permanent.isChecked(),
        )


class MoveToHouseholdDialog(FormDialog):
    """Move a member to another household of the village, found by number or by a member's name."""

    def __init__(self, ctx: AppContext, person: hh.PersonRow, parent: QWidget | None = None) -> None:
        super().__init__(tr("move_household.title", name=person.name), parent)
        self.setObjectName("moveHouseholdDialog")
        self.ctx, self.person = ctx, person
        self.find_edit = self.add_field("move_household.find", "find", QLineEdit())
        self.find_edit.setPlaceholderText(tr("households.filter_placeholder"))
        self.target = self.add_field("move_household.target", "household", QComboBox())
        self.relation = self.add_field(
            "move_household.relation", "relation", combo(choices("relation"), "other")
        )
        self.find_edit.textChanged.connect(self._search)
        self._search("")

    def _search(self, text: str) -> None:
        self.target.clear()
        rows = [r for r in hh.list_households(self.ctx.db, text) if r.id != self.person.household_id][:200]
        for r in rows:
            self.target.addItem(
                tr(
                    "move_household.option", number=r.household_no, head=r.head_name or "—", address=r.address
                ),
                r.id,
            )

    def submit(self) -> None:
        target = self.target.currentData()
        if not target:
            raise DomainError("field.required", "household")
        hh.move_to_household(
            self.ctx.db,
            self.ctx.actor,
            self.person.id,
            target,
            self.relation.currentData(),
            self.ctx.today(),
        )
