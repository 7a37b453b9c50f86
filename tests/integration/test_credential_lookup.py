"""Database.read_row, the per-request credential lookup: one statement, and on PostgreSQL
no ping before it, so a connection the server dropped must cost the caller nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select, text

from domain.db import Database

BACKEND = select(func.pg_backend_pid().label("pid"))


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
