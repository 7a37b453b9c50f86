"""The web shell: the header that says who is signed in, navigation by role, error pages,
the icon, signing in and out, and the forms of the board, engagement and complaint review
pages reporting every problem in one answer. Security headers and CSRF, for every route, are
in test_security_headers.py and test_security_csrf.py; navigation against each role's
permissions in test_navigation_fits_role.py."""

from __future__ import annotations

import html as html_module
import re
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from domain import clock
from domain.accounts.rules import SYSTEM, Role
from domain.accounts.sessions import GENERIC_FAILURE
from domain.board import service as board
from domain.board.schemas import EscalationCreate, MeetingCreate
from domain.complaints import service as complaints
from domain.complaints.rules import DEFAULT_RULES
from domain.complaints.schemas import ComplaintReviewCreate
from domain.demo import SeedReport, seed_reference
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import ALLEGATION_CATEGORIES, BOARD_KINDS, TOPICS
from tests.conftest import make_user, sign_in
from tests.web.conftest import csrf, value_of

ADMIN_LINKS = ["/admin/users", "/admin/tokens", "/admin/reference", "/admin/audit"]


def test_navigation_shows_admin_links_only_to_an_admin(admin, staff):
    admin_home = admin.get("/").text
    staff_home = staff.get("/").text
    for href in ADMIN_LINKS:
        assert f'class="govuk-service-navigation__link" href="{href}"' in admin_home
        assert href not in staff_home
    assert 'class="govuk-service-navigation__link" href="/"' in staff_home


def test_the_current_section_is_marked_in_the_navigation(admin):
    page = admin.get("/admin/tokens/new").text
    assert 'href="/admin/tokens" aria-current="page"' in page
    assert 'href="/admin/users" aria-current="page"' not in page


def test_the_404_page_is_a_styled_html_page(admin, client):
    for who in (admin, client):
        response = who.get("/no-such-page")
        assert response.status_code == 404
        assert "text/html" in response.headers["content-type"]
        assert '<h1 class="govuk-heading-l">Page not found</h1>' in response.text
        assert (
            '<link rel="stylesheet" href="/static/govuk/govuk-frontend.min.css">' in response.text
        )
        assert "check it is correct" in response.text


def test_a_wrong_password_shows_only_the_generic_message(client, session):
    make_user(session, Role.VIEWER, email="viewer@test.example")
    answers = []
    for email, password in [
        ("viewer@test.example", "wrong password entirely"),
        ("nobody@test.example", "wrong password entirely"),
    ]:
        page = client.get("/sign-in")
        token = page.text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        response = client.post(
            "/sign-in", data={"email": email, "password": password, "csrf_token": token}
        )
        assert response.status_code == 401
        assert "There is a problem" in response.text
        assert GENERIC_FAILURE in response.text
        assert 'value="wrong password entirely"' not in response.text
        answers.append(response.text.replace(email, "EMAIL"))
    # an unknown address and a wrong password look the same
    assert _error_list(answers[0]) == _error_list(answers[1])


def _error_list(html: str) -> str:
    return html.split('class="govuk-list govuk-error-summary__list"', 1)[1].split("</ul>", 1)[0]


def test_signing_out_ends_the_session(web_as):
    viewer = web_as(Role.VIEWER)
    response = viewer.post("/sign-out", data={"csrf_token": csrf(viewer)}, follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in"
    assert "You have signed out" in viewer.get("/sign-in").text
    after = viewer.get("/", follow_redirects=False)
    assert after.status_code == 303
    assert after.headers["location"].startswith("/sign-in")


def test_signing_out_everywhere_ends_the_other_sessions(app, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    with TestClient(app) as laptop, TestClient(app) as phone:
        sign_in(laptop, user.email)
        sign_in(phone, user.email)
        assert phone.get("/", follow_redirects=False).status_code == 200
        response = laptop.post(
            "/sign-out",
            data={"csrf_token": csrf(laptop), "everywhere": "yes"},
            follow_redirects=False,
        )
        assert response.status_code == 303
        assert "You have signed out on every device" in laptop.get("/sign-in").text
        for device in (laptop, phone):
            gone = device.get("/", follow_redirects=False)
            assert gone.status_code == 303
            assert gone.headers["location"].startswith("/sign-in")


def test_signing_out_here_only_keeps_the_other_sessions(app, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    with TestClient(app) as laptop, TestClient(app) as phone:
        sign_in(laptop, user.email)
        sign_in(phone, user.email)
        laptop.post("/sign-out", data={"csrf_token": csrf(laptop)})
        assert laptop.get("/", follow_redirects=False).status_code == 303
        assert phone.get("/", follow_redirects=False).status_code == 200


def test_a_deactivated_user_is_signed_out_at_once(admin, web_as, user_by_email):
    viewer = web_as(Role.VIEWER)
    assert viewer.get("/", follow_redirects=False).status_code == 200
    record = user_by_email("viewer@test.example")
    admin.post(
        f"/admin/users/{record.id}/status",
        data={"csrf_token": csrf(admin), "version": str(record.version), "active": "no"},
    )
    assert viewer.get("/", follow_redirects=False).status_code == 303


# ---------------------------------------------------------------------------------------------
# The header: who is signed in, in words, with the Sign out button beside


def header_of(page: str) -> str:
    return page.split("<header", 1)[1].split("</header>", 1)[0]


def test_the_header_names_the_person_and_their_role_beside_sign_out(app, session):
    user = make_user(session, Role.COMPLAINTS_REVIEWER, name="Riley Reviewer")
    with TestClient(app) as browser:
        sign_in(browser, user.email)
        for path in ("/", "/no-such-page"):
            header = header_of(browser.get(path).text)
            assert "Riley Reviewer" in header, path
            assert "Complaints reviewer" in header, path
            assert user.email not in header, path
            assert '<form method="post" action="/sign-out"' in header, path
            assert ">Sign out</button>" in header, path
    page = browser.get("/").text
    assert "moj-identity-bar" not in page
    assert user.email not in page.split("</header>", 1)[1]


def test_the_header_has_no_account_for_someone_not_signed_in(client):
    header = header_of(client.get("/sign-in").text)
    assert "Sign out" not in header
    assert "oversight-account" not in header


def test_the_icon_is_served_where_browsers_look_for_it(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert response.text.startswith("<svg")


# ---------------------------------------------------------------------------------------------
# Forms on the board, engagement and complaint review pages: every problem in one answer


TOO_LONG = "x" * 10_001  # over every free-text field's limit


def errors_in(page: str) -> dict[str, str]:
    """The error summary as {field id: message} (a message with no field under "")."""
    summary = page.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    found = {}
    for item in summary.split("<li>")[1:]:
        link = re.search(r'href="#([^"]+)"', item)
        found[link[1] if link else ""] = html_module.unescape(re.sub(r"<[^>]+>", "", item)).strip()
    return found


def post(client: TestClient, path: str, data: dict[str, str]) -> Any:
    return client.post(path, data={"csrf_token": csrf(client), **data})


@pytest.fixture
def board_ids(session: Session) -> dict[str, int]:
    """A board meeting and an escalation awaiting the Force, with their reference data."""
    seed_reference(session, SeedReport(created={}), now=clock.now())
    for kind, code, record in (
        (BOARD_KINDS, "cgb", ref.BoardKindCreate(code="cgb", name="Corporate Governance Board")),
        (TOPICS, "call-handling", ref.TopicCreate(code="call-handling", name="999 calls")),
    ):
        if code not in {r.code for r in reference.active_records(session, kind)}:
            reference.create_record(session, SYSTEM, kind, record, now=clock.now())
    today = clock.today()
    meeting = board.create_meeting(
        session,
        SYSTEM,
        MeetingCreate(held_on=today + timedelta(days=30), kind="cgb", title="Board"),
        now=clock.now(),
    )
    escalation = board.create_escalation(
        session,
        SYSTEM,
        EscalationCreate(
            topic="call-handling",
            title="999 performance",
            reason="Below target",
            request="A paper on 999 call handling",
            response_due=today + timedelta(days=14),
            target_meeting_id=meeting.id,
        ),
        now=clock.now(),
    )
    assert meeting.id and escalation.id
    return {"meeting": meeting.id, "escalation": escalation.id}


def test_the_meeting_action_form_reports_its_length_limit_with_the_other_problems(
    web_as, board_ids
):
    staff = web_as(Role.OPCC_STAFF)
    response = post(
        staff,
        f"/board-meetings/{board_ids['meeting']}/actions",
        {"about": "nothing-known", "title": "", "owner_org": "", "owner_name": "y" * 201},
    )
    assert response.status_code == 422
    assert set(errors_in(response.text)) >= {
        "about",
        "title",
        "owner_org",
        "owner_name",
        "due_on",
    }, errors_in(response.text)


def test_the_force_response_reports_its_length_limit_with_a_bad_link(web_as, board_ids):
    liaison = web_as(Role.FORCE_LIAISON)
    response = post(
        liaison,
        f"/escalations/{board_ids['escalation']}/force-response",
        {"response": TOO_LONG, "links": "not a web address"},
    )
    assert response.status_code == 422
    errors = errors_in(response.text)
    assert set(errors) == {"response", "links"}, errors
    assert re.fullmatch(r"Response must be 10,?000 characters or fewer", errors["response"])


def test_a_new_debrief_reports_every_problem_of_the_engagement_at_once(web_as, board_ids):
    staff = web_as(Role.OPCC_STAFF)
    response = post(
        staff,
        "/engagements/new",
        {"kind": "community_day", "lead": "pcc", "area": "", "ward": "w" * 201},
    )
    assert response.status_code == 422
    assert set(errors_in(response.text)) >= {"held_on", "area", "ward"}, errors_in(response.text)


@pytest.fixture
def review_id(session: Session) -> int:
    """An open complaint review received ten days ago."""
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
    received = clock.today() - timedelta(days=10)
    review = complaints.create_review(
        session,
        SYSTEM,
        ComplaintReviewCreate(
            force_ref="CO/1/24",
            outcome_sent_on=received - timedelta(days=5),
            received_on=received,
            categories=["use-of-force"],
            complainant={"name": "Alex Example", "contact": "1 High Street", "narrative": "n"},
        ),
        now=clock.now(),
        rules=DEFAULT_RULES,
    )
    assert review.id is not None
    return review.id


def test_a_contact_note_over_the_limit_is_a_field_error_beside_the_others(web_as, review_id):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    response = post(
        reviewer,
        f"/complaint-reviews/{review_id}/contacts",
        {"method": "", "contact_note": TOO_LONG},
    )
    assert response.status_code == 422
    errors = errors_in(response.text)
    assert set(errors) == {"contacted_on", "method", "contact_note"}, errors
    assert "10,000 characters or fewer" in errors["contact_note"]


def test_the_decision_reports_over_long_reasons_with_a_missing_outcome(web_as, review_id):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    version = value_of(reviewer.get(f"/complaint-reviews/{review_id}").text, "version")
    response = post(
        reviewer,
        f"/complaint-reviews/{review_id}/decision",
        {"version": version, "outcome": "", "reasons": TOO_LONG, "rec-1-text": TOO_LONG},
    )
    assert response.status_code == 422
    errors = errors_in(response.text)
    assert {"outcome", "reasons", "rec-1-text"} <= set(errors), errors
    assert "10,000 characters or fewer" in errors["reasons"]


def test_a_pre_election_period_reports_a_long_name_with_a_missing_start(admin):
    response = post(admin, "/admin/pre-election-periods/new", {"label": "p" * 201})
    assert response.status_code == 422
    errors = errors_in(response.text)
    assert set(errors) == {"label", "starts_on"}, errors


def test_an_escalation_opened_from_the_force_inbox_leads_back_to_it(web_as, board_ids):
    liaison = web_as(Role.FORCE_LIAISON)
    path = f"/escalations/{board_ids['escalation']}"
    back = re.compile(r'<nav aria-label="Back">.*?href="([^"]+)"', re.S)
    assert back.findall(liaison.get(f"{path}?from=inbox").text) == ["/force-inbox"]
    assert back.findall(liaison.get(path).text) == ["/escalations"]


def test_a_withdrawal_reason_over_the_limit_is_a_field_error_not_a_failure(web_as, review_id):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    version = value_of(reviewer.get(f"/complaint-reviews/{review_id}").text, "version")
    response = post(
        reviewer,
        f"/complaint-reviews/{review_id}/transitions",
        {"version": version, "which": "withdraw", "withdraw_note": TOO_LONG},
    )
    assert response.status_code == 422
    errors = errors_in(response.text)
    assert set(errors) == {"withdraw_note"}, errors
    assert "10,000 characters or fewer" in errors["withdraw_note"]
