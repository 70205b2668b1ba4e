"""How long since the last backup, as the status bar and the dashboard say it: amber after 7 days without one,
red after 30 (and red when there has never been one)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from app import config
from app.backups import AMBER_DAYS, RED_DAYS, newest
from app.clock import CHINA_TZ, now_utc
from app.i18n import tr
from app.ui.context import AppContext

AMBER = "#b26a00"
RED = "#b00020"


@dataclass(frozen=True)
class BackupStatus:
    text: str  # 上次备份：2026-12-04 18:02（3 天前）
    warning: str  # a sentence for the dashboard, empty while backups are recent
    colour: str  # "" (the usual), AMBER or RED


def backup_status(ctx: AppContext, now: dt.datetime | None = None) -> BackupStatus:
    last = newest(config.backups_dir(ctx.data_dir))
    moment = now or now_utc()
    if last is None:
        return BackupStatus(
            tr("status.last_backup", when=tr("status.never")), tr("backups.never_warning"), RED
        )
    days = max(0, (moment - last.made_at).days)
    when = last.made_at.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")
    text = tr("status.last_backup", when=tr("backups.when_days", when=when, days=days))
    if days >= RED_DAYS:
        return BackupStatus(text, tr("backups.old_warning", days=days), RED)
    if days >= AMBER_DAYS:
        return BackupStatus(text, tr("backups.old_warning", days=days), AMBER)
    return BackupStatus(text, "", "")
