"""Complaint reviews through their services on a real database (SQLite and PostgreSQL):
the lifecycle, the decision and its actions in one transaction, privacy and its audit,
the KPIs against a hand-computed data set, the purge, and the demo data's shape."""

import json
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import event
from sqlmodel import func, select

from domain.accounts.rules import ROLE_SCOPES, Role, token_actor, user_actor
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.rules import SourceType
from domain.actions.schemas import ActionUpdateCreate
from domain.actions.sources import resolve
from domain.actions.tables import Action
from domain.audit.tables import AuditEvent
from domain.complaints import service as complaints
from domain.complaints.privacy import purge_personal_data
from domain.complaints.rules import (
    DEFAULT_RULES,
    AgeBand,
    ContactMethod,
    ReviewOutcome,
    ReviewRules,
    ReviewStatus,
    nearest_rank,
)
from domain.complaints.schemas import (
    ComplainantContactCreate,
    ComplainantDetails,
    ComplaintReviewChange,
    ComplaintReviewCreate,
    RecommendationIn,
    ReviewDecision,
    ReviewTransitionRequest,
)
from domain.complaints.tables import (
    Complainant,
    ComplainantContact,
    ComplaintReview,
    Recommendation,
    ReviewHold,
    ReviewStep,
)
from domain.demo import SeedReport, seed_reference
from domain.errors import Forbidden, Invalid, InvalidTransition, NotFound, StaleVersion
from domain.listing import PageRequest
from tests.conftest import make_user

TODAY = date(2024, 5, 1)
STAFF = user_actor(user_id=900, label="staff@test.example", role=Role.OPCC_STAFF)
LIAISON = user_actor(user_id=901, label="liaison@test.example", role=Role.FORCE_LIAISON)
VIEWER = user_actor(user_id=902, label="viewer@test.example", role=Role.VIEWER)
ADMIN = user_actor(user_id=903, label="admin@test.example", role=Role.ADMIN)
ADMIN_TOKEN = token_actor(
    token_id=1, label="token", role=Role.ADMIN, scopes=ROLE_SCOPES[Role.ADMIN], user_id=None
)
MARKERS = ("ZZQ-COMPLAINANT", "ZZQ-NARRATIVE", "ZZQ-CONTACT", "ZZQ-OFFICER")


def at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


@pytest.fixture
def reviewer(session):
    report = SeedReport(created={})
    seed_reference(session, report, now=at(date(2023, 1, 1)))
    user = make_user(session, Role.COMPLAINTS_REVIEWER, email="reviewer@test.example")
    return user_actor(user_id=user.id, label=user.email, role=Role.COMPLAINTS_REVIEWER)


def count(session, table) -> int:
    return session.exec(select(func.count()).select_from(table)).one()


def counts(session) -> dict[str, int]:
    tables = (
        ComplaintReview,
        Complainant,
        ReviewHold,
        ReviewStep,
        ComplainantContact,
        Recommendation,
        Action,
        AuditEvent,
    )
    return {t.__name__: count(session, t) for t in tables}


def events(session, entity_id=None) -> list[AuditEvent]:
    stmt = select(AuditEvent).order_by(AuditEvent.id)
    if entity_id is not None:
        stmt = stmt.where(
            AuditEvent.entity == "complaint_review", AuditEvent.entity_id == entity_id
        )
    return list(session.exec(stmt).all())


def no_markers(value) -> bool:
    text = json.dumps(value, default=str)
    return not any(marker in text for marker in MARKERS)


def person(n: int = 1) -> ComplainantDetails:
    return ComplainantDetails(
        name=f"Alex Example ZZQ-COMPLAINANT-{n:03d}",
        contact=f"alex@example.org ZZQ-CONTACT-{n:03d}",
        narrative=f"ZZQ-NARRATIVE-{n:03d}: officers did not follow up.",
        officers_complained_about=f"ZZQ-OFFICER-{n:03d}",
    )


def new_review(session, actor, received: date, *, sent: date | None = None, n=1, **extra):
    rules = extra.pop("rules", DEFAULT_RULES)
    return complaints.create_review(
        session,
        actor,
        ComplaintReviewCreate(
            force_ref=extra.pop("force_ref", f"PSD/{n}"),
            outcome_sent_on=sent or received - timedelta(days=10),
            received_on=received,
            categories=extra.pop("categories", ["use-of-force"]),
            complainant=person(n),
            **extra,
        ),
        now=at(received),
        rules=rules,
    )


def move(session, actor, review, to, day, note=""):
    return complaints.transition_review(
        session,
        actor,
        review.id,
        ReviewTransitionRequest(to=to, note=note),
        expected_version=review.version,
        now=at(day),
        rules=DEFAULT_RULES,
    )


def into_review(session, actor, review, day):
    review = move(session, actor, review, "validity_check", day)
    return move(session, actor, review, "in_review", day)


def decide(session, actor, review, day, outcome=ReviewOutcome.NOT_UPHELD, **extra):
    return complaints.decide_review(
        session,
        actor,
        review.id,
        ReviewDecision(outcome=outcome, reasons=extra.pop("reasons", "Reasons."), **extra),
        expected_version=review.version,
        now=at(day),
        rules=DEFAULT_RULES,
    )


def change(session, actor, review, day, **values):
    return complaints.change_review(
        session,
        actor,
        review.id,
        ComplaintReviewChange(**values),
        expected_version=review.version,
        now=at(day),
        rules=DEFAULT_RULES,
    )


def decided_case(
    session, actor, received, decided, outcome=ReviewOutcome.NOT_UPHELD, n=1, hold=None, **extra
):
    review = new_review(session, actor, received, n=n)
    review = into_review(session, actor, review, received)
    if hold is not None:
        start, end = hold
        review = move(session, actor, review, "on_hold", start, "Waiting for the Force's file")
        review = move(session, actor, review, "in_review", end)
    return decide(session, actor, review, decided, outcome, **extra)


def stats(session, actor, from_, to, group, today=TODAY):
    return complaints.review_stats(
        session, actor, from_=from_, to=to, group=group, rules=DEFAULT_RULES, today=today
    )


# Recording -----------------------------------------------------------------------------------


def test_a_received_application_is_recorded_with_its_dates_and_audited_without_personal_data(
    session, reviewer
):
    review = new_review(
        session,
        reviewer,
        date(2024, 3, 1),
        sent=date(2024, 1, 31),  # day 30 of the window: late
        late_reason="In hospital",
        reviewer_id=reviewer.user_id,
    )
    assert review.ref == "CR-2024-0001"
    assert review.late is True
    assert review.target_on == date(2024, 3, 29)
    assert review.target_rule == "calendar"
    assert review.status == "received"
    assert new_review(session, reviewer, date(2024, 3, 2), n=2).ref == "CR-2024-0002"
    (created,) = [e for e in events(session, review.id) if e.action == "create"]
    assert created.changes["complainant.name"] == {"before": None, "after": "[personal data]"}
    assert no_markers(created.changes)
    detail = complaints.get_review(
        session, reviewer, review.id, today=TODAY, rules=DEFAULT_RULES, now=at(TODAY)
    )
    assert detail.complainant == person(1)
    assert detail.application_deadline == date(2024, 2, 28)
    assert detail.acknowledgement_due == date(2024, 3, 8)
    assert [(h.from_, h.to) for h in detail.history] == [(None, ReviewStatus.RECEIVED)]
    assert detail.reviewer_name == "Test complaints_reviewer"


def test_a_working_day_target_follows_the_rules_given(session, reviewer):
    review = new_review(
        session, reviewer, date(2024, 3, 20), rules=ReviewRules(target_rule="working")
    )
    assert (review.target_on, review.target_rule) == (date(2024, 5, 1), "working")


def test_every_fault_of_a_new_application_is_reported_and_nothing_is_saved(session, reviewer):
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        complaints.create_review(
            session,
            reviewer,
            ComplaintReviewCreate(
                force_ref="PSD/1",
                outcome_sent_on=date(2024, 3, 10),
                received_on=date(2024, 3, 5),
                categories=["use-of-force", "no-such-thing"],
                reviewer_id=987654,
                complainant=person(),
            ),
            now=at(date(2024, 3, 6)),
            rules=DEFAULT_RULES,
        )
    assert {e.loc for e in caught.value.errors} == {
        ("outcome_sent_on",),
        ("received_on",),
        ("categories", 1),
        ("reviewer_id",),
    }
    session.rollback()
    assert counts(session) == before


# Privacy -------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", [STAFF, LIAISON, VIEWER, ADMIN_TOKEN], ids=lambda a: a.label)
def test_nobody_but_reviewers_learns_a_case_exists(session, reviewer, actor):
    review = new_review(session, reviewer, date(2024, 3, 1))
    with pytest.raises(NotFound):
        complaints.get_review(
            session, actor, review.id, today=TODAY, rules=DEFAULT_RULES, now=at(TODAY)
        )
    with pytest.raises(NotFound):
        complaints.get_review_record(session, actor, review.id)
    with pytest.raises(NotFound):
        move(session, actor, review, "validity_check", TODAY)
    with pytest.raises(Forbidden):
        complaints.list_reviews(
            session,
            actor,
            status=None,
            reviewer_id=None,
            age_band=None,
            overdue=None,
            page=PageRequest(),
            today=TODAY,
            rules=DEFAULT_RULES,
        )
    with pytest.raises(Forbidden):
        new_review(session, actor, date(2024, 3, 1), n=2)
    assert complaints.due_this_week(session, actor, today=TODAY, rules=DEFAULT_RULES) == []


def test_every_read_of_personal_data_is_audited_and_committed(session, reviewer, database):
    review = new_review(session, reviewer, date(2024, 3, 1))
    for _ in range(2):
        complaints.get_review(
            session, reviewer, review.id, today=TODAY, rules=DEFAULT_RULES, now=at(TODAY)
        )
    with database.session() as other:  # committed: another session sees the events
        views = other.exec(
            select(AuditEvent).where(
                AuditEvent.entity == "complaint_review",
                AuditEvent.entity_id == review.id,
                AuditEvent.action == "view_personal_data",
            )
        ).all()
    assert len(views) == 2
    assert all(v.changes == {} and v.actor_label == reviewer.label for v in views)
    # The stored record alone (for versions and ETags) holds no personal data: not audited.
    complaints.get_review_record(session, reviewer, review.id)
    assert len(events(session, review.id)) == 1 + 2


def test_a_complainant_change_is_audited_as_personal_data_only(session, reviewer):
    review = new_review(session, reviewer, date(2024, 3, 1))
    changed = change(
        session,
        reviewer,
        review,
        date(2024, 3, 2),
        complainant=person(7),
        acknowledged_on=date(2024, 3, 2),
    )
    assert changed.version == 2
    last = events(session, review.id)[-1]
    assert last.action == "update"
    assert last.changes["complainant.name"] == {
        "before": "[personal data]",
        "after": "[personal data]",
    }
    assert last.changes["acknowledged_on"] == {"before": None, "after": "2024-03-02"}
    assert no_markers(last.changes)
    with pytest.raises(StaleVersion):
        complaints.change_review(
            session,
            reviewer,
            review.id,
            ComplaintReviewChange(force_ref="X"),
            expected_version=1,
            now=at(date(2024, 3, 2)),
            rules=DEFAULT_RULES,
        )
    session.rollback()


# Lifecycle -----------------------------------------------------------------------------------


def test_a_review_goes_from_received_to_closed(session, reviewer):
    review = new_review(session, reviewer, date(2024, 3, 1))
    review = move(session, reviewer, review, "validity_check", date(2024, 3, 2))
    assert review.review_body_checked is False
    review = move(session, reviewer, review, "in_review", date(2024, 3, 2))
    assert review.review_body_checked is True  # the OPCC is the relevant review body
    with pytest.raises(Invalid) as caught:
        move(session, reviewer, review, "on_hold", date(2024, 3, 4))
    assert caught.value.errors[0].loc == ("note",)
    review = move(session, reviewer, review, "on_hold", date(2024, 3, 4), "Waiting for the file")
    review = move(session, reviewer, review, "in_review", date(2024, 3, 9))
    complaints.record_contact(
        session,
        reviewer,
        review.id,
        ComplainantContactCreate(contacted_on=date(2024, 3, 10), method=ContactMethod.PHONE),
        now=at(date(2024, 3, 10)),
    )
    with pytest.raises(InvalidTransition):
        move(session, reviewer, review, "decided", date(2024, 3, 20))
    with pytest.raises(InvalidTransition):
        move(session, reviewer, review, "closed", date(2024, 3, 20))
    review = decide(
        session,
        reviewer,
        review,
        date(2024, 3, 20),
        ReviewOutcome.UPHELD,
        organisational_learning="Answer every point.",
        recommendations=[
            RecommendationIn(text="Reinvestigate the complaint"),
            RecommendationIn(text="Apologise for the delay", response_due=date(2024, 4, 5)),
        ],
    )
    assert (review.status, review.outcome, review.decided_on) == (
        "decided",
        "upheld",
        date(2024, 3, 20),
    )
    with pytest.raises(Invalid) as caught:
        move(session, reviewer, review, "closed", date(2024, 3, 21))
    assert {e.loc for e in caught.value.errors} == {("letter_sent_on",), ("recommendations",)}
    with pytest.raises(Invalid) as caught:
        change(session, reviewer, review, date(2024, 3, 21), letter_sent_on=date(2024, 3, 19))
    assert caught.value.errors[0].msg == "cannot be before the decision"
    review = change(session, reviewer, review, date(2024, 3, 21), letter_sent_on=date(2024, 3, 21))
    for rec in session.exec(select(Recommendation).where(Recommendation.review_id == review.id)):
        actions.add_update(
            session,
            LIAISON,
            rec.action_id,
            ActionUpdateCreate(body="The Force accepts the recommendation."),
            now=at(date(2024, 3, 28)),
        )
    review = move(session, reviewer, review, "closed", date(2024, 3, 29))
    assert (review.status, review.closed_on) == ("closed", date(2024, 3, 29))

    detail = complaints.get_review(
        session, reviewer, review.id, today=TODAY, rules=DEFAULT_RULES, now=at(TODAY)
    )
    assert [(h.from_, h.to, h.at) for h in detail.history] == [
        (None, ReviewStatus.RECEIVED, date(2024, 3, 1)),
        (ReviewStatus.RECEIVED, ReviewStatus.VALIDITY_CHECK, date(2024, 3, 2)),
        (ReviewStatus.VALIDITY_CHECK, ReviewStatus.IN_REVIEW, date(2024, 3, 2)),
        (ReviewStatus.IN_REVIEW, ReviewStatus.ON_HOLD, date(2024, 3, 4)),
        (ReviewStatus.ON_HOLD, ReviewStatus.IN_REVIEW, date(2024, 3, 9)),
        (ReviewStatus.IN_REVIEW, ReviewStatus.DECIDED, date(2024, 3, 20)),
        (ReviewStatus.DECIDED, ReviewStatus.CLOSED, date(2024, 3, 29)),
    ]
    assert [(h.started_on, h.ended_on, h.days, h.reason) for h in detail.holds] == [
        (date(2024, 3, 4), date(2024, 3, 9), 5, "Waiting for the file")
    ]
    assert (detail.days_open, detail.days_open_without_holds, detail.days_left) == (19, 14, 9)
    assert [c.method for c in detail.contacts] == [ContactMethod.PHONE, ContactMethod.LETTER]
    assert detail.next_update_due == date(2024, 4, 18)  # the letter is the last contact
    assert [(r.position, r.responded) for r in detail.recommendations] == [(1, True), (2, True)]
    assert detail.recommendations[0].response_due == date(2024, 4, 17)  # decision + 28
    assert detail.recommendations[1].response_due == date(2024, 4, 5)
    assert detail.update_overdue is False  # closed cases owe no update
    with pytest.raises(InvalidTransition):
        move(session, reviewer, review, "withdrawn", date(2024, 3, 30), "Too late")


@pytest.mark.parametrize("end", ["invalid", "forwarded_to_iopc", "withdrawn"])
def test_every_end_of_a_case_dates_closed_on(session, reviewer, end):
    review = new_review(session, reviewer, date(2024, 3, 1))
    review = move(session, reviewer, review, "validity_check", date(2024, 3, 2))
    review = move(session, reviewer, review, end, date(2024, 3, 3), "Not ours")
    assert (review.status, review.closed_on) == (end, date(2024, 3, 3))
    with pytest.raises(InvalidTransition):
        move(session, reviewer, review, "in_review", date(2024, 3, 4))
    with pytest.raises(Invalid) as caught:
        move(session, reviewer, review, "no_such_state", date(2024, 3, 4))
    assert caught.value.errors[0].loc == ("to",)


# The decision --------------------------------------------------------------------------------


def test_the_decision_creates_force_owned_actions_without_personal_data(session, reviewer):
    review = decided_case(
        session,
        reviewer,
        date(2024, 3, 1),
        date(2024, 3, 20),
        ReviewOutcome.UPHELD,
        recommendations=[RecommendationIn(text="Reinvestigate the complaint")],
    )
    (rec,) = session.exec(select(Recommendation).where(Recommendation.review_id == review.id))
    action = session.get(Action, rec.action_id)
    assert action.title == f"{review.ref} recommendation 1: Reinvestigate the complaint"
    assert (action.source_type, action.source_id, action.owner_name, action.due_on) == (
        SourceType.COMPLAINT_REVIEW.value,
        review.id,
        "Professional Standards Department",
        date(2024, 4, 17),
    )
    shown = action_queries.detail(session, LIAISON, action.id, today=TODAY)  # the Force's own
    assert review.ref in shown.model_dump_json()
    assert no_markers(shown.model_dump())
    assert (
        resolve(session, {("complaint_review", review.id)})[("complaint_review", review.id)].title
        == f"Complaint review {review.ref}"
    )
    last = events(session, review.id)[-1]
    assert last.action == "decide" and no_markers(last.changes)


def test_a_bad_decision_saves_nothing(session, reviewer):
    review = new_review(session, reviewer, date(2024, 3, 1))
    review = into_review(session, reviewer, review, date(2024, 3, 2))
    before = counts(session)
    with pytest.raises(Invalid) as caught:
        decide(
            session,
            reviewer,
            review,
            date(2024, 3, 20),
            ReviewOutcome.UPHELD,
            reasons="",
            recommendations=[
                RecommendationIn(text="Reinvestigate"),
                RecommendationIn(text="", response_due=date(2024, 3, 1)),
            ],
        )
    assert {e.loc for e in caught.value.errors} == {
        ("reasons",),
        ("recommendations", 1, "text"),
        ("recommendations", 1, "response_due"),
    }
    session.rollback()
    assert counts(session) == before
    assert session.get(ComplaintReview, review.id).status == "in_review"


def test_a_decision_failing_halfway_leaves_no_action_behind(session, reviewer, monkeypatch):
    review = new_review(session, reviewer, date(2024, 3, 1))
    review = into_review(session, reviewer, review, date(2024, 3, 2))
    version = review.version
    before = counts(session)
    real = actions.create_action
    made = []

    def second_fails(*args, **kwargs):
        if made:
            raise RuntimeError("the database went away")
        made.append(real(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(actions, "create_action", second_fails)
    with pytest.raises(RuntimeError):
        decide(
            session,
            reviewer,
            review,
            date(2024, 3, 20),
            ReviewOutcome.UPHELD,
            recommendations=[RecommendationIn(text="One"), RecommendationIn(text="Two")],
        )
    assert made  # the first action was written, then rolled back with everything else
    assert counts(session) == before
    stored = session.get(ComplaintReview, review.id)
    session.refresh(stored)
    assert (stored.status, stored.version) == ("in_review", version)


def test_only_a_case_in_review_is_decided(session, reviewer):
    review = new_review(session, reviewer, date(2024, 3, 1))
    with pytest.raises(InvalidTransition):
        decide(session, reviewer, review, date(2024, 3, 5))
    review = into_review(session, reviewer, review, date(2024, 3, 2))
    review = move(session, reviewer, review, "on_hold", date(2024, 3, 3), "Waiting")
    with pytest.raises(InvalidTransition):
        decide(session, reviewer, review, date(2024, 3, 5))


# Lists ---------------------------------------------------------------------------------------


def listed(session, actor, today=TODAY, limit=50, **filters):
    params = {"status": None, "reviewer_id": None, "age_band": None, "overdue": None} | filters
    page = complaints.list_reviews(
        session, actor, **params, page=PageRequest(limit=limit), today=today, rules=DEFAULT_RULES
    )
    total = complaints.count_reviews(session, actor, **params, today=today, rules=DEFAULT_RULES)
    assert total >= len(page.items)
    return [r.ref for r in page.items], total


def test_the_list_filters_and_orders_by_target(session, reviewer):
    today = date(2024, 4, 1)
    a = new_review(session, reviewer, date(2024, 3, 30), n=1)  # 2 days: 0-14
    b = new_review(session, reviewer, date(2024, 3, 14), n=2, reviewer_id=reviewer.user_id)  # 18
    c = new_review(session, reviewer, date(2024, 3, 5), n=3)  # 27 days: 22-28
    d = new_review(session, reviewer, date(2024, 2, 1), n=4)  # 60 days: over 28, overdue
    e = decided_case(session, reviewer, date(2024, 1, 2), date(2024, 2, 20), n=5)  # 49 days
    assert listed(session, reviewer, today)[0] == [e.ref, d.ref, c.ref, b.ref, a.ref]
    assert listed(session, reviewer, today, age_band=AgeBand.DAYS_0_14) == ([a.ref], 1)
    assert listed(session, reviewer, today, age_band=AgeBand.DAYS_15_21) == ([b.ref], 1)
    assert listed(session, reviewer, today, age_band=AgeBand.DAYS_22_28) == ([c.ref], 1)
    assert listed(session, reviewer, today, age_band=AgeBand.OVER_28) == ([e.ref, d.ref], 2)
    assert listed(session, reviewer, today, overdue=True) == ([d.ref], 1)
    assert listed(session, reviewer, today, status=ReviewStatus.DECIDED) == ([e.ref], 1)
    assert listed(session, reviewer, today, reviewer_id=reviewer.user_id) == ([b.ref], 1)
    first = listed(session, reviewer, today, limit=2)[0]
    assert first == [e.ref, d.ref]
    due = complaints.due_this_week(session, reviewer, today=today, rules=DEFAULT_RULES)
    assert [r.ref for r in due] == [d.ref, c.ref]  # undecided, target passed or within 7 days
    row = next(r for r in due if r.ref == d.ref)
    assert (row.days_left, row.update_overdue, row.next_update_due) == (
        -32,
        True,
        date(2024, 2, 29),
    )


def test_a_page_of_reviews_takes_the_same_number_of_queries_however_long(
    session, reviewer, database
):
    for n in range(1, 4):
        new_review(session, reviewer, date(2024, 3, n), n=n, reviewer_id=reviewer.user_id)

    def queries(limit: int) -> int:
        seen: list[str] = []
        listener = lambda *args: seen.append(args[2])  # noqa: E731
        event.listen(database.engine, "before_cursor_execute", listener)
        try:
            listed(session, reviewer, limit=limit)
        finally:
            event.remove(database.engine, "before_cursor_execute", listener)
        return len(seen)

    one = queries(1)
    for n in range(4, 12):
        new_review(session, reviewer, date(2024, 3, n), n=n, reviewer_id=reviewer.user_id)
    assert queries(10) == one


# KPIs ----------------------------------------------------------------------------------------


@pytest.fixture
def small_set(session, reviewer):
    """The hand-computed data set (target 28 calendar days):

    A  received 5 Jan, decided 20 Jan (15 days), not upheld, within target
    B  received 10 Jan, decided 15 Feb (36 days), upheld, over target (target 7 Feb)
    C  received 25 Jan, on hold 1–6 Feb, decided 20 Feb (26 days, 21 without the hold)
    D  received 1 Feb, decided 29 Feb (28 days, on the target date: within), upheld
    E  received 10 Feb, decided 5 Mar (24 days), insufficient information
    F  received 1 Mar, decided 10 Mar as withdrawn: not a completed review
    G  received 4 Mar, still in review
    H  received 20 Mar, invalid on 22 Mar: received, never completed, not open
    I  received 2 Apr, decided 12 Apr (10 days), not upheld
    """
    r = reviewer
    no_rec = {"no_recommendation_reason": "The Force has already reinvestigated."}
    decided_case(session, r, date(2024, 1, 5), date(2024, 1, 20), n=1)
    decided_case(
        session, r, date(2024, 1, 10), date(2024, 2, 15), ReviewOutcome.UPHELD, n=2, **no_rec
    )
    decided_case(
        session,
        r,
        date(2024, 1, 25),
        date(2024, 2, 20),
        n=3,
        hold=(date(2024, 2, 1), date(2024, 2, 6)),
    )
    decided_case(
        session, r, date(2024, 2, 1), date(2024, 2, 29), ReviewOutcome.UPHELD, n=4, **no_rec
    )
    decided_case(
        session, r, date(2024, 2, 10), date(2024, 3, 5), ReviewOutcome.INSUFFICIENT_INFORMATION, n=5
    )
    decided_case(session, r, date(2024, 3, 1), date(2024, 3, 10), ReviewOutcome.WITHDRAWN, n=6)
    into_review(session, r, new_review(session, r, date(2024, 3, 4), n=7), date(2024, 3, 5))
    h = move(
        session,
        r,
        new_review(session, r, date(2024, 3, 20), n=8),
        "validity_check",
        date(2024, 3, 21),
    )
    move(session, r, h, "invalid", date(2024, 3, 22), "Not recorded under Schedule 3")
    decided_case(session, r, date(2024, 4, 2), date(2024, 4, 12), n=9)


def rows(result):
    return [
        (
            row.period,
            row.received,
            row.completed,
            row.completed_within_target,
            row.pct_within_target,
            row.median_days,
            row.p90_days,
            row.pct_upheld,
            row.median_days_without_holds,
            row.p90_days_without_holds,
        )
        for row in result.rows
    ]


def test_the_kpis_by_month_match_the_hand_computed_figures(session, reviewer, small_set):
    result = stats(session, reviewer, date(2024, 1, 1), date(2024, 4, 30), "month")
    assert result.target_rule == "28 calendar days"
    assert rows(result) == [
        ("2024-01", 3, 1, 1, 100.0, 15, 15, 0.0, 15, 15),
        ("2024-02", 2, 3, 2, 66.7, 28, 36, 66.7, 28, 36),
        ("2024-03", 3, 1, 1, 100.0, 24, 24, 0.0, 24, 24),
        ("2024-04", 1, 1, 1, 100.0, 10, 10, 0.0, 10, 10),
    ]
    # The SQL's percentiles are rules.nearest_rank's: February's days are 26, 28 and 36.
    assert nearest_rank([36, 26, 28], 0.5) == 28 and nearest_rank([36, 26, 28], 0.9) == 36
    # Open on 30 April: G only (57 days).
    assert result.open_by_age.model_dump(by_alias=True) == {
        "0-14": 0,
        "15-21": 0,
        "22-28": 0,
        "over_28": 1,
    }
    dumped = result.model_dump(by_alias=True, mode="json")
    assert dumped["from"] == "2024-01-01" and dumped["group"] == "month"


def test_the_kpis_kept_for_everyone_move_with_the_next_case(session, reviewer, small_set):
    """The figures are kept under the database's generation (domain.sync): a case received
    after they were seen counts on the very next read."""
    before = stats(session, reviewer, date(2024, 1, 1), date(2024, 4, 30), "month")
    assert stats(session, reviewer, date(2024, 1, 1), date(2024, 4, 30), "month") == before
    new_review(session, reviewer, date(2024, 4, 20), n=10)
    after = stats(session, reviewer, date(2024, 1, 1), date(2024, 4, 30), "month")
    assert [row.received for row in after.rows] == [3, 2, 3, 2]
    assert after.open_by_age.over_28 == before.open_by_age.over_28
    assert after.open_by_age.days_0_14 == before.open_by_age.days_0_14 + 1


def test_the_kpis_by_quarter_match_the_hand_computed_figures(session, reviewer, small_set):
    result = stats(session, reviewer, date(2024, 1, 1), date(2024, 4, 30), "quarter")
    # Jan–Mar 2024 is 2023-24 Q4: days 15, 24, 26, 28, 36 (21 for C without its hold).
    assert rows(result) == [
        ("2023-24-Q4", 8, 5, 4, 80.0, 26, 36, 40.0, 24, 36),
        ("2024-25-Q1", 1, 1, 1, 100.0, 10, 10, 0.0, 10, 10),
    ]
    assert nearest_rank([15, 24, 26, 28, 36], 0.5) == 26
    assert nearest_rank([15, 21, 24, 28, 36], 0.5) == 24


def test_open_by_age_is_taken_at_the_end_of_the_range(session, reviewer, small_set):
    # On 31 January: B (21 days) and C (6 days) were open; A was decided on the 20th.
    result = stats(session, reviewer, date(2024, 1, 1), date(2024, 1, 31), "month")
    assert result.open_by_age.model_dump(by_alias=True) == {
        "0-14": 1,
        "15-21": 1,
        "22-28": 0,
        "over_28": 0,
    }


def test_small_numbers_are_hidden_from_everyone_who_may_not_see_cases(session, reviewer, small_set):
    result = stats(session, VIEWER, date(2024, 1, 1), date(2024, 4, 30), "month")
    assert rows(result)[1] == ("2024-02", "<5", "<5", "<5", None, None, None, None, None, None)
    assert result.open_by_age.model_dump(by_alias=True)["0-14"] == 0  # zero discloses no one
    assert result.open_by_age.model_dump(by_alias=True)["over_28"] == "<5"
    with pytest.raises(Forbidden):
        stats(session, LIAISON, date(2024, 1, 1), date(2024, 4, 30), "month")
    with pytest.raises(Invalid) as caught:
        stats(session, reviewer, date(2024, 5, 1), date(2024, 4, 30), "month")
    assert caught.value.errors[0].loc == ("from",)


# Purge ---------------------------------------------------------------------------------------


def closed_case(session, actor, received, n):
    review = decided_case(session, actor, received, received + timedelta(days=20), n=n)
    review = change(
        session,
        actor,
        review,
        received + timedelta(days=21),
        letter_sent_on=received + timedelta(days=21),
    )
    complaints.record_contact(
        session,
        actor,
        review.id,
        ComplainantContactCreate(
            contacted_on=received + timedelta(days=21),
            method=ContactMethod.EMAIL,
            note="ZZQ-CONTACT note",
        ),
        now=at(received + timedelta(days=21)),
    )
    session.refresh(review)
    return move(session, actor, review, "closed", received + timedelta(days=22))


def all_stats(session, actor):
    return [
        stats(session, actor, date(2017, 1, 1), date(2024, 4, 30), group, today=date(2024, 5, 1))
        for group in ("month", "quarter")
    ]


def test_the_purge_removes_old_personal_data_and_leaves_the_statistics(session, reviewer):
    old = closed_case(session, reviewer, date(2017, 3, 1), n=1)  # closed 23 March 2017
    boundary = closed_case(session, reviewer, date(2018, 2, 20), n=2)  # closed 14 March 2018
    recent = closed_case(session, reviewer, date(2024, 1, 2), n=3)
    before = [all_stats(session, reviewer), all_stats(session, VIEWER)]
    today = date(2024, 3, 18)  # cutoff 18 March 2018

    dry = purge_personal_data(session, ADMIN, today=today, retention_years=6, dry_run=True)
    assert (dry.refs, dry.dry_run) == ([old.ref, boundary.ref], True)
    assert count(session, Complainant) == 3  # a dry run changes nothing
    assert session.get(ComplaintReview, old.id).personal_data_purged_on is None

    events_before = len(events(session))
    done = purge_personal_data(
        session, ADMIN, today=today, retention_years=6, dry_run=False, now=at(today)
    )
    assert (done.refs, done.dry_run) == ([old.ref, boundary.ref], False)
    assert [c.review_id for c in session.exec(select(Complainant))] == [recent.id]
    purged = session.get(ComplaintReview, old.id)
    assert purged.personal_data_purged_on == today and purged.outcome == "not_upheld"
    contacts = session.exec(
        select(ComplainantContact).where(ComplainantContact.review_id == old.id)
    ).all()
    assert contacts and all(c.note == "" for c in contacts if c.method == "email")
    new = events(session)[events_before:]
    assert [(e.entity_id, e.action) for e in new] == [
        (old.id, "purge_personal_data"),
        (boundary.id, "purge_personal_data"),
    ]
    assert all(no_markers(e.changes) for e in new)
    assert [all_stats(session, reviewer), all_stats(session, VIEWER)] == before

    detail = complaints.get_review(
        session, reviewer, old.id, today=today, rules=DEFAULT_RULES, now=at(today)
    )
    assert detail.complainant is None and detail.personal_data_purged_on == today
    assert no_markers(detail.model_dump())
    assert len(events(session)) == events_before + 2  # no personal data read: no view event
    again = purge_personal_data(session, ADMIN, today=today, retention_years=6, dry_run=False)
    assert again.refs == []
    for actor in (reviewer, VIEWER):
        with pytest.raises(Forbidden):
            purge_personal_data(session, actor, today=today, retention_years=6, dry_run=True)


# Demo data -----------------------------------------------------------------------------------


def test_the_demo_data_has_the_seeds_shape(session):
    from domain.accounts.rules import SYSTEM
    from domain.complaints.demo import generate_reviews, seed_complaints
    from domain.demo import seed_users

    now = datetime(2026, 11, 25, 12, tzinfo=UTC)
    report = SeedReport(created={})
    seed_reference(session, report, now=now)
    seed_users(session, report, now=now)
    seed_complaints(session, report, now=now)
    assert 140 <= report.created["complaint_reviews"] <= 170
    received_q1 = session.exec(
        select(func.count())
        .select_from(ComplaintReview)
        .where(
            ComplaintReview.received_on >= date(2024, 1, 1),
            ComplaintReview.received_on <= date(2024, 3, 31),
        )
    ).one()
    assert received_q1 == 36
    march = stats(session, SYSTEM, date(2024, 3, 1), date(2024, 3, 31), "month", today=now.date())
    assert march.rows[0].pct_within_target == 100.0
    people = session.exec(select(Complainant)).all()
    assert all("ZZQ-COMPLAINANT" in p.name and "ZZQ-NARRATIVE" in p.narrative for p in people)
    reviews = session.exec(select(ComplaintReview)).all()
    assert {r.status for r in reviews} >= {"closed", "decided", "in_review", "on_hold", "received"}
    outcomes = [r.outcome for r in reviews if r.outcome]
    assert 0.08 <= outcomes.count("upheld") / len(outcomes) <= 0.25
    recent = [r for r in reviews if r.received_on >= now.date() - timedelta(days=40)]
    assert len(recent) == 10 and all(r.closed_on is None for r in recent)
    open_now = stats(session, SYSTEM, date(2026, 1, 1), now.date(), "month", today=now.date())
    assert all(v >= 1 for v in open_now.open_by_age.model_dump().values())
    actions_made = session.exec(
        select(Action).where(Action.source_type == SourceType.COMPLAINT_REVIEW.value)
    ).all()
    assert actions_made and all(no_markers(a.model_dump()) for a in actions_made)

    again = SeedReport(created={})
    seed_complaints(session, again, now=now)
    assert again.created == {}
    assert generate_reviews(session, 30, now=now) == 30
    assert generate_reviews(session, 30, now=now) == 0  # topped up, not added again
    assert count(session, ComplaintReview) == len(reviews) + 30
