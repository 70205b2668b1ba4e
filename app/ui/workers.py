"""run_op(): run a service call off the UI thread with a progress dialog and a cancel button.

The operation receives a Qt-free `progress(fraction, message) -> bool` callable (False = the person
pressed Cancel); it must not touch any widget. The result or the error comes back on the UI thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, Qt, QThread, Signal
from PySide6.QtWidgets import QProgressDialog, QWidget

from app.i18n import tr
from app.progress import Cancelled, ProgressFn

log = logging.getLogger(__name__)


class _Worker(QObject):
    progressed = Signal(float, str)
    succeeded = Signal(object)
    failed = Signal(object)

    def __init__(self, op: Callable[[ProgressFn], Any]) -> None:
        super().__init__()
        self._op = op
        self.cancel_event = threading.Event()

    def _progress(self, fraction: float, message: str) -> bool:
        self.progressed.emit(fraction, message)
        return not self.cancel_event.is_set()

    def run(self) -> None:
        try:
            result = self._op(self._progress)
        except BaseException as e:  # noqa: BLE001 - handed to the UI thread, which decides what to show
            self.failed.emit(e)
        else:
            self.succeeded.emit(result)


class Operation(QObject):
    """A running background operation; keep a reference until it finishes (run_op does)."""

    finished = Signal()

    def __init__(
        self,
        parent: QWidget | None,
        op: Callable[[ProgressFn], Any],
        title: str,
        on_success: Callable[[Any], None],
        on_error: Callable[[BaseException], None] | None,
        cancellable: bool,
        show_after_ms: int,
    ) -> None:
        super().__init__(parent)
        self._thread = QThread()
        self.worker = _Worker(op)
        self.worker.moveToThread(self._thread)
        self.dialog = QProgressDialog(title, tr("common.cancel") if cancellable else "", 0, 1000, parent)
        self.dialog.setWindowTitle(title)
        self.dialog.setWindowModality(Qt.WindowModality.WindowModal)
        self.dialog.setMinimumDuration(show_after_ms)
        self.dialog.setAutoClose(False)
        self.dialog.setAutoReset(False)
        if not cancellable:
            self.dialog.setCancelButton(None)
        self.dialog.canceled.connect(self.cancel)
        self.dialog.setValue(0)
        self._on_success, self._on_error = on_success, on_error
        self._thread.started.connect(self.worker.run)
        self.worker.progressed.connect(self._show_progress)
        self.worker.succeeded.connect(self._succeeded)
        self.worker.failed.connect(self._failed)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self.worker.cancel_event.set()
        self.dialog.setLabelText(tr("common.cancelling"))

    @property
    def cancelled(self) -> bool:
        return self.worker.cancel_event.is_set()

    def _show_progress(self, fraction: float, message: str) -> None:
        self.dialog.setValue(int(max(0.0, min(1.0, fraction)) * 1000))
        if message and not self.cancelled:
            self.dialog.setLabelText(message)

    def _finish(self) -> None:
        self._thread.quit()
        self._thread.wait()
        self.dialog.reset()
        self.dialog.hide()
        self.dialog.deleteLater()
        self.finished.emit()

    def _succeeded(self, result: Any) -> None:
        self._finish()
        self._on_success(result)

    def _failed(self, error: BaseException) -> None:
        self._finish()
        if self._on_error is not None:
            self._on_error(error)
        elif isinstance(error, Cancelled):
            return  # the person pressed Cancel: nothing was kept, nothing to say
        else:
            from app.ui.errors import show_error

            parent = self.parent()  # the widget given to run_op, or None
            show_error(parent if isinstance(parent, QWidget) else None, error)


_running: set[Operation] = set()


def busy() -> bool:
    """Some background operation is still running."""
    return bool(_running)


def run_op(
    parent: QWidget | None,
    op: Callable[[ProgressFn], Any],
    *,
    title: str,
    on_success: Callable[[Any], None],
    on_error: Callable[[BaseException], None] | None = None,
    cancellable: bool = True,
    show_after_ms: int = 400,
) -> Operation:
    operation = Operation(parent, op, title, on_success, on_error, cancellable, show_after_ms)
    _running.add(operation)
    operation.finished.connect(lambda: _running.discard(operation))
    operation.start()
    return operation
