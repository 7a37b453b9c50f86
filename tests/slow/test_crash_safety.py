"""R2 crash safety: kill -9 the server during 1,000 concurrent writes, restart, and every
write that was acknowledged (2xx) is there; on SQLite `PRAGMA integrity_check` is ok."""

from __future__ import annotations

import asyncio
import secrets
import sqlite3
from collections import Counter
from datetime import date, timedelta

import httpx
import pytest

from tests.live_server import LiveServer
from tests.slow.conftest import api_client, fetch_all, kinds

pytestmark = pytest.mark.slow

WRITES = 1000
IN_FLIGHT = 32
KILL_AFTER_ACKNOWLEDGED = 300
DEADLINE_SECONDS = 240


async def fire_and_kill(server: LiveServer, token: str, run: str) -> dict[str, object]:
    """Sends WRITES creating POSTs, IN_FLIGHT at a time; SIGKILLs the server once
    KILL_AFTER_ACKNOWLEDGED of them have been acknowledged, and keeps sending the rest."""
    due_on = str(date.today() + timedelta(days=30))
    acknowledged: dict[str, int] = {}  # title -> id
    statuses: Counter[int] = Counter()
    transport_errors: Counter[str] = Counter()
    gate = asyncio.Semaphore(IN_FLIGHT)
    killed_at: list[int] = []

    async def one(client: httpx.AsyncClient, i: int) -> None:
        title = f"R2 {run} write {i:04d}"
        body = {"title": title, "owner_org": "force", "due_on": due_on, "detail": "crash test"}
        async with gate:
            try:
                response = await client.post(
                    "/actions", json=body, headers={"Idempotency-Key": f"r2-{run}-{i:04d}"}
                )
            except httpx.TransportError as exc:
                transport_errors[type(exc).__name__] += 1
                return
        statuses[response.status_code] += 1
        if not 200 <= response.status_code < 300:
            return
        created = response.json()
        assert created["title"] == title, created
        acknowledged[title] = int(created["id"])
        if not killed_at and len(acknowledged) >= KILL_AFTER_ACKNOWLEDGED:
            killed_at.append(len(acknowledged))
            server.kill()

    async with api_client(server, token, connections=IN_FLIGHT) as client:
        await asyncio.gather(*(one(client, i) for i in range(WRITES)))
    return {
        "acknowledged": acknowledged,
        "statuses": statuses,
        "transport_errors": transport_errors,
        "killed_at": killed_at[0] if killed_at else None,
    }


@pytest.mark.parametrize("kind", kinds())
def test_every_acknowledged_write_survives_kill_9(kind: str, live_server) -> None:
    server: LiveServer = live_server(kind)
    token = server.create_token("R2 crash writer")
    run = secrets.token_hex(4)

    outcome = asyncio.run(
        asyncio.wait_for(fire_and_kill(server, token, run), timeout=DEADLINE_SECONDS)
    )
    acknowledged: dict[str, int] = outcome["acknowledged"]  # type: ignore[assignment]
    statuses: Counter[int] = outcome["statuses"]  # type: ignore[assignment]
    assert outcome["killed_at"] is not None, (
        f"the server was never killed: only {len(acknowledged)} writes acknowledged"
    )
    assert server.process is None

    server.start()  # same database, same port: recovery is the server's own start-up

    present = {
        a["title"]: int(a["id"])
        for a in fetch_all(server, token, "/actions", q=f"R2 {run} write")
        if a["title"].startswith(f"R2 {run} write ")
    }
    lost = sorted(t for t, i in acknowledged.items() if present.get(t) != i)
    unacknowledged_but_present = len(set(present) - set(acknowledged))

    # Atomicity: every action that exists has exactly one creation audit event.
    created_events = Counter(
        e["entity_id"]
        for e in fetch_all(server, token, "/audit-events", entity="action")
        if e["action"] == "create"
    )
    without_one_event = sorted(i for i in present.values() if created_events[i] != 1)

    integrity = "n/a"
    foreign_key_problems: list[tuple] = []
    if server.sqlite_path is not None:
        db = sqlite3.connect(f"file:{server.sqlite_path}?mode=ro", uri=True, timeout=30)
        try:
            integrity = "; ".join(r[0] for r in db.execute("PRAGMA integrity_check"))
            foreign_key_problems = db.execute("PRAGMA foreign_key_check").fetchall()
        finally:
            db.close()

    errors = dict(outcome["transport_errors"])  # type: ignore[call-overload]
    non_2xx = {s: n for s, n in statuses.items() if not 200 <= s < 300}
    print(
        f"\nR2 {kind}: tried {WRITES} / acknowledged {len(acknowledged)} / lost {len(lost)}"
        f" (killed after {outcome['killed_at']} acknowledged; {unacknowledged_but_present}"
        f" unacknowledged but committed; connection errors {sum(errors.values())} {errors};"
        f" non-2xx {non_2xx}; integrity_check {integrity})"
    )

    assert not lost, f"{len(lost)} acknowledged writes are missing after restart: {lost[:10]}"
    assert not without_one_event, f"actions without exactly one create event: {without_one_event}"
    if server.sqlite_path is not None:
        assert integrity == "ok"
        assert foreign_key_problems == []
    assert not non_2xx, f"the server refused writes before the kill: {non_2xx}"
    assert "database is locked" not in server.log_text()
