"""The demo data set: Leicester, Leicestershire and Rutland (DOMAIN.md §9).

Every person is invented and named by role; nothing here is a real person's name.
Loading is idempotent: records already present (by email or code) are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session, select

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role
from domain.accounts.schemas import UserCreate
from domain.actions import service as actions
from domain.actions.schemas import ActionCreate, ActionUpdateCreate
from domain.actions.tables import Action
from domain.board.demo import seed_board
from domain.complaints.demo import seed_complaints
from domain.engagement.demo import seed_engagement
from domain.plan.demo import seed_plan
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import (
    ALLEGATION_CATEGORIES,
    AREAS,
    NPAS,
    ORGANISATIONS,
    TOPICS,
    ReferenceKind,
)

DEMO_PASSWORD = "oversight-demo-2024"  # noqa: S105 - printed by `make run` on purpose


@dataclass(frozen=True)
class DemoUser:
    email: str
    display_name: str
    role: Role


DEMO_USERS = [
    DemoUser("admin@oversight.example", "Ada Admin (demo)", Role.ADMIN),
    DemoUser("staff@oversight.example", "Sam Staff (demo)", Role.OPCC_STAFF),
    DemoUser("reviewer@oversight.example", "Riley Reviewer (demo)", Role.COMPLAINTS_REVIEWER),
    DemoUser("liaison@oversight.example", "Lee Liaison (demo)", Role.FORCE_LIAISON),
    DemoUser("viewer@oversight.example", "Vic Viewer (demo)", Role.VIEWER),
]

ORGANISATION_ROWS = [
    (
        "opcc",
        "Office of the Police and Crime Commissioner for Leicester, Leicestershire and Rutland",
        "OPCC",
        "opcc",
    ),
    ("force", "Leicestershire Police", "Leicestershire Police", "force"),
    ("leicester-city-council", "Leicester City Council", "City Council", "partner"),
    ("leicestershire-county-council", "Leicestershire County Council", "County Council", "partner"),
    ("rutland-county-council", "Rutland County Council", "Rutland Council", "partner"),
    ("csp", "Community Safety Partnership", "CSP", "partner"),
    ("road-safety-partnership", "Road Safety Partnership", "Road Safety", "partner"),
]

# Tile positions give a schematic map: north at the top, Leicester in the middle.
AREA_ROWS = [
    ("north-west-leicestershire", "North West Leicestershire", "district", 0, 1),
    ("charnwood", "Charnwood", "district", 0, 2),
    ("melton", "Melton", "district", 0, 3),
    ("hinckley-and-bosworth", "Hinckley and Bosworth", "district", 1, 0),
    ("blaby", "Blaby", "district", 1, 1),
    ("leicester", "Leicester City", "unitary", 1, 2),
    ("oadby-and-wigston", "Oadby and Wigston", "district", 1, 3),
    ("rutland", "Rutland", "unitary", 1, 4),
    ("harborough", "Harborough", "district", 2, 2),
]

NPA_ROWS = [
    ("city-centre", "Leicester City Centre", "leicester"),
    ("leicester-east", "Leicester East", "leicester"),
    ("leicester-west", "Leicester West", "leicester"),
    ("loughborough", "Loughborough", "charnwood"),
    ("charnwood-rural", "Charnwood Rural", "charnwood"),
    ("nwl", "North West Leicestershire", "north-west-leicestershire"),
    ("melton", "Melton", "melton"),
    ("rutland", "Rutland", "rutland"),
    ("hinckley", "Hinckley and Bosworth", "hinckley-and-bosworth"),
    ("blaby", "Blaby", "blaby"),
    ("oadby-wigston", "Oadby and Wigston", "oadby-and-wigston"),
    ("harborough", "Harborough", "harborough"),
]

TOPIC_ROWS = [
    ("road-safety", "Road safety"),
    ("speeding", "Speeding"),
    ("asb", "Anti-social behaviour"),
    ("car-cruising", "Car cruising"),
    ("sheep-worrying", "Sheep worrying"),
    ("substance-misuse", "Substance misuse"),
    ("e-scooters", "E-scooters"),
    ("parking", "Parking"),
    ("rural-crime", "Rural crime"),
    ("visible-policing", "Visible policing"),
]

# The categories the IOPC's guidance on recording data uses for allegations, simplified.
ALLEGATION_CATEGORY_ROWS = [
    ("use-of-force", "Use of force"),
    ("handling-of-or-damage-to-property", "Handling of or damage to property"),
    ("delivery-of-duties-and-service", "Delivery of duties and service"),
    ("discriminatory-behaviour", "Discriminatory behaviour"),
    ("access-to-information", "Access to and/or disclosure of information"),
    ("individual-behaviour", "Individual behaviour"),
    ("other", "Other"),
]


@dataclass
class SeedReport:
    created: dict[str, int]

    def add(self, what: str) -> None:
        self.created[what] = self.created.get(what, 0) + 1


def _codes(db: Session, kind: ReferenceKind) -> dict[str, int]:
    table: Any = kind.table
    return {row.code: row.id for row in db.exec(select(table)).all()}


def seed_reference(db: Session, report: SeedReport, *, now: datetime) -> None:
    existing = _codes(db, ORGANISATIONS)
    for code, name, short_name, kind in ORGANISATION_ROWS:
        if code not in existing:
            data = ref.OrganisationCreate(
                code=code, name=name, short_name=short_name, kind=ref.OrganisationKind(kind)
            )
            reference.create_record(db, SYSTEM, ORGANISATIONS, data, now=now)
            report.add("organisations")
    existing = _codes(db, AREAS)
    for code, name, kind, row, col in AREA_ROWS:
        if code not in existing:
            area = ref.AreaCreate(
                code=code, name=name, kind=ref.AreaKind(kind), tile_row=row, tile_col=col
            )
            reference.create_record(db, SYSTEM, AREAS, area, now=now)
            report.add("areas")
    areas = _codes(db, AREAS)
    existing = _codes(db, NPAS)
    for code, name, area_code in NPA_ROWS:
        if code not in existing:
            npa = ref.NpaCreate(code=code, name=name, area_id=areas[area_code])
            reference.create_record(db, SYSTEM, NPAS, npa, now=now)
            report.add("npas")
    existing = _codes(db, TOPICS)
    for code, name in TOPIC_ROWS:
        if code not in existing:
            reference.create_record(
                db, SYSTEM, TOPICS, ref.TopicCreate(code=code, name=name), now=now
            )
            report.add("topics")
    existing = _codes(db, ALLEGATION_CATEGORIES)
    for code, name in ALLEGATION_CATEGORY_ROWS:
        if code not in existing:
            category = ref.AllegationCategoryCreate(code=code, name=name)
            reference.create_record(db, SYSTEM, ALLEGATION_CATEGORIES, category, now=now)
            report.add("allegation_categories")


def seed_users(db: Session, report: SeedReport, *, now: datetime) -> None:
    for user in DEMO_USERS:
        if accounts.find_user_by_email(db, user.email) is None:
            accounts.create_user(
                db,
                SYSTEM,
                UserCreate(
                    email=user.email,
                    display_name=user.display_name,
                    role=user.role,
                    password=DEMO_PASSWORD,
                ),
                now=now,
            )
            report.add("users")


# (title, owner org code, owner role, area code or None, due in days from today, status, update)
DEMO_ACTIONS: list[tuple[str, str, str, str | None, int, str, str]] = [
    (
        "Agree with the Force what 999 performance messages can be shared with officers",
        "opcc",
        "OPCC Comms Lead",
        None,
        -20,
        "in_progress",
        "Draft key messages sent to the Force's corporate communications team.",
    ),
    (
        "Bring a full business case for 999 call handling to the May board",
        "force",
        "Head of Contact Management",
        None,
        -5,
        "open",
        "",
    ),
    (
        "Further rape performance paper to the board in four months",
        "force",
        "Head of Crime",
        None,
        90,
        "open",
        "",
    ),
    (
        "Report progress against the 8% rape positive-outcome target",
        "force",
        "Head of Crime",
        None,
        30,
        "in_progress",
        "Positive outcome rate now 6% against the 3.4% baseline.",
    ),
    (
        "Explain the 101 answer times against the 75% two-minute target",
        "force",
        "Head of Contact Management",
        None,
        3,
        "open",
        "",
    ),
    (
        "Ask the NPA commander about ASB hotspot funding",
        "force",
        "NPA Commander, Melton",
        "melton",
        -12,
        "open",
        "",
    ),
    (
        "Sheep worrying: business case for rural crime officers",
        "force",
        "Rural Crime Team Lead",
        "rutland",
        -60,
        "done",
        "Business case approved at the Chief Officer Team meeting.",
    ),
    (
        "Car cruising: agree a joint enforcement plan with the council",
        "leicester-city-council",
        "Community Safety Manager",
        "leicester",
        14,
        "in_progress",
        "First joint operation planned for the next bank holiday weekend.",
    ),
    (
        "Share speed watch results from Charnwood villages",
        "road-safety-partnership",
        "Road Safety Partnership Coordinator",
        "charnwood",
        6,
        "open",
        "",
    ),
    (
        "Tell Blaby residents the outcome of the parking review",
        "opcc",
        "OPCC Engagement Officer",
        "blaby",
        -3,
        "open",
        "",
    ),
    (
        "Write to parish councils in Harborough about surgery dates",
        "opcc",
        "OPCC Engagement Officer",
        "harborough",
        21,
        "done",
        "Letters sent to all 46 councils.",
    ),
    (
        "Confirm extra patrols in Hinckley town centre on Friday nights",
        "force",
        "NPA Commander, Hinckley and Bosworth",
        "hinckley-and-bosworth",
        2,
        "in_progress",
        "",
    ),
    (
        "E-scooter seizures: publish the quarterly figures",
        "force",
        "Roads Policing Inspector",
        "leicester",
        40,
        "open",
        "",
    ),
    (
        "Arrange a substance misuse briefing for Oadby and Wigston councillors",
        "csp",
        "Community Safety Partnership Chair",
        "oadby-and-wigston",
        -30,
        "cancelled",
        "",
    ),
    (
        "Follow up North West Leicestershire surgery: rural crime concerns",
        "force",
        "Rural Crime Team Lead",
        "north-west-leicestershire",
        10,
        "open",
        "",
    ),
    (
        "Update the Panel on Community Day coverage",
        "opcc",
        "OPCC Governance and Performance Manager",
        None,
        25,
        "open",
        "",
    ),
    (
        "Review victim referral rates with Victim First",
        "opcc",
        "OPCC Commissioning Manager",
        None,
        -8,
        "in_progress",
        "Data request sent.",
    ),
    (
        "Agree a road safety campaign for Rutland villages",
        "rutland-county-council",
        "Highways Officer",
        "rutland",
        55,
        "open",
        "",
    ),
    (
        "Response times: continue monitoring and report to the next board",
        "force",
        "Head of Response",
        None,
        45,
        "open",
        "",
    ),
    (
        "Publish the you said, we did summary for the Melton Community Day",
        "opcc",
        "OPCC Comms Lead",
        "melton",
        -1,
        "done",
        "Published on the OPCC website.",
    ),
]


# The status changes that bring a new (open) demo action to its demo status.
DEMO_STEPS: dict[str, list[tuple[str, str]]] = {
    "open": [],
    "in_progress": [("in_progress", "")],
    "done": [("in_progress", ""), ("done", "Completed")],
    "cancelled": [("cancelled", "Superseded by the CSP's own plan")],
}


def seed_actions(db: Session, report: SeedReport, *, now: datetime) -> None:
    """Twenty named actions twice over (demo and a repeat set for the following quarter)."""
    existing = db.exec(select(Action.title)).all()
    if existing:
        return
    today = now.date()
    for round_offset in (0, 91):
        for title, org, owner, area, due_in, status, note in DEMO_ACTIONS:
            action = actions.create_action(
                db,
                SYSTEM,
                ActionCreate(
                    title=title if round_offset == 0 else f"{title} (next quarter)",
                    owner_org=org,
                    owner_name=owner,
                    area=area,
                    due_on=today + timedelta(days=due_in + round_offset),
                    detail="Captured at the Commissioner's debrief.",
                    private_note="Internal: raised by the Chief Executive.",
                ),
                now=now,
            )
            assert action.id is not None
            report.add("actions")
            target = status if round_offset == 0 else "open"
            if note:
                actions.add_update(db, SYSTEM, action.id, ActionUpdateCreate(body=note), now=now)
            for to, why in DEMO_STEPS[target]:
                actions.transition_action(
                    db,
                    SYSTEM,
                    action.id,
                    to=to,
                    note=why,
                    expected_version=action.version,
                    now=now,
                    today=today,
                )


def seed_demo(db: Session, *, now: datetime) -> SeedReport:
    report = SeedReport(created={})
    seed_reference(db, report, now=now)
    seed_users(db, report, now=now)
    seed_actions(db, report, now=now)
    made = seed_plan(db, now=now)
    if made:
        report.created["assessments"] = made
    seed_board(db, report, now=now)
    seed_engagement(db, report, now=now)
    seed_complaints(db, report, now=now)
    return report
