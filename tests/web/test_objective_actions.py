"""Actions raised from a Plan objective (issue: Plan delivery, point 4)."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from domain.accounts.rules import Role
from domain.actions.tables import Action
from domain.db import Database
from domain.demo import SeedReport, seed_reference
from domain.plan.demo import seed_plan
from domain.plan.tables import Objective
from tests.conftest import NOW
from tests.web.conftest import csrf


@pytest.fixture
def objective_id(session: Session) -> int:
    seed_reference(session, SeedReport(created={}), now=NOW)
    seed_plan(session, now=NOW)
    found = session.exec(select(Objective).where(Objective.code == "2.2")).one()
    session.commit()
    assert found.id is not None
    return found.id


def test_staff_raise_an_action_from_an_objective_and_the_objective_lists_it(
    web_as, objective_id: int, database: Database
):
    staff = web_as(Role.OPCC_STAFF)
    page = staff.get(f"/objectives/{objective_id}")
    assert "No actions have been raised from this objective." in page.text
    link = f"/actions/new?source_type=objective&amp;source_id={objective_id}"
    assert link in page.text
    form = staff.get(link.replace("&amp;", "&"))
    assert "Raised from" in form.text and "2.2 Answer 999 calls" in form.text
    posted = staff.post(
        "/actions/new",
        data={
            "csrf_token": csrf(staff),
            "title": "Paper on 999 answering to the board",
            "owner_org": "force",
            "due_on-day": "30",
            "due_on-month": "6",
            "due_on-year": "2031",
            "source_type": "objective",
            "source_id": str(objective_id),
        },
        follow_redirects=False,
    )
    assert posted.status_code == 303, posted.text
    with database.session() as s:
        action = s.exec(select(Action)).one()
        assert (action.source_type, action.source_id) == ("objective", objective_id)
    shown = staff.get(posted.headers["location"])
    assert f'href="/objectives/{objective_id}"' in shown.text
    listed = staff.get(f"/objectives/{objective_id}")
    assert "Paper on 999 answering to the board" in listed.text


def test_an_unknown_objective_as_source_is_refused(web_as, objective_id: int, database: Database):
    staff = web_as(Role.OPCC_STAFF)
    posted = staff.post(
        "/actions/new",
        data={
            "csrf_token": csrf(staff),
            "title": "Orphan",
            "owner_org": "force",
            "due_on-day": "30",
            "due_on-month": "6",
            "due_on-year": "2031",
            "source_type": "objective",
            "source_id": "99999",
        },
    )
    assert posted.status_code == 422
    assert "There is a problem" in posted.text
    with database.session() as s:
        assert s.exec(select(Action)).all() == []


def test_a_viewer_sees_the_actions_but_cannot_add_one(web_as, objective_id: int):
    viewer = web_as(Role.VIEWER)
    page = viewer.get(f"/objectives/{objective_id}")
    assert "Actions" in page.text
    assert "Add an action for this objective" not in page.text


def test_a_nul_character_in_a_form_is_refused_not_a_server_error(web_as, objective_id, database):
    """PostgreSQL cannot store NUL: every page form refuses it before any service runs."""
    staff = web_as(Role.OPCC_STAFF)
    posted = staff.post(
        "/actions/new",
        data={
            "csrf_token": csrf(staff),
            "title": "Bad\x00title",
            "owner_org": "force",
            "due_on-day": "30",
            "due_on-month": "6",
            "due_on-year": "2031",
        },
    )
    assert posted.status_code == 422
    with database.session() as s:
        assert s.exec(select(Action)).all() == []
