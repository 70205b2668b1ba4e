"""Form helpers: date fields that accept the ways officers type dates, and errors shown at their field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

from PySide6.QtCore import SignalInstance
from PySide6.QtWidgets import (
    QAbstractButton,
    QComboBox,
    QFormLayout,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)

from app.errors import DomainError
from app.i18n import tr
from app.services.validation import parse_date
from app.ui.widgets import FieldError


class DateEdit(QLineEdit):
    """A date typed as 20240503, 2024-5-3, 2024.5.3 or 2024年5月3日 (what a pinyin IME produces)."""

    def __init__(self, field: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.field = field
        self.setPlaceholderText(tr("form.date_hint"))  # "e.g." so the grey sample never reads as a value
        self.setMaxLength(12)

    def date(self) -> dt.date | None:
        """The typed date, None when empty; a DomainError naming this field when it cannot be read."""
        text = self.text().strip()
        return parse_date(text, self.field) if text else None

    def set_date(self, value: dt.date | None) -> None:
        self.setText(value.isoformat() if value else "")


def change_signals(widget: QWidget) -> Iterator[SignalInstance]:
    """The signals saying that what a field holds has changed: the field's own, or those of the inputs inside
    it (a row of a line edit and a button; a spin box's or an editable combo box's line edit)."""
    inputs = [widget, *widget.findChildren(QWidget)]
    for w in inputs:
        if isinstance(w, QLineEdit):
            yield w.textChanged
        elif isinstance(w, QComboBox):
            yield w.currentIndexChanged
        elif isinstance(w, QPlainTextEdit | QTextEdit):
            yield w.textChanged
        elif isinstance(w, QAbstractButton) and w.isCheckable():
            yield w.toggled


class FieldErrors:
    """Error labels placed under the fields of a QFormLayout, addressed by field name. A field's error goes
    away as soon as the field is changed: it described what was there before (the next Save checks again).
    """

    def __init__(self) -> None:
        self.labels: dict[str, FieldError] = {}
        self.widgets: dict[str, QWidget] = {}

    def add_row(self, form: QFormLayout, label: str, field: str, widget: QWidget) -> None:
        form.addRow(label, widget)
        error = FieldError()
        error.setObjectName(f"error_{field}")
        form.addRow("", error)
        self.labels[field] = error
        self.widgets[field] = widget
        widget.setObjectName(f"field_{field}")
        self.clear_when_changed(field, widget)

    def clear_when_changed(self, field: str, widget: QWidget) -> None:
        """Hide `field`'s error when `widget` (the field, or another input belonging to it) is changed."""
        for signal in change_signals(widget):
            signal.connect(lambda *_, f=field: self.clear_field(f))

    def clear_field(self, field: str) -> None:
        label = self.labels.get(field)
        if label is not None and label.text():
            label.show_message("")

    def clear(self) -> None:
        for label in self.labels.values():
            label.show_message("")

    def show(self, error: DomainError) -> bool:
        """Show the error at its field and focus the field; False when this form has no such field."""
        self.clear()
        label = self.labels.get(error.field or "")
        if label is None:
            return False
        label.show_message(error.message())
        self.widgets[error.field or ""].setFocus()
        return True

    def message_of(self, field: str) -> str:
        label = self.labels.get(field)
        return label.text() if label is not None and label.isVisible() else ""
