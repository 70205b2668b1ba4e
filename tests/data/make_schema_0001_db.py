"""Build tests/data/schema_0001.sqlite: a small village saved at the FIRST schema revision ("0001").

tests/integration/test_migrations.py opens a copy with today's app and checks it upgrades without losing
anything. Run once and keep the file in the repository (it stands for a laptop that was set up with the
first release):

    .venv/bin/python tests/data/make_schema_0001_db.py

Only plain SQL (no models or services), so the script keeps writing the 0001 layout however the app changes.
The rows are what the app itself would have written: sync metadata, pinyin keys and a valid audit hash chain.
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from alembic import command  # noqa: E402
from argon2 import PasswordHasher  # noqa: E402

from app.db import alembic_config, current_revision, make_engine, sqlite_url  # noqa: E402
from app.models.tracking import GENESIS_HASH, chain_hash  # noqa: E402

OUT = Path(__file__).resolve().with_name("schema_0001.sqlite")
REVISION = "0001"

VILLAGE = "620422103201"
OFFICER = "01930000-0000-7000-8000-000000000001"
SYSTEM = "00000000-0000-0000-0000-000000000000"
HOUSEHOLD = "01930000-0000-7000-8000-000000000010"
ZHANG_SAN = "01930000-0000-7000-8000-000000000011"
LI_XIULAN = "01930000-0000-7000-8000-000000000012"
AT = dt.datetime(2026, 11, 1, 2, 0, tzinfo=dt.UTC)  # 10:00 in China
PASSWORD = "secret123"  # the officer must still be able to log in after an upgrade


def stamp(moment: dt.datetime) -> str:
    """How SQLAlchemy stores a UTC datetime in SQLite."""
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


class Writer:
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn
        self.prev = GENESIS_HASH

    def sql(self, statement: str, **params: object) -> None:
        self.conn.execute(sa.text(statement), params)

    def audit(self, action: str, table: str, record_id: str, rev: int, changes: dict[str, object]) -> None:
        payload = {
            "at": AT.isoformat(),
            "user": OFFICER,
            "action": action,
            "table": table,
            "id": record_id,
            "rev": rev,
            "changes": changes,
        }
        digest = chain_hash(self.prev, payload)
        self.sql(
            "INSERT INTO audit_event (at, user_id, action, record_table, record_id, record_rev, changes, "
            "prev_hash, hash) VALUES (:at, :user, :action, :table, :id, :rev, :changes, :prev, :hash)",
            at=stamp(AT),
            user=OFFICER,
            action=action,
            table=table,
            id=record_id,
            rev=rev,
            changes=json.dumps(changes, ensure_ascii=False, sort_keys=True),
            prev=self.prev,
            hash=digest,
        )
        self.prev = digest

    def insert(self, table: str, values: dict[str, object]) -> None:
        """A travelling record as the tracking hook stamps it, with its audit line."""
        meta = {
            "rev": 1,
            "owner": VILLAGE,
            "created_at": stamp(AT),
            "created_by": OFFICER,
            "updated_at": stamp(AT),
            "updated_by": OFFICER,
        }
        row = {**values, **meta}
        self.sql(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join(':' + k for k in row)})", **row)
        changes = {k: v for k, v in values.items() if k != "id" and v is not None}
        self.audit("insert", table, str(values["id"]), 1, changes)


def build(w: Writer) -> None:
    w.sql(
        "INSERT INTO village_profile (id, code, name, township_code, township_name, officer_phone, created_at) "
        "VALUES (1, :code, '红星村', '620422103000', '白银镇', '13912345678', :at)",
        code=VILLAGE,
        at=stamp(AT),
    )
    w.sql(
        "INSERT INTO sync_state (id, node, epoch, last_seq, acked_seq, acked_audit_seq) VALUES (1, :n, 1, 0, 0, 0)",
        n=VILLAGE,
    )
    w.sql(
        "INSERT INTO app_user (id, username, display_name, password_hash, role, phone, active, created_at) "
        "VALUES (:id, 'lixiuying', '李秀英', :hash, 'admin', '13912345678', 1, :at)",
        id=OFFICER,
        hash=PasswordHasher().hash(PASSWORD),
        at=stamp(AT),
    )
    for number, name in ((1, "一组"), (2, "二组")):
        w.insert(
            "villager_group",
            {"id": f"01930000-0000-7000-8000-00000000000{number + 1}", "number": number, "name": name},
        )
    w.insert(
        "household",
        {
            "id": HOUSEHOLD,
            "household_no": "0101",
            "group_no": 1,
            "address": "红星村一组 3 号",
            "phone": "13900001111",
            "residence_type": "local",
            "notes": "",
        },
    )
    person = {
        "household_id": HOUSEHOLD,
        "marital_status": "first_marriage",
        "marriage_date": "2015-05-01",
        "residence_status": "resident",
        "notes": "",
    }
    w.insert(
        "person",
        {
            "id": ZHANG_SAN,
            **person,
            "name": "张三",
            "name_pinyin": "zhangsan",
            "name_initials": "zs",
            "sex": "M",
            "birth_date": "1990-03-07",
            "id_number": "110101199003071233",
            "relation": "head",
            "phone": "13900001111",
        },
    )
    w.insert(
        "person",
        {
            "id": LI_XIULAN,
            **person,
            "name": "李秀兰",
            "name_pinyin": "lixiulan",
            "name_initials": "lxl",
            "sex": "F",
            "birth_date": "1992-08-15",
            "id_number": "620422199208150849",
            "relation": "spouse",
            "phone": None,
        },
    )
    w.sql("UPDATE household SET head_person_id = :p, rev = 2 WHERE id = :h", p=ZHANG_SAN, h=HOUSEHOLD)
    w.audit("update", "household", HOUSEHOLD, 2, {"head_person_id": [None, ZHANG_SAN]})


def main(out: Path = OUT) -> None:
    for leftover in (out, out.with_name(out.name + "-wal"), out.with_name(out.name + "-shm")):
        leftover.unlink(missing_ok=True)
    engine = make_engine(sqlite_url(out))
    with engine.begin() as conn:
        command.upgrade(alembic_config(conn), REVISION)
        build(Writer(conn))
    assert current_revision(engine) == REVISION
    engine.dispose()
    plain = sqlite3.connect(out)
    plain.execute("PRAGMA journal_mode=DELETE")  # a single file, no -wal beside it
    plain.execute("VACUUM")
    plain.close()
    print(f"wrote {out} at schema {REVISION}")


if __name__ == "__main__":
    main()
