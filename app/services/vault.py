"""The database key and who may unwrap it: the key file beside the database (`fhdesk.keys`).

A village's database is encrypted with one random 32-byte key. Nobody types that key: each account has a
**key slot** holding it wrapped with a key-encryption key derived from the account's password (Argon2id →
AES-256-GCM, from `argon2-cffi` and `cryptography`; the slot's username and user id are the authenticated data,
so a slot cannot be moved to another account). A **recovery slot** holds the key encrypted with `age` to the
township's recovery recipient, when one is enrolled, so the township can open a village whose every password was
forgotten. Changing a password rewraps one slot; the database is never re-keyed.

The key file holds no personal data (usernames are chosen by the officer), and it remembers failed logins per
username, so the growing delay after wrong passwords survives a restart. It is written atomically, 0600.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from argon2.low_level import Type, hash_secret_raw
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from app.clock import now_utc
from app.errors import DomainError
from app.files import write_bytes_atomically

KEYS_FILENAME = "fhdesk.keys"
FORMAT = "fhd-key-slots"
KEY_BYTES = 32
# Argon2id as argon2-cffi's defaults (t=3, m=64 MiB, p=4): ~0.1 s per login here (pitfalls.md).
ARGON2 = {"time_cost": 3, "memory_cost": 64 * 1024, "parallelism": 4}
# Failed logins before a delay, and the delays (seconds) after each further one; the last repeats.
FREE_ATTEMPTS = 3
DELAYS = (5, 15, 60, 300)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def unb64(text: str) -> bytes:
    return base64.b64decode(text.encode())


class LoginRefused(DomainError):
    """A wrong username or password, or too many wrong tries just now."""


@dataclass
class Slot:
    username: str
    user_id: str
    salt: bytes
    nonce: bytes
    wrapped: bytes
    kdf: dict[str, int] = field(default_factory=lambda: dict(ARGON2))

    def _aad(self) -> bytes:
        return f"{FORMAT}/1/{self.username}/{self.user_id}".encode()

    @classmethod
    def make(
        cls, key: bytes, username: str, user_id: str, password: str, kdf: dict[str, int] | None = None
    ) -> Slot:
        slot = cls(username, user_id, os.urandom(16), os.urandom(12), b"", dict(kdf or ARGON2))
        slot.wrapped = AESGCM(slot._kek(password)).encrypt(slot.nonce, key, slot._aad())
        return slot

    def _kek(self, password: str) -> bytes:
        return hash_secret_raw(
            password.encode(),
            self.salt,
            time_cost=self.kdf["time_cost"],
            memory_cost=self.kdf["memory_cost"],
            parallelism=self.kdf["parallelism"],
            hash_len=KEY_BYTES,
            type=Type.ID,
        )

    def unwrap(self, password: str) -> bytes | None:
        """The database key, or None for a wrong password (AES-GCM's tag does not verify)."""
        try:
            return AESGCM(self._kek(password)).decrypt(self.nonce, self.wrapped, self._aad())
        except InvalidTag:
            return None

    def to_json(self) -> dict[str, Any]:
        return {
            "username": self.username,
            "user_id": self.user_id,
            "kdf": {"name": "argon2id", **self.kdf},
            "salt": b64(self.salt),
            "nonce": b64(self.nonce),
            "wrapped": b64(self.wrapped),
        }

    @classmethod
    def from_json(cls, d: dict[str, Any]) -> Slot:
        kdf = {k: int(v) for k, v in d["kdf"].items() if k != "name"}
        return cls(d["username"], d["user_id"], unb64(d["salt"]), unb64(d["nonce"]), unb64(d["wrapped"]), kdf)


@dataclass
class Failures:
    count: int = 0
    last: dt.datetime | None = None
    since: list[str] = field(default_factory=list)  # times of failures not yet written to the audit trail


@dataclass
class KeyFile:
    """What `fhdesk.keys` holds."""

    slots: dict[str, Slot] = field(default_factory=dict)  # by username (lower case)
    recovery: dict[str, str] | None = None  # {"recipient": age1..., "wrapped": armored age}
    failures: dict[str, Failures] = field(default_factory=dict)

    @staticmethod
    def path(folder: Path) -> Path:
        return Path(folder) / KEYS_FILENAME

    @classmethod
    def exists(cls, folder: Path) -> bool:
        return cls.path(folder).exists()

    @classmethod
    def load(cls, folder: Path) -> KeyFile:
        data = json.loads(cls.path(folder).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{cls.path(folder)} is not a key file")
        failures = {
            name: Failures(
                f["count"],
                dt.datetime.fromisoformat(f["last"]) if f.get("last") else None,
                f.get("since", []),
            )
            for name, f in data.get("failures", {}).items()
        }
        return cls(
            {s["username"].lower(): Slot.from_json(s) for s in data["slots"]}, data.get("recovery"), failures
        )

    def save(self, folder: Path) -> None:
        data = {
            "format": FORMAT,
            "version": 1,
            "slots": [s.to_json() for s in sorted(self.slots.values(), key=lambda s: s.username)],
            "recovery": self.recovery,
            "failures": {
                name: {"count": f.count, "last": f.last.isoformat() if f.last else None, "since": f.since}
                for name, f in sorted(self.failures.items())
                if f.count or f.since
            },
        }
        write_bytes_atomically(self.path(folder), json.dumps(data, ensure_ascii=False, indent=1).encode())

    # -- slots
    def add(self, key: bytes, username: str, user_id: str, password: str) -> None:
        self.slots[username.strip().lower()] = Slot.make(key, username.strip(), user_id, password)

    def remove(self, username: str) -> None:
        self.slots.pop(username.strip().lower(), None)

    def slot_of_user(self, user_id: str) -> Slot | None:
        return next((s for s in self.slots.values() if s.user_id == user_id), None)

    # -- the recovery slot
    def enrol_recovery(self, key: bytes, recipient: str) -> None:
        """Encrypt the database key to the township's recovery recipient (an `age1…` X25519 recipient)."""
        import pyrage

        wrapped = pyrage.encrypt(key, [pyrage.x25519.Recipient.from_str(recipient.strip())])
        self.recovery = {"recipient": recipient.strip(), "wrapped": b64(wrapped)}


def recover_key(folder: Path, identity: str) -> bytes:
    """The database key, decrypted with the township's recovery identity (`AGE-SECRET-KEY-1…`)."""
    import pyrage

    keys = KeyFile.load(folder)
    if keys.recovery is None:
        raise DomainError("vault.no_recovery", None)
    secret = next(
        line.strip() for line in identity.splitlines() if line.strip().startswith("AGE-SECRET-KEY-")
    )
    try:
        return bytes(
            pyrage.decrypt(unb64(keys.recovery["wrapped"]), [pyrage.x25519.Identity.from_str(secret)])
        )
    except pyrage.DecryptError:
        raise DomainError("vault.recovery_wrong_identity", None) from None


def new_key() -> bytes:
    return os.urandom(KEY_BYTES)


# ---------------------------------------------------------------- unlocking


@dataclass(frozen=True)
class Unlocked:
    key: bytes
    user_id: str
    username: str
    failed_before: tuple[str, ...]  # times of wrong passwords typed for this username since its last login


def delay_after(failures: int) -> int:
    """Seconds to wait after `failures` wrong passwords in a row (none for the first few)."""
    if failures < FREE_ATTEMPTS:
        return 0
    return DELAYS[min(failures - FREE_ATTEMPTS, len(DELAYS) - 1)]


def seconds_to_wait(folder: Path, username: str, now: dt.datetime | None = None) -> int:
    keys = KeyFile.load(folder)
    f = keys.failures.get(username.strip().lower())
    if f is None or f.last is None:
        return 0
    left = (f.last + dt.timedelta(seconds=delay_after(f.count)) - (now or now_utc())).total_seconds()
    return max(0, int(left + 0.999))


def unlock(folder: Path, username: str, password: str, now: dt.datetime | None = None) -> Unlocked:
    """The database key, unwrapped with this account's password. A wrong username or password counts as a
    failure of that username (remembered in the key file); after a few, each try must wait a growing delay."""
    now = now or now_utc()
    name = username.strip().lower()
    keys = KeyFile.load(folder)
    wait = seconds_to_wait(folder, name, now)
    if wait:
        raise LoginRefused("auth.wait", "password", seconds=wait)
    slot = keys.slots.get(name)
    key = slot.unwrap(password) if slot is not None else None
    record = keys.failures.setdefault(name, Failures())
    if key is None:
        record.count += 1
        record.last = now
        record.since.append(now.isoformat())
        keys.save(folder)
        wait = delay_after(record.count)
        if wait:
            raise LoginRefused("auth.wrong_credentials_wait", "password", seconds=wait)
        raise LoginRefused("auth.wrong_credentials", "password")
    assert slot is not None
    failed = tuple(record.since)
    if record.count or record.since:
        keys.failures.pop(name, None)
        keys.save(folder)
    return Unlocked(key, slot.user_id, slot.username, failed)
