"""What a person sees when something goes wrong: a domain message, or one calm sentence and the log's
location — never a traceback. The log itself holds no personal data (app/logs.py)."""

from __future__ import annotations

import contextlib
import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from app import storage
from app.db import DamagedDatabase, DatabaseProblem, is_damage
from app.errors import DomainError
from app.i18n import tr
from app.logs import log_file, setup_logging

log = logging.getLogger("app")
__all__ = [
    "install_excepthook",
    "log_file",
    "setup_logging",
    "show_error",
    "storage_sentence",
    "unexpected_message",
]


def unexpected_message() -> str:
    path = log_file()
    return tr("error.unexpected", log=str(path) if path else "—")


def storage_sentence(error: BaseException) -> str | None:
    """A damaged database or a storage fault (a full disk, a read-only folder, an I/O error) said in one
    sentence with what to do; None for any other error."""
    if is_damage(error) or isinstance(error, DamagedDatabase):
        return tr(
            "storage.damaged_now"
        )  # writing has stopped (Database.write); the next login offers a backup
    if isinstance(error, DatabaseProblem):
        return error.message()
    fault = storage.fault_of(error)
    if fault is None:
        return None
    path = log_file()  # the log is kept in <data folder>/logs: the folder whose disk or rights are at fault
    return fault.message(path.parent.parent if path is not None else "—")


def show_error(parent: QWidget | None, error: BaseException) -> None:
    if isinstance(error, DomainError):
        QMessageBox.warning(parent, tr("error.title"), error.message())
        return
    sentence = storage_sentence(error)
    if sentence is not None:
        log.error("storage fault: %s", type(error).__name__)  # the kind only: never the values
        QMessageBox.critical(parent, tr("error.title"), sentence)
        return
    log.error("unexpected error", exc_info=(type(error), error, error.__traceback__))
    QMessageBox.critical(parent, tr("error.title"), unexpected_message())


def install_excepthook() -> None:
    """Any exception that escapes a slot is logged and shown calmly instead of killing the app."""

    def hook(kind: type[BaseException], error: BaseException, tb: TracebackType | None) -> None:
        if issubclass(kind, KeyboardInterrupt):
            sys.__excepthook__(kind, error, tb)
            return
        log.error("uncaught", exc_info=(kind, error, tb))
        with contextlib.suppress(Exception):  # last resort: never raise from the hook
            show_error(None, error)

    sys.excepthook = hook
