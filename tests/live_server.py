"""A real `oversight serve` in a subprocess, for tests that must see what a client over TCP
sees: the event loop, the thread pool, the connection pool and uvicorn itself."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
OVERSIGHT = Path(sys.executable).parent / "oversight"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(database_url: str, log_path: Path, **env: str) -> Iterator[str]:
    """Serve on a free loopback port until the block ends; yields the base URL."""
    port = free_port()
    environment = {
        **os.environ,
        "OVERSIGHT_DATABASE_URL": database_url,
        "OVERSIGHT_ENV": "development",
        "OVERSIGHT_LOG_FORMAT": "json",
        "OVERSIGHT_NODE_MODULES": str(ROOT / "node_modules"),
        **env,
    }
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [str(OVERSIGHT), "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server exited: {log_path.read_text()[-2000:]}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not answer /healthz within 30 s")
            time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
