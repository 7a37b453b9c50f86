"""Database.read_row and read_row_on_loop, the per-request credential lookup: one statement,
and on PostgreSQL no ping before it, so a connection the server dropped must cost the
caller nothing. On PostgreSQL `read_row_on_loop` is psycopg's asyncio connection on the
event loop, outside SQLAlchemy's engine: its rows must read as SQLAlchemy's do."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any, TypeVar

import pytest
from sqlalchemy import Select, column, func, literal, select, table, text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from api import auth
from domain.accounts import service as accounts
from domain.accounts import sessions
from domain.accounts.rules import Role
from domain.db import Database, observe_statements
from tests.conftest import NOW, PASSWORD, make_token, make_user

BACKEND = select(func.pg_backend_pid().label("pid"))
ONE = select(literal(1).label("one"))
T = TypeVar("T")


def _on_a_new_loop(reads: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """On a thread of its own: Playwright's sync API keeps a loop running on this one when
    the browser tests share the worker."""
    with ThreadPoolExecutor(max_workers=1) as thread:
        return thread.submit(asyncio.run, reads()).result()


def _on_loop(database: Database, statement: Any, params: dict[str, Any]) -> Any:
    return _on_a_new_loop(lambda: database.read_row_on_loop(statement, params))


def test_a_connection_the_server_dropped_is_replaced_within_the_same_read(
    database: Database,
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has no server to drop a connection")
    first = database.read_row(BACKEND, {})
    assert first is not None
    with database.engine.connect() as other:
        other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first.pid})
        other.commit()
    again = database.read_row(BACKEND, {})
    assert again is not None
    assert again.pid != first.pid


def test_on_the_loop_a_dropped_connection_is_replaced_within_the_same_read(
    database: Database,
) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite has no server to drop a connection")

    async def reads() -> tuple[int, int, int]:
        first = await database.read_row_on_loop(BACKEND, {})
        reused = await database.read_row_on_loop(BACKEND, {})
        with database.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first.pid})
            other.commit()
        again = await database.read_row_on_loop(BACKEND, {})
        return first.pid, reused.pid, again.pid

    first, reused, again = _on_a_new_loop(reads)
    assert reused == first  # kept for the next read
    assert again != first


def test_each_event_loop_has_connections_of_its_own(database: Database) -> None:
    """A test client without a lifespan serves each request on a new loop; a connection
    opened on a loop that has gone must not be used again."""
    for _ in range(3):
        assert _on_loop(database, ONE, {}).one == 1


def test_a_loop_that_has_gone_leaves_no_connection_open(database: Database) -> None:
    if database.is_sqlite:
        pytest.skip("SQLite reads on the executor, with SQLAlchemy's pool")
    first = _on_loop(database, BACKEND, {}).pid
    second = _on_loop(database, BACKEND, {}).pid  # a new loop: the first one's are closed
    assert second != first
    with database.engine.connect() as other:
        alive = other.execute(
            text("SELECT count(*) FROM pg_stat_activity WHERE pid = :pid"), {"pid": first}
        ).scalar_one()
    assert alive == 0


def test_loops_side_by_side_each_read_on_their_own_connections(database: Database) -> None:
    """Several test clients open at once each run a loop on a thread of their own."""

    def reads() -> list[int]:
        async def some() -> list[int]:
            return [(await database.read_row_on_loop(ONE, {})).one for _ in range(20)]

        return asyncio.run(some())

    with ThreadPoolExecutor(max_workers=3) as threads:
        answers = list(threads.map(lambda _: reads(), range(3)))
    assert answers == [[1] * 20] * 3


def test_a_credential_row_read_on_the_loop_is_the_row_sqlalchemy_reads(
    database: Database, session: Session
) -> None:
    """Every column through SQLAlchemy's own result processors: times in UTC, the scopes'
    JSON, booleans; the change counter riding along."""
    user = make_user(session, Role.FORCE_LIAISON)
    signed = sessions.sign_in(
        database,
        email=user.email,
        password=PASSWORD,
        ip="192.0.2.1",
        now=NOW,
        limits=sessions.SignInLimits(),
        session_length=timedelta(days=365 * 50),
    )
    secret = make_token(session, Role.VIEWER)
    token_params = {"secret_hash": accounts.hash_secret(secret)}
    cookie_params = sessions.lookup_params(signed.cookie_secret)
    for statement, params in (
        (auth._BEARER_WITH_GENERATION, token_params),
        (auth._SESSION_WITH_GENERATION, cookie_params),
        (auth._GENERATION, {}),
    ):
        through_engine = database.read_row(statement, params)
        on_loop = _on_loop(database, statement, params)
        assert through_engine is not None
        assert tuple(on_loop) == tuple(through_engine)
        assert on_loop._fields == tuple(through_engine._fields)
    assert _on_loop(database, auth._BEARER, {"secret_hash": "no such token"}) is None


def test_statements_read_on_the_loop_are_observed(database: Database) -> None:
    seen: list[str] = []
    with observe_statements(seen.append):
        _on_loop(database, auth._GENERATION, {})
    assert len(seen) == 1
    assert "sync_clock" in seen[0]


def test_an_error_on_the_loop_is_sqlalchemys_error(database: Database) -> None:
    missing: Select[Any] = select(column("x")).select_from(table("no_such_table"))
    with pytest.raises(DBAPIError):
        _on_loop(database, missing, {})
    assert _on_loop(database, ONE, {}).one == 1  # and the next read works
