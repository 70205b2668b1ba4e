"""The return package: the township's answer to one village (sync-bundle.md, "Return package").

Same container as a village package, signed by the township and encrypted to the village, with
`package_type: "township_return"` and the members

- `data/ack.jsonl`: the highest village package number applied and its package id — the village marks every
  change that package carried as acknowledged, so it stops resending them;
- `data/result.jsonl`: each package imported since the last return (outcome, reason, state, conflicts);
- `data/correction.jsonl`: field changes the township proposes for records the village owns; the officer
  accepts (an ordinary audited change by the officer, which travels back in the next package) or declines each;
- `data/supply_item.jsonl`: the supply catalogue as the township holds it (applied by revision).

The village applies it idempotently: the same return package twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson
import pyrage
import sqlalchemy as sa
from sqlalchemy.orm import Session

from app.actor import Actor
from app.clock import CHINA_TZ, now_utc, today
from app.db import Database
from app.errors import DomainError
from app.files import atomic_output
from app.i18n import tr
from app.models import (
    Household,
    Person,
    SupplyItem,
    SyncConflict,
    SyncCorrection,
    SyncImport,
    SyncReturn,
    new_id,
)
from app.models.base import table_of
from app.models.tracking import replicate_rows
from app.models.village import home_profile
from app.services.permissions import Permission, require
from app.sync.keys import own_keys, public_keys_of, township_keys
from app.sync.package import (
    CRYPTO,
    FORMAT,
    FORMAT_VERSION,
    _read_back,
    app_version,
    envelope,
    inner_zip,
    jsonl,
    period_text,
    schema_version,
    sha256_hex,
    verify_inner,
)
from app.sync.township import Rejected, _log, open_package, parse_members

# The fields a township may propose to correct, per table, and how a value is checked before it is applied.
CORRECTABLE: dict[str, tuple[str, ...]] = {
    "person": ("name", "phone", "id_number", "birth_date", "notes"),
    "household": ("address", "phone", "notes"),
}


def _record(s: Session, table: str, record_id: str) -> Person | Household | None:
    if table == "person":
        return s.get(Person, record_id)
    if table == "household":
        return s.get(Household, record_id)
    return None


@dataclass(frozen=True)
class ReturnWritten:
    path: Path
    package_id: str
    seq: int
    acked_seq: int
    corrections: int
    size: int


def _return_name(village: str, seq: int, day: dt.date) -> str:
    return f"FHD_{village}_return-{seq}_{day:%Y%m%d}.fhd"


def do_propose_correction(
    s: Session, actor: Actor, village: str, table: str, record_id: str, field: str, value: Any, reason: str
) -> str:
    """The township proposes a field change of a village's record; it travels in the next return package."""
    require(actor, Permission.ADMIN)
    if field not in CORRECTABLE.get(table, ()):
        raise DomainError("returns.field_not_correctable", "field", table=table, name=field)
    record = _record(s, table, record_id)
    if record is None or record.owner != village:
        raise DomainError("returns.record_unknown", "record_id")
    if not reason.strip():
        raise DomainError("returns.reason_required", "reason")
    old = getattr(record, field)
    correction = SyncCorrection(
        id=new_id(),
        village=village,
        record_table=table,
        record_id=record_id,
        field=field,
        old_value=orjson.dumps(old, option=orjson.OPT_PASSTHROUGH_DATETIME, default=str).decode(),
        new_value=orjson.dumps(value, default=str).decode(),
        reason=reason.strip()[:200],
        proposed_at=now_utc(),
        proposed_by=actor.user_id,
        status="proposed",
    )
    s.add(correction)
    s.flush()
    return correction.id


def propose_correction(
    db: Database, actor: Actor, village: str, table: str, record_id: str, field: str, value: Any, reason: str
) -> str:
    return db.run(actor, do_propose_correction, village, table, record_id, field, value, reason)


def write_return(db: Database, actor: Actor, village: str, out_dir: Path) -> ReturnWritten:
    """The return package for `village` into `out_dir`: signed by the township, encrypted to the village,
    written whole and read back like a village package."""
    require(actor, Permission.ADMIN)
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise DomainError("sync.no_folder", None, folder=str(out_dir))
    with db.read() as s:
        own = own_keys(s)
        target = public_keys_of(s, village, "village")
        if own is None or own.public.role != "township":
            raise DomainError("township.not_township", None)
        if target is None:
            raise DomainError("returns.village_unknown", None, village=village)
        applied = (
            s.execute(
                sa.select(SyncImport)
                .where(SyncImport.node == village, SyncImport.outcome == "applied")
                .order_by(SyncImport.epoch.desc(), SyncImport.seq.desc())
            )
            .scalars()
            .all()
        )
        last = s.execute(
            sa.select(SyncReturn)
            .where(SyncReturn.village == village)
            .order_by(SyncReturn.seq.desc())
            .limit(1)
        ).scalar()
        since = last.created_at if last else None
        recent = [
            e
            for e in s.execute(
                sa.select(SyncImport).where(SyncImport.node == village).order_by(SyncImport.imported_at)
            ).scalars()
            if since is None or e.imported_at > since
        ]
        conflicts: dict[str, list[list[str]]] = {}
        for import_id, table, rid, owner in s.execute(
            sa.select(
                SyncConflict.import_id, SyncConflict.record_table, SyncConflict.record_id, SyncConflict.owner
            )
        ):
            conflicts.setdefault(str(import_id), []).append([str(table), str(rid), str(owner)])
        corrections = (
            s.execute(
                sa.select(SyncCorrection).where(
                    SyncCorrection.village == village, SyncCorrection.status == "proposed"
                )
            )
            .scalars()
            .all()
        )
        catalogue_table = table_of(SupplyItem)
        catalogue = [
            envelope(catalogue_table, r)
            for r in s.execute(
                sa.select(catalogue_table)
                .where(catalogue_table.c.owner == own.public.node)
                .order_by(catalogue_table.c.id)
            ).mappings()
        ]
    newest = applied[0] if applied else None
    ack = (
        [{"epoch": newest.epoch, "id": "ack", "package_id": newest.package_id, "seq": newest.seq}]
        if newest is not None
        else []
    )
    results = [
        {
            "conflicts": conflicts.get(e.id, []),
            "id": e.id,
            "imported_at": e.imported_at,
            "outcome": e.outcome,
            "package_id": e.package_id,
            "reason": e.reason,
            "seq": e.seq,
            "state_ok": e.state_ok,
        }
        for e in recent
    ]
    correction_rows = sorted(
        (
            {
                "field": c.field,
                "id": c.id,
                "new": orjson.loads(c.new_value),
                "old": orjson.loads(c.old_value),
                "reason": c.reason,
                "record_id": c.record_id,
                "table": c.record_table,
            }
            for c in corrections
        ),
        key=lambda r: r["id"],
    )
    seq = (last.seq if last else 0) + 1
    members_data = [
        (name, jsonl(rows), len(rows))
        for name, rows in (
            ("data/ack.jsonl", ack),
            ("data/result.jsonl", results),
            ("data/correction.jsonl", correction_rows),
            ("data/supply_item.jsonl", catalogue),
        )
        if rows
    ]
    created = now_utc().astimezone(CHINA_TZ).replace(microsecond=0)
    manifest = {
        "app_version": app_version(),
        "audit_head": None,
        "created_at": created.isoformat(),
        "created_by": actor.user_id,
        "crypto": CRYPTO,
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "full_snapshot": False,
        "members": [{"path": p, "rows": n, "sha256": sha256_hex(b)} for p, b, n in members_data],
        "origin": {
            "epoch": 1,
            "key_id": own.public.sign_id,
            "name": own.public.name,
            "node": own.public.node,
        },
        "package_type": "township_return",
        "period": period_text(today().year, today().month),
        "prev_package_id": last.id if last else None,
        "recipient": {"key_id": target.age_id, "node": village},
        "schema_version": schema_version(),
        "seq": seq,
        "since_ack_seq": 0,
        "state": {},
    }
    zipped, package_id = inner_zip(manifest, own, [(p, b) for p, b, _ in members_data])
    verify_inner(zipped, own.public.sign)
    blob = pyrage.encrypt(zipped, [pyrage.x25519.Recipient.from_str(target.age)])
    path = out_dir / _return_name(village, seq, created.date())
    with atomic_output(path, mode=0o644) as tmp:
        tmp.write_bytes(blob)
    if _read_back(path) != blob:  # as the village export: from the stick, not the page cache
        path.unlink(missing_ok=True)
        raise DomainError("sync.readback_failed", None, path=str(path))

    def record(s: Session, actor: Actor) -> None:
        from app.models.tracking import append_event

        append_event(s, "export_return", village, {"seq": seq, "package": package_id[:16]})
        s.add(
            SyncReturn(
                id=package_id,
                village=village,
                seq=seq,
                acked_seq=newest.seq if newest and newest.seq else 0,
                created_at=created.astimezone(dt.UTC),
                created_by=actor.user_id,
                file_name=path.name,
                size=len(blob),
            )
        )
        for c in s.execute(
            sa.select(SyncCorrection).where(SyncCorrection.id.in_([r["id"] for r in correction_rows]))
        ).scalars():
            c.status, c.package_id = "sent", package_id

    db.run(actor, record)
    return ReturnWritten(
        path, package_id, seq, newest.seq if newest and newest.seq else 0, len(correction_rows), len(blob)
    )


# ---------------------------------------------------------------- the village applies it


@dataclass(frozen=True)
class ReturnApplied:
    outcome: str  # applied / already / rejected
    message: str
    acked_seq: int = 0
    corrections: int = 0


def apply_return(db: Database, actor: Actor, file: Path) -> ReturnApplied:
    """A village imports the township's return package: the acknowledgement, the corrections to decide on,
    the catalogue. Idempotent; a package that fails a check is refused with a sentence and changes nothing."""
    from app.sync.package import do_acknowledge

    file = Path(file)
    try:
        raw = file.read_bytes()
    except OSError:
        return ReturnApplied("rejected", tr("township.reject_unreadable", file=file.name))
    try:
        with db.write(actor, replicate=True) as s:
            require(actor, Permission.SYNC)
            own = own_keys(s)
            profile = home_profile(s)
            if own is None or profile is None or township_keys(s) is None:
                raise Rejected("returns.no_township_key", False)
            opened = open_package(s, raw, own, expected_type="township_return", sender_role="township")
            if opened.manifest["origin"]["node"] != profile.township_code:
                raise Rejected("township.reject_unknown_sender", True, node=opened.manifest["origin"]["node"])
            seen = s.execute(
                sa.select(SyncImport.imported_at).where(
                    SyncImport.package_id == opened.package_id, SyncImport.outcome == "applied"
                )
            ).scalar()
            if seen is not None:
                return ReturnApplied(
                    "already",
                    tr("township.already", date=seen.astimezone(CHINA_TZ).strftime("%Y-%m-%d %H:%M")),
                )
            members = opened.members
            acked = 0
            for line in _lines(members, "data/ack.jsonl"):
                if do_acknowledge(s, actor, int(line["seq"]), str(line["package_id"])):
                    acked = int(line["seq"])
            added = 0
            for line in _lines(members, "data/correction.jsonl"):
                if s.get(SyncCorrection, str(line["id"])) is None and line["field"] in CORRECTABLE.get(
                    line["table"], ()
                ):
                    s.add(
                        SyncCorrection(
                            id=str(line["id"]),
                            village=profile.code,
                            record_table=str(line["table"]),
                            record_id=str(line["record_id"]),
                            field=str(line["field"]),
                            old_value=orjson.dumps(line.get("old")).decode(),
                            new_value=orjson.dumps(line.get("new")).decode(),
                            reason=str(line.get("reason") or "")[:200],
                            proposed_at=now_utc(),
                            proposed_by=opened.manifest["origin"]["node"],
                            status="proposed",
                            package_id=opened.package_id,
                        )
                    )
                    added += 1
            full_requested = any(r.get("state_ok") is False for r in _lines(members, "data/result.jsonl"))
            catalogue = parse_members({k: v for k, v in members.items() if k == "data/supply_item.jsonl"})
            if catalogue.rows.get("supply_item"):
                replicate_rows(s, SupplyItem, catalogue.rows["supply_item"], sender=profile.township_code)
            _log(
                s,
                actor,
                file,
                "applied",
                package_id=opened.package_id,
                package_type="township_return",
                node=opened.manifest["origin"]["node"],
                epoch=1,
                seq=int(opened.manifest["seq"]),
                period=str(opened.manifest.get("period", ""))[:7],
                detail={
                    "acked_seq": acked,
                    "corrections": added,
                    "full_requested": full_requested,
                    "written_before": _last_written(s, profile.code),
                },
            )
            message = tr("returns.applied", seq=acked) if acked else tr("returns.applied_no_ack")
            if added:
                message += " " + tr("returns.corrections_waiting", n=added)
            if full_requested:
                message += " " + tr("returns.full_requested")
            return ReturnApplied("applied", message, acked, added)
    except Rejected as e:
        return ReturnApplied("rejected", e.message())


def _lines(members: dict[str, bytes], path: str) -> list[dict[str, Any]]:
    try:
        return [orjson.loads(line) for line in members.get(path, b"").splitlines() if line]
    except orjson.JSONDecodeError:
        raise Rejected("township.reject_bad_rows", True, name=path) from None


@dataclass(frozen=True)
class Correction:
    id: str
    table: str
    record_id: str
    record_label: str  # the person's or household's name / number, for the officer
    field: str
    old: Any
    new: Any
    reason: str
    status: str


def corrections(db: Database, *, pending_only: bool = True) -> list[Correction]:
    with db.read() as s:
        query = sa.select(SyncCorrection).order_by(SyncCorrection.proposed_at, SyncCorrection.id)
        if pending_only:
            query = query.where(SyncCorrection.status == "proposed")
        out = []
        for c in s.execute(query).scalars():
            record = _record(s, c.record_table, c.record_id)
            label = ""
            if isinstance(record, Person):
                label = record.name
            elif isinstance(record, Household):
                label = record.household_no
            out.append(
                Correction(
                    c.id,
                    c.record_table,
                    c.record_id,
                    label,
                    c.field,
                    orjson.loads(c.old_value),
                    orjson.loads(c.new_value),
                    c.reason,
                    c.status,
                )
            )
        return out


def _value_for(table: str, field: str, value: Any) -> Any:
    """The proposed value checked by the same rules as the forms."""
    from app.services import validation

    if field == "birth_date":
        try:
            return dt.date.fromisoformat(str(value))
        except ValueError:
            raise DomainError("returns.bad_value", field, name=field) from None
    if field == "phone":
        return validation.clean_phone(None if value in (None, "") else str(value), field)
    if field == "name":
        text = str(value or "").strip()
        if not text:
            raise DomainError("returns.bad_value", field, name=field)
        return text
    if field == "id_number":
        from app.services import identity

        return identity.parse(str(value)).number if value else None
    return None if value is None else str(value)


def do_decide_correction(s: Session, actor: Actor, correction_id: str, accept: bool, today: dt.date) -> None:
    """The officer accepts or declines a proposed correction. Accepting is the same save as the member's or
    household's form with that one field changed: the form's rules (ID checksum and uniqueness, pinyin keys,
    follow-ups re-planned after a new birth date), stamped and audited as the officer's change, travelling back
    in the next package. A record changed since the township saw it is not overwritten: decline, or correct by
    hand."""
    from dataclasses import replace

    from app.models import VillagerGroup
    from app.services import households

    correction = s.get(SyncCorrection, correction_id)
    if correction is None or correction.status != "proposed":
        raise DomainError("returns.correction_gone", None)
    require(actor, Permission.REGISTER)
    if accept:
        record = _record(s, correction.record_table, correction.record_id)
        if record is None or record.deleted_at is not None:
            raise DomainError("returns.record_unknown", None)
        current = getattr(record, correction.field)
        proposed_old = orjson.loads(correction.old_value)
        if _comparable(current) != _comparable(proposed_old):
            raise DomainError("returns.changed_since", None, name=tr(f"sync_ui.field.{correction.field}"))
        value = _value_for(correction.record_table, correction.field, orjson.loads(correction.new_value))
        if isinstance(record, Person):
            data = households.PersonInput(
                name=record.name,
                sex=record.sex,
                birth_date=record.birth_date,
                id_number=record.id_number,
                relation=record.relation,
                marital_status=record.marital_status,
                marriage_date=record.marriage_date,
                phone=record.phone,
                residence_status=record.residence_status,
                residence_place=record.residence_place,
                notes=record.notes,
            )
            households.do_update_person(
                s, actor, record.id, replace(data, **{correction.field: value}), today
            )
        else:
            group = s.get(VillagerGroup, record.group_id)
            home = households.HouseholdInput(
                household_no=record.household_no,
                group_no=group.number if group is not None else 1,
                address=record.address,
                phone=record.phone,
                residence_type=record.residence_type,
                notes=record.notes,
            )
            households.do_update_household(s, actor, record.id, replace(home, **{correction.field: value}))
    correction.status = "accepted" if accept else "declined"
    correction.decided_at, correction.decided_by = now_utc(), actor.user_id


def _comparable(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    return "" if value is None else value


def decide_correction(db: Database, actor: Actor, correction_id: str, accept: bool) -> None:
    db.run(actor, do_decide_correction, correction_id, accept, today())


def full_export_requested(db: Database) -> bool:
    """The township's newest return package found its copy differing from ours, and no full package was
    written since: the next export should be a full one."""
    from app.models import SyncPackage

    with db.read() as s:
        latest = s.execute(
            sa.select(SyncImport)
            .where(SyncImport.package_type == "township_return", SyncImport.outcome == "applied")
            .order_by(SyncImport.imported_at.desc())
            .limit(1)
        ).scalar()
        detail = orjson.loads(latest.detail) if latest is not None else {}
        if not detail.get("full_requested"):
            return False
        since = s.execute(
            sa.select(sa.func.count())
            .select_from(SyncPackage)
            .where(
                SyncPackage.full_snapshot.is_(True), SyncPackage.seq > int(detail.get("written_before", 0))
            )
        ).scalar_one()
        return since == 0


def _last_written(s: Session, node: str) -> int:
    from app.models import SyncState

    state = s.get(SyncState, node)
    return state.last_seq if state is not None else 0
