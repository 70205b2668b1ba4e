"""What each role may do, checked in the service cores on the Actor (a hidden button is not a rule).

- officer (村计生专干): the register, care records, follow-ups and the supply ledger of the village;
- village doctor (乡村医生): care records, follow-ups and issuing supplies to a person — not the register,
  the ledger's receipts and counts, users or keys;
- township reviewer (乡镇审核): reads; never changes a village's records;
- the officer also writes the monthly package for the township;
- administrator: an officer's work plus users, keys, backups and the village profile.
"""

from __future__ import annotations

from enum import StrEnum

from app.actor import Actor
from app.errors import DomainError
from app.i18n import tr
from app.vocab import UserRole


class Permission(StrEnum):
    REGISTER = "register"  # households, members, vital events, merges, voiding register records
    CARE = "care"  # pregnancies, pre-pregnancy checks, folic acid, methods, family support, follow-ups
    ISSUE = "issue"  # supplies issued to a person or at the self-service point
    LEDGER = "ledger"  # receipts, losses, counts, returns, reversals
    SYNC = "sync"  # writing the monthly package for the township
    ADMIN = "admin"  # users, keys, backups, the village profile


GRANTS: dict[str, frozenset[Permission]] = {
    UserRole.OFFICER: frozenset(
        {Permission.REGISTER, Permission.CARE, Permission.ISSUE, Permission.LEDGER, Permission.SYNC}
    ),
    UserRole.DOCTOR: frozenset({Permission.CARE, Permission.ISSUE}),
    UserRole.REVIEWER: frozenset(),
    UserRole.ADMIN: frozenset(Permission),
}


class NotPermitted(DomainError):
    """The acting person's role does not allow this change."""


def allowed(actor: Actor, permission: Permission) -> bool:
    return permission in GRANTS.get(actor.role, frozenset())


def require(actor: Actor, permission: Permission) -> None:
    if not allowed(actor, permission):
        raise NotPermitted(
            "permission.denied",
            None,
            role=tr(f"vocab.role.{actor.role}"),
            action=tr(f"permission.{permission.value}"),
        )
