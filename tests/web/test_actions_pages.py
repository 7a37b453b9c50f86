"""The action pages, the Force inbox and Home's action counts, through the real sign-in:
the list and its htmx fragment, the forms, the timeline, and who may see and do what."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from domain import clock
from domain.accounts.rules import SYSTEM, Role
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.schemas import ActionCreate, ActionUpdateCreate
from domain.actions.tables import Action, ActionUpdate
from domain.demo import SeedReport, seed_reference
from tests.conftest import NOW, make_user, sign_in
from tests.web.conftest import csrf, value_of

TODAY = clock.today()
HTMX = {"HX-Request": "true"}
OVERDUE_TAG = '<strong class="govuk-tag govuk-tag--red">Overdue</strong>'
DUE_SOON_TAG = '<strong class="govuk-tag govuk-tag--yellow">Due soon</strong>'


@pytest.fixture(autouse=True)
def llr(session: Session) -> None:
    seed_reference(session, SeedReport(created={}), now=NOW)


@pytest.fixture
def liaison(web_as) -> TestClient:  # type: ignore[no-untyped-def]
    return web_as(Role.FORCE_LIAISON)


@pytest.fixture
def viewer(web_as) -> TestClient:  # type: ignore[no-untyped-def]
    return web_as(Role.VIEWER)


def make_action(session: Session, title: str, *, due_in: int = 10, **fields: Any) -> Action:
    data = {"owner_org": "force", "due_on": TODAY + timedelta(days=due_in), **fields}
    return actions.create_action(session, SYSTEM, ActionCreate(title=title, **data), now=NOW)


def move(session: Session, action: Action, to: str, note: str = "") -> None:
    assert action.id is not None
    fresh = action_queries.get_action(session, SYSTEM, action.id)
    actions.transition_action(
        session,
        SYSTEM,
        action.id,
        to=to,
        note=note,
        expected_version=fresh.version,
        now=NOW,
        today=TODAY,
    )


def refs_in(html: str) -> list[str]:
    """The references of the rows in the order the table shows them."""
    return re.findall(r'href="/actions/\d+(?:\?from=inbox)?">(ACT-\d{4}-\d{4})</a>', html)


def form_fields(**overrides: str) -> dict[str, str]:
    due = TODAY + timedelta(days=30)
    return {
        "title": "Review stop and search body-worn video",
        "detail": "Agreed at the March board",
        "private_note": "Chief Executive asked for this",
        "owner_org": "force",
        "owner_name": "Superintendent, Neighbourhoods",
        "area": "melton",
        "due_on-day": str(due.day),
        "due_on-month": str(due.month),
        "due_on-year": str(due.year),
        "you_said_we_did": "",
        "told_on-day": "",
        "told_on-month": "",
        "told_on-year": "",
        **overrides,
    }


# ---------------------------------------------------------------------------------------------
# The list


def test_the_list_shows_a_count_and_every_row_with_tags_in_words(session, staff):
    late = make_action(session, "Publish the 101 call-back figures", due_in=-3)
    soon = make_action(session, "Brief the Panel on knife crime", due_in=2, owner_org="opcc")
    later = make_action(session, "Refresh the CSP plan", due_in=60, owner_org="csp")
    page = staff.get("/actions")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Actions</h1>' in page.text
    assert '<h2 class="govuk-heading-m" id="action-count">3 actions</h2>' in page.text
    assert sorted(refs_in(page.text)) == sorted([late.ref, soon.ref, later.ref])
    assert page.text.count(OVERDUE_TAG) == 1 and page.text.count(DUE_SOON_TAG) == 1
    assert '<strong class="govuk-tag govuk-tag--blue">Open</strong>' in page.text
    assert 'href="/actions/new"' in page.text and "Add an action" in page.text
    assert '<caption class="govuk-table__caption' in page.text


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=in_progress", ["started"]),
        ("owner_org=opcc", ["ours"]),
        ("overdue=true", ["late"]),
        ("area=melton", ["melton"]),
        ("q=melton", ["melton"]),
        ("outstanding=false", ["finished"]),
    ],
)
def test_filters_narrow_the_list_and_the_count(session, staff, query, expected):
    made = {
        "late": make_action(session, "Late one", due_in=-5),
        "started": make_action(session, "Started one"),
        "ours": make_action(session, "Our own one", owner_org="opcc"),
        "melton": make_action(session, "Melton speeding", area="melton"),
        "finished": make_action(session, "Finished one"),
    }
    move(session, made["started"], "in_progress")
    move(session, made["finished"], "done")
    page = staff.get(f"/actions?{query}")
    assert page.status_code == 200
    assert refs_in(page.text) == [made[name].ref for name in expected]
    noun = "action" if len(expected) == 1 else "actions"
    assert f'id="action-count">{len(expected)} {noun}</h2>' in page.text
    # The chosen filter is shown, with a link that removes it.
    assert "Remove this filter" in page.text


def test_an_htmx_request_gets_only_the_results_block(session, staff):
    action = make_action(session, "Only the fragment")
    response = staff.get("/actions?owner_org=force", headers=HTMX)
    assert response.status_code == 200
    assert "<html" not in response.text and "moj-filter-layout" not in response.text
    assert response.text.strip().startswith('<div id="action-results">')
    assert action.ref in response.text and "1 action<" in response.text
    assert response.headers["vary"] == "HX-Request"
    # Without htmx the same address is the whole page (JavaScript off, or a bookmark).
    full = staff.get("/actions?owner_org=force")
    assert "<html" in full.text and 'id="action-filters"' in full.text
    assert 'hx-get="/actions" hx-target="#action-results"' in full.text


def test_sort_links_order_the_rows_and_mark_the_sorted_column(session, staff):
    middle = make_action(session, "B middle", due_in=20)
    first = make_action(session, "C first", due_in=5)
    last = make_action(session, "A last", due_in=40)

    by_due = staff.get("/actions?sort=due_on").text
    assert refs_in(by_due) == [first.ref, middle.ref, last.ref]
    assert re.search(r'aria-sort="ascending">\s*<a[^>]*href="/actions\?sort=-due_on"', by_due)
    assert by_due.count("aria-sort=") == 1

    latest_first = staff.get("/actions?sort=-due_on").text
    assert refs_in(latest_first) == [last.ref, middle.ref, first.ref]
    assert 'aria-sort="descending"' in latest_first

    by_title = staff.get("/actions?sort=title&owner_org=force").text
    assert refs_in(by_title) == [last.ref, middle.ref, first.ref]
    # Sorting keeps the filters; the filter form carries the sort.
    assert 'href="/actions?owner_org=force&amp;sort=due_on"' in by_title
    assert '<input type="hidden" name="sort" value="title" form="action-filters">' in by_title


def test_next_page_walks_the_whole_list_without_repeats(session, staff):
    made = [make_action(session, f"Action number {n}", due_in=n) for n in range(30)]
    first = staff.get("/actions?sort=due_on&owner_org=force").text
    assert "30 actions" in first
    assert len(refs_in(first)) == 25
    link = re.search(r'href="(/actions\?[^"]*cursor=[^"]+)" rel="next"', first)
    assert link is not None
    second = staff.get(link.group(1).replace("&amp;", "&")).text
    assert 'rel="next"' not in second
    assert "Back to the first page" in second
    assert refs_in(first) + refs_in(second) == [a.ref for a in made]
    # htmx gets the same page of results as a fragment, its "Next page" link included.
    fragment = staff.get("/actions?sort=due_on&owner_org=force", headers=HTMX).text
    assert "<html" not in fragment and refs_in(fragment) == refs_in(first)
    assert 'rel="next"' in fragment and 'hx-target="#action-results"' in fragment


def test_the_csv_link_downloads_exactly_the_filtered_rows(session, staff):
    late = make_action(session, "Late Force one", due_in=-2)
    make_action(session, "Force, not late", due_in=9)
    make_action(session, "Late, not Force", due_in=-2, owner_org="opcc")
    page = staff.get("/actions?owner_org=force&overdue=true&due_after=1/1/2000").text
    link = re.search(r'href="(/api/v1/actions\?format=csv[^"]*)"', page)
    assert link is not None
    url = link.group(1).replace("&amp;", "&")
    assert "owner_org=force" in url and "overdue=true" in url and "due_after=2000-01-01" in url
    download = staff.get(url)
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert [row["ref"] for row in rows] == [late.ref]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("due_after=31/2/2024", "Due on or after must be a real date"),
        ("due_before=soon", "Due before must be a real date"),
        ("status=finished", "Choose a status that is in the list"),
    ],
)
def test_a_bad_filter_is_explained_not_ignored(session, staff, query, message):
    make_action(session, "Anything")
    page = staff.get(f"/actions?{query}")
    assert page.status_code == 200
    assert "There is a problem with the filters" in page.text
    assert message in page.text
    assert refs_in(page.text) == []
    assert page.text.startswith("<!DOCTYPE html>") and "<title>Error: Actions" in page.text


# ---------------------------------------------------------------------------------------------
# Adding and changing


def test_adding_an_action_redirects_to_it_with_a_success_message(staff, count, load):
    response = staff.post(
        "/actions/new", data={**form_fields(), "csrf_token": csrf(staff)}, follow_redirects=False
    )
    assert response.status_code == 303
    location = response.headers["location"]
    action = load(Action, int(location.rsplit("/", 1)[1]))
    assert action.title == "Review stop and search body-worn video"
    assert action.due_on == TODAY + timedelta(days=30)
    assert action.private_note == "Chief Executive asked for this"
    assert action.created_by == "opcc-staff@test.example"
    page = staff.get(location)
    assert "govuk-notification-banner--success" in page.text
    assert f"{action.ref} has been added" in page.text
    assert "Melton" in page.text and "Superintendent, Neighbourhoods" in page.text


@pytest.mark.parametrize(
    ("dates", "message"),
    [
        (
            {"due_on-day": "31", "due_on-month": "2", "due_on-year": "2030"},
            "Due date must be a real date",
        ),
        ({"due_on-day": "", "due_on-month": "", "due_on-year": ""}, "Enter the due date"),
        (
            {"due_on-day": "3", "due_on-month": "4", "due_on-year": ""},
            "Due date must include a year",
        ),
        (
            {"due_on-day": "3", "due_on-month": "4", "due_on-year": "30"},
            "Year must include 4 numbers",
        ),
        (
            {"due_on-day": "3", "due_on-month": "4", "due_on-year": "1999"},
            "Due date must be in 2000 or later",
        ),
        (
            {"due_on-day": "x", "due_on-month": "4", "due_on-year": "2030"},
            "Due date must be a real date",
        ),
    ],
)
def test_a_bad_due_date_is_a_422_with_the_input_kept_and_nothing_saved(
    staff, count, dates, message
):
    before = count(Action)
    response = staff.post(
        "/actions/new",
        data={**form_fields(title="", **dates), "csrf_token": csrf(staff)},
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert message in response.text
    assert '<a href="#due_on">' in response.text
    assert "Enter a title for the action" in response.text
    assert '<a href="#title">' in response.text
    assert value_of(response.text, "owner_name") == "Superintendent, Neighbourhoods"
    assert value_of(response.text, "due_on-month") == dates["due_on-month"]
    assert "govuk-date-input__input govuk-input--width-" in response.text
    assert "govuk-input--error" in response.text
    assert count(Action) == before


def test_an_unknown_area_is_refused_by_the_service_and_nothing_saved(staff, count):
    before = count(Action)
    response = staff.post(
        "/actions/new", data={**form_fields(area="atlantis"), "csrf_token": csrf(staff)}
    )
    assert response.status_code == 422
    assert "Select an area from the list" in response.text
    assert '<a href="#area">' in response.text
    assert count(Action) == before


def test_only_opcc_editors_may_open_the_add_and_change_forms(session, liaison, viewer):
    action = make_action(session, "Force one")
    for who in (liaison, viewer):
        assert who.get("/actions/new").status_code == 403
        assert who.get(f"/actions/{action.id}/edit").status_code == 403
        refused = who.post(
            "/actions/new", data={**form_fields(), "csrf_token": csrf(who)}, follow_redirects=False
        )
        assert refused.status_code == 403
    assert 'href="/actions/new"' not in viewer.get("/actions").text


def test_changing_an_action_saves_and_says_so(session, staff, load):
    action = make_action(session, "Old title")
    form = staff.get(f"/actions/{action.id}/edit").text
    assert value_of(form, "title") == "Old title"
    assert value_of(form, "version") == "1"
    assert value_of(form, "due_on-day") == str(action.due_on.day)
    response = staff.post(
        f"/actions/{action.id}/edit",
        data={
            **form_fields(title="New title", outcome="Done well"),
            "version": "1",
            "csrf_token": csrf(staff),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    saved = load(Action, action.id)
    assert saved.title == "New title" and saved.outcome == "Done well" and saved.version == 2
    assert f"Changes to {action.ref} saved" in staff.get(f"/actions/{action.id}").text


def test_a_stale_edit_saves_nothing_and_says_why(session, staff, load):
    action = make_action(session, "Original")
    assert action.id is not None
    form = staff.get(f"/actions/{action.id}/edit").text
    version = value_of(form, "version")
    # Someone else changes it first.
    move(session, action, "in_progress")
    response = staff.post(
        f"/actions/{action.id}/edit",
        data={**form_fields(title="Mine"), "version": version, "csrf_token": csrf(staff)},
    )
    assert response.status_code == 409
    assert "Someone else changed this action" in response.text
    assert "Nothing was saved" in response.text
    assert value_of(response.text, "title") == "Original"
    assert value_of(response.text, "version") == "2"
    assert load(Action, action.id).title == "Original"


# ---------------------------------------------------------------------------------------------
# The action page


def test_the_action_page_shows_the_summary_and_a_timeline_of_steps_and_updates(session, staff):
    action = make_action(
        session, "Report on 999 answering", due_in=-1, owner_name="Head of Contact"
    )
    assert action.id is not None
    actions.add_update(
        session,
        SYSTEM,
        action.id,
        ActionUpdateCreate(body="Figures requested", evidence_url="https://example.org/report"),
        now=NOW + timedelta(hours=1),
    )
    move(session, action, "in_progress")
    page = staff.get(f"/actions/{action.id}").text
    assert f'<span class="govuk-caption-l">{action.ref}</span>Report on 999 answering</h1>' in page
    assert "Leicestershire Police" in page and "Head of Contact" in page
    assert OVERDUE_TAG in page
    assert '<strong class="govuk-tag govuk-tag--light-blue">In progress</strong>' in page
    assert 'class="moj-timeline"' in page
    for words in ("Action created", "Status changed to in progress", "From open to in progress"):
        assert words in page
    assert "Figures requested" in page
    assert 'href="https://example.org/report"' in page
    assert "by system (command line)" in page
    assert f'href="/actions/{action.id}/edit"' in page
    assert '<a href="/actions" class="govuk-back-link">Back to actions</a>' in page


def test_adding_an_update_without_javascript_redirects_back_with_a_message(session, staff, count):
    action = make_action(session, "Needs an update")
    response = staff.post(
        f"/actions/{action.id}/updates",
        data={"body": "Met the Chief Inspector", "csrf_token": csrf(staff)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert response.headers["location"] == f"/actions/{action.id}"
    page = staff.get(f"/actions/{action.id}").text
    assert "Your update has been added" in page
    assert "Met the Chief Inspector" in page
    assert "by Test opcc_staff" in page
    assert count(ActionUpdate) == 1


def test_adding_an_update_with_htmx_swaps_the_fragment(session, staff, count):
    action = make_action(session, "Needs an update")
    token = csrf(staff)
    response = staff.post(
        f"/actions/{action.id}/updates",
        data={"body": "Swapped in place"},
        headers={**HTMX, "X-CSRF-Token": token},
    )
    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.strip().startswith('<div id="action-detail">')
    assert "Your update has been added" in response.text
    assert "Swapped in place" in response.text
    assert count(ActionUpdate) == 1


def test_an_empty_update_is_an_error_and_nothing_is_added(session, staff, count):
    action = make_action(session, "Needs an update")
    response = staff.post(
        f"/actions/{action.id}/updates",
        data={"body": "  ", "evidence_url": "ftp://nope", "csrf_token": csrf(staff)},
    )
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert "Enter the update" in response.text
    assert "Enter a link that starts with https://" in response.text
    assert value_of(response.text, "evidence_url") == "ftp://nope"
    assert count(ActionUpdate) == 0


def test_cancelling_without_a_reason_is_refused_and_nothing_changes(session, staff, load):
    action = make_action(session, "Cancel me")
    for headers in ({}, HTMX):
        response = staff.post(
            f"/actions/{action.id}/transitions",
            data={"to": "cancelled", "note": "", "version": "1", "csrf_token": csrf(staff)},
            headers=headers,
        )
        assert response.status_code == 422
        assert "There is a problem" in response.text
        assert "Give the reason for cancelling the action" in response.text
        assert '<a href="#note">' in response.text
        assert load(Action, action.id).status == "open"
    assert ("<html" in response.text) is False  # the htmx answer is the fragment


def test_cancelling_with_a_reason_moves_the_action(session, staff, load):
    action = make_action(session, "Cancel me")
    response = staff.post(
        f"/actions/{action.id}/transitions",
        data={"to": "cancelled", "note": "Superseded", "version": "1", "csrf_token": csrf(staff)},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert load(Action, action.id).status == "cancelled"
    page = staff.get(f"/actions/{action.id}").text
    assert "The action is now cancelled" in page
    assert "Superseded" in page
    assert "its status cannot change" in page


def test_a_move_the_lifecycle_forbids_is_explained(session, staff, load):
    action = make_action(session, "Open one")
    response = staff.post(
        f"/actions/{action.id}/transitions",
        data={"to": "open", "version": "1", "csrf_token": csrf(staff)},
    )
    assert response.status_code == 409
    assert "This action cannot move from open to open" in response.text
    assert load(Action, action.id).version == 1


def test_a_stale_status_change_saves_nothing(session, staff, load):
    action = make_action(session, "Raced")
    move(session, action, "in_progress")
    response = staff.post(
        f"/actions/{action.id}/transitions",
        data={"to": "done", "version": "1", "csrf_token": csrf(staff)},
    )
    assert response.status_code == 409
    assert "Someone else changed this action" in response.text
    assert load(Action, action.id).status == "in_progress"
    assert value_of(response.text, "version") == "2"


def radios_in(page: str) -> list[str]:
    return re.findall(r'name="to" type="radio" value="(\w+)"', page)


def buttons_in(page: str) -> list[tuple[str, str]]:
    """The status form's buttons: (the status each moves to, its words)."""
    return re.findall(r'<button type="submit" name="to" value="(\w+)"[^>]*>([^<]+)</button>', page)


def test_status_options_are_only_the_reachable_ones(session, staff):
    action = make_action(session, "Open one")
    page = staff.get(f"/actions/{action.id}").text
    assert radios_in(page) == ["in_progress", "done", "cancelled"]
    assert buttons_in(page) == []
    move(session, action, "done")
    page = staff.get(f"/actions/{action.id}").text
    # One way on is a button, not a list of one radio.
    assert radios_in(page) == []
    assert buttons_in(page) == [("in_progress", "Reopen the action")]
    assert "Reason for reopening" in page


def test_missing_csrf_token_is_refused_and_nothing_changes(session, staff, count, load):
    action = make_action(session, "Guarded")
    update = staff.post(f"/actions/{action.id}/updates", data={"body": "Sneaky"})
    assert update.status_code == 403
    moved = staff.post(f"/actions/{action.id}/transitions", data={"to": "done", "version": "1"})
    assert moved.status_code == 403
    created = staff.post("/actions/new", data=form_fields())
    assert created.status_code == 403
    assert count(ActionUpdate) == 0
    assert count(Action) == 1
    assert load(Action, action.id).status == "open"


# ---------------------------------------------------------------------------------------------
# The force liaison and the viewer


def test_the_liaison_sees_a_force_action_but_not_an_opcc_one(session, liaison):
    ours = make_action(session, "OPCC business", owner_org="opcc")
    theirs = make_action(session, "Force business", private_note="internal thoughts")
    assert liaison.get(f"/actions/{ours.id}").status_code == 404
    assert (
        liaison.post(
            f"/actions/{ours.id}/updates", data={"body": "x", "csrf_token": csrf(liaison)}
        ).status_code
        == 404
    )
    page = liaison.get(f"/actions/{theirs.id}")
    assert page.status_code == 200
    assert "Force business" in page.text
    assert "Internal note" not in page.text and "internal thoughts" not in page.text
    listed = liaison.get("/actions").text
    assert refs_in(listed) == [theirs.ref]


def test_the_liaison_may_only_start_or_finish_and_can_mark_done(session, liaison, load):
    action = make_action(session, "Force business")
    page = liaison.get(f"/actions/{action.id}").text
    # "Mark as done" first, as the main button; no list of radios to choose from.
    assert buttons_in(page) == [("done", "Mark as done"), ("in_progress", "Mark as in progress")]
    assert radios_in(page) == []
    assert "Note (optional)" in page
    assert 'value="cancelled"' not in page
    assert 'name="internal"' not in page
    assert f'href="/actions/{action.id}/edit"' not in page

    refused = liaison.post(
        f"/actions/{action.id}/transitions",
        data={"to": "cancelled", "note": "Not ours", "version": "1", "csrf_token": csrf(liaison)},
    )
    assert refused.status_code == 403
    assert "There is a problem" in refused.text
    assert "not cancel them" in refused.text
    assert load(Action, action.id).status == "open"

    done = liaison.post(
        f"/actions/{action.id}/transitions",
        data={"to": "done", "note": "Published", "version": "1", "csrf_token": csrf(liaison)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    saved = load(Action, action.id)
    assert saved.status == "done" and saved.completed_on == TODAY


def test_the_liaison_cannot_add_an_internal_note(session, liaison, count):
    action = make_action(session, "Force business")
    response = liaison.post(
        f"/actions/{action.id}/updates",
        data={"body": "Hidden?", "internal": "yes", "csrf_token": csrf(liaison)},
    )
    assert response.status_code == 403
    assert "Only OPCC staff can add internal notes" in response.text
    assert count(ActionUpdate) == 0


def test_the_viewer_reads_but_sees_no_forms_and_cannot_post(session, viewer, count):
    action = make_action(session, "Read only")
    page = viewer.get(f"/actions/{action.id}").text
    assert "Read only" in page
    assert f'action="/actions/{action.id}/updates"' not in page
    assert f'action="/actions/{action.id}/transitions"' not in page
    assert "You can read this action, but not add updates" in page
    response = viewer.post(
        f"/actions/{action.id}/updates", data={"body": "Hello", "csrf_token": csrf(viewer)}
    )
    assert response.status_code == 403
    assert count(ActionUpdate) == 0


def test_an_internal_note_never_reaches_the_force_or_a_viewer(session, staff, liaison, viewer):
    canary = "CANARY-7f3e-private"
    action = make_action(session, "Force business", private_note=f"{canary} note")
    assert action.id is not None
    added = staff.post(
        f"/actions/{action.id}/updates",
        data={"body": f"{canary} update", "internal": "yes", "csrf_token": csrf(staff)},
        follow_redirects=False,
    )
    assert added.status_code == 303
    paths = [
        "/",
        "/actions",
        "/actions?q=Force&owner_org=force",
        f"/actions/{action.id}",
        "/force-inbox",
        "/api/v1/actions?format=csv",
        "/api/v1/force-inbox?format=csv",
        f"/api/v1/actions/{action.id}",
        f"/api/v1/actions/{action.id}/updates",
    ]
    for who in (liaison, viewer):
        for path in paths:
            response = who.get(path)
            assert response.status_code == 200, (path, response.status_code)
            assert canary not in response.text, path
    # The same pages do show it to OPCC staff, so the check above can fail.
    shown = staff.get(f"/actions/{action.id}").text
    assert f"{canary} note" in shown and f"{canary} update" in shown


# ---------------------------------------------------------------------------------------------
# The Force inbox and Home


def test_the_force_inbox_lists_what_the_force_owes_overdue_first(session, liaison):
    soon = make_action(session, "Due in two days", due_in=2)
    late = make_action(session, "Ten days late", due_in=-10)
    later = make_action(session, "Due next quarter", due_in=90)
    make_action(session, "The OPCC's own", due_in=-20, owner_org="opcc")
    finished = make_action(session, "Finished", due_in=-30)
    move(session, finished, "done")
    page = liaison.get("/force-inbox")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-l">Force inbox</h1>' in page.text
    assert refs_in(page.text) == [late.ref, soon.ref, later.ref]
    assert page.text.count(OVERDUE_TAG) == 1 and page.text.count(DUE_SOON_TAG) == 1
    counts = re.findall(r'oversight-count__number">(\d+)</span>([^<]+)<', page.text)
    assert counts == [
        ("3", "Owed in total"),
        ("1", "Overdue"),
        ("1", "Due in the next 7 days"),
    ]
    assert 'href="/api/v1/force-inbox?format=csv"' in page.text


def test_home_shows_staff_their_open_actions_and_the_counts(session, staff, database):
    late = make_action(session, "Everyone's late one", due_in=-1)
    make_action(session, "Due this week", due_in=3)
    created = staff.post(
        "/actions/new",
        data={**form_fields(title="My own action"), "csrf_token": csrf(staff)},
        follow_redirects=False,
    )
    assert created.status_code == 303
    home = staff.get("/").text
    assert "My open actions" in home
    assert "My own action" in home
    assert late.title not in home  # not mine
    counts = dict(
        (label, number)
        for number, label in re.findall(
            r'oversight-count__number">(\d+)</span><span class="govuk-body">([^<]+)<', home
        )
    )
    assert counts["Overdue actions"] == "1"
    assert counts["Due in the next 7 days"] == "1"
    assert 'href="/actions?overdue=true"' in home


def test_home_shows_the_liaison_the_inbox_counts(session, liaison):
    make_action(session, "Late", due_in=-1)
    make_action(session, "Soon", due_in=1)
    make_action(session, "OPCC late", due_in=-1, owner_org="opcc")
    home = liaison.get("/").text
    counts = re.findall(
        r'href="/force-inbox"><span class="govuk-heading-xl[^"]*">(\d+)</span>'
        r'<span class="govuk-body">([^<]+)<',
        home,
    )
    assert counts == [("2", "Owed by the Force"), ("1", "Overdue"), ("1", "Due in the next 7 days")]
    assert "My open actions" not in home


@pytest.mark.parametrize("role", list(Role))
def test_home_and_the_action_pages_render_for_every_role(session, app, role):
    make_action(session, "Something owed", due_in=-1)
    user = make_user(session, role, email=f"{role.value.replace('_', '-')}@roles.example")
    with TestClient(app, base_url="http://testserver") as client:
        sign_in(client, user.email)
        home = client.get("/")
        assert home.status_code == 200
        assert home.text.count("<h1") == 1
        for path in ("/actions", "/force-inbox"):
            assert f'class="govuk-service-navigation__link" href="{path}"' in home.text
            response = client.get(path)
            assert response.status_code == 200, (role, path)
            assert response.text.count("<h1") == 1


def test_the_date_helpers_accept_uk_and_iso_dates():
    from web.dates import parse_filter_date, read_date

    assert parse_filter_date("31/3/2024") == date(2024, 3, 31)
    assert parse_filter_date("2024-03-31") == date(2024, 3, 31)
    with pytest.raises(ValueError):
        parse_filter_date("3/31/2024")
    reading = read_date({"d-day": "1", "d-month": "Feb", "d-year": "2025"}, "d", "Date")
    assert reading.value == date(2025, 2, 1) and reading.error is None
    assert read_date({}, "d", "Date", required=False).value is None


# ---------------------------------------------------------------------------------------------
# Issue 12: the force liaison's list, the inbox's way back, names, sources, short names


def tags_in(html: str) -> list[tuple[str, str]]:
    """The applied-filter tags: (where removing it leads, what it says)."""
    return [
        (href.replace("&amp;", "&"), text)
        for href, text in re.findall(
            r'<a class="moj-filter__tag" href="([^"]*)"[^>]*>'
            r'<span class="govuk-visually-hidden">Remove this filter: </span>([^<]*)</a>',
            html,
        )
    ]


def options_of(html: str, name: str) -> list[str]:
    """The values a select offers, its empty "any" option left out."""
    select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
    return [v for v in re.findall(r'<option value="([^"]*)"', select) if v]


def test_the_liaisons_list_opens_on_what_the_force_owes_with_every_default_a_tag(session, liaison):
    owed = make_action(session, "Force, still to do")
    finished = make_action(session, "Force, finished")
    move(session, finished, "done")
    make_action(session, "The OPCC's own", owner_org="opcc")
    page = liaison.get("/actions").text
    assert '<h1 class="govuk-heading-l">Actions the Force owes</h1>' in page
    assert "<title>Actions the Force owes" in page
    assert "What the Force owes the OPCC" in page
    assert refs_in(page) == [owed.ref]
    # Both defaults are tags; taking one off keeps the other, never bringing it back.
    assert tags_in(page) == [
        ("/actions?outstanding=true", "Owner: Leicestershire Police"),
        ("/actions?owner_org=force", "Not done or cancelled"),
    ]
    # The defaults are ticked in the filter, as if chosen.
    assert re.search(
        r'id="outstanding" name="outstanding" type="checkbox" value="true" checked', page
    )
    every_status = liaison.get("/actions?owner_org=force").text
    assert sorted(refs_in(every_status)) == sorted([owed.ref, finished.ref])
    # Removing the last tag asks, explicitly, for no filter at all: not the defaults again.
    assert tags_in(every_status) == [("/actions?q=", "Owner: Leicestershire Police")]
    nothing = liaison.get("/actions?q=").text
    assert sorted(refs_in(nothing)) == sorted([owed.ref, finished.ref])
    assert tags_in(nothing) == []
    assert 'href="/actions?q=">Clear filters</a>' in nothing


def test_staff_have_no_defaults_and_their_tags_say_every_filter(session, staff):
    make_action(session, "Ours", owner_org="opcc", due_in=-2)
    page = staff.get("/actions").text
    assert '<h1 class="govuk-heading-l">Actions</h1>' in page and tags_in(page) == []
    filtered = staff.get("/actions?owner_org=opcc&overdue=true&status=open").text
    assert tags_in(filtered) == [
        ("/actions?status=open&overdue=true", "Owner: OPCC"),
        ("/actions?owner_org=opcc&overdue=true", "Status: Open"),
        ("/actions?owner_org=opcc&status=open", "Overdue only"),
    ]
    assert tags_in(staff.get("/actions?status=open").text) == [("/actions", "Status: Open")]


def test_the_liaisons_owner_filter_offers_only_what_it_may_see(liaison, staff):
    assert options_of(liaison.get("/actions").text, "owner_org") == ["force"]
    everyone = options_of(staff.get("/actions").text, "owner_org")
    assert "force" in everyone and "opcc" in everyone and "csp" in everyone


def test_the_source_filter_offers_the_kinds_registered(staff, monkeypatch):
    from domain.actions import sources
    from domain.actions.rules import SourceType

    assert options_of(staff.get("/actions").text, "source_type") == [
        "board_meeting",
        "escalation",
        "engagement",
        "complaint_review",
        "objective",
        "none",
    ]
    # A kind no context registers is not offered.
    registered = {k: v for k, v in sources._RESOLVERS.items() if k is not SourceType.ENGAGEMENT}
    monkeypatch.setattr(sources, "_RESOLVERS", registered)
    assert "engagement" not in options_of(staff.get("/actions").text, "source_type")


def test_a_created_by_tag_names_the_person_not_the_address(session, staff, app):
    other = make_user(session, Role.OPCC_STAFF, email="pat@opcc.example", name="Pat Analyst")
    page = staff.get(f"/actions?created_by={other.email}").text
    assert tags_in(page) == [("/actions", "Created by: Pat Analyst")]
    mine = staff.get("/actions?created_by=opcc-staff@test.example").text
    assert tags_in(mine) == [("/actions", "Created by: You")]


def test_tables_name_owners_by_their_short_names(session, staff):
    make_action(session, "Ours", owner_org="opcc")
    make_action(session, "Partner's", owner_org="csp")
    page = staff.get("/actions").text
    cells = re.findall(r'<td class="govuk-table__cell" data-label="Owner">([^<]+)', page)
    assert sorted(cells) == ["CSP", "OPCC"]
    assert (
        "Office of the Police and Crime Commissioner for Leicester"
        not in page.split("<table", 1)[1]
    )


def test_on_narrow_screens_rows_become_cards_whose_cells_say_their_column(session, staff):
    make_action(session, "A card")
    page = staff.get("/actions").text
    assert 'class="govuk-table oversight-compact-table oversight-action-table"' in page
    for label in ("Owner", "Due date", "Status"):
        assert f'data-label="{label}"' in page
    # The filter has the MOJ toggle's place and data-module; no script runs inline.
    assert '<div class="oversight-filter-toggle"></div>' in page
    assert 'class="moj-filter" data-module="moj-filter"' in page


def test_the_inbox_leads_back_to_itself_and_tags_statuses_as_the_list_does(session, liaison):
    started = make_action(session, "Started", due_in=3)
    move(session, started, "in_progress")
    waiting = make_action(session, "Waiting", due_in=5)
    inbox = liaison.get("/force-inbox").text
    assert f'href="/actions/{started.id}?from=inbox">{started.ref}</a>' in inbox
    assert f'href="/actions/{waiting.id}?from=inbox">{waiting.ref}</a>' in inbox
    assert '<strong class="govuk-tag govuk-tag--light-blue">In progress</strong>' in inbox
    assert '<strong class="govuk-tag govuk-tag--blue">Open</strong>' in inbox
    assert 'class="govuk-table oversight-compact-table oversight-table-cards"' in inbox

    page = liaison.get(f"/actions/{started.id}?from=inbox").text
    assert '<a href="/force-inbox" class="govuk-back-link">Back to force inbox</a>' in page
    assert f'action="/actions/{started.id}/transitions?from=inbox"' in page
    # Marking it done without JavaScript comes back to the page that still leads back.
    done = liaison.post(
        f"/actions/{started.id}/transitions?from=inbox",
        data={"to": "done", "version": "2", "csrf_token": csrf(liaison)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"/actions/{started.id}?from=inbox"
    assert started.ref not in liaison.get("/force-inbox").text
    # With htmx the refreshed fragment keeps the way back in its forms.
    updated = liaison.post(
        f"/actions/{waiting.id}/updates?from=inbox",
        data={"body": "Started on it"},
        headers={**HTMX, "X-CSRF-Token": csrf(liaison)},
    )
    assert f'action="/actions/{waiting.id}/updates?from=inbox"' in updated.text


def test_an_escalation_in_the_inbox_has_its_own_tag_and_way_back(session, liaison, staff):
    from domain.board import service as board
    from domain.board.schemas import EscalationCreate

    escalation = board.create_escalation(
        session,
        SYSTEM,
        EscalationCreate(
            topic="asb",
            title="ASB hotspot funding",
            request="A paper on the hotspot funding",
            response_due=TODAY + timedelta(days=4),
        ),
        now=NOW,
    )
    inbox = liaison.get("/force-inbox").text
    row = inbox.split(f'href="/escalations/{escalation.id}?from=inbox"', 1)[1].split("</tr>")[0]
    assert '<strong class="govuk-tag govuk-tag--yellow">Awaiting the Force</strong>' in row
    assert "Escalation" in row
    # Staff may raise an action from it, picked from the form's escalations.
    groups = groups_in(staff.get("/actions/new").text)
    assert groups["Escalations"] == [
        (f"escalation:{escalation.id}", f"{escalation.ref}: ASB hotspot funding")
    ]


@pytest.mark.parametrize("came_from", ["https://evil.example/", "//evil.example", "elsewhere"])
def test_only_the_inbox_is_a_way_back_never_an_address_from_the_query(session, liaison, came_from):
    action = make_action(session, "Force business")
    page = liaison.get(f"/actions/{action.id}", params={"from": came_from}).text
    assert '<a href="/actions" class="govuk-back-link">Back to actions</a>' in page
    assert "evil" not in page and "elsewhere" not in page
    posted = liaison.post(
        f"/actions/{action.id}/updates",
        params={"from": came_from},
        data={"body": "Noted", "csrf_token": csrf(liaison)},
        follow_redirects=False,
    )
    assert posted.headers["location"] == f"/actions/{action.id}"


def test_the_history_names_people_not_their_addresses(session, staff, liaison):
    action = make_action(session, "Force business")
    assert action.id is not None
    for who, body in ((staff, "From the OPCC"), (liaison, "From the Force")):
        added = who.post(
            f"/actions/{action.id}/updates",
            data={"body": body, "csrf_token": csrf(who)},
            follow_redirects=False,
        )
        assert added.status_code == 303
    created = staff.post(
        "/actions/new",
        data={**form_fields(title="Added by a person"), "csrf_token": csrf(staff)},
        follow_redirects=False,
    )
    mine = staff.get(created.headers["location"]).text
    assert "Test opcc_staff on" in mine and "by Test opcc_staff" in mine
    page = staff.get(f"/actions/{action.id}").text
    assert "by Test opcc_staff" in page and "by Test force_liaison" in page
    assert "@test.example" not in page.split('id="action-detail"', 1)[1]


# -- Sources


@pytest.fixture
def meeting_id(session: Session) -> int:
    from domain.board import service as board
    from domain.board.demo import seed_board_reference
    from domain.board.schemas import MeetingCreate

    seed_board_reference(session, SeedReport(created={}), now=NOW)
    made = board.create_meeting(
        session,
        SYSTEM,
        MeetingCreate(held_on=TODAY, kind="cgb", title="Corporate Governance Board"),
        now=NOW,
    )
    assert made.id is not None
    return made.id


@pytest.fixture
def review_id(session: Session) -> int:
    from domain.complaints import service as complaints
    from domain.complaints.rules import DEFAULT_RULES
    from domain.complaints.schemas import ComplaintReviewCreate

    made = complaints.create_review(
        session,
        SYSTEM,
        ComplaintReviewCreate(
            force_ref="CO/1/24",
            outcome_sent_on=TODAY - timedelta(days=12),
            received_on=TODAY - timedelta(days=2),
            categories=["use-of-force"],
            complainant={"name": "Alex Example", "contact": "1 High St", "narrative": "A car"},
        ),
        now=clock.now(),  # received two days ago, by today's clock
        rules=DEFAULT_RULES,
    )
    assert made.id is not None
    return made.id


def groups_in(html: str) -> dict[str, list[tuple[str, str]]]:
    """The source select's groups: label → [(value, text)]."""
    select = html.split('name="source"', 1)[1].split("</select>", 1)[0]
    return {
        label: re.findall(r'<option value="([^"]+)"[^>]*>([^<]+)</option>', body)
        for label, body in re.findall(r'<optgroup label="([^"]+)">(.*?)</optgroup>', select, re.S)
    }


def test_staff_pick_a_source_from_the_records_grouped_by_kind(
    session, staff, meeting_id, review_id, load
):
    form = staff.get("/actions/new").text
    groups = groups_in(form)
    assert groups["Board meetings"] == [
        (f"board_meeting:{meeting_id}", f"Corporate Governance Board ({TODAY:%-d %B %Y})")
    ]
    # Staff may not read complaint reviews, so cannot raise an action from one.
    assert "Complaint reviews" not in groups
    assert '<option value="" selected>No source</option>' in form
    response = staff.post(
        "/actions/new",
        data={
            **form_fields(),
            "source": f"board_meeting:{meeting_id}",
            "csrf_token": csrf(staff),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    action = load(Action, int(response.headers["location"].rsplit("/", 1)[1]))
    assert (action.source_type, action.source_id) == ("board_meeting", meeting_id)
    page = staff.get(response.headers["location"]).text
    assert f'<a class="govuk-link" href="/board-meetings/{meeting_id}">' in page


def test_a_reviewer_may_raise_an_action_from_a_complaint_review(web_as, review_id, load):
    reviewer = web_as(Role.COMPLAINTS_REVIEWER)
    groups = groups_in(reviewer.get("/actions/new").text)
    assert [value for value, _ in groups["Complaint reviews"]] == [f"complaint_review:{review_id}"]
    response = reviewer.post(
        "/actions/new",
        data={
            **form_fields(),
            "source": f"complaint_review:{review_id}",
            "csrf_token": csrf(reviewer),
        },
        follow_redirects=False,
    )
    assert response.status_code == 303
    action = load(Action, int(response.headers["location"].rsplit("/", 1)[1]))
    assert (action.source_type, action.source_id) == ("complaint_review", review_id)


@pytest.mark.parametrize(
    "source", ["board_meeting:99999", "complaint_review:{review}", "nonsense", "escalation:x"]
)
def test_a_source_that_cannot_be_chosen_is_refused_with_every_other_problem(
    staff, count, review_id, source
):
    before = count(Action)
    response = staff.post(
        "/actions/new",
        data={
            **form_fields(title="", area="atlantis", **{"due_on-day": "31", "due_on-month": "2"}),
            "source": source.format(review=review_id),
            "csrf_token": csrf(staff),
        },
    )
    assert response.status_code == 422
    summary = response.text.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    for field, message in (
        ("title", "Enter a title for the action"),
        ("source", "Select a source from the list"),
        ("area", "Select an area from the list"),
        ("due_on", "Due date must be a real date"),
    ):
        assert f'<a href="#{field}">{message}</a>' in summary
    assert 'id="source-error"' in response.text and "govuk-select--error" in response.text
    assert value_of(response.text, "owner_name") == "Superintendent, Neighbourhoods"
    assert count(Action) == before


def test_raised_from_a_source_page_the_form_has_it_chosen(staff, meeting_id):
    form = staff.get(f"/actions/new?source_type=board_meeting&source_id={meeting_id}").text
    assert "Raised from" in form
    assert f'<option value="board_meeting:{meeting_id}" selected>' in form


def test_date_hints_give_dates_near_today(staff):
    from web.dates import date_example

    form = staff.get("/actions/new").text
    assert f"For example, {date_example(28)}" in form
    assert "For example, 27 3 2024" not in form
    page = staff.get("/actions").text
    assert f"For example, {date_example(separator='/')}" in page
