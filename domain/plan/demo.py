"""Demo Plan: the 2017–21 Plan's five themes (seed 002) with invented objectives and three
quarters of ratings showing improving, stable and declining objectives."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Session, select

from domain.accounts.rules import SYSTEM
from domain.plan import ratings
from domain.plan import service as plan
from domain.plan.rules import DeliveryStage, PlanStatus, Rating, parse_period_code
from domain.plan.schemas import AssessmentCreate, ObjectiveCreate, PlanCreate, ThemeCreate
from domain.plan.tables import Plan, ReportingPeriod

PLAN_TITLE = "Police and Crime Plan 2017–21"
PERIODS = ("2020-21-Q1", "2020-21-Q2", "2020-21-Q3")
PUBLISHED = ("2020-21-Q1", "2020-21-Q2")

THEMES: list[tuple[str, list[tuple[str, str]]]] = [
    (
        "Viable Partnerships",
        [
            (
                "opcc",
                "Lead the Strategic Partnership Board to agree shared community safety priorities",
            ),
            ("opcc", "Commission services jointly with the councils where it saves money"),
            (
                "force",
                "Share crime and incident data with Community Safety Partnerships each month",
            ),
            ("opcc", "Support the Road Safety Partnership's casualty reduction plan"),
            ("force", "Agree information-sharing with health partners for mental health calls"),
        ],
    ),
    (
        "Visible Policing",
        [
            ("force", "Keep neighbourhood officers in every Neighbourhood Policing Area"),
            ("force", "Answer 999 calls within 10 seconds in 90% of cases"),
            ("force", "Answer 101 calls within two minutes in 75% of cases"),
            ("opcc", "Hold Community Days in every local authority area each year"),
            ("force", "Publish neighbourhood priorities and progress online"),
        ],
    ),
    (
        "Victim Services",
        [
            ("opcc", "Commission a single victim referral service for LLR"),
            ("force", "Contact every victim of crime within the Victims' Code timescales"),
            ("force", "Raise the rape positive-outcome rate towards 8%"),
            ("opcc", "Fund independent sexual violence advisers across LLR"),
            ("opcc", "Review complaints within 28 days of receipt"),
        ],
    ),
    (
        "Vulnerability Protection",
        [
            ("force", "Reduce repeat missing-from-home episodes among children in care"),
            ("opcc", "Fund domestic abuse support for rural communities"),
            ("force", "Train all frontline officers in recognising exploitation"),
            ("opcc", "Commission substance misuse diversion for young people"),
            ("force", "Tackle rural crime and sheep worrying with the farming community"),
        ],
    ),
    (
        "Value for Money",
        [
            ("opcc", "Deliver a balanced budget with a four-year financial plan"),
            ("force", "Complete the estates rationalisation programme"),
            ("opcc", "Publish how the precept is spent each year"),
            ("force", "Replace the command and control system on time and on budget"),
            ("opcc", "Secure external funding bids for crime prevention"),
        ],
    ),
]

# Three quarters of ratings per objective, cycling patterns: improving, stable, declining.
PATTERNS = [
    (Rating.RED, Rating.AMBER, Rating.GREEN),
    (Rating.GREEN, Rating.GREEN, Rating.GREEN),
    (Rating.GREEN, Rating.AMBER, Rating.AMBER),
    (Rating.AMBER, Rating.GREEN, Rating.BLUE),
    (Rating.AMBER, Rating.AMBER, Rating.RED),
]
RATIONALES = {
    Rating.GREEN: "Delivery is on track: the milestones agreed for this quarter were met and the "
    "lead has reported progress to the Strategic Assurance Board.",
    Rating.AMBER: "Plans are in place but not yet implemented; the lead expects to start delivery "
    "next quarter once funding and staffing are confirmed.",
    Rating.RED: "Performance has fallen below the agreed level and needs intervention; the PCC has "
    "asked for a recovery plan at the next Corporate Governance Board.",
    Rating.BLUE: "This commitment has been delivered in full and the outcome has been reported to "
    "the Police and Crime Panel.",
}
STAGES = {
    Rating.GREEN: DeliveryStage.IN_DELIVERY,
    Rating.AMBER: DeliveryStage.PLANNED,
    Rating.RED: DeliveryStage.IN_DELIVERY,
    Rating.BLUE: DeliveryStage.DELIVERED,
}


def seed_plan(db: Session, *, now: datetime) -> int:
    """Creates the demo plan once; returns the number of assessments made."""
    if db.exec(select(Plan).where(Plan.title == PLAN_TITLE)).first() is not None:
        return 0
    created = plan.create_plan(
        db,
        SYSTEM,
        PlanCreate(
            title=PLAN_TITLE,
            starts_on=date(2017, 4, 1),
            ends_on=date(2021, 3, 31),
            status=PlanStatus.ACTIVE,
        ),
        now=now,
    )
    assert created.id is not None
    for code in PERIODS:
        if db.exec(select(ReportingPeriod).where(ReportingPeriod.code == code)).first() is None:
            plan.create_period(db, SYSTEM, code, now=now)
    assessments = 0
    objective_number = 0
    for theme_number, (theme_title, objectives) in enumerate(THEMES, start=1):
        theme = plan.add_theme(db, SYSTEM, created.id, ThemeCreate(title=theme_title), now=now)
        assert theme.id is not None
        for index, (lead, title) in enumerate(objectives, start=1):
            objective = plan.create_objective(
                db,
                SYSTEM,
                ObjectiveCreate(
                    plan_id=created.id,
                    theme_id=theme.id,
                    code=f"{theme_number}.{index}",
                    title=title,
                    lead_org=lead,
                    owner_name="OPCC Chief Executive"
                    if lead == "opcc"
                    else "Deputy Chief Constable",
                ),
                now=now,
            )
            assert objective.id is not None
            pattern = PATTERNS[objective_number % len(PATTERNS)]
            objective_number += 1
            if objective_number % 6 == 0:
                continue  # a few objectives are not yet rated
            for code, rating in zip(PERIODS, pattern, strict=True):
                quarter = parse_period_code(code)
                late = rating in (Rating.AMBER, Rating.RED)
                ratings.add_assessment(
                    db,
                    SYSTEM,
                    objective.id,
                    AssessmentCreate(
                        period=code,
                        rating=rating,
                        rationale=RATIONALES[rating],
                        delivery_stage=STAGES[rating],
                        next_steps="Lead to report a recovery plan to the next board."
                        if late
                        else "",
                        expected_date=quarter.next().ends_on if late else None,
                    ),
                    now=now,
                )
                assessments += 1
    for code in PUBLISHED:
        period = plan.get_period(db, SYSTEM, code)
        plan.publish_period(db, SYSTEM, code, expected_version=period.version, now=now)
    return assessments
