"""A fingerprint of every travelling row, to tell whether two databases hold the same data."""

from __future__ import annotations

import hashlib
import json

from app.db import Database
from app.models import TRAVELLING_MODELS


def table_digest(db: Database) -> str:
    """SHA-256 over every row of every travelling table, sorted by id, in a canonical text form."""
    h = hashlib.sha256()
    with db.engine.connect() as conn:
        for model in TRAVELLING_MODELS:
            table = model.__tablename__
            result = conn.exec_driver_sql(f'SELECT * FROM "{table}" ORDER BY id')
            h.update(json.dumps([table, list(result.keys())], ensure_ascii=False).encode())
            for row in result:
                h.update(
                    json.dumps(list(row), ensure_ascii=False, separators=(",", ":"), default=str).encode()
                )
                h.update(b"\n")
    return h.hexdigest()
