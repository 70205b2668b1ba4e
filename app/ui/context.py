"""What every page needs, handed down explicitly (no global singletons): the database, the officer, today."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from PySide6.QtCore import QSettings

from app.actor import Actor
from app.clock import today
from app.db import Database
from app.services.auth import UserInfo
from app.services.login import LoggedIn


@dataclass
class AppContext:
    db: Database
    user: UserInfo
    data_dir: Path
    settings: QSettings
    today: Callable[[], dt.date] = field(default=today)
    demo: bool = False
    login: LoggedIn | None = None  # the opened village's key and folder (None: a test's plain database)

    @property
    def actor(self) -> Actor:
        """The logged-in person acting for this database's village: what every write service takes."""
        return Actor(self.user.id, self.user.role, self.db.node)
