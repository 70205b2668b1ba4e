"""成员 form: add or edit a household member. A valid ID number fills birth date and sex as it is typed (a
wrong one, or one born after today, is explained at the ID number instead); a marriage below the legal age
is pointed out under its date; a possible duplicate (same ID, or same name and birth date) is shown before
a new person is saved."""

from __future__ import annotations

from typing import cast

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.services import households as hh
from app.services import identity
from app.services.validation import check_marriage_age
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog, combo, set_combo
from app.ui.forms import DateEdit
from app.ui.labels import choices, fmt_date, label
from app.ui.widgets import FieldError
from app.vocab import MaritalStatus, ResidenceStatus, VitalEventType

OPEN_EXISTING = 2  # dialog result: the officer chose to open the existing person instead
MERGE_WITH = 3  # dialog result: the officer chose to merge the edited person with the existing one
EDITABLE_STATUSES = (ResidenceStatus.RESIDENT, ResidenceStatus.OUT_MIGRANT, ResidenceStatus.IN_MIGRANT)


class DuplicateDialog(QDialog):
    """Lists the people who may be the same person; the officer opens one or saves anyway."""

    def __init__(
        self, candidates: list[hh.DuplicateCandidate], parent: QWidget | None = None, *, editing: bool = False
    ) -> None:
        super().__init__(parent)
        self.setObjectName("duplicateDialog")
        self.setWindowTitle(tr("duplicate.title"))
        self.candidates = candidates
        self.list = QListWidget()
        self.list.setObjectName("duplicateList")
        for c in candidates:
            p = c.person
            self.list.addItem(
                tr(
                    "duplicate.row",
                    name=p.name,
                    birth=fmt_date(p.birth_date),
                    number=p.household_no,
                    id_number=p.id_number or "—",
                    status=label("residence", p.residence_status),
                    reason=tr(f"duplicate.reason.{c.reason}"),
                )
            )
        self.list.setCurrentRow(0)
        buttons = QDialogButtonBox()
        # a new person: open the record that exists instead; an edited one: merge the two records
        self.open_button = buttons.addButton(
            tr("duplicate.merge" if editing else "duplicate.open_existing"),
            QDialogButtonBox.ButtonRole.AcceptRole,
        )
        self.save_button = buttons.addButton(
            tr("duplicate.save_anyway"), QDialogButtonBox.ButtonRole.ApplyRole
        )
        self.cancel_button = buttons.addButton(tr("common.cancel"), QDialogButtonBox.ButtonRole.RejectRole)
        self.open_button.setObjectName("openExisting")
        self.save_button.setObjectName("saveAnyway")
        self.open_button.clicked.connect(lambda: self.done(MERGE_WITH if editing else OPEN_EXISTING))
        self.save_button.clicked.connect(self.accept)
        self.cancel_button.clicked.connect(self.reject)
        layout = QVBoxLayout(self)
        intro = QLabel(tr("duplicate.intro"))
        intro.setWordWrap(True)
        layout.addWidget(intro)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.resize(560, 260)

    def chosen(self) -> hh.DuplicateCandidate:
        return self.candidates[max(self.list.currentRow(), 0)]


class MemberForm(FormDialog):
    def __init__(
        self,
        ctx: AppContext,
        household_id: str,
        person_id: str | None = None,
        parent: QWidget | None = None,
        newborn: bool = False,
    ) -> None:
        super().__init__(tr("member_form.edit_title" if person_id else "member_form.new_title"), parent)
        self.setObjectName("memberForm")
        self.ctx, self.household_id, self.person_id = ctx, household_id, person_id
        self.saved_id: str | None = person_id
        self.existing: hh.DuplicateCandidate | None = None
        self.rev: int | None = None
        self.loaded_identity: tuple[object, ...] = ()
        self.name = self.add_field("member_form.name", "name", QLineEdit())
        self.id_number = self.add_field("member_form.id_number", "id_number", QLineEdit())
        self.id_number.setMaxLength(20)
        self.id_number.setPlaceholderText(tr("member_form.id_placeholder"))
        self.sex = self.add_field("member_form.sex", "sex", combo([("", tr("form.choose"))] + choices("sex")))
        self.birth_date = self.add_field("member_form.birth_date", "birth_date", DateEdit("birth_date"))
        self.relation = self.add_field(
            "member_form.relation", "relation", combo(choices("relation"), "other")
        )
        self.marital = self.add_field("member_form.marital", "marital_status", combo(choices("marital")))
        self.marriage_date = self.add_field(
            "member_form.marriage_date", "marriage_date", DateEdit("marriage_date")
        )
        # A warning, not an error: the form still saves (check_person returns it among its warnings).
        self.marriage_warning = FieldError()
        self.marriage_warning.setObjectName("warning_marriage_date")
        self.marriage_warning.setStyleSheet("color: #8a5300;")
        # PySide6 types the position as object; it is (row, role)
        row, _ = cast(
            tuple[int, QFormLayout.ItemRole], self.form.getWidgetPosition(self.errors.labels["marriage_date"])
        )
        self.form.insertRow(row + 1, "", self.marriage_warning)
        self.phone = self.add_field("member_form.phone", "phone", QLineEdit())
        self.residence = self.add_field(
            "member_form.residence",
            "residence_status",
            combo([(s.value, label("residence", s.value)) for s in EDITABLE_STATUSES]),
        )
        self.place = self.add_field("member_form.place", "residence_place", QLineEdit())
        self.place.setPlaceholderText(tr("member_form.place_placeholder"))
        self.arrival = None
        self.event_date = None
        if person_id is None:
            arrivals = [
                ("", tr("member_form.arrival_existing")),
                (VitalEventType.BIRTH.value, tr("member_form.arrival_birth")),
                (VitalEventType.MOVE_IN.value, tr("member_form.arrival_move_in")),
            ]
            self.arrival = self.add_field("member_form.arrival", "arrival", combo(arrivals))
            self.event_date = self.add_field("member_form.event_date", "event_date", DateEdit("event_date"))
            self.arrival.currentIndexChanged.connect(self._arrival_changed)
            if newborn:
                set_combo(self.arrival, VitalEventType.BIRTH.value)
            self._arrival_changed()
        self.notes = self.add_field("member_form.notes", "notes", QPlainTextEdit())
        self.notes.setTabChangesFocus(True)
        self.notes.setFixedHeight(56)
        # after the field-error clearing hooked up by add_field, so what it says about the number stays
        self.id_number.textChanged.connect(self._id_typed)
        self.marital.currentIndexChanged.connect(self._marital_changed)
        for date_edit in (self.birth_date, self.marriage_date):
            date_edit.textChanged.connect(self._marriage_age_changed)  # also when the ID number fills it
        self.sex.currentIndexChanged.connect(self._marriage_age_changed)
        self.residence.currentIndexChanged.connect(self._residence_changed)
        if person_id:
            self._load(hh.get_person(ctx.db, person_id))
        self._marital_changed()
        self._residence_changed()
        self.dirty = False
        self.resize(520, self.sizeHint().height())

    def _load(self, p: hh.PersonRow) -> None:
        self.rev = p.rev
        self.loaded_identity = (p.name, p.birth_date, p.id_number or None)
        self.name.setText(p.name)
        self.id_number.setText(p.id_number)
        set_combo(self.sex, p.sex)
        self.birth_date.set_date(p.birth_date)
        set_combo(self.relation, p.relation)
        set_combo(self.marital, p.marital_status)
        self.marriage_date.set_date(p.marriage_date)
        self.phone.setText(p.phone)
        set_combo(self.residence, p.residence_status)
        self.place.setText(p.residence_place)
        self.notes.setPlainText(p.notes)

    # -- live behaviour while typing
    def _id_typed(self, text: str) -> None:
        """A complete ID number fills birth date and sex; a wrong one is explained at once."""
        label_ = self.errors.labels["id_number"]
        digits = identity.normalise(text)
        if len(digits) not in (15, 18):
            label_.show_message("")
            return
        try:
            rid = identity.parse(digits, today=self.ctx.today())
        except DomainError as e:
            label_.show_message(e.message())
            return
        label_.show_message("")
        self.birth_date.set_date(rid.birth_date)
        set_combo(self.sex, rid.sex.value)

    def _marital_changed(self, *_: object) -> None:
        unmarried = self.marital.currentData() == MaritalStatus.UNMARRIED
        self.marriage_date.setEnabled(not unmarried)
        if unmarried:
            self.marriage_date.clear()
        self._marriage_age_changed()

    def _marriage_age_changed(self, *_: object) -> None:
        """Say at once when the marriage date and birth date make a marriage below the legal age."""
        message = ""
        try:
            birth, marriage = self.birth_date.date(), self.marriage_date.date()
            if birth is not None and marriage is not None and marriage > birth:
                warning = check_marriage_age(birth, marriage, self.sex.currentData())
                message = tr(warning) if warning else ""
        except DomainError:
            pass  # a date that cannot be read, or a marriage refused outright: said at the field on saving
        self.marriage_warning.show_message(message)

    def _residence_changed(self, *_: object) -> None:
        needs_place = self.residence.currentData() in (
            ResidenceStatus.OUT_MIGRANT,
            ResidenceStatus.IN_MIGRANT,
        )
        self.place.setEnabled(needs_place or bool(self.place.text()))

    def _arrival_changed(self, *_: object) -> None:
        if self.arrival is None or self.event_date is None:
            return
        self.event_date.setEnabled(self.arrival.currentData() == VitalEventType.MOVE_IN.value)

    # -- saving
    def person_input(self) -> hh.PersonInput:
        return hh.PersonInput(
            name=self.name.text(),
            sex=self.sex.currentData() or None,
            birth_date=self.birth_date.date(),
            id_number=self.id_number.text() or None,
            relation=self.relation.currentData(),
            marital_status=self.marital.currentData(),
            marriage_date=self.marriage_date.date(),
            phone=self.phone.text(),
            residence_status=self.residence.currentData(),
            residence_place=self.place.text() or None,
            notes=self.notes.toPlainText(),
        )

    def submit(self) -> bool:
        data = self.person_input()
        today = self.ctx.today()
        if self.person_id:
            checked = hh.check_person(data, today).data
            identity_changed = (checked.name, checked.birth_date, checked.id_number) != self.loaded_identity
            duplicates = (
                hh.find_duplicates(self.ctx.db, checked, exclude_id=self.person_id)
                if identity_changed
                else []
            )
            if duplicates:
                dialog = DuplicateDialog(duplicates, self, editing=True)
                result = dialog.exec()
                if result == MERGE_WITH:
                    self.existing = dialog.chosen()
                    self.dirty = False
                    self.done(MERGE_WITH)
                    return False
                if result != QDialog.DialogCode.Accepted:
                    return False
            hh.update_person(self.ctx.db, self.ctx.actor, self.person_id, data, today, expected_rev=self.rev)
            return True
        checked = hh.check_person(data, today).data  # show field errors before asking about duplicates
        arrival = self.arrival.currentData() if self.arrival is not None else ""
        event_date = self.event_date.date() if self.event_date is not None and arrival else None
        duplicates = hh.find_duplicates(self.ctx.db, checked)
        if duplicates:
            dialog = DuplicateDialog(duplicates, self)
            result = dialog.exec()
            if result == OPEN_EXISTING:
                self.existing = dialog.chosen()
                self.dirty = False
                self.done(OPEN_EXISTING)
                return False
            if result != QDialog.DialogCode.Accepted:
                return False
        self.saved_id = hh.add_person(
            self.ctx.db,
            self.ctx.actor,
            self.household_id,
            data,
            today,
            arrival=VitalEventType(arrival) if arrival else None,
            event_date=event_date,
        )
        return True
