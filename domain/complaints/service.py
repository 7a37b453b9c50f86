"""Use cases of complaint reviews. Every change checks policy, reports every fault of its
input at once, writes its audit event in the same transaction (never a complainant's
values: those read "[personal data]"), and commits; every read of a case's personal data
is audited. The KPIs live in kpis.py and the retention purge in privacy.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func
from sqlmodel import Session, col, select

from domain import sync
from domain.accounts.rules import Actor, Role
from domain.accounts.tables import User
from domain.actions import service as actions
from domain.actions.rules import ActionStatus, SourceType
from domain.actions.schemas import ActionCreate
from domain.actions.tables import Action, ActionUpdate
from domain.audit import service as audit
from domain.complaints import policy, registration
from domain.complaints.kpis import day_literal, days_between, review_stats
from domain.complaints.privacy import PERSONAL, purge_personal_data
from domain.complaints.rules import (
    AGE_BAND_LIMITS,
    DUE_THIS_WEEK_DAYS,
    IN_PROGRESS_STATUSES,
    STATUS_LABELS,
    TERMINAL_STATUSES,
    AgeBand,
    ContactMethod,
    HoldSpan,
    ReviewOutcome,
    ReviewRules,
    ReviewStatus,
    acknowledgement_due,
    age_band,
    application_deadline,
    check_can_close,
    check_decision,
    check_transition,
    date_faults,
    days_left,
    days_on_hold,
    days_open,
    days_open_without_holds,
    is_late,
    next_update_due,
    target_date,
    update_overdue,
)
from domain.complaints.schemas import (
    ComplainantContactCreate,
    ComplainantDetails,
    ComplaintReviewChange,
    ComplaintReviewCreate,
    ComplaintReviewDetail,
    ComplaintReviewRead,
    ContactRead,
    HoldRead,
    RecommendationRead,
    ReviewDecision,
    ReviewHistoryEntry,
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
from domain.db import UnitOfWork
from domain.errors import Conflict, FieldError, Invalid, InvalidTransition, NotFound
from domain.listing import Page, PageRequest, SortKey, paginate
from domain.reference.tables import AllegationCategory, Organisation
from domain.refs import next_ref
from domain.versioning import Changes, apply_changes, check_version, jsonable, snapshot

__all__ = [
    "change_review",
    "count_reviews",
    "create_review",
    "decide_review",
    "due_this_week",
    "get_review",
    "get_review_record",
    "list_reviews",
    "purge_personal_data",
    "record_contact",
    "review_detail",
    "review_read",
    "review_stats",
    "reviewer_choices",
    "transition_review",
]

registration.register()  # the action source, once the service is in use

ENTITY = "complaint_review"
REVIEW_FIELDS = [
    "ref",
    "force_ref",
    "outcome_sent_on",
    "received_on",
    "late",
    "late_reason",
    "review_body_checked",
    "category_ids",
    "reviewer_id",
    "status",
    "target_on",
    "target_rule",
]
COMPLAINANT_FIELDS = ("name", "contact", "narrative", "officers_complained_about")
REVIEWER_ROLES = (Role.COMPLAINTS_REVIEWER.value, Role.ADMIN.value)
FORCE_OWNER_NAME = "Professional Standards Department"
TARGET_ORDER = SortKey("target_on", ComplaintReview.target_on)
UK = ZoneInfo("Europe/London")


def _today(now: datetime) -> date:
    """The UK date of `now`: what due dates and steps mean."""
    return now.astimezone(UK).date()


def _fetch(db: Session, review_id: int, *, lock: bool = False) -> ComplaintReview:
    found = db.get(ComplaintReview, review_id, with_for_update=lock)
    if found is None:
        raise NotFound(f"no complaint review with id {review_id}")
    return found


def _complainant(db: Session, review_id: int) -> Complainant | None:
    return db.exec(select(Complainant).where(Complainant.review_id == review_id)).first()


def _masked(changes: Changes) -> Changes:
    """Audit values of personal data are never stored, only that they changed."""
    return {
        field: {
            "before": None if v["before"] is None else PERSONAL,
            "after": None if v["after"] is None else PERSONAL,
        }
        for field, v in changes.items()
    }


@contextmanager
def _one_transaction(db: Session) -> Iterator[None]:
    """Hold every service commit inside until the end (the decision and its actions are
    one change); anything raised rolls the whole change back."""
    hold = db.one_transaction() if isinstance(db, UnitOfWork) else nullcontext()
    try:
        with hold:
            yield
    except BaseException:
        db.rollback()
        raise


# Checks --------------------------------------------------------------------------------------


def _category_faults(db: Session, codes: list[str]) -> tuple[list[int], list[FieldError]]:
    active = {
        c.code: c.id
        for c in db.exec(
            select(AllegationCategory).where(col(AllegationCategory.code).in_(codes))
        ).all()
        if c.active and c.id is not None
    }
    ids: list[int] = []
    faults: list[FieldError] = []
    for n, code in enumerate(codes):
        if code in active:
            if active[code] not in ids:
                ids.append(active[code])
        else:
            faults.append(
                FieldError(("categories", n), f"there is no allegation category with code {code!r}")
            )
    return ids, faults


def _reviewer_faults(db: Session, reviewer_id: int | None) -> list[FieldError]:
    if reviewer_id is None:
        return []
    user = db.get(User, reviewer_id)
    if user is None or not user.active or user.role not in REVIEWER_ROLES:
        return [FieldError(("reviewer_id",), "choose an active complaints reviewer")]
    return []


def _day_faults(field: str, day: date | None, *, not_before: date, today: date) -> list[FieldError]:
    if day is None:
        return []
    faults = []
    if day > today:
        faults.append(FieldError((field,), "cannot be in the future"))
    if day < not_before:
        faults.append(FieldError((field,), "cannot be before the application was received"))
    return faults


# Views ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Lookups:
    """What list rows need besides the review itself, loaded once per page."""

    categories: dict[int, str]
    reviewers: dict[int, str]
    holds: dict[int, list[HoldSpan]]

    @classmethod
    def load(cls, db: Session, reviews: list[ComplaintReview]) -> _Lookups:
        ids = [r.id for r in reviews if r.id is not None]
        reviewer_ids = {r.reviewer_id for r in reviews if r.reviewer_id is not None}
        category_ids = {c for r in reviews for c in r.category_ids}
        categories: dict[int, str] = {}
        if category_ids:
            categories = {
                c.id: c.code
                for c in db.exec(
                    select(AllegationCategory).where(col(AllegationCategory.id).in_(category_ids))
                ).all()
                if c.id is not None
            }
        reviewers: dict[int, str] = {}
        if reviewer_ids:
            reviewers = {
                u.id: u.display_name
                for u in db.exec(select(User).where(col(User.id).in_(reviewer_ids))).all()
                if u.id is not None
            }
        holds: dict[int, list[HoldSpan]] = {i: [] for i in ids}
        if ids:
            for h in db.exec(
                select(ReviewHold)
                .where(col(ReviewHold.review_id).in_(ids))
                .order_by(col(ReviewHold.review_id), col(ReviewHold.id))
            ).all():
                holds[h.review_id].append(HoldSpan(h.started_on, h.ended_on))
        return cls(categories=categories, reviewers=reviewers, holds=holds)


def _end_on(review: ComplaintReview, today: date) -> date:
    """Where the clock stops: the decision, the end of the case, or today while open."""
    return review.decided_on or review.closed_on or today


def _view(
    review: ComplaintReview, lookups: _Lookups, today: date, rules: ReviewRules
) -> ComplaintReviewRead:
    assert review.id is not None
    end = _end_on(review, today)
    holds = lookups.holds.get(review.id, [])
    elapsed = days_open(review.received_on, end)
    due = next_update_due(review.received_on, review.last_contact_on, rules)
    status = ReviewStatus(review.status)
    return ComplaintReviewRead(
        id=review.id,
        ref=review.ref,
        force_ref=review.force_ref,
        received_on=review.received_on,
        outcome_sent_on=review.outcome_sent_on,
        late=review.late,
        status=status,
        status_label=STATUS_LABELS[status],
        reviewer_id=review.reviewer_id,
        reviewer_name=lookups.reviewers.get(review.reviewer_id or 0),
        target_on=review.target_on,
        target_rule=review.target_rule,
        days_open=elapsed,
        days_open_without_holds=days_open_without_holds(review.received_on, end, holds),
        days_left=days_left(review.target_on, end),
        age_band=age_band(elapsed),
        next_update_due=due,
        update_overdue=update_overdue(status, due, today),
        outcome=ReviewOutcome(review.outcome) if review.outcome else None,
        decided_on=review.decided_on,
        letter_sent_on=review.letter_sent_on,
        closed_on=review.closed_on,
        categories=[lookups.categories[c] for c in review.category_ids if c in lookups.categories],
        created_at=review.created_at,
        updated_at=review.updated_at,
        version=review.version,
    )


def review_read(
    db: Session, review: ComplaintReview, *, today: date, rules: ReviewRules
) -> ComplaintReviewRead:
    """The list-row view of a review a change returned (no personal data)."""
    return _view(review, _Lookups.load(db, [review]), today, rules)


def _recommendations(db: Session, review_id: int) -> list[RecommendationRead]:
    """Each recommendation with its action; responded once the Force has written an update
    on the action, or the action is done."""
    found = db.exec(
        select(Recommendation, Action)
        .join(Action, col(Action.id) == col(Recommendation.action_id))
        .where(Recommendation.review_id == review_id)
        .order_by(col(Recommendation.position))
    ).all()
    action_ids = [a.id for _, a in found if a.id is not None]
    answered: set[int] = set()
    if action_ids:
        answered = set(
            db.exec(
                select(ActionUpdate.action_id).where(
                    col(ActionUpdate.action_id).in_(action_ids),
                    col(ActionUpdate.internal).is_(False),
                )
            ).all()
        )
    return [
        RecommendationRead(
            id=r.id,
            position=r.position,
            text=r.text,
            response_due=r.response_due,
            action_id=r.action_id,
            action_ref=a.ref,
            action_status=a.status,
            responded=a.id in answered or a.status == ActionStatus.DONE.value,
        )
        for r, a in found
        if r.id is not None
    ]


def _detail(
    db: Session,
    review: ComplaintReview,
    complainant: Complainant | None,
    today: date,
    rules: ReviewRules,
) -> ComplaintReviewDetail:
    assert review.id is not None
    lookups = _Lookups.load(db, [review])
    end = _end_on(review, today)
    holds = db.exec(
        select(ReviewHold).where(ReviewHold.review_id == review.id).order_by(col(ReviewHold.id))
    ).all()
    contacts = db.exec(
        select(ComplainantContact)
        .where(ComplainantContact.review_id == review.id)
        .order_by(col(ComplainantContact.contacted_on), col(ComplainantContact.id))
    ).all()
    steps = db.exec(
        select(ReviewStep).where(ReviewStep.review_id == review.id).order_by(col(ReviewStep.id))
    ).all()
    return ComplaintReviewDetail(
        **_view(review, lookups, today, rules).model_dump(),
        complainant=(
            None
            if complainant is None
            else ComplainantDetails(
                name=complainant.name,
                contact=complainant.contact,
                narrative=complainant.narrative,
                officers_complained_about=complainant.officers_complained_about,
            )
        ),
        late_reason=review.late_reason,
        review_body_checked=review.review_body_checked,
        acknowledged_on=review.acknowledged_on,
        acknowledgement_due=acknowledgement_due(review.received_on, rules),
        force_notified_on=review.force_notified_on,
        interested_persons_notified_on=review.interested_persons_notified_on,
        application_deadline=application_deadline(review.outcome_sent_on),
        reasons=review.reasons,
        organisational_learning=review.organisational_learning,
        no_recommendation_reason=review.no_recommendation_reason,
        holds=[
            HoldRead(
                id=h.id,
                started_on=h.started_on,
                ended_on=h.ended_on,
                reason=h.reason,
                days=days_on_hold([HoldSpan(h.started_on, h.ended_on)], end),
            )
            for h in holds
            if h.id is not None
        ],
        contacts=[
            ContactRead(
                id=c.id, contacted_on=c.contacted_on, method=ContactMethod(c.method), note=c.note
            )
            for c in contacts
            if c.id is not None
        ],
        recommendations=_recommendations(db, review.id),
        history=[
            ReviewHistoryEntry(
                at=s.on,
                actor=s.actor,
                from_=ReviewStatus(s.from_status) if s.from_status else None,
                to=ReviewStatus(s.to_status),
                note=s.note,
            )
            for s in steps
        ],
        personal_data_purged_on=review.personal_data_purged_on,
    )


# Reading -------------------------------------------------------------------------------------


def _filtered(
    db: Session,
    *,
    status: ReviewStatus | None,
    reviewer_id: int | None,
    age_band: AgeBand | None,
    overdue: bool | None,
    today: date,
) -> Any:
    stmt = select(ComplaintReview)
    if status is not None:
        stmt = stmt.where(ComplaintReview.status == ReviewStatus(status).value)
    if reviewer_id is not None:
        stmt = stmt.where(ComplaintReview.reviewer_id == reviewer_id)
    if age_band is not None:
        # The band of the row's days open: to the decision, the end, or today.
        end = func.coalesce(
            col(ComplaintReview.decided_on), col(ComplaintReview.closed_on), day_literal(today)
        )
        age = days_between(db, end, col(ComplaintReview.received_on))
        lower: int | None = None
        bounds: dict[AgeBand, Any] = {}
        for band, limit in AGE_BAND_LIMITS:
            bounds[band] = age <= limit if lower is None else and_(age > lower, age <= limit)
            lower = limit
        bounds[AgeBand.OVER_28] = age > lower
        stmt = stmt.where(bounds[AgeBand(age_band)])
    if overdue is not None:
        late = and_(
            col(ComplaintReview.status).in_([s.value for s in IN_PROGRESS_STATUSES]),
            col(ComplaintReview.target_on) < today,
        )
        stmt = stmt.where(late if overdue else ~late)
    return stmt


def list_reviews(
    db: Session,
    actor: Actor,
    *,
    status: ReviewStatus | None,
    reviewer_id: int | None,
    age_band: AgeBand | None,
    overdue: bool | None,
    page: PageRequest,
    today: date,
    rules: ReviewRules,
) -> Page[ComplaintReviewRead]:
    """Soonest target first (or by updated_at when syncing). `overdue`: still undecided
    and past the target date."""
    policy.check_can_list(actor)
    stmt = _filtered(
        db, status=status, reviewer_id=reviewer_id, age_band=age_band, overdue=overdue, today=today
    )
    found = paginate(
        db,
        stmt,
        id_column=ComplaintReview.id,
        stamp_column=ComplaintReview.updated_at,
        page=page,
        sort=TARGET_ORDER,
    )
    reviews = list(found.items)
    lookups = _Lookups.load(db, reviews)
    return Page(
        items=[_view(r, lookups, today, rules) for r in reviews], next_cursor=found.next_cursor
    )


def count_reviews(
    db: Session,
    actor: Actor,
    *,
    status: ReviewStatus | None,
    reviewer_id: int | None,
    age_band: AgeBand | None,
    overdue: bool | None,
    today: date,
    rules: ReviewRules,
) -> int:
    policy.check_can_list(actor)
    stmt = _filtered(
        db, status=status, reviewer_id=reviewer_id, age_band=age_band, overdue=overdue, today=today
    )
    return int(db.exec(select(func.count()).select_from(stmt.subquery())).one())


def due_this_week(
    db: Session, actor: Actor, *, today: date, rules: ReviewRules
) -> list[ComplaintReviewRead]:
    """Undecided cases whose target falls within the week, or has passed (for Home): the
    same for everyone who sees cases, so kept under the database's generation."""
    if not policy.sees_cases(actor):
        return []
    return _due_this_week.get(db, (today, rules), lambda: _due_within_week(db, today, rules))


_due_this_week: sync.KeptUnderGeneration[tuple[date, ReviewRules], list[ComplaintReviewRead]] = (
    sync.KeptUnderGeneration()
)


def _due_within_week(db: Session, today: date, rules: ReviewRules) -> list[ComplaintReviewRead]:
    reviews = list(
        db.exec(
            select(ComplaintReview)
            .where(
                col(ComplaintReview.status).in_([s.value for s in IN_PROGRESS_STATUSES]),
                col(ComplaintReview.target_on) <= today + timedelta(days=DUE_THIS_WEEK_DAYS),
            )
            .order_by(col(ComplaintReview.target_on), col(ComplaintReview.id))
            .limit(50)
        ).all()
    )
    lookups = _Lookups.load(db, reviews)
    return [_view(r, lookups, today, rules) for r in reviews]


def get_review_record(db: Session, actor: Actor, review_id: int) -> ComplaintReview:
    """The stored review (for ETags and versions); no personal data, so not audited."""
    policy.check_can_see_case(actor, review_id)
    return _fetch(db, review_id)


def review_detail(
    db: Session, actor: Actor, review_id: int, *, today: date, rules: ReviewRules
) -> ComplaintReviewDetail:
    """The case with its complainant, without an audit event and without committing: for
    the answer to a change, whose own event already records who touched the case. A plain
    read goes through get_review, which audits it."""
    policy.check_can_see_case(actor, review_id)
    review = _fetch(db, review_id)
    return _detail(db, review, _complainant(db, review_id), today, rules)


def get_review(
    db: Session, actor: Actor, review_id: int, *, today: date, rules: ReviewRules, now: datetime
) -> ComplaintReviewDetail:
    """The case with its complainant. While the case holds personal data, the read is
    written to the audit trail and committed (COMPLAINTS.md: every read is audited)."""
    detail = review_detail(db, actor, review_id, today=today, rules=rules)
    if detail.complainant is not None:
        audit.record(
            db,
            actor,
            entity=ENTITY,
            entity_id=review_id,
            action="view_personal_data",
            changes={},
            at=now,
        )
        db.commit()
    return detail


def reviewer_choices(db: Session) -> list[tuple[int, str]]:
    """Active people who can take a review (complaints reviewers and admins), by name."""
    users = db.exec(
        select(User)
        .where(col(User.role).in_(REVIEWER_ROLES), col(User.active).is_(True))
        .order_by(col(User.display_name), col(User.id))
    ).all()
    return [(u.id, u.display_name) for u in users if u.id is not None]


# Changing ------------------------------------------------------------------------------------


def _step(
    db: Session,
    review_id: int,
    actor: Actor,
    from_status: ReviewStatus | None,
    to_status: ReviewStatus,
    note: str,
    on: date,
    now: datetime,
) -> None:
    db.add(
        ReviewStep(
            review_id=review_id,
            actor=actor.label,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value,
            note=note,
            on=on,
            created_at=now,
            updated_at=now,
        )
    )


def create_review(
    db: Session, actor: Actor, data: ComplaintReviewCreate, *, now: datetime, rules: ReviewRules
) -> ComplaintReview:
    """Record a received application: flagged late if outside the window (never refused),
    with its target date under the configured rule."""
    policy.check_can_write(actor)
    today = _today(now)
    category_ids, faults = _category_faults(db, list(data.categories))
    faults = [
        *date_faults(
            outcome_sent_on=data.outcome_sent_on, received_on=data.received_on, today=today
        ),
        *faults,
        *_reviewer_faults(db, data.reviewer_id),
    ]
    if faults:
        raise Invalid(faults)
    review = ComplaintReview(
        ref=next_ref(db, "CR", data.received_on.year),
        force_ref=data.force_ref,
        outcome_sent_on=data.outcome_sent_on,
        received_on=data.received_on,
        late=is_late(data.outcome_sent_on, data.received_on),
        late_reason=data.late_reason,
        category_ids=category_ids,
        reviewer_id=data.reviewer_id,
        status=ReviewStatus.RECEIVED.value,
        target_on=target_date(data.received_on, rules),
        target_rule=rules.target_rule,
        created_at=now,
        updated_at=now,
    )
    db.add(review)
    db.flush()
    assert review.id is not None
    db.add(
        Complainant(
            review_id=review.id,
            **data.complainant.model_dump(),
            created_at=now,
            updated_at=now,
        )
    )
    _step(
        db,
        review.id,
        actor,
        None,
        ReviewStatus.RECEIVED,
        "Application received",
        data.received_on,
        now,
    )
    audit.record(
        db,
        actor,
        entity=ENTITY,
        entity_id=review.id,
        action="create",
        changes={
            **snapshot(review, REVIEW_FIELDS),
            **{f"complainant.{f}": {"before": None, "after": PERSONAL} for f in COMPLAINANT_FIELDS},
        },
        at=now,
    )
    db.commit()
    return review


def change_review(
    db: Session,
    actor: Actor,
    review_id: int,
    data: ComplaintReviewChange,
    *,
    expected_version: int,
    now: datetime,
    rules: ReviewRules,
) -> ComplaintReview:
    """Edit the case's details, dates of notices, the decision letter date and the
    complainant's details. Every fault is reported at once; an ended case is not edited.
    The decision letter counts as a contact with the complainant."""
    policy.check_can_write(actor, review_id)
    today = _today(now)
    review = _fetch(db, review_id, lock=True)
    check_version(review, expected_version)
    status = ReviewStatus(review.status)
    if status in TERMINAL_STATUSES:
        raise Conflict(
            f"review {review.ref} is {STATUS_LABELS[status].lower()} and cannot be changed"
        )
    values = data.model_dump(exclude_unset=True, exclude={"complainant"})
    faults: list[FieldError] = []
    for field in ("force_ref", "categories", "late_reason", "review_body_checked"):
        if field in values and values[field] is None:
            faults.append(FieldError((field,), "cannot be empty"))
    if values.get("categories") is not None:
        values["category_ids"], category_faults = _category_faults(db, values.pop("categories"))
        faults.extend(category_faults)
    values.pop("categories", None)
    if "reviewer_id" in values:
        faults.extend(_reviewer_faults(db, values["reviewer_id"]))
    for field in ("acknowledged_on", "force_notified_on", "interested_persons_notified_on"):
        faults.extend(
            _day_faults(field, values.get(field), not_before=review.received_on, today=today)
        )
    letter = values.get("letter_sent_on")
    if letter is not None:
        faults.extend(
            _day_faults("letter_sent_on", letter, not_before=review.received_on, today=today)
        )
        if review.decided_on is None:
            faults.append(FieldError(("letter_sent_on",), "record the decision before the letter"))
        elif letter < review.decided_on:
            faults.append(FieldError(("letter_sent_on",), "cannot be before the decision"))
    complainant = _complainant(db, review_id) if data.complainant is not None else None
    if data.complainant is not None and complainant is None:
        faults.append(FieldError(("complainant",), "the personal data of this case was purged"))
    if faults:
        raise Invalid(faults)
    if letter is not None and letter != review.letter_sent_on:
        db.add(
            ComplainantContact(
                review_id=review_id,
                contacted_on=letter,
                method=ContactMethod.LETTER.value,
                note="Decision letter sent",
                created_at=now,
                updated_at=now,
            )
        )
        values["last_contact_on"] = max(letter, review.last_contact_on or letter)
    diff = apply_changes(review, values, now=now)
    if complainant is not None and data.complainant is not None:
        personal = apply_changes(complainant, data.complainant.model_dump(), now=now)
        if personal:
            if not diff:
                review.updated_at = now
                review.version += 1
            diff.update(_masked({f"complainant.{k}": v for k, v in personal.items()}))
    if diff:
        audit.record(
            db, actor, entity=ENTITY, entity_id=review_id, action="update", changes=diff, at=now
        )
    db.commit()
    return review


def parse_status(value: str) -> ReviewStatus:
    try:
        return ReviewStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in ReviewStatus)
        raise Invalid([FieldError(("to",), f"must be one of {names}")]) from None


def _unanswered(db: Session, review_id: int) -> int:
    return sum(1 for r in _recommendations(db, review_id) if not r.responded)


def transition_review(
    db: Session,
    actor: Actor,
    review_id: int,
    request: ReviewTransitionRequest,
    *,
    expected_version: int,
    now: datetime,
    rules: ReviewRules,
) -> ComplaintReview:
    """Move a case along its lifecycle. On hold opens a hold span (the note is its reason)
    and resuming or withdrawing closes it; passing the validity check into review records
    that the OPCC is the review body; closing needs the letter date and, when upheld, the
    Force's response to every recommendation. Every way a case ends dates `closed_on`."""
    policy.check_can_write(actor, review_id)
    target = parse_status(request.to)
    today = _today(now)
    review = _fetch(db, review_id, lock=True)
    check_version(review, expected_version)
    current = ReviewStatus(review.status)
    check_transition(current, target, request.note)
    changes: dict[str, Any] = {"status": target.value}
    if target is ReviewStatus.CLOSED:
        check_can_close(
            letter_sent_on=review.letter_sent_on,
            outcome=review.outcome,
            unanswered_recommendations=_unanswered(db, review_id),
        )
    if target in TERMINAL_STATUSES:
        changes["closed_on"] = today
    if current is ReviewStatus.VALIDITY_CHECK and target is ReviewStatus.IN_REVIEW:
        changes["review_body_checked"] = True
    if target is ReviewStatus.ON_HOLD:
        db.add(
            ReviewHold(
                review_id=review_id,
                started_on=today,
                reason=request.note,
                created_at=now,
                updated_at=now,
            )
        )
    if current is ReviewStatus.ON_HOLD:
        for hold in db.exec(
            select(ReviewHold).where(
                ReviewHold.review_id == review_id, col(ReviewHold.ended_on).is_(None)
            )
        ).all():
            hold.ended_on = today
            hold.updated_at = now
            hold.version += 1
            db.add(hold)
    _step(db, review_id, actor, current, target, request.note, today, now)
    diff = apply_changes(review, changes, now=now)
    recorded: Changes = {
        **diff,
        **({"note": {"before": None, "after": request.note}} if request.note else {}),
    }
    audit.record(
        db, actor, entity=ENTITY, entity_id=review_id, action="transition", changes=recorded, at=now
    )
    db.commit()
    return review


def _force_code(db: Session) -> str:
    force = db.exec(
        select(Organisation)
        .where(Organisation.kind == "force", col(Organisation.active).is_(True))
        .order_by(col(Organisation.id))
    ).first()
    if force is None:
        raise Conflict("there is no active Force organisation in the reference data")
    return force.code


def decide_review(
    db: Session,
    actor: Actor,
    review_id: int,
    decision: ReviewDecision,
    *,
    expected_version: int,
    now: datetime,
    rules: ReviewRules,
) -> ComplaintReview:
    """Decide a case in review: the outcome, reasons and learning, and each recommendation
    as an action owned by the Force (source complaint_review; no personal data), all in one
    transaction. A bad recommendation saves nothing."""
    policy.check_can_write(actor, review_id)
    today = _today(now)
    review = _fetch(db, review_id, lock=True)
    check_version(review, expected_version)
    current = ReviewStatus(review.status)
    if current is not ReviewStatus.IN_REVIEW:
        raise InvalidTransition(
            f"only a review in review can be decided; this one is {STATUS_LABELS[current].lower()}"
        )
    decided_on = decision.decided_on or today
    wanted = [
        (
            r.text,
            r.response_due or decided_on + timedelta(days=rules.recommendation_response_days),
        )
        for r in decision.recommendations
    ]
    check_decision(
        decision.outcome,
        decision.reasons,
        wanted,
        decision.no_recommendation_reason,
        decided_on=decided_on,
        received_on=review.received_on,
        today=today,
    )
    owner = _force_code(db) if wanted else ""
    with _one_transaction(db):
        made: list[dict[str, Any]] = []
        for position, (text, response_due) in enumerate(wanted, start=1):
            action = actions.create_action(
                db,
                actor,
                ActionCreate(
                    title=f"{review.ref} recommendation {position}: {text[:150]}",
                    detail=text,
                    source_type=SourceType.COMPLAINT_REVIEW,
                    source_id=review_id,
                    owner_org=owner,
                    owner_name=FORCE_OWNER_NAME,
                    due_on=response_due,
                ),
                now=now,
            )
            assert action.id is not None
            db.add(
                Recommendation(
                    review_id=review_id,
                    position=position,
                    text=text,
                    response_due=response_due,
                    action_id=action.id,
                    created_at=now,
                    updated_at=now,
                )
            )
            made.append(
                {
                    "position": position,
                    "text": text,
                    "response_due": jsonable(response_due),
                    "action": action.ref,
                }
            )
        diff = apply_changes(
            review,
            {
                "status": ReviewStatus.DECIDED.value,
                "outcome": decision.outcome.value,
                "reasons": decision.reasons,
                "organisational_learning": decision.organisational_learning,
                "no_recommendation_reason": decision.no_recommendation_reason,
                "decided_on": decided_on,
            },
            now=now,
        )
        _step(
            db,
            review_id,
            actor,
            current,
            ReviewStatus.DECIDED,
            f"Decision: {decision.outcome.value.replace('_', ' ')}",
            decided_on,
            now,
        )
        audit.record(
            db,
            actor,
            entity=ENTITY,
            entity_id=review_id,
            action="decide",
            changes={
                **diff,
                **({"recommendations": {"before": None, "after": made}} if made else {}),
            },
            at=now,
        )
        db.commit()
    return review


def record_contact(
    db: Session, actor: Actor, review_id: int, data: ComplainantContactCreate, *, now: datetime
) -> ComplainantContact:
    """A progress update to the complainant (reg 34): restarts the 4-week clock."""
    policy.check_can_write(actor, review_id)
    today = _today(now)
    review = _fetch(db, review_id, lock=True)
    faults = _day_faults(
        "contacted_on", data.contacted_on, not_before=review.received_on, today=today
    )
    if faults:
        raise Invalid(faults)
    contact = ComplainantContact(
        review_id=review_id,
        contacted_on=data.contacted_on,
        method=data.method.value,
        note=data.note,
        created_at=now,
        updated_at=now,
    )
    db.add(contact)
    db.flush()
    assert contact.id is not None
    latest = max(data.contacted_on, review.last_contact_on or data.contacted_on)
    diff = apply_changes(review, {"last_contact_on": latest}, now=now)
    if not diff:
        review.updated_at = now
        review.version += 1
    audit.record(
        db,
        actor,
        entity="complainant_contact",
        entity_id=contact.id,
        action="create",
        changes={
            "review_id": {"before": None, "after": review_id},
            "contacted_on": {"before": None, "after": jsonable(data.contacted_on)},
            "method": {"before": None, "after": data.method.value},
            # A note to or about the complainant may hold personal data.
            **({"note": {"before": None, "after": PERSONAL}} if data.note else {}),
        },
        at=now,
    )
    db.commit()
    return contact
