"""The complaint review pages (issue 11) through the real sign-in: only complaints reviewers
and administrators see the list and the cases (everyone else: a page that says why, in
words, or a 404 that reveals nothing); the forms report every problem at once, keep the
input and save nothing; a case goes from received to closed through its forms, with or
without htmx; a stale version changes nothing; the KPI page draws its chart with a text
alternative, says which target rule it uses and shows "<5" to people who do not see cases."""

from __future__ import annotations

import html as html_module
import re
from datetime import date, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from domain import clock
from domain.accounts.rules import SYSTEM, Role
from domain.actions import service as actions
from domain.actions.schemas import ActionUpdateCreate
from domain.actions.tables import Action
from domain.audit.tables import AuditEvent
from domain.complaints import service as complaints
from domain.complaints.rules import DEFAULT_RULES
from domain.complaints.schemas import ComplaintReviewCreate
from domain.complaints.tables import ComplaintReview
from domain.demo import SeedReport, seed_reference
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import ALLEGATION_CATEGORIES
from tests.web.conftest import csrf, value_of
from web.dates import date_example

TODAY = clock.today()
HTMX = {"HX-Request": "true"}
MARKER = "ZZQ-COMPLAINANT-WEB"
NARRATIVE = "ZZQ-NARRATIVE-WEB about a search of the car"
SEE_CASES = [Role.ADMIN, Role.COMPLAINTS_REVIEWER]
OTHERS = [Role.OPCC_STAFF, Role.VIEWER, Role.FORCE_LIAISON]


def errors_in(page: str) -> list[str]:
    summary = page.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [
        html_module.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in summary.split("<li>")[1:]
    ]


def date_fields(name: str, day: date) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def make_review(session: Session, *, received: date, sent: date | None = None) -> ComplaintReview:
    return complaints.create_review(
        session,
        SYSTEM,
        ComplaintReviewCreate(
            force_ref=f"CO/{received:%m%d}/24",
            outcome_sent_on=sent or received - timedelta(days=10),
            received_on=received,
            categories=["use-of-force"],
            complainant={
                "name": f"Alex Example {MARKER}",
                "contact": "1 High Street",
                "narrative": NARRATIVE,
            },
        ),
        now=clock.now(),
        rules=DEFAULT_RULES,
    )


@pytest.fixture
def case(session: Session) -> int:
    """An open review received 20 days ago (8 days left), with the reference data it needs."""
    seed_reference(session, SeedReport(created={}), now=clock.now())
    if "use-of-force" not in {
        c.code for c in reference.active_records(session, ALLEGATION_CATEGORIES)
    }:
        reference.create_record(
            session,
            SYSTEM,
            ALLEGATION_CATEGORIES,
            ref.AllegationCategoryCreate(code="use-of-force", name="Use of force"),
            now=clock.now(),
        )
    review = make_review(session, received=TODAY - timedelta(days=20))
    assert review.id is not None
    return review.id


def status_of(database: Any, ident: int) -> str:
    with database.session() as s:
        found = s.get(ComplaintReview, ident)
        assert found is not None
        return str(found.status)


def post(client: Any, path: str, data: dict[str, str], **kwargs: Any) -> Any:
    return client.post(path, data={"csrf_token": csrf(client), **data}, **kwargs)


# ---------------------------------------------------------------------------------------------
# Who sees what


@pytest.mark.parametrize("role", SEE_CASES)
def test_reviewers_and_admins_see_the_list_the_case_and_the_complainant(web_as, case, role):
    client = web_as(role)
    page = client.get("/complaint-reviews")
    assert page.status_code == 200
    assert f'href="/complaint-reviews/{case}"' in page.text
    assert "8 days left" in page.text  # words, not colour alone
    assert MARKER not in page.text  # the list carries no personal data
    assert '<a class="govuk-service-navigation__link" href="/complaint-reviews"' in page.text
    assert ">Complaint KPIs<" not in page.text  # they reach the KPIs from the list
    shown = client.get(f"/complaint-reviews/{case}")
    assert shown.status_code == 200
    assert MARKER in shown.text and NARRATIVE in shown.text
    assert "Personal data" in shown.text
    assert shown.text.count("<h1") == 1


@pytest.mark.parametrize("role", OTHERS)
def test_everyone_else_gets_words_for_the_list_and_404_for_a_case(web_as, case, role):
    client = web_as(role)
    listing = client.get("/complaint-reviews")
    assert listing.status_code == 403
    assert "personal data" in listing.text
    assert "read:complaints" not in listing.text and "write:complaints" not in listing.text
    assert MARKER not in listing.text
    reads_stats = role is not Role.FORCE_LIAISON
    assert ('href="/complaint-reviews/kpis"' in listing.text) is reads_stats
    assert (">Complaint KPIs<" in listing.text) is reads_stats  # the navigation entry
    assert ">Complaint reviews</a>" not in listing.text.split("<main", 1)[0]
    for path in (f"/complaint-reviews/{case}", f"/complaint-reviews/{case + 999}"):
        missing = client.get(path)
        assert missing.status_code == 404, (role, path)
        assert MARKER not in missing.text and "CR-" not in missing.text
    assert client.get("/complaint-reviews/new").status_code == 403
    refused = post(
        client, f"/complaint-reviews/{case}/transitions", {"which": "start", "version": "1"}
    )
    assert refused.status_code == 404


def test_the_force_liaison_is_told_the_kpis_are_not_for_them(web_as):
    page = web_as(Role.FORCE_LIAISON).get("/complaint-reviews/kpis")
    assert page.status_code == 403
    assert "Your role does not include them" in page.text
    assert "read:complaint-stats" not in page.text


def test_opening_a_case_is_audited(web_as, case, database):
    web_as(Role.COMPLAINTS_REVIEWER).get(f"/complaint-reviews/{case}")
    with database.session() as s:
        views = s.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "complaint_review",
                AuditEvent.entity_id == case,
                AuditEvent.action == "view_personal_data",
            )
        ).all()
    assert len(views) == 1


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_filters_by_the_apis_names_and_swaps_in_place(web_as, case, session):
    late = make_review(session, received=TODAY - timedelta(days=31))
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    page = reviewer.get("/complaint-reviews?overdue=true").text
    results = page.split('id="review-results"', 1)[1]
    assert late.ref in results and f'href="/complaint-reviews/{case}"' not in results
    assert "3 days over" in results
    assert 'href="/api/v1/complaint-reviews?format=csv&amp;overdue=true"' in results
    assert 'role="region"' in results and 'tabindex="0"' in results  # the table scrolls alone
    fragment = reviewer.get("/complaint-reviews?age_band=15-21", headers=HTMX)
    assert fragment.text.strip().startswith('<div id="review-results">')
    assert "<html" not in fragment.text and f'href="/complaint-reviews/{case}"' in fragment.text
    bad = reviewer.get("/complaint-reviews?status=nonsense&age_band=old")
    assert bad.status_code == 200
    assert errors_in(bad.text) == [
        "Choose a status that is in the list",
        "Choose an age that is in the list",
    ]


def test_home_shows_reviews_due_this_week_to_reviewers_only(web_as, case, session):
    soon = make_review(session, received=TODAY - timedelta(days=22))
    home = web_as(Role.COMPLAINTS_REVIEWER).get("/").text
    due = home.split('id="reviews-due"', 1)[1]
    assert f'href="/complaint-reviews/{soon.id}"' in due and "6 days left" in due
    assert f'href="/complaint-reviews/{case}"' not in due  # 8 days left: not this week
    for role in OTHERS:
        assert 'id="reviews-due"' not in web_as(role).get("/").text


# ---------------------------------------------------------------------------------------------
# Recording an application


def test_the_new_form_reports_every_problem_at_once_and_keeps_the_input(web_as, case, count):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    before = count(ComplaintReview)
    bad = post(
        reviewer,
        "/complaint-reviews/new",
        {
            "narrative": NARRATIVE,
            "outcome_sent_on-day": "31",
            "outcome_sent_on-month": "2",
            "outcome_sent_on-year": "2024",
            "categories": "nonsense",
        },
    )
    assert bad.status_code == 422
    assert errors_in(bad.text) == [
        "Enter the Force's complaint reference",
        "Date the Force sent the outcome must be a real date",
        "Enter the date the application was received",
        "Choose allegation categories from the list",
        "Enter the complainant's name",
    ]
    assert f"{NARRATIVE}</textarea>" in bad.text
    assert bad.text.startswith("<!DOCTYPE html>") and "<title>Error: " in bad.text
    future = post(
        reviewer,
        "/complaint-reviews/new",
        {
            "force_ref": "CO/1/24",
            "name": "A Person",
            **date_fields("outcome_sent_on", TODAY - timedelta(days=5)),
            **date_fields("received_on", TODAY + timedelta(days=3)),
        },
    )
    assert future.status_code == 422
    assert len(errors_in(future.text)) == 1 and "future" in errors_in(future.text)[0]
    assert count(ComplaintReview) == before


def test_a_late_application_is_recorded_and_flagged(web_as, case, count):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    before = count(ComplaintReview)
    done = post(
        reviewer,
        "/complaint-reviews/new",
        {
            "force_ref": "CO/77/24",
            "name": f"Sam Sample {MARKER}",
            "categories": "use-of-force",
            "late_reason": "In hospital",
            **date_fields("outcome_sent_on", TODAY - timedelta(days=60)),
            **date_fields("received_on", TODAY - timedelta(days=1)),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:2000]
    page = reviewer.get(done.headers["location"]).text
    assert "has been recorded" in page and "flagged as late" in page
    assert "Late application" in page and "In hospital" in page and "Use of force" in page
    assert count(ComplaintReview) == before + 1


# ---------------------------------------------------------------------------------------------
# A case from received to closed


def test_a_case_goes_from_received_to_closed_through_its_forms(web_as, case, database, count):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    path = f"/complaint-reviews/{case}"

    def version() -> str:
        return value_of(reviewer.get(path).text, "version")

    started = post(
        reviewer,
        f"{path}/transitions",
        {"which": "start", "version": version()},
        follow_redirects=False,
    )
    assert started.status_code == 303 and status_of(database, case) == "validity_check"
    unconfirmed = post(
        reviewer,
        f"{path}/transitions",
        {"which": "validity", "validity_to": "in_review", "version": version()},
    )
    assert unconfirmed.status_code == 422
    assert errors_in(unconfirmed.text) == [
        "Confirm that the OPCC, not the IOPC, is the relevant review body"
    ]
    accepted = post(
        reviewer,
        f"{path}/transitions",
        {
            "which": "validity",
            "validity_to": "in_review",
            "review_body_checked": "yes",
            "version": version(),
        },
        headers=HTMX,
    )
    assert accepted.status_code == 200
    assert accepted.text.strip().startswith('<div id="case-detail">')
    assert "the review has started" in accepted.text
    assert status_of(database, case) == "in_review"

    no_reason = post(reviewer, f"{path}/transitions", {"which": "hold", "version": version()})
    assert errors_in(no_reason.text) == ["Enter why the review is on hold"]
    held = post(
        reviewer,
        f"{path}/transitions",
        {"which": "hold", "hold_note": "Waiting for the Force's file", "version": version()},
        follow_redirects=False,
    )
    assert held.status_code == 303 and status_of(database, case) == "on_hold"
    assert "On hold" in reviewer.get(path).text
    resumed = post(
        reviewer,
        f"{path}/transitions",
        {"which": "resume", "version": version()},
        follow_redirects=False,
    )
    assert resumed.status_code == 303 and status_of(database, case) == "in_review"

    contact = post(
        reviewer,
        f"{path}/contacts",
        {
            **date_fields("contacted_on", TODAY),
            "method": "email",
            "contact_note": "Progress update",
        },
        follow_redirects=False,
    )
    assert contact.status_code == 303
    assert "Progress update" in reviewer.get(path).text

    # The decision: every problem at once, the input kept, nothing saved.
    actions_before = count(Action)
    bad = post(
        reviewer,
        f"{path}/decision",
        {
            "version": version(),
            "rec_rows": "2",
            "outcome": "upheld",
            "rec-1-text": "Reinvestigate",
            "rec-2-response_due-day": "40",
            "rec-2-response_due-month": "1",
            "rec-2-response_due-year": "2027",
            "organisational_learning": "Record searches properly",
        },
    )
    assert bad.status_code == 422
    assert errors_in(bad.text) == [
        "Enter the reasons for the decision",
        "Enter the text of recommendation 2",
        "Recommendation 2 response due date must be a real date",
    ]
    assert "Record searches properly</textarea>" in bad.text
    assert value_of(bad.text, "rec_rows") == "2"
    assert count(Action) == actions_before and status_of(database, case) == "in_review"

    # "Add another recommendation" without JavaScript: the page again, one more row, input kept.
    more = post(
        reviewer,
        f"{path}/decision",
        {
            "version": version(),
            "rec_rows": "1",
            "outcome": "upheld",
            "rec-1-text": "Reinvestigate",
            "add_row": "yes",
        },
    )
    assert more.status_code == 200 and more.text.startswith("<!DOCTYPE html>")
    assert "Reinvestigate</textarea>" in more.text and 'id="rec-2-text"' in more.text
    focused = re.search(r'<textarea[^>]*\bautofocus="autofocus"', more.text)
    assert focused is not None and 'id="rec-2-text"' in focused.group(0)  # the new row
    assert value_of(more.text, "rec_rows") == "2"
    # ... and with htmx: the block alone.
    swapped = post(
        reviewer,
        f"{path}/decision",
        {"version": version(), "rec_rows": "2", "add_row": "yes"},
        headers=HTMX,
    )
    assert (
        swapped.text.strip().startswith('<div id="case-detail">')
        and 'id="rec-3-text"' in swapped.text
    )
    assert count(Action) == actions_before

    decided = post(
        reviewer,
        f"{path}/decision",
        {
            "version": version(),
            "rec_rows": "2",
            "outcome": "upheld",
            "reasons": "The search was not explained to the complainant",
            "rec-1-text": "Reinvestigate the complaint",
            "rec-2-text": "Apologise to the complainant",
            **date_fields("rec-2-response_due", TODAY + timedelta(days=14)),
        },
        follow_redirects=False,
    )
    assert decided.status_code == 303, decided.text[:3000]
    assert status_of(database, case) == "decided"
    assert count(Action) == actions_before + 2
    page = reviewer.get(path).text
    assert "2 recommendations sent to the Force" in page
    assert page.count("Awaiting the Force") == 2

    # Closing needs the letter date and the Force's responses.
    refused = post(reviewer, f"{path}/transitions", {"which": "close", "version": version()})
    assert refused.status_code == 422
    problems = errors_in(refused.text)
    assert problems[0] == "Record the date the decision letter was sent"
    assert any("has not yet responded to 2" in p for p in problems)
    assert status_of(database, case) == "decided"
    dated = post(
        reviewer,
        f"{path}/dates",
        {**date_fields("letter_sent_on", TODAY), "version": version()},
        follow_redirects=False,
    )
    assert dated.status_code == 303
    with database.session() as s:
        owned = s.exec(
            select(Action).where(Action.source_type == "complaint_review", Action.source_id == case)
        ).all()
        assert MARKER not in " ".join(a.title + a.detail for a in owned)
        for action in owned:
            assert action.id is not None
            actions.add_update(
                s,
                SYSTEM,
                action.id,
                ActionUpdateCreate(body="The Force will reinvestigate"),
                now=clock.now(),
            )
    closed = post(
        reviewer,
        f"{path}/transitions",
        {"which": "close", "version": version()},
        follow_redirects=False,
    )
    assert closed.status_code == 303, closed.text[:3000]
    assert status_of(database, case) == "closed"
    final = reviewer.get(path).text
    assert "The review is closed" in final
    timeline = final.split('class="moj-timeline"', 1)[1]
    for step in (
        "Closed",
        "Decided: upheld",
        "Review resumed",
        "Put on hold",
        "Accepted for review",
        "Application received",
    ):
        assert step in timeline
    assert "This review has ended" in final


def test_a_stale_version_changes_nothing_and_says_so(web_as, case, database):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    path = f"/complaint-reviews/{case}"
    old = value_of(reviewer.get(path).text, "version")
    post(reviewer, f"{path}/transitions", {"which": "start", "version": old})
    stale = post(
        reviewer,
        f"{path}/transitions",
        {
            "which": "validity",
            "validity_to": "invalid",
            "validity_note": "Not Schedule 3",
            "version": old,
        },
    )
    assert stale.status_code == 409
    assert "Someone else changed this complaint review" in stale.text
    assert status_of(database, case) == "validity_check"


# ---------------------------------------------------------------------------------------------
# The KPIs


def test_the_kpi_page_draws_a_chart_with_words_and_says_its_target_rule(web_as, case):
    staff = web_as(Role.OPCC_STAFF)
    page = staff.get("/complaint-reviews/kpis")
    assert page.status_code == 200
    text = page.text
    assert text.count('role="img"') == 1
    assert '<title id="kpi-chart-title">' in text and '<desc id="kpi-chart-desc">' in text
    assert "28 calendar days" in text
    assert "&lt;5" in text  # one open case: suppressed for staff
    assert 'role="region"' in text
    assert ">Complaint KPIs<" in text  # the navigation entry for staff
    reviewer = web_as(Role.COMPLAINTS_REVIEWER).get("/complaint-reviews/kpis").text
    ages = reviewer.split("Open reviews by age", 1)[1]
    assert "&lt;5" not in ages and ">1</td>" in ages
    quarter = staff.get("/complaint-reviews/kpis?group=quarter&from=1/4/2023&to=31/3/2024")
    assert quarter.status_code == 200 and "Q4 2023-24" in quarter.text
    fragment = staff.get("/complaint-reviews/kpis?group=quarter", headers=HTMX)
    assert fragment.text.strip().startswith('<div id="kpi-results">')
    wrong = staff.get("/complaint-reviews/kpis?from=31/3/2024&to=1/1/2024")
    assert wrong.status_code == 200 and len(errors_in(wrong.text)) == 1
    bad = staff.get("/complaint-reviews/kpis?from=someday&group=weekly")
    assert errors_in(bad.text) == [
        f"From must be a real date, like {date_example(separator='/')}",
        "Choose to group by month or by quarter",
    ]


def test_the_domains_objections_land_on_their_own_fields(web_as, case, database):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    path = f"/complaint-reviews/{case}"
    future = TODAY + timedelta(days=5)
    contact = post(
        reviewer,
        f"{path}/contacts",
        {**date_fields("contacted_on", future), "method": "phone", "contact_note": "Kept"},
    )
    assert contact.status_code == 422
    assert errors_in(contact.text) == ["Date of the contact cannot be in the future"]
    assert 'href="#contacted_on"' in contact.text and "Kept</textarea>" in contact.text
    version = value_of(reviewer.get(path).text, "version")
    dated = post(
        reviewer, f"{path}/dates", {**date_fields("acknowledged_on", future), "version": version}
    )
    assert dated.status_code == 422
    assert errors_in(dated.text) == [
        "Date the application was acknowledged cannot be in the future"
    ]
    assert 'href="#acknowledged_on"' in dated.text
    with database.session() as s:
        found = s.get(ComplaintReview, case)
        assert found is not None and found.acknowledged_on is None and found.last_contact_on is None
