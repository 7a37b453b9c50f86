"""Engine and sessions: SQLite tuned for a single machine, PostgreSQL for growth.

Writes on SQLite begin with BEGIN IMMEDIATE so concurrent writers queue on the busy
timeout instead of failing with "database is locked" when a read snapshot goes stale.
"""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, Row, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import QueuePool
from sqlalchemy.sql import Executable, Select
from sqlmodel import Session, create_engine

from domain import loop_reader, sync

SQLITE_BUSY_TIMEOUT_MS = 30_000
_ONE_STATEMENT = "oversight_one_statement"


def make_engine(url: str, *, pool_size: int = 8) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
            poolclass=QueuePool,
            pool_size=pool_size,
            max_overflow=pool_size,
        )
        _tune_sqlite(engine)
        return engine
    return create_engine(url, pool_size=pool_size, max_overflow=pool_size, pool_pre_ping=True)


def _tune_sqlite(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event emit BEGIN itself (pysqlite's own is too late).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Connection) -> None:
        options = conn.get_execution_options()
        if options.get(_ONE_STATEMENT, False):
            return  # Database.read_row(): one statement, atomic on its own
        conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("oversight_write") else "BEGIN")


class UnitOfWork(Session):
    """A session whose services commit when their change is done, unless the caller holds
    the commit with `one_transaction()`: then each service commit only flushes and the
    block commits once at its end. The API uses it to build a response inside the
    transaction that made the change, so a concurrent writer's later commit can never show
    through (on PostgreSQL the row lock is held until that one commit)."""

    _holds = 0

    def commit(self) -> None:
        if self._holds:
            sync.stamp_changes(self)  # flushes, and the response sees the final stamp
            return
        super().commit()

    @contextmanager
    def one_transaction(self) -> Iterator[None]:
        self._holds += 1
        try:
            yield
        finally:
            self._holds -= 1
        if not self._holds:
            super().commit()


event.listen(UnitOfWork, "before_flush", lambda session, *_: sync.note_changes(session))
event.listen(UnitOfWork, "before_commit", sync.stamp_changes)
event.listen(UnitOfWork, "after_commit", sync.forget)
event.listen(UnitOfWork, "after_rollback", sync.forget)
event.listen(UnitOfWork, "do_orm_execute", sync.note_statement)


class Database:
    """Hands out sessions; `writing=True` for any request that may change data."""

    def __init__(self, url: str, *, pool_size: int = 8) -> None:
        self.url = url
        self.engine = make_engine(url, pool_size=pool_size)
        self._write_engine = self.engine.execution_options(oversight_write=True)
        # The per-request credential lookup: one statement, outside any transaction. On
        # PostgreSQL in a pool of its own without a ping, which was a second round trip on
        # every request; `read_row` retries once on a connection the server dropped.
        self._statement_engine = (
            self.engine.execution_options(**{_ONE_STATEMENT: True})
            if self.is_sqlite
            else create_engine(
                url,
                pool_size=pool_size,
                max_overflow=pool_size,
                isolation_level="AUTOCOMMIT",
            )
        )

        self._loop_reader = (
            None if self.is_sqlite else loop_reader.LoopReader(self.engine, size=pool_size)
        )

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def session(self, *, writing: bool = False) -> UnitOfWork:
        bind = self._write_engine if writing else self.engine
        return UnitOfWork(bind=bind, expire_on_commit=False)

    def read_row(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        """The first row of one read statement, outside any transaction: a single statement
        sees one consistent state on its own, so a BEGIN and ROLLBACK around it would be two
        more round trips for nothing. For the per-request credential lookup."""
        try:
            return self._first_row(statement, params)
        except DBAPIError as exc:
            if not exc.connection_invalidated:
                raise
            return self._first_row(statement, params)  # the pool has let the dead one go

    def _first_row(self, statement: Executable, params: dict[str, Any]) -> Row[Any] | None:
        with self._statement_engine.connect() as conn:
            return conn.execute(statement, params).first()

    async def read_row_on_loop(self, statement: Select[Any], params: dict[str, Any]) -> Any:
        """`read_row` for a coroutine. On PostgreSQL it runs on the event loop itself
        (`domain.loop_reader`: a thread's round trip cost more than the statement); SQLite
        has no asyncio driver here, so there it runs on asyncio's executor."""
        if self._loop_reader is not None:
            return await self._loop_reader.read_row(statement, params)
        return await asyncio.get_running_loop().run_in_executor(
            None, contextvars.copy_context().run, self.read_row, statement, params
        )

    @contextmanager
    def begin(self, *, writing: bool = True) -> Iterator[UnitOfWork]:
        with self.session(writing=writing) as session:
            yield session

    def refresh_statistics(self) -> None:
        """The planner picks an index by the statistics ANALYZE leaves; without them (SQLite
        never gathers its own; PostgreSQL's autovacuum only after a while, so not yet after
        a bulk load) it guesses, and may sort every matching row where walking an index in
        order would stop after a page. Run when the app starts: about a second per million
        actions on SQLite, which reads every index (its sampling, `analysis_limit`, guessed
        "overdue" a thousand times too selective at a million rows); PostgreSQL samples."""
        with self._write_engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        if self._loop_reader is not None:
            self._loop_reader.close()
        self.engine.dispose()
        self._statement_engine.dispose()


@contextmanager
def observe_statements(observer: Callable[[str], None]) -> Iterator[None]:
    """Calls `observer` with the SQL of every statement sent to any database while the
    block runs: those SQLAlchemy sends and those `Database.read_row_on_loop` sends itself."""

    def before_cursor_execute(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        observer(statement)

    event.listen(Engine, "before_cursor_execute", before_cursor_execute)
    loop_reader.observers.append(observer)
    try:
        yield
    finally:
        loop_reader.observers.remove(observer)
        event.remove(Engine, "before_cursor_execute", before_cursor_execute)
