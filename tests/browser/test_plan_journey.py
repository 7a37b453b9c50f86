"""The Plan journey in Chromium (issue 5's "Done when"): OPCC staff open the demo plan and an
objective, rate it Amber without next steps and see the error, then with next steps and an
expected date succeed; they publish the period through its confirmation step, and the public
feed (no sign-in) shows the rating with its reason. axe-core checks every page visited. It
runs with JavaScript (htmx swaps the objective's block in place) and without (POST-redirect-
GET).

The live server is shared by the whole browser session, so each run owns its objective and
its period: with JavaScript, objective 5.4 in the demo's open period 2020-21 Q3; without,
objective 4.3 in 2020-21 Q4, which the run adds on the periods page if it is not there yet.
Both objectives have never been rated in the demo, and no other test rates them."""

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
            page.fill("#code", period)
            page.get_by_role("button", name="Add period").click()
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

    # --- Amber without next steps or an expected date: refused, input kept ---------------
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
    page.fill("#rationale", rationale)
    page.get_by_label("Planned (plans in place, not yet implemented)").check()
    page.get_by_role("button", name="Save assessment").click()
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "There is a problem" in summary.inner_text()
    assert "Say what happens next: amber needs next steps" in summary.inner_text()
    assert page.locator("#rationale").input_value() == rationale
    assert page.get_by_label("Amber", exact=True).is_checked()
    if javascript:
        assert page.evaluate(f"{MARK} === true"), "htmx did not swap in place: the page reloaded"
    check(page, role, "objective-error")

    # --- Next steps and an expected date: saved -------------------------------------------
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
    check(page, role, "publish-confirm")
    page.get_by_role("button", name=f"Publish {label}").click()
    page.wait_for_url("**/periods")
    assert f"{label} has been published" in page.locator(".govuk-notification-banner").inner_text()
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
