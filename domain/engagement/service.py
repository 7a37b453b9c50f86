"""Use cases of the engagement context: record an engagement with its whole debrief (issues
and their actions) in one transaction, change it, add an issue, close the loop on a debrief
action, and set pre-election periods. Every change checks policy, validates everything
before it writes (all faults reported at once, nothing saved), writes its audit events in
the same transaction, and commits once. Reads live in queries.py and are re-exported here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, col, func, select

from domain.accounts.policy import require
from domain.accounts.rules import Actor, Scope
from domain.actions import service as actions
from domain.actions.rules import SourceType
from domain.actions.schemas import ActionCreate
from domain.actions.tables import Action
from domain.audit import service as audit
from domain.engagement import policy, registration, rules
from domain.engagement.queries import (
    calendar_month,
    count_engagements,
    coverage,
    coverage_counts,
    engagement_read,
    fetch,
    get_engagement,
    get_engagement_record,
    get_period,
    get_period_record,
    issue_read,
    list_engagements,
    list_issues,
    list_periods,
    parish_attendance,
    period_in_force,
    period_read,
    public_lines,
    read_schema,
    span,
    topics_over_time,
)
from domain.engagement.rules import LineOutcome
from domain.engagement.schemas import (
    DebriefActionIn,
    EngagementChange,
    EngagementCreate,
    EngagementIssueCreate,
    LoopClosing,
    PreElectionPeriodChange,
    PreElectionPeriodCreate,
)
from domain.engagement.tables import Engagement, EngagementIssue, IssueAction, PreElectionPeriod
from domain.errors import FieldError, Invalid, NotFound
from domain.reference.tables import Area, NeighbourhoodPolicingArea, Organisation, Topic
from domain.versioning import Changes, apply_changes, check_version, jsonable, snapshot

registration.register()  # engagements as action sources, once the service is in use

__all__ = [
    "add_issue",
    "calendar_month",
    "change_engagement",
    "change_period",
    "close_the_loop",
    "count_engagements",
    "coverage",
    "coverage_counts",
    "create_period",
    "delete_period",
    "engagement_read",
    "get_engagement",
    "get_engagement_record",
    "get_period",
    "get_period_record",
    "issue_read",
    "list_engagements",
    "list_issues",
    "list_periods",
    "parish_attendance",
    "period_in_force",
    "period_read",
    "public_lines",
    "read_schema",
    "record_engagement",
    "topics_over_time",
]

ENGAGEMENT_FIELDS = [
    "held_on",
    "kind",
    "lead",
    "lead_name",
    "area_id",
    "ward",
    "npa_id",
    "organisations_met",
    "people_count",
    "summary",
    "named_contacts",
    "councils_invited",
    "councils_attended",
]
ISSUE_FIELDS = ["engagement_id", "position", "topic_id", "description", "people_count"]
PERIOD_FIELDS = ["label", "starts_on", "ends_on"]
# Personal data stays out of the append-only audit trail: the event says it changed.
PERSONAL_FIELDS = frozenset({"named_contacts"})
PERSONAL_MARK = "[personal data]"
NOT_NULL = (
    "held_on",
    "kind",
    "lead",
    "lead_name",
    "area",
    "ward",
    "organisations_met",
    "people_count",
    "summary",
    "named_contacts",
)


# Transactions and audit -----------------------------------------------------------------------


@contextmanager
def _all_or_nothing(db: Session) -> Iterator[None]:
    """One commit for a change made of several service calls (create_action commits): the
    house UnitOfWork holds those commits until the block ends. On any error the session is
    rolled back, so nothing of the change is left behind even in this session."""
    hold = getattr(db, "one_transaction", None)
    try:
        if hold is None:
            yield
            db.commit()
        else:
            with hold():
                yield
    except BaseException:
        db.rollback()
        raise


def _private(changes: Changes) -> Changes:
    return {
        field: (
            {
                "before": PERSONAL_MARK if change["before"] else change["before"],
                "after": PERSONAL_MARK if change["after"] else change["after"],
            }
            if field in PERSONAL_FIELDS
            else change
        )
        for field, change in changes.items()
    }


def _touch(record: Any, now: datetime) -> None:
    """A record whose read view changed through a linked record: a new version."""
    record.updated_at = now
    record.version += 1


# Reference codes ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Codes:
    """Reference rows by code, loaded once per change (one query per table)."""

    areas: dict[str, Area]
    npas: dict[str, NeighbourhoodPolicingArea]
    topics: dict[str, Topic]
    orgs: dict[str, Organisation]

    @classmethod
    def load(cls, db: Session) -> _Codes:
        return cls(
            areas={a.code: a for a in db.exec(select(Area)).all()},
            npas={n.code: n for n in db.exec(select(NeighbourhoodPolicingArea)).all()},
            topics={t.code: t for t in db.exec(select(Topic)).all()},
            orgs={o.code: o for o in db.exec(select(Organisation)).all()},
        )

    def area(self, code: str, loc: tuple[str | int, ...], faults: list[FieldError]) -> Area | None:
        found = self.areas.get(code)
        if found is None or not found.active:
            faults.append(FieldError(loc, f"there is no area with code {code!r}"))
            return None
        return found

    def npa(
        self, code: str, loc: tuple[str | int, ...], faults: list[FieldError]
    ) -> NeighbourhoodPolicingArea | None:
        found = self.npas.get(code)
        if found is None or not found.active:
            faults.append(
                FieldError(loc, f"there is no Neighbourhood Policing Area with code {code!r}")
            )
            return None
        return found

    def topic(
        self, code: str, loc: tuple[str | int, ...], faults: list[FieldError]
    ) -> Topic | None:
        found = self.topics.get(code)
        if found is None or not found.active:
            faults.append(FieldError(loc, f"there is no topic with code {code!r}"))
            return None
        return found

    def org(
        self, code: str, loc: tuple[str | int, ...], faults: list[FieldError]
    ) -> Organisation | None:
        found = self.orgs.get(code)
        if found is None or not found.active:
            faults.append(FieldError(loc, f"there is no organisation with code {code!r}"))
            return None
        return found


def _npa_faults(
    area: Area | None, npa: NeighbourhoodPolicingArea | None, area_id: int | None
) -> list[FieldError]:
    """An NPA lies inside one area: the engagement's NPA must be one of its area's."""
    if npa is None or area_id is None or npa.area_id == area_id:
        return []
    where = area.name if area is not None else "the engagement's area"
    return [FieldError(("npa",), f"{npa.name} is not a Neighbourhood Policing Area of {where}")]


def _issue_faults(
    codes: _Codes, issue: EngagementIssueCreate, prefix: tuple[str | int, ...]
) -> list[FieldError]:
    faults: list[FieldError] = []
    codes.topic(issue.topic, (*prefix, "topic"), faults)
    for j, action in enumerate(issue.actions):
        codes.org(action.owner_org, (*prefix, "actions", j, "owner_org"), faults)
    return faults


def _check_can_log_actions(actor: Actor, issues: list[EngagementIssueCreate]) -> None:
    """Debrief actions are actions: logging them also needs write:actions."""
    if any(issue.actions for issue in issues):
        require(actor, Scope.WRITE_ACTIONS)


# Engagements ----------------------------------------------------------------------------------


def _add_issue(
    db: Session,
    actor: Actor,
    engagement: Engagement,
    area_code: str,
    position: int,
    issue: EngagementIssueCreate,
    topic_id: int,
    now: datetime,
) -> EngagementIssue:
    """An issue and its debrief actions (through the actions service, source `engagement`),
    each action linked to the issue. The caller holds the transaction."""
    assert engagement.id is not None
    row = EngagementIssue(
        engagement_id=engagement.id,
        position=position,
        topic_id=topic_id,
        description=issue.description,
        people_count=issue.people_count,
        created_at=now,
        updated_at=now,
    )
    audit.created(db, actor, row, entity="engagement_issue", fields=ISSUE_FIELDS, at=now)
    assert row.id is not None
    for action in issue.actions:
        made = actions.create_action(
            db, actor, _action_create(action, engagement, area_code), now=now
        )
        assert made.id is not None
        db.add(IssueAction(issue_id=row.id, action_id=made.id))
    return row


def _action_create(action: DebriefActionIn, engagement: Engagement, area_code: str) -> ActionCreate:
    return ActionCreate(
        title=action.title,
        detail=action.detail,
        owner_org=action.owner_org,
        owner_name=action.owner_name,
        area=area_code,
        due_on=action.due_on,
        public=action.public,
        source_type=SourceType.ENGAGEMENT,
        source_id=engagement.id,
    )


def record_engagement(
    db: Session, actor: Actor, data: EngagementCreate, *, now: datetime, today: date | None = None
) -> Engagement:
    """The one-flow debrief: the engagement, its issues and their actions, all or nothing.
    Every fault in the whole debrief is reported at once (locs like
    ("issues", 0, "actions", 1, "owner_org")) and nothing is saved."""
    policy.check_can_write(actor)
    _check_can_log_actions(actor, data.issues)
    day = today or now.date()
    codes = _Codes.load(db)
    faults: list[FieldError] = []
    area = codes.area(data.area, ("area",), faults)
    npa = codes.npa(data.npa, ("npa",), faults) if data.npa is not None else None
    faults += _npa_faults(area, npa, area.id if area else None)
    faults += rules.held_on_faults(data.held_on, day)
    faults += rules.attendance_faults(data.kind, data.councils_invited, data.councils_attended)
    for i, issue in enumerate(data.issues):
        faults += _issue_faults(codes, issue, ("issues", i))
    if faults:
        raise Invalid(faults)
    assert area is not None and area.id is not None
    with _all_or_nothing(db):
        engagement = Engagement(
            **data.model_dump(exclude={"issues", "area", "npa", "kind", "lead"}),
            kind=data.kind.value,
            lead=data.lead.value,
            area_id=area.id,
            npa_id=npa.id if npa else None,
            created_at=now,
            updated_at=now,
        )
        db.add(engagement)
        db.flush()
        assert engagement.id is not None
        audit.record(
            db,
            actor,
            entity="engagement",
            entity_id=engagement.id,
            action="create",
            changes=_private(snapshot(engagement, ENGAGEMENT_FIELDS)),
            at=now,
        )
        for position, issue in enumerate(data.issues, start=1):
            topic = codes.topics[issue.topic]
            assert topic.id is not None
            _add_issue(db, actor, engagement, area.code, position, issue, topic.id, now)
        db.commit()
    return engagement


def change_engagement(
    db: Session,
    actor: Actor,
    engagement_id: int,
    data: EngagementChange,
    *,
    expected_version: int,
    now: datetime,
    today: date | None = None,
) -> Engagement:
    """Edit the engagement's own fields (issues are added one by one). The result is
    checked as a whole: changing the kind away from a parish surgery needs the council
    counts cleared, changing the area needs an NPA of the new area."""
    policy.check_can_write(actor)
    engagement: Engagement = fetch(db, Engagement, engagement_id, "engagement", lock=True)
    check_version(engagement, expected_version)
    values = data.model_dump(exclude_unset=True)
    faults = [
        FieldError((field,), "cannot be empty")
        for field in NOT_NULL
        if field in values and values[field] is None
    ]
    codes = _Codes.load(db)
    area: Area | None = None
    if values.get("area") is not None:
        area = codes.area(values.pop("area"), ("area",), faults)
        if area is not None:
            values["area_id"] = area.id
    values.pop("area", None)
    npa: NeighbourhoodPolicingArea | None = None
    if "npa" in values:
        code = values.pop("npa")
        npa = codes.npa(code, ("npa",), faults) if code is not None else None
        values["npa_id"] = npa.id if npa else None
    elif engagement.npa_id is not None:
        npa = db.get(NeighbourhoodPolicingArea, engagement.npa_id)
    if "area_id" in values or npa is not None:
        faults += _npa_faults(
            area or db.get(Area, engagement.area_id), npa, values.get("area_id", engagement.area_id)
        )
    if values.get("held_on") is not None and values["held_on"] != engagement.held_on:
        faults += rules.held_on_faults(values["held_on"], today or now.date())
    if not any(f.loc == ("kind",) for f in faults):
        faults += rules.attendance_faults(
            values.get("kind") or engagement.kind,
            values.get("councils_invited", engagement.councils_invited),
            values.get("councils_attended", engagement.councils_attended),
        )
    if faults:
        raise Invalid(faults)
    for field in ("kind", "lead"):
        if field in values:
            values[field] = values[field].value
    diff = apply_changes(engagement, values, now=now)
    if diff:
        audit.record(
            db,
            actor,
            entity="engagement",
            entity_id=engagement_id,
            action="update",
            changes=_private(diff),
            at=now,
        )
    db.commit()
    return engagement


def add_issue(
    db: Session, actor: Actor, engagement_id: int, data: EngagementIssueCreate, *, now: datetime
) -> EngagementIssue:
    """One more issue raised at an engagement, with its actions, in one transaction."""
    policy.check_can_write(actor)
    _check_can_log_actions(actor, [data])
    engagement: Engagement = fetch(db, Engagement, engagement_id, "engagement", lock=True)
    codes = _Codes.load(db)
    faults = _issue_faults(codes, data, ())
    if faults:
        raise Invalid(faults)
    area = db.get(Area, engagement.area_id)
    topic = codes.topics[data.topic]
    assert area is not None and topic.id is not None
    last = db.exec(
        select(func.max(EngagementIssue.position)).where(
            EngagementIssue.engagement_id == engagement_id
        )
    ).one()
    with _all_or_nothing(db):
        issue = _add_issue(db, actor, engagement, area.code, (last or 0) + 1, data, topic.id, now)
        _touch(engagement, now)  # its issue count changed
        db.commit()
    return issue


# Closing the loop -----------------------------------------------------------------------------


def close_the_loop(
    db: Session,
    actor: Actor,
    action_id: int,
    data: LoopClosing,
    *,
    expected_version: int,
    now: datetime,
    today: date | None = None,
) -> Action:
    """Record when the people who raised it were told, and the public "you said, we did"
    line with its outcome (done, or not doing and why). Only for engagement actions."""
    policy.check_can_write(actor)
    action = db.get(Action, action_id, with_for_update=True)
    if action is None or action.source_type != SourceType.ENGAGEMENT.value:
        raise NotFound(f"no engagement action with id {action_id}")
    check_version(action, expected_version)
    rules.check_line(
        action_status=action.status,
        public=action.public,
        line=data.line,
        outcome=data.outcome,
        reason=data.reason,
        told_on=data.told_on,
        today=today or now.date(),
    )
    not_doing = data.outcome is LineOutcome.NOT_DOING
    diff = apply_changes(
        action,
        {
            "told_on": data.told_on,
            "you_said_we_did": data.line,
            "line_outcome": data.outcome.value if data.outcome else "",
            "line_reason": data.reason if not_doing else "",
        },
        now=now,
    )
    if diff:
        audit.record(
            db,
            actor,
            entity="action",
            entity_id=action_id,
            action="close_the_loop",
            changes=diff,
            at=now,
        )
    db.commit()
    return action


# Pre-election periods -------------------------------------------------------------------------


def _others(db: Session, exclude: int | None) -> list[rules.PeriodSpan]:
    stmt = select(PreElectionPeriod)
    if exclude is not None:
        stmt = stmt.where(col(PreElectionPeriod.id) != exclude)
    return [span(p) for p in db.exec(stmt).all()]


def create_period(
    db: Session, actor: Actor, data: PreElectionPeriodCreate, *, now: datetime
) -> PreElectionPeriod:
    policy.check_can_manage_periods(actor)
    rules.check_period(data.starts_on, data.ends_on)
    rules.check_no_overlap(rules.PeriodSpan(data.starts_on, data.ends_on), _others(db, None))
    period = PreElectionPeriod(**data.model_dump(), created_at=now, updated_at=now)
    audit.created(db, actor, period, entity="pre_election_period", fields=PERIOD_FIELDS, at=now)
    db.commit()
    return period


def change_period(
    db: Session,
    actor: Actor,
    period_id: int,
    data: PreElectionPeriodChange,
    *,
    expected_version: int,
    now: datetime,
) -> PreElectionPeriod:
    """Set the end once the result is known, or correct the dates (never overlapping)."""
    policy.check_can_manage_periods(actor)
    period: PreElectionPeriod = fetch(
        db, PreElectionPeriod, period_id, "pre-election period", lock=True
    )
    check_version(period, expected_version)
    values = data.model_dump(exclude_unset=True)
    faults = [
        FieldError((field,), "cannot be empty")
        for field in ("label", "starts_on")
        if field in values and values[field] is None
    ]
    if faults:
        raise Invalid(faults)
    starts_on = values.get("starts_on", period.starts_on)
    ends_on = values.get("ends_on", period.ends_on)
    rules.check_period(starts_on, ends_on)
    rules.check_no_overlap(rules.PeriodSpan(starts_on, ends_on), _others(db, period_id))
    diff = apply_changes(period, values, now=now)
    if diff:
        audit.record(
            db,
            actor,
            entity="pre_election_period",
            entity_id=period_id,
            action="update",
            changes=diff,
            at=now,
        )
    db.commit()
    return period


def delete_period(
    db: Session, actor: Actor, period_id: int, *, expected_version: int, now: datetime
) -> None:
    policy.check_can_manage_periods(actor)
    period: PreElectionPeriod = fetch(
        db, PreElectionPeriod, period_id, "pre-election period", lock=True
    )
    check_version(period, expected_version)
    audit.record(
        db,
        actor,
        entity="pre_election_period",
        entity_id=period_id,
        action="delete",
        changes={f: {"before": jsonable(getattr(period, f)), "after": None} for f in PERIOD_FIELDS},
        at=now,
    )
    db.delete(period)
    db.commit()
