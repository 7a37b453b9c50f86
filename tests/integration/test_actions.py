"""Actions through the services on a real database (SQLite and PostgreSQL)."""

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from domain.accounts.rules import SYSTEM, Role, token_actor, user_actor
from domain.actions import inbox
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.rules import ActionStatus
from domain.actions.schemas import ActionChange, ActionCreate, ActionUpdateCreate
from domain.actions.tables import Action
from domain.audit.tables import AuditEvent
from domain.demo import SeedReport, seed_reference
from domain.errors import Forbidden, Invalid, InvalidTransition, NotFound, StaleVersion
from domain.listing import PageRequest
from tests.conftest import NOW

TODAY = NOW.date()
STAFF = user_actor(user_id=900, label="staff@test.example", role=Role.OPCC_STAFF)
LIAISON = user_actor(user_id=901, label="liaison@test.example", role=Role.FORCE_LIAISON)
VIEWER = user_actor(user_id=902, label="viewer@test.example", role=Role.VIEWER)


@pytest.fixture
def llr(session):
    seed_reference(session, SeedReport(created={}), now=NOW)


def new_action(
    session,
    *,
    owner="force",
    due=TODAY + timedelta(days=10),
    title="Report on 999 answering",
    **extra,
):
    return actions.create_action(
        session, STAFF, ActionCreate(title=title, owner_org=owner, due_on=due, **extra), now=NOW
    )


def audit_count(session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def test_an_action_gets_the_next_reference_of_its_year(session, llr):
    first = new_action(session)
    second = new_action(session, title="Second")
    assert first.ref == "ACT-2024-0001"
    assert second.ref == "ACT-2024-0002"


def test_creating_writes_history_and_one_audit_event(session, llr):
    before = audit_count(session)
    action = new_action(session, private_note="Chief Executive asked")
    shown = action_queries.detail(session, STAFF, action.id, today=TODAY)
    assert [(h.from_, h.to) for h in shown.history] == [(None, "open")]
    assert audit_count(session) == before + 1


def test_unknown_owner_area_or_source_is_refused_and_changes_nothing(session, llr):
    before = audit_count(session)
    with pytest.raises(Invalid) as caught:
        new_action(session, owner="no-such-org")
    assert caught.value.errors[0].loc == ("owner_org",)
    with pytest.raises(Invalid):
        new_action(session, area="atlantis")
    with pytest.raises(Invalid) as caught:
        new_action(session, source_type="board_meeting", source_id=99)
    assert caught.value.errors[0].loc == ("source_id",)
    assert session.exec(select(func.count()).select_from(Action)).one() == 0
    assert audit_count(session) == before


def test_done_sets_the_completion_date_and_reopening_clears_it(session, llr):
    action = new_action(session)
    actions.transition_action(
        session, STAFF, action.id, to="done", note="", expected_version=1, now=NOW, today=TODAY
    )
    assert action.completed_on == TODAY
    with pytest.raises(Invalid):
        actions.transition_action(
            session,
            STAFF,
            action.id,
            to="in_progress",
            note="",
            expected_version=2,
            now=NOW,
            today=TODAY,
        )
    actions.transition_action(
        session,
        STAFF,
        action.id,
        to="in_progress",
        note="Force asked to redo it",
        expected_version=2,
        now=NOW,
        today=TODAY,
    )
    assert action.completed_on is None
    history = action_queries.detail(session, STAFF, action.id, today=TODAY).history
    assert [h.to for h in history] == ["open", "done", "in_progress"]
    assert history[-1].note == "Force asked to redo it"


def test_illegal_transition_and_stale_version_change_nothing(session, llr):
    action = new_action(session)
    actions.transition_action(
        session,
        STAFF,
        action.id,
        to="cancelled",
        note="Duplicate",
        expected_version=1,
        now=NOW,
        today=TODAY,
    )
    before = audit_count(session)
    with pytest.raises(InvalidTransition):
        actions.transition_action(
            session, STAFF, action.id, to="done", note="", expected_version=2, now=NOW, today=TODAY
        )
    with pytest.raises(StaleVersion):
        actions.change_action(
            session, STAFF, action.id, ActionChange(title="New"), expected_version=1, now=NOW
        )
    session.rollback()
    assert session.get(Action, action.id).status == "cancelled"
    assert audit_count(session) == before


def test_the_force_sees_only_what_it_owns_and_never_internal_notes(session, llr):
    ours = new_action(session, owner="opcc", private_note="internal canary CANARY-PRIVATE")
    theirs = new_action(session, owner="force", private_note="internal canary CANARY-PRIVATE")
    page = action_queries.list_actions(
        session, LIAISON, filters=action_queries.ActionFilters(), page=PageRequest(), today=TODAY
    )
    assert [a.id for a in page.items] == [theirs.id]
    assert "CANARY-PRIVATE" not in page.items[0].model_dump_json()
    with pytest.raises(NotFound):
        action_queries.detail(session, LIAISON, ours.id, today=TODAY)


def test_the_force_may_update_and_complete_but_not_cancel_or_edit(session, llr):
    action = new_action(session, owner="force")
    actions.add_update(
        session, LIAISON, action.id, ActionUpdateCreate(body="Paper drafted"), now=NOW
    )
    actions.transition_action(
        session,
        LIAISON,
        action.id,
        to="in_progress",
        note="",
        expected_version=1,
        now=NOW,
        today=TODAY,
    )
    with pytest.raises(Forbidden):
        actions.transition_action(
            session,
            LIAISON,
            action.id,
            to="cancelled",
            note="no",
            expected_version=2,
            now=NOW,
            today=TODAY,
        )
    with pytest.raises(Forbidden):
        actions.change_action(
            session, LIAISON, action.id, ActionChange(due_on=TODAY), expected_version=2, now=NOW
        )
    with pytest.raises(Forbidden):
        actions.add_update(
            session, LIAISON, action.id, ActionUpdateCreate(body="x", internal=True), now=NOW
        )


def test_the_force_cannot_touch_an_opcc_action(session, llr):
    action = new_action(session, owner="opcc")
    with pytest.raises(NotFound):
        actions.add_update(session, LIAISON, action.id, ActionUpdateCreate(body="x"), now=NOW)


def test_a_viewer_reads_but_cannot_write(session, llr):
    action = new_action(session)
    assert action_queries.detail(session, VIEWER, action.id, today=TODAY).id == action.id
    with pytest.raises(Forbidden):
        actions.add_update(session, VIEWER, action.id, ActionUpdateCreate(body="x"), now=NOW)


def test_internal_updates_are_hidden_from_the_force_and_tokens(session, llr):
    action = new_action(session)
    actions.add_update(
        session, STAFF, action.id, ActionUpdateCreate(body="OPCC only", internal=True), now=NOW
    )
    actions.add_update(session, STAFF, action.id, ActionUpdateCreate(body="Shared"), now=NOW)
    token = token_actor(
        token_id=1, label="token:x", role=Role.ADMIN, scopes=SYSTEM.scopes, user_id=None
    )
    for reader, expected in ((STAFF, 2), (LIAISON, 1), (token, 1)):
        bodies = [
            u.body
            for u in action_queries.list_updates(
                session, reader, action.id, page=PageRequest()
            ).items
        ]
        assert len(bodies) == expected
        if expected == 1:
            assert bodies == ["Shared"]


@pytest.mark.parametrize(
    ("filters", "expected_titles"),
    [
        (action_queries.ActionFilters(overdue=True), {"late"}),
        (action_queries.ActionFilters(owner_org="opcc"), {"ours"}),
        (action_queries.ActionFilters(area="melton"), {"late"}),
        (action_queries.ActionFilters(status=ActionStatus.DONE), {"finished"}),
        (action_queries.ActionFilters(due_before=TODAY), {"late", "finished"}),
        (action_queries.ActionFilters(q="OUR"), {"ours"}),
    ],
)
def test_filters(session, llr, filters, expected_titles):
    new_action(session, title="late", due=TODAY - timedelta(days=1), area="melton")
    new_action(session, title="ours", owner="opcc", due=TODAY + timedelta(days=3))
    done = new_action(session, title="finished", due=TODAY - timedelta(days=5))
    actions.transition_action(
        session, STAFF, done.id, to="done", note="", expected_version=1, now=NOW, today=TODAY
    )
    page = action_queries.list_actions(
        session, STAFF, filters=filters, page=PageRequest(), today=TODAY
    )
    assert {a.title for a in page.items} == expected_titles


def test_sorted_by_due_date_pages_without_gaps_or_repeats(session, llr):
    for i in range(25):
        new_action(session, title=f"a{i}", due=TODAY + timedelta(days=i % 7))
    seen, cursor = [], None
    while True:
        page = action_queries.list_actions(
            session,
            STAFF,
            filters=action_queries.ActionFilters(sort="due_on"),
            page=PageRequest(limit=4, cursor=cursor),
            today=TODAY,
        )
        seen.extend(page.items)
        cursor = page.next_cursor
        if cursor is None:
            break
    assert len({a.id for a in seen}) == 25
    assert [a.due_on for a in seen] == sorted(a.due_on for a in seen)


def test_the_inbox_lists_what_the_force_owes_overdue_first(session, llr):
    later = new_action(session, title="later", due=TODAY + timedelta(days=20))
    late = new_action(session, title="late", due=TODAY - timedelta(days=3))
    soon = new_action(session, title="soon", due=TODAY + timedelta(days=2))
    new_action(session, title="ours", owner="opcc", due=TODAY - timedelta(days=9))
    done = new_action(session, title="done", due=TODAY - timedelta(days=30))
    actions.transition_action(
        session, STAFF, done.id, to="done", note="", expected_version=1, now=NOW, today=TODAY
    )
    first = inbox.force_inbox(session, LIAISON, today=TODAY, limit=2)
    assert [e.id for e in first.items] == [late.id, soon.id]
    assert first.items[0].overdue and not first.items[0].due_soon
    assert first.items[1].due_soon
    rest = inbox.force_inbox(session, LIAISON, today=TODAY, limit=2, cursor=first.next_cursor)
    assert [e.id for e in rest.items] == [later.id]
    assert rest.next_cursor is None
    counts = inbox.inbox_counts(session, LIAISON, today=TODAY)
    assert (counts.total, counts.overdue, counts.due_soon) == (3, 1, 1)


def test_the_inbox_and_the_counts_kept_for_everyone_move_with_the_next_change(
    session, database, llr
):
    """Inbox pages and counts are kept under the database's generation (domain.sync): a
    change made after they were seen shows on the very next read."""
    new_action(session, title="late", due=TODAY - timedelta(days=3))
    overdue = action_queries.ActionFilters(overdue=True)

    def seen() -> tuple[list[str], int, int]:
        with database.session() as db:
            entries = inbox.force_inbox(db, LIAISON, today=TODAY).items
            counts = inbox.inbox_counts(db, LIAISON, today=TODAY)
            listed = action_queries.count_actions(db, STAFF, overdue, today=TODAY)
            return [e.title for e in entries], counts.overdue, listed

    assert seen() == (["late"], 1, 1)
    assert seen() == (["late"], 1, 1)  # kept
    new_action(session, title="later still", due=TODAY - timedelta(days=1))
    assert seen() == (["late", "later still"], 2, 2)


def test_seeded_demo_actions_include_overdue_and_done(session):
    from domain.demo import seed_demo

    seed_demo(session, now=NOW)
    page = action_queries.list_actions(
        session,
        STAFF,
        filters=action_queries.ActionFilters(),
        page=PageRequest(limit=500),
        today=TODAY,
    )
    statuses = {a.status for a in page.items}
    by_source = Counter(a.source.type if a.source else "none" for a in page.items)
    # 40 demo actions, 4 captured at the demo boards, the Community Days' debrief actions
    # and the demo reviews' recommendations
    assert by_source["none"] + by_source["board_meeting"] + by_source["escalation"] == 44
    assert by_source["engagement"] > 0 and by_source["complaint_review"] > 0
    assert {"open", "in_progress", "done", "cancelled"} <= statuses
    assert any(a.overdue for a in page.items)


def test_generated_actions_have_refs_and_history(session, llr):
    from domain.actions.generate import generate_actions
    from domain.sync import generation

    before = generation(session)
    assert generate_actions(session, 30, now=NOW) == 30
    assert generation(session) != before  # written past the ORM, still seen by the cache
    refs = session.exec(select(Action.ref)).all()
    assert len(set(refs)) == 30
    sample = session.exec(select(Action).where(Action.status == "done")).first()
    if sample is not None:
        assert [
            h.to for h in action_queries.detail(session, STAFF, sample.id, today=TODAY).history
        ] == [
            "open",
            "done",
        ]


def test_due_date_before_2000_is_refused_by_the_schema():
    with pytest.raises(ValueError):
        ActionCreate(title="x", owner_org="force", due_on=date(1999, 1, 1))
