"""Saving the demo: every row bulk-inserted in one transaction through the tracking API, in replicate mode (the
rows carry the made-up history of their own stamps), each with its audit line."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.db import Database
from app.i18n import tr
from app.models import Household
from app.models.tracking import fill_deferred, insert_rows
from app.progress import ProgressFn, report
from app.services.demo.builder import MODELS, Builder
from app.services.demo.setup import DemoSetUp
from app.vocab import UserRole

INSERT_BATCH = 5000
# The two references that go backwards in MODELS order (household.head_person_id, person.born_of_pregnancy_id)
# are inserted NULL and set afterwards by primary key: deferring the foreign keys instead makes SQLite scan the
# (unindexed) child column of every parent row inserted while a violation is outstanding — quadratic, 55 s
# instead of 3 s at 50,000 people.
BACKWARD_KEYS = {"household": "head_person_id", "person": "born_of_pregnancy_id"}


def refuse_households(session: Session) -> None:
    if session.execute(sa.select(Household.id).limit(1)).first():
        raise ValueError("the demo goes only into a village without households")


def save(
    db: Database, b: Builder, *, user_id: str, set_up: DemoSetUp | None, progress: ProgressFn | None
) -> None:
    """Write the set-up (if any) and every row `b` made as `user_id`: all of it, or nothing if `progress`
    cancels."""
    total = sum(len(rows) for rows in b.rows.values())
    written = 0
    with db.write(Actor(user_id, UserRole.ADMIN, b.code), replicate=True) as s:
        refuse_households(s)  # again, under the write lock
        if set_up is not None:
            set_up.insert(s)
        for model in MODELS:
            rows = b.rows[model.__tablename__]
            later = BACKWARD_KEYS.get(model.__tablename__)
            for i in range(0, len(rows), INSERT_BATCH):
                batch = rows[i : i + INSERT_BATCH]
                insert_rows(s, model, batch, deferred=(later,) if later else ())
                written += len(batch)
                report(progress, 0.7 + 0.3 * written / total, tr("demo.step.saving"))
        for model in MODELS:
            later = BACKWARD_KEYS.get(model.__tablename__)
            if later:
                fill_deferred(s, model, b.rows[model.__tablename__], later)
        report(progress, 1.0, tr("demo.step.done"))
    if set_up is not None:
        db.refresh_profile()
