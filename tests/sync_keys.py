"""A township's key pair for tests (the real township makes its own at set-up in township mode)."""

from __future__ import annotations

import base64
from dataclasses import dataclass

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from pyrage import x25519

from app.sync.keys import PublicKeys


@dataclass(frozen=True)
class Township:
    public: PublicKeys
    identity: x25519.Identity
    signing: Ed25519PrivateKey

    def identity_file(self, folder):
        """The identity as an age key file (what `age -d -i FILE` takes)."""
        path = folder / "township.agekey"
        path.write_text(f"# test township\n{self.identity}\n")
        return path


def make_township(code: str = "620422103000", name: str = "白银镇") -> Township:
    signing = Ed25519PrivateKey.generate()
    raw = signing.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    identity = x25519.Identity.generate()
    public = PublicKeys(code, name, "township", str(identity.to_public()), base64.b64encode(raw).decode())
    return Township(public, identity, signing)


def township_public_keys(code: str = "620422103000") -> PublicKeys:
    return make_township(code).public
