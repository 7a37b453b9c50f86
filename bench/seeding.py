"""Seeded databases, cached by size (SQLite files under bench/results/cache, PostgreSQL
template databases), and the callers: an API token and a signed-in browser session."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import shutil
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from bench.harness import CACHE, ROOT, TOKEN_SCOPES, BenchError, Options, cli, say

# ---------------------------------------------------------------------------------------------
# Seeded databases, cached by size and by what shapes the data


def _seed_key() -> str:
    """Changes when the schema or the generator changes, so a stale cache is never used."""
    digest = hashlib.sha256()
    files = sorted((ROOT / "migrations" / "versions").glob("*.py"))
    files += [ROOT / "domain" / "actions" / "generate.py", ROOT / "domain" / "demo.py"]
    for path in files:
        if path.exists():
            digest.update(path.name.encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class Seeded:
    url: str
    size: int
    seed_seconds: float | None  # None when it came from the cache
    cached_seed_seconds: float | None
    sqlite_file: Path | None = None


def _seed(url: str, size: int) -> float:
    say(f"seeding {size:,} actions with `oversight seed-demo --actions {size}` …")
    started = time.perf_counter()
    cli(url, "migrate")
    cli(url, "seed-demo", "--actions", str(size), timeout=6 * 3600)
    seconds = time.perf_counter() - started
    say(f"seeded {size:,} actions in {seconds:.1f} s ({size / seconds:,.0f} actions/s)")
    return seconds


def sqlite_database(size: int, workdir: Path, name: str = "oversight") -> Seeded:
    """A fresh copy of a seeded SQLite file (seeded once per size and cached)."""
    CACHE.mkdir(parents=True, exist_ok=True)
    stem = f"sqlite-{size}-{_seed_key()}"
    cached, meta = CACHE / f"{stem}.db", CACHE / f"{stem}.json"
    seconds: float | None = None
    if not (cached.exists() and meta.exists()):
        for stale in CACHE.glob(f"sqlite-{size}-*"):  # same size, older schema or generator
            stale.unlink()
        partial = CACHE / f"{stem}.partial.db"
        for leftover in CACHE.glob(f"{stem}.partial.db*"):
            leftover.unlink()
        seconds = _seed(f"sqlite:///{partial}", size)
        with contextlib.closing(sqlite3.connect(partial)) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            conn.execute("PRAGMA journal_mode=DELETE")  # one self-contained file to copy
        partial.replace(cached)
        meta.write_text(json.dumps({"size": size, "seed_seconds": seconds}))
    cached_seconds = json.loads(meta.read_text()).get("seed_seconds")
    workdir.mkdir(parents=True, exist_ok=True)
    target = workdir / f"{name}.db"
    for old in workdir.glob(f"{name}.db*"):
        old.unlink()
    shutil.copyfile(cached, target)
    with contextlib.closing(sqlite3.connect(target)) as conn:
        conn.execute("PRAGMA journal_mode=WAL")  # as the product leaves it, for Datasette too
    return Seeded(f"sqlite:///{target}", size, seconds, cached_seconds, sqlite_file=target)


def _pg_admin_url(url: str) -> tuple[str, str]:
    """(libpq URL of the maintenance database, name of the configured database)."""
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://", 1))
    name = parts.path.lstrip("/")
    if not name:
        raise BenchError(f"--postgres {url}: give a database name")
    if name == "test":
        raise BenchError("--postgres: refusing to use a database named test (the test suite's)")
    return parts._replace(path="/postgres").geturl(), name


def _pg(admin_url: str, *statements: str) -> list[Any]:
    import psycopg  # the product's driver, installed with it

    out: list[Any] = []
    try:
        conn = psycopg.connect(admin_url, autocommit=True, connect_timeout=10)
    except psycopg.OperationalError as exc:
        where = admin_url.rsplit("@", 1)[-1]
        raise BenchError(f"cannot reach PostgreSQL at {where} (--postgres URL): {exc}") from None
    with conn:
        for statement in statements:
            cur = conn.execute(statement.encode())
            out.append(cur.fetchall() if cur.description else None)
    return out


def postgres_database(url: str, size: int, suffix: str = "") -> Seeded:
    """The configured database (+ suffix), made afresh from a template seeded once per size."""
    admin, base_name = _pg_admin_url(url)
    name = base_name + suffix
    template = f"{base_name}_seed_{size}_{_seed_key()}"
    meta = CACHE / f"pg-{template}.json"
    CACHE.mkdir(parents=True, exist_ok=True)
    exists = _pg(admin, f"SELECT 1 FROM pg_database WHERE datname = '{template}'")[0]
    seconds: float | None = None
    if not exists or not meta.exists():
        prefix = f"{base_name}_seed_{size}_"  # same size, older schema or generator
        for (old,) in _pg(admin, "SELECT datname FROM pg_database")[0]:
            if not old.startswith(prefix):
                continue
            _pg(admin, f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
            (CACHE / f"pg-{old}.json").unlink(missing_ok=True)
        _pg(
            admin,
            f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)',
            f'CREATE DATABASE "{template}"',
        )
        template_url = url.rsplit("/", 1)[0] + f"/{template}"
        seconds = _seed(template_url, size)
        meta.write_text(json.dumps({"size": size, "seed_seconds": seconds}))
    _pg(
        admin,
        f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)',
        f'CREATE DATABASE "{name}" TEMPLATE "{template}"',
    )
    cached_seconds = json.loads(meta.read_text()).get("seed_seconds")
    return Seeded(url.rsplit("/", 1)[0] + f"/{name}", size, seconds, cached_seconds)


def database_for(kind: str, size: int, opts: Options, name: str = "oversight") -> Seeded:
    """A fresh database of `size` actions: a copy of a cached SQLite file, or on PostgreSQL the
    configured database (a second one, <name>_small, when two sizes are served at once)."""
    if kind == "sqlite":
        return sqlite_database(size, opts.workdir, name)
    return postgres_database(opts.postgres_url, size, "_small" if name == "small" else "")


# ---------------------------------------------------------------------------------------------
# Callers: an API token and a signed-in browser session


def api_token(url: str, role: str = "viewer") -> str:
    args = ["create-token", "bench", "--role", role]
    for scope in TOKEN_SCOPES:
        args += ["--scope", scope]
    return cli(url, *args).strip().splitlines()[-1].strip()


BENCH_EMAIL = "bench-admin@oversight.example"
BENCH_PASSWORD = "bench-password-correct-horse-battery"


def signed_in_client(url: str, base_url: str) -> httpx.Client:
    cli(
        url,
        "create-user",
        BENCH_EMAIL,
        "--role",
        "admin",
        "--password-stdin",
        stdin=BENCH_PASSWORD + "\n",
    )
    client = httpx.Client(base_url=base_url, timeout=60.0, trust_env=False)
    page = client.get("/sign-in")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    if page.status_code != 200 or not found:
        raise BenchError(f"GET /sign-in answered {page.status_code} without a csrf_token field")
    answer = client.post(
        "/sign-in",
        data={
            "email": BENCH_EMAIL,
            "password": BENCH_PASSWORD,
            "csrf_token": found.group(1),
            "next": "/",
        },
    )
    if answer.status_code != 303:
        raise BenchError(f"POST /sign-in answered {answer.status_code}: {answer.text[:300]}")
    return client
