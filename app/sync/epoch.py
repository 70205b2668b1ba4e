"""A new epoch after a restore: the village's package numbers start again, and the township takes the next
package as the whole truth about the village.

A restored database has older records, revisions and package numbers than the packages already sent: going on
with the same numbers would look like a fork to the township, and new edits could carry revisions the township
already holds (and skip). So a restore begins epoch N+1 — numbers from 1, nothing acknowledged (the next package
is the whole village) — and the township applies the first package of a new epoch as authoritative.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from app.actor import Actor
from app.models import SyncState
from app.models.tracking import append_event
from app.models.village import home_profile


def do_begin_new_epoch(s: Session, actor: Actor) -> int:
    """Start the next epoch of this village's packages; returns it (0 in a database without a village)."""
    profile = home_profile(s)
    if profile is None:
        return 0
    state = s.get(SyncState, profile.code)
    if state is None:
        state = SyncState(node=profile.code, epoch=1, last_seq=0, acked_seq=0, acked_audit_seq=0)
        s.add(state)
        s.flush()
    state.epoch += 1
    state.last_seq, state.last_package_id = 0, None
    state.acked_seq, state.acked_package_id, state.acked_at, state.acked_audit_seq = 0, None, None, 0
    append_event(s, "sync_epoch", profile.code, {"epoch": state.epoch})
    return state.epoch
