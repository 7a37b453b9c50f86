"""Plan delivery through the services on a real database."""

from datetime import date

import pytest
from sqlmodel import func, select

from domain.accounts.rules import Role, user_actor
from domain.audit.tables import AuditEvent
from domain.demo import SeedReport, seed_reference
from domain.errors import Conflict, Forbidden, Invalid, NotFound
from domain.listing import PageRequest
from domain.plan import ratings, standing
from domain.plan import service as plan
from domain.plan.rules import DeliveryStage, Rating
from domain.plan.schemas import (
    AssessmentCreate,
    ObjectiveCreate,
    PlanChange,
    PlanCreate,
    ThemeCreate,
)
from domain.plan.tables import Assessment
from tests.conftest import NOW

STAFF = user_actor(user_id=900, label="staff@test.example", role=Role.OPCC_STAFF)
REVIEWER = user_actor(user_id=901, label="reviewer@test.example", role=Role.COMPLAINTS_REVIEWER)
LIAISON = user_actor(user_id=902, label="liaison@test.example", role=Role.FORCE_LIAISON)
REASON = "Milestones for the quarter were met and reported to the board."


@pytest.fixture
def objective(session):
    seed_reference(session, SeedReport(created={}), now=NOW)
    p = plan.create_plan(
        session,
        STAFF,
        PlanCreate(title="Plan 2021-24", starts_on=date(2021, 4, 1), ends_on=date(2024, 3, 31)),
        now=NOW,
    )
    theme = plan.add_theme(session, STAFF, p.id, ThemeCreate(title="Victim Services"), now=NOW)
    for code in ("2023-24-Q2", "2023-24-Q3", "2023-24-Q4", "2024-25-Q1"):
        plan.create_period(session, STAFF, code, now=NOW)
    return plan.create_objective(
        session,
        STAFF,
        ObjectiveCreate(
            plan_id=p.id,
            theme_id=theme.id,
            code="3.1",
            title="Contact every victim",
            lead_org="force",
        ),
        now=NOW,
    )


def rate(session, objective, period, rating=Rating.GREEN, actor=STAFF, **extra):
    fields = {"delivery_stage": DeliveryStage.IN_DELIVERY, "rationale": REASON, **extra}
    if rating in (Rating.AMBER, Rating.RED):
        fields.setdefault("next_steps", "Recovery plan to the next board")
        fields.setdefault("expected_date", date(2024, 6, 30))
    if rating is Rating.BLUE:
        fields["delivery_stage"] = DeliveryStage.DELIVERED
    return ratings.add_assessment(
        session,
        actor,
        objective.id,
        AssessmentCreate(period=period, rating=rating, **fields),
        now=NOW,
    )


def count_assessments(session) -> int:
    return session.exec(select(func.count()).select_from(Assessment)).one()


def test_direction_follows_the_previous_period(session, objective):
    assert rate(session, objective, "2023-24-Q2", Rating.RED).read().direction == "new"
    assert rate(session, objective, "2023-24-Q3", Rating.AMBER).read().direction == "improving"
    assert rate(session, objective, "2023-24-Q4", Rating.AMBER).read().direction == "stable"
    shown = ratings.get_objective(session, STAFF, objective.id)
    assert shown.current.rating == "amber" and shown.current.direction == "stable"
    assert [h.to for h in shown.history] == ["red", "amber", "amber"]


def test_a_second_rating_in_an_open_period_supersedes_the_first(session, objective):
    first = rate(session, objective, "2023-24-Q3", Rating.AMBER)
    second = rate(session, objective, "2023-24-Q3", Rating.GREEN)
    assert second.assessment.supersedes_id == first.assessment.id
    assert ratings.get_objective(session, STAFF, objective.id).current.rating == "green"


def test_published_periods_take_corrections_with_a_reason_only(session, objective):
    rate(session, objective, "2023-24-Q3", Rating.AMBER)
    period = plan.get_period(session, STAFF, "2023-24-Q3")
    plan.publish_period(session, STAFF, "2023-24-Q3", expected_version=period.version, now=NOW)
    before = count_assessments(session)
    with pytest.raises(Invalid) as caught:
        rate(session, objective, "2023-24-Q3", Rating.GREEN)
    assert caught.value.errors[0].loc == ("correction_reason",)
    session.rollback()
    assert count_assessments(session) == before
    corrected = rate(
        session,
        objective,
        "2023-24-Q3",
        Rating.GREEN,
        correction_reason="Force supplied final figures late",
    )
    assert corrected.assessment.supersedes_id is not None
    history = ratings.get_objective(session, STAFF, objective.id).history
    assert "correction: Force supplied final figures late" in history[-1].note
    assert len(history) == 2


def test_publishing_twice_is_a_conflict_and_only_staff_and_admin_publish(session, objective):
    period = plan.get_period(session, STAFF, "2023-24-Q3")
    with pytest.raises(Forbidden):
        plan.publish_period(
            session, REVIEWER, "2023-24-Q3", expected_version=period.version, now=NOW
        )
    published = plan.publish_period(
        session, STAFF, "2023-24-Q3", expected_version=period.version, now=NOW
    )
    with pytest.raises(Conflict):
        plan.publish_period(
            session, STAFF, "2023-24-Q3", expected_version=published.version, now=NOW
        )


def test_a_period_outside_the_plan_is_refused(session, objective):
    with pytest.raises(Invalid) as caught:
        rate(session, objective, "2024-25-Q1")
    assert caught.value.errors[0].loc == ("period",)
    with pytest.raises(Invalid):
        rate(session, objective, "2019-20-Q1")


def test_rules_are_enforced_and_nothing_is_saved(session, objective):
    before = session.exec(select(func.count()).select_from(AuditEvent)).one()
    with pytest.raises(Invalid) as caught:
        ratings.add_assessment(
            session,
            STAFF,
            objective.id,
            AssessmentCreate(
                period="2023-24-Q3",
                rating=Rating.AMBER,
                rationale="n/a",
                delivery_stage=DeliveryStage.PLANNED,
            ),
            now=NOW,
        )
    assert {e.loc[0] for e in caught.value.errors} == {"rationale", "next_steps", "expected_date"}
    session.rollback()
    assert count_assessments(session) == 0
    assert session.exec(select(func.count()).select_from(AuditEvent)).one() == before


def test_a_correction_hears_every_fault_in_one_answer(session, objective):
    rate(session, objective, "2023-24-Q3", Rating.GREEN)
    period = plan.get_period(session, STAFF, "2023-24-Q3")
    plan.publish_period(session, STAFF, "2023-24-Q3", expected_version=period.version, now=NOW)
    with pytest.raises(Invalid) as caught:
        ratings.add_assessment(
            session,
            STAFF,
            objective.id,
            AssessmentCreate(
                period="2023-24-Q3",
                rating=Rating.RED,
                rationale="tbc",
                delivery_stage=DeliveryStage.IN_DELIVERY,
                expected_date=date(2023, 9, 30),
            ),
            now=NOW,
        )
    found = {str(e.loc[0]): e.msg for e in caught.value.errors}
    assert found.keys() == {"rationale", "next_steps", "expected_date", "correction_reason"}
    assert found["expected_date"] == "must be after 1 October 2023, when 2023-24 Q3 starts"
    assert found["next_steps"] == "enter the next steps for a Red rating"


def test_an_unknown_period_is_reported_with_the_other_faults(session, objective):
    with pytest.raises(Invalid) as caught:
        ratings.add_assessment(
            session,
            STAFF,
            objective.id,
            AssessmentCreate(
                period="2030-31-Q1",
                rating=Rating.AMBER,
                rationale="n/a",
                delivery_stage=DeliveryStage.PLANNED,
                correction_reason="Nothing to correct",
            ),
            now=NOW,
        )
    # The period's own rules (published or not, its start) wait until it is known.
    assert {e.loc[0] for e in caught.value.errors} == {
        "period",
        "rationale",
        "next_steps",
        "expected_date",
    }
    with pytest.raises(Invalid) as caught:
        rate(session, objective, "2023-25-Q1", Rating.GREEN)
    assert [(e.loc, e.msg) for e in caught.value.errors] == [
        (("period",), "2023-25 is not a financial year")
    ]


def test_unrated_in_names_the_active_plans_objectives_without_a_rating(session, objective):
    period = plan.get_period(session, STAFF, "2023-24-Q3")
    assert standing.unrated_in(session, STAFF, period) == []  # the plan is still a draft
    plan.change_plan(
        session, STAFF, objective.plan_id, PlanChange(status="active"), expected_version=1, now=NOW
    )
    codes = ["3.10", "3.2"]
    for code in codes:
        plan.create_objective(
            session,
            STAFF,
            ObjectiveCreate(
                plan_id=objective.plan_id,
                theme_id=objective.theme_id,
                code=code,
                title=f"Objective {code}",
                lead_org="opcc",
            ),
            now=NOW,
        )
    rate(session, objective, "2023-24-Q2", Rating.GREEN)  # rated, but in another period
    found = standing.unrated_in(session, STAFF, period)
    assert [u.objective.code for u in found] == ["3.1", "3.2", "3.10"]
    assert {u.plan.id for u in found} == {objective.plan_id}
    rate(session, objective, "2023-24-Q3", Rating.GREEN)
    assert [u.objective.code for u in standing.unrated_in(session, STAFF, period)] == [
        "3.2",
        "3.10",
    ]
    # A period the plan does not run in leaves nothing out of it.
    later = plan.create_period(session, STAFF, "2025-26-Q1", now=NOW)
    assert standing.unrated_in(session, STAFF, later) == []
    with pytest.raises(Forbidden):
        standing.unrated_in(session, LIAISON, period)


def test_the_force_cannot_read_the_plan(session, objective):
    with pytest.raises(Forbidden):
        ratings.get_objective(session, LIAISON, objective.id)


def test_filter_by_current_rating_and_not_rated(session, objective):
    other = plan.create_objective(
        session,
        STAFF,
        ObjectiveCreate(
            plan_id=objective.plan_id,
            theme_id=objective.theme_id,
            code="3.2",
            title="Other",
            lead_org="opcc",
        ),
        now=NOW,
    )
    rate(session, objective, "2023-24-Q2", Rating.GREEN)
    rate(session, objective, "2023-24-Q3", Rating.RED)
    red = ratings.list_objectives(
        session, STAFF, filters=ratings.ObjectiveFilters(rating=Rating.RED), page=PageRequest()
    )
    green = ratings.list_objectives(
        session, STAFF, filters=ratings.ObjectiveFilters(rating=Rating.GREEN), page=PageRequest()
    )
    unrated = ratings.list_objectives(
        session, STAFF, filters=ratings.ObjectiveFilters(not_rated=True), page=PageRequest()
    )
    assert [o.id for o in red.items] == [objective.id]
    assert green.items == []
    assert [o.id for o in unrated.items] == [other.id]
    assert unrated.items[0].current is None


def test_the_public_feed_shows_published_periods_only(session, objective):
    rate(session, objective, "2023-24-Q2", Rating.AMBER)
    rate(session, objective, "2023-24-Q3", Rating.GREEN)
    assert ratings.public_plan(session) == []
    plan.change_plan(
        session, STAFF, objective.plan_id, PlanChange(status="active"), expected_version=1, now=NOW
    )
    period = plan.get_period(session, STAFF, "2023-24-Q2")
    plan.publish_period(session, STAFF, "2023-24-Q2", expected_version=period.version, now=NOW)
    shown = ratings.public_plan(session)
    assert [(r.code, r.rating, r.period) for r in shown] == [("3.1", "amber", "2023-24-Q2")]
    assert shown[0].rationale == REASON


def test_unknown_objective_and_duplicate_code(session, objective):
    with pytest.raises(NotFound):
        ratings.get_objective(session, STAFF, 999)
    with pytest.raises(Invalid) as caught:
        plan.create_objective(
            session,
            STAFF,
            ObjectiveCreate(
                plan_id=objective.plan_id,
                theme_id=objective.theme_id,
                code="3.1",
                title="Again",
                lead_org="opcc",
            ),
            now=NOW,
        )
    assert caught.value.errors[0].loc == ("code",)


def test_the_demo_plan_has_three_quarters_with_every_direction(session):
    from domain.demo import seed_demo

    seed_demo(session, now=NOW)
    listed = ratings.list_objectives(
        session, STAFF, filters=ratings.ObjectiveFilters(), page=PageRequest(limit=100)
    )
    assert len(listed.items) == 25
    directions = {o.current.direction for o in listed.items if o.current}
    assert {"improving", "stable", "declining"} <= directions
    assert any(o.current is None for o in listed.items)
    assert len(ratings.public_plan(session)) > 15


def test_rating_counts_agree_with_the_standings_in_every_period(session, objective):
    """Home counts in SQL what the overview works out row by row: corrections replace what
    they correct, objectives not rated in the period count as not yet rated."""
    second = plan.create_objective(
        session,
        STAFF,
        ObjectiveCreate(
            plan_id=objective.plan_id,
            theme_id=objective.theme_id,
            code="3.2",
            title="Keep victims informed",
            lead_org="opcc",
        ),
        now=NOW,
    )
    rate(session, objective, "2023-24-Q2", Rating.RED)
    rate(session, objective, "2023-24-Q2", Rating.AMBER)  # supersedes the Red
    rate(session, second, "2023-24-Q2", Rating.GREEN)
    rate(session, objective, "2023-24-Q3", Rating.GREEN)
    for period in standing.plan_periods(session, STAFF, objective.plan_id):
        expected: dict[Rating | None, int] = {}
        for found in standing.standings(session, STAFF, objective.plan_id, period.period).values():
            expected[found.rating] = expected.get(found.rating, 0) + 1
        counted = standing.rating_counts(session, STAFF, objective.plan_id, period.period)
        assert {k: v for k, v in counted.items() if v} == expected, period.period.code
    q2 = next(
        p.period
        for p in standing.plan_periods(session, STAFF, objective.plan_id)
        if p.period.code == "2023-24-Q2"
    )
    assert standing.rating_counts(session, STAFF, objective.plan_id, q2) == {
        Rating.AMBER: 1,
        Rating.GREEN: 1,
        None: 0,
    }
    assert standing.rating_counts(session, STAFF, objective.plan_id, None) == {None: 2}
    with pytest.raises(Forbidden):
        standing.rating_counts(session, LIAISON, objective.plan_id, q2)
