"""Integration fixtures. Argon2 with the production cost takes 0.16 s per password; every test that sets up a
village hashes one, so these tests use the cheapest parameters (a hash records its own parameters, so login
checks work the same)."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from app.services import auth


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashes():
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
        yield
