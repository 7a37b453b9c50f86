"""The board journey in Chromium (issue 9's "Done when"): OPCC staff prepare an exception
report and escalate an item, the force liaison answers from the Force inbox, staff record the
board's discussion and capture two actions at the board, then close the escalation. axe-core
checks every page visited. It runs twice: with JavaScript (htmx swaps fragments in place) and
without (POST-redirect-GET)."""

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


def fill_date(page: Any, name: str, day: Any) -> None:
    page.fill(f"#{name}", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def test_staff_escalate_the_force_answers_the_board_closes_it(
    open_as: Any, check: Any, javascript: bool
) -> None:
    mode = "js" if javascript else "no-js"
    tag = f"{mode} {uuid.uuid4().hex[:6]}"
    today = clock.today()

    # --- OPCC staff prepare an exception report --------------------------------------------
    staff = open_as(STAFF)
    staff.get_by_role("link", name="Board").first.click()
    staff.wait_for_url("**/board-meetings")
    assert staff.locator("h1").inner_text() == "Board meetings"
    check(staff, f"staff-{mode}", "board-meetings")
    staff.get_by_role("link", name="Exception reports").click()
    staff.wait_for_url("**/exception-reports")
    check(staff, f"staff-{mode}", "exception-reports")
    staff.get_by_role("button", name="Prepare an exception report").click()
    staff.wait_for_url("**/exception-reports/new")
    check(staff, f"staff-{mode}", "exception-report-new")

    staff.get_by_role("button", name="Save report").click()
    summary = staff.locator(".govuk-error-summary").inner_text()
    for message in ("Enter a title for the report", "Enter the date of the report"):
        assert message in summary
    assert staff.title().startswith("Error: ")
    check(staff, f"staff-{mode}", "exception-report-new-errors")

    title = f"KPI exception report ({tag})"
    staff.fill("#title", title)
    fill_date(staff, "reported_on", today)
    board = staff.locator("#meeting_id option", has_text="30 May 2024").first
    staff.select_option("#meeting_id", board.get_attribute("value"))
    staff.select_option("#item-1-topic", "rape")
    staff.fill("#item-1-kpi_evidence", "Positive outcomes for rape offences")
    staff.fill("#item-1-value", "6")
    staff.fill("#item-1-target", "8")
    staff.fill("#item-1-baseline", "3.4")
    staff.fill("#item-1-unit", "%")
    staff.check("#item-1-recommendation")  # the first radio: Escalate
    staff.fill("#item-1-reasoning", "Below target for a year")
    staff.get_by_role("button", name="Save report").click()
    staff.wait_for_url(re.compile(r".*/exception-reports/\d+$"))
    assert staff.locator("h1").inner_text() == title
    assert "has been added" in staff.locator(".govuk-notification-banner").inner_text()
    chart = staff.locator("svg[role=img]")
    assert chart.count() == 1
    described = chart.locator("desc").text_content() or ""
    assert "Now 6%, against a target of 8%, from a baseline of 3.4%" in described
    check(staff, f"staff-{mode}", "exception-report")

    # ... and escalate its item to the Force.
    staff.get_by_role("button", name="Escalate Rape performance").click()
    staff.wait_for_url("**/escalate")
    check(staff, f"staff-{mode}", "escalate-item")
    staff.fill("#request", "")
    staff.get_by_role("button", name="Escalate to the Force").click()
    summary = staff.locator(".govuk-error-summary").inner_text()
    assert "Enter what the Force is asked for" in summary and "Enter the response due" in summary
    check(staff, f"staff-{mode}", "escalate-item-errors")
    staff.fill("#request", f"Bring a paper on rape outcomes ({tag})")
    fill_date(staff, "response_due", today + timedelta(days=5))
    staff.get_by_role("button", name="Escalate to the Force").click()
    staff.wait_for_url(re.compile(r".*/escalations/\d+$"))
    escalation_path = urlsplit(staff.url).path
    ref = staff.locator("h1 .govuk-caption-l").inner_text().strip()
    assert re.fullmatch(r"ESC-\d{4}-\d{4}", ref), ref
    assert "has been sent to the Force" in staff.locator(".govuk-notification-banner").inner_text()
    assert staff.locator("#respond").count() == 0  # staff do not answer for the Force
    check(staff, f"staff-{mode}", "escalation")

    # --- The force liaison answers from the inbox ----------------------------------------
    liaison = open_as(LIAISON)
    liaison.get_by_role("link", name="Force inbox").first.click()
    liaison.wait_for_url("**/force-inbox*")
    check(liaison, f"liaison-{mode}", "force-inbox")
    row_link = liaison.get_by_role("link", name=ref, exact=True)
    while row_link.count() == 0:
        liaison.get_by_role("link", name="Next page").click()
        liaison.wait_for_load_state()
    assert "Due soon" in liaison.locator("tr", has=row_link).inner_text()
    row_link.click()
    liaison.wait_for_url(f"**{escalation_path}?from=inbox")
    assert liaison.locator("#discussion").count() == 0  # the OPCC records the discussion
    check(liaison, f"liaison-{mode}", "escalation")

    mark_page(liaison, javascript)
    liaison.get_by_role("button", name="Send response").click()
    liaison.locator(".govuk-error-summary", has_text="Enter the Force's response").wait_for()
    assert_swapped_in_place(liaison, javascript)
    check(liaison, f"liaison-{mode}", "escalation-response-error")
    liaison.fill("#response", "The attached paper sets out a recovery plan for rape outcomes")
    liaison.fill("#links", "https://example.org/rape-outcomes-paper")
    liaison.get_by_role("button", name="Send response").click()
    liaison.locator(
        ".govuk-notification-banner", has_text="The Force's response has been sent"
    ).wait_for()
    assert_swapped_in_place(liaison, javascript)
    assert "Response received" in liaison.locator(".govuk-summary-list").first.inner_text()
    check(liaison, f"liaison-{mode}", "escalation-answered")

    # --- Staff record the discussion -------------------------------------------------------
    staff.goto(escalation_path)
    assert "recovery plan for rape outcomes" in staff.locator(".moj-timeline").inner_text()
    mark_page(staff, javascript)
    staff.get_by_role("button", name="Record discussion").click()
    staff.locator(".govuk-error-summary", has_text="Enter what the board discussed").wait_for()
    assert_swapped_in_place(staff, javascript)
    staff.fill("#note", "The board heard the Force's paper and asked about victim support")
    staff.fill("#pcc_response", "The Commissioner welcomed the recovery plan")
    staff.get_by_role("button", name="Record discussion").click()
    staff.locator(
        ".govuk-notification-banner", has_text="The discussion has been recorded"
    ).wait_for()
    assert_swapped_in_place(staff, javascript)
    check(staff, f"staff-{mode}", "escalation-discussed")

    # ... capture two actions at the board ...
    staff.locator(".govuk-summary-list").get_by_role("link", name=re.compile("30 May 2024")).click()
    staff.wait_for_url(re.compile(r".*/board-meetings/\d+(#.*)?$"))
    meeting_path = urlsplit(staff.url).path
    assert ref in staff.locator("#escalations ~ .govuk-summary-card", has_text=ref).inner_text()
    check(staff, f"staff-{mode}", "board-meeting")
    actions = [
        f"OPCC comms lead to agree with the Force what can be shared ({tag})",
        f"Force to bring a full business case to the May board ({tag})",
    ]
    for n, action in enumerate(actions):
        mark_page(staff, javascript)
        if n == 0:  # forgetting the due date first: the error, nothing added
            staff.fill("#title", action)
            staff.get_by_role("button", name="Add action").click()
            staff.locator(".govuk-error-summary", has_text="Enter the due date").wait_for()
            assert_swapped_in_place(staff, javascript)
            check(staff, f"staff-{mode}", "board-meeting-action-error")
        staff.fill("#title", action)
        staff.select_option("#owner_org", "force" if n else "opcc")
        fill_date(staff, "due_on", today + timedelta(days=30 + n))
        staff.get_by_role("button", name="Add action").click()
        staff.locator("#meeting-actions table", has_text=action).wait_for()
        assert_swapped_in_place(staff, javascript)
        assert staff.url.split("#")[0].endswith(meeting_path)
    table = staff.locator("#meeting-actions table").inner_text()
    assert all(action in table for action in actions)
    assert table.count("Open") >= 2
    check(staff, f"staff-{mode}", "board-meeting-actions")

    # ... then close the escalation with its outcome.
    staff.goto(escalation_path)
    mark_page(staff, javascript)
    staff.get_by_role("button", name="Close escalation").click()
    staff.locator(".govuk-error-summary", has_text="Enter the outcome").wait_for()
    assert_swapped_in_place(staff, javascript)
    staff.fill("#outcome", "Recovery plan accepted; progress reported quarterly")
    staff.get_by_role("button", name="Close escalation").click()
    staff.locator(".govuk-notification-banner", has_text="The escalation is closed").wait_for()
    assert_swapped_in_place(staff, javascript)
    timeline = staff.locator(".moj-timeline").inner_text()
    for step in ("Closed", "Discussed at the board", "Force response", "Escalated to the Force"):
        assert step in timeline
    assert "by liaison@oversight.example" in timeline
    check(staff, f"staff-{mode}", "escalation-closed")

    # The awaiting-the-Force view no longer lists it; monitoring items still render.
    staff.get_by_role("link", name="Back to escalations").click()
    staff.get_by_role("link", name="Awaiting the Force").click()
    staff.wait_for_url("**/escalations?status=awaiting_response")
    assert staff.get_by_role("link", name=ref, exact=True).count() == 0
    check(staff, f"staff-{mode}", "escalations-awaiting")
    staff.get_by_role("link", name="Monitoring items").click()
    staff.wait_for_url("**/monitoring-items")
    check(staff, f"staff-{mode}", "monitoring-items")
