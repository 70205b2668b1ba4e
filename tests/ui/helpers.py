"""Typing Chinese in tests the way a pinyin input method does: by committing composed text.

QTest.keyClicks only knows ASCII keys (it aborts on 张); an IME delivers Chinese as a QInputMethodEvent.
"""

from __future__ import annotations

from PySide6.QtGui import QInputMethodEvent
from PySide6.QtWidgets import QApplication, QWidget


def ime_type(widget: QWidget, text: str) -> None:
    widget.setFocus()
    event = QInputMethodEvent()
    event.setCommitString(text)
    QApplication.sendEvent(widget, event)
    QApplication.processEvents()


class DialogScript:
    """Answers the modal dialogs a click opens, one handler per dialog, in order.

    `exec()` blocks the test; the handlers run inside the dialog's own event loop as the person would.
    """

    def __init__(self, *handlers):
        from PySide6.QtCore import QTimer

        self._timer_cls = QTimer
        self.handlers = list(handlers)
        self.seen: list[QWidget] = []
        self.errors: list[BaseException] = []
        self._poll()

    def _poll(self) -> None:
        self._timer_cls.singleShot(10, self._check)

    def _check(self) -> None:
        if not self.handlers:
            return
        widget = QApplication.activeModalWidget()
        if widget is None or (self.seen and widget is self.seen[-1]) or not widget.isVisible():
            self._poll()
            return
        self.seen.append(widget)
        handler = self.handlers.pop(0)
        self._poll()  # before the handler: it may open a nested dialog that blocks until answered
        try:
            handler(widget)
        except BaseException as e:  # noqa: BLE001 - re-raised by done() in the test
            self.errors.append(e)
            from PySide6.QtWidgets import QDialog

            if isinstance(widget, QDialog):
                widget.done(QDialog.DialogCode.Rejected)  # not reject(): that may ask about unsaved changes
            else:
                widget.close()

    def done(self) -> None:
        if self.errors:
            raise self.errors[0]
        assert not self.handlers, f"{len(self.handlers)} dialogs never appeared"
