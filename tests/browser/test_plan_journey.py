"""The Plan journey in Chromium (issue 5's "Done when", issue 12's "every role on any
screen"): OPCC staff open the demo plan and an objective; choosing Amber or Red reveals next
steps and the expected date (always shown without JavaScript); a first submit with several
faults lists every one of them at once, a second succeeds; they publish the period through a
confirmation that names what is not yet rated, are offered the next period in one click, and
the public feed (no sign-in) shows the rating with its reason. axe-core checks every page
visited. It runs with JavaScript (htmx swaps the objective's block in place) and without
(POST-redirect-GET). At 320 CSS pixels wide no Plan page scrolls sideways.

The live server is shared by the whole browser session, so each run owns its objective and
its period: with JavaScript, objective 5.4 in the demo's open period 2020-21 Q3; without,
objective 4.3 in 2020-21 Q4, which either run adds with the "Add the next period" button if it
is not there yet. Both objectives have never been rated in the demo, and no other test rates
them."""

from __future__ import annotations

import json
import re
import urllib.request
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest

from domain.plan.demo import PLAN_TITLE
from tests.browser.conftest import sign_in as sign_in_page
from tests.browser.conftest import slug_for

pytestmark = pytest.mark.browser

STAFF = "staff@oversight.example"
MARK = "window.__stillThisPage"
RUNS = {
    # javascript on → (objective code, period code, period label)
    True: ("5.4", "2020-21-Q3", "2020-21 Q3"),
    False: ("4.3", "2020-21-Q4", "2020-21 Q4"),
}


@pytest.fixture
def staff(browser: Any, live_server: str, javascript: bool) -> Iterator[Any]:
    # bypass_csp only so axe-core can be injected; test_journeys checks the CSP itself.
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, java_script_enabled=javascript
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in_page(page, STAFF)
    assert urlsplit(page.url).path == "/", "staff did not reach Home"
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def narrow_staff(browser: Any, live_server: str, javascript: bool) -> Iterator[Any]:
    """Staff on a 320 CSS pixel wide screen (a phone, or 400% zoom on a laptop)."""
    context = browser.new_context(
        base_url=live_server,
        bypass_csp=True,
        java_script_enabled=javascript,
        viewport={"width": 320, "height": 800},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in_page(page, STAFF)
    try:
        yield page
    finally:
        context.close()


def sideways(page: Any) -> list[str]:
    """What makes the page scroll sideways: empty when nothing does. Content inside a
    scrolling region (`.oversight-table-scroll`) may be wider; the region itself may not."""
    return list(
        page.evaluate(
            """() => {
              const width = document.documentElement.clientWidth
              if (document.documentElement.scrollWidth <= width) return []
              return [...document.body.querySelectorAll('*')]
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .filter((el) => !el.parentElement.closest('.oversight-table-scroll'))
                .slice(0, 8)
                .map((el) => `${el.tagName.toLowerCase()}.${el.className} ` +
                  `(${Math.round(el.getBoundingClientRect().right)}px)`)
            }"""
        )
    )


def test_no_plan_page_scrolls_sideways_at_320_pixels(
    narrow_staff: Any, check: Any, javascript: bool
) -> None:
    page = narrow_staff
    role = f"staff-320-{'js' if javascript else 'no-js'}"
    page.goto("/plans")
    page.get_by_role("link", name=PLAN_TITLE).click()
    page.wait_for_url(re.compile(r".*/plans/\d+$"))
    plan_path = urlsplit(page.url).path
    page.get_by_role("link", name=re.compile(r"^1\.1 ")).click()
    page.wait_for_url(re.compile(r".*/objectives/\d+$"))
    objective_path = urlsplit(page.url).path
    paths = [
        "/plans",
        plan_path,
        f"{plan_path}/changes",
        f"{plan_path}/not-assessed",
        objective_path,
        "/periods",
        "/periods/2020-21-Q3/publish",
    ]
    for path in paths:
        page.goto(path)
        wide = sideways(page)
        assert not wide, f"{path} scrolls sideways at 320 px: {wide}"
        check(page, role, slug_for(path))
    # The wide counts table scrolls inside its own region, which a keyboard can reach.
    page.goto(plan_path)
    region = page.get_by_role("region", name=re.compile("Number of objectives by rating"))
    assert region.get_attribute("tabindex") == "0"
    # The rating form with every error showing fits too (nothing is saved).
    page.goto(objective_path)
    page.get_by_role("button", name="Save assessment").click()
    page.locator(".govuk-error-summary").wait_for()
    wide = sideways(page)
    assert not wide, f"the rating form with errors scrolls sideways at 320 px: {wide}"
    check(page, role, "objective-errors")


def public_plan(live_server: str) -> list[dict[str, Any]]:
    """The public feed as anyone would fetch it: no cookie, no token."""
    with urllib.request.urlopen(f"{live_server}/api/v1/public/plan?limit=500") as response:
        assert response.status == 200
        return list(json.load(response)["items"])


def test_staff_rate_amber_publish_and_the_public_feed_shows_the_reason(
    staff: Any, check: Any, javascript: bool, live_server: str
) -> None:
    mode = "js" if javascript else "no-js"
    role = f"staff-{mode}"
    code, period, label = RUNS[javascript]
    rationale = (
        f"Plans are agreed but the new system's go-live moved to spring after supplier "
        f"delays (journey {mode} {uuid.uuid4().hex[:8]})."
    )
    page = staff

    # --- Home shows the RAG summary; the Plan page opens the demo plan ----------------------
    assert page.get_by_role("heading", name="RAG summary").count() == 1
    check(page, role, "plan-home")
    page.get_by_role("link", name="Plan", exact=True).click()
    page.wait_for_url("**/plans")
    check(page, role, "plans")
    page.get_by_role("link", name=PLAN_TITLE).click()
    page.wait_for_url(re.compile(r".*/plans/\d+$"))
    assert page.locator("h1").inner_text() == PLAN_TITLE
    assert page.locator("svg.oversight-chart title").count() == 1
    assert page.get_by_role("img", name=re.compile("Ratings by theme")).count() == 1
    check(page, role, "plan-overview")
    plan_path = urlsplit(page.url).path

    if not javascript:
        # --- This run rates a period of its own: add it unless it is there already -------
        page.goto("/periods")
        if page.get_by_role("rowheader", name=label, exact=True).count() == 0:
            page.get_by_role("button", name=f"Add the next period ({label})").click()
            page.wait_for_url("**/periods")
            assert (
                f"{label} has been added" in page.locator(".govuk-notification-banner").inner_text()
            )
            check(page, role, "periods-added")
        page.goto(plan_path)

    # --- Open the objective ----------------------------------------------------------------
    page.get_by_role("link", name=re.compile(rf"^{re.escape(code)} ")).click()
    page.wait_for_url(re.compile(r".*/objectives/\d+$"))
    objective_path = urlsplit(page.url).path
    assert (
        page.locator("h1")
        .inner_text()
        .endswith(
            "Replace the command and control system on time and on budget"
            if code == "5.4"
            else "Train all frontline officers in recognising exploitation"
        )
    )
    check(page, role, "objective")

    # --- Next steps and the expected date: revealed under Amber and Red ------------------
    next_steps, day = page.locator("#next_steps"), page.locator("#expected_date")
    if javascript:
        assert not next_steps.is_visible() and not day.is_visible()
        for choice, shown in (
            ("Amber", True),
            ("Green", False),
            ("Red", True),
            ("Complete (blue)", False),
        ):
            page.get_by_label(choice, exact=True).check()
            assert next_steps.is_visible() is shown and day.is_visible() is shown, choice
        red = page.get_by_label("Red", exact=True)
        assert red.get_attribute("aria-controls") == "rating-conditional"
    else:
        assert next_steps.is_visible() and day.is_visible()

    # --- Several faults at once: every one listed after a single submit, input kept -------
    if javascript:
        page.evaluate(f"{MARK} = true")
        # Choosing a published period brings in the correction reason (htmx asks the server).
        page.select_option("#period", "2020-21-Q2")
        page.locator("#correction_reason").wait_for()
        page.select_option("#period", period)
        page.locator("#correction_reason").wait_for(state="detached")
    else:
        page.select_option("#period", period)
        assert page.locator("#correction_reason").count() == 0
    page.get_by_label("Amber", exact=True).check()
    page.fill("#rationale", "tbc")
    page.fill("#expected_date", "31")
    page.fill("#expected_date-month", "13")
    page.fill("#expected_date-year", "2021")
    page.get_by_role("button", name="Save assessment").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert summary.locator("a").all_inner_texts() == [
        "Enter the next steps for an Amber rating",
        "Expected date must be a real date",
        "Give the actual reason for this rating, not a placeholder such as n/a, tbc or see above",
        "Select the delivery stage",
    ]
    assert [a.get_attribute("href") for a in summary.locator("a").all()] == [
        "#next_steps",
        "#expected_date",
        "#rationale",
        "#delivery_stage",
    ]
    assert page.locator("#rationale").input_value() == "tbc"
    assert page.locator("#expected_date-month").input_value() == "13"
    assert page.get_by_label("Amber", exact=True).is_checked()
    assert next_steps.is_visible(), "the reveal stays open under Amber after the errors"
    if javascript:
        assert page.evaluate(f"{MARK} === true"), "htmx did not swap in place: the page reloaded"
    # A summary link takes the keyboard to its field.
    summary.get_by_role("link", name="Enter the next steps for an Amber rating").click()
    assert page.evaluate("document.activeElement.id") == "next_steps"
    check(page, role, "objective-error")

    # --- Everything put right in one go: saved --------------------------------------------
    page.fill("#rationale", rationale)
    page.get_by_label("Planned (plans in place, not yet implemented)").check()
    page.fill("#next_steps", "The Force will confirm the go-live date at the next board.")
    page.fill("#expected_date", "31")
    page.fill("#expected_date-month", "3")
    page.fill("#expected_date-year", "2021")
    page.get_by_role("button", name="Save assessment").click()
    banner = page.locator(".govuk-notification-banner--success")
    banner.wait_for()
    assert f"Amber rating for {label} saved" in banner.inner_text()
    assert page.locator(".govuk-error-summary").count() == 0
    first = page.locator(".moj-timeline__item").first
    assert f"{label}:" in first.locator(".moj-timeline__title").inner_text()
    assert "Amber" in first.locator(".moj-timeline__title").inner_text()
    assert rationale in first.inner_text()
    if javascript:
        assert page.evaluate(f"{MARK} === true"), "htmx did not swap in place: the page reloaded"
    else:
        assert urlsplit(page.url).path == objective_path
    check(page, role, "objective-saved")

    # --- Publish the period through its confirmation step --------------------------------
    page.get_by_role("link", name="Periods", exact=True).click()
    page.wait_for_url("**/periods")
    check(page, role, "periods")
    page.get_by_role("link", name=f"Publish {label}").click()
    page.wait_for_url(f"**/periods/{period}/publish")
    assert page.locator("h1").inner_text() == f"Are you sure you want to publish {label}?"
    # It names what is not yet rated, each with a link to its rating form; ours is not there.
    unrated = page.locator(".oversight-plan-unrated")
    assert "not yet rated for" in unrated.locator("h2").inner_text()
    links = unrated.get_by_role("link")
    assert links.count() >= 1
    assert all(
        f"?period={period}#new-assessment" in (href or "")
        for href in (a.get_attribute("href") for a in links.all())
    )
    assert unrated.get_by_role("link", name=re.compile(rf"^{re.escape(code)} ")).count() == 0
    check(page, role, "publish-confirm")
    page.get_by_role("button", name=f"Publish {label}").click()
    page.wait_for_url(f"**/periods/{period}/publish")
    assert f"{label} has been published" in page.locator(".govuk-notification-banner").inner_text()
    assert page.locator("h1").inner_text() == f"{label} is published"
    check(page, role, "period-published")
    following = "2020-21 Q4" if period == "2020-21-Q3" else "2021-22 Q1"
    offer = page.get_by_role("button", name=f"Add the next period ({following})")
    if javascript and offer.count():
        # The no-JavaScript run rates 2020-21 Q4: one click adds it, as a POST with CSRF.
        offer.click()
        page.wait_for_url("**/periods")
        banner = page.locator(".govuk-notification-banner").inner_text()
        assert f"{following} has been added" in banner
    page.goto("/periods")
    row = page.get_by_role("row").filter(has=page.get_by_role("rowheader", name=label, exact=True))
    assert "Published" in row.inner_text()
    check(page, role, "periods-published")

    # --- The public feed shows the rating with its reason ----------------------------------
    shown = [item for item in public_plan(live_server) if item["code"] == code]
    assert len(shown) == 1, shown
    assert shown[0]["rating"] == "amber" and shown[0]["rating_label"] == "Amber"
    assert shown[0]["rationale"] == rationale
    assert shown[0]["period"] == period
    assert shown[0]["direction"] == "new"
