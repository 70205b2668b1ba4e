"""FormDialog: Save (Enter) / Cancel (Esc), errors at the field at fault, and a question before unsaved
changes are thrown away."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.ui.errors import show_error
from app.ui.forms import FieldErrors
from app.ui.widgets import FieldError

W = TypeVar("W", bound=QWidget)


class FormDialog(QDialog):
    """Subclasses add their fields and define `submit()`, which saves, raises DomainError for bad input,
    or returns False when the person stepped back (nothing saved, nothing wrong)."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.errors = FieldErrors()
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.general_error = FieldError()
        self.general_error.setObjectName("generalError")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.button(QDialogButtonBox.StandardButton.Save).setText(tr("form.save"))
        self.buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(tr("common.cancel"))
        # Enter saves through keyPressEvent below; Qt's default-button mechanism is switched off because
        # QDialogButtonBox sometimes makes Save the default on show, and one Enter must never save twice.
        for button in self.buttons.buttons():
            if isinstance(button, QPushButton):  # a button box's standard buttons are push buttons
                button.setAutoDefault(False)
                button.setDefault(False)
        self.buttons.accepted.connect(self.save)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.general_error)
        layout.addWidget(self.buttons)
        self.dirty = False
        self.confirm_discard = True

    def add_field(self, label_id: str, field: str, widget: W) -> W:
        """A labelled row for `field` (its errors shown under it); returns `widget`, typed as given."""
        self.errors.add_row(self.form, tr(label_id), field, widget)
        if isinstance(widget, QLineEdit):
            widget.textEdited.connect(self._mark_dirty)
        elif isinstance(widget, QComboBox):
            widget.activated.connect(self._mark_dirty)
        elif isinstance(widget, QPlainTextEdit):
            widget.textChanged.connect(self._mark_dirty)
        elif isinstance(widget, QCheckBox):
            widget.toggled.connect(self._mark_dirty)
        return widget

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt's name
        # Line edits and combo boxes pass Enter on to the dialog; a multi-line note keeps it as a new line.
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and event.modifiers() in (
            Qt.KeyboardModifier.NoModifier,
            Qt.KeyboardModifier.KeypadModifier,
        ):
            event.accept()
            self.save()
            return
        super().keyPressEvent(event)

    def _mark_dirty(self, *_: object) -> None:
        self.dirty = True

    def show_domain_error(self, error: DomainError) -> None:
        self.general_error.show_message("")
        if not self.errors.show(error):
            self.general_error.show_message(error.message())
        grow_to_fit(self)

    def save(self) -> None:
        self.errors.clear()
        self.general_error.show_message("")
        try:
            if self.submit() is False:  # type: ignore[attr-defined]
                return
        except DomainError as e:
            self.show_domain_error(e)
            return
        except Exception as e:  # noqa: BLE001 - logged and shown as one calm sentence
            show_error(self, e)
            return
        self.dirty = False
        self.accept()

    def reject(self) -> None:
        if self.dirty and self.confirm_discard:
            answer = QMessageBox.question(
                self,
                tr("form.unsaved_title"),
                tr("form.unsaved_question"),
                QMessageBox.StandardButton.Discard | QMessageBox.StandardButton.Cancel,
                QMessageBox.StandardButton.Cancel,
            )
            if answer != QMessageBox.StandardButton.Discard:
                return
        super().reject()


def grow_to_fit(dialog: QDialog) -> None:
    """Make room for sentences that appeared (a wrapped error or note): Qt does not grow a window for a
    label's height-for-width, so the dialog is resized to what its layout needs at its width."""
    layout = dialog.layout()
    if layout is None:
        return
    layout.activate()
    need = (
        layout.totalHeightForWidth(dialog.width())
        if layout.hasHeightForWidth()
        else layout.sizeHint().height()
    )
    if need > dialog.height():
        dialog.resize(dialog.width(), need)


def combo(choices: list[tuple[str, str]], current: str | None = None) -> QComboBox:
    box = QComboBox()
    for code, text in choices:
        box.addItem(text, code)
    if current is not None:
        set_combo(box, current)
    return box


def set_combo(box: QComboBox, code: object) -> None:
    i = box.findData(code)
    if i >= 0:
        box.setCurrentIndex(i)
