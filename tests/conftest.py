"""Shared fixtures. Data is built through the domain services, never raw SQL.

Each test gets a freshly migrated database: a copy of a migrated SQLite template, or, when
OVERSIGHT_TEST_DATABASE_URL points at PostgreSQL, that database emptied after the test.
Tests in tests/integration and tests/api run once per backend; under xdist each worker
has a PostgreSQL database of its own.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session

from api.app import create_app
from domain import clock, migrations
from domain.accounts import service as accounts
from domain.accounts import sessions
from domain.accounts.rules import ROLE_SCOPES, SYSTEM, Role, Scope
from domain.accounts.schemas import TokenCreate, UserCreate
from domain.accounts.tables import User
from domain.config import Settings, load_settings
from domain.db import Database
from domain.tables import metadata


def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker gets a PostgreSQL database of its own (`test_gw0`, …),
    made on first use, so the PostgreSQL half of the suite can run in parallel as well."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not url or not worker:
        return url
    base = make_url(url)
    name = f"{base.database}_{worker}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}
            ).first()
            if found is None:
                conn.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


POSTGRES_URL = _database_of_this_worker(os.environ.get("OVERSIGHT_TEST_DATABASE_URL", ""))
PASSWORD = "correct horse battery staple"
NOW = datetime(2024, 3, 18, 10, 0, tzinfo=UTC)
BOTH_BACKENDS = ("tests/integration", "tests/api")
RUN_DAY = clock.today()


@pytest.fixture(autouse=True)
def _today_stays_put(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tests take their dates from today when they are imported; a run that crosses
    midnight must not see the app's today move under them ("8 days left" became 7)."""
    monkeypatch.setattr(clock, "today", lambda: RUN_DAY)


def backends() -> list[str]:
    return ["sqlite", "postgresql"] if POSTGRES_URL else ["sqlite"]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        path = str(metafunc.definition.path)
        chosen = backends() if any(part in path for part in BOTH_BACKENDS) else ["sqlite"]
        metafunc.parametrize("backend", chosen, indirect=True)


CHEAP_HASHER = PasswordHasher(time_cost=1, memory_cost=64, parallelism=1)


@pytest.fixture(autouse=True)
def cheap_password_hashing(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2id parameters: the hashes are still argon2id (tests check that), but each
    takes microseconds, not a fifth of a second. tests/unit keeps and checks the real cost."""
    if "tests/unit" in str(request.node.path):
        return
    monkeypatch.setattr(accounts, "_hasher", CHEAP_HASHER)
    monkeypatch.setattr(sessions, "_DUMMY_HASH", CHEAP_HASHER.hash("no one's password"))


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    return str(getattr(request, "param", "sqlite"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    url = f"sqlite:///{path}"
    migrations.upgrade(url)
    Database(url).dispose()
    return path


@pytest.fixture(scope="session")
def postgres_migrated() -> str:
    engine = create_engine(POSTGRES_URL)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    migrations.upgrade(POSTGRES_URL)
    return POSTGRES_URL


def _empty_postgres(url: str) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    engine.dispose()


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if backend == "postgresql":
        url = request.getfixturevalue("postgres_migrated")
        yield url
        _empty_postgres(url)
        return
    template = request.getfixturevalue("sqlite_template")
    path = tmp_path / "oversight.db"
    shutil.copyfile(template, path)
    yield f"sqlite:///{path}"


@pytest.fixture
def database(database_url: str) -> Iterator[Database]:
    db = Database(database_url)
    yield db
    db.dispose()


@pytest.fixture
def session(database: Database) -> Iterator[Session]:
    with database.session(writing=True) as s:
        yield s


@pytest.fixture
def settings(database_url: str) -> Settings:
    return load_settings(database_url=database_url, env="development", org_name="Test OPCC")


@pytest.fixture
def app(settings: Settings, database: Database):  # type: ignore[no-untyped-def]
    return create_app(settings, database)


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app, base_url="http://testserver") as c:
        yield c


def make_user(
    session: Session, role: Role, *, email: str | None = None, name: str | None = None
) -> User:
    return accounts.create_user(
        session,
        SYSTEM,
        UserCreate(
            email=email or f"{role.value.replace('_', '-')}@test.example",
            display_name=name or f"Test {role.value}",
            role=role,
            password=PASSWORD,
        ),
        now=NOW,
    )


def make_token(
    session: Session, role: Role, *, scopes: frozenset[Scope] | None = None, name: str | None = None
) -> str:
    _, secret = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(
            name=name or f"{role.value} token",
            role=role,
            scopes=sorted(scopes or ROLE_SCOPES[role]),
        ),
        now=NOW,
    )
    return secret


@dataclass
class Caller:
    """A test client that acts as one role through a bearer token."""

    client: TestClient
    headers: dict[str, str]

    def request(self, method: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
        headers = {**self.headers, **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)

    def get(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.request("GET", url, **kwargs)

    def post(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.request("POST", url, **kwargs)

    def patch(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.request("PATCH", url, **kwargs)

    def delete(self, url: str, **kwargs):  # type: ignore[no-untyped-def]
        return self.request("DELETE", url, **kwargs)


@pytest.fixture
def api_as(client: TestClient, session: Session):  # type: ignore[no-untyped-def]
    """api_as(Role.ADMIN) → a Caller with a token holding every scope of that role."""

    def build(role: Role, scopes: frozenset[Scope] | None = None) -> Caller:
        secret = make_token(session, role, scopes=scopes)
        return Caller(client, {"Authorization": f"Bearer {secret}"})

    return build


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    """Signs in through the real form (CSRF cookie included); the client keeps the cookie."""
    page = client.get("/sign-in")
    token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    response = client.post(
        "/sign-in",
        data={"email": email, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def csrf_of(page_html: str) -> str:
    return page_html.split('name="csrf-token" content="', 1)[1].split('"', 1)[0]


@pytest.fixture
def web_as(app, session: Session):  # type: ignore[no-untyped-def]
    """web_as(Role.ADMIN) → a TestClient signed in as a new user with that role."""
    clients: list[TestClient] = []

    def build(role: Role, *, email: str | None = None) -> TestClient:
        user = make_user(session, role, email=email)
        c = TestClient(app, base_url="http://testserver")
        clients.append(c)
        sign_in(c, user.email)
        return c

    yield build
    for c in clients:
        c.close()
