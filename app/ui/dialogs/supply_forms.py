"""The stock ledger's forms: receive from the township, issue to a person or at the self-service point,
record a loss, a stock count, a return to the township, and the reversal of a movement. Each saves one
movement through app.services.supplies; a refusal is shown at the field it concerns."""

from __future__ import annotations

import datetime as dt

from PySide6.QtCore import Qt
from PySide6.QtGui import QIntValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.services import care, supplies
from app.services import households as hh
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog, set_combo
from app.ui.dialogs.person_picker import PersonPicker, describe
from app.ui.forms import DateEdit
from app.ui.labels import fmt_date, label
from app.vocab import SupplyCategory

MAX_QUANTITY = 999_999
LOSS_KIND_LABELS = {
    "expired": "supply.loss_kind.expired",
    "damaged": "supply.loss_kind.damaged",
    "other": "supply.loss_kind.other",
}
MUTED = "color: #555555;"
WARN = "color: #b00020;"


def item_text(item: supplies.ItemRow) -> str:
    return tr("supply_form.item_choice", code=item.code, name=item.name, unit=item.unit)


def lot_text(lot: supplies.LotRow) -> str:
    text = tr(
        "supply_form.lot_choice",
        lot=lot.lot,
        expiry=fmt_date(lot.expiry_date),
        on_hand=lot.on_hand,
        unit=lot.unit,
    )
    if lot.expired:
        text += tr("supply_form.lot_expired_suffix")
    elif lot.expires_within_90:
        text += tr("supply_form.lot_expiring_suffix")
    return text


def quantity_edit() -> QLineEdit:
    edit = QLineEdit()
    edit.setValidator(QIntValidator(0, MAX_QUANTITY))
    edit.setMaxLength(len(str(MAX_QUANTITY)))
    return edit


def read_quantity(edit: QLineEdit, field: str = "quantity") -> int:
    text = edit.text().strip()
    if not text:
        raise DomainError("field.required", field)
    return int(text)


def read_date(edit: DateEdit) -> dt.date:
    value = edit.date()
    if value is None:
        raise DomainError("field.required", edit.field)
    return value


class SupplyForm(FormDialog):
    """Item, lot and date fields shared by the ledger's forms. The lot chooser lists the item's lots that
    have stock (expired ones marked), each with its expiry and what it has."""

    def __init__(self, ctx: AppContext, title: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.ctx = ctx
        self.setMinimumWidth(560)
        self.saved_id: str | None = None
        self.catalogue = supplies.items(ctx.db, ctx.today())
        self._lots: list[supplies.LotRow] = []

    # -- building blocks
    def add_item_field(self, item_id: str | None) -> QComboBox:
        box = QComboBox()
        for item in self.catalogue:
            box.addItem(item_text(item), item.id)
        self.item = self.add_field("supply_form.item", "item_id", box)
        if item_id:
            set_combo(self.item, item_id)
        return self.item

    def add_lot_field(self) -> QComboBox:
        self.lot = self.add_field("supply_form.lot", "lot", QComboBox())
        self.lot.setMinimumContentsLength(30)
        return self.lot

    def add_date_field(self) -> DateEdit:
        self.date = self.add_field("supply_form.date", "movement_date", DateEdit("movement_date"))
        self.date.set_date(self.ctx.today())
        return self.date

    def add_note(self, name: str) -> QLabel:
        note = QLabel()
        note.setObjectName(name)
        note.setWordWrap(True)
        note.setStyleSheet(MUTED)
        self.form.addRow("", note)
        return note

    # -- what is chosen
    def item_id(self) -> str:
        value = self.item.currentData()
        if not value:
            raise DomainError("field.required", "item_id")
        return str(value)

    def current_item(self) -> supplies.ItemRow | None:
        value = self.item.currentData()
        return next((i for i in self.catalogue if i.id == value), None)

    def load_lots(self, keep: str | None = None) -> None:
        value = self.item.currentData()
        self._lots = supplies.lots(self.ctx.db, self.ctx.today(), item_id=value) if value else []
        self.lot.blockSignals(True)
        self.lot.clear()
        for lot in self._lots:
            self.lot.addItem(lot_text(lot), lot.lot)
        if keep is not None:
            set_combo(self.lot, keep)
        self.lot.blockSignals(False)

    def current_lot(self) -> supplies.LotRow | None:
        value = self.lot.currentData()
        return next((lot for lot in self._lots if lot.lot == value), None)

    def lot_code(self) -> str:
        value = self.lot.currentData()
        if not value:
            raise DomainError("supply_form.no_lot", "lot")
        return str(value)


class ReceiveForm(SupplyForm):
    """入库: a lot received from the township, with its expiry and the township's document number."""

    def __init__(self, ctx: AppContext, item_id: str | None = None, parent: QWidget | None = None) -> None:
        super().__init__(ctx, tr("supply_form.receive_title"), parent)
        self.setObjectName("receiveForm")
        self.add_item_field(item_id)
        self.lot_edit = self.add_field("supply_form.lot", "lot", QLineEdit())
        self.lot_edit.setMaxLength(40)
        self.lot_edit.setPlaceholderText(tr("supply_form.lot_placeholder"))
        self.expiry = self.add_field("supply_form.expiry", "expiry_date", DateEdit("expiry_date"))
        self.quantity = self.add_field("supply_form.quantity", "quantity", quantity_edit())
        self.unit_note = self.add_note("receiveUnit")
        self.document = self.add_field("supply_form.document_no", "document_no", QLineEdit())
        self.document.setMaxLength(40)
        self.add_date_field()
        self.item.currentIndexChanged.connect(self._item_changed)
        self.lot_edit.editingFinished.connect(self._known_lot)
        self._item_changed()
        self.dirty = False

    def _item_changed(self, *_: object) -> None:
        item = self.current_item()
        self.unit_note.setText(tr("supply_form.unit_note", unit=item.unit) if item else "")

    def _known_lot(self) -> None:
        """A lot already in stock keeps its expiry: filled in when the lot number is one we know."""
        value, code = self.item.currentData(), self.lot_edit.text().strip()
        if not value or not code or self.expiry.text().strip():
            return
        for lot in supplies.lots(self.ctx.db, self.ctx.today(), item_id=value, include_empty=True):
            if lot.lot == code:
                self.expiry.set_date(lot.expiry_date)
                return

    def submit(self) -> None:
        lot = self.lot_edit.text().strip()
        if not lot:
            raise DomainError("field.required", "lot")
        expiry = read_date(self.expiry)
        self.saved_id = supplies.receive(
            self.ctx.db,
            self.ctx.actor,
            supplies.ReceiptInput(
                item_id=self.item_id(),
                lot=lot,
                expiry_date=expiry,
                quantity=read_quantity(self.quantity),
                movement_date=read_date(self.date),
                document_no=self.document.text().strip(),
            ),
            self.ctx.today(),
        )


class IssueForm(SupplyForm):
    """发放: to a person (chosen with the picker, or fixed when opened from their record) or at the
    self-service point (anonymous). The lot is proposed first-expiry-first-out for the quantity typed and
    can be changed; the note under it says what the lot has."""

    def __init__(
        self,
        ctx: AppContext,
        person: hh.PersonRow | None = None,
        self_service: bool = False,
        item_id: str | None = None,
        fixed_person: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        title = tr("supply_form.self_service_title") if self_service else tr("supply_form.issue_title")
        super().__init__(ctx, title, parent)
        self.setObjectName("selfServiceForm" if self_service else "issueForm")
        self.self_service = self_service
        self.person = person
        self._lot_chosen = False  # the officer picked a lot: no longer re-proposed as the quantity changes
        self._fefo = False  # the lot shown is the first-expiry-first-out proposal
        self.person_line: QLineEdit | None = None
        self.link: QCheckBox | None = None
        self._link_target: tuple[str, str] | None = None  # ("episode" | "course", id)
        if not self_service:
            row = QWidget()
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            self.person_line = QLineEdit()
            self.person_line.setReadOnly(True)
            self.person_line.setObjectName("personLine")
            self.person_line.setFocusPolicy(Qt.FocusPolicy.NoFocus)
            row_layout.addWidget(self.person_line, 1)
            self.choose_button = QPushButton(tr("supply_form.choose_person"))
            self.choose_button.setObjectName("choosePerson")
            self.choose_button.setAutoDefault(False)
            self.choose_button.clicked.connect(self.choose_person)
            self.choose_button.setVisible(not fixed_person)
            row_layout.addWidget(self.choose_button)
            self.add_field("supply_form.person", "person_id", row)
        else:
            self.add_note("selfServiceNote").setText(tr("supply_form.self_service_note"))
        self.add_item_field(item_id)
        self.quantity = self.add_field("supply_form.quantity", "quantity", quantity_edit())
        self.add_lot_field()
        self.lot_note = self.add_note("lotNote")
        if not self_service:
            self.link = QCheckBox()
            self.link.setObjectName("linkRecord")
            self.form.addRow("", self.link)
        self.add_date_field()

        self.item.currentIndexChanged.connect(self._item_changed)
        self.lot.activated.connect(self._lot_activated)
        self.lot.currentIndexChanged.connect(self._show_lot)
        self.quantity.textChanged.connect(self._propose)
        self.date.editingFinished.connect(self._propose)
        self.date.editingFinished.connect(self._update_link)  # the course running on the day issued
        self._show_person()
        self._item_changed()
        (self.quantity if item_id else self.item).setFocus()  # the item is often chosen already
        self.dirty = False

    # -- the person
    def choose_person(self) -> None:
        picker = PersonPicker(self.ctx, self)
        if picker.exec() == QDialog.DialogCode.Accepted and picker.chosen is not None:
            self.person = picker.chosen
            self.dirty = True
            self._show_person()
            self._update_link()

    def _show_person(self) -> None:
        if self.person_line is not None:
            self.person_line.setText(describe(self.person, self.ctx.today()) if self.person else "")
            self.person_line.setCursorPosition(0)  # the name first, when the line is narrow

    def _update_link(self) -> None:
        """Offer to record the issue against the person's current method (an item that serves it) or open
        folic-acid course (folic acid); ticked by default."""
        if self.link is None:
            return
        self._link_target = None
        item = self.current_item()
        if self.person is not None and item is not None:
            if item.category == SupplyCategory.CONTRACEPTIVE:
                method = care.current_method(self.ctx.db, self.person.id)
                if method is not None and item.code in supplies.method_items().get(method.method, ()):
                    self._link_target = ("episode", method.id)
                    self.link.setText(
                        tr(
                            "supply_form.link_method",
                            method=label("method", method.method),
                            start=fmt_date(method.start_date),
                        )
                    )
            elif item.category == SupplyCategory.FOLIC_ACID:
                course = care.folic_issue_plan(self.ctx.db, self.person.id, self._issue_day()).course
                if course is not None:
                    self._link_target = ("course", course.id)
                    self.link.setText(tr("supply_form.link_folic", start=fmt_date(course.start_date)))
        self.link.setChecked(self._link_target is not None)
        self.link.setVisible(self._link_target is not None)

    def _issue_day(self) -> dt.date:
        try:
            return self.date.date() or self.ctx.today()
        except DomainError:
            return self.ctx.today()

    def _start_course(self, quantity: int, on: dt.date) -> bool:
        """Folic acid for a woman with no course running that day: asked whether to start her course on the
        issue date with these bottles (so the women register shows she takes it). No: the issue alone."""
        item = self.current_item()
        if self.person is None or item is None or item.category != SupplyCategory.FOLIC_ACID:
            return False
        if not care.folic_issue_plan(self.ctx.db, self.person.id, on).can_start:
            return False
        box = QMessageBox(
            QMessageBox.Icon.Question,
            tr("care_rules.start_folic_title"),
            tr(
                "care_rules.start_folic_question",
                name=self.person.name,
                date=fmt_date(on),
                bottles=quantity,
                unit=item.unit,
            ),
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            self,
        )
        box.setObjectName("startFolicCourse")
        box.button(QMessageBox.StandardButton.Yes).setText(tr("care_rules.start_folic_yes"))
        box.button(QMessageBox.StandardButton.No).setText(tr("care_rules.start_folic_no"))
        box.setDefaultButton(QMessageBox.StandardButton.Yes)
        return box.exec() == QMessageBox.StandardButton.Yes

    # -- the lot
    def _item_changed(self, *_: object) -> None:
        self._lot_chosen = False
        self.load_lots()
        self._propose()
        self._update_link()

    def _lot_activated(self, *_: object) -> None:
        self._lot_chosen = True
        self._show_lot()

    def _propose(self, *_: object) -> None:
        """First expiry, first out: the lot that expires first and has the quantity typed (or, when none
        has it, the first that is still usable)."""
        if self._lot_chosen or self.lot.count() == 0:
            self._show_lot()
            return
        value = self.item.currentData()
        text = self.quantity.text().strip()
        quantity = int(text) if text.isdigit() and int(text) > 0 else 1
        try:
            on = self.date.date() or self.ctx.today()
        except DomainError:
            on = self.ctx.today()
        proposed = supplies.fefo_lot(self.ctx.db, value, quantity, on) if value else None
        self._fefo = proposed is not None
        if proposed is None:  # no lot has that many: the one with the most, whose note says how many
            usable = [lot for lot in self._lots if not lot.expired]
            proposed = max(usable, key=lambda lot: lot.on_hand, default=None)
        if proposed is not None:
            self.lot.blockSignals(True)
            set_combo(self.lot, proposed.lot)
            self.lot.blockSignals(False)
        self._show_lot()

    def _show_lot(self, *_: object) -> None:
        lot = self.current_lot()
        item = self.current_item()
        if lot is None:
            unit = item.unit if item else ""
            self.lot_note.setText(tr("supply_form.no_stock", unit=unit) if item else "")
            self.lot_note.setStyleSheet(WARN)
            return
        text = tr(
            "supply_form.lot_has",
            lot=lot.lot,
            on_hand=lot.on_hand,
            unit=lot.unit,
            expiry=fmt_date(lot.expiry_date),
        )
        warn = lot.expired
        if lot.expired:
            text += tr("supply_form.lot_has_expired")
        elif not self._lot_chosen and self._fefo:
            text += tr("supply_form.fefo_proposed")
        quantity = self.quantity.text().strip()
        if quantity.isdigit() and int(quantity) > lot.on_hand:
            text += tr("supply_form.lot_short", on_hand=lot.on_hand, unit=lot.unit)
            warn = True
        self.lot_note.setText(text)
        self.lot_note.setStyleSheet(WARN if warn else MUTED)

    def submit(self) -> None:
        if not self.self_service and self.person is None:
            raise DomainError("supply_form.person_required", "person_id")
        data = supplies.IssueInput(
            item_id=self.item_id(),
            lot=self.lot.currentData() or None,
            quantity=read_quantity(self.quantity),
            movement_date=read_date(self.date),
        )
        if self.self_service:
            self.saved_id = supplies.issue_self_service(self.ctx.db, self.ctx.actor, data, self.ctx.today())
            return
        assert self.person is not None
        episode = course = None
        if self.link is not None and self.link.isChecked() and self._link_target is not None:
            kind, target = self._link_target
            episode, course = (target, None) if kind == "episode" else (None, target)
        data = supplies.IssueInput(
            item_id=data.item_id,
            lot=data.lot,
            quantity=data.quantity,
            movement_date=data.movement_date,
            person_id=self.person.id,
            contraceptive_episode_id=episode,
            folic_acid_course_id=course,
        )
        checked = supplies.check_issue(data, self.ctx.today())  # a wrong field is shown before any question
        assert checked.movement_date is not None and isinstance(checked.quantity, int)
        start = course is None and self._start_course(checked.quantity, checked.movement_date)
        self.saved_id = supplies.issue_to_person(
            self.ctx.db, self.ctx.actor, data, self.ctx.today(), start_folic_course=start
        )


class _LotForm(SupplyForm):
    """A form about one lot of one item: item and lot chosen first, the lot's stock shown under it, then the
    form's own fields (`add_fields`), then the date."""

    title_key: str
    object_name: str

    def __init__(
        self,
        ctx: AppContext,
        item_id: str | None = None,
        lot: str | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(ctx, tr(self.title_key), parent)
        self.add_item_field(item_id)
        self.add_lot_field()
        self.lot_note = self.add_note("lotNote")
        self.item.currentIndexChanged.connect(self._item_changed)
        self.lot.currentIndexChanged.connect(self._lot_changed)
        self._initial_lot = lot
        self.setObjectName(self.object_name)
        self.add_fields()
        self.add_date_field()
        self.start()

    def add_fields(self) -> None:
        """The fields between the lot and the date."""
        raise NotImplementedError

    def _item_changed(self, *_: object) -> None:
        self.load_lots()
        self._lot_changed()

    def start(self) -> None:
        self.load_lots(self._initial_lot)
        self._lot_changed()
        self.dirty = False

    def _lot_changed(self, *_: object) -> None:
        lot = self.current_lot()
        if lot is None:
            self.lot_note.setText(tr("supply_form.no_lots"))
            return
        self.lot_note.setText(
            tr(
                "supply_form.lot_has",
                lot=lot.lot,
                on_hand=lot.on_hand,
                unit=lot.unit,
                expiry=fmt_date(lot.expiry_date),
            )
            + (tr("supply_form.lot_has_expired") if lot.expired else "")
        )


class LossForm(_LotForm):
    """报损: expired, damaged or otherwise lost stock of one lot, with the reason."""

    title_key = "supply_form.loss_title"
    object_name = "lossForm"

    def add_fields(self) -> None:
        kind = QComboBox()
        for code in supplies.LOSS_KINDS:
            kind.addItem(tr(LOSS_KIND_LABELS[code]), code)
        self.kind = self.add_field("supply_form.loss_kind", "kind", kind)
        self._kind_chosen = False
        self.kind.activated.connect(self._kind_activated)
        self.quantity = self.add_field("supply_form.quantity", "quantity", quantity_edit())
        self.reason = self.add_field("supply_form.reason", "reason", QLineEdit())
        self.reason.setMaxLength(200)

    def _kind_activated(self, *_: object) -> None:
        self._kind_chosen = True

    def _lot_changed(self, *_: object) -> None:
        """An expired lot is written off as expired; any other as damaged, until the officer chooses."""
        super()._lot_changed()
        lot = self.current_lot()
        if lot is not None and hasattr(self, "kind") and not self._kind_chosen:
            set_combo(self.kind, "expired" if lot.expired else "damaged")

    def submit(self) -> None:
        self.saved_id = supplies.record_loss(
            self.ctx.db,
            self.ctx.actor,
            self.item_id(),
            self.lot_code(),
            read_quantity(self.quantity),
            str(self.kind.currentData()),
            self.reason.text().strip(),
            read_date(self.date),
            self.ctx.today(),
        )


class CountForm(_LotForm):
    """盘点: the quantity counted on the shelf for one lot; the difference from the books is shown before
    saving and recorded as an adjustment (nothing is recorded when they agree)."""

    title_key = "supply_form.count_title"
    object_name = "countForm"

    def add_fields(self) -> None:
        self.counted = self.add_field("supply_form.counted", "counted", quantity_edit())
        self.difference = self.add_note("countDifference")
        self.counted.textChanged.connect(self._show_difference)

    def _lot_changed(self, *_: object) -> None:
        super()._lot_changed()
        if hasattr(self, "difference"):
            self._show_difference()

    def difference_value(self) -> int | None:
        lot = self.current_lot()
        text = self.counted.text().strip()
        if lot is None or not text.isdigit():
            return None
        return int(text) - lot.on_hand

    def _show_difference(self, *_: object) -> None:
        lot = self.current_lot()
        diff = self.difference_value()
        if lot is None or diff is None:
            self.difference.setText("")
            return
        if diff == 0:
            text = tr("supply_form.count_agrees", on_hand=lot.on_hand, unit=lot.unit)
        elif diff < 0:
            text = tr("supply_form.count_short", on_hand=lot.on_hand, diff=-diff, unit=lot.unit)
        else:
            text = tr("supply_form.count_over", on_hand=lot.on_hand, diff=diff, unit=lot.unit)
        self.difference.setText(text)
        self.difference.setStyleSheet(MUTED if diff == 0 else WARN)

    def submit(self) -> None:
        self.saved_id = supplies.count_stock(
            self.ctx.db,
            self.ctx.actor,
            self.item_id(),
            self.lot_code(),
            read_quantity(self.counted, "counted"),
            read_date(self.date),
            self.ctx.today(),
        )


class ReturnForm(_LotForm):
    """退回乡镇: stock of one lot sent back to the township, with the township's document number."""

    title_key = "supply_form.return_title"
    object_name = "returnForm"

    def add_fields(self) -> None:
        self.quantity = self.add_field("supply_form.quantity", "quantity", quantity_edit())
        self.document = self.add_field("supply_form.document_no", "document_no", QLineEdit())
        self.document.setMaxLength(40)

    def submit(self) -> None:
        self.saved_id = supplies.return_to_township(
            self.ctx.db,
            self.ctx.actor,
            self.item_id(),
            self.lot_code(),
            read_quantity(self.quantity),
            read_date(self.date),
            self.document.text().strip(),
            self.ctx.today(),
        )


class ReverseForm(FormDialog):
    """冲正: a movement entered wrongly is cancelled by a new movement the other way, with the reason."""

    def __init__(
        self, ctx: AppContext, movement: supplies.MovementRow, parent: QWidget | None = None
    ) -> None:
        super().__init__(tr("supply_form.reverse_title"), parent)
        self.setObjectName("reverseForm")
        self.setMinimumWidth(560)
        self.ctx, self.movement = ctx, movement
        self.saved_id: str | None = None
        m = movement
        what = QLabel(
            tr(
                "supply_form.reverse_what",
                date=fmt_date(m.movement_date),
                type=label("movement", m.movement_type),
                name=m.name,
                lot=m.lot,
                quantity=f"{m.direction * m.quantity:+d}",
                unit=m.unit,
            )
            + (f"  {m.person_name}" if m.person_name else "")
        )
        what.setObjectName("reverseWhat")
        what.setWordWrap(True)
        self.form.addRow(tr("supply_form.reverse_movement"), what)
        note = QLabel(tr("supply_form.reverse_note"))
        note.setWordWrap(True)
        note.setStyleSheet(MUTED)
        self.form.addRow("", note)
        self.reason = self.add_field("supply_form.reverse_reason", "reason", QLineEdit())
        self.reason.setMaxLength(200)
        self.dirty = False

    def submit(self) -> None:
        reason = self.reason.text().strip()
        if not reason:
            raise DomainError("field.required", "reason")
        self.saved_id = supplies.reverse(
            self.ctx.db, self.ctx.actor, self.movement.id, reason, self.ctx.today()
        )
