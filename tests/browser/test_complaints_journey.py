"""The complaint review journey in Chromium (issue 11's "Done when"): a reviewer records an
application, checks its validity, puts it on hold and resumes it, records a contact and
decides it upheld with two recommendations (the second row added with "Add another
recommendation"); the force liaison answers each recommendation's action from the Force
inbox and never sees the complainant; the reviewer records the letter date and closes the
case. The liaison and a viewer get 404 for the case. A JavaScript-off run covers the decision
form (every error at once, the no-JS "add" submit that keeps the input). axe-core, with its
best-practice rules as well as WCAG's, checks every page visited."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import pytest

from domain import clock
from tests.browser.conftest import (
    AXE,
    AXE_TAGS,
    LIAISON,
    assert_swapped_in_place,
    format_violations,
    mark_page,
    screenshot,
)

pytestmark = pytest.mark.browser

REVIEWER = "reviewer@oversight.example"
VIEWER = "viewer@oversight.example"
MARKER = "ZZQ-"  # every demo and test complainant name and narrative carries it


def fill_date(page: Any, name: str, day: Any) -> None:
    page.fill(f"#{name}", str(day.day))
    page.fill(f"#{name}-month", str(day.month))
    page.fill(f"#{name}-year", str(day.year))


def no_sideways_scroll(page: Any, role: str, slug: str) -> None:
    """At 320 CSS pixels wide (WCAG 1.4.10 reflow) the page itself never scrolls sideways;
    wide tables scroll inside their own region. A screenshot at that width too."""
    size = page.viewport_size
    page.set_viewport_size({"width": 320, "height": 800})
    try:
        wide = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 0, f"{page.url} scrolls sideways by {wide}px at 320px wide"
        screenshot(page, role, f"{slug}-320px")
    finally:
        page.set_viewport_size(size)


def _violations(page: Any) -> list[dict[str, Any]]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        [*AXE_TAGS, "best-practice"],
    )
    return list(result["violations"])


@pytest.fixture
def axe_check(browser: Any, live_server: str, javascript: bool) -> Iterator[Any]:
    """check(page, role, slug): a screenshot, then axe-core (WCAG and best practice). With
    JavaScript off the page's DOM is copied, scripts removed, into a JavaScript-on page of
    the same origin for axe-core to run in (as tests/browser/conftest.py's `check` does)."""
    context = browser.new_context(bypass_csp=True)
    twin = context.new_page()
    copy_url = f"{live_server}/axe-copy-of-the-page"

    def run(page: Any, role: str, slug: str) -> None:
        screenshot(page, role, slug)
        target = page
        if not javascript:
            html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
            twin.route(copy_url, lambda route: route.fulfill(body=html, content_type="text/html"))
            twin.goto(copy_url)
            twin.unroute(copy_url)
            target = twin
        violations = _violations(target)
        assert not violations, (
            f"axe-core found {len(violations)} violation(s) on {page.url} ({role}):\n"
            + format_violations(violations)
        )
        if "/complaint-reviews" in page.url:
            no_sideways_scroll(page, role, slug)

    try:
        yield run
    finally:
        context.close()


def record_application(reviewer: Any, tag: str) -> str:
    """Record a received application through the form; the case page's path."""
    today = clock.today()
    reviewer.goto("/complaint-reviews/new")
    reviewer.fill("#force_ref", f"CO/{tag}")
    fill_date(reviewer, "outcome_sent_on", today - timedelta(days=12))
    fill_date(reviewer, "received_on", today - timedelta(days=2))
    reviewer.check("#categories")
    reviewer.fill("#name", f"Jo Bloggs ZZQ-COMPLAINANT-{tag}")
    reviewer.fill("#narrative", f"ZZQ-NARRATIVE-{tag}: the officer did not record the search")
    reviewer.get_by_role("button", name="Record application").click()
    reviewer.wait_for_url(re.compile(r".*/complaint-reviews/\d+$"))
    return urlsplit(reviewer.url).path


def accept_for_review(reviewer: Any, javascript: bool) -> None:
    mark_page(reviewer, javascript)
    reviewer.get_by_role("button", name="Start the validity check").click()
    reviewer.locator(".govuk-notification-banner", has_text="validity check has started").wait_for()
    assert_swapped_in_place(reviewer, javascript)
    reviewer.get_by_label("Valid: the OPCC reviews it").check()
    reviewer.get_by_label("The OPCC, not the IOPC, is the relevant review body").check()
    reviewer.get_by_role("button", name="Record the result").click()
    reviewer.locator(".govuk-notification-banner", has_text="the review has started").wait_for()
    assert_swapped_in_place(reviewer, javascript)


@pytest.mark.parametrize("javascript", [True], ids=["javascript"])
def test_a_reviewer_takes_a_case_from_received_to_closed(
    open_as: Any, axe_check: Any, javascript: bool
) -> None:
    tag = uuid.uuid4().hex[:6]
    today = clock.today()
    check = axe_check

    # --- The reviewer records a received application --------------------------------------
    reviewer = open_as(REVIEWER)
    check(reviewer, "reviewer", "home")
    reviewer.get_by_role("link", name="Complaint reviews").first.click()
    reviewer.wait_for_url("**/complaint-reviews")
    check(reviewer, "reviewer", "complaint-reviews")
    reviewer.get_by_role("button", name="Record a review application").click()
    reviewer.wait_for_url("**/complaint-reviews/new")
    reviewer.get_by_role("button", name="Record application").click()
    summary = reviewer.locator(".govuk-error-summary").inner_text()
    assert "Enter the Force's complaint reference" in summary
    assert "Enter the complainant's name" in summary
    check(reviewer, "reviewer", "complaint-review-new-errors")
    case_path = record_application(reviewer, tag)
    assert "has been recorded" in reviewer.locator(".govuk-notification-banner").inner_text()
    ref = reviewer.locator("h1").inner_text().split("\n")[-1].strip()
    assert re.fullmatch(r"CR-\d{4}-\d{4}", ref), ref
    check(reviewer, "reviewer", "complaint-review-received")

    # --- Validity check, hold and resume, a contact ----------------------------------------
    accept_for_review(reviewer, javascript)
    reviewer.fill("#hold_note", "Waiting for the Force's complaint file")
    reviewer.get_by_role("button", name="Put on hold").click()
    reviewer.locator(".govuk-notification-banner", has_text="The review is on hold").wait_for()
    check(reviewer, "reviewer", "complaint-review-on-hold")
    reviewer.get_by_role("button", name="Resume review").click()
    reviewer.locator(".govuk-notification-banner", has_text="The review has resumed").wait_for()
    reviewer.get_by_label("Email").check()
    reviewer.fill("#contact_note", "Told the complainant the file has arrived")
    reviewer.get_by_role("button", name="Record contact").click()
    reviewer.locator(
        ".govuk-notification-banner", has_text="The contact has been recorded"
    ).wait_for()

    # --- The decision: upheld, two recommendations ------------------------------------------
    mark_page(reviewer, javascript)
    reviewer.get_by_label("Upheld", exact=True).check()
    reviewer.fill("#reasons", "The outcome was not reasonable and proportionate")
    reviewer.fill("#rec-1-text", f"Reinvestigate the complaint ({tag})")
    reviewer.get_by_role("button", name="Add another recommendation").click()
    reviewer.locator("#rec-2-text").wait_for()
    assert_swapped_in_place(reviewer, javascript)
    assert reviewer.input_value("#rec-1-text") == f"Reinvestigate the complaint ({tag})"
    assert reviewer.input_value("#reasons").startswith("The outcome was not reasonable")
    reviewer.fill("#rec-2-text", f"Apologise to the complainant ({tag})")
    fill_date(reviewer, "rec-2-response_due", today + timedelta(days=14))
    check(reviewer, "reviewer", "complaint-review-decision-form")
    reviewer.get_by_role("button", name="Record decision").click()
    reviewer.locator(".govuk-notification-banner", has_text="2 recommendations sent").wait_for()
    table = reviewer.locator("#recommendations-made ~ .oversight-table-scroll table")
    action_refs = re.findall(r"ACT-\d{4}-\d{4}", table.inner_text())
    assert len(action_refs) == 2
    check(reviewer, "reviewer", "complaint-review-decided")

    # --- The force liaison answers each recommendation from the inbox ---------------------
    liaison = open_as(LIAISON)
    assert liaison.get_by_role("link", name="Complaint reviews").count() == 0
    for n, action_ref in enumerate(action_refs, start=1):
        liaison.goto("/force-inbox")
        row_link = liaison.get_by_role("link", name=action_ref, exact=True)
        while row_link.count() == 0:
            liaison.get_by_role("link", name="Next page").click()
            liaison.wait_for_load_state()
        assert MARKER not in liaison.content()
        if n == 1:
            check(liaison, "liaison", "force-inbox")
        row_link.click()
        liaison.wait_for_url(re.compile(r".*/actions/\d+\?from=inbox$"))
        assert ref in liaison.locator("h1").inner_text()
        assert MARKER not in liaison.content()
        liaison.fill("#body", f"The Force's response to recommendation {n}")
        liaison.get_by_role("button", name="Add update").click()
        liaison.locator(
            ".govuk-notification-banner", has_text="Your update has been added"
        ).wait_for()
        assert MARKER not in liaison.content()
        check(liaison, "liaison", f"recommendation-action-{n}")
    liaison.goto(case_path)
    assert liaison.locator("h1").inner_text() == "Page not found"
    assert MARKER not in liaison.content()
    viewer = open_as(VIEWER)
    viewer.goto(case_path)
    assert viewer.locator("h1").inner_text() == "Page not found"
    assert MARKER not in viewer.content()
    check(viewer, "viewer", "complaint-review-404")
    viewer.goto("/complaint-reviews/kpis")
    assert viewer.locator("svg[role=img] title").count() == 1
    check(viewer, "viewer", "complaint-review-kpis")
    viewer.goto("/complaint-reviews")
    assert "complainants' personal data" in viewer.locator("main").inner_text()
    check(viewer, "viewer", "complaint-reviews-not-for-you")
    liaison.goto("/complaint-reviews/kpis")
    assert "Your role does not include them" in liaison.locator("main").inner_text()
    check(liaison, "liaison", "complaint-kpis-not-for-you")

    # --- The reviewer records the letter and closes the case -------------------------------
    reviewer.goto(case_path)
    assert reviewer.locator("td", has_text="Force responded").count() == 2
    fill_date(reviewer, "letter_sent_on", today)
    reviewer.get_by_role("button", name="Save dates").click()
    reviewer.locator(
        ".govuk-notification-banner", has_text="The dates have been recorded"
    ).wait_for()
    reviewer.get_by_role("button", name="Close review").click()
    reviewer.locator(".govuk-notification-banner", has_text="The review is closed").wait_for()
    timeline = reviewer.locator(".moj-timeline").inner_text()
    for step in ("Closed", "Decided: upheld", "Review resumed", "Put on hold"):
        assert step in timeline
    check(reviewer, "reviewer", "complaint-review-closed")
    reviewer.goto("/complaint-reviews/kpis")
    check(reviewer, "reviewer", "complaint-review-kpis")


@pytest.mark.parametrize("javascript", [False], ids=["no-javascript"])
def test_the_decision_form_works_without_javascript(
    open_as: Any, axe_check: Any, javascript: bool
) -> None:
    tag = uuid.uuid4().hex[:6]
    reviewer = open_as(REVIEWER)
    case_path = record_application(reviewer, tag)
    accept_for_review(reviewer, javascript)

    # Every problem at once; the input kept.
    reviewer.get_by_label("Upheld", exact=True).check()
    reviewer.fill("#rec-1-text", "")
    reviewer.fill("#organisational_learning", f"Record every search ({tag})")
    reviewer.get_by_role("button", name="Record decision").click()
    summary = reviewer.locator(".govuk-error-summary").inner_text()
    assert "Enter the reasons for the decision" in summary
    assert "Add a recommendation to the Force, or say why" in summary
    assert reviewer.title().startswith("Error: ")
    assert reviewer.input_value("#organisational_learning") == f"Record every search ({tag})"
    axe_check(reviewer, "reviewer-no-js", "complaint-review-decision-errors")

    # "Add another recommendation" reloads the page with one more row and the input kept.
    reviewer.fill("#reasons", "The handling was not proportionate")
    reviewer.fill("#rec-1-text", f"Reconsider the outcome ({tag})")
    reviewer.get_by_role("button", name="Add another recommendation").click()
    reviewer.locator("#rec-2-text").wait_for()
    assert reviewer.input_value("#rec-1-text") == f"Reconsider the outcome ({tag})"
    assert reviewer.input_value("#reasons") == "The handling was not proportionate"
    assert urlsplit(reviewer.url).path.startswith(case_path)
    reviewer.fill("#rec-2-text", f"Apologise ({tag})")
    axe_check(reviewer, "reviewer-no-js", "complaint-review-decision-two-rows")
    reviewer.get_by_role("button", name="Record decision").click()
    reviewer.wait_for_url(f"**{case_path}")
    assert "2 recommendations sent" in reviewer.locator(".govuk-notification-banner").inner_text()
    axe_check(reviewer, "reviewer-no-js", "complaint-review-decided")
