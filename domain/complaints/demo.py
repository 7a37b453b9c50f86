"""Demo complaint reviews, shaped like seed 004: about 150 invented cases received over
2023 and 2024 (exactly 36 received January to March 2024, and every review decided in
March 2024 decided within 28 days), a realistic mix of outcomes, upheld reviews whose
recommendations the Force has (mostly) answered, and about ten cases received in the last
40 days still open, so the demo looks alive whatever the date.

Every complainant is invented: names carry the marker ZZQ-COMPLAINANT and narratives
ZZQ-NARRATIVE, so a leak is easy to see in tests. Phone numbers are from Ofcom's drama
range and addresses use example.org. Deterministic (random.Random(2024)) and idempotent:
once a demo case exists, nothing more is added.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import insert
from sqlmodel import Session, col, func, select

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Actor, Role, user_actor
from domain.actions import service as actions
from domain.actions.schemas import ActionUpdateCreate
from domain.actions.tables import Action
from domain.complaints import service as complaints
from domain.complaints.rules import (
    NOT_COMPLETED_OUTCOMES,
    ContactMethod,
    ReviewOutcome,
    ReviewRules,
    ReviewStatus,
    is_late,
    target_date,
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
from domain.complaints.tables import Complainant, ComplaintReview, Recommendation, ReviewStep
from domain.db import UnitOfWork
from domain.reference.tables import AllegationCategory
from domain.refs import reserve_refs

if TYPE_CHECKING:
    from domain.demo import SeedReport

GENERATED_PREFIX = "GEN-"
RULES = ReviewRules()
FIRST_NAMES = [
    "Alex",
    "Sam",
    "Jo",
    "Chris",
    "Pat",
    "Robin",
    "Jamie",
    "Morgan",
    "Casey",
    "Taylor",
    "Jordan",
    "Riley",
]
SURNAMES = ["Example", "Sample", "Specimen", "Madeup", "Invented", "Fictional", "Placeholder"]
NARRATIVES = {
    "use-of-force": "says officers used more force than needed during an arrest",
    "handling-of-or-damage-to-property": "says property seized was damaged and not returned",
    "delivery-of-duties-and-service": "says a reported burglary was not followed up",
    "discriminatory-behaviour": "says they were treated differently because of who they are",
    "access-to-information": "says a request for body-worn video footage went unanswered",
    "individual-behaviour": "says an officer was rude and dismissive on the phone",
    "other": "says the Force's letter did not address the points they raised",
}
RECOMMENDATIONS = [
    "Reinvestigate the complaint, including the body-worn video not yet reviewed",
    "Reconsider the outcome in the light of the witness statement provided",
    "Apologise to the complainant for the delay in responding",
    "Remind call handlers of the guidance on recording reports of crime",
    "Refer the matter to the IOPC for a decision on investigation",
]
HOLD_REASONS = [
    "Waiting for the Force's complaint file",
    "Waiting for the complainant's reply to our questions",
    "Waiting for body-worn video from the Force",
]
OUTCOME_WEIGHTS = {
    ReviewOutcome.UPHELD: 15,
    ReviewOutcome.NOT_UPHELD: 55,
    ReviewOutcome.NOT_UPHELD_POINTS_FED_BACK: 14,
    ReviewOutcome.INSUFFICIENT_INFORMATION: 7,
    ReviewOutcome.OUT_OF_TIME: 5,
    ReviewOutcome.PASSED_TO_IOPC: 2,
    ReviewOutcome.WITHDRAWN: 2,
}
# Days open for the recent cases: some in every age band.
RECENT_AGES = [2, 5, 9, 13, 16, 19, 23, 26, 31, 38]
UNANSWERED_FROM = date(2024, 11, 1)  # upheld after this: the Force has not answered yet


def _at(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), tzinfo=UTC)


def _actor(db: Session, email: str, role: Role) -> Actor:
    user = accounts.find_user_by_email(db, email)
    if user is None or user.id is None:
        return SYSTEM
    return user_actor(user_id=user.id, label=user.email, role=role)


def complainant_details(n: int, category: str, rng: random.Random) -> ComplainantDetails:
    first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
    return ComplainantDetails(
        name=f"{first} {last} ZZQ-COMPLAINANT-{n:03d}",
        contact=(
            f"{first.lower()}.{last.lower()}{n}@example.org, 01632 960{n % 1000:03d}, "
            f"{n} Example Street, Leicester"
        ),
        narrative=(
            f"ZZQ-NARRATIVE-{n:03d}: the complainant "
            f"{NARRATIVES.get(category, NARRATIVES['other'])}, and is unhappy with how the "
            "Force handled the complaint."
        ),
        officers_complained_about=f"Officer ZZQ-OFFICER-{n:03d} (invented)",
    )


@dataclass
class _Plan:
    """One demo case: when it arrived and how far it gets."""

    n: int
    received_on: date
    days_to_decision: int | None  # None: stays open
    end: str = "decided"  # decided | invalid | forwarded_to_iopc | withdrawn | open
    outcome: ReviewOutcome | None = None
    recommendations: int = 0
    hold_days: int = 0
    stop_at: ReviewStatus | None = None  # for open cases
    late: bool = False
    categories: list[str] = field(default_factory=list)


def _month_days(year: int, month: int, count: int, rng: random.Random) -> list[date]:
    first = date(year, month, 1)
    last = (date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)).day
    return sorted(first + timedelta(days=rng.randrange(last)) for _ in range(count))


def _plans(rng: random.Random, today: date, codes: list[str]) -> list[_Plan]:
    plans: list[_Plan] = []
    n = 0

    def add(received: date, days: int | None) -> None:
        nonlocal n
        n += 1
        plan = _Plan(n=n, received_on=received, days_to_decision=days)
        plan.categories = rng.sample(codes, k=1 if rng.random() < 0.7 else 2) if codes else []
        plan.late = rng.random() < 0.08
        roll = rng.random()
        if roll < 0.05:
            plan.end = "invalid"
        elif roll < 0.08:
            plan.end = "forwarded_to_iopc"
        elif roll < 0.11:
            plan.end = "withdrawn"
        else:
            plan.outcome = rng.choices(list(OUTCOME_WEIGHTS), list(OUTCOME_WEIGHTS.values()))[0]
            if plan.outcome is ReviewOutcome.UPHELD and rng.random() < 0.75:
                plan.recommendations = rng.choice([1, 1, 2])
            if rng.random() < 0.25:
                plan.hold_days = rng.randint(2, 6)
        plans.append(plan)

    for month in range(1, 13):  # 2023: five a month, a quarter of them over target
        for day in _month_days(2023, month, 5, rng):
            add(day, rng.randint(29, 40) if rng.random() < 0.25 else rng.randint(12, 28))
    for month in range(1, 4):  # January to March 2024: 36, all within 28 days
        for day in _month_days(2024, month, 12, rng):
            add(day, rng.randint(10, 28))
    for month in range(4, 13):  # the rest of 2024
        for day in _month_days(2024, month, rng.choice([5, 6]), rng):
            add(day, rng.randint(29, 35) if rng.random() < 0.15 else rng.randint(10, 28))
    for plan in plans:  # the seed: every review decided in March 2024 within 28 days
        days = plan.days_to_decision or 0
        decided = plan.received_on + timedelta(days=days)
        if decided.year == 2024 and decided.month == 3 and days > 28:
            plan.days_to_decision = 28
    # The last two decisions of 2024 uphold the review: the Force still owes its answers.
    late_2024 = [p for p in plans if p.received_on >= UNANSWERED_FROM and p.end == "decided"][-2:]
    for plan, count in zip(late_2024, (2, 1), strict=False):
        plan.outcome = ReviewOutcome.UPHELD
        plan.recommendations = count
    recent_from = max(today - timedelta(days=40), date(2025, 1, 1))
    stops = [
        ReviewStatus.RECEIVED,
        ReviewStatus.RECEIVED,
        ReviewStatus.VALIDITY_CHECK,
        ReviewStatus.VALIDITY_CHECK,
        ReviewStatus.IN_REVIEW,
        ReviewStatus.ON_HOLD,
        ReviewStatus.IN_REVIEW,
        ReviewStatus.ON_HOLD,
        ReviewStatus.IN_REVIEW,
        ReviewStatus.IN_REVIEW,
    ]
    for age, stop in zip(RECENT_AGES, stops, strict=True):
        received = today - timedelta(days=age)
        if received < recent_from:
            continue
        n += 1
        plans.append(
            _Plan(
                n=n,
                received_on=received,
                days_to_decision=None,
                end="open",
                stop_at=stop,
                categories=rng.sample(codes, k=1) if codes else [],
            )
        )
    return plans


class _Case:
    """Runs one plan through the services, each step on its own date, stopping at today."""

    def __init__(self, db: Session, reviewer: Actor, liaison: Actor, today: date) -> None:
        self.db = db
        self.reviewer = reviewer
        self.liaison = liaison
        self.today = today
        self.review: ComplaintReview | None = None

    def ok(self, day: date) -> bool:
        return day <= self.today

    def move(self, to: ReviewStatus, day: date, note: str = "") -> bool:
        if not self.ok(day):
            return False
        assert self.review is not None and self.review.id is not None
        self.review = complaints.transition_review(
            self.db,
            self.reviewer,
            self.review.id,
            ReviewTransitionRequest(to=to.value, note=note),
            expected_version=self.review.version,
            now=_at(day),
            rules=RULES,
        )
        return True

    def change(self, day: date, data: ComplaintReviewChange) -> bool:
        if not self.ok(day):
            return False
        assert self.review is not None and self.review.id is not None
        self.review = complaints.change_review(
            self.db,
            self.reviewer,
            self.review.id,
            data,
            expected_version=self.review.version,
            now=_at(day),
            rules=RULES,
        )
        return True

    def run(self, plan: _Plan, rng: random.Random, reviewer_id: int | None) -> None:
        r = plan.received_on
        sent = r - timedelta(days=rng.randint(30, 45) if plan.late else rng.randint(3, 26))
        self.review = complaints.create_review(
            self.db,
            self.reviewer,
            ComplaintReviewCreate(
                force_ref=f"PSD/CO/{r.year}/{1000 + plan.n:05d}",
                outcome_sent_on=sent,
                received_on=r,
                late_reason=(
                    "The complainant was abroad when the outcome letter arrived."
                    if is_late(sent, r)
                    else ""
                ),
                categories=plan.categories,
                reviewer_id=reviewer_id,
                complainant=complainant_details(plan.n, (plan.categories or ["other"])[0], rng),
            ),
            now=_at(r),
            rules=RULES,
        )
        if plan.stop_at is ReviewStatus.RECEIVED or not self.move(
            ReviewStatus.VALIDITY_CHECK, r + timedelta(days=1)
        ):
            return
        if plan.end in ("invalid", "forwarded_to_iopc"):
            note = (
                "The complaint was not recorded under Schedule 3."
                if plan.end == "invalid"
                else "The complaint concerns a senior officer: the IOPC is the review body."
            )
            self.move(ReviewStatus(plan.end), r + timedelta(days=3), note)
            return
        if plan.stop_at is ReviewStatus.VALIDITY_CHECK:
            return
        if not self.move(ReviewStatus.IN_REVIEW, r + timedelta(days=2)):
            return
        self.change(
            r + timedelta(days=3),
            ComplaintReviewChange(
                acknowledged_on=r + timedelta(days=1),
                force_notified_on=r + timedelta(days=2),
                interested_persons_notified_on=r + timedelta(days=3),
            ),
        )
        if plan.end == "withdrawn":
            self.move(
                ReviewStatus.WITHDRAWN,
                r + timedelta(days=6),
                "The complainant asked us to stop the review.",
            )
            return
        if plan.stop_at is ReviewStatus.ON_HOLD:
            self.move(
                ReviewStatus.ON_HOLD, self.today - timedelta(days=2), rng.choice(HOLD_REASONS)
            )
            return
        if plan.stop_at is ReviewStatus.IN_REVIEW:
            # One long-open case has had no update: reg 34's four weeks have passed.
            if self.ok(r + timedelta(days=20)) and (self.today - r).days < 35:
                self._contact(r + timedelta(days=20))
            return
        assert plan.days_to_decision is not None and plan.outcome is not None
        decided = r + timedelta(days=plan.days_to_decision)
        if plan.hold_days and plan.days_to_decision > plan.hold_days + 6:
            start = r + timedelta(days=4)
            if self.move(ReviewStatus.ON_HOLD, start, rng.choice(HOLD_REASONS)):
                self.move(ReviewStatus.IN_REVIEW, start + timedelta(days=plan.hold_days))
        if plan.days_to_decision > 24:
            self._contact(r + timedelta(days=21))
        if not self.ok(decided):
            return
        self._decide(plan, decided, rng)

    def _contact(self, day: date) -> None:
        assert self.review is not None and self.review.id is not None
        complaints.record_contact(
            self.db,
            self.reviewer,
            self.review.id,
            ComplainantContactCreate(
                contacted_on=day,
                method=ContactMethod.EMAIL,
                note="Progress update: the review is under way.",
            ),
            now=_at(day),
        )
        self.db.refresh(self.review)

    def _decide(self, plan: _Plan, decided: date, rng: random.Random) -> None:
        assert self.review is not None and self.review.id is not None and plan.outcome
        upheld = plan.outcome is ReviewOutcome.UPHELD
        recommendations = [
            RecommendationIn(text=text)
            for text in rng.sample(RECOMMENDATIONS, k=plan.recommendations)
        ]
        self.review = complaints.decide_review(
            self.db,
            self.reviewer,
            self.review.id,
            ReviewDecision(
                outcome=plan.outcome,
                reasons=(
                    "The outcome of the complaint's handling was not reasonable and "
                    "proportionate: key evidence was not considered."
                    if upheld
                    else "The outcome of the complaint's handling was reasonable and proportionate."
                ),
                organisational_learning=(
                    "Letters to complainants should answer each point raised."
                    if rng.random() < 0.3
                    else ""
                ),
                recommendations=recommendations,
                no_recommendation_reason=(
                    "The Force has already reinvestigated and apologised."
                    if upheld and not recommendations
                    else ""
                ),
                decided_on=decided,
            ),
            expected_version=self.review.version,
            now=_at(decided),
            rules=RULES,
        )
        letter = decided + timedelta(days=rng.randint(0, 2))
        if not self.change(letter, ComplaintReviewChange(letter_sent_on=letter)):
            return
        close_on = letter
        if recommendations:
            if plan.received_on >= UNANSWERED_FROM:
                return  # the Force still owes its response: decided, not closed
            answered_on = self._answer(decided, rng)
            if answered_on is None:
                return
            close_on = max(close_on, answered_on)
        self.move(ReviewStatus.CLOSED, close_on)

    def _answer(self, decided: date, rng: random.Random) -> date | None:
        """The force liaison answers each recommendation through its action; the day of
        the last answer, or None while one is still owed (on the demo's today)."""
        assert self.review is not None
        last: date | None = decided
        found = self.db.exec(
            select(Recommendation).where(Recommendation.review_id == self.review.id)
        ).all()
        for rec in found:
            day = decided + timedelta(days=rng.randint(7, 25))
            if not self.ok(day):
                last = None
                continue
            actions.add_update(
                self.db,
                self.liaison,
                rec.action_id,
                ActionUpdateCreate(
                    body="The Force accepts the recommendation; the complaint has been "
                    "reallocated to a new investigator."
                ),
                now=_at(day),
            )
            action = actions.transition_action(
                self.db,
                self.liaison,
                rec.action_id,
                to="done",
                note="Response sent to the OPCC",
                expected_version=_version(self.db, rec.action_id),
                now=_at(day),
                today=day,
            )
            assert action.id is not None
            last = None if last is None else max(last, day)
        return last


def _version(db: Session, action_id: int) -> int:
    found = db.get(Action, action_id)
    assert found is not None
    return found.version


def seed_complaints(db: Session, report: SeedReport, *, now: datetime) -> None:
    """The demo cases, once (allegation categories come with the reference data)."""
    existing = db.exec(
        select(ComplaintReview.id).where(col(ComplaintReview.force_ref).not_like("GEN-%")).limit(1)
    ).first()
    if existing is not None:
        return
    rng = random.Random(2024)  # noqa: S311 - invented demo data, not secrets
    codes = sorted(
        c.code for c in db.exec(select(AllegationCategory)).all() if c.active and c.code != "other"
    )
    today = now.date()
    reviewer = _actor(db, "reviewer@oversight.example", Role.COMPLAINTS_REVIEWER)
    liaison = _actor(db, "liaison@oversight.example", Role.FORCE_LIAISON)
    admin = accounts.find_user_by_email(db, "admin@oversight.example")
    reviewer_ids = [i for i in (reviewer.user_id, admin.id if admin else None) if i is not None]
    # One commit for the whole set, not one per step: a thousand commits take seconds.
    hold = db.one_transaction() if isinstance(db, UnitOfWork) else nullcontext()
    with hold:
        for plan in _plans(rng, today, codes):
            if plan.received_on > today:
                continue
            case = _Case(db, reviewer, liaison, today)
            case.run(plan, rng, rng.choice(reviewer_ids) if reviewer_ids else None)
            report.add("complaint_reviews")


def generate_reviews(
    db: Session,
    count: int,
    *,
    now: datetime,
    seed: int = 2025,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Scale data (`oversight seed-demo --reviews N`): makes sure N generated reviews exist
    (Force refs GEN-…, received in 2025, decided and closed, or still open), written in
    batches straight to the tables. Idempotent: only the shortfall is added. Returns how
    many were added."""
    have = int(
        db.exec(
            select(func.count())
            .select_from(ComplaintReview)
            .where(col(ComplaintReview.force_ref).like("GEN-%"))
        ).one()
    )
    rng = random.Random(seed + have)  # noqa: S311 - made-up scale data, not secrets
    codes = {c.code: c.id for c in db.exec(select(AllegationCategory)).all() if c.id is not None}
    category_ids = list(codes.values())
    last = min(date(2025, 12, 31), now.date())
    first = date(2025, 1, 1) if last > date(2025, 6, 30) else last - timedelta(days=365)
    span = max(1, (last - first).days)
    outcomes = [o for o in OUTCOME_WEIGHTS if o not in NOT_COMPLETED_OUTCOMES]
    made = 0
    batch = 1000
    while have + made < count:
        size = min(batch, count - have - made)
        rows: list[dict[str, Any]] = []
        by_year: dict[int, list[int]] = {}
        received_days = [first + timedelta(days=rng.randrange(span)) for _ in range(size)]
        for i, received in enumerate(received_days):
            by_year.setdefault(received.year, []).append(i)
        refs: list[str] = [""] * size
        for year, positions in by_year.items():
            for position, ref in zip(
                positions, reserve_refs(db, "CR", year, len(positions)), strict=True
            ):
                refs[position] = ref
        for i, received in enumerate(received_days):
            days = rng.randint(8, 40)
            decided = received + timedelta(days=days)
            done = decided <= now.date() and rng.random() < 0.95
            sent = received - timedelta(days=rng.randint(3, 35))
            rows.append(
                {
                    "ref": refs[i],
                    "force_ref": f"{GENERATED_PREFIX}{have + made + i + 1:06d}",
                    "outcome_sent_on": sent,
                    "received_on": received,
                    "late": is_late(sent, received),
                    "late_reason": "",
                    "review_body_checked": True,
                    "category_ids": rng.sample(category_ids, k=1) if category_ids else [],
                    "reviewer_id": None,
                    "status": (ReviewStatus.CLOSED if done else ReviewStatus.IN_REVIEW).value,
                    "target_on": target_date(received, RULES),
                    "target_rule": RULES.target_rule,
                    "acknowledged_on": received + timedelta(days=1),
                    "force_notified_on": None,
                    "interested_persons_notified_on": None,
                    "last_contact_on": decided if done else None,
                    "outcome": rng.choice(outcomes).value if done else None,
                    "reasons": "Generated for scale testing." if done else "",
                    "organisational_learning": "",
                    "no_recommendation_reason": "",
                    "decided_on": decided if done else None,
                    "letter_sent_on": decided if done else None,
                    "closed_on": decided if done else None,
                    "personal_data_purged_on": None,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
        db.execute(insert(ComplaintReview), rows)
        created = db.execute(
            select(
                col(ComplaintReview.id),
                col(ComplaintReview.status),
                col(ComplaintReview.received_on),
            ).where(col(ComplaintReview.ref).in_(refs))
        ).all()
        people: list[dict[str, Any]] = []
        steps: list[dict[str, Any]] = []
        for review_id, status, received in created:
            number = have + made + len(people) + 1
            people.append(
                {
                    "review_id": review_id,
                    "name": f"Generated Person ZZQ-COMPLAINANT-G{number:06d}",
                    "contact": "generated@example.org",
                    "narrative": f"ZZQ-NARRATIVE-G{number:06d}: generated for scale testing.",
                    "officers_complained_about": "",
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
            steps.append(
                {
                    "review_id": review_id,
                    "actor": SYSTEM.label,
                    "from_status": None,
                    "to_status": ReviewStatus.RECEIVED.value,
                    "note": "Generated",
                    "on": received,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
            )
            if status != ReviewStatus.RECEIVED.value:
                steps.append(
                    {**steps[-1], "from_status": ReviewStatus.RECEIVED.value, "to_status": status}
                )
        db.execute(insert(Complainant), people)
        db.execute(insert(ReviewStep), steps)
        db.commit()
        made += size
        if progress:
            progress(size)
    return made
