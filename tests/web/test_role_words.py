"""Pages speak of what a person can do, never in permission codes (issue 12, item 3); the
API still names the scope an integrator's token lacks."""

from __future__ import annotations

import re

from domain.accounts.rules import Role, Scope

CODE = re.compile(r"\b(read|write):[a-z-]+\b")


def test_home_lists_what_the_role_can_do_in_words(web_as):
    viewer = web_as(Role.VIEWER)
    home = viewer.get("/")
    assert home.status_code == 200
    assert "see the Police and Crime Plan, its objectives and their ratings" in home.text
    assert "add and change actions" not in home.text
    assert not CODE.search(home.text), CODE.search(home.text)


def test_a_refused_page_says_in_words_what_the_role_cannot_do_and_whom_to_ask(web_as):
    viewer = web_as(Role.VIEWER)
    refused = viewer.get("/actions/new")
    assert refused.status_code == 403
    assert "Your role does not let you add and change actions" in refused.text
    assert "ask an administrator" in refused.text
    assert not CODE.search(refused.text), CODE.search(refused.text)


def test_the_api_names_the_missing_scope_for_integrators(api_as):
    reader = api_as(Role.VIEWER, frozenset({Scope.READ_ACTIONS}))
    refused = reader.post(
        "/api/v1/actions", json={"title": "x", "owner_org": "opcc", "due_on": "2030-01-01"}
    )
    assert refused.status_code == 403
    assert "(needs the write:actions scope)" in refused.json()["detail"]
