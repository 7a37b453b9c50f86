"""Load (`wrk` with bench/rotate.lua), sequential latency samples, peak RSS from /proc, and
py-spy profiles of a worker under load."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from bench.harness import BENCH, BenchError, Options, ensure_pyspy, ensure_wrk

# ---------------------------------------------------------------------------------------------
# Load and latency


@dataclass
class WrkResult:
    rps: float
    requests: int
    seconds: float
    p50_ms: float
    p99_ms: float
    errors: dict[str, int]
    non_2xx: int
    load_before: float

    @property
    def ok(self) -> bool:
        return self.non_2xx == 0 and not any(self.errors.values())


def wrk(
    url: str,
    opts: Options,
    *,
    headers: dict[str, str] | None = None,
    paths: list[str] | None = None,
    seconds: float | None = None,
) -> WrkResult:
    """`wrk` against url (or rotating through paths on its host); the summary comes back from
    rotate.lua's done() as one JSON line."""
    exe = ensure_wrk()
    duration = seconds if seconds is not None else opts.seconds
    command = [
        exe,
        f"-t{opts.wrk_threads}",
        f"-c{opts.connections}",
        f"-d{duration:g}s",
        "--timeout",
        "30s",
        "-s",
        str(BENCH / "rotate.lua"),
    ]
    for name, value in (headers or {}).items():
        command += ["-H", f"{name}: {value}"]
    command.append(url)
    if paths:
        paths_file = opts.workdir / f"paths-{abs(hash(tuple(paths)))}.txt"
        paths_file.write_text("\n".join(paths) + "\n")
        command += ["--", str(paths_file)]
    load_before = loadavg()
    done = subprocess.run(command, capture_output=True, text=True, timeout=duration + 120)
    line = next((ln for ln in done.stdout.splitlines() if ln.startswith("BENCH_JSON ")), None)
    if done.returncode != 0 or line is None:
        raise BenchError(
            f"wrk failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}"
        )
    data = json.loads(line.removeprefix("BENCH_JSON "))
    errors = {k: int(v) for k, v in data["errors"].items()}
    seconds_run = data["duration_us"] / 1e6
    return WrkResult(
        rps=data["requests"] / seconds_run,
        requests=int(data["requests"]),
        seconds=seconds_run,
        p50_ms=data["p50_us"] / 1000,
        p99_ms=data["p99_us"] / 1000,
        errors=errors,
        non_2xx=errors.get("status", 0),
        load_before=load_before,
    )


def load(
    url: str,
    opts: Options,
    *,
    headers: dict[str, str] | None = None,
    paths: list[str] | None = None,
) -> WrkResult:
    """A short warm-up, then the measured run."""
    if opts.warmup > 0:
        wrk(url, opts, headers=headers, paths=paths, seconds=opts.warmup)
    return wrk(url, opts, headers=headers, paths=paths)


def _summary(times: list[float], size: int) -> dict[str, Any]:
    times = sorted(times)
    return {
        "p50_ms": statistics.median(times) * 1000,
        "p90_ms": times[max(int(len(times) * 0.9) - 1, 0)] * 1000,
        "samples": len(times),
        "bytes": size,
    }


def _timed_get(client: httpx.Client, path: str) -> tuple[float, int]:
    started = time.perf_counter()
    answer = client.get(path)
    elapsed = time.perf_counter() - started
    if answer.status_code != 200:
        raise BenchError(f"GET {path} answered {answer.status_code}: {answer.text[:300]}")
    return elapsed, len(answer.content)


def p50_pair(
    a: tuple[httpx.Client, str],
    b: tuple[httpx.Client, str],
    samples: int,
    warmup: int = 5,
    *,
    uncached: bool = False,
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Sequential GETs alternating between a and b (each on its own keep-alive connection), so
    whatever else the machine is doing weighs on both alike; p50 and p90 of each.

    `uncached`: every request carries a parameter of its own (`bench_sample=N`, which the
    API ignores), so the response cache, keyed on the whole URL, never answers it and each
    sample pays for its query."""
    pair = (a, b)
    times: tuple[list[float], list[float]] = ([], [])
    sizes = [0, 0]
    for i in range(warmup + samples):
        for which in (0, 1) if i % 2 == 0 else (1, 0):
            client, path = pair[which]
            if uncached:
                path = f"{path}{'&' if '?' in path else '?'}bench_sample={i}"
            elapsed, sizes[which] = _timed_get(client, path)
            if i >= warmup:
                times[which].append(elapsed)
    return _summary(times[0], sizes[0]), _summary(times[1], sizes[1])


def p50_many(client: httpx.Client, path: str, samples: int, warmup: int = 5) -> dict[str, Any]:
    """Sequential GETs of one path on one keep-alive connection."""
    times: list[float] = []
    size = 0
    for i in range(warmup + samples):
        elapsed, size = _timed_get(client, path)
        if i >= warmup:
            times.append(elapsed)
    return _summary(times, size)


def loadavg() -> float:
    try:
        return float(Path("/proc/loadavg").read_text().split()[0])
    except (OSError, ValueError):
        return -1.0


# ---------------------------------------------------------------------------------------------
# Memory


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append(int(entry.name))
    return found


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


class RssSampler:
    """Samples VmRSS of a process tree every 100 ms and reads each process's VmHWM (its peak
    resident set since it started) at the end; the peak is the larger of the two."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.peak_rss_kb = 0
        self.peak_hwm_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _tree(self) -> list[int]:
        tree = [self.pid]
        tree += [c for c in _children(self.pid)]
        return tree

    def _sample(self) -> None:
        for pid in self._tree():
            self.peak_rss_kb = max(self.peak_rss_kb, _status_kb(pid, "VmRSS"))
            self.peak_hwm_kb = max(self.peak_hwm_kb, _status_kb(pid, "VmHWM"))

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self._sample()

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._sample()
        self._stop.set()
        self._thread.join()

    @property
    def peak_mb(self) -> float:
        return max(self.peak_rss_kb, self.peak_hwm_kb) / 1024


# ---------------------------------------------------------------------------------------------
# Profiling (optional): py-spy from PyPI in its own venv, against the worker under load


@contextlib.contextmanager
def profiled(pid: int, seconds: float, out: Path, enabled: bool) -> Iterator[Path | None]:
    if not enabled:
        yield None
        return
    exe = ensure_pyspy()
    raw = out.with_suffix(".txt")
    proc = subprocess.Popen(
        [
            str(exe),
            "record",
            "--pid",
            str(pid),
            "--duration",
            str(int(seconds)),
            "--rate",
            "200",
            "--format",
            "raw",
            "--output",
            str(raw),
            "--gil",  # only the thread holding the GIL: where the CPU time goes
        ],
        stdout=subprocess.DEVNULL,
        stderr=out.with_suffix(".log").open("wb"),
        start_new_session=True,
    )
    try:
        yield raw
    finally:
        try:
            proc.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


def _where(frame: str) -> str:
    """The package a frame's code is in: `fn (sqlalchemy/orm/state.py:211)` -> SQLAlchemy ORM."""
    path = frame.rpartition("(")[2].rpartition(":")[0]
    top = path.split("/", 1)[0]
    if path.startswith("sqlalchemy/orm/"):
        return "SQLAlchemy ORM"
    if top == "sqlalchemy":
        return "SQLAlchemy Core/engine"
    if top in ("pydantic", "pydantic_core"):
        return "pydantic"
    if top in ("api", "domain", "web"):
        return f"product {top}/"
    if top in ("logging", "structlog"):
        return "logging"
    return top or "(native)"


def summarise_profile(raw: Path, top: int = 15) -> dict[str, Any]:
    """From py-spy's collapsed stacks (GIL holder only): own time per function, own time per
    package, and inclusive time of the product's own functions."""
    if not raw.exists():
        return {}
    own: dict[str, int] = {}
    packages: dict[str, int] = {}
    product: dict[str, int] = {}
    total = 0
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not count_text.isdigit():
            continue
        count = int(count_text)
        frames = stack.split(";")
        total += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        where = _where(frames[-1])
        packages[where] = packages.get(where, 0) + count
        for frame in set(frames):
            if _where(frame).startswith("product") and "api/cli.py" not in frame:
                product[frame] = product.get(frame, 0) + count

    def share(table: dict[str, int]) -> list[tuple[str, float]]:
        ranked = sorted(table.items(), key=lambda kv: -kv[1])[:top]
        return [(frame, round(100 * n / total, 1)) for frame, n in ranked]

    return {
        "samples": total,
        "own_pct": share(own),
        "own_by_package_pct": share(packages),
        "product_inclusive_pct": share(product),
    }
