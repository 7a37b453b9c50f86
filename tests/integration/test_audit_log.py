"""The audit log in words (domain.audit.log) on a real database (SQLite and PostgreSQL): a
page of events is named with one query per kind of record, never one per event; complaint
reviews by reference only; the filter's list of kinds; sign-ins left out when asked."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import select

from domain.accounts import service as accounts
from domain.accounts import sessions
from domain.accounts.rules import SYSTEM, Role, Scope, user_actor
from domain.accounts.schemas import TokenCreate, UserUpdate
from domain.actions import service as actions
from domain.actions.schemas import ActionCreate
from domain.audit import log
from domain.audit import service as audit
from domain.audit.names import RecordName
from domain.audit.schemas import AuditFilter
from domain.audit.tables import AuditEvent
from domain.complaints import service as complaints
from domain.complaints.rules import DEFAULT_RULES
from domain.complaints.schemas import ComplainantDetails, ComplaintReviewCreate
from domain.demo import SeedReport, seed_reference
from domain.listing import PageRequest
from tests.conftest import NOW, PASSWORD, make_user

ADMIN = user_actor(user_id=1, label="admin@test.example", role=Role.ADMIN)
MARKER = "ZZQ-COMPLAINANT-AUDIT"


@contextmanager
def statements(database) -> Iterator[list[str]]:  # type: ignore[no-untyped-def]
    seen: list[str] = []

    def note(conn, cursor, statement, *args) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().upper().startswith("SELECT"):
            seen.append(statement)

    event.listen(database.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        event.remove(database.engine, "before_cursor_execute", note)


def _every_event(session) -> list[AuditEvent]:  # type: ignore[no-untyped-def]
    return list(session.exec(select(AuditEvent)).all())


def _actions(session, n: int) -> None:  # type: ignore[no-untyped-def]
    officer = make_user(session, Role.OPCC_STAFF, email=f"officer{n}@test.example")
    actor = user_actor(user_id=officer.id, label=officer.email, role=Role.OPCC_STAFF)
    for i in range(n):
        actions.create_action(
            session,
            actor,
            ActionCreate(
                title=f"Action {i}", owner_org="force", area="melton", due_on=date(2024, 6, 1)
            ),
            now=NOW,
        )


def test_a_page_of_events_is_named_with_one_query_per_kind_of_record(session, database):
    seed_reference(session, SeedReport(created={}), now=NOW)
    _actions(session, 3)
    events = _every_event(session)
    with statements(database) as few:
        entries = log.describe(session, events)
    _actions(session, 12)
    events = _every_event(session)
    with statements(database) as many:
        more = log.describe(session, events)
    assert len(more) > len(entries) + 12
    # the actions, the people who made them, the organisations and areas they point at, and
    # each kind of reference data: the same number of queries however many events there are
    assert len(many) == len(few)
    kinds = {e.entity for e in _every_event(session)} | {"user"}
    assert len(many) <= len(kinds)
    named = next(e for e in more if e.record.text.endswith(": Action 11"))
    assert named.record.url and named.record.url.startswith("/actions/")
    assert named.who.text == "Test opcc_staff"
    changes = {c.field: c.after for c in named.changes}
    assert changes["Owner"] == "Leicestershire Police"
    assert changes["Area"] == "Melton"
    assert changes["Status"] == "Open"
    assert changes["Shown to the public"] == "No"
    assert changes["Due date"] == date(2024, 6, 1)
    assert changes["Came from"] == "No source"


def test_a_record_no_longer_there_and_an_unnamed_kind_still_read_well(session):
    gone = AuditEvent(
        at=NOW,
        actor_type="system",
        actor_id=None,
        actor_label="system (command line)",
        entity="pre_election_period",
        entity_id=99,
        action="delete",
        changes={},
    )
    unnamed = AuditEvent(
        at=NOW,
        actor_type="token",
        actor_id=42,
        actor_label="token:Old feed",
        entity="exception_item",
        entity_id=3,
        action="escalate_item",
        changes={"topic": {"before": None, "after": "999-performance"}},
    )
    session.add_all([gone, unnamed])
    session.commit()
    first, second = log.describe(session, [gone, unnamed])
    assert (first.record.text, first.record.url) == (
        "Pre-election period 99 (no longer there)",
        None,
    )
    assert (first.who.text, first.what) == ("The command line", "Deleted")
    assert second.record.text == "Exception item 3"
    assert (second.who.text, second.what) == ("token:Old feed", "Escalate item")
    assert second.changes[0].after == "999-performance"


def test_complaint_reviews_are_named_by_reference_and_personal_data_stays_hidden(session):
    seed_reference(session, SeedReport(created={}), now=NOW)
    reviewer = make_user(session, Role.COMPLAINTS_REVIEWER, email="rev@test.example")
    actor = user_actor(user_id=reviewer.id, label=reviewer.email, role=Role.COMPLAINTS_REVIEWER)
    review = complaints.create_review(
        session,
        actor,
        ComplaintReviewCreate(
            force_ref="PSD/1",
            outcome_sent_on=date(2024, 3, 1),
            received_on=date(2024, 3, 11),
            categories=["use-of-force"],
            complainant=ComplainantDetails(
                name=f"Alex {MARKER}", contact=f"alex@example.org {MARKER}", narrative=MARKER
            ),
            reviewer_id=reviewer.id,
        ),
        now=NOW,
        rules=DEFAULT_RULES,
    )
    entries = log.describe(
        session, audit.history_of(session, entity="complaint_review", entity_id=review.id)
    )
    (created,) = entries
    assert created.record == RecordName(
        f"Complaint review {review.ref}", f"/complaint-reviews/{review.id}"
    )
    text = repr(entries)
    assert MARKER not in text
    changes = {c.field: c.after for c in created.changes}
    assert changes["Complainant name"] == "Personal data (not shown)"
    assert changes["Reviewer"] == "Test complaints_reviewer"
    assert changes["Status"] == "Received"


def test_values_of_a_change_read_in_words_both_sides(session):
    user = make_user(session, Role.VIEWER, email="vera@test.example", name="Vera")
    accounts.update_user(
        session,
        SYSTEM,
        user.id,
        UserUpdate(role=Role.ADMIN, active=False),
        expected_version=1,
        now=NOW,
    )
    (change_event,) = [
        e
        for e in audit.history_of(session, entity="user", entity_id=user.id)
        if e.action == "update"
    ]
    (entry,) = log.describe(session, [change_event])
    changes = {c.field: (c.before, c.after) for c in entry.changes}
    assert changes == {"Role": ("Viewer", "Administrator"), "Active": ("Yes", "No")}
    assert (entry.what, entry.kind, entry.record.text) == ("Changed", "User", "Vera")


def test_the_filter_lists_each_kind_present_once(session):
    make_user(session, Role.VIEWER)
    accounts.create_token(
        session, SYSTEM, TokenCreate(name="t", role=Role.VIEWER, scopes=[Scope.READ_PLAN]), now=NOW
    )
    seed_reference(session, SeedReport(created={}), now=NOW)
    present = audit.entities_present(session, ADMIN)
    assert present == sorted(present)
    assert set(present) == {e.entity for e in _every_event(session)}
    assert len(present) == len(set(present))
    choices = log.entity_choices(session, ADMIN)
    assert ("token", "API token") in choices and ("npa", "Neighbourhood Policing Area") in choices
    assert [label for _, label in choices] == sorted(label for _, label in choices)


def test_sign_ins_can_be_left_out_and_people_found_by_name(session, database):
    user = make_user(session, Role.VIEWER, email="vera@test.example", name="Vera Viewer")
    sessions.sign_in(
        database,
        email=user.email,
        password=PASSWORD,
        ip="192.0.2.1",
        now=NOW + timedelta(minutes=1),
        limits=sessions.SignInLimits(),
        session_length=timedelta(hours=1),
    )
    everything = audit.list_events(session, ADMIN, filters=AuditFilter(), page=PageRequest())
    assert {e.action for e in everything.items} == {"create", "sign_in"}
    quiet = audit.list_events(
        session, ADMIN, filters=AuditFilter(sign_ins=False), page=PageRequest()
    )
    assert {e.action for e in quiet.items} == {"create"}
    by_name = audit.list_events(
        session, ADMIN, filters=AuditFilter(actor="vera vie"), page=PageRequest()
    )
    assert [e.action for e in by_name.items] == ["sign_in"]


@pytest.mark.parametrize("who", ["vera@TEST", "Vera"])
def test_who_matches_without_regard_to_case(session, database, who):
    user = make_user(session, Role.VIEWER, email="vera@test.example", name="Vera Viewer")
    sessions.sign_in(
        database,
        email=user.email,
        password=PASSWORD,
        ip="192.0.2.1",
        now=NOW,
        limits=sessions.SignInLimits(),
        session_length=timedelta(hours=1),
    )
    found = audit.list_events(session, ADMIN, filters=AuditFilter(actor=who), page=PageRequest())
    assert [e.action for e in found.items] == ["sign_in"]
