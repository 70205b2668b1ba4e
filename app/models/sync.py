"""Sync state of a node (a village): its place in the package chain and what the township has acknowledged;
the keys that sign and encrypt packages; the packages written."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, UTCDateTime
from app.models.tracking_marks import Audited


class SyncState(Base):
    __tablename__ = "sync_state"

    node: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    epoch: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=1)
    last_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    last_package_id: Mapped[str | None] = mapped_column(sa.String(64))
    acked_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    acked_package_id: Mapped[str | None] = mapped_column(sa.String(64))
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    acked_audit_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)


class SyncKey(Audited, Base):
    """A public key of a node, and for this laptop's own node its private part too (only ever inside the
    encrypted database). `purpose` is "sign" (Ed25519, raw 32 bytes in base64) or "age" (an X25519 recipient
    `age1…`; the private part an `AGE-SECRET-KEY-1…` identity). The township's keys are enrolled here from
    its public-key file. Changes are audited; the private part is never shown in an audit line."""

    __tablename__ = "sync_key"
    __table_args__ = (
        sa.CheckConstraint("purpose IN ('sign', 'age')", name="purpose_valid"),
        sa.UniqueConstraint("node", "purpose", name="uq_sync_key_node_purpose"),
    )

    id: Mapped[str] = mapped_column(sa.String(20), primary_key=True)  # "<node>:<purpose>"
    node: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    purpose: Mapped[str] = mapped_column(sa.String(10), nullable=False)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)  # the node's name, as its file gave it
    public: Mapped[str] = mapped_column(sa.Text, nullable=False)
    private_key: Mapped[str | None] = mapped_column(sa.Text)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class SyncPackage(Base):
    """A package this node wrote (the Sync page's history). `audit_seq` is the newest audit line it carried:
    when the township acknowledges the package, every change up to that line is acknowledged. Writing one is
    an audited event ("export_package"); the row itself is the history, keyed by the 64-digit package id."""

    __tablename__ = "sync_package"
    __table_args__ = (sa.UniqueConstraint("node", "epoch", "seq", name="uq_sync_package_node_epoch_seq"),)

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # package_id: sha256 of manifest.json
    node: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    epoch: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    period: Mapped[str] = mapped_column(sa.String(7), nullable=False)  # YYYY-MM
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    file_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    full_snapshot: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    encrypted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    audit_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    counts: Mapped[str] = mapped_column(sa.Text, nullable=False, default="{}")  # JSON: table -> rows carried
    acked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TownshipProfile(Audited, Base):
    """The township a township-mode database serves (one row; a village's database has none). Its villages are
    VillageProfile rows with home = false, enrolled with their public keys (sync_key)."""

    __tablename__ = "township_profile"
    __table_args__ = (sa.CheckConstraint("length(code) = 12", name="code_12_digits"),)

    code: Mapped[str] = mapped_column(sa.String(12), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(60), nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)


class SyncImport(Audited, Base):
    """One package file met by an import (a township importing a village's package, or a village its return
    package): applied, already imported, or rejected with the reason — the import log. A rejected package
    leaves this line and nothing else."""

    __tablename__ = "sync_import"
    __table_args__ = (sa.Index("ix_sync_import_origin", "node", "epoch", "seq"),)

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    package_id: Mapped[str | None] = mapped_column(sa.String(64), index=True)
    package_type: Mapped[str | None] = mapped_column(sa.String(20))
    node: Mapped[str | None] = mapped_column(sa.String(12))  # the sender, when it could be read
    epoch: Mapped[int | None] = mapped_column(sa.Integer)
    seq: Mapped[int | None] = mapped_column(sa.Integer)
    period: Mapped[str | None] = mapped_column(sa.String(7))
    file_name: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    imported_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    imported_by: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    outcome: Mapped[str] = mapped_column(sa.String(10), nullable=False)  # applied / rejected
    reason: Mapped[str | None] = mapped_column(sa.String(60))  # the message id of a rejection
    detail: Mapped[str] = mapped_column(
        sa.Text, nullable=False, default="{}"
    )  # JSON: counts, superseded, ...
    state_ok: Mapped[bool | None] = mapped_column(
        sa.Boolean
    )  # the sender's state digests matched ours after it
    audit_seq: Mapped[int | None] = mapped_column(sa.Integer)  # the sender's audit head, kept as an anchor
    audit_hash: Mapped[str | None] = mapped_column(sa.String(64))
    report: Mapped[str | None] = mapped_column(sa.Text)  # report/monthly.json exactly as submitted


class SyncConflict(Base):
    """A row an import did not apply because the sending node does not own it (the rest was applied)."""

    __tablename__ = "sync_conflict"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    import_id: Mapped[str] = mapped_column(sa.ForeignKey("sync_import.id"), nullable=False, index=True)
    record_table: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    owner: Mapped[str] = mapped_column(sa.String(12), nullable=False)  # who owns the record here
    sender: Mapped[str] = mapped_column(sa.String(12), nullable=False)


class SyncCorrection(Audited, Base):
    """A field change the township proposes for a record a village owns: proposed and sent by the township,
    then accepted or declined by the village's officer (accepting is an ordinary audited change)."""

    __tablename__ = "sync_correction"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    village: Mapped[str] = mapped_column(sa.String(12), nullable=False, index=True)
    record_table: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    record_id: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    field: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    old_value: Mapped[str] = mapped_column(sa.Text, nullable=False)  # JSON
    new_value: Mapped[str] = mapped_column(sa.Text, nullable=False)  # JSON
    reason: Mapped[str] = mapped_column(sa.String(200), nullable=False)
    proposed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    proposed_by: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    status: Mapped[str] = mapped_column(
        sa.String(10), nullable=False
    )  # proposed / sent / accepted / declined
    package_id: Mapped[str | None] = mapped_column(sa.String(64))  # the return package that carried it
    decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decided_by: Mapped[str | None] = mapped_column(sa.String(36))


class SyncReturn(Base):
    """A return package the township wrote for one of its villages (writing it is an audited event)."""

    __tablename__ = "sync_return"
    __table_args__ = (sa.UniqueConstraint("village", "seq", name="uq_sync_return_village_seq"),)

    id: Mapped[str] = mapped_column(sa.String(64), primary_key=True)  # package_id
    village: Mapped[str] = mapped_column(sa.String(12), nullable=False)
    seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    acked_seq: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
    created_by: Mapped[str] = mapped_column(sa.String(36), nullable=False)
    file_name: Mapped[str] = mapped_column(sa.String(120), nullable=False)
    size: Mapped[int] = mapped_column(sa.Integer, nullable=False)


class SyncTombstone(Base):
    """A voided record a township never held (voided in its village before any package carried it): kept so
    that the township's state digests equal the village's (sync-bundle.md "state")."""

    __tablename__ = "sync_tombstone"

    id: Mapped[str] = mapped_column(sa.String(36), primary_key=True)
    record_table: Mapped[str] = mapped_column(sa.String(40), nullable=False)
    owner: Mapped[str] = mapped_column(sa.String(12), nullable=False, index=True)
    rev: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    deleted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, nullable=False)
