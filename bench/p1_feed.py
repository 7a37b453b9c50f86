"""P1 feed throughput (and P4, the worker's peak RSS during it).

One run on one machine: Oversight, the FastAPI floor, the bare Starlette ceiling and Datasette
are all started, then loaded one at a time by `wrk` (32 connections, bench/rotate.lua) with two
workloads, the same first page again and again and 50 different keyset pages in rotation,
round after round; each figure is the median round. Peak RSS is sampled from /proc throughout.
"""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.harness import (
    FEED_PATH,
    RESULTS,
    BenchError,
    Options,
    Row,
    Servers,
    at_least,
    at_most,
    datasette_server,
    oversight_server,
    say,
    uvicorn_server,
)
from bench.measure import RssSampler, WrkResult, load, profiled, summarise_profile, wrk
from bench.seeding import api_token, database_for, sqlite_database


def _path_of(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _collect(
    client: httpx.Client, first: str, count: int, next_key: str
) -> tuple[bytes, list[str]]:
    """The first page's bytes and the paths of the first `count` pages, following `next`."""
    paths = [first]
    answer = client.get(first)
    if answer.status_code != 200:
        raise BenchError(f"GET {first} answered {answer.status_code}: {answer.text[:500]}")
    body = answer.content
    following = answer.json().get(next_key)
    while following and len(paths) < count:
        path = _path_of(following)
        paths.append(path)
        answer = client.get(path)
        if answer.status_code != 200:
            raise BenchError(f"GET {path} answered {answer.status_code}: {answer.text[:500]}")
        following = answer.json().get(next_key)
    if len(paths) < count:
        say(f"only {len(paths)} pages to rotate through at {first}")
    return body, paths


def _figures(result: WrkResult) -> dict[str, Any]:
    return {
        "rps": round(result.rps, 1),
        "requests": result.requests,
        "p50_ms": round(result.p50_ms, 2),
        "p99_ms": round(result.p99_ms, 2),
        "errors": result.errors,
        "load_before": result.load_before,
    }


def _median(results: list[WrkResult]) -> dict[str, Any]:
    ranked = sorted(results, key=lambda r: r.rps)
    return _figures(ranked[len(ranked) // 2])


def _check(name: str, result: WrkResult) -> str:
    if result.ok:
        return ""
    say(f"{name}: errors during the run: {result.errors}")
    return f"{name} had errors {result.errors}"


def run(opts: Options, kind: str = "sqlite", tag: str = "P1") -> tuple[list[Row], dict[str, Any]]:
    """Rows for the P1 table (and P4's), plus the raw figures for the JSON."""
    seeded = database_for(kind, opts.p1_size, opts, name="oversight")
    datasette_file = seeded.sqlite_file
    if datasette_file is None:  # PostgreSQL: Datasette still reads a SQLite file of the same size
        other = sqlite_database(opts.p1_size, opts.workdir / "datasette", "oversight")
        assert other.sqlite_file is not None
        datasette_file = other.sqlite_file
    token = api_token(seeded.url)
    auth = {"Authorization": f"Bearer {token}"}
    body_file = opts.workdir / f"{tag}-body.json"
    figures: dict[str, Any] = {
        "size": opts.p1_size,
        "database": kind,
        "seed_seconds": seeded.cached_seed_seconds,
    }
    notes: list[str] = []
    with Servers() as servers:
        app = servers.start(oversight_server(seeded.url, opts.workdir, name=f"{tag}-oversight"))
        with httpx.Client(
            base_url=app.base_url, headers=auth, trust_env=False, timeout=120
        ) as client:
            body, paths = _collect(client, FEED_PATH, opts.rotate_pages, "next")
        body_file.write_bytes(body)
        figures["body_bytes"] = len(body)
        figures["pages"] = len(paths)
        baseline_env = {"BENCH_BODY": str(body_file), "BENCH_DATABASE_URL": seeded.url}
        floor = servers.start(
            uvicorn_server("floor_app", opts.workdir, f"{tag}-floor", **baseline_env)
        )
        ceiling = servers.start(
            uvicorn_server("ceiling_app", opts.workdir, f"{tag}-ceiling", **baseline_env)
        )
        ds = servers.start(datasette_server(datasette_file, opts.workdir))
        ds_first = f"/{datasette_file.stem}/actions.json?_size=100"
        with httpx.Client(base_url=ds.base_url, trust_env=False, timeout=120) as client:
            ds_body, ds_paths = _collect(client, ds_first, opts.rotate_pages, "next_url")
            versions = client.get("/-/versions.json").json()
        # (name, url, headers, rotating paths): all four are up at once, idle but for the one
        # under load, and measured in turn, round after round, so that whatever else the
        # machine does weighs on each alike; each figure is the median round.
        targets = [
            ("oversight", app.base_url + FEED_PATH, auth, paths),
            ("floor", floor.base_url + FEED_PATH, {}, paths),
            ("ceiling", ceiling.base_url + FEED_PATH, {}, paths),
            ("datasette", ds.base_url + ds_first, {}, ds_paths),
        ]
        runs: dict[str, dict[str, list[WrkResult]]] = {
            name: {"same": [], "rotating": []} for name, *_ in targets
        }
        with RssSampler(app.pid) as rss:
            for n in range(opts.rounds):
                say(
                    f"{tag}: round {n + 1}/{opts.rounds}: 4 servers × 2 workloads × "
                    f"{opts.seconds:g} s (+{opts.warmup:g} s warm-up)"
                )
                for name, url, headers, rotation in targets:
                    runs[name]["same"].append(load(url, opts, headers=headers))
                    runs[name]["rotating"].append(load(url, opts, headers=headers, paths=rotation))
        figures["peak_rss_mb"] = round(rss.peak_mb, 1)
        for name, workloads in runs.items():
            figures[name] = {}
            for workload, results in workloads.items():
                figures[name][workload] = _median(results)
                figures[name][workload]["rounds_rps"] = [round(r.rps, 1) for r in results]
                notes += [
                    _check(f"{name} {workload} round {i + 1}", r) for i, r in enumerate(results)
                ]
        figures["datasette"].update(
            version=versions.get("datasette", {}).get("version"),
            body_bytes=len(ds_body),
            file=str(datasette_file),
        )
        if opts.profile:
            RESULTS.mkdir(parents=True, exist_ok=True)
            profile_out = RESULTS / f"{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}-{tag}-pyspy"
            say(f"{tag}: profiling the worker with py-spy during one more same-page run")
            with profiled(app.pid, opts.seconds, profile_out, True) as raw:
                wrk(app.base_url + FEED_PATH, opts, headers=auth)
            if raw is not None:
                figures["profile"] = summarise_profile(raw)
                figures["profile"]["raw"] = str(raw)

    note = "; ".join(n for n in notes if n)
    failed = bool(note)
    o, f, c, d = figures["oversight"], figures["floor"], figures["ceiling"], figures["datasette"]
    db_label = "SQLite" if kind == "sqlite" else "PostgreSQL"
    size = f"{opts.p1_size // 1000}k" if opts.p1_size >= 1000 else str(opts.p1_size)
    rows: list[Row] = []

    def row(what: str, value: float, base: float | None, label: str, factor: float | None) -> None:
        ratio, met = at_least(value, base, factor) if factor is not None else (None, None)
        if factor is None and base:
            ratio = value / base
        rows.append(
            Row(
                id=tag,
                what=what,
                value=value,
                unit="req/s",
                baseline=base,
                baseline_label=label,
                ratio=ratio,
                target=f"≥ {factor:g}×" if factor is not None else "reported",
                met=(False if failed and met is not None else met),
                note=note if met is not None else "",
            )
        )

    ds_where = "" if kind == "sqlite" else " (SQLite)"
    row(
        f"feed same page, {db_label} {size}",
        o["same"]["rps"],
        d["same"]["rps"],
        f"Datasette{ds_where}",
        10,
    )
    row(
        f"feed same page, {db_label} {size}",
        o["same"]["rps"],
        f["same"]["rps"],
        "FastAPI floor",
        0.6,
    )
    row(
        f"feed {figures['pages']} rotating pages, {db_label} {size}",
        o["rotating"]["rps"],
        d["rotating"]["rps"],
        f"Datasette{ds_where}",
        2,
    )
    row(
        "  floor (FastAPI + 1 query), same page",
        f["same"]["rps"],
        c["same"]["rps"],
        "ceiling",
        None,
    )
    row("  floor, rotating", f["rotating"]["rps"], c["rotating"]["rps"], "ceiling", None)
    row("  ceiling (bare Starlette), same page", c["same"]["rps"], None, "", None)
    row(
        "  Oversight rotating vs floor rotating",
        o["rotating"]["rps"],
        f["rotating"]["rps"],
        "FastAPI floor",
        None,
    )
    ratio, met = at_most(figures["peak_rss_mb"], 150.0, 1.0)
    rows.append(
        Row(
            id="P4" if tag == "P1" else tag,
            what=f"peak RSS of the worker during {tag} ({db_label})",
            value=figures["peak_rss_mb"],
            unit="MB",
            baseline=150.0,
            baseline_label="limit",
            ratio=ratio,
            target="≤ 150 MB",
            met=met,
        )
    )
    return rows, figures


def profile_lines(figures: dict[str, Any], top: int = 12) -> list[str]:
    profile = figures.get("profile") or {}
    if not profile:
        return []
    lines = [
        f"py-spy --gil, {profile['samples']} samples of the worker under the same-page load "
        f"(raw: {profile.get('raw', '')})",
        "  own time by package:",
    ]
    lines += [f"    {pct:5.1f}%  {name}" for name, pct in profile["own_by_package_pct"][:top]]
    lines.append("  own time, top functions:")
    lines += [f"    {pct:5.1f}%  {frame}" for frame, pct in profile["own_pct"][:top]]
    lines.append("  inclusive time of the product's functions:")
    lines += [f"    {pct:5.1f}%  {frame}" for frame, pct in profile["product_inclusive_pct"][:top]]
    return lines
