"""Tampering is found (issue 13): five ways an insider with the key and a SQLite tool could change the record
behind the app's back, each found by `fhdesk audit verify` (and `fhdesk check`) with the record it concerns."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import cli, config
from app.db import backup_sqlite, connect_raw
from app.errors import DomainError
from app.i18n import tr
from app.models import AuditEvent
from app.models.tracking import GENESIS_HASH, chain_hash, line_payload
from app.services import audit, login, supplies
from app.services import households as hh
from tests.conftest import SETUP, TODAY


@pytest.fixture
def village(tmp_path: Path):
    """An encrypted village with a household, a person and a stock receipt, and a backup (an anchor) taken
    after them; then one more change after the backup."""
    session = login.set_up_new_village(tmp_path / "data", SETUP)
    actor = session.actor
    home = hh.create_household(session.db, actor, hh.HouseholdInput("0101", 1, "一组 1 号"))
    person = hh.add_person(
        session.db, actor, home, hh.PersonInput("王芳", sex="F", birth_date=dt.date(1990, 1, 1)), TODAY
    )
    item = next(i for i in supplies.items(session.db, TODAY) if i.code == "C01")
    supplies.receive(
        session.db, actor, supplies.ReceiptInput(item.id, "L1", dt.date(2029, 1, 1), 100, TODAY), TODAY
    )
    backup_sqlite(
        config.database_path(session.folder), config.backups_dir(session.folder), "test", session.key
    )
    hh.update_household(session.db, actor, home, hh.HouseholdInput("0101", 1, "一组 2 号"))
    assert audit.verify(session.db, _anchors(session)) == []  # intact to start with
    session.ids = {"home": home, "person": person}  # type: ignore[attr-defined]
    yield session
    session.close()


def _anchors(session: login.LoggedIn) -> list[audit.Anchor]:
    return audit.anchors_in([config.backups_dir(session.folder)])


def _sql(session: login.LoggedIn, *statements: str) -> None:
    """What an insider with the key and a SQLite tool could run against the file."""
    conn = connect_raw(config.database_path(session.folder), session.key)
    try:
        for statement in statements:
            conn.execute(statement)
        conn.commit()
    finally:
        conn.close()


def _kinds(session: login.LoggedIn) -> set[tuple[str, str]]:
    return {
        (f.kind, f.record_id or f.detail or str(f.seq)) for f in audit.verify(session.db, _anchors(session))
    }


def _cli_verify(session: login.LoggedIn, capsys) -> tuple[int, str]:
    code = cli.main(["--data-dir", str(session.folder), "audit", "verify"])
    return code, capsys.readouterr().out


def test_the_audit_trail_refuses_a_change_or_a_delete(village):
    with pytest.raises(sa.exc.IntegrityError, match="audit_immutable"), village.db.engine.begin() as conn:
        conn.execute(sa.update(AuditEvent).where(AuditEvent.seq == 1).values(changes="{}"))
    with pytest.raises(sa.exc.IntegrityError, match="audit_immutable"), village.db.engine.begin() as conn:
        conn.execute(sa.delete(AuditEvent).where(AuditEvent.seq > 5))


def test_a_row_edited_outside_the_app_is_found_with_its_record(village, capsys):
    person = village.ids["person"]
    _sql(village, f"UPDATE person SET name = '李芳' WHERE id = '{person}'")
    assert ("audit.row_changed", person) in _kinds(village)
    code, out = _cli_verify(village, capsys)
    assert code == 1 and person in out and "person" in out


def test_an_audit_line_updated_is_found_at_its_line(village, capsys):
    with village.db.read() as s:
        seq = s.execute(
            sa.select(AuditEvent.seq).where(AuditEvent.record_id == village.ids["person"])
        ).scalar()
    _sql(
        village,
        "DROP TRIGGER audit_event_no_update",
        f"UPDATE audit_event SET changes = '{{}}' WHERE seq = {seq}",
    )
    kinds = _kinds(village)
    assert ("audit.chain_broken", str(seq)) in kinds
    assert ("audit.schema_missing", "audit_event_no_update") in kinds
    code, out = _cli_verify(village, capsys)
    assert code == 1 and tr("audit.chain_broken", seq=seq) in out


def test_the_newest_audit_lines_deleted_are_found(village):
    with village.db.read() as s:
        newest = s.execute(sa.select(sa.func.max(AuditEvent.seq))).scalar_one()
    # the backup's anchor is older than the last change: deleting that change's line leaves its row unmatched
    _sql(village, "DROP TRIGGER audit_event_no_delete", f"DELETE FROM audit_event WHERE seq = {newest}")
    kinds = _kinds(village)
    assert ("audit.row_changed", village.ids["home"]) in kinds


def test_a_forged_line_with_the_rest_rehashed_is_found_against_the_backups_anchor(village):
    with village.db.read() as s:
        lines = s.execute(sa.select(AuditEvent).order_by(AuditEvent.seq)).scalars().all()
    target = next(e for e in lines if e.record_id == village.ids["person"])
    # forge the person's line, then re-hash every line after it so the chain holds together again
    statements = ["DROP TRIGGER audit_event_no_update"]
    prev = GENESIS_HASH
    for e in lines:
        changes = '{"name":"伪造"}' if e.seq == target.seq else e.changes
        h = chain_hash(
            prev,
            line_payload(
                e.at, e.user_id, e.action, e.record_table, e.record_id, e.record_rev, changes, e.after_digest
            ),
        )
        statements.append(
            f"UPDATE audit_event SET changes = '{changes}', prev_hash = '{prev}', hash = '{h}' WHERE seq = {e.seq}"
        )
        prev = h
    _sql(village, *statements)
    kinds = {k for k, _ in _kinds(village)}
    assert "audit.chain_broken" not in kinds  # the chain is consistent again...
    assert "audit.anchor_differs" in kinds  # ...but no longer holds the head the backup recorded


def test_a_dropped_ledger_trigger_is_found_by_check(village, capsys):
    _sql(village, "DROP TRIGGER stock_movement_not_below_zero")
    assert ("audit.schema_missing", "stock_movement_not_below_zero") in _kinds(village)
    code = cli.main(["--data-dir", str(village.folder), "check"])
    out = capsys.readouterr().out
    assert code == 1 and "stock_movement_not_below_zero" in out


def test_the_reviewer_cannot_save(village):
    login.add_account(village, "reviewer", "张审核", "reviewer", "review-123")
    reviewer = login.open_village(village.folder, "reviewer", "review-123")
    try:
        with pytest.raises(DomainError) as refused:
            hh.update_household(
                reviewer.db, reviewer.actor, village.ids["home"], hh.HouseholdInput("0101", 1, "改")
            )
        assert refused.value.msg_id == "permission.denied"
    finally:
        reviewer.close()
