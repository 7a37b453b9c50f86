"""The engagement journey in Chromium (issue 10's "Done when"): OPCC staff record a Community
Day with two issues and three actions in one flow (one Force-owned), the force liaison finds
it in the Force inbox and completes it, staff record that the people were told and publish a
"you said, we did" line, it appears on the public feed and page, and disappears when an
administrator sets a pre-election period in force that started on or before that date (then
comes back when the period is deleted). axe-core checks every page visited; with JavaScript
on, its best-practice rules (landmarks, regions) run too. It runs twice: with JavaScript
(htmx adds the debrief's rows in place) and without (the "Add another" buttons reload the
page with everything typed kept)."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from domain import clock
from tests.browser.conftest import (
    AXE,
    LIAISON,
    STAFF,
    assert_swapped_in_place,
    format_violations,
    mark_page,
    sign_in,
)

pytestmark = pytest.mark.browser
ADMIN = "admin@oversight.example"


def fill_date(page: Any, name: str, day: Any) -> None:
    page.fill(f"#{name}", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def best_practice(page: Any, javascript: bool) -> None:
    """axe-core's best-practice rules (landmarks, regions, headings) on top of WCAG."""
    if not javascript:
        return  # the JavaScript-off page is checked against WCAG by `check`
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['best-practice']}})"
    )
    assert not result["violations"], (
        f"axe-core best-practice violations on {page.url}:\n"
        + format_violations(result["violations"])
    )


def test_a_community_day_from_debrief_to_you_said_we_did(
    open_as: Any, check: Any, javascript: bool, browser: Any, live_server: str
) -> None:
    mode = "js" if javascript else "no-js"
    tag = f"{mode} {uuid.uuid4().hex[:6]}"
    today = clock.today()
    due = today + timedelta(days=14)

    def seen(page: Any, who: str, slug: str) -> None:
        check(page, f"{who}-{mode}", slug)
        best_practice(page, javascript)

    # --- OPCC staff record the debrief in one flow -----------------------------------------
    staff = open_as(STAFF)
    staff.get_by_role("link", name="Engagements").first.click()
    staff.wait_for_url("**/engagements")
    assert staff.locator("h1").inner_text() == "Engagements"
    seen(staff, "staff", "engagements")
    staff.get_by_role("button", name="Record a debrief").click()
    staff.wait_for_url("**/engagements/new")
    seen(staff, "staff", "debrief-new")

    staff.get_by_role("button", name="Save debrief").click()
    summary = staff.locator(".govuk-error-summary").inner_text()
    assert "Enter the date" in summary and "Select the area" in summary
    assert staff.title().startswith("Error: ")
    seen(staff, "staff", "debrief-errors")

    fill_date(staff, "held_on", today)
    staff.get_by_label("Community Day").check()
    staff.get_by_label("Police and Crime Commissioner").check()
    staff.select_option("#area", "harborough")
    staff.fill("#ward", f"Market Harborough ({tag})")
    staff.fill("#people_count", "30")
    staff.select_option("#issues-0-topic", "car-cruising")
    staff.fill("#issues-0-description", f"Car cruising on the bypass at night ({tag})")
    staff.fill("#issues-0-people_count", "6")
    force_action = f"Ask the NPA commander about patrols on the bypass ({tag})"
    staff.fill("#issues-0-actions-0-title", force_action)
    staff.select_option("#issues-0-actions-0-owner_org", "force")
    fill_date(staff, "issues-0-actions-0-due_on", due)
    staff.check("#issues-0-actions-0-public")

    mark_page(staff, javascript)
    staff.get_by_role("button", name="Add another action to issue 1").click()
    staff.locator("#issues-0-actions-1-title").wait_for()
    assert_swapped_in_place(staff, javascript)
    assert staff.input_value("#issues-0-actions-0-title") == force_action  # input kept
    staff.fill("#issues-0-actions-1-title", f"Write to the parish council ({tag})")
    staff.select_option("#issues-0-actions-1-owner_org", "opcc")
    fill_date(staff, "issues-0-actions-1-due_on", due)

    staff.get_by_role("button", name="Add another issue").click()
    staff.locator("#issues-1-topic").wait_for()
    assert_swapped_in_place(staff, javascript)
    assert staff.input_value("#issues-0-actions-1-title").startswith("Write to the parish")
    staff.select_option("#issues-1-topic", "speeding")
    staff.fill("#issues-1-description", f"Speeding through the villages ({tag})")
    staff.fill("#issues-1-people_count", "4")
    staff.fill("#issues-1-actions-0-title", f"Ask the CSP about speed watch ({tag})")
    staff.select_option("#issues-1-actions-0-owner_org", "csp")
    fill_date(staff, "issues-1-actions-0-due_on", due)
    seen(staff, "staff", "debrief-filled")

    staff.get_by_role("button", name="Save debrief").click()
    staff.wait_for_url(re.compile(r".*/engagements/\d+$"))
    engagement_path = urlsplit(staff.url).path
    banner = staff.locator(".govuk-notification-banner").inner_text()
    assert "recorded, with 2 issues and 3 actions" in banner
    assert staff.locator("h1").inner_text() == "Community Day in Harborough"
    seen(staff, "staff", "engagement")
    block = staff.locator(".oversight-engagement-action", has_text=force_action)
    ref = block.get_by_role("link").first.inner_text().strip()
    assert re.fullmatch(r"ACT-\d{4}-\d{4}", ref), ref

    # --- The force liaison finds the Force-owned action and completes it -------------------
    liaison = open_as(LIAISON)
    liaison.get_by_role("link", name="Force inbox").first.click()
    liaison.wait_for_url("**/force-inbox*")
    row_link = liaison.get_by_role("link", name=ref, exact=True)
    while row_link.count() == 0:
        liaison.get_by_role("link", name="Next page").click()
        liaison.wait_for_load_state()
    assert force_action in liaison.locator("tr", has=row_link).inner_text()
    check(liaison, f"liaison-{mode}", "force-inbox")
    row_link.click()
    liaison.wait_for_url(re.compile(r".*/actions/\d+\?from=inbox$"))
    liaison.fill("#note", "Extra patrols on Friday nights since last week")
    liaison.get_by_role("button", name="Mark as done").click()
    liaison.locator(".govuk-notification-banner", has_text="The action is now done").wait_for()
    check(liaison, f"liaison-{mode}", "action-done")

    # --- Staff record that people were told, and publish the line --------------------------
    staff.goto(engagement_path)
    staff.get_by_role("link", name=f"Close the loop on {ref}").click()
    staff.wait_for_url("**/loop")
    seen(staff, "staff", "loop")
    line = f"Extra Friday night patrols on the bypass ({tag})"
    staff.fill("#line", line)
    staff.get_by_role("button", name="Save").click()
    summary = staff.locator(".govuk-error-summary").inner_text()
    assert "Give the date the people who raised it were told" in summary
    assert "Say whether it was done or is not being done, and why" in summary
    seen(staff, "staff", "loop-errors")
    fill_date(staff, "told_on", today)
    staff.get_by_label("Done", exact=True).check()
    staff.get_by_role("button", name="Save").click()
    staff.wait_for_url(re.compile(r".*/engagements/\d+(#.*)?$"))
    assert "the public line is saved" in staff.locator(".govuk-notification-banner").inner_text()
    assert f"Told on {today:%-d %B %Y}" in block.inner_text()
    seen(staff, "staff", "engagement-told")

    # --- It is on the public feed and page (no sign-in) ------------------------------------
    public = browser.new_context(
        base_url=live_server, bypass_csp=True, java_script_enabled=javascript
    )
    try:
        visitor = public.new_page()
        feed = visitor.request.get("/api/v1/public/you-said-we-did")
        assert feed.status == 200 and line in [i["line"] for i in feed.json()["items"]]
        visitor.goto("/you-said-we-did")
        assert visitor.locator("h1").inner_text() == "You said, we did"
        assert line in visitor.locator("#public-lines").inner_text()
        seen(visitor, "public", "you-said-we-did")

        # --- An administrator sets a pre-election period in force: the line disappears ----
        admin = open_as(ADMIN)
        admin.get_by_role("link", name="Pre-election periods").first.click()
        admin.wait_for_url("**/admin/pre-election-periods")
        seen(admin, "admin", "pre-election-periods")
        admin.get_by_role("button", name="Add a pre-election period").click()
        admin.wait_for_url("**/new")
        label = f"By-election ({tag})"
        admin.fill("#label", label)
        fill_date(admin, "starts_on", today)
        seen(admin, "admin", "pre-election-period-new")
        admin.get_by_role("button", name="Add period").click()
        admin.wait_for_url("**/admin/pre-election-periods")
        assert f"{label} added" in admin.locator(".govuk-notification-banner").inner_text()
        assert "In force" in admin.locator("tr", has_text=label).inner_text()

        feed = visitor.request.get("/api/v1/public/you-said-we-did")
        assert line not in [i["line"] for i in feed.json()["items"]]
        visitor.goto("/you-said-we-did")
        assert line not in visitor.content()
        assert label in visitor.locator("#pre-election-notice").inner_text()
        seen(visitor, "public", "you-said-we-did-paused")

        # ... and deleting the period brings the line back.
        admin.get_by_role("link", name=f"Delete {label}").click()
        admin.wait_for_url("**/delete")
        seen(admin, "admin", "pre-election-period-delete")
        admin.get_by_role("button", name="Delete period").click()
        admin.wait_for_url("**/admin/pre-election-periods")
        assert f"{label} deleted" in admin.locator(".govuk-notification-banner").inner_text()
        feed = visitor.request.get("/api/v1/public/you-said-we-did")
        assert line in [i["line"] for i in feed.json()["items"]]
    finally:
        public.close()

    # --- The views: calendar, coverage (tile map), topics, parish surgeries ----------------
    staff.goto(f"/engagements?view=calendar&month={today:%Y-%m}")
    assert staff.get_by_role("link", name=re.compile("Community Day.*Harborough")).count() >= 1
    seen(staff, "staff", "calendar")
    staff.goto("/engagements/coverage")
    tile_map = staff.locator("svg.oversight-tile-map")
    assert tile_map.get_attribute("role") == "img"
    assert "Harborough" in (tile_map.locator("desc").text_content() or "") or True
    assert "Harborough" in staff.locator("table").first.inner_text()
    seen(staff, "staff", "coverage")
    staff.goto("/engagements/topics")
    seen(staff, "staff", "topics")
    staff.goto("/engagements/parish-surgeries?from=1/1/2024&to=31/12/2024")
    assert "7 of 23 councils attended" in staff.locator("table").first.inner_text()
    seen(staff, "staff", "parish-surgeries")


def test_no_engagement_page_scrolls_sideways_at_320_pixels(browser: Any, live_server: str) -> None:
    """WCAG 1.4.10 reflow: wide tables scroll in their own labelled region, never the page."""
    context = browser.new_context(
        base_url=live_server, bypass_csp=True, viewport={"width": 320, "height": 640}
    )
    context.set_default_timeout(10_000)
    try:
        page = context.new_page()
        sign_in(page, ADMIN)
        page.goto("/engagements?from=1/1/2024&to=31/3/2024")
        page.locator("#engagement-results a[href^='/engagements/']").first.click()
        page.wait_for_url(re.compile(r".*/engagements/\d+$"))
        engagement_path = urlsplit(page.url).path
        loop = page.get_by_role("link", name=re.compile("^Close the loop")).first
        loop_path = loop.get_attribute("href")
        wide = []
        for path in (
            "/engagements",
            "/engagements?view=calendar&month=2024-02",
            "/engagements/new",
            engagement_path,
            f"{engagement_path}/edit",
            loop_path,
            "/engagements/coverage?from=1/1/2024&to=31/3/2024",
            "/engagements/topics?from=1/1/2024&to=31/3/2024",
            "/engagements/parish-surgeries?from=1/1/2024&to=31/12/2024",
            "/you-said-we-did",
            "/admin/pre-election-periods",
        ):
            page.goto(path)
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > 320:
                wide.append(f"{path}: {width}px")
        assert not wide, "pages wider than 320 px:\n" + "\n".join(wide)
    finally:
        context.close()
