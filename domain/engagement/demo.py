"""Demo engagement data from seed 004 (OPCC update, June 2024 Panel): eight Community Days
between 24 January and 24 March 2024, the Deputy's parish council surgeries with their
attendance, the debrief actions and some "you said, we did" lines, and the pre-election
period of the 2024 PCC election. A few recent visits keep the demo alive on today's date.

Every person is invented and named by role; the named contacts say "(invented)". Blaby and
Oadby and Wigston have no engagement between 24 January and 24 March 2024, so coverage
shows zeros. Idempotent: once an engagement exists the set is left alone.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Actor, Role, user_actor
from domain.actions import service as actions
from domain.engagement import service as engagement
from domain.engagement.rules import EngagementKind, Lead, LineOutcome
from domain.engagement.schemas import (
    DebriefActionIn,
    EngagementCreate,
    EngagementIssueCreate,
    LoopClosing,
    PreElectionPeriodCreate,
)
from domain.engagement.tables import Engagement, EngagementIssue, PreElectionPeriod
from domain.reference.tables import Area, NeighbourhoodPolicingArea, Topic

if TYPE_CHECKING:
    from domain.demo import SeedReport

PCC_ROLE = "Police and Crime Commissioner"
DPCC_ROLE = "Deputy Police and Crime Commissioner"
ELECTION_PERIOD = ("PCC election 2024", date(2024, 3, 24), date(2024, 5, 3))
GENERATED_SUMMARY = "Generated for scale testing."


@dataclass(frozen=True)
class DemoAction:
    title: str
    owner_org: str
    owner_name: str
    due_on: date
    public: bool = False
    # What happened next: "", "in_progress", "done" or "cancelled" (with its reason).
    status: str = ""
    why: str = ""
    # The public line, once the people who raised it were told.
    line: str = ""
    told_on: date | None = None


@dataclass(frozen=True)
class DemoIssue:
    topic: str
    description: str
    people: int
    actions: list[DemoAction] = field(default_factory=list)


@dataclass(frozen=True)
class DemoVisit:
    held_on: date
    kind: EngagementKind
    area: str
    ward: str
    npa: str | None
    people: int
    organisations: list[str]
    summary: str
    contacts: str = ""
    invited: int | None = None
    attended: int | None = None
    issues: list[DemoIssue] = field(default_factory=list)


COMMUNITY_DAYS = [
    DemoVisit(
        date(2024, 1, 25),
        EngagementKind.COMMUNITY_DAY,
        "melton",
        "Melton Mowbray town centre",
        "melton",
        45,
        ["Melton Borough Council", "Melton Town Centre Business Forum", "Neighbourhood Watch"],
        "Walkabout with the neighbourhood team, a market-day street surgery and a meeting "
        "with town centre businesses.",
        "Shop owner (invented) Jo Example; Neighbourhood Watch coordinator (invented) Ali Sample",
        issues=[
            DemoIssue(
                "asb",
                "Groups gathering in the bus station in the evenings; traders asked how the new "
                "ASB hotspot funding will be spent in Melton.",
                9,
                [
                    DemoAction(
                        "Ask the NPA commander about ASB hotspot funding for Melton",
                        "force",
                        "NPA Commander, Melton",
                        date(2024, 2, 23),
                        public=True,
                        status="done",
                        line="You told us about groups gathering at the bus station. Melton is "
                        "a hotspot area: funded evening patrols began in March.",
                        told_on=date(2024, 3, 14),
                    ),
                ],
            ),
            DemoIssue(
                "road-safety",
                "Festival traffic through the town centre and parking on the verges.",
                5,
                [
                    DemoAction(
                        "Share festival traffic plans with the Road Safety Partnership",
                        "road-safety-partnership",
                        "Road Safety Partnership Coordinator",
                        date(2024, 4, 30),
                    ),
                ],
            ),
        ],
    ),
    DemoVisit(
        date(2024, 2, 1),
        EngagementKind.COMMUNITY_DAY,
        "rutland",
        "Oakham and villages",
        "rutland",
        30,
        ["Rutland County Council", "National Farmers' Union (local branch)", "Young Farmers"],
        "Farm visit and rural crime round table with farmers and landowners.",
        "Farmer (invented) Sam Placeholder",
        issues=[
            DemoIssue(
                "sheep-worrying",
                "Dogs off leads worrying ewes in lamb on footpaths near Oakham; three attacks "
                "since Christmas.",
                12,
                [
                    DemoAction(
                        "Bring a business case for a sheep worrying awareness campaign",
                        "force",
                        "Rural Crime Team Lead",
                        date(2024, 3, 8),
                        public=True,
                        status="done",
                        line="You told us about sheep worrying. The PCC approved a business "
                        "case for an awareness campaign with rural communities, and it is "
                        "under way.",
                        told_on=date(2024, 3, 20),
                    ),
                    DemoAction(
                        "Put up dog-on-lead signs on the worst-affected footpaths",
                        "rutland-county-council",
                        "Public Rights of Way Officer",
                        date(2024, 4, 12),
                        status="in_progress",
                    ),
                ],
            ),
            DemoIssue(
                "rural-crime",
                "Thefts of quad bikes and fuel from farm yards.",
                6,
                [
                    DemoAction(
                        "Offer farm security visits from the rural crime team",
                        "force",
                        "Rural Crime Team Lead",
                        date(2024, 5, 31),
                    ),
                ],
            ),
        ],
    ),
    DemoVisit(
        date(2024, 2, 8),
        EngagementKind.COMMUNITY_DAY,
        "leicester",
        "Belgrave",
        "leicester-east",
        60,
        ["Leicester City Council", "Belgrave Business Association", "Local mosque committee"],
        "Community centre drop-in and a walk along Belgrave Road with the beat team.",
        "Community centre manager (invented) Pat Example",
        issues=[
            DemoIssue(
                "car-cruising",
                "Car cruising on Belgrave Road and the ring road on Friday and Saturday nights: "
                "noise and racing.",
                14,
                [
                    DemoAction(
                        "Car cruising: agree a joint enforcement plan with the city council",
                        "force",
                        "NPA Commander, Leicester East",
                        date(2024, 4, 30),
                        status="in_progress",
                    ),
                ],
            ),
            DemoIssue(
                "visible-policing",
                "Residents want to know who their beat officers are.",
                8,
                [
                    DemoAction(
                        "Publish the names of the Belgrave beat team in the ward newsletter",
                        "opcc",
                        "OPCC Engagement Officer",
                        date(2024, 3, 1),
                        public=True,
                        status="done",
                        line="You asked who your beat officers are. Their details are now in "
                        "the ward newsletter and on the Force website.",
                        told_on=date(2024, 3, 5),
                    ),
                ],
            ),
        ],
    ),
    DemoVisit(
        date(2024, 2, 22),
        EngagementKind.COMMUNITY_DAY,
        "charnwood",
        "Loughborough Storer ward",
        "loughborough",
        38,
        ["Charnwood Borough Council", "Loughborough University Students' Union"],
        "Town centre street stand and a meeting with the students' union.",
        issues=[
            DemoIssue(
                "e-scooters",
                "E-scooters ridden on pavements in the town centre.",
                7,
                [
                    DemoAction(
                        "Brief the PCC on e-scooter enforcement in Loughborough",
                        "force",
                        "Roads Policing Inspector",
                        date(2024, 3, 29),
                    ),
                ],
            ),
            DemoIssue(
                "speeding",
                "Speeding on the A6 through the villages north of Loughborough; residents "
                "asked for a fixed camera.",
                11,
                [
                    DemoAction(
                        "Ask for a fixed speed camera on the A6 at Hathern",
                        "road-safety-partnership",
                        "Road Safety Partnership Coordinator",
                        date(2024, 3, 15),
                        public=True,
                        status="cancelled",
                        why="The site does not meet the casualty criteria for a camera.",
                        line="You asked for a speed camera on the A6 at Hathern. We are not "
                        "doing this.",
                        told_on=date(2024, 3, 19),
                    ),
                ],
            ),
        ],
    ),
    DemoVisit(
        date(2024, 2, 29),
        EngagementKind.COMMUNITY_DAY,
        "hinckley-and-bosworth",
        "Hinckley town centre",
        "hinckley",
        34,
        ["Hinckley and Bosworth Borough Council", "Hinckley Business Improvement District"],
        "Night-time economy walk and a meeting with licensees.",
        issues=[
            DemoIssue(
                "asb",
                "Anti-social behaviour in the town centre on Friday nights.",
                10,
                [
                    DemoAction(
                        "Confirm extra patrols in Hinckley town centre on Friday nights",
                        "force",
                        "NPA Commander, Hinckley and Bosworth",
                        date(2024, 4, 5),
                        status="in_progress",
                    ),
                ],
            ),
        ],
    ),
    DemoVisit(
        date(2024, 3, 7),
        EngagementKind.COMMUNITY_DAY,
        "north-west-leicestershire",
        "Coalville",
        "nwl",
        41,
        ["North West Leicestershire District Council", "Coalville CAN"],
        "Visit to a youth project and a public meeting in the Coalville library.",
        issues=[
            DemoIssue(
                "substance-misuse",
                "Drug dealing near the skate park.",
                6,
                [
                    DemoAction(
                        "Ask the neighbourhood team for a drugs operation near the skate park",
                        "force",
                        "NPA Commander, North West Leicestershire",
                        date(2024, 4, 19),
                    ),
                ],
            ),
            DemoIssue(
                "road-safety",
                "HGVs cutting through villages to avoid the A511 roadworks.",
                4,
                [],
            ),
        ],
    ),
    DemoVisit(
        date(2024, 3, 14),
        EngagementKind.COMMUNITY_DAY,
        "leicester",
        "Braunstone Park and Rowley Fields",
        "leicester-west",
        52,
        ["Leicester City Council", "Braunstone Community Association"],
        "Estate walkabout with housing officers and a coffee morning.",
        "Tenants' group chair (invented) Chris Specimen",
        issues=[
            DemoIssue(
                "asb",
                "Off-road bikes on the park and fly-tipping in the alleyways.",
                13,
                [
                    DemoAction(
                        "Ask the Community Safety Partnership to fund alley gates",
                        "csp",
                        "Community Safety Partnership Chair",
                        date(2024, 6, 28),
                    ),
                    DemoAction(
                        "Off-road bikes: operation with the neighbourhood team",
                        "force",
                        "NPA Commander, Leicester West",
                        date(2024, 4, 26),
                    ),
                ],
            ),
        ],
    ),
    DemoVisit(
        date(2024, 3, 21),
        EngagementKind.COMMUNITY_DAY,
        "harborough",
        "Market Harborough",
        "harborough",
        27,
        ["Harborough District Council", "Market Harborough Chamber of Trade"],
        "Market stall and visits to shops on the High Street.",
        issues=[
            DemoIssue(
                "speeding",
                "Speeding on the Leicester Road into Market Harborough.",
                9,
                [
                    DemoAction(
                        "Start a community speed watch on the Leicester Road",
                        "road-safety-partnership",
                        "Road Safety Partnership Coordinator",
                        date(2024, 5, 17),
                    ),
                ],
            ),
            DemoIssue(
                "parking",
                "Inconsiderate parking outside the primary school.",
                5,
                [
                    DemoAction(
                        "Write to the school about parking enforcement at pick-up time",
                        "opcc",
                        "OPCC Engagement Officer",
                        date(2024, 4, 12),
                    ),
                ],
            ),
        ],
    ),
]

# The Deputy's Parish Council Engagement Programme (seed 004 ¶15–20). The invited count for
# Hinckley and Bosworth is not in the seed: 26 is invented. Harborough's 46 of 46 is as
# reported. Blaby and Harborough surgeries were before 24 January 2024.
PARISH_SURGERIES = [
    (
        date(2024, 3, 12),
        "north-west-leicestershire",
        23,
        7,
        [("rural-crime", "Thefts from farms and rural properties.", 4)],
    ),
    (
        date(2024, 2, 27),
        "charnwood",
        25,
        6,
        [
            ("speeding", "Speeding through villages.", 5),
            ("substance-misuse", "Suspicions of substance misuse.", 2),
            ("parking", "Inconsiderate parking.", 3),
            ("e-scooters", "E-scooters on pavements.", 3),
        ],
    ),
    (
        date(2024, 2, 13),
        "melton",
        26,
        5,
        [
            ("road-safety", "Festival traffic through villages.", 4),
            ("asb", "Anti-social behaviour after festivals.", 2),
        ],
    ),
    (
        date(2024, 1, 30),
        "hinckley-and-bosworth",
        26,
        6,
        [("speeding", "Complaints about speeding.", 6)],
    ),
    (
        date(2023, 12, 5),
        "blaby",
        19,
        6,
        [
            ("road-safety", "Speeding on the bypass and HGVs through villages.", 5),
            ("e-scooters", "E-scooters.", 2),
        ],
    ),
    (
        date(2024, 1, 16),
        "harborough",
        46,
        46,
        [
            ("speeding", "Dangerous speeding and traffic.", 20),
            ("asb", "Anti-social behaviour.", 9),
        ],
    ),
]


def _actor(db: Session, email: str, role: Role) -> Actor:
    user = accounts.find_user_by_email(db, email)
    if user is None or user.id is None:
        return SYSTEM
    return user_actor(user_id=user.id, label=user.email, role=role)


def _create(visit: DemoVisit, lead: Lead, lead_name: str) -> EngagementCreate:
    return EngagementCreate(
        held_on=visit.held_on,
        kind=visit.kind,
        lead=lead,
        lead_name=lead_name,
        area=visit.area,
        ward=visit.ward,
        npa=visit.npa,
        organisations_met=visit.organisations,
        people_count=visit.people,
        summary=visit.summary,
        named_contacts=visit.contacts,
        councils_invited=visit.invited,
        councils_attended=visit.attended,
        issues=[
            EngagementIssueCreate(
                topic=issue.topic,
                description=issue.description,
                people_count=issue.people,
                actions=[
                    DebriefActionIn(
                        title=a.title,
                        owner_org=a.owner_org,
                        owner_name=a.owner_name,
                        due_on=a.due_on,
                        public=a.public,
                        detail="Logged at the Commissioner's debrief.",
                    )
                    for a in issue.actions
                ],
            )
            for issue in visit.issues
        ],
    )


def _follow_up(
    db: Session,
    staff: Actor,
    report: SeedReport,
    made: Engagement,
    visit: DemoVisit,
    *,
    now: datetime,
) -> None:
    """Move each demo action to its demo status and write its public line, in the order the
    rules demand (a line saying done needs the action done first)."""
    planned = [a for issue in visit.issues for a in issue.actions]
    for _ in planned:
        report.add("actions")
    assert made.id is not None
    found = engagement.get_engagement(db, staff, made.id, today=now.date())
    shown = [a for issue in found.issues for a in issue.actions]
    for plan, action in zip(planned, shown, strict=True):
        version = action.version
        steps: list[tuple[str, str]] = {
            "": [],
            "in_progress": [("in_progress", "")],
            "done": [("in_progress", ""), ("done", "Completed")],
            "cancelled": [("cancelled", plan.why)],
        }[plan.status]
        for to, note in steps:
            moved = actions.transition_action(
                db,
                staff,
                action.id,
                to=to,
                note=note,
                expected_version=version,
                now=now,
                today=plan.told_on or now.date(),
            )
            version = moved.version
        if plan.line:
            outcome = LineOutcome.DONE if plan.status == "done" else LineOutcome.NOT_DOING
            engagement.close_the_loop(
                db,
                staff,
                action.id,
                LoopClosing(
                    told_on=plan.told_on,
                    line=plan.line,
                    outcome=outcome,
                    reason=plan.why,
                ),
                expected_version=version,
                now=now,
                # The demo's lines are history: told on their own dates, whenever it is loaded.
                today=max(now.date(), plan.told_on or now.date()),
            )
            report.add("public_lines")


def _recent(today: date) -> list[DemoVisit]:
    """Three visits in the last six weeks, so the demo looks alive on any date."""
    return [
        DemoVisit(
            today - timedelta(days=9),
            EngagementKind.STREET_STAND,
            "rutland",
            "Uppingham",
            "rutland",
            22,
            ["Rutland County Council"],
            "Market day street stand.",
            issues=[
                DemoIssue(
                    "speeding",
                    "Speeding through Uppingham on market days.",
                    4,
                    [
                        DemoAction(
                            "Ask for speed checks in Uppingham on market days",
                            "force",
                            "NPA Commander, Rutland",
                            today + timedelta(days=21),
                        )
                    ],
                )
            ],
        ),
        DemoVisit(
            today - timedelta(days=23),
            EngagementKind.STREET_STAND,
            "leicester",
            "Leicester city centre",
            "city-centre",
            75,
            ["Leicester City Council"],
            "Street stand in the Clock Tower area.",
            issues=[
                DemoIssue(
                    "asb",
                    "Begging and street drinking near the Clock Tower.",
                    6,
                    [
                        DemoAction(
                            "Ask the city centre team about the street drinking order",
                            "force",
                            "NPA Commander, City Centre",
                            today + timedelta(days=4),
                        ),
                        DemoAction(
                            "Write back to the traders who raised street drinking",
                            "opcc",
                            "OPCC Engagement Officer",
                            today - timedelta(days=2),
                        ),
                    ],
                )
            ],
        ),
        DemoVisit(
            today - timedelta(days=37),
            EngagementKind.BUSINESS_MEETING,
            "melton",
            "Melton Mowbray livestock market",
            "melton",
            12,
            ["Melton Borough Council", "Market traders"],
            "Meeting with market traders about thefts from vehicles.",
            issues=[
                DemoIssue(
                    "visible-policing",
                    "Traders want a regular police presence on market days.",
                    5,
                    [],
                )
            ],
        ),
    ]


def seed_pre_election_period(db: Session, report: SeedReport, *, now: datetime) -> None:
    label, starts_on, ends_on = ELECTION_PERIOD
    if db.exec(select(PreElectionPeriod.id)).first() is not None:
        return
    engagement.create_period(
        db,
        SYSTEM,
        PreElectionPeriodCreate(label=label, starts_on=starts_on, ends_on=ends_on),
        now=now,
    )
    report.add("pre_election_periods")


def seed_engagement(db: Session, report: SeedReport, *, now: datetime) -> None:
    """The Community Days, parish surgeries, recent visits and the 2024 pre-election period."""
    seed_pre_election_period(db, report, now=now)
    if db.exec(select(Engagement.id)).first() is not None:
        return
    staff = _actor(db, "staff@oversight.example", Role.OPCC_STAFF)
    for visit in COMMUNITY_DAYS:
        made = engagement.record_engagement(db, staff, _create(visit, Lead.PCC, PCC_ROLE), now=now)
        report.add("engagements")
        _follow_up(db, staff, report, made, visit, now=now)
    for held_on, area, invited, attended, raised in PARISH_SURGERIES:
        visit = DemoVisit(
            held_on,
            EngagementKind.PARISH_SURGERY,
            area,
            "District parish councils",
            None,
            attended * 2,
            ["Parish councils of the district"],
            f"Parish council surgery: {attended} of {invited} parish councils attended.",
            "Parish clerk (invented) Pat Example",
            invited=invited,
            attended=attended,
            issues=[DemoIssue(topic, text, people) for topic, text, people in raised],
        )
        engagement.record_engagement(db, staff, _create(visit, Lead.DPCC, DPCC_ROLE), now=now)
        report.add("engagements")
    for visit in _recent(now.date()):
        made = engagement.record_engagement(
            db, staff, _create(visit, Lead.STAFF, "OPCC Engagement Officer"), now=now
        )
        report.add("engagements")
        _follow_up(db, staff, report, made, visit, now=now)


# Scale data -----------------------------------------------------------------------------------

BATCH = 1_000
SCALE_KINDS = [
    (EngagementKind.COMMUNITY_DAY, 5),
    (EngagementKind.STREET_STAND, 3),
    (EngagementKind.PARISH_SURGERY, 2),
    (EngagementKind.PUBLIC_MEETING, 2),
    (EngagementKind.BUSINESS_MEETING, 1),
]
SCALE_TOPICS = frozenset(
    {
        "road-safety",
        "speeding",
        "asb",
        "car-cruising",
        "sheep-worrying",
        "substance-misuse",
        "e-scooters",
        "parking",
        "rural-crime",
        "visible-policing",
    }
)
SCALE_ISSUES = [
    "Speeding through the village",
    "Groups gathering in the evenings",
    "Parking on pavements",
    "Car cruising at weekends",
    "E-scooters on pavements",
    "Thefts from sheds and vans",
]


def generate_engagements(
    db: Session,
    count: int,
    *,
    now: datetime,
    seed: int = 2024,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Top the generated engagements up to `count` (so running it again adds nothing), each
    with up to three issues, written in batches straight to the tables: scale data for the
    lists, calendar and coverage, not a record of anything (no actions, no audit events).
    Returns how many were added."""
    existing = db.exec(
        select(func.count()).select_from(Engagement).where(Engagement.summary == GENERATED_SUMMARY)
    ).one()
    wanted = max(0, count - int(existing))
    rng = random.Random(seed + int(existing))  # noqa: S311 - made-up scale data
    areas = [
        a.id
        for a in db.exec(select(Area).where(Area.active == True)).all()  # noqa: E712
        if a.id is not None
    ]
    npas: dict[int, list[int]] = {}
    for npa in db.exec(select(NeighbourhoodPolicingArea)).all():
        if npa.id is not None:
            npas.setdefault(npa.area_id, []).append(npa.id)
    found = db.exec(select(Topic).where(Topic.active == True)).all()  # noqa: E712
    topics = [t.id for t in found if t.code in SCALE_TOPICS] or [t.id for t in found]
    if not areas or not topics:
        return 0
    kinds = [k for k, _ in SCALE_KINDS]
    weights = [w for _, w in SCALE_KINDS]
    today = now.date()
    made = 0
    while made < wanted:
        size = min(BATCH, wanted - made)
        rows: list[dict[str, Any]] = []
        for _ in range(size):
            kind = rng.choices(kinds, weights=weights)[0]
            area_id = rng.choice(areas)
            invited = rng.randint(5, 40) if kind is EngagementKind.PARISH_SURGERY else None
            rows.append(
                {
                    "held_on": today - timedelta(days=rng.randint(0, 3 * 365)),
                    "kind": kind.value,
                    "lead": rng.choice(list(Lead)).value,
                    "lead_name": "",
                    "area_id": area_id,
                    "ward": "",
                    "npa_id": rng.choice(npas[area_id]) if npas.get(area_id) else None,
                    "organisations_met": [],
                    "people_count": rng.randint(0, 80),
                    "summary": GENERATED_SUMMARY,
                    "named_contacts": "",
                    "councils_invited": invited,
                    "councils_attended": rng.randint(0, invited) if invited else None,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        ids = list(db.execute(insert(Engagement).returning(col(Engagement.id)), rows).scalars())
        issues: list[dict[str, Any]] = []
        for engagement_id in ids:
            for position in range(1, rng.randint(0, 3) + 1):
                issues.append(
                    {
                        "engagement_id": engagement_id,
                        "position": position,
                        "topic_id": rng.choice(topics),
                        "description": rng.choice(SCALE_ISSUES),
                        "people_count": rng.randint(1, 12),
                        "created_at": now,
                        "updated_at": now,
                        "version": 1,
                    }
                )
        if issues:
            db.execute(insert(EngagementIssue), issues)
        db.commit()
        made += size
        if progress:
            progress(size)
    return made
