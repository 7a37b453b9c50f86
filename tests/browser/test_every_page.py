"""Every page of every role's journey, on the smallest screen (issue 12, WCAG 2.2 AA).

For each demo role, 320 CSS px wide, every page in its navigation, the pages of those
sections (exception reports, escalations, monitoring, coverage, topics, parish surgeries, the
calendar, "you said, we did", the KPIs), the first record each list leads to (a meeting, an
exception report, an escalation, an engagement, a complaint review, an action, a plan and
one of its objectives), the page-not-found page and the refusal page must (and so must the
sign-in page, the public "you said, we did" and page-not-found before signing in):

(a) not scroll sideways: the page is no wider than the window (WCAG 1.4.10 reflow);
(b) pass axe-core, best practices included (landmarks, regions, heading order…);
(c) keep the console clean and every request successful, with the app's own
    Content-Security-Policy in force, so that a CSP violation shows as a console error.

The same holds after the htmx swaps of the lists and the calendar. axe-core runs in the
same page, under the CSP: it is served from the app's origin by a route of the browser
context. A role's problems are all listed in one failure, page by page. Screenshots at 375 px
of the actions list, the plan overview and the Force inbox go to test-artifacts/browser/375/
(and any page that scrolls sideways is saved under test-artifacts/browser/320/<role>/).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from domain.demo import DEMO_USERS
from tests.browser.conftest import (
    AXE,
    AXE_TAGS_WITH_BEST_PRACTICE,
    axe_violations,
    screenshot,
    sign_in,
    slug_for,
)

pytestmark = pytest.mark.browser

SMALLEST = {"width": 320, "height": 720}
PHONE = {"width": 375, "height": 812}
AXE_URL = "/axe-core-for-the-test.js"
MARK = "window.__stillThisPage"  # survives an htmx swap, not a page load
SETTLE_MS = 150  # htmx settles a swap after 20 ms; its afterSettle handlers run then
# (a page, its htmx control): the filters and the calendar's months swap the results in place.
SWAPS = [
    ("/board-meetings", "form[hx-get] button[type=submit]"),
    ("/engagements", "form[hx-get] button[type=submit]"),
    ("/engagements?view=calendar&month=2024-02", "a[rel=next][hx-get]"),
    ("/complaint-reviews", "form[hx-get] button[type=submit]"),
    ("/complaint-reviews/kpis", "form[hx-get] button[type=submit]"),
    ("/actions", "th a[hx-get]"),  # a sort: below tablet width the filter panel is folded away
]
MISSING = "/this-page-does-not-exist"
FORBIDDEN = "/admin/users"  # the refusal page, for everyone but an administrator
# The pages of a section, visited when the role's navigation has the section.
SECTION_PAGES = {
    "/board-meetings": ["/exception-reports", "/escalations", "/monitoring-items"],
    "/engagements": [
        "/engagements/coverage",
        "/engagements/topics",
        "/engagements/parish-surgeries",
        "/engagements?view=calendar&month=2024-02",
        "/you-said-we-did",
    ],
    "/complaint-reviews": ["/complaint-reviews/kpis"],
}
# (a page, the first link on it to follow): the records the lists lead to.
FOLLOW = [
    (r"/board-meetings", r"/board-meetings/\d+"),
    (r"/exception-reports", r"/exception-reports/\d+"),
    (r"/escalations", r"/escalations/\d+"),
    (r"/engagements", r"/engagements/\d+"),
    (r"/complaint-reviews", r"/complaint-reviews/\d+"),
    (r"/actions", r"/actions/\d+"),
    (r"/plans", r"/plans/\d+"),
    (r"/plans/\d+", r"/objectives/\d+"),
]
# The elements that stick out of the window although their parent does not: the causes.
CAUSES_OF_WIDTH = """() => {
  const limit = window.innerWidth + 0.5
  const name = (e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') +
    [...e.classList].map((c) => '.' + c).join('')
  return [...document.body.querySelectorAll('*')]
    .filter((e) => e.getBoundingClientRect().right > limit &&
      e.parentElement.getBoundingClientRect().right <= limit)
    .slice(0, 5)
    .map((e) => `${name(e)} reaches ${Math.round(e.getBoundingClientRect().right)} px`)
}"""


class Listener:
    """Console errors, uncaught exceptions, failed requests and answers of 400 or more."""

    def __init__(self, page: Any) -> None:
        self.problems: list[str] = []
        self.expected_failure: str | None = None  # the URL of a page meant to answer 4xx
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"uncaught error: {error}"))
        page.on("requestfailed", self._failed)
        page.on("response", self._response)

    def _console(self, message: Any) -> None:
        if message.type != "error":
            return
        if message.location.get("url") == self.expected_failure:
            return  # Chromium logs the page's own 404 as a failed resource
        self.problems.append(f"console error: {message.text}")

    def _failed(self, request: Any) -> None:
        if request.failure != "net::ERR_ABORTED":  # a request cut short by leaving the page
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response: Any) -> None:
        if response.status >= 400 and response.url != self.expected_failure:
            self.problems.append(f"{response.status} for {response.url}")


class Sweep:
    """One role's walk through the pages, with the app's Content-Security-Policy in force.

    axe-core is served from the app's own origin (a route of the browser context answers
    AXE_URL from node_modules; the request never reaches the server), so `script-src 'self'`
    admits it and the page need not be loaded twice."""

    def __init__(self, browser: Any, live_server: str, email: str | None, role: str) -> None:
        self.role = role
        self.base_url = live_server
        self.context = browser.new_context(base_url=live_server, viewport=SMALLEST)
        self.context.set_default_timeout(10_000)
        self.context.route(
            f"{live_server}{AXE_URL}",
            lambda route: route.fulfill(path=str(AXE), content_type="text/javascript"),
        )
        self.page = self.context.new_page()
        self.listener = Listener(self.page)
        if email is not None:
            sign_in(self.page, email)
            assert urlsplit(self.page.url).path == "/", f"{email} did not reach Home"
        self.problems: list[str] = []

    def close(self) -> None:
        self.context.close()

    def hrefs(self, selector: str) -> list[str]:
        return [
            str(href)
            for href in self.page.eval_on_selector_all(
                selector, "links => links.map(a => a.getAttribute('href'))"
            )
        ]

    def navigation(self) -> list[str]:
        return self.hrefs(".govuk-service-navigation__list a")

    def visit(self, path: str, *, status: int = 200) -> bool:
        """Check one page; True when it answered as expected."""
        self.listener.problems.clear()
        self.listener.expected_failure = self.base_url + path if status != 200 else None
        response = self.page.goto(path)
        found = []
        if response is None or response.status != status:
            found.append(f"answered {response.status if response else 'nothing'}, not {status}")
        self.inspect(path, found)
        return response is not None and response.status == status

    def swap(self, path: str, control: str) -> None:
        """Use the page's first htmx `control` and check the page it leaves in place."""
        self.listener.problems.clear()
        self.listener.expected_failure = None
        self.page.goto(path)
        self.page.evaluate(f"{MARK} = true")
        with self.page.expect_response(lambda r: r.request.headers.get("hx-request") == "true"):
            self.page.locator(control).first.click()
        self.page.wait_for_load_state()
        self.page.wait_for_timeout(SETTLE_MS)
        found = [] if self.page.evaluate(f"{MARK} === true") else ["reloaded, not swapped"]
        self.inspect(f"{path} after {control}", found)

    def inspect(self, where: str, found: list[str]) -> None:
        """Width, console and requests, then axe-core: every problem noted under `where`."""
        wide, window = self.page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if wide > window:
            causes = "; ".join(self.page.evaluate(CAUSES_OF_WIDTH))
            found.append(f"scrolls sideways: {wide} px wide in a {window} px window ({causes})")
            screenshot(self.page, f"320/{self.role}", slug_for(where))
        found += self.listener.problems
        before = len(self.listener.problems)
        self.page.add_script_tag(url=AXE_URL)
        for violation in axe_violations(self.page, AXE_TAGS_WITH_BEST_PRACTICE):
            targets = ", ".join(" ".join(node["target"]) for node in violation["nodes"][:3])
            found.append(f"axe {violation['id']} ({violation['impact']}): {targets}")
        found += self.listener.problems[before:]  # anything axe-core itself set off
        self.problems += [f"{where}: {problem}" for problem in found]


def walk(sweep: Sweep) -> list[str]:
    """Every page of the role's journey, in the order a person would find them."""
    navigation = sweep.navigation()
    to_visit = list(navigation)
    for section, pages in SECTION_PAGES.items():
        if section in navigation or f"{section}/kpis" in navigation:
            to_visit += [p for p in pages if p not in to_visit]
    visited: list[str] = []
    while to_visit:
        path = to_visit.pop(0)
        visited.append(path)
        if not sweep.visit(path):
            continue
        for source, target in FOLLOW:
            if not re.fullmatch(source, path):
                continue
            found = next(
                (
                    link
                    for link in sweep.hrefs("main a[href^='/']")
                    if re.fullmatch(target, urlsplit(link).path)
                    and urlsplit(link).path not in visited + to_visit
                ),
                None,
            )
            if found is not None:
                to_visit.append(urlsplit(found).path)
    sweep.visit(MISSING, status=404)
    if FORBIDDEN not in navigation:
        sweep.visit(FORBIDDEN, status=403)
    return visited


@pytest.fixture
def sweep_as(browser: Any, live_server: str) -> Iterator[Any]:
    sweeps: list[Sweep] = []

    def build(email: str | None, role: str) -> Sweep:
        sweeps.append(Sweep(browser, live_server, email, role))
        return sweeps[-1]

    yield build
    for sweep in sweeps:
        sweep.close()


@pytest.mark.parametrize("user", DEMO_USERS, ids=lambda user: user.role.value)
def test_every_page_of_the_role_reflows_passes_axe_and_keeps_the_console_clean(
    sweep_as: Any, user: Any
) -> None:
    sweep = sweep_as(user.email, user.role.value)
    header = sweep.page.locator("header")
    who = header.locator(".oversight-account__who").bounding_box()
    sign_out = header.get_by_role("button", name="Sign out").bounding_box()
    assert user.display_name in header.inner_text()
    assert who is not None and sign_out is not None
    assert (
        who["y"] < sign_out["y"] + sign_out["height"] and sign_out["y"] < who["y"] + who["height"]
    ), f"the name and Sign out are not on one row at 320 px: {who}, {sign_out}"
    visited = walk(sweep)
    assert len(visited) >= len(sweep.navigation()) >= 4, visited
    assert not sweep.problems, (
        f"{len(sweep.problems)} problem(s) for {user.role.value} at 320 px "
        f"({len(visited)} pages visited):\n" + "\n".join(sweep.problems)
    )


def test_htmx_swaps_keep_the_console_clean_and_the_page_accessible(sweep_as: Any) -> None:
    """The Content-Security-Policy allows no inline style: a swap that made htmx or a
    component write one would show here as a console error."""
    sweep = sweep_as("reviewer@oversight.example", "complaints_reviewer")
    for path, control in SWAPS:
        sweep.swap(path, control)
    assert not sweep.problems, "\n".join(sweep.problems)


def test_the_pages_before_signing_in_reflow_pass_axe_and_keep_the_console_clean(
    sweep_as: Any,
) -> None:
    sweep = sweep_as(None, "anonymous")
    sweep.visit("/sign-in")
    sweep.visit("/you-said-we-did")
    sweep.visit(MISSING, status=404)
    assert not sweep.problems, "\n".join(sweep.problems)


def test_screenshots_at_375_px_of_the_actions_the_plan_and_the_force_inbox(
    browser: Any, live_server: str
) -> None:
    context = browser.new_context(base_url=live_server, viewport=PHONE)
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, "staff@oversight.example")
        page.goto("/plans")
        overview = next(
            link
            for link in page.eval_on_selector_all(
                "main a[href^='/plans/']", "links => links.map(a => a.getAttribute('href'))"
            )
            if re.fullmatch(r"/plans/\d+", urlsplit(link).path)
        )
        for path, slug in (
            ("/actions", "actions"),
            (overview, "plan-overview"),
            ("/force-inbox", "force-inbox"),
        ):
            response = page.goto(path)
            assert response is not None and response.status == 200, path
            assert page.locator("h1").count() == 1, path
            assert screenshot(page, "375", slug).stat().st_size > 0
    finally:
        context.close()
