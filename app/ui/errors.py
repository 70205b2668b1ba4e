"""What a person sees when something goes wrong: a domain message, or one calm sentence and the log's
location — never a traceback. The log itself holds no personal data (app/logs.py)."""

from __future__ import annotations

import contextlib
import logging
import sys
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import DomainError
from app.i18n import tr
from app.logs import log_file, setup_logging

log = logging.getLogger("app")
__all__ = ["install_excepthook", "log_file", "setup_logging", "show_error", "unexpected_message"]


def unexpected_message() -> str:
    path = log_file()
    return tr("error.unexpected", log=str(path) if path else "—")


def show_error(parent: QWidget | None, error: BaseException) -> None:
    if isinstance(error, DomainError):
        QMessageBox.warning(parent, tr("error.title"), error.message())
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
