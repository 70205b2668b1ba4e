"""Who is acting: the person (user id), their role, and the node (village or township) they act for.

Every write core takes an `Actor`. It stamps who made a change, it is where a role is checked, and its
`node` says which records may be changed: only the node that owns a record changes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.vocab import UserRole

SYSTEM_USER_ID = "00000000-0000-0000-0000-000000000000"  # changes made by the app itself (demo, migrations)


@dataclass(frozen=True)
class Actor:
    user_id: str
    role: str
    node: str

    @classmethod
    def system(cls, node: str) -> Actor:
        """The app itself acting for `node` (set-up, the demo, scheduled re-planning)."""
        return cls(SYSTEM_USER_ID, UserRole.ADMIN, node)

    def with_node(self, node: str) -> Actor:
        return Actor(self.user_id, self.role, node)
