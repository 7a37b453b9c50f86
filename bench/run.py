"""Benchmarks as ratios against a baseline measured in the same run (QUALITY.md).

This first script measures what the foundation has: a JSON list from the API against a
static file served by the same server, with a load generator in this (separate) process.
Later capabilities add their own measurements (P1–P5) beside it.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _run(args: list[str], env: dict[str, str]) -> str:
    return subprocess.run(args, env=env, check=True, capture_output=True, text=True).stdout


def _load(url: str, headers: dict[str, str], seconds: float, connections: int) -> dict[str, float]:
    latencies: list[float] = []
    lock = threading.Lock()
    deadline = time.perf_counter() + seconds

    def worker() -> None:
        with httpx.Client(headers=headers, timeout=10) as client:
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = client.get(url)
                response.raise_for_status()
                with lock:
                    latencies.append(time.perf_counter() - started)

    threads = [threading.Thread(target=worker) for _ in range(connections)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "p90_ms": latencies[int(len(latencies) * 0.9)] * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=8)
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="oversight-bench-"))
    env = {
        **os.environ,
        "OVERSIGHT_DATABASE_URL": f"sqlite:///{workdir}/bench.db",
        "OVERSIGHT_LOG_FORMAT": "json",
    }
    oversight = str(BIN / "oversight")
    _run([oversight, "migrate"], env)
    _run([oversight, "seed-demo"], env)
    token = _run([oversight, "create-token", "bench", "--role", "admin", "--scope", "admin"], env)
    secret = token.strip().splitlines()[-1]
    port = _free_port()
    server = subprocess.Popen(
        [oversight, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if httpx.get(f"{base}/healthz").status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.1)
        auth = {"Authorization": f"Bearer {secret}"}
        cases = {
            "static file (baseline)": (f"{base}/static/app/oversight.css", {}),
            "GET /api/v1/npas?limit=100": (f"{base}/api/v1/npas?limit=100", auth),
        }
        results = {
            name: _load(url, h, args.seconds, args.connections) for name, (url, h) in cases.items()
        }
    finally:
        server.terminate()
        server.wait(timeout=10)
    baseline = results["static file (baseline)"]["rps"]
    print(f"{'case':<32} {'req/s':>9} {'p50 ms':>8} {'p90 ms':>8} {'× baseline':>11}")
    for name, r in results.items():
        ratio = r["rps"] / baseline
        print(f"{name:<32} {r['rps']:>9.0f} {r['p50_ms']:>8.1f} {r['p90_ms']:>8.1f} {ratio:>11.2f}")
    out = ROOT / "bench" / "results"
    out.mkdir(exist_ok=True)
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    (out / f"foundation-{stamp}.json").write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
