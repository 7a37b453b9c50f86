"""A real `oversight serve` in a subprocess, for tests that must see what a client over TCP
sees: the event loop, the thread pool, the connection pool and uvicorn itself. It can be
killed with SIGKILL and started again on the same database."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

REPO = Path(__file__).resolve().parents[1]
POSTGRES_URL = os.environ.get("OVERSIGHT_TEST_DATABASE_URL", "")
HOST = "127.0.0.1"
START_TIMEOUT = 60.0
CLI_TIMEOUT = 180.0
ADMIN_SCOPES = ("write:actions", "read:actions", "admin")


def oversight_command() -> list[str]:
    """The `oversight` CLI of the running interpreter's environment."""
    script = Path(sys.executable).with_name("oversight")
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from api.cli import main; main()"]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def fresh_database(kind: str, tmp_path: Path) -> Iterator[str]:
    """A brand-new, empty database URL for one test; PostgreSQL's is dropped afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / 'oversight-slow.db'}"
        return
    assert POSTGRES_URL, "OVERSIGHT_TEST_DATABASE_URL is not set"
    base = make_url(POSTGRES_URL)
    name = f"oversight_slow_{os.getpid()}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    try:
        drop()
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        drop()
        admin.dispose()


@dataclass
class LiveServer:
    """One `oversight serve` process on a database of its own."""

    database_url: str
    workdir: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0
    settings: dict[str, str] = field(default_factory=dict)
    """More OVERSIGHT_* variables for this server, over the defaults below."""

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def sqlite_path(self) -> Path | None:
        if not self.database_url.startswith("sqlite:///"):
            return None
        return Path(self.database_url.removeprefix("sqlite:///"))

    @property
    def log_path(self) -> Path:
        return self.workdir / "server.log"

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
        env.update(
            OVERSIGHT_DATABASE_URL=self.database_url,
            OVERSIGHT_ENV="development",
            OVERSIGHT_LOG_FORMAT="console",
            OVERSIGHT_ORG_NAME="Slow suite OPCC",
            PYTHONUNBUFFERED="1",
        )
        env.update(self.settings)
        return env

    def cli(self, *args: str) -> str:
        """Runs `oversight ARGS` on this server's database; returns standard output."""
        done = subprocess.run(
            [*oversight_command(), *args],
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT,
            check=False,
        )
        assert done.returncode == 0, (
            f"oversight {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def create_token(self, name: str, role: str = "admin", scopes: tuple[str, ...] = ()) -> str:
        args = ["create-token", name, "--role", role]
        for scope in scopes or ADMIN_SCOPES:
            args += ["--scope", scope]
        return self.cli(*args).strip().splitlines()[-1].strip()

    def start(self) -> None:
        assert self.process is None, "already running"
        self.starts += 1
        log = self.log_path.open("ab")
        log.write(f"\n===== start {self.starts} on port {self.port} =====\n".encode())
        log.flush()
        self.process = subprocess.Popen(
            [*oversight_command(), "serve", "--host", HOST, "--port", str(self.port)],
            cwd=REPO,
            env=self.env(),
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so a kill reaches only it
        )
        log.close()
        self._wait_until_healthy()

    def _wait_until_healthy(self) -> None:
        assert self.process is not None
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(base_url=self.base_url, timeout=2.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(
                        f"the server exited with {self.process.returncode}:\n{self.log_tail()}"
                    )
                try:
                    if client.get("/healthz").status_code == 200:
                        ready = client.get("/readyz")
                        assert ready.status_code == 200, ready.text
                        return
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
        self.kill()
        pytest.fail(f"the server did not answer /healthz in {START_TIMEOUT}s:\n{self.log_tail()}")

    def kill(self) -> None:
        """SIGKILL: no shutdown handlers, no flushing; what a crash or OOM kill does."""
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.kill()
        self.process = None

    def restart_after_kill(self) -> None:
        self.kill()
        self.start()

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])
