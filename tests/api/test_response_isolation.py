"""Issue 8, defect 6: a change's response is built inside the transaction that made the
change, so another writer's later commit can never show through it. The other writer is
released exactly between the change and the read that builds the response."""

from __future__ import annotations

import contextlib
import threading

import pytest

from domain import clock
from domain.accounts.rules import SYSTEM, Role
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.schemas import ActionChange
from domain.demo import SeedReport, seed_reference
from domain.errors import DomainError
from tests.conftest import NOW


@pytest.fixture
def staff(api_as, session):
    seed_reference(session, SeedReport(created={}), now=NOW)
    return api_as(Role.OPCC_STAFF)


def _race_at_the_read(monkeypatch, database, action_id: int, version: int) -> threading.Thread:
    """Just before the response is read, another writer changes the same action."""
    real_detail = action_queries.detail
    started: list[threading.Thread] = []

    def another_writer() -> None:
        with database.session(writing=True) as other, contextlib.suppress(DomainError):
            actions.change_action(
                other,
                SYSTEM,
                action_id,
                ActionChange(title="Changed by someone else"),
                expected_version=version,
                now=clock.now(),
            )

    def detail_after_a_race(*args, **kwargs):
        if not started:
            writer = threading.Thread(target=another_writer)
            started.append(writer)
            writer.start()
            writer.join(timeout=1)  # it commits now, unless our transaction holds it back
        return real_detail(*args, **kwargs)

    monkeypatch.setattr(action_queries, "detail", detail_after_a_race)
    return started


def test_a_patch_response_shows_its_own_change_and_version(staff, database, monkeypatch):
    created = staff.post(
        "/api/v1/actions",
        json={"title": "Brief the PCC", "owner_org": "opcc", "due_on": "2030-01-31"},
    ).json()
    started = _race_at_the_read(monkeypatch, database, created["id"], version=2)
    response = staff.patch(
        f"/api/v1/actions/{created['id']}",
        json={"title": "Mine"},
        headers={"If-Match": '"1"'},
    )
    started[0].join(timeout=60)
    assert response.status_code == 200
    assert response.json()["title"] == "Mine"
    assert response.headers["etag"] == '"2"'
    # The other writer went ahead once this change had committed.
    assert staff.get(f"/api/v1/actions/{created['id']}").json()["version"] == 3


def test_a_transition_response_shows_its_own_change_and_version(staff, database, monkeypatch):
    created = staff.post(
        "/api/v1/actions",
        json={"title": "Brief the PCC", "owner_org": "opcc", "due_on": "2030-01-31"},
    ).json()
    started = _race_at_the_read(monkeypatch, database, created["id"], version=2)
    response = staff.post(
        f"/api/v1/actions/{created['id']}/transitions",
        json={"to": "in_progress"},
        headers={"If-Match": '"1"'},
    )
    started[0].join(timeout=60)
    assert response.status_code == 200, response.text
    assert response.json()["title"] == "Brief the PCC"
    assert response.json()["status"] == "in_progress"
    assert response.headers["etag"] == '"2"'
