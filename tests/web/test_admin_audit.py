"""/admin/audit: newest first, filters, keyset pages, and the htmx block."""

from __future__ import annotations

import pytest

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role, Scope
from domain.accounts.schemas import TokenCreate, UserUpdate
from domain.reference import schemas
from domain.reference import service as reference
from domain.reference.service import TOPICS
from tests.conftest import NOW, make_user


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


def test_the_log_shows_who_when_what_and_the_changes_newest_first(admin, session):
    user = make_user(session, Role.VIEWER, email="viewer@test.example", name="Before Name")
    accounts.update_user(
        session,
        SYSTEM,
        user.id,
        UserUpdate(display_name="After Name"),
        expected_version=1,
        now=NOW,
    )
    page = admin.get("/admin/audit")
    assert page.status_code == 200
    results = _results(page.text)
    assert "<caption" in results and "newest first" in results
    assert "18 March 2024 at 10:00am" in results
    assert "system (command line)" in results
    assert f'href="/admin/users/{user.id}">user {user.id}</a>' in results
    assert "Before Name" in results and "After Name" in results
    # the update reads "before → after", and comes before (is newer than) the creation
    assert 'Before Name <span aria-hidden="true">→</span>' in results
    # newest first is by event order: the admin signed in before the viewer was added
    assert results.index(">Update<") < results.index(">Create<") < results.index(">Sign in<")


def test_filtering_by_entity_and_actor(admin, session):
    make_user(session, Role.VIEWER, email="viewer@test.example")
    accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="Feed", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=NOW,
    )
    only_tokens = _results(admin.get("/admin/audit", params={"entity": "token"}).text)
    assert "token 1" in only_tokens
    assert "user " not in only_tokens
    by_admin = _results(admin.get("/admin/audit", params={"actor": "admin@test"}).text)
    assert "Sign in" in by_admin
    assert "system (command line)" not in by_admin
    nothing = admin.get("/admin/audit", params={"entity": "planet"})
    assert "No events match these filters" in nothing.text
    # the filter form keeps what was asked for
    assert 'value="planet"' in nothing.text


def test_one_record_history_from_its_page_link(admin, session):
    first = make_user(session, Role.VIEWER, email="one@test.example")
    make_user(session, Role.VIEWER, email="two@test.example")
    page = admin.get(f"/admin/audit?entity=user&entity_id={first.id}")
    results = _results(page.text)
    assert "one@test.example" in results
    assert "two@test.example" not in results
    assert f'name="entity_id" value="{first.id}"' in page.text


def test_an_htmx_request_gets_only_the_results_block(admin, session):
    _topics(session, 2)
    response = admin.get("/admin/audit", params={"entity": "topic"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "<html" not in response.text
    assert "<form" not in response.text
    assert response.text.lstrip().startswith('<div id="audit-results">')
    assert "topic 1" in response.text and "topic 2" in response.text
    assert "HX-Request" in response.headers["vary"]


def test_an_htmx_history_restore_gets_the_whole_page(admin):
    response = admin.get(
        "/admin/audit",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in response.text


def test_the_next_page_link_walks_older_events_with_the_filter_kept(admin, session):
    _topics(session, 55)  # one event each; a page holds 50
    first = admin.get("/admin/audit", params={"entity": "topic"})
    results = _results(first.text)
    assert "Topic 054" in results and "Topic 005" in results
    assert "Topic 004" not in results
    assert "Next page" in results
    href = results.split('rel="next"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    href = href.replace("&amp;", "&")
    assert "entity=topic" in href and "cursor=" in href
    second = _results(admin.get(href).text)
    assert "Topic 004" in second and "Topic 000" in second
    assert "Topic 005" not in second
    assert "Next page" not in second
    # the link swaps the block in place with htmx, too
    assert 'hx-target="#audit-results"' in results


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
    from domain.accounts import service as accounts
    from domain.accounts.rules import SYSTEM, Role
    from domain.accounts.schemas import UserCreate
    from tests.conftest import NOW

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
