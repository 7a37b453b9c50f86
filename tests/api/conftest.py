"""API test helpers: one shared app, and the problem+json assertion."""

from __future__ import annotations

import pytest

from api.app import create_app
from api.response_cache import ResponseCache
from domain.config import Settings, load_settings
from domain.db import Database


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
    shared_app.state.response_cache = ResponseCache()  # answers belong to their database
    return shared_app
