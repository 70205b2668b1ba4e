"""The keys of the package exchange.

Each node (a village, a township) has an Ed25519 signing key (packages it writes are signed with it) and an
`age` X25519 identity (packages for it are encrypted to its recipient). The private parts live only inside the
encrypted database (table sync_key). Public keys are exchanged in person, as a small text file (or the same text
pasted, or its QR code) with fingerprints to read aloud and compare.

A fingerprint is the spec's key id: `ed25519:<first 16 hex of sha256(raw public key)>` and
`age:<first 16 hex of sha256(recipient text)>`, read aloud in groups of four.
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pyrage import x25519
from sqlalchemy.orm import Session

from app.actor import Actor
from app.assets import resource
from app.clock import now_utc
from app.db import Database
from app.errors import DomainError
from app.models import SyncKey
from app.models.village import home_profile
from app.services.permissions import Permission, require

SIGN, AGE = "sign", "age"
KEYS_HEADER = "FHD-PUBLIC-KEYS 1"  # the first line of a public-key file
DEMO_TOWNSHIP = resource("sync", "demo-township")  # the published demo township: never for a real village

_NODE = re.compile(r"\bnode\s*[:=]\s*(\d{12})\b")
_ROLE = re.compile(r"\brole\s*[:=]\s*(village|township)\b")
_NAME = re.compile(r"^\s*name\s*[:=]\s*(.+?)\s*$", re.MULTILINE)
_AGE = re.compile(r"\b(age1[02-9ac-hj-np-z]{58})\b")
_SIGN = re.compile(r"\bed25519\s*[:=]\s*([A-Za-z0-9+/]{43}=)")


class KeyProblem(DomainError):
    """A public-key file or text that cannot be enrolled, with the reason in one sentence."""


@dataclass(frozen=True)
class PublicKeys:
    node: str  # the 12-digit division code
    name: str
    role: str  # "village" or "township"
    age: str  # the age X25519 recipient, age1…
    sign: str  # the Ed25519 public key, base64 of its 32 bytes

    @property
    def sign_id(self) -> str:
        return sign_key_id(self.sign)

    @property
    def age_id(self) -> str:
        return age_key_id(self.age)

    def text(self) -> str:
        """The public-key file: readable on paper, parsed back by parse_public_keys (also when pasted)."""
        return (
            f"{KEYS_HEADER}\n"
            f"role: {self.role}\n"
            f"node: {self.node}\n"
            f"name: {self.name}\n"
            f"age: {self.age}\n"
            f"ed25519: {self.sign}\n"
            f"fingerprint-age: {read_aloud(self.age_id)}\n"
            f"fingerprint-ed25519: {read_aloud(self.sign_id)}\n"
        )

    def qr_text(self) -> str:
        """The same keys in a QR code: ASCII only (the name stays on the paper), parsed by parse_public_keys."""
        return f"{KEYS_HEADER};role={self.role};node={self.node};age={self.age};ed25519={self.sign}"


def read_key_file(path: Path) -> str:
    """A public-key file's text: UTF-8 (with or without a BOM), or GB18030 as an old Windows editor saves it.
    Only its beginning is read: a key file is a few hundred bytes."""
    raw = Path(path).read_bytes()[:65536]
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


def sign_key_id(public_b64: str) -> str:
    return "ed25519:" + hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def age_key_id(recipient: str) -> str:
    return "age:" + hashlib.sha256(recipient.encode()).hexdigest()[:16]


def read_aloud(key_id: str) -> str:
    """`ed25519:1a2b3c4d5e6f7a8b` → `1a2b 3c4d 5e6f 7a8b`: short groups a person reads over the phone."""
    digits = key_id.split(":", 1)[-1]
    return " ".join(digits[i : i + 4] for i in range(0, len(digits), 4))


def parse_public_keys(text: str) -> PublicKeys:
    """The keys in a public-key file, pasted text or a QR code's text. Refused with a sentence when a part is
    missing or broken (a key cut short by copying, another program's file)."""
    node, role, age, sign = _NODE.search(text), _ROLE.search(text), _AGE.search(text), _SIGN.search(text)
    if not (node and role and age and sign):
        raise KeyProblem("sync.keys_unreadable", "keys")
    try:
        x25519.Recipient.from_str(age.group(1))
        Ed25519PublicKey.from_public_bytes(base64.b64decode(sign.group(1)))
    except Exception:  # noqa: BLE001 - any decoding failure is the same "broken key" to the person
        raise KeyProblem("sync.keys_unreadable", "keys") from None
    name = _NAME.search(text)
    return PublicKeys(
        node.group(1), name.group(1) if name else "", role.group(1), age.group(1), sign.group(1)
    )


@dataclass(frozen=True)
class OwnKeys:
    public: PublicKeys
    sign_private: Ed25519PrivateKey
    age_identity: str  # AGE-SECRET-KEY-1…

    def sign(self, data: bytes) -> bytes:
        return self.sign_private.sign(data)


def _raw_private(key: Ed25519PrivateKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _raw_public(key: Ed25519PublicKey) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def demo_township_keys() -> PublicKeys:
    return parse_public_keys((DEMO_TOWNSHIP / "township.keys.txt").read_text(encoding="utf-8"))


def is_demo_key(keys: PublicKeys) -> bool:
    demo = demo_township_keys()
    return keys.age == demo.age or keys.sign == demo.sign


def _stored(s: Session, node: str) -> dict[str, SyncKey]:
    return {k.purpose: k for k in s.execute(sa.select(SyncKey).where(SyncKey.node == node)).scalars()}


def _public_of(rows: dict[str, SyncKey], node: str, role: str) -> PublicKeys | None:
    if SIGN not in rows or AGE not in rows:
        return None
    return PublicKeys(node, rows[SIGN].name, role, rows[AGE].public, rows[SIGN].public)


def this_node(s: Session) -> tuple[str, str, str] | None:
    """(code, name, role) of the node this database serves: its home village, or in township mode its
    township; None before set-up."""
    profile = home_profile(s)
    if profile is not None:
        return profile.code, profile.name, "village"
    from app.models import TownshipProfile

    township = s.execute(sa.select(TownshipProfile)).scalar()
    return (township.code, township.name, "township") if township is not None else None


def own_keys(s: Session) -> OwnKeys | None:
    """This node's keys, private parts included (None before they are made)."""
    node = this_node(s)
    if node is None:
        return None
    rows = _stored(s, node[0])
    public = _public_of(rows, node[0], node[2])
    if public is None:
        return None
    sign_private, age_identity = rows[SIGN].private_key, rows[AGE].private_key
    if sign_private is None or age_identity is None:
        return None
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(sign_private))
    return OwnKeys(public, private, age_identity)


def township_keys(s: Session) -> PublicKeys | None:
    """The township's public keys as enrolled here (None before)."""
    profile = home_profile(s)
    return (
        None
        if profile is None
        else _public_of(_stored(s, profile.township_code), profile.township_code, "township")
    )


def do_ensure_own_keys(s: Session, actor: Actor) -> PublicKeys:
    """This village's keys, made now if it has none (set-up, or the first use of the Sync page)."""
    existing = own_keys(s)
    if existing is not None:
        return existing.public
    require(actor, Permission.SYNC)
    return _install(s, Ed25519PrivateKey.generate(), x25519.Identity.generate())


def do_install_own_keys(s: Session, actor: Actor, sign_private_b64: str, age_identity: str) -> PublicKeys:
    """Give this node a given key pair (the demo township takes the published one)."""
    require(actor, Permission.ADMIN)
    private = Ed25519PrivateKey.from_private_bytes(base64.b64decode(sign_private_b64))
    return _install(s, private, x25519.Identity.from_str(age_identity.strip()))


def _install(s: Session, signing: Ed25519PrivateKey, identity: x25519.Identity) -> PublicKeys:
    node = this_node(s)
    if node is None:
        raise DomainError("sync.no_village", None)
    code, name, role = node
    now = now_utc()
    values = {
        SIGN: (
            base64.b64encode(_raw_public(signing.public_key())).decode(),
            base64.b64encode(_raw_private(signing)).decode(),
        ),
        AGE: (str(identity.to_public()), str(identity)),
    }
    stored = _stored(s, code)
    for purpose, (public, private) in values.items():
        row = stored.get(purpose)
        if row is None:
            s.add(
                SyncKey(
                    id=f"{code}:{purpose}",
                    node=code,
                    purpose=purpose,
                    name=name,
                    public=public,
                    private_key=private,
                    created_at=now,
                )
            )
        else:
            row.public, row.private_key, row.created_at = public, private, now
    s.flush()
    return PublicKeys(code, name, role, values[AGE][0], values[SIGN][0])


def do_enrol_village(s: Session, actor: Actor, keys: PublicKeys) -> PublicKeys:
    """A township enrols (or re-enrols) one of its villages from the village's public-key file: the village
    must belong to this township (the first nine digits of its code are the township's)."""
    from app.models import TownshipProfile, VillageProfile

    require(actor, Permission.ADMIN)
    township = s.execute(sa.select(TownshipProfile)).scalar()
    if township is None:
        raise DomainError("township.not_township", None)
    if keys.role != "village":
        raise KeyProblem("township.keys_not_village", "keys")
    if keys.node[:9] != township.code[:9] or keys.node == township.code:
        raise KeyProblem("township.keys_other_township", "keys", node=keys.node, ours=township.code)
    shared = s.execute(
        sa.select(SyncKey.node).where(SyncKey.node != keys.node, SyncKey.public.in_([keys.sign, keys.age]))
    ).scalar()
    if shared is not None:  # one key pair for two units: a copied file, never a real village's own keys
        raise KeyProblem("township.keys_shared", "keys", node=shared)
    profile = s.get(VillageProfile, keys.node)
    name = keys.name or keys.node
    if profile is None:
        s.add(
            VillageProfile(
                code=keys.node,
                home=False,
                name=name,
                township_code=township.code,
                township_name=township.name,
                created_at=now_utc(),
            )
        )
    elif keys.name and profile.name != keys.name:
        profile.name = keys.name
    _store_public(s, keys, name)
    return keys


def enrol_village(db: Database, actor: Actor, text: str) -> PublicKeys:
    return db.run(actor, do_enrol_village, parse_public_keys(text))


def public_keys_of(s: Session, node: str, role: str) -> PublicKeys | None:
    """A node's public keys as enrolled here (a village in a township's database, the township in a village's)."""
    return _public_of(_stored(s, node), node, role)


def do_enrol_township(s: Session, actor: Actor, keys: PublicKeys, *, allow_demo: bool = False) -> PublicKeys:
    """Enrol (or replace) the township's public keys: they must be a township's, of the township this village
    reports to, and not the published demo township's (only a demo village takes those)."""
    require(actor, Permission.SYNC)
    profile = home_profile(s)
    if profile is None:
        raise DomainError("sync.no_village", None)
    if keys.role != "township":
        raise KeyProblem("sync.keys_not_township", "keys")
    if keys.node != profile.township_code:
        raise KeyProblem("sync.keys_other_township", "keys", node=keys.node, ours=profile.township_code)
    if not allow_demo and is_demo_key(keys):
        raise KeyProblem("sync.keys_demo_refused", "keys")
    _store_public(s, keys, keys.name or profile.township_name)
    return keys


def _store_public(s: Session, keys: PublicKeys, name: str) -> None:
    """Enrol (or replace) another node's public keys under `name`."""
    rows = _stored(s, keys.node)
    now = now_utc()
    for purpose, public in ((SIGN, keys.sign), (AGE, keys.age)):
        row = rows.get(purpose)
        if row is None:
            s.add(
                SyncKey(
                    id=f"{keys.node}:{purpose}",
                    node=keys.node,
                    purpose=purpose,
                    name=name,
                    public=public,
                    created_at=now,
                )
            )
        elif row.public != public or row.name != name:
            row.public, row.name, row.created_at = public, name, now
    s.flush()


def ensure_own_keys(db: Database, actor: Actor) -> PublicKeys:
    return db.run(actor, do_ensure_own_keys)


def enrol_township(db: Database, actor: Actor, text: str, *, allow_demo: bool = False) -> PublicKeys:
    keys = parse_public_keys(text)
    return db.run(actor, do_enrol_township, keys, allow_demo=allow_demo)


def read_keys(db: Database) -> tuple[PublicKeys | None, PublicKeys | None]:
    """(this village's public keys, the township's) as enrolled; None where missing."""
    with db.read() as s:
        own = own_keys(s)
        return (own.public if own else None), township_keys(s)


def load_own_keys(db: Database) -> OwnKeys | None:
    with db.read() as s:
        return own_keys(s)


def write_public_keys(keys: PublicKeys, folder: Path) -> Path:
    """The public-key file into `folder` (written whole or not at all)."""
    from app.files import atomic_output

    path = Path(folder) / f"FHD_{keys.node}_public-keys.txt"
    with atomic_output(path, mode=0o644) as tmp:
        tmp.write_text(keys.text(), encoding="utf-8")
    return path
