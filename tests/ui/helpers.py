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
