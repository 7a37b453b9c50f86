"""Cheap argon2 parameters for tests: the hashes are still argon2id (tests check that),
but each one takes microseconds, not a fifth of a second. tests/unit checks the real cost."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from domain.accounts import service as accounts
from domain.accounts import sessions


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(sessions, "_DUMMY_HASH", cheap.hash("no one's password"))
