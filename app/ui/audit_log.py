"""Outputs worth a line in the audit trail: an export, a print, a backup — what kind, never personal data."""

from __future__ import annotations

import logging
from typing import Any

from app.actor import Actor
from app.db import Database
from app.services import audit
from app.ui.context import AppContext

log = logging.getLogger(__name__)


def record_output(ctx: AppContext, subject: str, action: str = "export", **details: Any) -> None:
    """Audit an output (`subject`: "cards", "monthly_report", a register's name...) as the logged-in person.
    A failure to write the line is logged, never shown: the file the officer asked for is already there."""
    record_output_as(ctx.db, ctx.actor, subject, action, **details)


def record_output_as(
    db: Database, actor: Actor, subject: str, action: str = "export", **details: Any
) -> None:
    """record_output for a widget given the database and the acting person rather than the whole context."""
    try:
        audit.record_event(db, actor, action, subject, details)
    except Exception as e:  # noqa: BLE001 - logged by its class only
        log.error("could not audit the %s of %s: %s", action, subject, type(e).__name__)
