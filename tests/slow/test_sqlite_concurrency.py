"""R5 concurrency on SQLite: 8 writers × 500 writes through the real server, and no user
ever sees a 5xx or "database is locked"."""

from __future__ import annotations

import asyncio
import secrets
import time
from collections import Counter
from datetime import date, timedelta

import httpx
import pytest

from tests.live_server import LiveServer
from tests.slow.conftest import api_client

pytestmark = pytest.mark.slow

WRITERS = 8
WRITES_EACH = 500
DEADLINE_SECONDS = 240
LOCKED = "database is locked"


async def writer(
    client: httpx.AsyncClient, n: int, run: str, tally: Counter[str], bad: list[str]
) -> None:
    """Alternates: create an action, then PATCH it with If-Match (its own, so no 412)."""
    due_on = str(date.today() + timedelta(days=60))
    action_id: int | None = None
    etag = ""
    for i in range(WRITES_EACH):
        try:
            if action_id is None or i % 2 == 0:
                kind = "create"
                response = await client.post(
                    "/actions",
                    json={"title": f"R5 {run} w{n} #{i}", "owner_org": "force", "due_on": due_on},
                    headers={"Idempotency-Key": f"r5-{run}-{n}-{i}"},
                )
            else:
                kind = "patch"
                response = await client.patch(
                    f"/actions/{action_id}",
                    json={"title": f"R5 {run} w{n} #{i} changed", "detail": f"write {i}"},
                    headers={"If-Match": etag},
                )
        except httpx.TransportError as exc:
            tally["transport error"] += 1
            bad.append(f"{kind} writer {n} #{i}: {type(exc).__name__}: {exc}")
            continue
        tally[f"{kind} {response.status_code}"] += 1
        if LOCKED in response.text.lower():
            tally["locked"] += 1
        if response.status_code >= 500 or not 200 <= response.status_code < 300:
            bad.append(f"{kind} writer {n} #{i}: {response.status_code} {response.text[:300]}")
            continue
        if kind == "create":
            action_id = int(response.json()["id"])
        etag = response.headers["etag"]


async def run_writers(server: LiveServer, token: str, run: str) -> tuple[Counter[str], list[str]]:
    tally: Counter[str] = Counter()
    bad: list[str] = []
    async with api_client(server, token, connections=WRITERS) as client:
        await asyncio.gather(*(writer(client, n, run, tally, bad) for n in range(WRITERS)))
    return tally, bad


def test_eight_writers_never_see_database_is_locked(live_server) -> None:
    server: LiveServer = live_server("sqlite")
    token = server.create_token("R5 writers")
    run = secrets.token_hex(4)

    started = time.monotonic()
    tally, bad = asyncio.run(
        asyncio.wait_for(run_writers(server, token, run), timeout=DEADLINE_SECONDS)
    )
    elapsed = time.monotonic() - started

    responses = sum(n for k, n in tally.items() if k.split()[0] in ("create", "patch"))
    five_xx = sum(n for k, n in tally.items() if k.split()[-1].startswith("5"))
    ok = sum(n for k, n in tally.items() if k.split()[-1] in ("200", "201"))
    locked_in_log = server.log_text().lower().count(LOCKED)
    print(
        f"\nR5 sqlite: {WRITERS} writers × {WRITES_EACH} = {WRITERS * WRITES_EACH} writes;"
        f" {responses} responses, {ok} 2xx, {five_xx} 5xx, {tally['locked']} 'database is"
        f" locked', {tally['transport error']} connection errors; {locked_in_log} 'database is"
        f" locked' in the server log; {elapsed:.1f}s ({WRITERS * WRITES_EACH / elapsed:.0f}"
        f" writes/s); {dict(sorted(tally.items()))}"
    )

    assert tally["locked"] == 0, bad[:5]
    assert five_xx == 0, bad[:5]
    assert tally["transport error"] == 0, bad[:5]
    assert ok == WRITERS * WRITES_EACH, bad[:5]
    assert locked_in_log == 0
