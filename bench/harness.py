"""What every benchmark shares: options, table rows, servers in subprocesses (always stopped),
and the tools installed on first use (wrk from Debian; Datasette and py-spy from PyPI, each in
a venv of its own under bench/, never in the product's).

Nothing here imports the product: it is driven through its command line and over HTTP, as an
integrator would, so the figures include uvicorn, the middleware and the database driver.
Databases and callers are in bench/seeding.py; load, latency, memory and profiles in
bench/measure.py.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
RESULTS = BENCH / "results"
CACHE = RESULTS / "cache"
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
START_TIMEOUT = 90.0
DATASETTE_VERSION = "0.65.5"  # pinned; the newest on PyPI when this was written
DATASETTE_VENV = BENCH / ".venv-datasette"
PYSPY_VERSION = "0.4.3"
PYSPY_VENV = BENCH / ".venv-pyspy"
FEED_PATH = "/api/v1/actions?limit=100"
TOKEN_SCOPES = ("read:actions",)


class BenchError(RuntimeError):
    """A benchmark could not run; the message says why (and where the server log is)."""


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------------
# Settings of one invocation


@dataclass
class Options:
    quick: bool = False
    seconds: float = 10.0
    warmup: float = 2.0
    rounds: int = 3
    connections: int = 32
    wrk_threads: int = 1
    p1_size: int = 100_000
    p2_small: int = 10_000
    p2_large: int = 1_000_000
    # PostgreSQL seeds through the same CLI at ~1,500 actions/s here (SQLite ~3,300/s):
    # 1M would take over 10 minutes, so P5's large size defaults lower (--pg-large).
    p5_large: int = 100_000
    p2_page: int = 100
    p3_size: int = 100_000
    samples: int = 200
    p3_samples: int = 100
    rotate_pages: int = 50
    postgres_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/bench_oversight"
    profile: bool = False
    workdir: Path = field(  # made by bench/run.py's main() and removed at the end
        default_factory=lambda: Path(tempfile.gettempdir()) / f"oversight-bench-{os.getpid()}"
    )

    @classmethod
    def quick_defaults(cls) -> Options:
        return cls(
            quick=True,
            seconds=3.0,
            warmup=1.0,
            rounds=1,
            p1_size=20_000,
            p2_small=2_000,
            p2_large=20_000,
            p5_large=20_000,
            p2_page=10,
            p3_size=20_000,
            samples=40,
            p3_samples=20,
            rotate_pages=20,
        )


# ---------------------------------------------------------------------------------------------
# One row of the table


@dataclass
class Row:
    """One measurement, its baseline and the ratio against the target (QUALITY.md)."""

    id: str
    what: str
    value: float | None
    unit: str
    baseline: float | None = None
    baseline_label: str = ""
    ratio: float | None = None
    target: str = ""
    met: bool | None = None
    note: str = ""
    detail: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def at_least(
    value: float | None, baseline: float | None, factor: float
) -> tuple[float | None, bool | None]:
    if value is None or not baseline:
        return None, None
    ratio = value / baseline
    return ratio, ratio >= factor


def at_most(
    value: float | None, baseline: float | None, factor: float
) -> tuple[float | None, bool | None]:
    if value is None or not baseline:
        return None, None
    ratio = value / baseline
    return ratio, ratio <= factor


# ---------------------------------------------------------------------------------------------
# Processes


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def oversight_command() -> list[str]:
    script = BIN / "oversight"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-c", "from api.cli import main; main()"]


def product_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OVERSIGHT_")}
    if "OVERSIGHT_NODE_MODULES" in os.environ:
        env["OVERSIGHT_NODE_MODULES"] = os.environ["OVERSIGHT_NODE_MODULES"]
    env.update(
        OVERSIGHT_DATABASE_URL=database_url,
        OVERSIGHT_ENV="development",
        OVERSIGHT_LOG_FORMAT="json",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def cli(database_url: str, *args: str, stdin: str | None = None, timeout: float = 3600) -> str:
    """`oversight ARGS` on one database; standard output, or BenchError with both streams."""
    done = subprocess.run(
        [*oversight_command(), *args],
        cwd=ROOT,
        env=product_env(database_url),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        raise BenchError(
            f"`oversight {' '.join(args)}` exited {done.returncode}:\n"
            f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
        )
    return done.stdout


@dataclass
class Server:
    """A process listening on a free port, in its own process group so a kill reaches only it."""

    name: str
    command: list[str]
    env: dict[str, str]
    log_path: Path
    health_path: str = "/"
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def start(self) -> Server:
        command = [part.replace("{port}", str(self.port)) for part in self.command]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        deadline = time.monotonic() + START_TIMEOUT
        with httpx.Client(timeout=5.0, trust_env=False) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise BenchError(
                        f"{self.name} exited with {self.process.returncode} at start:\n"
                        f"{self.log_tail()}"
                    )
                with contextlib.suppress(httpx.TransportError):
                    client.get(self.base_url + self.health_path)
                    return self
                time.sleep(0.1)
        self.stop()
        raise BenchError(f"{self.name} did not answer in {START_TIMEOUT:.0f}s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=15)
        self.process = None

    def log_tail(self, lines: int = 30) -> str:
        if not self.log_path.exists():
            return "(no log)"
        text = self.log_path.read_text(errors="replace").splitlines()
        return "\n".join(text[-lines:]) + f"\n(log: {self.log_path})"


class Servers:
    """Every server started in one benchmark; all are stopped on the way out, whatever happens."""

    def __init__(self) -> None:
        self.started: list[Server] = []

    def __enter__(self) -> Servers:
        return self

    def __exit__(self, *exc: object) -> None:
        for server in reversed(self.started):
            server.stop()
        self.started.clear()

    def start(self, server: Server) -> Server:
        self.started.append(server)
        return server.start()

    def stop(self, server: Server) -> None:
        server.stop()
        if server in self.started:
            self.started.remove(server)


def oversight_server(
    database_url: str, workdir: Path, name: str = "oversight", **env: str
) -> Server:
    return Server(
        name=name,
        command=[
            *oversight_command(),
            "serve",
            "--host",
            HOST,
            "--port",
            "{port}",
            "--workers",
            "1",
        ],
        env=product_env(database_url, **env),
        log_path=workdir / f"{name}.log",
        health_path="/healthz",
    )


def uvicorn_server(module: str, workdir: Path, name: str, **env: str) -> Server:
    return Server(
        name=name,
        command=[
            sys.executable,
            "-m",
            "uvicorn",
            f"bench.{module}:app",
            "--host",
            HOST,
            "--port",
            "{port}",
            "--workers",
            "1",
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1", **env},
        log_path=workdir / f"{name}.log",
    )


def datasette_server(sqlite_file: Path, workdir: Path) -> Server:
    datasette = ensure_datasette()
    return Server(
        name="datasette",
        command=[
            str(datasette),
            "serve",
            str(sqlite_file),
            "--host",
            HOST,
            "--port",
            "{port}",
            "--setting",
            "suggest_facets",
            "off",
        ],
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        log_path=workdir / "datasette.log",
        health_path="/-/versions.json",
    )


# ---------------------------------------------------------------------------------------------
# Tools installed on first use (never into the product's venv)


def _apt_install(package: str) -> None:
    say(f"`{package}` is missing: installing it with `apt-get install -y {package}` (Debian)")
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "apt-get"]
    done = subprocess.run([*apt, "install", "-y", package], capture_output=True, text=True)
    if done.returncode != 0:
        subprocess.run([*apt, "update"], capture_output=True, text=True, check=False)
        done = subprocess.run([*apt, "install", "-y", package], capture_output=True, text=True)
    if done.returncode != 0:
        raise BenchError(f"apt-get install {package} failed:\n{done.stderr[-2000:]}")


def ensure_wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        _apt_install("wrk")
        found = shutil.which("wrk")
    if found is None:
        raise BenchError("wrk is not on PATH even after apt-get install wrk")
    return found


def _venv_tool(venv: Path, package: str, version: str, tool: str) -> Path:
    exe = venv / "bin" / tool
    marker = venv / f".{package}-{version}"
    if exe.exists() and marker.exists():
        return exe
    say(f"installing {package}=={version} from PyPI into {venv.relative_to(ROOT)} (once)")
    if not (venv / "bin" / "python").exists():
        base = getattr(sys, "_base_executable", sys.executable)
        subprocess.run([base, "-m", "venv", str(venv)], check=True)
    done = subprocess.run(
        [
            str(venv / "bin" / "python"),
            "-m",
            "pip",
            "install",
            "-q",
            "--disable-pip-version-check",
            f"{package}=={version}",
        ],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or not exe.exists():
        raise BenchError(f"pip install {package}=={version} failed:\n{done.stderr[-2000:]}")
    marker.touch()
    return exe


def ensure_datasette() -> Path:
    return _venv_tool(DATASETTE_VENV, "datasette", DATASETTE_VERSION, "datasette")


def ensure_pyspy() -> Path:
    return _venv_tool(PYSPY_VENV, "py-spy", PYSPY_VERSION, "py-spy")
