"""The printable enrolment sheet of this village's public keys (app.reports.enrolment_sheet draws it)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from app.db import Database
from app.models.village import home_profile
from app.reports.enrolment_sheet import SheetKeys, write_enrolment_sheet
from app.sync.keys import PublicKeys, read_aloud
from app.version import app_version


def sheet_keys(db: Database, keys: PublicKeys) -> SheetKeys:
    with db.read() as s:
        profile = home_profile(s)
        township = profile.township_name if profile else ""
    return SheetKeys(
        node=keys.node,
        name=keys.name,
        township_name=township,
        age=keys.age,
        sign=keys.sign,
        age_fingerprint=read_aloud(keys.age_id),
        sign_fingerprint=read_aloud(keys.sign_id),
        qr_text=keys.qr_text(),
    )


def write_sheet(db: Database, keys: PublicKeys, path: Path, *, printed_on: dt.date) -> Path:
    write_enrolment_sheet(path, sheet_keys(db, keys), printed_on=printed_on, version=app_version())
    return path


def sheet_name(keys: PublicKeys) -> str:
    return f"FHD_{keys.node}_enrolment-sheet.pdf"
