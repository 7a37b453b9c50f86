"""The board pages (issue 9) through the real sign-in: every page for every role that reads
the board, the forms (every problem reported at once, the input kept, nothing saved), each
form shown only to roles that may submit it and refused (403, nothing changed) to the rest,
and the meeting page's inline action: an htmx fragment, or POST-redirect-GET without it."""

from __future__ import annotations

import html as html_module
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from domain import clock
from domain.accounts.rules import SYSTEM, Role
from domain.actions.tables import Action
from domain.board import service as board
from domain.board.schemas import (
    EscalationCreate,
    ExceptionItemIn,
    ExceptionReportCreate,
    MeetingCreate,
    MonitoringCreate,
)
from domain.board.tables import BoardMeeting, Escalation, ExceptionReport
from domain.demo import SeedReport, seed_reference
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import BOARD_KINDS, TOPICS
from tests.conftest import NOW
from tests.web.conftest import csrf, value_of

TODAY = clock.today()
HTMX = {"HX-Request": "true"}
READERS = [Role.ADMIN, Role.OPCC_STAFF, Role.COMPLAINTS_REVIEWER, Role.FORCE_LIAISON, Role.VIEWER]
WRITERS = [Role.ADMIN, Role.OPCC_STAFF, Role.COMPLAINTS_REVIEWER]


def _ensure(db: Session, kind: Any, code: str, name: str, schema: Any) -> None:
    existing = {r.code for r in reference.active_records(db, kind)}
    if code not in existing:
        reference.create_record(db, SYSTEM, kind, schema(code=code, name=name), now=NOW)


@pytest.fixture
def ids(session: Session) -> dict[str, int]:
    """A planned CGB with an agenda, an exception report of two items for it, an escalation
    awaiting the Force and a monitoring item whose review is overdue."""
    seed_reference(session, SeedReport(created={}), now=NOW)
    _ensure(session, BOARD_KINDS, "cgb", "Corporate Governance Board", ref.BoardKindCreate)
    _ensure(session, TOPICS, "call-handling", "999 call handling", ref.TopicCreate)
    meeting = board.create_meeting(
        session,
        SYSTEM,
        MeetingCreate(
            held_on=TODAY + timedelta(days=30),
            kind="cgb",
            title="Corporate Governance Board",
            chair="Police and Crime Commissioner",
            attendees=["Chief Constable", "Chief Executive"],
            agenda=["999 performance", "Rape performance"],
        ),
        now=NOW,
    )
    report = board.create_report(
        session,
        SYSTEM,
        ExceptionReportCreate(
            reported_on=TODAY,
            prepared_by="OPCC Performance Lead",
            title="KPI exception report",
            meeting_id=meeting.id,
            items=[
                ExceptionItemIn(
                    topic="call-handling",
                    kpi_evidence="999 calls answered within 10 seconds",
                    value=6,
                    target=8,
                    baseline=3.4,
                    unit="%",
                    period="April to December",
                    recommendation="escalate",
                    reasoning="Below target for three months",
                ),
                ExceptionItemIn(
                    topic="call-handling",
                    kpi_evidence="101 calls answered within 2 minutes",
                    value=73.7,
                    target=75,
                    unit="%",
                    recommendation="monitor",
                    reasoning="Close to target",
                ),
            ],
        ),
        now=NOW,
    )
    escalation = board.create_escalation(
        session,
        SYSTEM,
        EscalationCreate(
            topic="call-handling",
            title="999 performance",
            reason="Below target",
            request="Bring a paper on 999 call handling",
            response_due=TODAY + timedelta(days=14),
            target_meeting_id=meeting.id,
        ),
        now=NOW,
    )
    watched = board.create_monitoring(
        session,
        SYSTEM,
        MonitoringCreate(
            topic="call-handling",
            title="Response times",
            reason="Watch for a quarter",
            next_review_on=TODAY - timedelta(days=3),
        ),
        now=NOW,
    )
    assert meeting.id and report.id and escalation.id and watched.id
    items = board.get_report(session, SYSTEM, report.id).items
    return {
        "meeting": meeting.id,
        "report": report.id,
        "item": items[0].id,
        "monitor_item": items[1].id,
        "escalation": escalation.id,
        "monitoring": watched.id,
    }


def pages(ids: dict[str, int]) -> list[str]:
    return [
        "/board-meetings",
        "/board-meetings?kind=cgb",
        f"/board-meetings/{ids['meeting']}",
        "/exception-reports",
        f"/exception-reports/{ids['report']}",
        "/escalations",
        "/escalations?status=awaiting_response",
        f"/escalations/{ids['escalation']}",
        "/monitoring-items",
    ]


def errors_in(html: str) -> list[str]:
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [
        html_module.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in summary.split("<li>")[1:]
    ]


def date_fields(name: str, day: Any) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def escalation_status(database: Any, ident: int) -> str:
    with database.session() as s:
        found = s.get(Escalation, ident)
        assert found is not None
        return str(found.status)


# ---------------------------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize("role", READERS)
def test_every_board_page_renders_for_every_role_that_reads_the_board(web_as, ids, role):
    client = web_as(role)
    for path in pages(ids):
        page = client.get(path)
        assert page.status_code == 200, (role, path, page.text[:300])
        assert page.text.count("<h1") == 1
        assert '<a class="govuk-service-navigation__link" href="/board-meetings"' in page.text
        assert 'aria-current="page"' in page.text  # the Board entry is the current one


def test_the_list_highlights_the_next_meeting_and_filters_by_kind(web_as, ids, session):
    _ensure(session, BOARD_KINDS, "ethics-transparency", "Ethics Panel", ref.BoardKindCreate)
    board.create_meeting(
        session,
        SYSTEM,
        MeetingCreate(held_on=TODAY - timedelta(days=5), kind="ethics-transparency", title="EP"),
        now=NOW,
    )
    viewer = web_as(Role.VIEWER)
    page = viewer.get("/board-meetings").text
    next_box = page.split('id="next-meeting"', 1)[1].split("</div>", 1)[0]
    assert f'href="/board-meetings/{ids["meeting"]}"' in next_box and "Next meeting" in next_box
    assert "EP" in page and "Corporate Governance Board" in page
    only_cgb = viewer.get("/board-meetings?kind=cgb").text
    results = only_cgb.split('id="meeting-results"', 1)[1]
    assert ">EP<" not in results and "Corporate Governance Board" in results
    fragment = viewer.get("/board-meetings?kind=ethics-transparency", headers=HTMX)
    assert "<html" not in fragment.text and fragment.text.strip().startswith('<div id="meeting-')
    bad = viewer.get("/board-meetings?kind=nonsense")
    assert bad.status_code == 200 and "Choose a kind of meeting that is in the list" in bad.text


def test_the_meeting_page_shows_agenda_escalations_with_responses_and_actions(web_as, ids, session):
    liaison = web_as(Role.FORCE_LIAISON)
    token = csrf(liaison)
    liaison.post(
        f"/escalations/{ids['escalation']}/force-response",
        data={"csrf_token": token, "response": "A paper on call handling is attached"},
    )
    page = web_as(Role.VIEWER).get(f"/board-meetings/{ids['meeting']}").text
    assert "999 performance</li>" in page and "Rape performance</li>" in page
    assert "Bring a paper on 999 call handling" in page
    assert "A paper on call handling is attached" in page
    assert "Response received" in page
    assert "No actions have been captured at this meeting yet." in page
    assert 'action="/board-meetings/' not in page  # a viewer adds no action


def test_the_report_page_draws_each_items_figures_with_a_text_alternative(web_as, ids):
    page = web_as(Role.VIEWER).get(f"/exception-reports/{ids['report']}").text
    assert page.count('role="img"') == 2
    assert '<title id="chart-' in page and '<desc id="chart-' in page
    assert "Now 6%, against a target of 8%, from a baseline of 3.4% (April to December)." in page
    assert '<td class="govuk-table__cell govuk-table__cell--numeric">3.4%</td>' in page
    assert "Escalate" in page and "Monitor" in page  # the recommendations, as words
    assert "/items/" not in page  # a viewer gets no escalate or monitor buttons


# ---------------------------------------------------------------------------------------------
# Who sees which form, and who is refused


def test_each_escalation_form_is_shown_only_to_roles_that_may_submit_it(web_as, ids):
    path = f"/escalations/{ids['escalation']}"
    liaison = web_as(Role.FORCE_LIAISON).get(path).text
    assert "/force-response" in liaison and "Send response" in liaison
    assert "/transitions" not in liaison
    staff = web_as(Role.OPCC_STAFF).get(path).text
    assert "/force-response" not in staff and "/transitions" not in staff  # awaiting the Force
    viewer = web_as(Role.VIEWER).get(path).text
    assert '<form method="post" action="/escalations' not in viewer


@pytest.mark.parametrize("role", [Role.FORCE_LIAISON, Role.VIEWER])
def test_roles_that_do_not_write_the_board_are_refused_its_forms(
    web_as, ids, database, count, role
):
    client = web_as(role)
    token = csrf(client)
    for path in (
        "/board-meetings/new",
        f"/board-meetings/{ids['meeting']}/edit",
        "/exception-reports/new",
        f"/exception-reports/{ids['report']}/items/{ids['item']}/escalate",
        f"/exception-reports/{ids['report']}/items/{ids['item']}/monitor",
        f"/monitoring-items/{ids['monitoring']}/escalate",
    ):
        page = client.get(path)
        assert page.status_code == 403, (role, path)
        assert '<form method="post" action="/board' not in page.text
        assert 'name="csrf_token"' in page.text  # only the sign-out form
        assert page.text.count("<form") == 1
    before = (count(BoardMeeting), count(ExceptionReport), count(Escalation), count(Action))
    posts = {
        "/board-meetings/new": {"title": "X", "kind": "cgb", "status": "planned"},
        f"/board-meetings/{ids['meeting']}/actions": {"title": "X", "owner_org": "force"},
        f"/exception-reports/{ids['report']}/items/{ids['item']}/escalate": {"request": "X"},
        f"/escalations/{ids['escalation']}/transitions": {"to": "discussed", "version": "1"},
    }
    for path, form in posts.items():
        response = client.post(path, data={**form, "csrf_token": token}, follow_redirects=False)
        assert response.status_code == 403, (role, path, response.status_code)
    after = (count(BoardMeeting), count(ExceptionReport), count(Escalation), count(Action))
    assert after == before
    assert escalation_status(database, ids["escalation"]) == "awaiting_response"


def test_staff_cannot_write_the_forces_response(web_as, ids, database):
    staff = web_as(Role.OPCC_STAFF)
    response = staff.post(
        f"/escalations/{ids['escalation']}/force-response",
        data={"csrf_token": csrf(staff), "response": "Written by the OPCC"},
        follow_redirects=False,
    )
    assert response.status_code == 403
    assert escalation_status(database, ids["escalation"]) == "awaiting_response"


# ---------------------------------------------------------------------------------------------
# Forms: every problem at once, input kept, nothing saved


def test_the_meeting_form_reports_every_problem_at_once_and_keeps_the_input(web_as, ids, count):
    staff = web_as(Role.OPCC_STAFF)
    before = count(BoardMeeting)
    response = staff.post(
        "/board-meetings/new",
        data={
            "csrf_token": csrf(staff),
            "held_on-day": "31",
            "held_on-month": "2",
            "held_on-year": "2024",
            "chair": "Police and Crime Commissioner",
            "agenda": "First item\nSecond item",
            "next_meeting_on-day": "x",
        },
    )
    assert response.status_code == 422
    assert errors_in(response.text) == [
        "Date must be a real date",
        "Select the kind of meeting",
        "Enter a title for the meeting",
        "Select whether the meeting is planned or held",
        "Next meeting must include a month and year",
    ]
    assert value_of(response.text, "chair") == "Police and Crime Commissioner"
    assert "First item\nSecond item</textarea>" in response.text
    assert response.text.startswith("<!DOCTYPE html>") and "<title>Error: " in response.text
    assert count(BoardMeeting) == before


def test_staff_add_and_change_a_meeting(web_as, ids, load):
    staff = web_as(Role.OPCC_STAFF)
    fields = {
        "csrf_token": csrf(staff),
        "kind": "cgb",
        "title": "CGB, July",
        "status": "planned",
        "agenda": "Finance\nEstates",
        **date_fields("held_on", TODAY + timedelta(days=60)),
    }
    made = staff.post("/board-meetings/new", data=fields, follow_redirects=False)
    assert made.status_code == 303
    path = made.headers["location"]
    page = staff.get(path).text
    assert "CGB, July has been added" in page and "Finance</li>" in page
    edit = staff.get(f"{path}/edit").text
    assert value_of(edit, "title") == "CGB, July"
    changed = staff.post(
        f"{path}/edit",
        data={**fields, "title": "CGB, August", "version": value_of(edit, "version")},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert load(BoardMeeting, int(path.rsplit("/", 1)[1])).title == "CGB, August"


def test_the_report_form_reports_every_item_problem_and_saves_a_full_report(web_as, ids, count):
    staff = web_as(Role.OPCC_STAFF)
    token = csrf(staff)
    before = count(ExceptionReport)
    bad = staff.post(
        "/exception-reports/new",
        data={
            "csrf_token": token,
            "prepared_by": "OPCC Performance Lead",
            "item-1-kpi_evidence": "Positive outcomes for rape",
            "item-1-value": "six",
            "item-2-topic": "call-handling",
        },
    )
    assert bad.status_code == 422
    assert errors_in(bad.text) == [
        "Enter a title for the report",
        "Enter the date of the report",
        "Select the topic of item 1",
        "Item 1 value must be a number, like 73.7",
        "Select the recommendation for item 1",
        "Enter the reasoning for item 1",
        "Enter the KPI evidence for item 2",
        "Select the recommendation for item 2",
        "Enter the reasoning for item 2",
    ]
    assert value_of(bad.text, "item-1-value") == "six"
    assert count(ExceptionReport) == before
    good = staff.post(
        "/exception-reports/new",
        data={
            "csrf_token": token,
            "title": "Exception report for May",
            "prepared_by": "OPCC Performance Lead",
            "meeting_id": str(ids["meeting"]),
            **date_fields("reported_on", TODAY),
            "item-1-topic": "call-handling",
            "item-1-kpi_evidence": "Positive outcomes",
            "item-1-value": "6",
            "item-1-target": "8%",
            "item-1-baseline": "3.4",
            "item-1-unit": "%",
            "item-1-recommendation": "escalate",
            "item-1-reasoning": "Below target",
        },
        follow_redirects=False,
    )
    assert good.status_code == 303, good.text[:2000]
    page = staff.get(good.headers["location"]).text
    assert "Exception report for May has been added" in page
    assert "Now 6%, against a target of 8%, from a baseline of 3.4%." in page
    assert count(ExceptionReport) == before + 1


def test_staff_escalate_an_item_and_monitor_another(web_as, ids, count, database):
    staff = web_as(Role.OPCC_STAFF)
    token = csrf(staff)
    report = f"/exception-reports/{ids['report']}"
    page = staff.get(report).text
    assert f"{report}/items/{ids['item']}/escalate" in page
    form = staff.get(f"{report}/items/{ids['item']}/escalate").text
    assert "Below target for three months</textarea>" in form  # the reasoning, to edit
    before = count(Escalation)
    bad = staff.post(
        f"{report}/items/{ids['item']}/escalate",
        data={"csrf_token": token, "request": " ", "response_due-day": "40"},
    )
    assert bad.status_code == 422
    assert errors_in(bad.text) == [
        "Enter what the Force is asked for",
        "Response due must include a month and year",
    ]
    assert count(Escalation) == before
    done = staff.post(
        f"{report}/items/{ids['item']}/escalate",
        data={
            "csrf_token": token,
            "request": "Bring a recovery plan",
            "target_meeting_id": str(ids["meeting"]),
            **date_fields("response_due", TODAY + timedelta(days=21)),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    escalation = staff.get(done.headers["location"]).text
    assert "has been sent to the Force" in escalation and "Bring a recovery plan" in escalation
    assert f'href="{report}#item-{ids["item"]}">KPI exception report (' in escalation
    assert count(Escalation) == before + 1
    watched = staff.post(
        f"{report}/items/{ids['monitor_item']}/monitor",
        data={"csrf_token": token, "reason": "Close to target"},
    )
    assert watched.status_code == 422
    assert errors_in(watched.text) == ["Enter the next review"]
    done = staff.post(
        f"{report}/items/{ids['monitor_item']}/monitor",
        data={
            "csrf_token": token,
            "reason": "Close to target",
            **date_fields("next_review_on", TODAY + timedelta(days=90)),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/monitoring-items"
    after = staff.get(report).text
    assert f"{report}/items/" not in after  # both items are dealt with: no more buttons
    assert "Under monitoring" in after and "Escalated" in after


def test_the_escalation_lifecycle_through_its_forms(web_as, ids, database, count):
    path = f"/escalations/{ids['escalation']}"
    liaison = web_as(Role.FORCE_LIAISON)
    empty = liaison.post(
        f"{path}/force-response",
        data={"csrf_token": csrf(liaison), "response": "", "links": "not a link"},
    )
    assert empty.status_code == 422
    assert errors_in(empty.text) == [
        "Enter the Force's response",
        "Link 1 must be a web address starting with https://, one on each line",
    ]
    assert "not a link</textarea>" in empty.text
    answered = liaison.post(
        f"{path}/force-response",
        data={
            "csrf_token": csrf(liaison),
            "response": "Paper attached",
            "links": "https://example.org/paper",
        },
        follow_redirects=False,
    )
    assert answered.status_code == 303
    assert escalation_status(database, ids["escalation"]) == "response_received"
    again = liaison.post(
        f"{path}/force-response", data={"csrf_token": csrf(liaison), "response": "More"}
    )
    assert again.status_code in (403, 409)  # no form any more; the domain says no

    staff = web_as(Role.OPCC_STAFF)
    token = csrf(staff)
    page = staff.get(path).text
    assert "Record discussion" in page and "Force response" in page
    assert "https://example.org/paper" in page
    version = value_of(page, "version")
    bad = staff.post(
        f"{path}/transitions", data={"csrf_token": token, "to": "discussed", "version": version}
    )
    assert bad.status_code == 422 and errors_in(bad.text) == ["Enter what the board discussed"]
    discussed = staff.post(
        f"{path}/transitions",
        data={
            "csrf_token": token,
            "to": "discussed",
            "version": version,
            "note": "The board heard the paper",
            "pcc_response": "The Commissioner welcomed the plan",
        },
        headers=HTMX,
    )
    assert discussed.status_code == 200
    assert discussed.text.strip().startswith('<div id="escalation-detail">')
    assert "The discussion has been recorded" in discussed.text
    assert escalation_status(database, ids["escalation"]) == "discussed"

    version = value_of(staff.get(path).text, "version")
    follow = staff.post(
        f"{path}/transitions",
        data={"csrf_token": token, "to": "follow_up", "version": version},
    )
    assert follow.status_code == 422
    assert errors_in(follow.text) == [
        "Enter the new response due date",
        "Enter what the Force is asked for now",
    ] or errors_in(follow.text) == [
        "Enter what the Force is asked for now",
        "Enter the new response due date",
    ]
    closing = staff.post(
        f"{path}/transitions",
        data={"csrf_token": token, "to": "closed", "version": version, "close_note": "x"},
    )
    assert closing.status_code == 422 and errors_in(closing.text) == ["Enter the outcome"]
    assert "x</textarea>" in closing.text
    assert escalation_status(database, ids["escalation"]) == "discussed"
    closed = staff.post(
        f"{path}/transitions",
        data={
            "csrf_token": token,
            "to": "closed",
            "version": version,
            "outcome": "Improvement plan accepted",
        },
        follow_redirects=False,
    )
    assert closed.status_code == 303
    assert escalation_status(database, ids["escalation"]) == "closed"
    final = staff.get(path).text
    assert "The escalation is closed" in final and "This escalation is closed." in final
    timeline = final.split('class="moj-timeline"', 1)[1]
    for title in ("Closed", "Discussed at the board", "Force response", "Escalated to the Force"):
        assert f'<h3 class="moj-timeline__title">{title}</h3>' in timeline
    stale = staff.post(
        f"{path}/transitions",
        data={"csrf_token": token, "to": "closed", "version": version, "outcome": "Again"},
    )
    assert stale.status_code == 409


def test_a_follow_up_returns_the_escalation_to_the_force(web_as, ids, database):
    path = f"/escalations/{ids['escalation']}"
    liaison = web_as(Role.FORCE_LIAISON)
    liaison.post(f"{path}/force-response", data={"csrf_token": csrf(liaison), "response": "P"})
    staff = web_as(Role.OPCC_STAFF)
    token = csrf(staff)
    version = value_of(staff.get(path).text, "version")
    staff.post(
        f"{path}/transitions",
        data={"csrf_token": token, "to": "discussed", "version": version, "note": "Heard"},
    )
    version = value_of(staff.get(path).text, "version")
    response = staff.post(
        f"{path}/transitions",
        data={
            "csrf_token": token,
            "to": "follow_up",
            "version": version,
            "follow_up_note": "A further paper in four months",
            **date_fields("response_due", TODAY + timedelta(days=120)),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert escalation_status(database, ids["escalation"]) == "awaiting_response"
    assert "Send response" in liaison.get(path).text
    awaiting = staff.get("/escalations?status=awaiting_response").text
    assert '<h1 class="govuk-heading-l">Awaiting the Force</h1>' in awaiting
    assert f'href="/escalations/{ids["escalation"]}"' in awaiting


# ---------------------------------------------------------------------------------------------
# The inline action on the meeting page


def test_an_action_added_with_htmx_comes_back_as_the_actions_fragment(web_as, ids, count):
    staff = web_as(Role.OPCC_STAFF)
    path = f"/board-meetings/{ids['meeting']}"
    page = staff.get(path).text
    assert f'hx-post="{path}/actions" hx-target="#meeting-actions"' in page
    assert f'<form method="post" action="{path}/actions"' in page  # the no-JS fallback
    token = csrf(staff)
    before = count(Action)
    bad = staff.post(
        f"{path}/actions",
        data={"csrf_token": token, "about": "meeting", "owner_name": "OPCC comms lead"},
        headers=HTMX,
    )
    assert bad.status_code == 422
    assert "<html" not in bad.text and bad.text.strip().startswith('<div id="meeting-actions">')
    assert errors_in(bad.text) == [
        "Enter the action agreed",
        "Select the organisation that owns the action",
        "Enter the due date",
    ]
    assert value_of(bad.text, "owner_name") == "OPCC comms lead"
    assert count(Action) == before
    good = staff.post(
        f"{path}/actions",
        data={
            "csrf_token": token,
            "about": "meeting",
            "title": "Agree what can be shared with officers",
            "owner_org": "opcc",
            "owner_name": "OPCC comms lead",
            **date_fields("due_on", TODAY + timedelta(days=30)),
        },
        headers=HTMX,
    )
    assert good.status_code == 200
    assert good.text.strip().startswith('<div id="meeting-actions">')
    assert "Agree what can be shared with officers" in good.text and "has been added" in good.text
    assert value_of(good.text, "title") == ""  # a fresh form for the next action
    assert count(Action) == before + 1
    assert good.headers["vary"] == "HX-Request"


def test_without_javascript_the_action_form_posts_and_redirects(web_as, ids, count, session):
    staff = web_as(Role.OPCC_STAFF)
    path = f"/board-meetings/{ids['meeting']}"
    token = csrf(staff)
    bad = staff.post(f"{path}/actions", data={"csrf_token": token, "about": "meeting"})
    assert bad.status_code == 422 and bad.text.startswith("<!DOCTYPE html>")
    assert "Enter the action agreed" in bad.text
    response = staff.post(
        f"{path}/actions",
        data={
            "csrf_token": token,
            "about": str(ids["escalation"]),
            "title": "Force to bring a full business case to the May board",
            "owner_org": "force",
            **date_fields("due_on", TODAY + timedelta(days=45)),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"{path}#actions"
    page = staff.get(path).text
    assert "has been added" in page
    assert "Force to bring a full business case to the May board" in page
    about_escalation = staff.get(f"/escalations/{ids['escalation']}").text
    assert "Force to bring a full business case to the May board" in about_escalation
    unknown = staff.post(
        f"{path}/actions",
        data={"csrf_token": token, "about": "999999", "title": "X", "owner_org": "force"},
    )
    assert unknown.status_code == 422 and "Select what the action is about" in unknown.text


def test_monitoring_items_tag_an_overdue_review_and_escalate_later(web_as, ids, count):
    staff = web_as(Role.OPCC_STAFF)
    page = staff.get("/monitoring-items").text
    row = page.split(f'id="monitoring-{ids["monitoring"]}"', 1)[1].split("</tr>", 1)[0]
    assert "Review overdue" in row and f"/monitoring-items/{ids['monitoring']}/escalate" in row
    before = count(Escalation)
    done = staff.post(
        f"/monitoring-items/{ids['monitoring']}/escalate",
        data={
            "csrf_token": csrf(staff),
            "request": "Explain the response times",
            **date_fields("response_due", TODAY + timedelta(days=14)),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and count(Escalation) == before + 1
    row = staff.get("/monitoring-items").text.split(f'id="monitoring-{ids["monitoring"]}"', 1)[1]
    assert done.headers["location"] in row.split("</tr>", 1)[0]


def test_the_force_inbox_lists_an_escalation_awaiting_the_force(web_as, ids):
    inbox = web_as(Role.FORCE_LIAISON).get("/force-inbox").text
    link = f'href="/escalations/{ids["escalation"]}?from=inbox"'
    assert link in inbox
    row = inbox.split(link, 1)[1].split("</tr>", 1)[0]
    assert "Awaiting the Force" in row and "awaiting_response" not in row


def test_a_nul_character_in_any_board_form_is_refused_not_a_server_error(web_as, ids, count):
    staff = web_as(Role.ADMIN)
    token = csrf(staff)
    before = (count(BoardMeeting), count(ExceptionReport), count(Escalation), count(Action))
    posts = {
        "/board-meetings/new": {"title": "A\x00", "kind": "cgb\x00", "status": "planned"},
        f"/board-meetings/{ids['meeting']}/actions": {"title": "X", "owner_org": "force\x00"},
        "/exception-reports/new": {"title": "R", "item-1-topic": "call-handling\x00"},
        f"/exception-reports/{ids['report']}/items/{ids['item']}/escalate": {"request": "\x00"},
        f"/escalations/{ids['escalation']}/force-response": {"response": "\x00"},
        f"/monitoring-items/{ids['monitoring']}/escalate": {"request": "a\x00b"},
    }
    for path, form in posts.items():
        response = staff.post(path, data={**form, "csrf_token": token})
        assert response.status_code == 422, (path, response.status_code)
        assert "the nul character" in response.text, path
    after = (count(BoardMeeting), count(ExceptionReport), count(Escalation), count(Action))
    assert after == before
