"""Where the data lives: the data folder (platformdirs, --data-dir, or FHDESK_DATA_DIR) and the demo village's
folder inside it.

Naming a folder creates nothing: only setting up a village (the wizard, `fhdesk init`) and the demo make one,
with `prepare_data_dir`. A folder the app creates is the owner's alone (0700 on POSIX)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import platformdirs

from app.files import make_private_dir

APP_NAME = "FamilyHealthDesk"
DB_FILENAME = "fhdesk.sqlite"
ENV_DATA_DIR = "FHDESK_DATA_DIR"
TOWNSHIP_DEMO_SUBFOLDER = "township-demo"
DEMO_SUBFOLDER = "demo"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder (not created). An explicit override wins over the environment."""
    chosen = override or os.environ.get(ENV_DATA_DIR)
    if chosen:
        return Path(chosen).expanduser()
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))


def village_dir(
    override: str | os.PathLike[str] | None = None, *, demo: bool = False, demo_township: bool = False
) -> Path:
    """The folder of the village to open: the data folder, or its `demo` subfolder for the demo village (kept
    apart from real data, for the desktop app and the command line alike), or `township-demo` for the demo
    township."""
    folder = data_dir(override)
    if demo_township:
        return folder / TOWNSHIP_DEMO_SUBFOLDER
    return folder / DEMO_SUBFOLDER if demo else folder


def database_path(folder: Path) -> Path:
    return folder / DB_FILENAME


def has_database(folder: Path) -> bool:
    """Whether `folder` holds a database file (an empty file, left by an interrupted start, counts as none)."""
    path = database_path(folder)
    return path.is_file() and path.stat().st_size > 0


def prepare_data_dir(folder: Path) -> Path:
    """Create the data folder if missing (the owner's alone) and make sure files can be written in it:
    PermissionError (naming the folder) for a read-only one, before anything is half done."""
    make_private_dir(folder)
    if not folder.is_dir():
        raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), str(folder))
    effective = os.access in os.supports_effective_ids  # the rights the process acts with
    if not os.access(folder, os.W_OK | os.X_OK, effective_ids=effective):
        raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(folder))
    return folder


def backups_dir(folder: Path) -> Path:
    """Where copies are kept before a migration (created when the first copy is made)."""
    return folder / "backups"


def logs_dir(folder: Path) -> Path:
    """Where the log is kept (created when logging starts)."""
    return folder / "logs"
