"""The board context through its services on a real database (SQLite and PostgreSQL)."""

from datetime import date, timedelta

import pytest
from sqlmodel import func, select

from domain.accounts.rules import Role, user_actor
from domain.actions import inbox
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.schemas import ActionCreate
from domain.audit.tables import AuditEvent
from domain.board import service as board
from domain.board.demo import seed_board_reference
from domain.board.rules import EscalationStatus, MeetingStatus, Recommendation
from domain.board.schemas import (
    EscalateItem,
    EscalationChange,
    EscalationCreate,
    EscalationTransition,
    ExceptionItemIn,
    ExceptionReportChange,
    ExceptionReportCreate,
    ForceResponseCreate,
    MeetingChange,
    MeetingCreate,
    MonitoringChange,
    MonitoringCreate,
    MonitorItem,
)
from domain.board.tables import (
    BoardMeeting,
    Escalation,
    EscalationStep,
    ExceptionItem,
    ExceptionReport,
    ForceResponse,
    MonitoringItem,
)
from domain.demo import SeedReport, seed_reference
from domain.errors import Conflict, Forbidden, Invalid, InvalidTransition, NotFound, StaleVersion
from domain.listing import PageRequest
from tests.conftest import NOW

TODAY = NOW.date()
STAFF = user_actor(user_id=900, label="staff@test.example", role=Role.OPCC_STAFF)
LIAISON = user_actor(user_id=901, label="liaison@test.example", role=Role.FORCE_LIAISON)
VIEWER = user_actor(user_id=902, label="viewer@test.example", role=Role.VIEWER)
ADMIN = user_actor(user_id=903, label="admin@test.example", role=Role.ADMIN)
REQUEST = "A paper explaining the decline and what the Force is doing about it."


@pytest.fixture
def llr(session):
    report = SeedReport(created={})
    seed_reference(session, report, now=NOW)
    seed_board_reference(session, report, now=NOW)


def audit_count(session) -> int:
    return session.exec(select(func.count()).select_from(AuditEvent)).one()


def last_events(session, n: int) -> list[tuple[str, str]]:
    rows = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc()).limit(n)).all()
    return [(e.entity, e.action) for e in reversed(rows)]


def counts(session) -> dict[str, int]:
    tables = (
        BoardMeeting,
        ExceptionReport,
        ExceptionItem,
        Escalation,
        EscalationStep,
        ForceResponse,
        MonitoringItem,
        AuditEvent,
    )
    return {t.__name__: session.exec(select(func.count()).select_from(t)).one() for t in tables}


def new_meeting(session, *, held_on=date(2024, 3, 18), published=False, **extra):
    return board.create_meeting(
        session,
        STAFF,
        MeetingCreate(
            held_on=held_on,
            kind=extra.pop("kind", "cgb"),
            title=extra.pop("title", "Corporate Governance Board"),
            published=published,
            chair="Police and Crime Commissioner",
            attendees=["Police and Crime Commissioner", "Chief Constable"],
            agenda=["Operational performance"],
            **extra,
        ),
        now=NOW,
    )


def new_report(session, meeting_id=None):
    return board.create_report(
        session,
        STAFF,
        ExceptionReportCreate(
            reported_on=date(2024, 2, 7),
            prepared_by="OPCC performance team",
            title="KPI exception report",
            meeting_id=meeting_id,
            items=[
                ExceptionItemIn(
                    topic="rape",
                    kpi_evidence="Positive outcomes 6 % against 8 %",
                    value=6,
                    target=8,
                    baseline=3.4,
                    unit="%",
                    recommendation=Recommendation.ESCALATE,
                    reasoning="Short of target",
                ),
                ExceptionItemIn(
                    topic="response-times",
                    kpi_evidence="Slightly above target",
                    recommendation=Recommendation.MONITOR,
                ),
            ],
        ),
        now=NOW,
    )


def new_escalation(session, *, due=TODAY + timedelta(days=14), meeting_id=None, title="999"):
    return board.create_escalation(
        session,
        STAFF,
        EscalationCreate(
            topic="999-calls",
            title=title,
            reason="Declining",
            request=REQUEST,
            response_due=due,
            target_meeting_id=meeting_id,
        ),
        now=NOW,
    )


def respond(session, escalation_id, actor=LIAISON):
    return board.add_force_response(
        session,
        actor,
        escalation_id,
        ForceResponseCreate(response="Our paper", links=["https://example.org/paper.pdf"]),
        now=NOW,
    )


def move(session, escalation, to, actor=STAFF, **extra):
    return board.transition_escalation(
        session,
        actor,
        escalation.id,
        EscalationTransition(to=to, **extra),
        expected_version=escalation.version,
        now=NOW,
    )


# Meetings ------------------------------------------------------------------------------------


def test_a_meeting_is_created_read_and_changed_with_one_event_each(session, llr):
    before = audit_count(session)
    meeting = new_meeting(session)
    assert audit_count(session) == before + 1
    assert last_events(session, 1) == [("board_meeting", "create")]
    shown = board.get_meeting(session, VIEWER, meeting.id, today=TODAY)
    assert (shown.kind, shown.kind_name, shown.status) == (
        "cgb",
        "Corporate Governance Board",
        MeetingStatus.PLANNED,
    )
    changed = board.change_meeting(
        session,
        STAFF,
        meeting.id,
        MeetingChange(status=MeetingStatus.HELD, summary="Held", kind="ethics-transparency"),
        expected_version=1,
        now=NOW,
    )
    assert changed.version == 2
    assert audit_count(session) == before + 2
    assert board.get_meeting(session, LIAISON, meeting.id, today=TODAY).kind == (
        "ethics-transparency"
    )
    with pytest.raises(StaleVersion):
        board.change_meeting(
            session, STAFF, meeting.id, MeetingChange(summary="x"), expected_version=1, now=NOW
        )
    assert audit_count(session) == before + 2


def test_an_unknown_kind_is_refused_naming_the_field(session, llr):
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        new_meeting(session, kind="no-such-board")
    assert caught.value.errors[0].loc == ("kind",)
    assert counts(session) == before


def test_only_board_writers_create_meetings(session, llr):
    for actor in (LIAISON, VIEWER):
        with pytest.raises(Forbidden):
            board.create_meeting(
                session,
                actor,
                MeetingCreate(held_on=TODAY, kind="cgb", title="Board"),
                now=NOW,
            )
    with pytest.raises(NotFound):
        board.get_meeting(session, STAFF, 999, today=TODAY)


def test_meetings_list_newest_first_filter_by_kind_and_next_meeting(session, llr):
    march = new_meeting(session, held_on=date(2024, 3, 18))
    may = new_meeting(session, held_on=date(2024, 5, 30))
    panel = new_meeting(session, held_on=date(2024, 2, 20), kind="ethics-transparency")
    listed = board.list_meetings(session, VIEWER, kind=None, page=PageRequest(limit=2))
    assert [m.id for m in listed.items] == [may.id, march.id]
    rest = board.list_meetings(
        session, VIEWER, kind=None, page=PageRequest(limit=2, cursor=listed.next_cursor)
    )
    assert [m.id for m in rest.items] == [panel.id]
    only = board.list_meetings(session, VIEWER, kind="ethics-transparency", page=PageRequest())
    assert [m.id for m in only.items] == [panel.id]
    upcoming = board.next_meeting(session, VIEWER, today=date(2024, 4, 1))
    assert upcoming is not None and upcoming.id == may.id
    assert board.next_meeting(session, VIEWER, today=date(2024, 6, 1)) is None


# Exception reports ---------------------------------------------------------------------------


def test_a_report_holds_its_items_inline_in_order(session, llr):
    meeting = new_meeting(session)
    before = audit_count(session)
    report = new_report(session, meeting.id)
    assert audit_count(session) == before + 1
    shown = board.get_report(session, LIAISON, report.id)
    assert shown.meeting_id == meeting.id
    assert [(i.position, i.topic, i.recommendation) for i in shown.items] == [
        (1, "rape", Recommendation.ESCALATE),
        (2, "response-times", Recommendation.MONITOR),
    ]
    assert (shown.items[0].value, shown.items[0].target, shown.items[0].baseline) == (6, 8, 3.4)
    listed = board.list_reports(session, VIEWER, page=PageRequest())
    assert [r.id for r in listed.items] == [report.id]


def test_a_report_with_an_unknown_topic_or_meeting_changes_nothing(session, llr):
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        board.create_report(
            session,
            STAFF,
            ExceptionReportCreate(
                reported_on=TODAY,
                prepared_by="OPCC",
                title="Report",
                items=[
                    ExceptionItemIn(topic="rape", recommendation=Recommendation.MONITOR),
                    ExceptionItemIn(topic="atlantis", recommendation=Recommendation.MONITOR),
                ],
            ),
            now=NOW,
        )
    assert caught.value.errors[0].loc == ("items", 1, "topic")
    with pytest.raises(Invalid) as caught:
        new_report(session, meeting_id=999)
    assert caught.value.errors[0].loc == ("meeting_id",)
    assert counts(session) == before


def test_items_are_replaced_until_one_is_acted_on(session, llr):
    report = new_report(session)
    replaced = board.change_report(
        session,
        STAFF,
        report.id,
        ExceptionReportChange(
            items=[ExceptionItemIn(topic="101-calls", recommendation=Recommendation.NO_ACTION)]
        ),
        expected_version=1,
        now=NOW,
    )
    assert replaced.version == 2
    assert [i.topic for i in board.get_report(session, STAFF, report.id).items] == ["101-calls"]
    assert last_events(session, 1) == [("exception_report", "update")]
    item = board.get_report(session, STAFF, report.id).items[0]
    board.monitor_item(session, STAFF, item.id, MonitorItem(next_review_on=TODAY), now=NOW)
    version = board.get_report(session, STAFF, report.id).version
    before = counts(session)
    with pytest.raises(Conflict):
        board.change_report(
            session,
            STAFF,
            report.id,
            ExceptionReportChange(
                items=[ExceptionItemIn(topic="rape", recommendation=Recommendation.ESCALATE)]
            ),
            expected_version=version,
            now=NOW,
        )
    assert counts(session) == before
    board.change_report(
        session,
        STAFF,
        report.id,
        ExceptionReportChange(title="Renamed"),
        expected_version=version,
        now=NOW,
    )
    assert board.get_report(session, STAFF, report.id).title == "Renamed"


def test_escalating_an_item_links_both_ways_with_one_event(session, llr):
    meeting = new_meeting(session)
    report = new_report(session, meeting.id)
    item = board.get_report(session, STAFF, report.id).items[0]
    before = audit_count(session)
    escalation = board.escalate_item(
        session,
        STAFF,
        item.id,
        EscalateItem(request=REQUEST, response_due=TODAY, target_meeting_id=meeting.id),
        now=NOW,
    )
    assert audit_count(session) == before + 1
    assert last_events(session, 1) == [("escalation", "escalate")]
    assert escalation.ref == "ESC-2024-0001"
    assert escalation.exception_item_id == item.id
    assert escalation.status == EscalationStatus.AWAITING_RESPONSE
    assert board.get_report(session, STAFF, report.id).items[0].escalation_id == escalation.id
    detail = board.get_escalation(session, STAFF, escalation.id, today=TODAY)
    assert (detail.topic, detail.title, detail.request) == ("rape", "Rape performance", REQUEST)
    before = counts(session)
    with pytest.raises(Conflict):
        board.escalate_item(
            session, STAFF, item.id, EscalateItem(request=REQUEST, response_due=TODAY), now=NOW
        )
    with pytest.raises(Conflict):
        board.monitor_item(session, STAFF, item.id, MonitorItem(next_review_on=TODAY), now=NOW)
    with pytest.raises(NotFound):
        board.escalate_item(
            session, STAFF, 999, EscalateItem(request=REQUEST, response_due=TODAY), now=NOW
        )
    assert counts(session) == before


def test_a_monitored_item_can_be_escalated_later_keeping_every_link(session, llr):
    report = new_report(session)
    item = board.get_report(session, STAFF, report.id).items[1]
    monitoring = board.monitor_item(
        session, STAFF, item.id, MonitorItem(next_review_on=TODAY - timedelta(days=1)), now=NOW
    )
    assert last_events(session, 1) == [("monitoring_item", "monitor")]
    shown = board.get_monitoring(session, VIEWER, monitoring.id, today=TODAY)
    assert (shown.exception_item_id, shown.overdue_review, shown.topic) == (
        item.id,
        True,
        "response-times",
    )
    assert board.get_report(session, STAFF, report.id).items[1].monitoring_item_id == monitoring.id
    with pytest.raises(Conflict):
        board.monitor_item(session, STAFF, item.id, MonitorItem(next_review_on=TODAY), now=NOW)
    before = audit_count(session)
    report_version = board.get_report(session, STAFF, report.id).version
    escalation = board.escalate_monitoring(
        session, STAFF, monitoring.id, EscalateItem(request=REQUEST, response_due=TODAY), now=NOW
    )
    assert audit_count(session) == before + 1
    # The report shows the item's new link, so it takes a new version (and ETag) too.
    assert board.get_report(session, STAFF, report.id).version == report_version + 1
    assert (escalation.monitoring_item_id, escalation.exception_item_id) == (monitoring.id, item.id)
    assert board.get_monitoring(session, STAFF, monitoring.id, today=TODAY).escalation_id == (
        escalation.id
    )
    assert board.get_report(session, STAFF, report.id).items[1].escalation_id == escalation.id
    with pytest.raises(Conflict):
        board.escalate_monitoring(
            session,
            STAFF,
            monitoring.id,
            EscalateItem(request=REQUEST, response_due=TODAY),
            now=NOW,
        )


def test_monitoring_items_are_created_changed_and_listed(session, llr):
    item = board.create_monitoring(
        session,
        STAFF,
        MonitoringCreate(topic="response-times", title="Response times", next_review_on=TODAY),
        now=NOW,
    )
    assert last_events(session, 1) == [("monitoring_item", "create")]
    board.change_monitoring(
        session, STAFF, item.id, MonitoringChange(closed=True), expected_version=1, now=NOW
    )
    assert last_events(session, 1) == [("monitoring_item", "update")]
    listed = board.list_monitoring(session, VIEWER, page=PageRequest(), today=TODAY)
    assert [(m.id, m.closed) for m in listed.items] == [(item.id, True)]
    with pytest.raises(Invalid) as caught:
        board.create_monitoring(
            session,
            STAFF,
            MonitoringCreate(topic="atlantis", title="x", next_review_on=TODAY),
            now=NOW,
        )
    assert caught.value.errors[0].loc == ("topic",)
    with pytest.raises(Forbidden):
        board.change_monitoring(
            session, LIAISON, item.id, MonitoringChange(closed=False), expected_version=2, now=NOW
        )


# Escalation lifecycle ------------------------------------------------------------------------


def test_the_whole_lifecycle_with_history_and_one_event_per_change(session, llr):
    meeting = new_meeting(session)
    escalation = new_escalation(session, meeting_id=meeting.id)
    events = audit_count(session)

    respond(session, escalation.id)
    assert escalation.status == EscalationStatus.RESPONSE_RECEIVED
    move(session, escalation, "discussed", note="At the board", pcc_response="Welcomed")
    move(
        session,
        escalation,
        "follow_up",
        note="A further paper in four months",
        response_due=date(2024, 7, 18),
    )
    assert escalation.status == EscalationStatus.AWAITING_RESPONSE
    assert escalation.response_due == date(2024, 7, 18)
    respond(session, escalation.id)
    move(session, escalation, "discussed")
    move(session, escalation, "closed", outcome="Performance improved; no further paper")
    assert audit_count(session) == events + 6
    assert last_events(session, 6) == [
        ("escalation", "force_response"),
        ("escalation", "transition"),
        ("escalation", "transition"),
        ("escalation", "force_response"),
        ("escalation", "transition"),
        ("escalation", "transition"),
    ]

    detail = board.get_escalation(session, STAFF, escalation.id, today=date(2024, 12, 1))
    assert detail.status == EscalationStatus.CLOSED and detail.overdue is False
    assert (detail.pcc_response, detail.outcome) == (
        "Welcomed",
        "Performance improved; no further paper",
    )
    assert [(h.from_, h.to) for h in detail.history] == [
        (None, "awaiting_response"),
        ("awaiting_response", "response_received"),
        ("response_received", "discussed"),
        ("discussed", "follow_up"),
        ("follow_up", "awaiting_response"),
        ("awaiting_response", "response_received"),
        ("response_received", "discussed"),
        ("discussed", "closed"),
    ]
    assert detail.history[3].note == "A further paper in four months"
    assert {h.actor for h in detail.history[1:]} == {LIAISON.label, STAFF.label}
    assert [r.links for r in detail.force_responses] == [["https://example.org/paper.pdf"]] * 2
    assert detail.force_responses[0].responded_by == LIAISON.label
    dumped = detail.model_dump(by_alias=True)
    assert dumped["history"][1]["from"] == "awaiting_response"

    before = counts(session)
    for to in ("discussed", "follow_up", "closed"):
        with pytest.raises(InvalidTransition):
            move(session, escalation, to, response_due=TODAY, outcome="again")
    with pytest.raises(Conflict):
        respond(session, escalation.id)
    with pytest.raises(Conflict):
        board.change_escalation(
            session,
            STAFF,
            escalation.id,
            EscalationChange(title="Reopened"),
            expected_version=escalation.version,
            now=NOW,
        )
    assert counts(session) == before


def test_a_force_response_needs_an_escalation_awaiting_one(session, llr):
    escalation = new_escalation(session)
    respond(session, escalation.id)
    before = counts(session)
    with pytest.raises(Conflict):
        respond(session, escalation.id)
    assert counts(session) == before
    assert escalation.status == EscalationStatus.RESPONSE_RECEIVED


def test_only_the_force_liaison_or_admin_writes_force_responses(session, llr):
    escalation = new_escalation(session)
    before = counts(session)
    for actor in (STAFF, VIEWER):
        with pytest.raises(Forbidden):
            respond(session, escalation.id, actor)
    assert counts(session) == before
    respond(session, escalation.id, ADMIN)


def test_only_opcc_roles_record_discussion_outcome_and_follow_up(session, llr):
    escalation = new_escalation(session)
    respond(session, escalation.id)
    before = counts(session)
    for actor in (LIAISON, VIEWER):
        with pytest.raises(Forbidden):
            move(session, escalation, "discussed", actor)
    with pytest.raises(Forbidden):
        board.change_escalation(
            session,
            LIAISON,
            escalation.id,
            EscalationChange(pcc_response="The Force writes the PCC's words"),
            expected_version=escalation.version,
            now=NOW,
        )
    assert counts(session) == before


def test_a_move_not_in_the_table_is_a_conflict_and_changes_nothing(session, llr):
    escalation = new_escalation(session)
    before = counts(session)
    for to in ("discussed", "follow_up", "closed"):
        with pytest.raises(InvalidTransition):
            move(session, escalation, to, response_due=TODAY, outcome="x")
    assert counts(session) == before
    assert escalation.version == 1


def test_follow_up_needs_a_due_date_and_closing_needs_an_outcome(session, llr):
    escalation = new_escalation(session)
    respond(session, escalation.id)
    move(session, escalation, "discussed")
    before = counts(session)
    version = escalation.version
    with pytest.raises(Invalid) as caught:
        move(session, escalation, "follow_up", note="later")
    assert caught.value.errors[0].loc == ("response_due",)
    for outcome in (None, "   "):
        with pytest.raises(Invalid) as caught:
            move(session, escalation, "closed", outcome=outcome)
        assert caught.value.errors[0].loc == ("outcome",)
    with pytest.raises(Invalid) as caught:
        move(session, escalation, "follow_up", response_due=TODAY, target_meeting_id=999)
    assert caught.value.errors[0].loc == ("target_meeting_id",)
    assert counts(session) == before
    assert (escalation.status, escalation.version) == (EscalationStatus.DISCUSSED, version)
    with pytest.raises(StaleVersion):
        board.transition_escalation(
            session,
            STAFF,
            escalation.id,
            EscalationTransition(to="closed", outcome="Done"),
            expected_version=version - 1,
            now=NOW,
        )
    assert counts(session) == before


def test_a_target_meeting_that_does_not_exist_is_refused(session, llr):
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        new_escalation(session, meeting_id=999)
    assert caught.value.errors[0].loc == ("target_meeting_id",)
    escalation = new_escalation(session)
    middle = counts(session)
    with pytest.raises(Invalid) as caught:
        board.change_escalation(
            session,
            STAFF,
            escalation.id,
            EscalationChange(target_meeting_id=999),
            expected_version=1,
            now=NOW,
        )
    assert caught.value.errors[0].loc == ("target_meeting_id",)
    assert counts(session) == middle
    assert middle["Escalation"] == before["Escalation"] + 1


def test_changing_an_escalation_records_the_difference(session, llr):
    escalation = new_escalation(session)
    board.change_escalation(
        session,
        STAFF,
        escalation.id,
        EscalationChange(title="999 call handling", pcc_response="Noted"),
        expected_version=1,
        now=NOW,
    )
    event = session.exec(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert (event.entity, event.action) == ("escalation", "update")
    assert set(event.changes) == {"title", "pcc_response"}
    with pytest.raises(Invalid) as caught:
        board.change_escalation(
            session,
            STAFF,
            escalation.id,
            EscalationChange(request=None),
            expected_version=2,
            now=NOW,
        )
    assert caught.value.errors[0].loc == ("request",)


def test_escalations_filter_by_status_due_date_and_meeting(session, llr):
    meeting = new_meeting(session)
    first = new_escalation(session, due=date(2024, 3, 1), meeting_id=meeting.id, title="A")
    second = new_escalation(session, due=date(2024, 4, 1), title="B")
    respond(session, second.id)

    def ids(**filters):
        values = {"status": None, "due_before": None, "meeting": None, **filters}
        page = board.list_escalations(session, VIEWER, page=PageRequest(), today=TODAY, **values)
        return [e.id for e in page.items]

    assert ids() == [first.id, second.id]
    assert ids(status=EscalationStatus.AWAITING_RESPONSE) == [first.id]
    assert ids(due_before=date(2024, 3, 2)) == [first.id]
    assert ids(meeting=meeting.id) == [first.id]
    listed = board.list_escalations(
        session,
        VIEWER,
        status=None,
        due_before=None,
        meeting=None,
        page=PageRequest(),
        today=TODAY,
        sort="-response_due",
    )
    assert [e.id for e in listed.items] == [second.id, first.id]
    assert [e.overdue for e in listed.items] == [False, True]
    with pytest.raises(Invalid):
        board.list_escalations(
            session,
            VIEWER,
            status=None,
            due_before=None,
            meeting=None,
            page=PageRequest(),
            today=TODAY,
            sort="nonsense",
        )


# Actions, inbox and the public feed ----------------------------------------------------------


def test_actions_captured_at_a_board_and_about_an_escalation_are_listed(session, llr):
    meeting = new_meeting(session)
    escalation = new_escalation(session, meeting_id=meeting.id)
    at_board = actions.create_action(
        session,
        STAFF,
        ActionCreate(
            title="Force to bring a full business case to the May board",
            owner_org="force",
            due_on=TODAY - timedelta(days=1),
            source_type="board_meeting",
            source_id=meeting.id,
            private_note="Internal: CFO to check",
        ),
        now=NOW,
    )
    about = actions.create_action(
        session,
        STAFF,
        ActionCreate(
            title="OPCC comms lead to agree what can be shared",
            owner_org="opcc",
            due_on=TODAY,
            source_type="escalation",
            source_id=escalation.id,
        ),
        now=NOW,
    )
    shown = board.get_meeting(session, STAFF, meeting.id, today=TODAY)
    # The meeting lists both: captured at it, and about an escalation it took (as its page does).
    assert [(a.ref, a.owner_org, a.overdue) for a in shown.actions] == [
        (at_board.ref, "force", True),
        (about.ref, "opcc", False),
    ]
    assert [e.id for e in shown.escalations] == [escalation.id]
    assert [
        a.id for a in board.get_escalation(session, STAFF, escalation.id, today=TODAY).actions
    ] == [about.id]
    # The Force sees the actions the Force owns, as everywhere else.
    assert board.get_escalation(session, LIAISON, escalation.id, today=TODAY).actions == []
    source = action_queries.detail(session, STAFF, about.id, today=TODAY).source
    assert (source.ref, source.url) == (escalation.ref, f"/escalations/{escalation.id}")
    source = action_queries.detail(session, STAFF, at_board.id, today=TODAY).source
    assert source.url == f"/board-meetings/{meeting.id}"


def test_the_force_inbox_lists_escalations_awaiting_the_force_overdue_first(session, llr):
    later = new_escalation(session, due=TODAY + timedelta(days=30), title="Later")
    overdue = new_escalation(session, due=TODAY - timedelta(days=3), title="Overdue")
    answered = new_escalation(session, due=TODAY - timedelta(days=10), title="Answered")
    respond(session, answered.id)
    action = actions.create_action(
        session,
        STAFF,
        ActionCreate(title="Force action", owner_org="force", due_on=TODAY + timedelta(days=2)),
        now=NOW,
    )
    page = inbox.force_inbox(session, LIAISON, today=TODAY)
    assert [(e.kind, e.id) for e in page.items] == [
        ("escalation", overdue.id),
        ("action", action.id),
        ("escalation", later.id),
    ]
    first = page.items[0]
    assert (first.ref, first.overdue, first.url, first.status) == (
        overdue.ref,
        True,
        f"/escalations/{overdue.id}",
        "awaiting_response",
    )
    paged = inbox.force_inbox(session, LIAISON, today=TODAY, limit=1)
    rest = inbox.force_inbox(session, LIAISON, today=TODAY, limit=5, cursor=paged.next_cursor)
    assert [e.id for e in paged.items + rest.items] == [overdue.id, action.id, later.id]
    totals = inbox.inbox_counts(session, LIAISON, today=TODAY)
    assert (totals.total, totals.overdue, totals.due_soon) == (3, 1, 1)


def test_the_public_board_shows_published_meetings_only_without_internal_notes(session, llr):
    hidden = new_meeting(session, held_on=date(2024, 5, 30), title="Draft board")
    shown = new_meeting(session, held_on=date(2024, 3, 18), published=True, summary="Summary")
    older = new_meeting(session, held_on=date(2024, 1, 10), published=True, title="Older")
    escalation = new_escalation(session, meeting_id=shown.id)
    new_escalation(session, meeting_id=hidden.id, title="Secret escalation")
    respond(session, escalation.id)
    move(session, escalation, "discussed", note="INTERNAL step note", pcc_response="PCC view")
    actions.create_action(
        session,
        STAFF,
        ActionCreate(
            title="Public action",
            owner_org="force",
            due_on=TODAY,
            source_type="board_meeting",
            source_id=shown.id,
            private_note="INTERNAL private note",
        ),
        now=NOW,
    )
    actions.create_action(  # captured at the board about the escalation it discussed
        session,
        STAFF,
        ActionCreate(
            title="Further paper",
            owner_org="force",
            due_on=TODAY,
            source_type="escalation",
            source_id=escalation.id,
        ),
        now=NOW,
    )
    assert [a.title for a in board.get_meeting(session, STAFF, shown.id, today=TODAY).actions] == [
        "Public action",
        "Further paper",
    ]
    feed = board.public_board(session)
    assert [m.title for m in feed] == ["Corporate Governance Board", "Older"]
    assert older.id and hidden.id
    first = feed[0]
    assert [(e.title, e.request, e.force_responses, e.pcc_response) for e in first.escalations] == [
        ("999", REQUEST, ["Our paper"], "PCC view")
    ]
    assert [a.title for a in first.actions] == ["Public action", "Further paper"]
    text = "".join(m.model_dump_json() for m in feed)
    for secret in ("INTERNAL", "Secret escalation", "Draft board", LIAISON.label, STAFF.label):
        assert secret not in text
    board.change_meeting(
        session, STAFF, shown.id, MeetingChange(published=False), expected_version=1, now=NOW
    )
    assert [m.title for m in board.public_board(session)] == ["Older"]


def test_the_demo_board_is_seeded_once(session):
    from domain.demo import seed_demo

    first = seed_demo(session, now=NOW)
    assert first.created["board_meetings"] == 3
    assert first.created["escalations"] == 2
    before = counts(session)
    again = seed_demo(session, now=NOW)
    assert again.created == {}
    assert counts(session) == before
    meetings = board.list_meetings(session, VIEWER, kind="cgb", page=PageRequest())
    assert [(m.held_on, m.status) for m in meetings.items] == [
        (date(2024, 5, 30), MeetingStatus.PLANNED),
        (date(2024, 3, 18), MeetingStatus.HELD),
    ]
    march = board.get_meeting(session, STAFF, meetings.items[1].id, today=TODAY)
    assert len(march.actions) == 2
    statuses = {e.title: e.status for e in march.escalations}
    assert statuses == {
        "999 call performance": EscalationStatus.DISCUSSED,
        "Rape performance": EscalationStatus.AWAITING_RESPONSE,
    }
    rape = next(e for e in march.escalations if e.title == "Rape performance")
    history = board.get_escalation(session, STAFF, rape.id, today=TODAY).history
    assert [h.to for h in history][-2:] == ["follow_up", "awaiting_response"]
    assert rape.response_due == date(2024, 7, 18)
    report = board.list_reports(session, VIEWER, page=PageRequest()).items[0]
    rape_item = next(i for i in report.items if i.topic == "rape")
    assert (rape_item.baseline, rape_item.value, rape_item.target) == (3.4, 6.0, 8.0)
    panels = board.list_meetings(session, VIEWER, kind="ethics-transparency", page=PageRequest())
    assert len(board.get_meeting(session, STAFF, panels.items[0].id, today=TODAY).actions) == 2
    assert len(board.public_board(session)) == 2
