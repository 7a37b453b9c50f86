"""P2 flat cost: p50 latency of the same queries at a small and a large number of actions.

Sequential requests on one keep-alive connection with a read token: the 100th keyset page,
two `updated_since` queries (a sync from scratch, and "nothing newer since now") and the
first page of each list filter. Ratio = p50 at the large size / p50 at the small size.
Each sample is made unique for the response cache (measure.p50_pair's `uncached`), so what
is measured is the query, not a cache hit.
"""

from __future__ import annotations

import contextlib
from datetime import UTC, date, datetime, timedelta
from typing import Any
from urllib.parse import urlencode, urlsplit

import httpx

from bench.harness import BenchError, Options, Row, Servers, at_most, oversight_server, say
from bench.measure import p50_pair
from bench.seeding import Seeded, api_token, database_for

BASE = "/api/v1/actions"


def _queries(client: httpx.Client, page: int) -> list[tuple[str, str]]:
    """(label, path) of every query measured; the keyset page is found by walking to it."""
    path = f"{BASE}?limit=100"
    for _ in range(page - 1):
        answer = client.get(path)
        if answer.status_code != 200:
            raise BenchError(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")
        following = answer.json().get("next")
        if not following:
            raise BenchError(f"fewer than {page} pages of 100 actions: raise the small size")
        parts = urlsplit(following)
        path = f"{parts.path}?{parts.query}"
    today = date.today()
    now = datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")

    def q(**params: str) -> str:
        return f"{BASE}?{urlencode({'limit': '100', **params})}"

    return [
        (f"keyset page {page}", path),
        ("updated_since (sync from scratch)", q(updated_since="2000-01-01T00:00:00Z")),
        ("updated_since (nothing newer)", q(updated_since=now)),
        ("filter status=open", q(status="open")),
        ("filter owner_org=force", q(owner_org="force")),
        ("filter source_type=board_meeting", q(source_type="board_meeting")),
        ("filter overdue=true", q(overdue="true")),
        ("filter due_before (60 days ago)", q(due_before=(today - timedelta(days=60)).isoformat())),
        ("filter area=charnwood", q(area="charnwood")),
    ]


def run(opts: Options, kind: str = "sqlite", tag: str = "P2") -> tuple[list[Row], dict[str, Any]]:
    """Both sizes served at once by two servers; each query's samples alternate between them."""
    seeded = [
        database_for(kind, opts.p2_small, opts, name="small"),
        database_for(kind, opts.p2_large if kind == "sqlite" else opts.p5_large, opts, "large"),
    ]
    return _measure(opts, kind, tag, seeded)


def _measure(
    opts: Options, kind: str, tag: str, seeded: list[Seeded]
) -> tuple[list[Row], dict[str, Any]]:
    small: dict[str, dict[str, Any]] = {}
    large: dict[str, dict[str, Any]] = {}
    with Servers() as servers, contextlib.ExitStack() as stack:
        clients = []
        for one in seeded:
            auth = {"Authorization": f"Bearer {api_token(one.url)}"}
            app = servers.start(oversight_server(one.url, opts.workdir, f"{tag}-p2-{one.size}"))
            clients.append(
                stack.enter_context(
                    httpx.Client(base_url=app.base_url, headers=auth, trust_env=False, timeout=120)
                )
            )
        queries = [_queries(client, opts.p2_page) for client in clients]
        say(
            f"{tag}: {len(queries[0])} queries × {opts.samples} requests, alternating between "
            f"{seeded[0].size:,} and {seeded[1].size:,} actions"
        )
        for (label, path_small), (_, path_large) in zip(queries[0], queries[1], strict=True):
            at_small, at_large = p50_pair(
                (clients[0], path_small), (clients[1], path_large), opts.samples, uncached=True
            )
            small[label] = {"path": path_small, **at_small}
            large[label] = {"path": path_large, **at_large}
    for one in seeded:
        if one.sqlite_file is not None:  # a 1M copy is large; the cached original stays
            for leftover in one.sqlite_file.parent.glob(one.sqlite_file.name + "*"):
                leftover.unlink()
    sizes = (seeded[0].size, seeded[1].size)
    rows = _rows(sizes, "SQLite" if kind == "sqlite" else "PostgreSQL", tag, small, large)
    return rows, _figures(opts, kind, small, seeded[0], large, seeded[1])


def _rows(
    sizes: tuple[int, int],
    db_label: str,
    tag: str,
    small: dict[str, dict[str, Any]],
    large: dict[str, dict[str, Any]],
) -> list[Row]:
    rows: list[Row] = []
    for label, at_large in large.items():
        at_small = small.get(label)
        base = at_small["p50_ms"] if at_small else None
        ratio, met = at_most(at_large["p50_ms"], base, 1.3)
        rows.append(
            Row(
                id=tag,
                what=f"{label}, {db_label} {_k(sizes[1])} vs {_k(sizes[0])}",
                value=at_large["p50_ms"],
                unit="ms p50",
                baseline=base,
                baseline_label=f"at {_k(sizes[0])}",
                ratio=ratio,
                target="≤ 1.3×",
                met=met,
            )
        )
    return rows


def _k(n: int) -> str:
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    return f"{n / 1000:g}k" if n >= 1000 else str(n)


def _figures(
    opts: Options,
    kind: str,
    small: dict[str, Any],
    small_seed: Seeded,
    large: dict[str, Any],
    large_seed: Seeded,
) -> dict[str, Any]:
    return {
        "database": kind,
        "small": {
            "size": small_seed.size,
            "seed_seconds": small_seed.cached_seed_seconds,
            "queries": small,
        },
        "large": {
            "size": large_seed.size,
            "seed_seconds": large_seed.cached_seed_seconds,
            "queries": large,
        },
    }
