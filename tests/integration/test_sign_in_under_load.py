"""Issue 8, defect 1: a burst of failed sign-ins must not stop the service. A real server
(real argon2 cost), 50 parallel wrong-password POSTs, and /healthz probed all along."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from domain.accounts.rules import Role
from tests.conftest import make_user
from tests.live_server import LiveServer

ATTEMPTS = 50

pytestmark = pytest.mark.serial


def _csrf(client: httpx.Client, base: str) -> str:
    page = client.get(f"{base}/sign-in")
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_fifty_parallel_failed_sign_ins_leave_healthz_answering_within_a_second(
    session, database_url, tmp_path
):
    user = make_user(session, Role.OPCC_STAFF)
    session.commit()
    server = LiveServer(database_url=database_url, workdir=tmp_path)
    server.start()
    base = server.base_url
    try:
        probes: list[tuple[float, int]] = []
        done = threading.Event()

        def probe() -> None:
            with httpx.Client(timeout=30) as client:
                while not done.is_set():
                    started = time.perf_counter()
                    try:
                        status = client.get(f"{base}/healthz").status_code
                    except httpx.TransportError:
                        status = 0
                    probes.append((time.perf_counter() - started, status))
                    time.sleep(0.05)

        def attempt(i: int) -> int:
            with httpx.Client(timeout=120) as client:
                token = _csrf(client, base)
                response = client.post(
                    f"{base}/sign-in",
                    data={"email": user.email, "password": f"wrong {i}", "csrf_token": token},
                )
                return response.status_code

        prober = threading.Thread(target=probe)
        prober.start()
        try:
            with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
                statuses = list(pool.map(attempt, range(ATTEMPTS)))
        finally:
            done.set()
            prober.join(timeout=60)
    finally:
        server.stop()

    assert all(status in (401, 429) for status in statuses), statuses
    assert probes, "the probe never ran"
    slowest = max(seconds for seconds, _ in probes)
    assert all(status == 200 for _, status in probes), probes
    assert slowest < 1.0, f"/healthz took {slowest:.2f} s during the burst"
