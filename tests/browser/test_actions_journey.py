"""The actions journey in Chromium (issue 4's "Done when"): staff add an action owned by the
Force, the force liaison finds it in the Force inbox, adds an update and marks it done, and
staff see both on the action's timeline. axe-core checks every page visited. It runs twice:
with JavaScript (htmx swaps fragments in place) and without (POST-redirect-GET).

On any screen (issue 12): on a phone the filter is MOJ's "Show filters" / "Hide filters"
with JavaScript and sits above the results without it, and at 320 CSS px nothing on the
action pages or the Force inbox makes the page scroll sideways."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from domain import clock
from tests.browser.conftest import (
    LIAISON,
    STAFF,
    assert_swapped_in_place,
    mark_page,
)

pytestmark = pytest.mark.browser


def test_staff_add_the_force_answers_staff_see_it(
    open_as: Any, check: Any, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    title = f"Publish the 101 call-back figures ({mode} {uuid.uuid4().hex[:8]})"
    due = clock.today() + timedelta(days=3)

    # --- OPCC staff add an action owned by the Force ---------------------------------------
    staff = open_as(STAFF)
    staff.goto("/actions")
    assert staff.locator("h1").inner_text() == "Actions"
    check(staff, f"staff-{mode}", "actions")
    staff.get_by_role("button", name="Add an action").click()
    staff.wait_for_url("**/actions/new")
    check(staff, f"staff-{mode}", "actions-new")

    # Nothing filled in: the error summary, nothing saved.
    staff.get_by_role("button", name="Add action").click()
    summary = staff.locator(".govuk-error-summary")
    assert "Enter a title for the action" in summary.inner_text()
    assert "Enter the due date" in summary.inner_text()
    assert staff.title().startswith("Error: ")
    check(staff, f"staff-{mode}", "actions-new-errors")

    staff.fill("#title", title)
    staff.fill("#detail", "Agreed at the Strategic Assurance Board")
    staff.select_option("#owner_org", "force")
    staff.fill("#owner_name", "Head of Contact Management")
    staff.select_option("#area", "charnwood")
    staff.fill("#due_on", str(due.day))
    staff.fill("#due_on-month", str(due.month))
    staff.fill("#due_on-year", str(due.year))
    staff.get_by_role("button", name="Add action").click()
    staff.wait_for_url(re.compile(r".*/actions/\d+$"))
    action_path = urlsplit(staff.url).path
    assert staff.locator("h1").inner_text().endswith(title)
    assert "has been added" in staff.locator(".govuk-notification-banner").inner_text()
    ref = staff.locator("h1 .govuk-caption-l").inner_text().strip()
    assert re.fullmatch(r"ACT-\d{4}-\d{4}", ref), ref
    check(staff, f"staff-{mode}", "action")

    # The list finds it by its title; with htmx the results change in place.
    staff.goto("/actions")
    mark_page(staff, javascript)
    staff.fill("#q", title)
    staff.get_by_role("button", name="Apply filters").click()
    staff.wait_for_url("**/actions?*q=*")
    count = staff.locator("#action-count")
    count.wait_for()
    assert count.inner_text() == "1 action"
    assert staff.locator("#action-results").get_by_role("link", name=ref).count() == 1
    assert_swapped_in_place(staff, javascript)
    check(staff, f"staff-{mode}", "actions-filtered")

    # --- The force liaison finds it in the Force inbox ------------------------------------
    liaison = open_as(LIAISON)
    liaison.get_by_role("link", name="Force inbox").first.click()
    liaison.wait_for_url("**/force-inbox*")
    assert liaison.locator("h1").inner_text() == "Force inbox"
    check(liaison, f"liaison-{mode}", "force-inbox")
    row_link = liaison.get_by_role("link", name=ref, exact=True)
    while row_link.count() == 0:
        liaison.get_by_role("link", name="Next page").click()
        liaison.wait_for_load_state()
    row = liaison.locator("tr", has=row_link)
    assert "Due soon" in row.inner_text()
    row_link.click()
    liaison.wait_for_url(re.compile(rf".*{action_path}\?from=inbox$"))
    assert "Internal note" not in liaison.content()
    assert liaison.get_by_role("link", name="Back to force inbox").count() == 1
    check(liaison, f"liaison-{mode}", "action")

    # ... adds an update (forgetting the words first: the error appears, nothing is added) ...
    mark_page(liaison, javascript)
    liaison.get_by_role("button", name="Add update").click()
    liaison.locator(".govuk-error-summary", has_text="Enter the update").wait_for()
    assert_swapped_in_place(liaison, javascript)
    check(liaison, f"liaison-{mode}", "action-update-error")
    liaison.fill("#body", "Figures are on the force website from Monday")
    liaison.fill("#evidence_url", "https://example.org/101-figures")
    liaison.get_by_role("button", name="Add update").click()
    banner = liaison.locator(".govuk-notification-banner", has_text="Your update has been added")
    banner.wait_for()
    assert_swapped_in_place(liaison, javascript)
    timeline = liaison.locator(".moj-timeline")
    assert "Figures are on the force website from Monday" in timeline.inner_text()
    check(liaison, f"liaison-{mode}", "action-updated")

    # ... cannot cancel, and marks it done with one button, then goes back to the inbox.
    assert liaison.locator('input[name="to"]').count() == 0
    assert liaison.get_by_role("button", name="Cancel the action").count() == 0
    mark_page(liaison, javascript)
    liaison.fill("#note", "Published and linked from the OPCC site")
    liaison.get_by_role("button", name="Mark as done").click()
    liaison.locator(".govuk-notification-banner", has_text="The action is now done").wait_for()
    assert_swapped_in_place(liaison, javascript)
    summary_list = liaison.locator(".govuk-summary-list")
    assert "Done" in summary_list.inner_text()
    check(liaison, f"liaison-{mode}", "action-done")
    liaison.get_by_role("link", name="Back to force inbox").click()
    liaison.wait_for_url("**/force-inbox")
    assert liaison.get_by_role("link", name=ref, exact=True).count() == 0

    # --- Staff see the update and the done step on the timeline ---------------------------
    staff.goto(action_path)
    timeline = staff.locator(".moj-timeline")
    text = timeline.inner_text()
    assert "Figures are on the force website from Monday" in text
    assert "Status changed to done" in text
    assert "Published and linked from the OPCC site" in text
    assert "by Lee Liaison (demo)" in text and "@oversight.example" not in text
    assert "Action created" in text
    assert staff.locator(".govuk-summary-list").get_by_text("Completed on").count() == 1
    check(staff, f"staff-{mode}", "action-done")


PHONE = {"width": 375, "height": 812}
NARROWEST = {"width": 320, "height": 800}


def test_on_a_phone_the_filter_steps_aside_for_the_results(
    open_as: Any, check: Any, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    staff = open_as(STAFF)
    staff.set_viewport_size(PHONE)
    staff.goto("/actions")
    panel = staff.locator(".moj-filter")
    results = staff.locator("#action-results")
    if javascript:
        # The results come first; MOJ's own button shows the filter, in the page above them.
        show = staff.get_by_role("button", name="Show filters")
        assert show.get_attribute("aria-expanded") == "false"
        assert not panel.is_visible()
        assert results.bounding_box()["y"] < PHONE["height"]
        show.click()
        assert panel.is_visible() and results.is_visible()
        assert staff.get_by_role("button", name="Hide filters").get_attribute("aria-expanded") == (
            "true"
        )
        shown, below = panel.bounding_box(), results.bounding_box()
        assert below["y"] >= shown["y"] + shown["height"], "the filter covers the results"
        assert shown["x"] >= 0 and shown["x"] + shown["width"] <= PHONE["width"]
        check(staff, f"staff-{mode}-375px", "actions-filter-shown")
        # It filters, then hides again and the results are there.
        staff.get_by_label("Overdue actions").check()
        staff.get_by_role("button", name="Apply filters").click()
        staff.wait_for_url("**/actions?*overdue=true*")
        staff.locator(".moj-filter__tag", has_text="Overdue only").wait_for()
        staff.get_by_role("button", name="Hide filters").click()
        assert not panel.is_visible() and results.is_visible()
        assert staff.get_by_role("button", name="Show filters").count() == 1
    else:
        # No button: the whole filter sits above the results, ready to use.
        assert staff.get_by_role("button", name="Show filters").count() == 0
        assert panel.is_visible()
        above, below = panel.bounding_box(), results.bounding_box()
        assert below["y"] >= above["y"] + above["height"]
        staff.get_by_label("Overdue actions").check()
        staff.get_by_role("button", name="Apply filters").click()
        staff.wait_for_url("**/actions?*overdue=true*")
        assert "Overdue only" in results.inner_text()
    assert staff.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    check(staff, f"staff-{mode}-375px", "actions-filtered")


def _page_width(page: Any, path: str) -> int:
    page.goto(path)
    page.wait_for_load_state()
    return int(page.evaluate("document.documentElement.scrollWidth"))


def test_nothing_scrolls_sideways_at_320_css_pixels(
    open_as: Any, check: Any, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    staff = open_as(STAFF)
    staff.set_viewport_size(NARROWEST)
    assert _page_width(staff, "/actions") <= NARROWEST["width"]
    check(staff, f"staff-{mode}-320px", "actions")
    action_path = staff.locator("#action-results a[href^='/actions/']").first.get_attribute("href")
    assert action_path is not None
    for path, slug in (
        ("/actions/new", "actions-new"),
        (action_path, "action"),
        (f"{action_path}/edit", "action-edit"),
    ):
        assert _page_width(staff, path) <= NARROWEST["width"], path
        check(staff, f"staff-{mode}-320px", slug)

    liaison = open_as(LIAISON)
    liaison.set_viewport_size(NARROWEST)
    assert _page_width(liaison, "/force-inbox") <= NARROWEST["width"]
    check(liaison, f"liaison-{mode}-320px", "force-inbox")
    # Each entry is a card whose cells say their column (drawn before them by the CSS).
    card = liaison.locator("tbody tr").first
    assert card.bounding_box()["width"] <= NARROWEST["width"]
    said = card.locator("[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)"
    )
    assert said == ['"Due"', '"Status"', '"Source"']
    entry = liaison.locator("tbody a[href*='from=inbox']").first.get_attribute("href")
    assert entry is not None
    assert _page_width(liaison, entry) <= NARROWEST["width"], entry
    check(liaison, f"liaison-{mode}-320px", "inbox-entry")
    assert _page_width(liaison, "/actions") <= NARROWEST["width"]
    check(liaison, f"liaison-{mode}-320px", "actions")
