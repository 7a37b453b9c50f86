"""Browser suite: a real `oversight serve` on a free port, driven by Debian's Chromium.

Playwright for Python launches /usr/bin/chromium (never a downloaded browser). Without it the
suite is skipped, except in CI (CI=true), where a missing browser is a failure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from domain.demo import DEMO_PASSWORD
from tests.live_server import free_port, oversight_command

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PROJECT_ROOT = Path(__file__).resolve().parents[2]
AXE = PROJECT_ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = PROJECT_ROOT / "test-artifacts" / "browser"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# The WCAG rules and axe-core's best practices (landmarks, regions, heading order…).
AXE_TAGS_WITH_BEST_PRACTICE = [*AXE_TAGS, "best-practice"]
IN_CI = os.environ.get("CI", "").lower() == "true"


def _missing() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (apt-get install chromium)"
    if not AXE.exists():
        return f"{AXE} is missing (npm ci)"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Skip every browser test when Chromium is not installed, except in CI (CI=true)."""
    reason = _missing()
    if reason is None or IN_CI:
        return  # in CI the `browser` fixture fails loudly instead
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.skip(reason=f"browser suite skipped: {reason}"))


# ---------------------------------------------------------------------------------------------
# The app under test


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate and seed a temporary SQLite database, serve it, yield the base URL."""
    workdir = tmp_path_factory.mktemp("browser")
    env = {
        **os.environ,
        "OVERSIGHT_DATABASE_URL": f"sqlite:///{workdir / 'oversight.db'}",
        "OVERSIGHT_ENV": "development",
    }
    env.pop("OVERSIGHT_SECRET_KEY", None)
    for command in ("migrate", "seed-demo"):
        done = subprocess.run(
            [*oversight_command(), command],
            env=env,
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == 0, f"oversight {command} failed:\n{done.stdout}{done.stderr}"

    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    log = (workdir / "server.log").open("w")
    server = subprocess.Popen(
        [*oversight_command(), "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        cwd=PROJECT_ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            if server.poll() is not None:
                raise RuntimeError(
                    f"oversight serve exited with {server.returncode}:\n"
                    + (workdir / "server.log").read_text()
                )
            try:
                with urllib.request.urlopen(f"{base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(
                    "oversight serve did not answer /healthz within 30 s:\n"
                    + (workdir / "server.log").read_text()
                )
            time.sleep(0.1)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()


# ---------------------------------------------------------------------------------------------
# The browser


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    reason = _missing()
    if reason is not None:
        pytest.fail(f"CI=true but {reason}: the browser suite must run in CI", pytrace=False)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser: Any, live_server: str) -> Iterator[Any]:
    # bypass_csp: axe-core is injected as a <script> from disk, which the app's strict
    # `script-src 'self'` would block. The CSP itself is exercised by test_no_foreign_requests,
    # which uses a context without this flag.
    ctx = browser.new_context(base_url=live_server, bypass_csp=True)
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    return context.new_page()


# ---------------------------------------------------------------------------------------------
# Helpers used by the tests


def sign_in(page: Any, email: str, password: str = DEMO_PASSWORD) -> None:
    page.goto("/sign-in")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()


def slug_for(path: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
    return slug or "home"


def screenshot(page: Any, role: str, slug: str) -> Path:
    folder = ARTIFACTS / role
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"{slug}.png"
    page.screenshot(path=str(target), full_page=True)
    return target


def axe_violations(page: Any, tags: list[str] = AXE_TAGS) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA unless `tags` says otherwise) on the current
    page; return its violations."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        tags,
    )
    return list(result["violations"])


def format_violations(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}")
    return "\n".join(lines)


def check_page(page: Any, role: str, slug: str) -> None:
    """Save a full-page screenshot, then fail with a readable list if axe finds anything."""
    screenshot(page, role, slug)
    violations = axe_violations(page)
    assert not violations, (
        f"axe-core found {len(violations)} WCAG violation(s) on {page.url} ({role}):\n"
        + format_violations(violations)
    )


@pytest.fixture(scope="session", autouse=True)
def _clean_artifacts() -> None:
    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS, ignore_errors=True)


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def javascript(request: pytest.FixtureRequest) -> bool:
    return bool(request.param)


@pytest.fixture
def check(browser: Any, live_server: str, javascript: bool) -> Iterator[Any]:
    """check(page, role, slug): a screenshot, then axe-core on the page as the person sees it.

    axe-core cannot run where JavaScript is off, so the JavaScript-off page's DOM (scripts
    removed, so nothing changes it) is copied into a page of a JavaScript-on context with the
    same stylesheets, and axe-core checks it there."""
    if javascript:
        yield check_page
        return
    context = browser.new_context(bypass_csp=True)
    context.set_default_timeout(10_000)
    twin = context.new_page()
    copy_url = f"{live_server}/axe-copy-of-the-page"

    def run(page: Any, role: str, slug: str) -> None:
        screenshot(page, role, slug)
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
        # Served from the app's own origin (intercepted, never reaching the server), so its
        # stylesheets load exactly as they did for the person.
        twin.route(copy_url, lambda route: route.fulfill(body=html, content_type="text/html"))
        twin.goto(copy_url)
        twin.unroute(copy_url)
        assert twin.locator("h1").count() == 1
        violations = axe_violations(twin)
        assert not violations, (
            f"axe-core found {len(violations)} WCAG violation(s) on {page.url} ({role}, "
            "JavaScript off):\n" + format_violations(violations)
        )

    try:
        yield run
    finally:
        context.close()


# The demo sign-ins the journeys act as.
STAFF = "staff@oversight.example"
LIAISON = "liaison@oversight.example"
MARK = "window.__stillThisPage"


@pytest.fixture
def open_as(browser: Any, live_server: str, javascript: bool) -> Iterator[Any]:
    """open_as(email) → a page signed in as that person in a browser context of its own."""
    contexts: list[Any] = []

    def build(email: str) -> Any:
        # bypass_csp only so axe-core can be injected; test_journeys checks the CSP itself.
        context = browser.new_context(
            base_url=live_server, bypass_csp=True, java_script_enabled=javascript
        )
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        sign_in(page, email)
        assert urlsplit(page.url).path == "/", f"{email} did not reach Home"
        return page

    yield build
    for context in contexts:
        context.close()


def mark_page(page: Any, javascript: bool) -> None:
    """With JavaScript, set a marker that survives an htmx swap but not a page load."""
    if javascript:
        page.evaluate(f"{MARK} = true")


def assert_swapped_in_place(page: Any, javascript: bool) -> None:
    if javascript:
        assert page.evaluate(f"{MARK} === true"), "htmx did not swap in place: the page reloaded"
