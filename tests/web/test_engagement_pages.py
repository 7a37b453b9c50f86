"""The engagement pages (issue 10) through the real sign-in: every page for every role that
reads engagements, named contacts for OPCC people only, the one-flow debrief (every problem
at once, input kept, nothing saved; "Add another" rows with and without htmx; all saved in
one go), closing the loop and the public page with its pre-election pause, the coverage,
topics and parish pages, and the pre-election periods admin."""

from __future__ import annotations

import html as html_module
import re
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import Session

from domain import clock
from domain.accounts.rules import SYSTEM, Role
from domain.actions import service as actions
from domain.actions.tables import Action
from domain.demo import SeedReport, seed_reference
from domain.engagement import service as engagement
from domain.engagement.schemas import (
    DebriefActionIn,
    EngagementCreate,
    EngagementIssueCreate,
    PreElectionPeriodCreate,
)
from domain.engagement.tables import Engagement, EngagementIssue, PreElectionPeriod
from tests.conftest import NOW
from tests.web.conftest import csrf, value_of
from web.dates import date_example

TODAY = clock.today()
HTMX = {"HX-Request": "true"}
READERS = [Role.ADMIN, Role.OPCC_STAFF, Role.COMPLAINTS_REVIEWER, Role.VIEWER]
CONTACTS = "Parish clerk (invented) Pat Example"


def errors_in(html: str) -> list[str]:
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return [
        html_module.unescape(re.sub(r"<[^>]+>", "", item)).strip()
        for item in summary.split("<li>")[1:]
    ]


def error_links(html: str) -> list[str]:
    summary = html.split('govuk-error-summary__list">', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'href="#([^"]+)"', summary)


def date_fields(name: str, day: Any) -> dict[str, str]:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


@pytest.fixture
def ids(session: Session) -> dict[str, int]:
    """A Community Day in Melton last week: one issue (sheep worrying) with a public action
    owned by the Force and an OPCC action; a street stand in Charnwood."""
    seed_reference(session, SeedReport(created={}), now=NOW)
    day = TODAY - timedelta(days=7)
    made = engagement.record_engagement(
        session,
        SYSTEM,
        EngagementCreate(
            held_on=day,
            kind="community_day",
            lead="pcc",
            lead_name="Police and Crime Commissioner",
            area="melton",
            ward="Asfordby",
            npa="melton",
            organisations_met=["Melton Borough Council", "NFU"],
            people_count=40,
            summary="Farmers and residents met the Commissioner",
            named_contacts=CONTACTS,
            issues=[
                EngagementIssueCreate(
                    topic="sheep-worrying",
                    description="Dogs off leads worrying sheep near footpaths",
                    people_count=6,
                    actions=[
                        DebriefActionIn(
                            title="Ask the rural crime team about signage",
                            owner_org="force",
                            due_on=TODAY + timedelta(days=20),
                            public=True,
                        ),
                        DebriefActionIn(
                            title="Write to the parish council",
                            owner_org="opcc",
                            due_on=TODAY + timedelta(days=10),
                        ),
                    ],
                )
            ],
        ),
        now=NOW,
        today=TODAY,
    )
    other = engagement.record_engagement(
        session,
        SYSTEM,
        EngagementCreate(
            held_on=TODAY - timedelta(days=40), kind="street_stand", lead="staff", area="charnwood"
        ),
        now=NOW,
        today=TODAY,
    )
    shown = engagement.get_engagement(session, SYSTEM, made.id, today=TODAY)
    public, private = shown.issues[0].actions
    assert made.id and other.id
    return {"engagement": made.id, "other": other.id, "public": public.id, "private": private.id}


def pages(ids: dict[str, int]) -> list[str]:
    month = TODAY.strftime("%Y-%m")
    return [
        "/engagements",
        "/engagements?kind=community_day&area=melton",
        f"/engagements?view=calendar&month={month}",
        f"/engagements/{ids['engagement']}",
        "/engagements/coverage",
        "/engagements/topics",
        "/engagements/parish-surgeries",
        "/you-said-we-did",
    ]


def count_of(database: Any, model: Any) -> int:
    from sqlmodel import func, select

    with database.session() as s:
        return int(s.exec(select(func.count()).select_from(model)).one())


# ---------------------------------------------------------------------------------------------
# Reading


@pytest.mark.parametrize("role", READERS)
def test_every_engagement_page_renders_for_every_role_that_reads_engagements(web_as, ids, role):
    client = web_as(role)
    for path in pages(ids):
        page = client.get(path)
        assert page.status_code == 200, (role, path, page.text[:300])
        assert page.text.count("<h1") == 1, path
        assert '<a class="govuk-service-navigation__link" href="/engagements"' in page.text, path


def test_the_force_liaison_has_no_engagement_pages_and_no_menu_entry(web_as, ids):
    liaison = web_as(Role.FORCE_LIAISON)
    assert 'href="/engagements"' not in liaison.get("/").text
    for path in pages(ids)[:-1]:
        assert liaison.get(path).status_code == 403, path
    assert liaison.get("/you-said-we-did").status_code == 200  # public to everyone


def test_named_contacts_are_shown_to_opcc_people_only(web_as, ids):
    path = f"/engagements/{ids['engagement']}"
    for role in (Role.ADMIN, Role.OPCC_STAFF, Role.COMPLAINTS_REVIEWER):
        assert CONTACTS in web_as(role).get(path).text, role
    viewer = web_as(Role.VIEWER).get(path).text
    assert CONTACTS not in viewer and "Named contacts" not in viewer
    assert "Dogs off leads worrying sheep near footpaths" in viewer
    assert "Close the loop" not in viewer and "Add an issue" not in viewer


def test_the_engagement_page_shows_issues_actions_status_and_what_people_were_told(web_as, ids):
    page = web_as(Role.OPCC_STAFF).get(f"/engagements/{ids['engagement']}").text
    assert "Community Day in Melton" in page
    assert "Sheep worrying" in page and "Raised by 6 people" in page
    block = page.split(f'id="action-{ids["public"]}"', 1)[1].split('id="action-', 1)[0]
    assert "Ask the rural crime team about signage" in block
    assert ">Open</strong>" in block and ">Public</strong>" in block
    assert "Not told yet" in block and "None yet" in block
    assert f"/engagements/{ids['engagement']}/actions/{ids['public']}/loop" in block
    assert "Leicestershire Police" in block


def test_the_list_filters_counts_and_links_the_csv_of_the_same_rows(web_as, ids):
    viewer = web_as(Role.VIEWER)
    page = viewer.get("/engagements").text
    assert '<h2 class="govuk-heading-m" id="engagement-count">2 engagements</h2>' in page
    only = viewer.get("/engagements?area=melton&from=1/1/2020").text
    assert "1 engagement<" in only and "Community Day in Melton" in only
    assert "Street stand in Charnwood" not in only
    assert 'href="/api/v1/engagements?format=csv&amp;area=melton&amp;from=2020-01-01"' in only
    fragment = viewer.get("/engagements?kind=street_stand", headers=HTMX)
    assert fragment.text.strip().startswith('<div id="engagement-results">')
    assert "Street stand in Charnwood" in fragment.text and "<html" not in fragment.text
    assert fragment.headers["vary"] == "HX-Request"
    bad = viewer.get("/engagements?kind=nonsense&from=31/2/2024")
    assert bad.status_code == 200
    assert errors_in(bad.text) == [
        "Choose a kind that is in the list",
        f"From must be a real date, like {date_example(separator='/')}",
    ]


def test_the_calendar_is_a_month_grid_of_links_with_previous_and_next(web_as, ids):
    day = TODAY - timedelta(days=7)
    month = day.strftime("%Y-%m")
    viewer = web_as(Role.VIEWER)
    page = viewer.get(f"/engagements?view=calendar&month={month}").text
    assert (
        f'<caption class="govuk-table__caption govuk-table__caption--m" id="calendar-caption">{day:%B %Y}</caption>'
        in page
    )
    assert f'href="/engagements/{ids["engagement"]}"' in page
    assert 'rel="prev"' in page and 'rel="next"' in page
    assert '<abbr title="Monday">Mon</abbr>' in page
    assert 'tabindex="0" role="region"' in page  # the grid scrolls on its own at 320 px
    bad = viewer.get("/engagements?view=calendar&month=2024-13")
    assert "Month must be a year and month, like 2024-02" in bad.text


# ---------------------------------------------------------------------------------------------
# The one-flow debrief


def _debrief(token: str) -> dict[str, str]:
    """A Community Day with two issues and three actions (one Force-owned, public)."""
    due = TODAY + timedelta(days=30)
    return {
        "csrf_token": token,
        **date_fields("held_on", TODAY - timedelta(days=1)),
        "kind": "community_day",
        "lead": "pcc",
        "area": "blaby",
        "ward": "Enderby",
        "people_count": "25",
        "organisations_met": "Blaby District Council\nCSP",
        "named_contacts": CONTACTS,
        "issues-0-row": "1",
        "issues-0-topic": "car-cruising",
        "issues-0-description": "Cars racing on the industrial estate at night",
        "issues-0-people_count": "5",
        "issues-0-actions-0-row": "1",
        "issues-0-actions-0-title": "Ask the NPA commander about patrols",
        "issues-0-actions-0-owner_org": "force",
        "issues-0-actions-0-public": "yes",
        **date_fields("issues-0-actions-0-due_on", due),
        "issues-0-actions-1-row": "1",
        "issues-0-actions-1-title": "Raise with the CSP",
        "issues-0-actions-1-owner_org": "csp",
        **date_fields("issues-0-actions-1-due_on", due),
        "issues-1-row": "1",
        "issues-1-topic": "speeding",
        "issues-1-description": "Speeding on the A47",
        "issues-1-people_count": "3",
        "issues-1-actions-0-row": "1",
        "issues-1-actions-0-title": "Ask the Road Safety Partnership for a speed check",
        "issues-1-actions-0-owner_org": "road-safety-partnership",
        "issues-1-actions-0-owner_name": "Partnership manager",
        **date_fields("issues-1-actions-0-due_on", due),
    }


def test_the_debrief_saves_the_engagement_its_issues_and_actions_in_one_go(web_as, ids, database):
    staff = web_as(Role.OPCC_STAFF)
    form = staff.get("/engagements/new").text
    assert 'name="issues-0-topic"' in form and 'name="issues-0-actions-0-title"' in form
    assert 'name="named_contacts"' in form
    before = (
        count_of(database, Engagement),
        count_of(database, EngagementIssue),
        count_of(database, Action),
    )
    done = staff.post("/engagements/new", data=_debrief(csrf(staff)), follow_redirects=False)
    assert done.status_code == 303, done.text[:3000]
    after = (
        count_of(database, Engagement),
        count_of(database, EngagementIssue),
        count_of(database, Action),
    )
    assert after == (before[0] + 1, before[1] + 2, before[2] + 3)
    page = staff.get(done.headers["location"]).text
    assert "Community Day in Blaby on" in page and "with 2 issues and 3 actions" in page
    for text in (
        "Car cruising",
        "Speeding",
        "Ask the NPA commander about patrols",
        "Raise with the CSP",
        "Ask the Road Safety Partnership for a speed check",
        CONTACTS,
    ):
        assert text in page, text
    inbox = web_as(Role.FORCE_LIAISON).get("/force-inbox").text
    assert "Ask the NPA commander about patrols" in inbox


def test_the_debrief_lists_every_problem_at_once_keeps_the_input_and_saves_nothing(
    web_as, ids, database
):
    staff = web_as(Role.OPCC_STAFF)
    data = _debrief(csrf(staff))
    data |= {
        "held_on-year": str(TODAY.year + 2),
        "kind": "street_stand",
        "councils_invited": "3",
        "issues-0-people_count": "0",
        "issues-0-actions-1-owner_org": "",
        "issues-0-actions-1-due_on-day": "31",
        "issues-0-actions-1-due_on-month": "2",
        "issues-1-topic": "",
        "issues-1-actions-0-title": "",
    }
    before = (
        count_of(database, Engagement),
        count_of(database, EngagementIssue),
        count_of(database, Action),
    )
    bad = staff.post("/engagements/new", data=data)
    assert bad.status_code == 422
    assert errors_in(bad.text) == [
        "Date cannot be more than a year from today",
        "Only a parish council surgery records councils",
        "Issue 1 number of people must be 1 or more",
        "Select who owns issue 1, action 2",
        "Issue 1, action 2 due date must be a real date",
        "Select the topic of issue 2",
        "Enter what will be done for issue 2, action 1",
    ]
    assert error_links(bad.text)[3:5] == [
        "issues-0-actions-1-owner_org",
        "issues-0-actions-1-due_on",
    ]
    assert 'id="issues-0-actions-1-due_on"' in bad.text
    assert value_of(bad.text, "issues-0-actions-0-title") == "Ask the NPA commander about patrols"
    assert value_of(bad.text, "ward") == "Enderby"
    assert "Cars racing on the industrial estate at night</textarea>" in bad.text
    assert bad.text.startswith("<!DOCTYPE html>") and "<title>Error: " in bad.text
    after = (
        count_of(database, Engagement),
        count_of(database, EngagementIssue),
        count_of(database, Action),
    )
    assert after == before


def test_add_another_reloads_with_the_input_kept_or_answers_only_the_new_row(web_as, ids, database):
    staff = web_as(Role.OPCC_STAFF)
    token = csrf(staff)
    data = {
        "csrf_token": token,
        "ward": "Wigston",
        "issues-0-row": "1",
        "issues-0-description": "Parking on pavements",
        "issues-0-actions-0-row": "1",
        "issues-0-actions-0-title": "Ask the council",
    }
    before = count_of(database, Engagement)
    more = staff.post("/engagements/new", data={**data, "add": "issue"})
    assert more.status_code == 200 and more.text.startswith("<!DOCTYPE html>")
    assert "There is a problem" not in more.text
    assert value_of(more.text, "ward") == "Wigston"
    assert value_of(more.text, "issues-0-actions-0-title") == "Ask the council"
    assert 'name="issues-1-topic"' in more.text and 'name="issues-1-actions-0-title"' in more.text
    action = staff.post("/engagements/new", data={**data, "add": "action:0"})
    assert 'name="issues-0-actions-1-title"' in action.text and "Issue 1, action 2" in action.text
    fragment = staff.post("/engagements/new", data={**data, "add": "action:0"}, headers=HTMX)
    assert fragment.status_code == 200 and "<html" not in fragment.text
    assert fragment.text.strip().startswith(
        '<div class="oversight-debrief-action" id="issue-0-action-1">'
    )
    assert 'name="issues-0-actions-1-title"' in fragment.text and "autofocus" in fragment.text
    assert 'name="issues-0-actions-0-title"' not in fragment.text
    row = staff.post("/engagements/new", data={**data, "add": "issue"}, headers=HTMX)
    assert row.text.strip().startswith('<div class="oversight-debrief-issue" id="issue-1">')
    assert "Issue 2" in row.text and 'name="issues-1-actions-0-title"' in row.text
    assert 'hx-post="/engagements/new" hx-target="#issue-1-actions"' in row.text
    full = {**data, **{f"issues-0-actions-{j}-row": "1" for j in range(20)}}
    limit = staff.post("/engagements/new", data={**full, "add": "action:0"}, headers=HTMX)
    assert limit.status_code == 204  # twenty actions an issue at most: nothing to add
    assert count_of(database, Engagement) == before
    page = staff.get("/engagements/new").text
    assert 'hx-post="/engagements/new" hx-target="#issue-rows" hx-swap="beforeend"' in page
    assert 'name="add" value="issue"' in page and 'name="add" value="action:0"' in page


def test_staff_change_an_engagement_and_add_an_issue(web_as, ids, database, load):
    staff = web_as(Role.OPCC_STAFF)
    path = f"/engagements/{ids['engagement']}"
    edit = staff.get(f"{path}/edit").text
    assert value_of(edit, "ward") == "Asfordby"
    fields = {
        "csrf_token": csrf(staff),
        "version": value_of(edit, "version"),
        **date_fields("held_on", TODAY - timedelta(days=7)),
        "kind": "community_day",
        "lead": "pcc",
        "area": "melton",
        "ward": "Melton Mowbray",
        "people_count": "45",
    }
    done = staff.post(f"{path}/edit", data=fields, follow_redirects=False)
    assert done.status_code == 303
    assert load(Engagement, ids["engagement"]).ward == "Melton Mowbray"
    stale = staff.post(f"{path}/edit", data=fields)
    assert stale.status_code == 409 and "Someone else changed this engagement" in stale.text
    before = count_of(database, EngagementIssue)
    empty = staff.post(f"{path}/issues/new", data={"csrf_token": csrf(staff), "issues-0-row": "1"})
    assert empty.status_code == 422
    assert errors_in(empty.text) == [
        "Select the topic of issue 1",
        "Enter what was raised in issue 1",
    ]
    added = staff.post(
        f"{path}/issues/new",
        data={
            "csrf_token": csrf(staff),
            "issues-0-topic": "rural-crime",
            "issues-0-description": "Fly-tipping in gateways",
            "issues-0-people_count": "2",
            "issues-0-actions-0-title": "Pass to the council",
            "issues-0-actions-0-owner_org": "leicestershire-county-council",
            **date_fields("issues-0-actions-0-due_on", TODAY + timedelta(days=14)),
        },
        follow_redirects=False,
    )
    assert added.status_code == 303, added.text[:2000]
    assert count_of(database, EngagementIssue) == before + 1
    assert "Fly-tipping in gateways" in staff.get(path).text


@pytest.mark.parametrize("role", [Role.VIEWER, Role.FORCE_LIAISON])
def test_roles_that_do_not_write_engagements_are_refused_the_forms(web_as, ids, database, role):
    client = web_as(role)
    token = csrf(client)
    path = f"/engagements/{ids['engagement']}"
    for url in (
        "/engagements/new",
        f"{path}/edit",
        f"{path}/issues/new",
        f"{path}/actions/{ids['public']}/loop",
    ):
        assert client.get(url).status_code == 403, url
    before = (count_of(database, Engagement), count_of(database, Action))
    for url in ("/engagements/new", f"{path}/issues/new", f"{path}/actions/{ids['public']}/loop"):
        response = client.post(
            url, data={**_debrief(token), "version": "1"}, follow_redirects=False
        )
        assert response.status_code == 403, url
    assert (count_of(database, Engagement), count_of(database, Action)) == before


# ---------------------------------------------------------------------------------------------
# Closing the loop and the public page


def test_closing_the_loop_publishes_a_line_that_a_pre_election_period_hides(
    web_as, ids, session, database, load
):
    staff = web_as(Role.OPCC_STAFF)
    token = csrf(staff)
    loop = f"/engagements/{ids['engagement']}/actions/{ids['public']}/loop"
    form = staff.get(loop).text
    version = value_of(form, "version")
    told = TODAY - timedelta(days=1)
    # The action is still open: the line cannot say done; everything wrong is listed at once.
    bad = staff.post(
        loop,
        data={
            "csrf_token": token,
            "version": version,
            "line": "Signs are up",
            "outcome": "done",
            "told_on-day": "40",
        },
    )
    assert bad.status_code == 422
    assert errors_in(bad.text) == [
        "Date they were told must include a month and year",
        "A line can only say done when the action is done",
    ]
    assert "Signs are up</textarea>" in bad.text
    assert load(Action, ids["public"]).you_said_we_did == ""
    actions.transition_action(
        session, SYSTEM, ids["public"], to="done", note="", expected_version=1, now=NOW, today=TODAY
    )
    version = value_of(staff.get(loop).text, "version")
    done = staff.post(
        loop,
        data={
            "csrf_token": token,
            "version": version,
            "line": "Signs are up on the footpaths",
            "outcome": "done",
            **date_fields("told_on", told),
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text[:2000]
    page = staff.get(done.headers["location"]).text
    assert "the public line is saved" in page
    assert f"Told on {told:%-d %B %Y}" in page and "Signs are up on the footpaths" in page
    viewer = web_as(Role.VIEWER)
    public = viewer.get("/you-said-we-did").text
    assert "Signs are up on the footpaths" in public and "Sheep worrying in Melton" in public
    assert "pre-election-notice" not in public
    engagement.create_period(
        session,
        SYSTEM,
        PreElectionPeriodCreate(
            label="PCC election", starts_on=told, ends_on=TODAY + timedelta(days=30)
        ),
        now=NOW,
    )
    paused = viewer.get("/you-said-we-did").text
    assert "Signs are up on the footpaths" not in paused
    assert 'id="pre-election-notice"' in paused and "PCC election" in paused


def test_a_line_on_a_private_action_is_refused(web_as, ids, load):
    staff = web_as(Role.OPCC_STAFF)
    loop = f"/engagements/{ids['engagement']}/actions/{ids['private']}/loop"
    form = staff.get(loop).text
    assert "This action is not public" in form
    bad = staff.post(
        loop,
        data={
            "csrf_token": csrf(staff),
            "version": value_of(form, "version"),
            "line": "Written",
            "outcome": "not_doing",
            **date_fields("told_on", TODAY),
        },
    )
    assert bad.status_code == 422
    messages = errors_in(bad.text)
    assert "The action is not public: mark it public before writing its public line" in messages
    assert "Say why it is not being done" in messages
    assert load(Action, ids["private"]).you_said_we_did == ""
    told = staff.post(
        loop,
        data={
            "csrf_token": csrf(staff),
            "version": value_of(form, "version"),
            **date_fields("told_on", TODAY),
        },
        follow_redirects=False,
    )
    assert told.status_code == 303
    assert load(Action, ids["private"]).told_on == TODAY
    assert staff.get("/engagements/999999/actions/1/loop").status_code == 404


def test_the_public_page_needs_no_sign_in(client, ids):
    page = client.get("/you-said-we-did")
    assert page.status_code == 200 and page.text.count("<h1") == 1
    assert "You said, we did" in page.text and "Sign out" not in page.text


# ---------------------------------------------------------------------------------------------
# Coverage, topics, parish surgeries


def test_coverage_lists_every_area_marks_the_unvisited_and_places_tiles_from_reference_data(
    web_as, ids
):
    viewer = web_as(Role.VIEWER)
    page = viewer.get(f"/engagements/coverage?from=1/1/2020&to={TODAY:%d/%m/%Y}").text
    table = page.split("<caption", 1)[1].split("</table>", 1)[0]
    assert table.count("No visits") == 7  # nine areas, two visited
    assert "Melton" in table and "Rutland" in table
    assert page.count('role="img"') == 2 and '<title id="tile-map-title">' in page
    assert 'id="coverage-summary"' in page and "No visits: " in page
    # Melton is at tile row 0, column 3: x = 3 * (112 + 8) + 1, y = 1
    assert '<rect class="oversight-tile__box" x="361" y="1"' in page
    assert "1 visit</text>" in page
    fragment = viewer.get("/engagements/coverage?from=1/1/2020", headers=HTMX)
    assert fragment.text.strip().startswith('<div id="coverage-figures">')
    bad = viewer.get("/engagements/coverage?from=2/1/2024&to=1/1/2024")
    assert errors_in(bad.text) == ["To must be on or after from"]


def test_topics_and_parish_surgeries_show_a_chart_and_its_table(web_as, ids, session):
    engagement.record_engagement(
        session,
        SYSTEM,
        EngagementCreate(
            held_on=TODAY - timedelta(days=3),
            kind="parish_surgery",
            lead="dpcc",
            area="north-west-leicestershire",
            councils_invited=23,
            councils_attended=7,
        ),
        now=NOW,
        today=TODAY,
    )
    viewer = web_as(Role.VIEWER)
    topics = viewer.get("/engagements/topics").text
    assert 'role="img"' in topics and "Sheep worrying" in topics
    assert 'aria-labelledby="topics-table-caption"' in topics
    parish = viewer.get("/engagements/parish-surgeries").text
    assert "7 of 23 councils attended" in parish and 'role="img"' in parish
    assert "No surgeries" in parish


# ---------------------------------------------------------------------------------------------
# Pre-election periods (admin)


def test_admins_add_change_and_delete_pre_election_periods(web_as, ids, database, load):
    admin = web_as(Role.ADMIN)
    assert 'href="/admin/pre-election-periods"' in admin.get("/").text
    token = csrf(admin)
    bad = admin.post(
        "/admin/pre-election-periods/new",
        data={
            "csrf_token": token,
            **date_fields("starts_on", TODAY),
            **date_fields("ends_on", TODAY - timedelta(days=1)),
        },
    )
    assert bad.status_code == 422
    assert errors_in(bad.text) == [
        "Enter a name for the period, like PCC election 2024",
    ] or "End date cannot be before the start date" in errors_in(bad.text)
    bad = admin.post(
        "/admin/pre-election-periods/new",
        data={
            "csrf_token": token,
            "label": "X",
            **date_fields("starts_on", TODAY),
            **date_fields("ends_on", TODAY - timedelta(days=1)),
        },
    )
    assert errors_in(bad.text) == ["End date cannot be before the start date"]
    made = admin.post(
        "/admin/pre-election-periods/new",
        data={
            "csrf_token": token,
            "label": "PCC election 2028",
            **date_fields("starts_on", TODAY + timedelta(days=100)),
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    listing = admin.get("/admin/pre-election-periods").text
    assert "PCC election 2028 added" in listing and "Until the result" in listing
    assert "Not in force" in listing
    period_id = int(re.search(r"/admin/pre-election-periods/(\d+)/edit", listing).group(1))
    overlap = admin.post(
        "/admin/pre-election-periods/new",
        data={
            "csrf_token": token,
            "label": "By-election",
            **date_fields("starts_on", TODAY + timedelta(days=200)),
        },
    )
    assert overlap.status_code == 422, errors_in(overlap.text)
    start = TODAY + timedelta(days=100)
    assert errors_in(overlap.text) == [
        f"Start date overlaps the pre-election period from {start:%-d %B %Y} (open-ended)"
    ]
    edit = admin.get(f"/admin/pre-election-periods/{period_id}/edit").text
    changed = admin.post(
        f"/admin/pre-election-periods/{period_id}/edit",
        data={
            "csrf_token": token,
            "version": value_of(edit, "version"),
            "label": "PCC election 2028",
            **date_fields("starts_on", TODAY + timedelta(days=100)),
            **date_fields("ends_on", TODAY + timedelta(days=140)),
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert load(PreElectionPeriod, period_id).ends_on == TODAY + timedelta(days=140)
    confirm = admin.get(f"/admin/pre-election-periods/{period_id}/delete").text
    assert "Delete PCC election 2028?" in confirm
    gone = admin.post(
        f"/admin/pre-election-periods/{period_id}/delete",
        data={"csrf_token": token, "version": value_of(confirm, "version")},
        follow_redirects=False,
    )
    assert gone.status_code == 303 and load(PreElectionPeriod, period_id) is None
    staff = web_as(Role.OPCC_STAFF)
    assert staff.get("/admin/pre-election-periods").status_code == 403
    assert 'href="/admin/pre-election-periods"' not in staff.get("/").text


def test_a_nul_character_in_any_engagement_form_is_refused_not_a_server_error(
    web_as, ids, database
):
    admin = web_as(Role.ADMIN)
    token = csrf(admin)
    path = f"/engagements/{ids['engagement']}"
    before = (
        count_of(database, Engagement),
        count_of(database, Action),
        count_of(database, PreElectionPeriod),
    )
    for url, form in {
        "/engagements/new": {"ward": "a\x00b"},
        f"{path}/issues/new": {"issues-0-description": "\x00"},
        f"{path}/actions/{ids['public']}/loop": {"line": "\x00", "version": "1"},
        "/admin/pre-election-periods/new": {"label": "\x00"},
    }.items():
        response = admin.post(url, data={**form, "csrf_token": token})
        assert response.status_code == 422, (url, response.status_code)
        assert "the nul character" in response.text, url
    after = (
        count_of(database, Engagement),
        count_of(database, Action),
        count_of(database, PreElectionPeriod),
    )
    assert after == before
