"""Helpers for the page tests: signed-in clients and a fresh read of the database.

Reads go through their own short session, never the `session` fixture, so a test never
holds SQLite's write lock while the app is handling a POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import SQLModel, func, select

from domain.accounts.rules import Role
from domain.accounts.tables import User
from domain.db import Database
from tests.conftest import csrf_of


@pytest.fixture
def admin(web_as) -> TestClient:  # type: ignore[no-untyped-def]
    return web_as(Role.ADMIN)


@pytest.fixture
def staff(web_as) -> TestClient:  # type: ignore[no-untyped-def]
    return web_as(Role.OPCC_STAFF)


@pytest.fixture
def load(database: Database) -> Callable[[type[SQLModel], int], Any]:
    """load(User, 3) → the row as it is in the database now (or None)."""

    def read(model: type[SQLModel], ident: int) -> Any:
        with database.session() as s:
            found = s.get(model, ident)
            if found is not None:
                s.expunge(found)
            return found

    return read


@pytest.fixture
def user_by_email(database: Database) -> Callable[[str], Any]:
    def read(email: str) -> Any:
        with database.session() as s:
            found = s.exec(select(User).where(User.email == email)).one()
            s.expunge(found)
            return found

    return read


@pytest.fixture
def count(database: Database) -> Callable[[type[SQLModel]], int]:
    def read(model: type[SQLModel]) -> int:
        with database.session() as s:
            return int(s.exec(select(func.count()).select_from(model)).one())

    return read


def csrf(client: TestClient, path: str = "/") -> str:
    """The signed-in client's CSRF token, read from a page's meta tag."""
    return csrf_of(client.get(path).text)


def value_of(html: str, name: str) -> str:
    """The value attribute of the input called `name` (the first one on the page)."""
    marker = f'name="{name}"'
    start = html.index(marker)
    tag = html[html.rindex("<", 0, start) : html.index(">", start)]
    return tag.split('value="', 1)[1].split('"', 1)[0] if 'value="' in tag else ""
