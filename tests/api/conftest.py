"""API test helpers: cheap argon2, one shared app, and the problem+json assertion."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from api.app import create_app
from domain.accounts import service as accounts
from domain.accounts import sessions
from domain.config import Settings, load_settings
from domain.db import Database


@pytest.fixture(autouse=True)
def cheap_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    cheap = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)
    monkeypatch.setattr(accounts, "_hasher", cheap)
    monkeypatch.setattr(sessions, "_DUMMY_HASH", cheap.hash("no one's password"))


def assert_problem(response, status: int) -> dict:  # type: ignore[no-untyped-def]
    """An RFC 9457 body with the status it was sent with, and nothing from inside the app."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body = response.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    assert body["type"].startswith("urn:oversight:problem:")
    assert isinstance(body["detail"], str)
    for leak in ("Traceback", 'File "', "sqlalchemy", "psycopg", "sqlite3"):
        assert leak not in response.text
    return body


@pytest.fixture(scope="session")
def shared_app(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """One app for the whole run (building FastAPI's routes costs ~0.2 s); each test points
    it at its own fresh database. That the app keeps nothing of its own between tests is
    itself the architecture's "no state in the process" rule at work."""
    url = f"sqlite:///{tmp_path_factory.mktemp('unused') / 'unused.db'}"
    settings = load_settings(database_url=url, env="development", org_name="Test OPCC")
    placeholder = Database(url)
    yield create_app(settings, placeholder)
    placeholder.dispose()


@pytest.fixture
def app(shared_app, settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    shared_app.state.settings = settings
    shared_app.state.db = database
    return shared_app
