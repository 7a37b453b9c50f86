"""Demo board data from seed 004: the exception report of 7 February 2024, the Corporate
Governance Board of 18 March 2024 and the next one, and an Ethics and Transparency Panel.

Everyone is named by role title only. Idempotent: once an exception report exists, the
meetings, escalations and actions are left alone (board kinds and topics are added by code).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlmodel import Session, select

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Actor, Role, user_actor
from domain.actions import service as actions
from domain.actions.rules import SourceType
from domain.actions.schemas import ActionCreate
from domain.board import service as board
from domain.board.rules import MeetingStatus, Recommendation
from domain.board.schemas import (
    EscalateItem,
    EscalationTransition,
    ExceptionItemIn,
    ExceptionReportCreate,
    ForceResponseCreate,
    MeetingCreate,
    MonitorItem,
)
from domain.board.tables import ExceptionReport
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import BOARD_KINDS, TOPICS

if TYPE_CHECKING:
    from domain.demo import SeedReport

BOARD_KIND_ROWS = [
    ("cgb", "Corporate Governance Board"),
    ("ethics-transparency", "Ethics and Transparency Panel"),
    ("out-of-court", "Out of Court Resolution Panel"),
    ("custody-scrutiny", "Custody detention scrutiny panel"),
    ("hate-crime-scrutiny", "Hate crime scrutiny panel"),
]

BOARD_TOPIC_ROWS = [
    ("999-calls", "999 call performance"),
    ("101-calls", "101 call performance"),
    ("rape", "Rape performance"),
    ("response-times", "Response times"),
    ("stop-and-search", "Stop and search"),
]

CGB_ATTENDEES = [
    "Police and Crime Commissioner",
    "Deputy Police and Crime Commissioner",
    "OPCC Chief Executive",
    "OPCC Chief Finance Officer",
    "OPCC Business Staff Officer",
    "Chief Constable",
    "Deputy Chief Constable",
    "Head of Communications and Engagement",
    "Assistant Chief Officer (Finance and Resources)",
]

CGB_AGENDA = [
    "Overview, attendance and purpose",
    "Operational summary",
    "Operational performance: calls performance",
    "Operational performance: rape performance",
    "Finance: savings process",
    "Finance: reserves strategy",
    "HMICFRS: inspections initial feedback report",
    "Police and Crime Plan delivery report",
    "AOB: memorandum of understanding and corporate governance framework",
    "AOB: proactive communications",
]

ESCALATION_REQUEST = (
    "A paper outlining the reasons for the decline in performance and what the Force is "
    "doing in response."
)

# Actions captured at a meeting: (title, owner org code, owner role, due on)
MARCH_ACTIONS = [
    (
        "OPCC comms lead to agree with the Force what can be shared with officers",
        "opcc",
        "OPCC Head of Communications",
        date(2024, 4, 30),
    ),
    (
        "Force to bring a full business case to the May board",
        "force",
        "Assistant Chief Officer (Finance and Resources)",
        date(2024, 5, 30),
    ),
]
PANEL_ACTIONS = [
    (
        "OPCC to publish an action log after every panel meeting",
        "opcc",
        "OPCC Business Staff Officer",
        date(2024, 3, 31),
    ),
    (
        "Force to report on recording stop and search outcomes to the next panel",
        "force",
        "Force Professional Standards representative",
        date(2024, 5, 21),
    ),
]


def _codes(db: Session, kind: reference.ReferenceKind) -> set[str]:
    table: Any = kind.table
    return {row.code for row in db.exec(select(table)).all()}


def _actor(db: Session, email: str, role: Role) -> Actor:
    user = accounts.find_user_by_email(db, email)
    if user is None or user.id is None:
        return SYSTEM
    return user_actor(user_id=user.id, label=user.email, role=role)


def seed_board_reference(db: Session, report: SeedReport, *, now: datetime) -> None:
    existing = _codes(db, BOARD_KINDS)
    for code, name in BOARD_KIND_ROWS:
        if code not in existing:
            reference.create_record(
                db, SYSTEM, BOARD_KINDS, ref.BoardKindCreate(code=code, name=name), now=now
            )
            report.add("board_kinds")
    existing = _codes(db, TOPICS)
    for code, name in BOARD_TOPIC_ROWS:
        if code not in existing:
            reference.create_record(
                db, SYSTEM, TOPICS, ref.TopicCreate(code=code, name=name), now=now
            )
            report.add("topics")


def _meeting_actions(
    db: Session,
    actor: Actor,
    report: SeedReport,
    meeting_id: int,
    rows: list[tuple[str, str, str, date]],
    *,
    now: datetime,
) -> None:
    for title, owner, owner_name, due_on in rows:
        actions.create_action(
            db,
            actor,
            ActionCreate(
                title=title,
                owner_org=owner,
                owner_name=owner_name,
                due_on=due_on,
                source_type=SourceType.BOARD_MEETING,
                source_id=meeting_id,
            ),
            now=now,
        )
        report.add("actions")


def seed_board(db: Session, report: SeedReport, *, now: datetime) -> None:
    """Board kinds, the board topics, and (once) the boards of spring 2024."""
    seed_board_reference(db, report, now=now)
    if db.exec(select(ExceptionReport.id)).first() is not None:
        return
    staff = _actor(db, "staff@oversight.example", Role.OPCC_STAFF)
    liaison = _actor(db, "liaison@oversight.example", Role.FORCE_LIAISON)

    march = board.create_meeting(
        db,
        staff,
        MeetingCreate(
            held_on=date(2024, 3, 18),
            kind="cgb",
            title="Corporate Governance Board",
            status=MeetingStatus.HELD,
            chair="Police and Crime Commissioner",
            attendees=CGB_ATTENDEES,
            agenda=CGB_AGENDA,
            summary=(
                "The Force presented papers on call performance and rape performance, both "
                "escalated from the KPI exception report of 7 February 2024. The PCC thanked "
                "the Chief Officer Team, officers and police staff. The reserves strategy was "
                "debated and adopted; the PCC asked for a full business case on the savings "
                "programme for the May board."
            ),
            next_meeting_on=date(2024, 5, 30),
            published=True,
        ),
        now=now,
    )
    report.add("board_meetings")
    may = board.create_meeting(
        db,
        staff,
        MeetingCreate(
            held_on=date(2024, 5, 30),
            kind="cgb",
            title="Corporate Governance Board",
            status=MeetingStatus.PLANNED,
            chair="Police and Crime Commissioner",
            attendees=CGB_ATTENDEES,
            agenda=["Savings programme: full business case", "Operational performance"],
        ),
        now=now,
    )
    report.add("board_meetings")
    assert march.id is not None and may.id is not None

    exception_report = board.create_report(
        db,
        staff,
        ExceptionReportCreate(
            reported_on=date(2024, 2, 7),
            prepared_by="OPCC performance and assurance team",
            title="KPI exception report for the Corporate Governance Board",
            meeting_id=march.id,
            items=[
                ExceptionItemIn(
                    topic="999-calls",
                    kpi_evidence=(
                        "999 calls answered within 10 seconds below target and below similar "
                        "forces for the third month running."
                    ),
                    period="November 2023 to January 2024",
                    recommendation=Recommendation.ESCALATE,
                    reasoning="A sustained decline: ask the Force for a paper at the board.",
                ),
                ExceptionItemIn(
                    topic="rape",
                    kpi_evidence=(
                        "Positive outcome rate for rape offences: 6 % against a target of 8 %, "
                        "from a baseline of 3.4 % in 2021/22."
                    ),
                    value=6.0,
                    target=8.0,
                    baseline=3.4,
                    period="2023/24 year to date",
                    unit="%",
                    recommendation=Recommendation.ESCALATE,
                    reasoning="Progress is real but short of target; a Plan priority.",
                ),
                ExceptionItemIn(
                    topic="response-times",
                    kpi_evidence="Emergency and priority response times slightly above target.",
                    period="January 2024",
                    recommendation=Recommendation.MONITOR,
                    reasoning="Within normal variation: continue to monitor closely.",
                ),
                ExceptionItemIn(
                    topic="101-calls",
                    kpi_evidence="101 calls answered within 2 minutes: best month 73.7 %.",
                    value=73.7,
                    target=75.0,
                    period="Best month, 2023/24",
                    unit="%",
                    recommendation=Recommendation.NO_ACTION,
                    reasoning="Covered by the call performance escalation.",
                ),
            ],
        ),
        now=now,
    )
    report.add("exception_reports")
    items = board.get_report(db, staff, exception_report.id or 0).items

    calls = board.escalate_item(
        db,
        staff,
        items[0].id,
        EscalateItem(
            request=ESCALATION_REQUEST, response_due=date(2024, 3, 11), target_meeting_id=march.id
        ),
        now=now,
    )
    rape = board.escalate_item(
        db,
        staff,
        items[1].id,
        EscalateItem(
            request=ESCALATION_REQUEST, response_due=date(2024, 3, 11), target_meeting_id=march.id
        ),
        now=now,
    )
    report.add("escalations")
    report.add("escalations")
    board.monitor_item(
        db,
        staff,
        items[2].id,
        MonitorItem(next_review_on=date(2024, 5, 30), reason="Continue to monitor closely."),
        now=now,
    )
    report.add("monitoring_items")
    assert calls.id is not None and rape.id is not None

    board.add_force_response(
        db,
        liaison,
        calls.id,
        ForceResponseCreate(
            response=(
                "The Force shares the PCC's concerns. With PCC support through the budget it "
                "has invested in call handling: more call handlers, and a new telephony "
                "queue for 101."
            )
        ),
        now=now,
    )
    board.transition_escalation(
        db,
        staff,
        calls.id,
        EscalationTransition(
            to="discussed",
            note="Presented at the board of 18 March 2024.",
            pcc_response="The PCC welcomed the investment and will track call performance.",
        ),
        expected_version=calls.version,
        now=now,
    )
    board.add_force_response(
        db,
        liaison,
        rape.id,
        ForceResponseCreate(
            response=(
                "A clear priority for the Force: the activity presented is making positive "
                "progress towards the 8 % positive outcome target from a 3.4 % baseline."
            )
        ),
        now=now,
    )
    board.transition_escalation(
        db,
        staff,
        rape.id,
        EscalationTransition(
            to="discussed",
            note="Presented at the board of 18 March 2024.",
            pcc_response=(
                "The PCC and the Chief Constable agree to drive the rate as high as possible "
                "on behalf of victims."
            ),
        ),
        expected_version=rape.version,
        now=now,
    )
    board.transition_escalation(
        db,
        staff,
        rape.id,
        EscalationTransition(
            to="follow_up",
            note="A further paper in four months to show the impact of the actions taken.",
            response_due=date(2024, 7, 18),
        ),
        expected_version=rape.version,
        now=now,
    )

    _meeting_actions(db, staff, report, march.id, MARCH_ACTIONS, now=now)

    panel = board.create_meeting(
        db,
        staff,
        MeetingCreate(
            held_on=date(2024, 2, 20),
            kind="ethics-transparency",
            title="Ethics and Transparency Panel",
            status=MeetingStatus.HELD,
            chair="Independent panel chair",
            attendees=[
                "Independent panel chair",
                "Independent panel members",
                "OPCC Chief Executive",
                "Force Professional Standards representative",
            ],
            agenda=[
                "Question: how does the Force record the outcome of stop and search encounters?",
                "Question: what became of the points raised at the last panel? The minutes "
                "noted there was no record of any actions being taken.",
                "Question: how are gifts and hospitality declarations published?",
            ],
            summary=(
                "The panel asked three questions; the answers and two actions are recorded "
                "here so that the next panel can see what was done."
            ),
            next_meeting_on=date(2024, 5, 21),
            published=True,
        ),
        now=now,
    )
    report.add("board_meetings")
    assert panel.id is not None
    _meeting_actions(db, staff, report, panel.id, PANEL_ACTIONS, now=now)
