"""The floor of P1: the least a FastAPI answer checked for freshness can cost.

One dependency (a database connection, one per thread, as a pool would give) and one query
per request: the table's newest (updated_at, id) from its index, the stamp a correct response
cache must read on every request. The answer is the same bytes Oversight gave for the page.
Sync dependency and endpoint, as in the product, so both run in the thread pool.

Environment: BENCH_BODY (a file with the bytes), BENCH_DATABASE_URL (sqlite:///… or
postgresql+psycopg://…), BENCH_TABLE (default `actions`).
"""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI
from starlette.responses import Response

BODY = Path(os.environ["BENCH_BODY"]).read_bytes()
URL = os.environ["BENCH_DATABASE_URL"]
TABLE = os.environ.get("BENCH_TABLE", "actions")
QUERY = f"SELECT updated_at, id FROM {TABLE} ORDER BY updated_at DESC, id DESC LIMIT 1"
_local = threading.local()


def _connect() -> Any:
    if URL.startswith("sqlite:///"):
        return sqlite3.connect(URL.removeprefix("sqlite:///"), check_same_thread=False)
    import psycopg

    return psycopg.connect(
        URL.replace("postgresql+psycopg://", "postgresql://", 1), autocommit=True
    )


def connection() -> Any:
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = _connect()
    return conn


Connection = Annotated[Any, Depends(connection)]
app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)


@app.get("/{path:path}")
def feed(conn: Connection) -> Response:
    stamp = conn.execute(QUERY).fetchone()
    if stamp is None:
        return Response(status_code=404)
    return Response(BODY, media_type="application/json")
