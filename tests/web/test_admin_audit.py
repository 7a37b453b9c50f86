"""/admin/audit: people and records by name with links, values in words, a list of the kinds
of record to filter by, sign-ins left out unless asked for, keyset pages and the htmx block."""

from __future__ import annotations

from datetime import date

import pytest

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role, Scope, user_actor
from domain.accounts.schemas import TokenCreate, UserCreate, UserUpdate
from domain.actions import service as actions
from domain.actions.schemas import ActionCreate
from domain.reference import schemas
from domain.reference import service as reference
from domain.reference.service import ORGANISATIONS, TOPICS
from tests.conftest import NOW, make_user

ARROW = '<span aria-hidden="true">→</span><span class="govuk-visually-hidden"> changed to</span>'


def _topics(session, n: int) -> None:
    for i in range(n):
        reference.create_record(
            session,
            SYSTEM,
            TOPICS,
            schemas.TopicCreate(code=f"topic-{i:03d}", name=f"Topic {i:03d}"),
            now=NOW,
        )


def _results(html: str) -> str:
    return html.split('id="audit-results"', 1)[1]


def _action(session, staff_user):  # type: ignore[no-untyped-def]
    reference.create_record(
        session,
        SYSTEM,
        ORGANISATIONS,
        schemas.OrganisationCreate(
            code="force",
            name="Leicestershire Police",
            kind=schemas.OrganisationKind.FORCE,
        ),
        now=NOW,
    )
    officer = user_actor(user_id=staff_user.id, label=staff_user.email, role=Role.OPCC_STAFF)
    action = actions.create_action(
        session,
        officer,
        ActionCreate(
            title="Review victim referral rates", owner_org="force", due_on=date(2024, 6, 30)
        ),
        now=NOW,
    )
    actions.transition_action(
        session,
        officer,
        action.id,
        to="in_progress",
        note="",
        expected_version=1,
        now=NOW,
        today=NOW.date(),
    )
    return action


def test_people_and_records_are_named_with_links_and_values_in_words(admin, session):
    staff = make_user(session, Role.OPCC_STAFF, email="sam@test.example", name="Sam Staff")
    action = _action(session, staff)
    page = admin.get("/admin/audit", params={"entity": "action"})
    assert page.status_code == 200
    results = _results(page.text)
    assert "<caption" in results and "newest first" in results
    assert "18 March 2024 at 10:00am" in results
    # the person by name, with a link; never the address they sign in with
    assert f'<a class="govuk-link" href="/admin/users/{staff.id}">Sam Staff</a>' in results
    assert "sam@test.example" not in results
    # the record by its reference and title, linking to its page
    name = f"{action.ref}: Review victim referral rates"
    assert f'<a class="govuk-link" href="/actions/{action.id}">{name}</a>' in results
    # values in words: the status change, the owner by name, a flag as Yes/No, a date
    assert f"Status: Open {ARROW} In progress" in results
    assert "Owner: Leicestershire Police" in results
    assert "Shown to the public: No" in results
    assert "Due date: 30 June 2024" in results
    assert "in_progress" not in results and "owner_org_id" not in results
    assert "<strong>Status changed</strong>" in results and "<strong>Created</strong>" in results


def test_a_change_reads_before_and_after_newest_first(admin, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Before Name")
    accounts.update_user(
        session,
        SYSTEM,
        user.id,
        UserUpdate(display_name="After Name", role=Role.OPCC_STAFF),
        expected_version=1,
        now=NOW,
    )
    results = _results(admin.get("/admin/audit", params={"entity": "user"}).text)
    assert "The command line" in results
    assert f'href="/admin/users/{user.id}">After Name</a>' in results  # named as now
    assert f"Display name: Before Name {ARROW} After Name" in results
    assert f"Role: Viewer {ARROW} OPCC staff" in results
    assert results.index("<strong>Changed</strong>") < results.index("<strong>Created</strong>")


def test_secrets_stay_hidden_and_token_scopes_read_in_words(admin, session):
    accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="Feed", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=NOW,
    )
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    accounts.set_password(session, SYSTEM, user.id, "a brand new password", now=NOW)
    results = _results(admin.get("/admin/audit").text)
    assert "API token “Feed”" in results
    assert "What it may do: See the Police" in results  # named as the token's page says
    assert "See the Police and Crime Plan, its objectives and their ratings" in results
    assert "read:plan" not in results
    assert f"Password hash: Hidden {ARROW} Hidden" in results
    assert "a brand new password" not in results


def test_the_kind_of_record_is_chosen_from_a_list_of_the_kinds_present(admin, session):
    make_user(session, Role.VIEWER, email="viewer@test.example")
    accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="Feed", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=NOW,
    )
    page = admin.get("/admin/audit")
    select = page.text.split('<select class="govuk-select" id="entity" name="entity"', 1)[1]
    select = select.split("</select>", 1)[0]
    assert '<option value="">All records</option>' in select
    assert '<option value="token">API token</option>' in select
    assert '<option value="user">User</option>' in select
    assert "Board meeting" not in select  # no events about boards yet
    only_tokens = admin.get("/admin/audit", params={"entity": "token"})
    assert '<option value="token" selected>API token</option>' in only_tokens.text
    results = _results(only_tokens.text)
    assert "API token “Feed”" in results
    assert "/admin/users/" not in results.split("<tbody", 1)[1].split("Feed", 1)[1]
    nothing = admin.get("/admin/audit", params={"entity": "planet"})
    assert "No events match these filters" in nothing.text


def test_signing_in_and_out_is_left_out_unless_asked_for(admin, session):
    make_user(session, Role.VIEWER, email="viewer@test.example")
    default = admin.get("/admin/audit")
    assert "<strong>Created</strong>" in _results(default.text)
    assert "Signed in" not in _results(default.text)
    assert 'name="sign_ins" type="checkbox" value="yes">' in default.text
    asked = admin.get("/admin/audit", params={"sign_ins": "yes"})
    assert "<strong>Signed in</strong>" in _results(asked.text)
    assert 'name="sign_ins" type="checkbox" value="yes" checked>' in asked.text


def test_who_finds_people_by_name_or_email_and_tokens_by_name(admin, session):
    staff = make_user(session, Role.OPCC_STAFF, email="sam@test.example", name="Sam Staff")
    _action(session, staff)
    by_name = _results(admin.get("/admin/audit", params={"actor": "sam sta"}).text)
    assert "Review victim referral rates" in by_name
    assert "The command line" not in by_name
    by_email = _results(admin.get("/admin/audit", params={"actor": "SAM@test"}).text)
    assert "Review victim referral rates" in by_email
    by_system = _results(admin.get("/admin/audit", params={"actor": "command line"}).text)
    assert "Leicestershire Police" in by_system and "Review victim" not in by_system


def test_one_record_history_from_its_page_link(admin, session):
    first = make_user(session, Role.VIEWER, email="one@test.example", name="First One")
    make_user(session, Role.VIEWER, email="two@test.example", name="Second Two")
    page = admin.get(f"/admin/audit?entity=user&entity_id={first.id}")
    results = _results(page.text)
    assert "First One" in results
    assert "Second Two" not in results
    assert "Showing only one user: its own history." in results
    assert f'name="entity_id" value="{first.id}"' in page.text


def test_an_htmx_request_gets_only_the_results_block(admin, session):
    _topics(session, 2)
    response = admin.get("/admin/audit", params={"entity": "topic"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert response.text.lstrip().startswith('<div id="audit-results">')
    assert "Topic 000" in response.text and "Topic 001" in response.text
    assert "/admin/reference/topics/1" in response.text
    assert "HX-Request" in response.headers["vary"]


def test_an_htmx_history_restore_gets_the_whole_page(admin):
    response = admin.get(
        "/admin/audit",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text


def test_the_next_page_link_walks_older_events_with_the_filters_kept(admin, session):
    _topics(session, 55)  # one event each; a page holds 50
    first = admin.get("/admin/audit", params={"entity": "topic", "sign_ins": "yes"})
    results = _results(first.text)
    assert "Topic 054" in results and "Topic 005" in results
    assert "Topic 004" not in results
    assert "Next page" in results
    href = results.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    href = href.replace("&amp;", "&")
    assert "entity=topic" in href and "sign_ins=yes" in href and "cursor=" in href
    second = _results(admin.get(href).text)
    assert "Topic 004" in second and "Topic 000" in second
    assert "Topic 005" not in second
    assert "Next page" not in second
    # the link swaps the block in place with htmx, too
    assert 'hx-target="#audit-results"' in results


def test_each_cell_carries_its_label_for_the_cards_small_screens_show(admin, session):
    _topics(session, 1)
    results = _results(admin.get("/admin/audit").text)
    for label in ("When", "Who", "Record", "What happened"):
        assert f'data-label="{label}"' in results
    assert 'class="govuk-table oversight-admin-audit"' in results


def test_a_made_up_cursor_is_a_clear_error(admin):
    response = admin.get("/admin/audit", params={"cursor": "not-a-cursor"})
    assert response.status_code == 422
    assert "cursor" in response.text.lower()


@pytest.mark.parametrize("headers", [{}, {"HX-Request": "true"}])
def test_a_non_admin_gets_the_403_page(staff, headers):
    response = staff.get("/admin/audit", headers=headers)
    assert response.status_code == 403
    assert "Audit log" not in response.text.split("<main", 1)[1]


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/admin/audit?entity=user", follow_redirects=False)
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/admin/audit%3Fentity%3Duser"


def test_htmx_page_with_a_next_link_renders_the_block(admin, session):
    """The results block imports its own macros: an htmx page that has a next page works."""
    for n in range(55):
        accounts.create_user(
            session,
            SYSTEM,
            UserCreate(
                email=f"bulk{n}@test.example",
                display_name=f"Bulk {n}",
                role=Role.VIEWER,
                password="long enough password",
            ),
            now=NOW,
        )
    response = admin.get("/admin/audit", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "Next" in response.text
