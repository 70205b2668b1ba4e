"""Record ids. What a person types in gets a time-ordered UUIDv7 made on the laptop (`base.new_id`); rows
derived from others by rules get a UUIDv5 computed from their source, so that any two databases planning from
the same records (a village and its restored backup, a village and the township) make the very same rows.
"""

from __future__ import annotations

import uuid

# Fixed for ever: changing it would give every derived row a new id.
NAMESPACE = uuid.UUID("6f1c2d1e-9d5b-4c1a-8a44-1f0e6d3c9b70")


def derived_id(*parts: object) -> str:
    return str(uuid.uuid5(NAMESPACE, "/".join(str(p) for p in parts)))


def followup_id(source_id: str, followup_type: str, occurrence: int) -> str:
    """The follow-up the schedule makes for occurrence `occurrence` of rule `followup_type` of a record."""
    return derived_id("followup", source_id, followup_type, occurrence)


def answer_id(followup_id: str, item_key: str) -> str:
    """The answer to checklist item `item_key` of a follow-up."""
    return derived_id("followup_answer", followup_id, item_key)


def catalogue_item_id(code: str) -> str:
    """A supply item of the township's catalogue: one id for one item code, in every database."""
    return derived_id("supply_item", code)
