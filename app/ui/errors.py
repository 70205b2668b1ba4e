"""What a person sees when something goes wrong: a domain message, or one calm sentence and the log's
location — never a traceback."""

from __future__ import annotations

import contextlib
import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path
from types import TracebackType

from PySide6.QtWidgets import QMessageBox, QWidget

from app.errors import DomainError
from app.i18n import tr

log = logging.getLogger("app")
_log_file: Path | None = None


def setup_logging(folder: Path) -> Path:
    global _log_file
    _log_file = folder / "fhdesk.log"
    handler = RotatingFileHandler(_log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    return _log_file


def log_file() -> Path | None:
    return _log_file


def unexpected_message() -> str:
    return tr("error.unexpected", log=str(_log_file) if _log_file else "—")


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
        log.error("uncaught: %s", "".join(traceback.format_exception(kind, error, tb)))
        with contextlib.suppress(Exception):  # last resort: never raise from the hook
            show_error(None, error)

    sys.excepthook = hook
