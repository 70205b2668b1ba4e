"""one village among many: keys scoped to their village, derived ids, merges, the audit after-images

- villager groups are numbered within their village (owner); households point at their group by id; household
  numbers and living ID numbers are unique per village; supply items carry the township's UUIDv5 id and owner,
  their codes unique per owner;
- the village profile is keyed by its code (the home village marked), the sync state by its node;
- follow-ups and checklist answers get the UUIDv5 ids of app.models.ids (from their source record, type and
  occurrence), so every database planning from the same records makes the same rows;
- a person can be merged into another (status, merged_into); a stock issue may then move to the survivor;
- user accounts can be township reviewers;
- the stock ledger's rules read a lot's balance and expiry from covering indexes;
- audit lines carry the digest of the row they leave behind; the chain is re-hashed with the new line format
  (nothing outside the file anchored it yet: no backup manifest, no package) over the re-keyed ids, and one
  `baseline` line per existing row records its after-image, so that `audit verify` can compare every row with
  its last line from here on.

SQLite runs this with foreign keys off (app.db.upgrade; tables are rebuilt) and checks them before commit.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-04
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Literal

import sqlalchemy as sa
from alembic import op

from app.clock import now_utc
from app.models.ids import answer_id, catalogue_item_id, followup_id
from app.models.supply import drop_ledger_rules, ledger_rules
from app.models.tracking import GENESIS_HASH, chain_hash, digest, image, line_payload

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

SYSTEM_USER_ID = "00000000-0000-0000-0000-000000000000"
LIVING_ID_WHERE = (
    "id_number IS NOT NULL AND deleted_at IS NULL AND status = 'active' AND residence_status <> 'deceased'"
)
# The travelling tables in the package's dependency order (their rows get a baseline line each).
TRAVELLING = (
    "villager_group",
    "household",
    "person",
    "vital_event",
    "pregnancy",
    "prepregnancy_check",
    "contraceptive_method",
    "folic_acid_course",
    "followup",
    "followup_answer",
    "supply_item",
    "stock_movement",
    "support_entitlement",
)


def _rebuild() -> Literal["always", "auto"]:
    """SQLite rebuilds a table to change its constraints (and here also to keep its stored CREATE TABLE tidy);
    PostgreSQL alters it in place."""
    return "always" if op.get_bind().dialect.name == "sqlite" else "auto"


def _home(conn: sa.Connection) -> tuple[str, str] | None:
    row = conn.execute(sa.text("SELECT code, township_code FROM village_profile")).first()
    return (row[0], row[1]) if row else None


def _profile_and_sync_state(conn: sa.Connection) -> None:
    """Both tables held one row (id = 1): read it, make the tables anew keyed by the node, put it back."""
    old = sa.MetaData()
    profiles = [
        dict(r)
        for r in conn.execute(sa.Table("village_profile", old, autoload_with=conn).select()).mappings()
    ]
    states = [
        dict(r) for r in conn.execute(sa.Table("sync_state", old, autoload_with=conn).select()).mappings()
    ]
    op.drop_table("village_profile")
    op.drop_table("sync_state")
    profile = op.create_table(
        "village_profile",
        sa.Column("code", sa.String(12), nullable=False),
        sa.Column("home", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(60), nullable=False),
        sa.Column("township_code", sa.String(12), nullable=False),
        sa.Column("township_name", sa.String(60), nullable=False),
        sa.Column("officer_phone", sa.String(20), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("length(code) = 12", name=op.f("ck_village_profile_code_12_digits")),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_village_profile")),
    )
    op.create_index(
        "uq_village_profile_home",
        "village_profile",
        ["home"],
        unique=True,
        sqlite_where=sa.text("home"),
        postgresql_where=sa.text("home"),
    )
    state = op.create_table(
        "sync_state",
        sa.Column("node", sa.String(12), nullable=False),
        sa.Column("epoch", sa.Integer(), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.Column("last_package_id", sa.String(64), nullable=True),
        sa.Column("acked_seq", sa.Integer(), nullable=False),
        sa.Column("acked_package_id", sa.String(64), nullable=True),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("acked_audit_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("node", name=op.f("pk_sync_state")),
    )
    if profiles:
        op.bulk_insert(
            profile, [{**{k: v for k, v in p.items() if k != "id"}, "home": True} for p in profiles]
        )
    if states:
        op.bulk_insert(state, [{k: v for k, v in st.items() if k != "id"} for st in states])


def _groups_and_households() -> None:
    with op.batch_alter_table("household", recreate=_rebuild()) as b:
        b.drop_constraint(op.f("fk_household_group_no_villager_group"), type_="foreignkey")
    with op.batch_alter_table("villager_group", recreate=_rebuild()) as b:
        b.drop_constraint(op.f("uq_villager_group_number"), type_="unique")
        b.create_unique_constraint(op.f("uq_villager_group_owner_number"), ["owner", "number"])
    with op.batch_alter_table("household") as b:
        b.add_column(sa.Column("group_id", sa.String(36), nullable=True))
    op.execute(
        "UPDATE household SET group_id = (SELECT g.id FROM villager_group AS g "
        "WHERE g.number = household.group_no AND g.owner = household.owner)"
    )
    with op.batch_alter_table("household", recreate=_rebuild()) as b:
        b.drop_index("ix_household_group_no")
        b.drop_index("uq_household_living_no")
        b.drop_column("group_no")
        b.alter_column("group_id", existing_type=sa.String(36), nullable=False)
        b.create_foreign_key(
            op.f("fk_household_group_id_villager_group"), "villager_group", ["group_id"], ["id"]
        )
        b.create_index(op.f("ix_household_group_id"), ["group_id"])
        b.create_index(
            "uq_household_living_no",
            ["owner", "household_no"],
            unique=True,
            sqlite_where=sa.text("deleted_at IS NULL"),
            postgresql_where=sa.text("deleted_at IS NULL"),
        )


def _people() -> None:
    with op.batch_alter_table("person", recreate=_rebuild()) as b:
        b.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="active"))
        b.add_column(sa.Column("merged_into", sa.String(36), nullable=True))
        b.drop_index("uq_person_living_id_number")
    with op.batch_alter_table("person", recreate=_rebuild()) as b:
        b.alter_column("status", server_default=None, existing_type=sa.String(10), existing_nullable=False)
        b.create_foreign_key(op.f("fk_person_merged_into_person"), "person", ["merged_into"], ["id"])
        b.create_check_constraint("status_valid", sa.text("status IN ('active', 'merged')"))
        b.create_check_constraint(
            "merged_has_survivor", sa.text("(status = 'merged') = (merged_into IS NOT NULL)")
        )
        b.create_index(
            "uq_person_living_id_number",
            ["owner", "id_number"],
            unique=True,
            sqlite_where=sa.text(LIVING_ID_WHERE),
            postgresql_where=sa.text(LIVING_ID_WHERE),
        )
    with op.batch_alter_table("app_user", recreate=_rebuild()) as b:
        b.drop_constraint(op.f("ck_app_user_role_valid"), type_="check")
        b.create_check_constraint("role_valid", sa.text("role IN ('officer', 'doctor', 'reviewer', 'admin')"))


def _rekey(
    conn: sa.Connection, table: str, mapping: dict[str, str], references: Iterable[tuple[str, str]]
) -> None:
    """Give rows of `table` new ids and point every reference (table, column) and audit line at them. SQLite runs
    this with foreign keys off; PostgreSQL checks them at once, so the references' constraints are dropped for
    the moment and made again (checking every row then)."""
    pairs = [{"old": old, "new": new} for old, new in mapping.items() if old != new]
    if not pairs:
        return
    references = list(references)
    postgres = conn.dialect.name == "postgresql"
    if postgres:
        for ref_table, column in references:
            op.drop_constraint(f"fk_{ref_table}_{column}_{table}", ref_table, type_="foreignkey")
    conn.execute(sa.text(f"UPDATE {table} SET id = :new WHERE id = :old"), pairs)
    for ref_table, column in references:
        conn.execute(sa.text(f"UPDATE {ref_table} SET {column} = :new WHERE {column} = :old"), pairs)
    if postgres:
        for ref_table, column in references:
            op.create_foreign_key(f"fk_{ref_table}_{column}_{table}", ref_table, table, [column], ["id"])
    conn.execute(
        sa.text("UPDATE audit_event SET record_id = :new WHERE record_table = :t AND record_id = :old"),
        [{**p, "t": table} for p in pairs],
    )


def _catalogue(conn: sa.Connection, township: str | None) -> None:
    with op.batch_alter_table("supply_item", recreate=_rebuild()) as b:
        b.drop_constraint(op.f("uq_supply_item_code"), type_="unique")
        b.create_unique_constraint(op.f("uq_supply_item_owner_code"), ["owner", "code"])
    items = conn.execute(sa.text("SELECT id, code FROM supply_item")).all()
    if township:
        conn.execute(sa.text("UPDATE supply_item SET owner = :t"), {"t": township})
    _rekey(
        conn,
        "supply_item",
        {i: catalogue_item_id(code) for i, code in items},
        [("stock_movement", "item_id")],
    )


def _derived_ids(conn: sa.Connection) -> None:
    rows = conn.execute(
        sa.text(
            "SELECT id, source_table, source_id, followup_type, occurrence, deleted_at FROM followup "
            "ORDER BY deleted_at IS NOT NULL, id"
        )
    ).all()
    new: dict[str, str] = {}
    taken: set[str] = set()
    # Referral follow-ups come from another follow-up: that one's new id is their source's new id.
    for referral_pass in (False, True):
        for fid, source_table, source_id, ftype, occurrence, _deleted in rows:
            if (source_table == "followup") != referral_pass:
                continue
            source = new.get(source_id, source_id) if referral_pass else source_id
            candidate = followup_id(source, ftype, occurrence)
            new[fid] = candidate if candidate not in taken else fid  # a voided twin keeps its old id
            taken.add(new[fid])
    _rekey(conn, "followup", new, [("followup_answer", "followup_id")])
    conn.execute(
        sa.text("UPDATE followup SET source_id = :new WHERE source_table = 'followup' AND source_id = :old"),
        [{"old": o, "new": n} for o, n in new.items() if o != n],
    ) if any(o != n for o, n in new.items()) else None
    answers = conn.execute(sa.text("SELECT id, followup_id, item_key FROM followup_answer")).all()
    _rekey(conn, "followup_answer", {a: answer_id(f, k) for a, f, k in answers}, [])


def _rehash_and_baseline(conn: sa.Connection) -> None:
    with op.batch_alter_table("audit_event", recreate=_rebuild()) as b:
        b.add_column(sa.Column("after_digest", sa.String(64), nullable=True))
    audit = sa.Table("audit_event", sa.MetaData(), autoload_with=conn)
    prev = GENESIS_HASH
    updates: list[dict[str, Any]] = []
    for row in conn.execute(sa.select(audit).order_by(audit.c.seq)).mappings():
        h = chain_hash(
            prev,
            line_payload(
                row["at"],
                row["user_id"],
                row["action"],
                row["record_table"],
                row["record_id"],
                row["record_rev"],
                row["changes"],
                row["after_digest"],
            ),
        )
        updates.append({"b_seq": row["seq"], "b_prev": prev, "b_hash": h})
        prev = h
    if updates:
        conn.execute(
            audit.update()
            .where(audit.c.seq == sa.bindparam("b_seq"))
            .values(prev_hash=sa.bindparam("b_prev"), hash=sa.bindparam("b_hash")),
            updates,
        )
    at = now_utc()
    lines: list[dict[str, Any]] = []
    meta = sa.MetaData()
    for name in (*TRAVELLING, "village_profile", "app_user"):
        table = sa.Table(name, meta, autoload_with=conn)
        key = "code" if name == "village_profile" else "id"
        for row in conn.execute(sa.select(table).order_by(table.c[key])).mappings():
            after = digest(image(table, row))
            rev = row.get("rev", 0)
            lines.append(
                dict(
                    at=at,
                    user_id=SYSTEM_USER_ID,
                    action="baseline",
                    record_table=name,
                    record_id=row[key],
                    record_rev=rev,
                    changes="{}",
                    after_digest=after,
                )
            )
    for line in lines:
        line["prev_hash"] = prev
        prev = line["hash"] = chain_hash(
            prev,
            line_payload(
                line["at"],
                line["user_id"],
                "baseline",
                line["record_table"],
                line["record_id"],
                line["record_rev"],
                "{}",
                line["after_digest"],
            ),
        )
    for i in range(0, len(lines), 5000):
        conn.execute(audit.insert(), lines[i : i + 5000])


def upgrade() -> None:
    conn = op.get_bind()
    dialect = conn.dialect.name
    for statement in drop_ledger_rules(dialect):
        op.execute(statement)
    home = _home(conn)
    _profile_and_sync_state(conn)
    _groups_and_households()
    _people()
    _catalogue(conn, home[1] if home else None)
    _derived_ids(conn)
    # the ledger's rules read a lot's balance and expiry from an index alone (7.5 s -> 3.0 s for 20,000
    # movements of 56 lots: each insert sums its lot)
    op.drop_index("ix_stock_movement_item_lot", table_name="stock_movement")
    op.create_index(
        "ix_stock_movement_lot_balance",
        "stock_movement",
        ["item_id", "lot", "movement_date", "direction", "quantity", "deleted_at"],
    )
    op.create_index("ix_stock_movement_lot_expiry", "stock_movement", ["item_id", "lot", "expiry_date"])
    for statement in ledger_rules(dialect):
        op.execute(statement)
    _rehash_and_baseline(conn)


def downgrade() -> None:
    # Ids were re-keyed and the chain re-hashed: the way back is the backup app.db made before upgrading.
    raise RuntimeError("0004 cannot be undone in place; restore the backup made before the upgrade")
