"""Officer accounts: Argon2 password hashes (argon2-cffi), checking a login."""

from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.db import Database
from app.errors import DomainError
from app.models import User

_hasher = PasswordHasher()
MIN_PASSWORD = 6


@dataclass(frozen=True)
class UserInfo:
    id: str
    username: str
    display_name: str
    role: str
    phone: str


def check_new_credentials(username: str, password: str) -> None:
    if not re.fullmatch(r"[A-Za-z0-9_.\-\u4e00-\u9fff]{2,40}", (username or "").strip()):
        raise DomainError("auth.username_invalid", "username")
    if len(password or "") < MIN_PASSWORD:
        raise DomainError("auth.password_too_short", "password", min=MIN_PASSWORD)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def login(db: Database, username: str, password: str) -> UserInfo:
    with db.read() as s:
        user = s.execute(sa.select(User).where(User.username == username.strip(), User.active)).scalar()
    if user is None:
        raise DomainError("auth.wrong_credentials", "password")
    try:
        _hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        raise DomainError("auth.wrong_credentials", "password") from None
    return UserInfo(user.id, user.username, user.display_name, user.role, user.phone or "")


def list_users(db: Database) -> list[UserInfo]:
    with db.read() as s:
        users = s.execute(sa.select(User).where(User.active).order_by(User.created_at)).scalars()
        return [UserInfo(u.id, u.username, u.display_name, u.role, u.phone or "") for u in users]


def get_user(db: Database, user_id: str) -> UserInfo | None:
    with db.read() as s:
        u = s.get(User, user_id)
        return UserInfo(u.id, u.username, u.display_name, u.role, u.phone or "") if u else None


def is_active(db: Database, user_id: str) -> bool:
    with db.read() as s:
        return bool(s.execute(sa.select(User.active).where(User.id == user_id)).scalar())
