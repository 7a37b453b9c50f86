"""The slow reliability suites (QUALITY.md R1, R2, R5) run against a real server process.

`live_server` starts `oversight serve` as a subprocess on a free port of 127.0.0.1, on a
database of its own that was migrated and seeded through the command line (`oversight
migrate`, `oversight seed-demo`, `oversight create-token`), exactly as an operator would.
The server can be killed with SIGKILL and started again on the same database.

Databases: SQLite is a file in the test's temporary directory. PostgreSQL, only when
OVERSIGHT_TEST_DATABASE_URL is set, is a dedicated database created on that server
(`oversight_slow_<pid>`) and dropped afterwards, so the `test` database the rest of the
suite empties is never touched.

These tests are marked `slow`; `make test` deselects them and `make test-slow` runs them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest

from tests.live_server import POSTGRES_URL, LiveServer, fresh_database


def kinds() -> list[object]:
    """sqlite always; postgresql only when OVERSIGHT_TEST_DATABASE_URL is set."""
    postgres = pytest.param(
        "postgresql",
        marks=pytest.mark.skipif(
            not POSTGRES_URL, reason="set OVERSIGHT_TEST_DATABASE_URL for the PostgreSQL run"
        ),
    )
    return ["sqlite", postgres]


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[Callable[[str], LiveServer]]:
    """live_server("sqlite" | "postgresql") → a running server on a migrated, seeded
    database of its own; every server it started is stopped (and its database dropped)."""
    stack = contextlib.ExitStack()
    servers: list[LiveServer] = []

    def build(kind: str) -> LiveServer:
        workdir = tmp_path / f"{kind}-{len(servers)}"
        workdir.mkdir()
        url = stack.enter_context(fresh_database(kind, workdir))
        server = LiveServer(database_url=url, workdir=workdir)
        servers.append(server)
        server.cli("migrate")
        server.cli("seed-demo")
        server.start()
        return server

    with stack:
        yield build
        for server in servers:
            server.stop()


def api_client(server: LiveServer, token: str, *, connections: int) -> httpx.AsyncClient:
    """An async client for 127.0.0.1 only (no proxies from the environment)."""
    return httpx.AsyncClient(
        base_url=f"{server.base_url}/api/v1",
        headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
        timeout=httpx.Timeout(60.0),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        trust_env=False,
    )


def fetch_all(server: LiveServer, token: str, path: str, **params: object) -> list[dict]:
    """Every item of a list endpoint, following `next` (pages of 500)."""
    items: list[dict] = []
    url: str | None = f"{server.base_url}/api/v1{path}"
    query: dict[str, object] | None = {"limit": 500, **params}
    with httpx.Client(
        headers={"Authorization": f"Bearer {token}"}, timeout=60.0, trust_env=False
    ) as client:
        for _ in range(1000):
            assert url is not None
            response = client.get(url, params=query)
            assert response.status_code == 200, response.text
            page = response.json()
            items.extend(page["items"])
            url, query = page["next"], None
            if url is None:
                return items
    pytest.fail(f"{path} did not finish paging")
