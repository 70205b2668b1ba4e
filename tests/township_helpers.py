"""Villages and townships for the township tests: plain village databases (fast) with their keys, a township
database on any URL, and packages re-signed with a village's own key (to craft what only a broken or malicious
village could send)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from pathlib import Path

import pyrage
import sqlalchemy as sa

from app.actor import Actor
from app.db import Database, open_database, open_url
from app.models import TRAVELLING_MODELS
from app.models.base import table_of
from app.services.demo import DEMO_SETUP, generate_demo
from app.sync import keys, package, township
from app.sync.container import read_zip
from app.vocab import UserRole

TODAY = dt.date(2026, 12, 4)
TOWNSHIP = "620422103000"


@dataclass
class Village:
    code: str
    db: Database
    actor: Actor

    def export(self, out: Path, **options) -> package.Exported:  # type: ignore[no-untyped-def]
        out.mkdir(exist_ok=True, parents=True)
        return package.export_package(self.db, self.actor, out, month=(2026, 11), **options)

    def keys(self) -> keys.OwnKeys:
        found = keys.load_own_keys(self.db)
        assert found is not None
        return found


@dataclass
class Township:
    db: Database
    actor: Actor
    quarantine: Path

    def public(self) -> keys.PublicKeys:
        own, _ = keys.read_keys(self.db)
        assert own is not None
        return own

    def import_(self, *files: Path) -> list[township.ImportOutcome]:
        return township.import_packages(self.db, self.actor, files, quarantine=self.quarantine)

    def enrol(self, village: Village) -> None:
        keys.enrol_village(self.db, self.actor, village.keys().public.text())


def make_township(url: str, folder: Path) -> Township:
    db = open_url(url)
    user = township.set_up_township(
        db, township.TownshipSetup("白银镇", TOWNSHIP, "王乡干", "township", "secret123")
    )
    return Township(db, Actor(user, UserRole.ADMIN, TOWNSHIP), folder / "quarantine")


def make_village(
    folder: Path, code: str, name: str, town: Township | None, *, people: int = 40, seed: int = 1
) -> Village:
    folder.mkdir(parents=True, exist_ok=True)
    db = open_database(folder / f"{code}.sqlite")
    generate_demo(
        db,
        people=people,
        seed=seed,
        today=TODAY,
        setup=replace(DEMO_SETUP, village_code=code, village_name=name),
    )
    actor = Actor.system(code)
    keys.ensure_own_keys(db, actor)
    village = Village(code, db, actor)
    if town is not None:
        keys.enrol_township(db, actor, town.public().text())
        town.enrol(village)
    return village


def data_counts(db: Database) -> dict[str, int]:
    """Rows of every travelling table: what a rejected package must leave unchanged."""
    with db.read() as s:
        return {
            m.__tablename__: int(s.execute(sa.select(sa.func.count()).select_from(table_of(m))).scalar_one())
            for m in TRAVELLING_MODELS
        }


def open_inner(path: Path, town: Township) -> dict[str, bytes]:
    with town.db.read() as s:
        own = keys.own_keys(s)
    assert own is not None
    raw = path.read_bytes()
    return read_zip(pyrage.decrypt(raw, [pyrage.x25519.Identity.from_str(own.age_identity)]))


def resign(
    members: dict[str, bytes], village: Village, town: Township, out: Path, **manifest_changes
) -> Path:  # type: ignore[no-untyped-def]
    """A package with `members` (data changed as the test likes) and the manifest's hashes made to match,
    signed with the village's own key and encrypted to the township: only the content is wrong."""
    import orjson

    manifest = orjson.loads(members["manifest.json"])
    data = {k: v for k, v in members.items() if k not in ("manifest.json", "manifest.sig")}
    manifest["members"] = [
        {
            "path": p,
            "sha256": package.sha256_hex(b),
            **({"rows": b.count(b"\n")} if p.endswith(".jsonl") else {}),
        }
        for p, b in data.items()
    ]
    manifest.update(manifest_changes)
    zipped, _ = package.inner_zip(manifest, village.keys(), list(data.items()))
    out.write_bytes(pyrage.encrypt(zipped, [pyrage.x25519.Recipient.from_str(town.public().age)]))
    return out
