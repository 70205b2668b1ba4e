"""Where the data lives: the data folder (platformdirs, --data-dir, or FHDESK_DATA_DIR)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "FamilyHealthDesk"
DB_FILENAME = "fhdesk.sqlite"
ENV_DATA_DIR = "FHDESK_DATA_DIR"


def data_dir(override: str | os.PathLike[str] | None = None) -> Path:
    """The data folder, created if missing. An explicit override wins over the environment."""
    chosen = override or os.environ.get(ENV_DATA_DIR)
    path = (
        Path(chosen).expanduser() if chosen else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    )
    path.mkdir(parents=True, exist_ok=True)
    return path


def database_path(folder: Path) -> Path:
    return folder / DB_FILENAME


def backups_dir(folder: Path) -> Path:
    path = folder / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def logs_dir(folder: Path) -> Path:
    path = folder / "logs"
    path.mkdir(parents=True, exist_ok=True)
    return path
