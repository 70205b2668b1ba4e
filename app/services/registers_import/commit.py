"""Writing an import: a backup first, then every accepted row in one transaction, the follow-ups re-planned once
at the end, and SQLite's integrity_check after it.

The rows go in through the tracking API's bulk statements (insert_rows / update_rows: stamped and audited like
a form's), not one form core per row: a form's core costs ~1.3 ms a person here, over a minute for a
township's 50,000 (pitfalls.md: Core/bulk statements for imports). The rules are the forms' own (plan.py).
A cancel, or any error, rolls the whole transaction back: nothing of the import stays.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from app import backups, storage
from app.actor import Actor
from app.db import Database
from app.i18n import tr
from app.models import ContraceptiveEpisode, Household, Person, VitalEvent
from app.models.tracking import append_event, fill_deferred, insert_rows, update_rows
from app.progress import ProgressFn, report, scaled
from app.services import followup_sync
from app.services.permissions import Permission, require
from app.services.registers_import.plan import ImportPlan, make_plan
from app.services.registers_import.source import Source


@dataclass(frozen=True)
class ImportResult:
    plan: ImportPlan
    backup: Path | None  # the "before-import" backup (None for a database without a file)


def preview(
    db: Database, actor: Actor, source: Source, today: dt.date, progress: ProgressFn | None = None
) -> ImportPlan:
    """What importing `source` would do now, changing nothing."""
    with db.read() as s:
        return make_plan(s, actor, source.name, source.pairs(), today, progress)


def do_import(
    s: Session, actor: Actor, source: Source, today: dt.date, progress: ProgressFn | None = None
) -> ImportPlan:
    """The write core: plan `source` against the database as it is in this transaction and write every
    accepted row; returns the plan that was carried out."""
    require(actor, Permission.REGISTER)
    plan = make_plan(s, actor, source.name, source.pairs(), today, scaled(progress, 0.0, 0.4))
    w = plan.writes
    if w.methods:
        require(actor, Permission.CARE)
    steps: tuple[tuple[str, Callable[[], object]], ...] = (
        ("households", lambda: insert_rows(s, Household, w.households, deferred=("head_person_id",))),
        ("people", lambda: insert_rows(s, Person, w.people)),
        ("heads", lambda: fill_deferred(s, Household, w.households, "head_person_id")),
        ("updates", lambda: update_rows(s, Person, w.person_updates)),
        (
            "heads",
            lambda: update_rows(s, Household, [(h, {"head_person_id": p or None}) for h, p in w.heads]),
        ),
        ("methods", lambda: update_rows(s, ContraceptiveEpisode, w.methods_closed)),
        ("methods", lambda: insert_rows(s, ContraceptiveEpisode, w.methods)),
        ("events", lambda: insert_rows(s, VitalEvent, w.events)),
    )
    for n, (what, step) in enumerate(steps):
        report(progress, 0.4 + 0.45 * n / len(steps), tr(f"import.progress.{what}"))
        step()
    report(progress, 0.85, tr("import.progress.followups"))
    if w.replan:
        followup_sync.refresh_people(s, sorted(w.replan), today)
    append_event(
        s,
        "import",
        "registers",
        {"added": plan.added, "updated": plan.updated, "refused": plan.refused, "rows_written": len(w)},
    )
    report(progress, 0.95, tr("import.progress.saving"))
    return plan


def import_register(
    db: Database,
    actor: Actor,
    source: Source,
    today: dt.date,
    *,
    key: bytes | None = None,
    progress: ProgressFn | None = None,
) -> ImportResult:
    """Back up the database ("before-import"), import `source` in one transaction, then run integrity_check
    (a damaged result raises DamagedDatabase; the backup is the way back)."""
    backup = None
    if db.path is not None:
        report(progress, 0.0, tr("import.progress.backup"))
        backup = backups.make_backup(db.path, key, "before-import", progress=scaled(progress, 0.0, 0.1)).path
    with db.write(actor) as s:
        plan = do_import(s, actor, source, today, scaled(progress, 0.1, 0.95))
    # saved: from here on a Cancel can no longer undo anything, so it is not asked
    if db.path is not None:
        _tell(progress, 0.97, tr("import.progress.integrity"))
        storage.check_at_start(db, full=True)
    _tell(progress, 1.0, tr("import.progress.done"))
    return ImportResult(plan, backup)


def _tell(progress: ProgressFn | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(fraction, message)
