"""Saving the demo: every row bulk-inserted with Core in one transaction, with one audit line for them all."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.db import Database
from app.i18n import tr
from app.models import Household
from app.models.tracking import append_audit
from app.services.demo.builder import MODELS, Builder
from app.services.demo.progress import Progress
from app.services.demo.setup import DemoSetUp

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
    db: Database, b: Builder, *, user_id: str, set_up: DemoSetUp | None, seed: int, report: Progress
) -> None:
    """Write the set-up (if any) and every row `b` made as `user_id`: all of it, or nothing if `report` cancels."""
    total = sum(len(rows) for rows in b.rows.values())
    written = 0
    with db.write(user_id) as s:
        refuse_households(s)  # again, under the write lock
        if set_up is not None:
            set_up.insert(s)
        for model in MODELS:
            rows = b.rows[model.__tablename__]
            later = BACKWARD_KEYS.get(model.__tablename__)
            for i in range(0, len(rows), INSERT_BATCH):
                batch = rows[i : i + INSERT_BATCH]
                if later:
                    batch = [{**r, later: None} for r in batch]
                s.execute(sa.insert(model.__table__), batch)
                written += len(batch)
                report(0.7 + 0.3 * written / total, tr("demo.step.saving"))
        for table, column in BACKWARD_KEYS.items():
            t = sa.table(table, sa.column("id"), sa.column(column))
            pairs = [{"b_id": r["id"], "b_value": r[column]} for r in b.rows[table] if r[column] is not None]
            if pairs:
                s.execute(
                    t.update()
                    .where(t.c.id == sa.bindparam("b_id"))
                    .values({column: sa.bindparam("b_value")}),
                    pairs,
                )
        append_audit(
            s,
            action="bulk",
            table="demo",
            record_id=b.code,
            rev=0,
            changes={"people": len(b.rows["person"]), "seed": seed, "today": b.today.isoformat()},
        )
        report(1.0, tr("demo.step.done"))
    if set_up is not None:
        db.refresh_profile()
