"""Build tests/data/schema_0003.sqlite: a small village saved at schema revision "0003" (round 1's last).

tests/integration/test_migrations.py opens a copy with today's app and checks that it upgrades with every row
intact. This script uses the services of that release, so it runs only in a checkout of commit e266c60
(`git worktree add /tmp/r1 e266c60 && cd /tmp/r1 && .venv/bin/python tests/data/make_schema_0003_db.py`);
the file it made is kept in the repository and stands for a laptop that ran round 1.

What it holds: the 400-person demo (seed 3) made on 2026-11-24, so every table has rows (follow-ups with answers,
a referral follow-up made from an answer, stock movements and their triggers), then a few changes typed by the
officer (an edit, a death, a visit recorded with a referral) so the audit chain has ordinary lines after the
demo's bulk line.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from app.db import open_database  # noqa: E402
from app.models import Followup, Person  # noqa: E402
from app.services import auth, followups, households  # noqa: E402
from app.services.demo import generate_demo  # noqa: E402

OUT = Path(__file__).resolve().with_name("schema_0003.sqlite")
TODAY = dt.date(2026, 11, 24)


def main() -> None:
    OUT.unlink(missing_ok=True)
    db = open_database(OUT)
    generate_demo(db, people=400, seed=3, today=TODAY)
    officer = auth.list_users(db)[0].id
    with db.read() as s:
        people = s.execute(sa.select(Person.id).order_by(Person.id).limit(3)).scalars().all()
        anc = s.execute(
            sa.select(Followup.id)
            .where(Followup.followup_type == "anc2", Followup.status.in_(("due", "missed")))
            .order_by(Followup.id)
            .limit(1)
        ).scalar_one()
    row = households.get_person(db, people[0])
    households.update_person(
        db,
        officer,
        row.id,
        households.PersonInput(
            name=row.name,
            sex=row.sex,
            birth_date=row.birth_date,
            id_number=row.id_number or None,
            relation=row.relation,
            marital_status=row.marital_status,
            marriage_date=row.marriage_date,
            phone="13900001234",
            residence_status=row.residence_status,
            residence_place=row.residence_place or None,
            notes="电话已更新",
        ),
        TODAY,
        expected_rev=row.rev,
    )
    households.record_death(db, officer, people[1], TODAY - dt.timedelta(days=3), TODAY)
    detail = followups.get_detail(db, anc)
    answers = {}
    for item in detail.template.items:
        answers[item.key] = {"yesno": "yes", "number": "1", "date": TODAY.isoformat()}.get(item.kind, "正常")
        if item.kind == "choice":
            answers[item.key] = item.choices[0]
    followups.record_visit(
        db, officer, anc, followups.VisitInput(TODAY - dt.timedelta(days=1), answers, "转诊", ""), TODAY
    )
    db.dispose()
    for extra in ("-wal", "-shm"):
        Path(str(OUT) + extra).unlink(missing_ok=True)
    print(f"wrote {OUT} ({OUT.stat().st_size:,} bytes)")


if __name__ == "__main__":
    main()
