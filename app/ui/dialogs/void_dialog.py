"""作废: void a record typed by mistake, with the reason the officer gives. The record leaves every list; its
history stays (the audit trail names who voided it, when and why)."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.i18n import tr
from app.ui.dialogs.base import FormDialog


class VoidDialog(FormDialog):
    """Asks why; `void(reason)` does it (a service wrapper that raises DomainError for a refusal)."""

    def __init__(self, what: str, void: Callable[[str], None], parent: QWidget | None = None) -> None:
        super().__init__(tr("void.title"), parent)
        self.setObjectName("voidDialog")
        self._void = void
        intro = QLabel(tr("void.intro", what=what))
        intro.setWordWrap(True)
        intro.setObjectName("voidIntro")
        self.form.addRow(intro)
        self.reason = self.add_field("void.reason", "reason", QLineEdit())
        self.reason.setMaxLength(200)
        self.reason.setPlaceholderText(tr("void.reason_placeholder"))
        self.buttons.button(self.buttons.StandardButton.Save).setText(tr("void.confirm"))
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 42)

    def submit(self) -> None:
        self._void(self.reason.text())
