"""自动锁定: after a while without a key press or a mouse move, every window of the app is hidden and the
password is asked again. Unlocking shows the windows as they were — a half-filled form included (nothing is
closed, only hidden)."""

from __future__ import annotations

import time
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from app.errors import DomainError
from app.i18n import tr
from app.services import login, vault
from app.ui.widgets import FieldError

IDLE_CHOICES = (5, 10, 15, 30, 0)  # minutes; 0: never
DEFAULT_IDLE_MINUTES = 10
ACTIVITY = {
    QEvent.Type.KeyPress,
    QEvent.Type.MouseButtonPress,
    QEvent.Type.MouseMove,
    QEvent.Type.Wheel,
    QEvent.Type.TouchBegin,
}


class LockDialog(QDialog):
    """The only window shown while locked: whose session it is, and the password."""

    def __init__(self, session: login.LoggedIn, on_quit: Callable[[], None]) -> None:
        super().__init__(None)
        self.setObjectName("lockDialog")
        self.setWindowTitle(tr("lock.title"))
        self.session = session
        self._quit = on_quit
        self.password = QLineEdit()
        self.password.setObjectName("lockPassword")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.error = FieldError()
        self.error.setObjectName("lockError")
        buttons = QDialogButtonBox()
        unlock = buttons.addButton(tr("lock.unlock"), QDialogButtonBox.ButtonRole.AcceptRole)
        unlock.setObjectName("lockUnlock")
        leave = buttons.addButton(tr("lock.quit"), QDialogButtonBox.ButtonRole.RejectRole)
        unlock.clicked.connect(self.try_unlock)
        leave.clicked.connect(self._leave)
        layout = QVBoxLayout(self)
        text = QLabel(tr("lock.text", name=session.user.display_name))
        text.setWordWrap(True)
        layout.addWidget(text)
        layout.addWidget(self.password)
        layout.addWidget(self.error)
        layout.addWidget(buttons)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 32)

    def try_unlock(self) -> None:
        try:
            unlocked = vault.unlock(self.session.folder, self.session.user.username, self.password.text())
        except DomainError as e:
            self.error.show_message(e.message())
            self.password.clear()
            return
        if unlocked.key != self.session.key:  # another village's slot by the same name: not this session
            self.error.show_message(tr("auth.wrong_credentials"))
            return
        self.password.clear()
        self.accept()

    def _leave(self) -> None:
        self.done(QDialog.DialogCode.Rejected)
        self._quit()

    def reject(self) -> None:  # Esc does not unlock
        pass


class IdleLock(QObject):
    """Watches the whole application's input; locks after `minutes` without any."""

    def __init__(self, session: login.LoggedIn, minutes: int, on_quit: Callable[[], None]) -> None:
        super().__init__()
        self.session = session
        self.minutes = minutes
        self._quit = on_quit
        self.last_activity = time.monotonic()
        self.locked = False
        self.hidden: list[QWidget] = []
        self.dialog: LockDialog | None = None
        self.timer = QTimer(self)
        self.timer.setInterval(5000)
        self.timer.timeout.connect(self.check)
        app = QApplication.instance()
        assert app is not None
        app.installEventFilter(self)
        self.timer.start()

    def set_minutes(self, minutes: int) -> None:
        self.minutes = minutes
        self.last_activity = time.monotonic()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if event.type() in ACTIVITY and not self.locked:
            self.last_activity = time.monotonic()
        return False

    def check(self) -> None:
        if self.minutes and not self.locked and time.monotonic() - self.last_activity >= self.minutes * 60:
            self.lock()

    def lock(self) -> None:
        """Hide every window (the data goes out of sight; the forms stay as they are) and ask."""
        if self.locked:
            return
        self.locked = True
        self.hidden = [w for w in QApplication.topLevelWidgets() if w.isVisible()]
        for w in self.hidden:
            w.hide()
        self.dialog = LockDialog(self.session, self._quit)
        self.dialog.accepted.connect(self.unlock)
        self.dialog.show()
        self.dialog.raise_()
        self.dialog.activateWindow()

    def unlock(self) -> None:
        for w in self.hidden:
            w.show()
        self.hidden = []
        self.locked = False
        self.last_activity = time.monotonic()
        if self.dialog is not None:
            self.dialog.deleteLater()
            self.dialog = None

    def stop(self) -> None:
        self.timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)
