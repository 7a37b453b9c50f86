"""Issue 8, defect 1: a burst of failed sign-ins must not stop the service. A real server
(real argon2 cost), 50 parallel wrong-password POSTs, and /healthz probed all along.

The prober is a process of its own, as a load balancer is: as a thread it shared the test
process's GIL with the 50 client threads, and its figures then held their waits too.

Fifty unknown addresses, so every attempt is a real-cost argon2 check (an account's
own limit would refuse all but a few before checking). The budget is what a load balancer
gives a health check (two seconds is the shortest timeout AWS's allows): timings on a
shared two-core CI machine vary, so the mechanism (checks off the event loop, a few at a
time) is counted exactly in tests/web/test_sign_in_page.py."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing.synchronize import Event

import httpx
import pytest

from tests.live_server import LiveServer

ATTEMPTS = 50
HEALTH_CHECK_TIMEOUT = 2.0

pytestmark = pytest.mark.serial


def _csrf(client: httpx.Client, base: str) -> str:
    page = client.get(f"{base}/sign-in")
    return page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _probe(base: str, started: Event, done: Event, results: multiprocessing.Queue) -> None:
    """Runs in a child process: GET /healthz every 50 ms until told to stop."""
    probes: list[tuple[float, int]] = []
    with httpx.Client(timeout=30) as client:
        started.set()
        while not done.is_set():
            began = time.perf_counter()
            try:
                status = client.get(f"{base}/healthz").status_code
            except httpx.TransportError:
                status = 0
            probes.append((time.perf_counter() - began, status))
            time.sleep(0.05)
    results.put(probes)


def test_fifty_parallel_failed_sign_ins_leave_healthz_answering(database_url, tmp_path):
    every_attempt_checked = {"OVERSIGHT_SIGN_IN_LIMIT_PER_IP": str(ATTEMPTS)}
    server = LiveServer(database_url=database_url, workdir=tmp_path, settings=every_attempt_checked)
    server.start()
    base = server.base_url
    spawn = multiprocessing.get_context("spawn")
    started, done, results = spawn.Event(), spawn.Event(), spawn.Queue()
    prober = spawn.Process(target=_probe, args=(base, started, done, results))
    try:

        def attempt(i: int) -> int:
            with httpx.Client(timeout=120) as client:
                token = _csrf(client, base)
                response = client.post(
                    f"{base}/sign-in",
                    data={
                        "email": f"nobody{i}@example.org",
                        "password": "a guess",
                        "csrf_token": token,
                    },
                )
                return response.status_code

        prober.start()
        assert started.wait(timeout=60), "the prober never started"
        try:
            with ThreadPoolExecutor(max_workers=ATTEMPTS) as pool:
                statuses = list(pool.map(attempt, range(ATTEMPTS)))
        finally:
            done.set()
            probes: list[tuple[float, int]] = results.get(timeout=60)
            prober.join(timeout=60)
    finally:
        if prober.is_alive():
            prober.kill()
        server.stop()

    assert statuses == [401] * ATTEMPTS, statuses
    assert probes, "the probe never ran"
    slowest = max(seconds for seconds, _ in probes)
    assert all(status == 200 for _, status in probes), probes
    assert slowest < HEALTH_CHECK_TIMEOUT, (
        f"/healthz took {slowest:.2f} s during the burst (budget {HEALTH_CHECK_TIMEOUT} s)"
    )
