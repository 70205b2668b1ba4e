"""One desktop app per data folder. The first copy holds a lock file in the folder (QLockFile: freed by the
system's process table when a copy crashed) and listens on a local socket named after the folder; a second copy
started on the same folder finds the lock taken, asks the first to bring its window forward, says so, and ends —
it never opens the database as a second writer."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

from PySide6.QtCore import QLockFile, QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

log = logging.getLogger(__name__)
LOCK_FILE = "fhdesk.lock"
RAISE = b"raise\n"
WAIT_MS = 2000


def server_name(folder: Path) -> str:
    """The local socket's name: the same for every path spelling of one folder, different between folders."""
    digest = hashlib.sha256(str(folder.resolve()).encode("utf-8")).hexdigest()[:20]
    return f"fhdesk-{digest}"


class SingleInstance(QObject):
    """`claim()` in the first copy; `activated` is sent when a later copy asked for the window."""

    activated = Signal()

    def __init__(self, folder: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.folder = folder
        self.name = server_name(folder)
        self.lock = QLockFile(str(folder / LOCK_FILE))
        self.lock.setStaleLockTime(0)  # stale only when its process is gone, however long the app runs
        self.server: QLocalServer | None = None

    def claim(self) -> bool:
        """True when this copy may run on the folder (and now listens for later copies); False when another
        copy holds it. A folder where no lock can be written (read-only) is not refused here: opening the
        database says what is wrong with it."""
        if not self.lock.tryLock(100):
            if self.lock.error() == QLockFile.LockError.LockFailedError:
                return False
            log.warning("no lock file in the data folder (%s): not guarding against a second copy",
                        self.lock.error().name)  # fmt: skip
            return True
        QLocalServer.removeServer(self.name)  # a socket left by a copy that crashed
        self.server = QLocalServer(self)
        self.server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not self.server.listen(self.name):
            log.warning("cannot listen for a second copy: %s", self.server.errorString())
        self.server.newConnection.connect(self._connection)
        return True

    def release(self) -> None:
        if self.server is not None:
            self.server.close()
            self.server = None
        self.lock.unlock()

    def ask_first_copy_to_show(self) -> bool:
        """From a second copy: ask the first to bring its window forward; True when it answered."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(WAIT_MS):
            return False
        socket.write(RAISE)
        delivered = socket.waitForBytesWritten(WAIT_MS)
        socket.disconnectFromServer()
        return delivered

    def _connection(self) -> None:
        assert self.server is not None
        while (socket := self.server.nextPendingConnection()) is not None:
            socket.readyRead.connect(lambda s=socket: self._read(s))
            socket.disconnected.connect(socket.deleteLater)
            if socket.bytesAvailable():
                self._read(socket)

    def _read(self, socket: QLocalSocket) -> None:
        if bytes(socket.readAll().data()).strip() == RAISE.strip():
            self.activated.emit()


def bring_forward(window: QWidget) -> None:
    """Show a window that may be minimised or behind others, in front and with the keyboard."""
    if window.isMinimized():
        window.showNormal()
    window.show()
    window.raise_()
    window.activateWindow()
