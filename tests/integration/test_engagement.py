"""The engagement context through its services on a real database (SQLite and PostgreSQL):
the one-flow debrief (all or nothing), closing the loop, the public feed and pre-election
periods, coverage and the other aggregates."""

from datetime import date, timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import event
from sqlmodel import func, select

from domain.accounts.rules import Role, Scope, token_actor, user_actor
from domain.actions import inbox
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.schemas import ActionChange, ActionCreate
from domain.actions.tables import Action
from domain.audit.tables import AuditEvent
from domain.demo import SeedReport, seed_reference
from domain.engagement import rules
from domain.engagement import service as engagement
from domain.engagement.demo import generate_engagements
from domain.engagement.rules import EngagementKind, Lead, LineOutcome, PeriodSpan
from domain.engagement.schemas import (
    CoverageRead,
    DebriefActionIn,
    EngagementChange,
    EngagementCreate,
    EngagementDetailForOpcc,
    EngagementIssueCreate,
    EngagementReadForOpcc,
    LoopClosing,
    PreElectionPeriodChange,
    PreElectionPeriodCreate,
)
from domain.engagement.tables import Engagement, EngagementIssue, IssueAction, PreElectionPeriod
from domain.errors import Forbidden, Invalid, NotFound, StaleVersion
from domain.listing import PageRequest
from tests.conftest import NOW

TODAY = NOW.date()  # 18 March 2024
STAFF = user_actor(user_id=900, label="staff@test.example", role=Role.OPCC_STAFF)
LIAISON = user_actor(user_id=901, label="liaison@test.example", role=Role.FORCE_LIAISON)
VIEWER = user_actor(user_id=902, label="viewer@test.example", role=Role.VIEWER)
ADMIN = user_actor(user_id=903, label="admin@test.example", role=Role.ADMIN)
REVIEWER = user_actor(user_id=904, label="reviewer@test.example", role=Role.COMPLAINTS_REVIEWER)
STAFF_TOKEN = token_actor(
    token_id=1,
    label="token",
    role=Role.OPCC_STAFF,
    scopes=frozenset({Scope.READ_ENGAGEMENT, Scope.READ_ACTIONS}),
    user_id=None,
)
CONTACTS = "Parish clerk (invented) Pat Example"


@pytest.fixture
def llr(session):
    seed_reference(session, SeedReport(created={}), now=NOW)


def count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def counts(session) -> dict[str, int]:
    tables = (Engagement, EngagementIssue, IssueAction, Action, AuditEvent, PreElectionPeriod)
    return {t.__name__: count(session, t) for t in tables}


def last_events(session, n: int) -> list[tuple[str, str]]:
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(n)).all()
    return [(e.entity, e.action) for e in reversed(rows)]


def debrief(**extra) -> EngagementCreate:
    values = {
        "held_on": date(2024, 2, 1),
        "kind": EngagementKind.COMMUNITY_DAY,
        "lead": Lead.PCC,
        "lead_name": "Police and Crime Commissioner",
        "area": "rutland",
        "ward": "Oakham",
        "npa": "rutland",
        "organisations_met": ["Rutland County Council", "Young Farmers"],
        "people_count": 30,
        "summary": "Farm visit",
        "named_contacts": CONTACTS,
        "issues": [
            EngagementIssueCreate(
                topic="sheep-worrying",
                description="Dogs worrying sheep",
                people_count=12,
                actions=[
                    DebriefActionIn(
                        title="Business case for a sheep worrying campaign",
                        owner_org="force",
                        owner_name="Rural Crime Team Lead",
                        due_on=TODAY + timedelta(days=10),
                        public=True,
                    ),
                    DebriefActionIn(
                        title="Dog-on-lead signs",
                        owner_org="rutland-county-council",
                        due_on=TODAY - timedelta(days=1),
                    ),
                ],
            ),
            EngagementIssueCreate(
                topic="road-safety",
                description="Speeding tractors",
                people_count=3,
                actions=[
                    DebriefActionIn(
                        title="Write to the residents about the speed checks",
                        owner_org="opcc",
                        due_on=TODAY + timedelta(days=5),
                        public=True,
                    )
                ],
            ),
        ],
    }
    return EngagementCreate(**{**values, **extra})


def record(session, actor=STAFF, **extra) -> Engagement:
    return engagement.record_engagement(session, actor, debrief(**extra), now=NOW)


def action_of(session, engagement_id: int, title: str) -> Action:
    return session.exec(
        select(Action).where(Action.source_id == engagement_id, Action.title == title)
    ).one()


def finish(session, action: Action, to: str = "done", note: str = "") -> Action:
    if to == "done":
        action = actions.transition_action(
            session,
            STAFF,
            action.id,
            to="in_progress",
            note="",
            expected_version=action.version,
            now=NOW,
            today=TODAY,
        )
    return actions.transition_action(
        session,
        STAFF,
        action.id,
        to=to,
        note=note or "Completed",
        expected_version=action.version,
        now=NOW,
        today=TODAY,
    )


def close(session, action: Action, today=None, **data) -> Action:
    return engagement.close_the_loop(
        session,
        STAFF,
        action.id,
        LoopClosing(**data),
        expected_version=action.version,
        now=NOW,
        today=today,
    )


# The one-flow debrief -------------------------------------------------------------------------


def test_a_debrief_saves_the_engagement_issues_actions_and_links_at_once(session, llr):
    before = counts(session)
    made = record(session)
    after = counts(session)
    assert {k: after[k] - before[k] for k in after} == {
        "Engagement": 1,
        "EngagementIssue": 2,
        "IssueAction": 3,
        "Action": 3,
        "AuditEvent": 1 + 2 + 3,
        "PreElectionPeriod": 0,
    }
    assert last_events(session, 6)[0] == ("engagement", "create")
    assert sorted(last_events(session, 6)) == sorted(
        [("engagement", "create")]
        + [("engagement_issue", "create")] * 2
        + [("action", "create")] * 3
    )
    made_actions = session.exec(select(Action).where(Action.source_id == made.id)).all()
    assert {(a.source_type, a.area_id is not None, a.status) for a in made_actions} == {
        ("engagement", True, "open")
    }
    shown = engagement.get_engagement(session, STAFF, made.id, today=TODAY)
    assert isinstance(shown, EngagementDetailForOpcc)
    assert (shown.kind_label, shown.area_name, shown.npa, shown.issue_count) == (
        "Community Day",
        "Rutland",
        "rutland",
        2,
    )
    assert shown.named_contacts == CONTACTS
    first, second = shown.issues
    assert (first.position, first.topic, first.topic_name) == (
        1,
        "sheep-worrying",
        "Sheep worrying",
    )
    assert [(a.owner_org, a.overdue, a.line_outcome) for a in first.actions] == [
        ("force", False, None),
        ("rutland-county-council", True, None),
    ]
    assert [a.owner_org for a in second.actions] == ["opcc"]
    # The action knows where it came from.
    source = action_queries.detail(session, STAFF, first.actions[0].id, today=TODAY).source
    assert (source.title, source.url) == (
        "Community Day in Rutland, 1 February 2024",
        f"/engagements/{made.id}",
    )


def test_named_contacts_are_for_opcc_people_only_and_stay_out_of_the_audit_trail(session, llr):
    made = record(session)
    for actor in (STAFF, ADMIN, REVIEWER):
        assert engagement.get_engagement(session, actor, made.id, today=TODAY).named_contacts
    for actor in (VIEWER, STAFF_TOKEN):
        shown = engagement.get_engagement(session, actor, made.id, today=TODAY)
        assert not hasattr(shown, "named_contacts")
        assert CONTACTS not in shown.model_dump_json()
        listed = engagement.list_engagements(
            session, actor, kind=None, area=None, npa=None, from_=None, to=None, page=PageRequest()
        )
        assert CONTACTS not in listed.items[0].model_dump_json()
    listed = engagement.list_engagements(
        session, STAFF, kind=None, area=None, npa=None, from_=None, to=None, page=PageRequest()
    )
    assert isinstance(listed.items[0], EngagementReadForOpcc)
    engagement.change_engagement(
        session,
        STAFF,
        made.id,
        EngagementChange(named_contacts="Farmer (invented) Sam Placeholder"),
        expected_version=1,
        now=NOW,
    )
    trail = "".join(str(e.changes) for e in session.exec(select(AuditEvent)).all())
    assert "Pat Example" not in trail and "Sam Placeholder" not in trail
    assert "[personal data]" in trail


def test_every_fault_in_a_debrief_is_reported_at_once_and_nothing_is_saved(session, llr):
    before = counts(session)
    data = debrief(
        held_on=TODAY + timedelta(days=400),
        area="atlantis",
        npa="nowhere",
        councils_invited=10,
        councils_attended=20,
        issues=[
            EngagementIssueCreate(
                topic="road-safety",
                description="Fine",
                people_count=1,
                actions=[
                    DebriefActionIn(title="Fine", owner_org="force", due_on=TODAY),
                    DebriefActionIn(title="Bad org", owner_org="mi5", due_on=TODAY),
                ],
            ),
            EngagementIssueCreate(topic="ufo-sightings", description="Bad topic", people_count=2),
        ],
    )
    with pytest.raises(Invalid) as caught:
        engagement.record_engagement(session, STAFF, data, now=NOW)
    assert [e.loc for e in caught.value.errors] == [
        ("area",),
        ("npa",),
        ("held_on",),
        ("councils_invited",),
        ("councils_attended",),
        ("issues", 0, "actions", 1, "owner_org"),
        ("issues", 1, "topic"),
    ]
    assert counts(session) == before


def test_a_fault_deep_in_the_debrief_saves_nothing_either(session, llr):
    before = counts(session)
    data = debrief()
    data.issues[1].actions[0].owner_org = "nobody"
    with pytest.raises(Invalid) as caught:
        engagement.record_engagement(session, STAFF, data, now=NOW)
    assert [e.loc for e in caught.value.errors] == [("issues", 1, "actions", 0, "owner_org")]
    assert counts(session) == before


def test_the_npa_must_lie_in_the_engagement_area(session, llr):
    with pytest.raises(Invalid) as caught:
        record(session, area="melton", npa="rutland")
    assert [e.loc for e in caught.value.errors] == [("npa",)]
    assert "is not a Neighbourhood Policing Area of Melton" in caught.value.errors[0].msg


def test_an_issue_needs_at_least_one_person_and_inputs_refuse_extra_fields():
    with pytest.raises(ValidationError):
        EngagementIssueCreate(topic="asb", description="x", people_count=0)
    with pytest.raises(ValidationError):
        EngagementCreate.model_validate({**debrief().model_dump(), "surprise": True})


def test_parish_surgeries_record_attendance_and_others_may_not(session, llr):
    surgery = record(
        session,
        kind=EngagementKind.PARISH_SURGERY,
        lead=Lead.DPCC,
        area="north-west-leicestershire",
        npa="nwl",
        councils_invited=23,
        councils_attended=7,
        issues=[],
    )
    assert (surgery.councils_invited, surgery.councils_attended) == (23, 7)
    with pytest.raises(Invalid) as caught:
        engagement.change_engagement(
            session,
            STAFF,
            surgery.id,
            EngagementChange(kind=EngagementKind.PUBLIC_MEETING),
            expected_version=1,
            now=NOW,
        )
    assert [e.loc for e in caught.value.errors] == [("councils_invited",), ("councils_attended",)]
    changed = engagement.change_engagement(
        session,
        STAFF,
        surgery.id,
        EngagementChange(
            kind=EngagementKind.PUBLIC_MEETING, councils_invited=None, councils_attended=None
        ),
        expected_version=1,
        now=NOW,
    )
    assert (changed.kind, changed.councils_invited, changed.version) == ("public_meeting", None, 2)


def test_who_may_record_read_and_change(session, llr):
    with pytest.raises(Forbidden):
        record(session, actor=VIEWER)
    with pytest.raises(Forbidden):
        record(session, actor=LIAISON)
    made = record(session)
    with pytest.raises(Forbidden):
        engagement.get_engagement(session, LIAISON, made.id, today=TODAY)
    with pytest.raises(NotFound):
        engagement.get_engagement(session, STAFF, 999_999, today=TODAY)
    no_actions = token_actor(
        token_id=2,
        label="engagement-only token",
        role=Role.OPCC_STAFF,
        scopes=frozenset({Scope.READ_ENGAGEMENT, Scope.WRITE_ENGAGEMENT}),
        user_id=None,
    )
    with pytest.raises(Forbidden):  # debrief actions are actions
        record(session, actor=no_actions)
    record(session, actor=no_actions, issues=[])
    shown = engagement.get_engagement(session, no_actions, made.id, today=TODAY)
    assert [i.actions for i in shown.issues] == [[], []]


# Changing and adding ---------------------------------------------------------------------------


def test_an_engagement_is_changed_with_one_event_and_its_version_checked(session, llr):
    made = record(session, issues=[])
    events = count(session, AuditEvent)
    changed = engagement.change_engagement(
        session,
        STAFF,
        made.id,
        EngagementChange(area="melton", npa="melton", summary="Moved", people_count=40),
        expected_version=1,
        now=NOW,
    )
    assert (changed.version, changed.summary, changed.people_count) == (2, "Moved", 40)
    assert count(session, AuditEvent) == events + 1
    assert last_events(session, 1) == [("engagement", "update")]
    with pytest.raises(StaleVersion):
        engagement.change_engagement(
            session, STAFF, made.id, EngagementChange(ward="x"), expected_version=1, now=NOW
        )
    with pytest.raises(Invalid) as caught:  # the NPA of the old area no longer fits
        engagement.change_engagement(
            session, STAFF, made.id, EngagementChange(area="rutland"), expected_version=2, now=NOW
        )
    assert [e.loc for e in caught.value.errors] == [("npa",)]
    with pytest.raises(Invalid) as caught:
        engagement.change_engagement(
            session,
            STAFF,
            made.id,
            EngagementChange(held_on=None, summary=None, area="nowhere"),
            expected_version=2,
            now=NOW,
        )
    assert [e.loc for e in caught.value.errors] == [("held_on",), ("summary",), ("area",)]
    unchanged = engagement.change_engagement(
        session, STAFF, made.id, EngagementChange(summary="Moved"), expected_version=2, now=NOW
    )
    assert unchanged.version == 2
    assert count(session, AuditEvent) == events + 1


def test_an_issue_is_added_with_its_actions_after_the_others(session, llr):
    made = record(session)
    issue = engagement.add_issue(
        session,
        STAFF,
        made.id,
        EngagementIssueCreate(
            topic="rural-crime",
            description="Quad bike thefts",
            people_count=4,
            actions=[DebriefActionIn(title="Farm visits", owner_org="force", due_on=TODAY)],
        ),
        now=NOW,
    )
    assert issue.position == 3
    listed = engagement.list_issues(session, VIEWER, made.id, today=TODAY)
    assert [(i.position, i.topic, len(i.actions)) for i in listed] == [
        (1, "sheep-worrying", 2),
        (2, "road-safety", 1),
        (3, "rural-crime", 1),
    ]
    assert session.get(Engagement, made.id).version == 2  # its issue count changed
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        engagement.add_issue(
            session,
            STAFF,
            made.id,
            EngagementIssueCreate(
                topic="nope",
                description="x",
                people_count=1,
                actions=[DebriefActionIn(title="x", owner_org="nobody", due_on=TODAY)],
            ),
            now=NOW,
        )
    assert [e.loc for e in caught.value.errors] == [("topic",), ("actions", 0, "owner_org")]
    assert counts(session) == before


# Lists ----------------------------------------------------------------------------------------


def test_lists_filter_page_newest_first_and_count(session, llr):
    days = [date(2024, 1, 25), date(2024, 2, 8), date(2024, 2, 8), date(2024, 3, 7)]
    made = [record(session, held_on=d, issues=[]) for d in days]
    record(session, held_on=date(2024, 2, 20), area="melton", npa="melton", issues=[])
    everything = dict(kind=None, area=None, npa=None, from_=None, to=None)
    first = engagement.list_engagements(session, VIEWER, **everything, page=PageRequest(limit=2))
    rest = engagement.list_engagements(
        session, VIEWER, **everything, page=PageRequest(limit=10, cursor=first.next_cursor)
    )
    shown = [(e.held_on, e.id) for e in first.items + rest.items]
    assert shown == sorted(shown, reverse=True) and len(shown) == 5
    rutland = dict(everything, area="rutland", from_=date(2024, 2, 1), to=date(2024, 2, 29))
    found = engagement.list_engagements(session, VIEWER, **rutland, page=PageRequest())
    assert [e.id for e in found.items] == [made[2].id, made[1].id]
    assert engagement.count_engagements(session, VIEWER, **rutland) == 2
    assert engagement.count_engagements(session, VIEWER, **dict(everything, npa="melton")) == 1
    assert engagement.count_engagements(session, VIEWER, **dict(everything, area="nowhere")) == 0
    surgeries = dict(everything, kind=EngagementKind.PARISH_SURGERY)
    assert engagement.count_engagements(session, VIEWER, **surgeries) == 0
    synced = engagement.list_engagements(
        session, VIEWER, **everything, page=PageRequest(updated_since=NOW - timedelta(days=1))
    )
    assert len(synced.items) == 5
    month = engagement.calendar_month(session, VIEWER, month=date(2024, 2, 14))
    assert [e.held_on for e in month] == [
        date(2024, 2, 8),
        date(2024, 2, 8),
        date(2024, 2, 20),
    ]


def test_a_list_costs_the_same_number_of_queries_however_long_it_is(session, database, llr):
    for n in range(12):
        record(session, held_on=date(2024, 1, 1) + timedelta(days=n))
    statements: list[str] = []

    def note(conn, cursor, statement, *args):
        statements.append(statement)

    everything = dict(kind=None, area=None, npa=None, from_=None, to=None)
    engagement.list_engagements(session, STAFF, **everything, page=PageRequest(limit=1))
    event.listen(database.engine, "before_cursor_execute", note)
    try:
        engagement.list_engagements(session, STAFF, **everything, page=PageRequest(limit=2))
        short = len(statements)
        statements.clear()
        engagement.list_engagements(session, STAFF, **everything, page=PageRequest(limit=12))
        assert len(statements) == short
        statements.clear()
        made = session.exec(select(Engagement.id).order_by(Engagement.id)).first()
        engagement.get_engagement(session, STAFF, made, today=TODAY)
        assert len(statements) <= 8
    finally:
        event.remove(database.engine, "before_cursor_execute", note)


# Closing the loop and the public feed ---------------------------------------------------------


def test_closing_the_loop_records_the_line_with_one_event(session, llr):
    made = record(session)
    action = finish(
        session, action_of(session, made.id, "Business case for a sheep worrying campaign")
    )
    events = count(session, AuditEvent)
    closed = close(
        session,
        action,
        told_on=TODAY,
        line="You told us about sheep worrying: the campaign is under way.",
        outcome=LineOutcome.DONE,
        reason="ignored unless not doing",
    )
    assert (closed.told_on, closed.line_outcome, closed.line_reason) == (TODAY, "done", "")
    assert closed.you_said_we_did.startswith("You told us")
    assert count(session, AuditEvent) == events + 1
    assert last_events(session, 1) == [("action", "close_the_loop")]
    shown = engagement.get_engagement(session, VIEWER, made.id, today=TODAY).issues[0].actions[0]
    assert (shown.line_outcome, shown.told_on, shown.version) == (
        LineOutcome.DONE,
        TODAY,
        closed.version,
    )
    detail = action_queries.detail(session, STAFF, action.id, today=TODAY)
    assert detail.line_outcome == "done"
    with pytest.raises(StaleVersion):
        engagement.close_the_loop(
            session, STAFF, action.id, LoopClosing(told_on=TODAY), expected_version=1, now=NOW
        )


def test_a_line_is_refused_with_every_fault_and_nothing_changes(session, llr):
    made = record(session)
    private = action_of(session, made.id, "Dog-on-lead signs")  # open, not public
    with pytest.raises(Invalid) as caught:
        close(session, private, line="We did it", outcome=LineOutcome.DONE)
    assert [e.loc for e in caught.value.errors] == [("line",), ("outcome",), ("told_on",)]
    session.refresh(private)
    assert (private.version, private.you_said_we_did) == (1, "")
    public = action_of(session, made.id, "Write to the residents about the speed checks")
    cancelled = finish(session, public, to="cancelled", note="No longer needed")
    with pytest.raises(Invalid) as caught:
        close(session, cancelled, told_on=TODAY, line="Done!", outcome=LineOutcome.DONE)
    assert caught.value.errors[0].msg == "a line can only say done when the action is done"
    with pytest.raises(Invalid) as caught:
        close(session, cancelled, told_on=TODAY, line="Not doing", outcome=LineOutcome.NOT_DOING)
    assert [e.loc for e in caught.value.errors] == [("reason",)]
    told = close(
        session,
        cancelled,
        told_on=TODAY,
        line="You asked us to write to you. We are not doing this.",
        outcome=LineOutcome.NOT_DOING,
        reason="The speed checks moved to the county's programme.",
    )
    assert (told.line_outcome, told.line_reason) == (
        "not_doing",
        "The speed checks moved to the county's programme.",
    )
    told_only = close(session, private, told_on=TODAY - timedelta(days=1))
    assert (told_only.told_on, told_only.you_said_we_did) == (TODAY - timedelta(days=1), "")


def test_only_engagement_actions_close_the_loop_and_only_writers_may(session, llr):
    other = actions.create_action(
        session, STAFF, ActionCreate(title="Board action", owner_org="force", due_on=TODAY), now=NOW
    )
    with pytest.raises(NotFound) as caught:
        close(session, other, told_on=TODAY)
    assert "no engagement action" in caught.value.detail
    with pytest.raises(NotFound):
        engagement.close_the_loop(
            session, STAFF, 999_999, LoopClosing(), expected_version=1, now=NOW
        )
    made = record(session)
    action = action_of(session, made.id, "Dog-on-lead signs")
    with pytest.raises(Forbidden):
        engagement.close_the_loop(
            session, VIEWER, action.id, LoopClosing(told_on=TODAY), expected_version=1, now=NOW
        )


def published(session, made, title, told_on, *, outcome=LineOutcome.DONE) -> Action:
    action = action_of(session, made.id, title)
    if not action.public:
        action = actions.change_action(
            session,
            STAFF,
            action.id,
            ActionChange(public=True),
            expected_version=action.version,
            now=NOW,
        )
    if outcome is LineOutcome.DONE:
        action = finish(session, action)
        return close(
            session, action, today=told_on, told_on=told_on, line=f"{title}: done", outcome=outcome
        )
    action = finish(session, action, to="cancelled", note="Not possible")
    return close(
        session,
        action,
        today=told_on,
        told_on=told_on,
        line=f"{title}: not doing",
        outcome=outcome,
        reason="Why",
    )


def test_the_public_feed_shows_public_lines_newest_first_without_names(session, llr):
    made = record(session)
    sheep = published(
        session, made, "Business case for a sheep worrying campaign", date(2024, 3, 1)
    )
    letter = published(
        session,
        made,
        "Write to the residents about the speed checks",
        date(2024, 3, 10),
        outcome=LineOutcome.NOT_DOING,
    )
    action_of(session, made.id, "Dog-on-lead signs")  # no line: not in the feed
    feed = engagement.public_lines(session, today=TODAY)
    assert [(p.action_ref, p.outcome, p.told_on) for p in feed] == [
        (letter.ref, LineOutcome.NOT_DOING, date(2024, 3, 10)),
        (sheep.ref, LineOutcome.DONE, date(2024, 3, 1)),
    ]
    assert (feed[0].outcome_label, feed[0].reason, feed[0].topic_name, feed[0].area_name) == (
        "Not doing",
        "Why",
        "Road safety",
        "Rutland",
    )
    text = "".join(p.model_dump_json() for p in feed)
    assert CONTACTS not in text and STAFF.label not in text
    # Reopened: the line no longer tells the truth, so it leaves the feed.
    actions.transition_action(
        session,
        STAFF,
        sheep.id,
        to="in_progress",
        note="More to do",
        expected_version=sheep.version,
        now=NOW,
        today=TODAY,
    )
    assert [p.action_ref for p in engagement.public_lines(session, today=TODAY)] == [letter.ref]
    # Made private again: gone too.
    actions.change_action(
        session,
        STAFF,
        letter.id,
        ActionChange(public=False),
        expected_version=session.get(Action, letter.id).version,
        now=NOW,
    )
    assert engagement.public_lines(session, today=TODAY) == []


def test_the_feed_pauses_for_a_pre_election_period_exactly_as_the_rule_says(session, llr):
    made = record(session)
    told = {
        "Business case for a sheep worrying campaign": date(2024, 3, 23),  # the day before
        "Write to the residents about the speed checks": date(2024, 3, 24),  # the first day
    }
    for title, day in told.items():
        published(session, made, title, day)
    engagement.create_period(
        session,
        ADMIN,
        PreElectionPeriodCreate(label="PCC election 2024", starts_on=date(2024, 3, 24)),
        now=NOW,
    )
    spans = [PeriodSpan(date(2024, 3, 24), None)]

    def feed(today):
        return sorted(p.told_on for p in engagement.public_lines(session, today=today))

    def expected(today):
        return sorted(d for d in told.values() if not rules.line_hidden(d, spans, today))

    for today in (date(2024, 3, 23), date(2024, 3, 24), date(2024, 4, 30)):
        assert feed(today) == expected(today)
    assert feed(date(2024, 3, 23)) == [date(2024, 3, 23), date(2024, 3, 24)]  # not in force yet
    assert feed(date(2024, 4, 30)) == [date(2024, 3, 23)]  # in force: only what came before
    assert engagement.period_in_force(session, today=date(2024, 4, 30)).label == "PCC election 2024"
    assert engagement.period_in_force(session, today=date(2024, 3, 23)) is None
    # The result is declared: the period ends, and the feed is whole again the day after.
    period = session.exec(select(PreElectionPeriod)).one()
    engagement.change_period(
        session,
        ADMIN,
        period.id,
        PreElectionPeriodChange(ends_on=date(2024, 5, 3)),
        expected_version=1,
        now=NOW,
    )
    spans = [PeriodSpan(date(2024, 3, 24), date(2024, 5, 3))]
    for today in (date(2024, 5, 3), date(2024, 5, 4)):
        assert feed(today) == expected(today)
    assert feed(date(2024, 5, 3)) == [date(2024, 3, 23)]
    assert feed(date(2024, 5, 4)) == [date(2024, 3, 23), date(2024, 3, 24)]


# Pre-election periods -------------------------------------------------------------------------


def test_periods_are_set_by_admins_never_overlap_and_are_audited(session, llr):
    with pytest.raises(Forbidden):
        engagement.create_period(
            session,
            STAFF,
            PreElectionPeriodCreate(label="x", starts_on=date(2024, 3, 24)),
            now=NOW,
        )
    period = engagement.create_period(
        session,
        ADMIN,
        PreElectionPeriodCreate(
            label="PCC election 2024", starts_on=date(2024, 3, 24), ends_on=date(2024, 5, 3)
        ),
        now=NOW,
    )
    assert last_events(session, 1) == [("pre_election_period", "create")]
    before = counts(session)
    for bad, loc in (
        (PreElectionPeriodCreate(label="x", starts_on=date(2024, 5, 1)), ("starts_on",)),
        (
            PreElectionPeriodCreate(
                label="x", starts_on=date(2024, 6, 2), ends_on=date(2024, 6, 1)
            ),
            ("ends_on",),
        ),
    ):
        with pytest.raises(Invalid) as caught:
            engagement.create_period(session, ADMIN, bad, now=NOW)
        assert [e.loc for e in caught.value.errors] == [loc]
    assert counts(session) == before
    later = engagement.create_period(
        session,
        ADMIN,
        PreElectionPeriodCreate(label="Local elections 2025", starts_on=date(2025, 3, 20)),
        now=NOW,
    )
    listed = engagement.list_periods(session, VIEWER, today=date(2024, 4, 1))
    assert [(p.label, p.in_force) for p in listed] == [
        ("Local elections 2025", False),
        ("PCC election 2024", True),
    ]
    assert (
        engagement.get_period(session, VIEWER, period.id, today=date(2024, 6, 1)).in_force is False
    )
    with pytest.raises(Forbidden):
        engagement.list_periods(session, LIAISON)
    with pytest.raises(Invalid):  # moving the earlier one on top of the later one
        engagement.change_period(
            session,
            ADMIN,
            period.id,
            PreElectionPeriodChange(ends_on=None),
            expected_version=1,
            now=NOW,
        )
    with pytest.raises(StaleVersion):
        engagement.delete_period(session, ADMIN, later.id, expected_version=2, now=NOW)
    engagement.delete_period(session, ADMIN, later.id, expected_version=1, now=NOW)
    assert last_events(session, 1) == [("pre_election_period", "delete")]
    with pytest.raises(NotFound):
        engagement.get_period(session, VIEWER, later.id)
    # With the later one gone, the earlier one may run on until the result.
    changed = engagement.change_period(
        session,
        ADMIN,
        period.id,
        PreElectionPeriodChange(ends_on=None),
        expected_version=1,
        now=NOW,
    )
    assert (changed.ends_on, changed.version) == (None, 2)


# Coverage and the other aggregates ------------------------------------------------------------


def test_coverage_counts_every_area_with_zeros_and_checks_the_range(session, llr):
    record(session, held_on=date(2024, 1, 24), issues=[])  # first day: counted
    record(session, held_on=date(2024, 3, 24), area="melton", npa="melton", issues=[])  # last day
    record(session, held_on=date(2024, 3, 25), area="blaby", npa="blaby", issues=[])  # after
    found = engagement.coverage(session, VIEWER, from_=date(2024, 1, 24), to=date(2024, 3, 24))
    assert isinstance(found, CoverageRead)
    by_code = {i.area_code: i.count for i in found.items}
    assert len(by_code) == 9
    assert (by_code["rutland"], by_code["melton"], by_code["blaby"]) == (1, 1, 0)
    assert sum(by_code.values()) == 2
    assert [i.area_name for i in found.items] == sorted(i.area_name for i in found.items)
    dumped = found.model_dump(mode="json", by_alias=True)
    assert set(dumped) == {"from", "to", "items"}
    assert set(dumped["items"][0]) == {"area_code", "area_name", "count"}
    assert found.model_dump(mode="json")["from"] == "2024-01-24"
    tiles = engagement.coverage_counts(session, VIEWER, from_=date(2024, 1, 1), to=TODAY)
    assert {(t.area_code, t.tile_row, t.tile_col) for t in tiles} >= {("rutland", 1, 4)}
    with pytest.raises(Invalid) as caught:
        engagement.coverage(session, VIEWER, from_=date(2024, 3, 1), to=date(2024, 2, 1))
    assert [e.loc for e in caught.value.errors] == [("from",)]
    with pytest.raises(Forbidden):
        engagement.coverage(session, LIAISON, from_=date(2024, 1, 1), to=TODAY)


def test_topics_over_time_count_issues_and_people_per_month(session, llr):
    record(session, held_on=date(2024, 1, 25))  # sheep-worrying 12, road-safety 3
    record(session, held_on=date(2024, 3, 7))  # the same again in March
    record(session, held_on=date(2024, 4, 1))  # outside the range
    found = engagement.topics_over_time(
        session, VIEWER, from_=date(2024, 1, 1), to=date(2024, 3, 31)
    )
    assert found.months == ["2024-01", "2024-02", "2024-03"]
    assert [(t.topic, t.counts, t.people, t.total) for t in found.topics] == [
        ("road-safety", [1, 0, 1], [3, 0, 3], 2),
        ("sheep-worrying", [1, 0, 1], [12, 0, 12], 2),
    ]
    assert found.model_dump(mode="json", by_alias=True)["from"] == "2024-01-01"
    empty = engagement.topics_over_time(
        session, VIEWER, from_=date(2023, 1, 1), to=date(2023, 2, 1)
    )
    assert (empty.months, empty.topics) == (["2023-01", "2023-02"], [])


def test_parish_attendance_sums_surgeries_per_district_with_every_area(session, llr):
    surgery = dict(kind=EngagementKind.PARISH_SURGERY, lead=Lead.DPCC, issues=[], npa=None)
    record(session, **surgery, area="charnwood", councils_invited=25, councils_attended=6)
    record(session, **surgery, area="charnwood", councils_invited=10, councils_attended=2)
    record(session, **surgery, area="blaby", councils_invited=19, councils_attended=6)
    record(session, **surgery, area="melton", held_on=date(2023, 1, 1), councils_invited=26)
    record(session, area="rutland", issues=[])  # not a surgery
    found = engagement.parish_attendance(
        session, VIEWER, from_=date(2024, 1, 1), to=date(2024, 3, 31)
    )
    rows = {
        i.area_code: (i.surgeries, i.councils_invited, i.councils_attended) for i in found.items
    }
    assert len(rows) == 9
    assert rows["charnwood"] == (2, 35, 8)
    assert rows["blaby"] == (1, 19, 6)
    assert rows["melton"] == (0, 0, 0)
    assert rows["rutland"] == (0, 0, 0)


# The Force and the inbox ----------------------------------------------------------------------


def test_the_force_owned_debrief_action_reaches_the_force_inbox(session, llr):
    made = record(session)
    page = inbox.force_inbox(session, LIAISON, today=TODAY)
    force_action = action_of(session, made.id, "Business case for a sheep worrying campaign")
    assert [(e.kind, e.id) for e in page.items] == [("action", force_action.id)]
    done = actions.transition_action(
        session,
        LIAISON,
        force_action.id,
        to="done",
        note="Business case approved",
        expected_version=force_action.version,
        now=NOW,
        today=TODAY,
    )
    assert done.status == "done"
    assert inbox.force_inbox(session, LIAISON, today=TODAY).items == []


def test_the_force_sees_where_its_action_came_from_without_a_link_it_cannot_open(session, llr):
    made = record(session)
    force_action = action_of(session, made.id, "Business case for a sheep worrying campaign")
    entry = inbox.force_inbox(session, LIAISON, today=TODAY).items[0]
    assert entry.source is not None and entry.source.title.startswith("Community Day in Rutland")
    assert entry.source.url is None  # the liaison may not open engagements
    shown = action_queries.detail(session, LIAISON, force_action.id, today=TODAY)
    assert shown.source is not None and shown.source.url is None
    staff_view = action_queries.detail(session, STAFF, force_action.id, today=TODAY)
    assert staff_view.source is not None
    assert staff_view.source.url == f"/engagements/{made.id}"


# Demo data ------------------------------------------------------------------------------------


def test_the_demo_engagements_are_seeded_once_with_coverage_gaps(session):
    from domain.demo import seed_demo

    first = seed_demo(session, now=NOW)
    assert first.created["engagements"] == 8 + 6 + 3
    assert first.created["pre_election_periods"] == 1
    assert first.created["public_lines"] == 4
    before = counts(session)
    again = seed_demo(session, now=NOW)
    assert "engagements" not in again.created
    assert counts(session) == before
    days = engagement.list_engagements(
        session,
        VIEWER,
        kind=EngagementKind.COMMUNITY_DAY,
        area=None,
        npa=None,
        from_=date(2024, 1, 24),
        to=date(2024, 3, 24),
        page=PageRequest(),
    )
    assert len(days.items) == 8
    found = engagement.coverage(session, VIEWER, from_=date(2024, 1, 24), to=date(2024, 3, 24))
    zeros = {i.area_code for i in found.items if i.count == 0}
    assert {"blaby", "oadby-and-wigston"} <= zeros
    attendance = {
        i.area_code: (i.councils_attended, i.councils_invited)
        for i in engagement.parish_attendance(
            session, VIEWER, from_=date(2023, 9, 1), to=date(2024, 3, 31)
        ).items
    }
    assert attendance["north-west-leicestershire"] == (7, 23)
    assert attendance["charnwood"] == (6, 25)
    assert attendance["melton"] == (5, 26)
    assert attendance["blaby"] == (6, 19)
    outcomes = {p.outcome for p in engagement.public_lines(session, today=date(2026, 1, 1))}
    assert outcomes == {LineOutcome.DONE, LineOutcome.NOT_DOING}
    # Inside the 2024 pre-election period the feed shows only what was told before it.
    assert all(
        p.told_on < date(2024, 3, 24)
        for p in engagement.public_lines(session, today=date(2024, 4, 1))
    )
    contacts = session.exec(select(Engagement.named_contacts)).all()
    assert all(c == "" or "(invented)" in c for c in contacts)


def test_generated_engagements_top_up_to_the_number_asked_for(session, llr):
    assert generate_engagements(session, 30, now=NOW) == 30
    assert generate_engagements(session, 30, now=NOW) == 0
    assert generate_engagements(session, 45, now=NOW) == 15
    assert count(session, Engagement) == 45
    listed = engagement.list_engagements(
        session,
        STAFF,
        kind=None,
        area=None,
        npa=None,
        from_=None,
        to=None,
        page=PageRequest(limit=45),
    )
    assert len(listed.items) == 45
