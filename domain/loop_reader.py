"""One-statement reads on the event loop itself, for PostgreSQL: the per-request credential
lookup.

Every request reads its caller's credentials (and the change counter) with one statement.
Through SQLAlchemy on a worker thread, that trip cost four times the statement itself: a
hand-over to a thread and back, and the engine's per-execution bookkeeping (README,
"Performance"; `bench/`). Here the statement is compiled once by SQLAlchemy, for the
engine's own dialect, and sent on psycopg's asyncio connection from the event loop; its
columns come back through SQLAlchemy's own result processors, so a row reads exactly as
`Database.read_row` would give it.

Connections are kept per event loop (a psycopg asyncio connection belongs to the loop it was
opened on; a test client without a lifespan runs each request on a new loop), at most `size`
of them, in AUTOCOMMIT: one statement sees one consistent state on its own. One that the
server dropped is replaced within the same read, as `Database.read_row` does.
"""

from __future__ import annotations

import asyncio
from collections import namedtuple
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Select

_KEPT_STATEMENTS = 64

StatementObserver = Callable[[str], None]
observers: list[StatementObserver] = []
"""Called with each statement's SQL before it is sent (`domain.db.observe_statements`)."""


@dataclass(frozen=True)
class _Compiled:
    sql: str
    fixed_params: dict[str, Any]
    bind_processors: dict[str, Callable[[Any], Any]]
    result_processors: tuple[Callable[[Any], Any] | None, ...]
    row_type: Callable[..., tuple[Any, ...]]

    def params(self, given: dict[str, Any]) -> dict[str, Any]:
        params = {**self.fixed_params, **given}
        for key, process in self.bind_processors.items():
            params[key] = process(params[key])
        return params

    def row(self, values: tuple[Any, ...]) -> tuple[Any, ...]:
        return self.row_type(
            *(
                value if process is None else process(value)
                for process, value in zip(self.result_processors, values, strict=True)
            )
        )


class _LoopConnections:
    """Idle connections of one event loop, and a bound on how many there are."""

    def __init__(self, size: int) -> None:
        self.slots = asyncio.Semaphore(size)
        self.idle: list[psycopg.AsyncConnection[Any]] = []

    def close(self) -> None:
        """Synchronously, so it works after the loop has gone: closing only the socket."""
        while self.idle:
            self.idle.pop().pgconn.finish()


class LoopReader:
    def __init__(self, engine: Engine, *, size: int) -> None:
        self._dialect = engine.dialect
        args, kwargs = engine.dialect.create_connect_args(engine.url)
        self._connect_args = (tuple(args), {**kwargs, "autocommit": True})
        self._size = size
        self._compiled: dict[Select[Any], _Compiled] = {}
        self._by_loop: dict[asyncio.AbstractEventLoop, _LoopConnections] = {}

    async def read_row(self, statement: Select[Any], params: dict[str, Any]) -> Any:
        """The first row of `statement` (attributes named as its columns), or None."""
        compiled = self._compiled.get(statement) or self._compile(statement)
        bound = compiled.params(params)
        for observe in observers:
            observe(compiled.sql)
        connections = self._of_this_loop()
        async with connections.slots:
            connection = connections.idle.pop() if connections.idle else None
            try:
                if connection is not None:
                    try:
                        values = await _fetch(connection, compiled.sql, bound)
                    except psycopg.OperationalError:
                        connection.pgconn.finish()  # the server let it go: one fresh try
                        connection = None
                if connection is None:
                    connection = await self._connect()
                    values = await _fetch(connection, compiled.sql, bound)
            except BaseException as exc:  # cancelled mid-statement too: its state is unknown
                if connection is not None:
                    connection.pgconn.finish()
                if isinstance(exc, psycopg.Error):
                    raise DBAPIError.instance(compiled.sql, bound, exc, psycopg.Error) from exc
                raise
            connections.idle.append(connection)
        return None if values is None else compiled.row(values)

    async def _connect(self) -> psycopg.AsyncConnection[Any]:
        args, kwargs = self._connect_args
        return await psycopg.AsyncConnection.connect(*args, **kwargs)

    def close(self) -> None:
        for loop in list(self._by_loop):
            self._close(loop)

    def _close(self, loop: asyncio.AbstractEventLoop) -> None:
        connections = self._by_loop.pop(loop, None)
        if connections is not None:
            connections.close()

    def _of_this_loop(self) -> _LoopConnections:
        """A server has one loop per process; tests open several, in turn or side by side
        (a client without a lifespan runs each request on a loop of its own)."""
        loop = asyncio.get_running_loop()
        connections = self._by_loop.get(loop)
        if connections is None:
            for gone in [other for other in list(self._by_loop) if other.is_closed()]:
                self._close(gone)
            connections = self._by_loop[loop] = _LoopConnections(self._size)
        return connections

    def _compile(self, statement: Select[Any]) -> _Compiled:
        """Statements are module constants, so a handful are kept; one built per call would
        be compiled each time, never kept without bound."""
        if len(self._compiled) >= _KEPT_STATEMENTS:
            self._compiled.clear()
        dialect = self._dialect
        compiled = statement.compile(dialect=dialect)
        if compiled.positiontup is not None:
            raise ValueError("LoopReader takes statements with named parameters only")
        columns = list(statement.selected_columns)
        self._compiled[statement] = made = _Compiled(
            sql=str(compiled),
            fixed_params={
                name: bind.effective_value
                for name, bind in compiled.binds.items()
                if not bind.required
            },
            bind_processors={
                key: process
                for key, bind in compiled.binds.items()
                if (process := bind.type.dialect_impl(dialect).bind_processor(dialect))
            },
            result_processors=tuple(
                column.type.dialect_impl(dialect).result_processor(dialect, None)
                for column in columns
            ),
            row_type=namedtuple("Row", [column.key for column in columns]),  # type: ignore[misc]
        )
        return made


async def _fetch(
    connection: psycopg.AsyncConnection[Any], sql: str, params: dict[str, Any]
) -> tuple[Any, ...] | None:
    cursor = await connection.execute(sql, params)
    values = await cursor.fetchone()
    await cursor.close()
    return values
