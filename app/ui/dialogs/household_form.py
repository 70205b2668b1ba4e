"""户 form: add or edit a household (number, group, address, phone, type, notes)."""

from __future__ import annotations

from PySide6.QtWidgets import QLineEdit, QPlainTextEdit, QWidget

from app.errors import DomainError
from app.i18n import tr
from app.services import households as hh
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog, combo, set_combo
from app.ui.labels import choices


class HouseholdForm(FormDialog):
    def __init__(
        self,
        ctx: AppContext,
        household_id: str | None = None,
        parent: QWidget | None = None,
        default_group: int | None = None,
    ) -> None:
        super().__init__(
            tr("household_form.edit_title" if household_id else "household_form.new_title"), parent
        )
        self.setObjectName("householdForm")
        self.ctx, self.household_id = ctx, household_id
        self.saved_id: str | None = household_id
        self.rev: int | None = None  # the revision the form opened (a change saved meanwhile is refused)
        self.number = self.add_field("household_form.number", "household_no", QLineEdit())
        self.group = self.add_field(
            "household_form.group",
            "group_no",
            combo([(str(n), f"{n} {name}") for n, name in hh.list_groups(ctx.db)]),
        )
        self.address = self.add_field("household_form.address", "address", QLineEdit())
        self.phone = self.add_field("household_form.phone", "phone", QLineEdit())
        self.residence_type = self.add_field(
            "household_form.residence_type", "residence_type", combo(choices("residence_type"))
        )
        self.notes = self.add_field("household_form.notes", "notes", QPlainTextEdit())
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(60)
        if household_id:
            data, self.rev = hh.household_input(ctx.db, household_id)
            self.number.setText(data.household_no)
            set_combo(self.group, str(data.group_no))
            self.address.setText(data.address)
            self.phone.setText(data.phone or "")
            set_combo(self.residence_type, data.residence_type)
            self.notes.setPlainText(data.notes)
        elif default_group is not None:
            set_combo(self.group, str(default_group))
        self.dirty = False
        self.resize(460, self.sizeHint().height())

    def submit(self) -> None:
        group = self.group.currentData()
        if group is None:
            raise DomainError("field.required", "group_no")
        data = hh.HouseholdInput(
            household_no=self.number.text(),
            group_no=int(group),
            address=self.address.text(),
            phone=self.phone.text(),
            residence_type=self.residence_type.currentData(),
            notes=self.notes.toPlainText(),
        )
        if self.household_id:
            hh.update_household(self.ctx.db, self.ctx.actor, self.household_id, data, expected_rev=self.rev)
        else:
            self.saved_id = hh.create_household(self.ctx.db, self.ctx.actor, data)
