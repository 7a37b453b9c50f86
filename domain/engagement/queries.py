"""Reading engagements: the filtered lists, the engagement page, coverage, topics over time,
parish surgery attendance, the public "you said, we did" feed and pre-election periods.
Counts are SQL aggregates (GROUP BY); a list costs one query plus one per lookup table."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, exists, extract, func, or_
from sqlalchemy import select as sql_select
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor
from domain.actions import policy as action_policy
from domain.actions.rules import ActionStatus, SourceType, is_overdue
from domain.actions.tables import Action
from domain.engagement import policy, rules
from domain.engagement.rules import (
    KIND_LABELS,
    LINE_OUTCOME_LABELS,
    OUTCOME_STATUS,
    CoverageCount,
    EngagementKind,
    Lead,
    LineOutcome,
    PeriodSpan,
)
from domain.engagement.schemas import (
    CoverageItem,
    CoverageRead,
    DebriefActionRead,
    EngagementDetail,
    EngagementDetailForOpcc,
    EngagementIssueRead,
    EngagementRead,
    EngagementReadForOpcc,
    ParishAttendance,
    ParishAttendanceRead,
    PreElectionPeriodRead,
    PublicLine,
    TopicCount,
    TopicsOverTime,
)
from domain.engagement.tables import Engagement, EngagementIssue, IssueAction, PreElectionPeriod
from domain.errors import NotFound
from domain.listing import Page, PageRequest, SortKey, paginate
from domain.reference.tables import Area, NeighbourhoodPolicingArea, Organisation, Topic

NEWEST_FIRST = SortKey("-held_on", Engagement.held_on, descending=True)


@dataclass(frozen=True)
class Lookups:
    """The small reference tables the views need, loaded once per call."""

    areas: dict[int, Area]
    npas: dict[int, NeighbourhoodPolicingArea]

    @classmethod
    def load(cls, db: Session) -> Lookups:
        return cls(
            areas={a.id: a for a in db.exec(select(Area)).all() if a.id is not None},
            npas={
                n.id: n
                for n in db.exec(select(NeighbourhoodPolicingArea)).all()
                if n.id is not None
            },
        )


def fetch(db: Session, table: Any, record_id: int, what: str, *, lock: bool = False) -> Any:
    found = db.get(table, record_id, with_for_update=lock)
    if found is None:
        raise NotFound(f"no {what} with id {record_id}")
    return found


def read_schema(actor: Actor) -> type[EngagementRead]:
    """The list shape this actor gets (CSV columns follow it)."""
    return EngagementReadForOpcc if policy.sees_named_contacts(actor) else EngagementRead


def visibility_class(actor: Actor) -> str:
    """What this actor's engagement lists show, shared by every caller who sees the same
    (the response cache keys on it): named contacts are personal data, so those who see
    them never share an answer with those who do not. Checks read access."""
    policy.check_can_read(actor)
    return f"engagements:{'named-contacts' if policy.sees_named_contacts(actor) else 'reduced'}"


# Engagements ----------------------------------------------------------------------------------


def _values(engagement: Engagement, lookups: Lookups, issue_count: int) -> dict[str, Any]:
    area = lookups.areas[engagement.area_id]
    npa = lookups.npas.get(engagement.npa_id) if engagement.npa_id is not None else None
    kind = EngagementKind(engagement.kind)
    return {
        **engagement.model_dump(exclude={"area_id", "npa_id", "named_contacts", "kind", "lead"}),
        "kind": kind,
        "kind_label": KIND_LABELS[kind],
        "lead": Lead(engagement.lead),
        "area": area.code,
        "area_name": area.name,
        "npa": npa.code if npa else None,
        "npa_name": npa.name if npa else None,
        "organisations_met": list(engagement.organisations_met),
        "issue_count": issue_count,
    }


def engagement_view(
    engagement: Engagement, lookups: Lookups, issue_count: int, actor: Actor
) -> EngagementRead:
    values = _values(engagement, lookups, issue_count)
    if policy.sees_named_contacts(actor):
        return EngagementReadForOpcc(**values, named_contacts=engagement.named_contacts)
    return EngagementRead(**values)


def _issue_counts(db: Session, ids: list[int]) -> dict[int, int]:
    if not ids:
        return {}
    rows = db.exec(
        select(EngagementIssue.engagement_id, func.count())
        .where(col(EngagementIssue.engagement_id).in_(ids))
        .group_by(col(EngagementIssue.engagement_id))
    ).all()
    return {engagement_id: int(n) for engagement_id, n in rows}


def views(db: Session, actor: Actor, engagements: list[Engagement]) -> list[EngagementRead]:
    lookups = Lookups.load(db)
    counts = _issue_counts(db, [e.id for e in engagements if e.id is not None])
    return [engagement_view(e, lookups, counts.get(e.id or 0, 0), actor) for e in engagements]


def filtered(
    *,
    kind: EngagementKind | None,
    area: str | None,
    npa: str | None,
    from_: date | None,
    to: date | None,
) -> Any:
    """The SELECT for a filtered list: area and NPA by code (an unknown code finds none)."""
    stmt = select(Engagement)
    if kind is not None:
        stmt = stmt.where(Engagement.kind == EngagementKind(kind).value)
    if area:
        stmt = stmt.where(col(Engagement.area_id).in_(select(Area.id).where(Area.code == area)))
    if npa:
        stmt = stmt.where(
            col(Engagement.npa_id).in_(
                select(NeighbourhoodPolicingArea.id).where(NeighbourhoodPolicingArea.code == npa)
            )
        )
    if from_ is not None:
        stmt = stmt.where(col(Engagement.held_on) >= from_)
    if to is not None:
        stmt = stmt.where(col(Engagement.held_on) <= to)
    return stmt


def list_engagements(
    db: Session,
    actor: Actor,
    *,
    kind: EngagementKind | None,
    area: str | None,
    npa: str | None,
    from_: date | None,
    to: date | None,
    page: PageRequest,
) -> Page[EngagementRead]:
    """Newest engagement first (by date) unless the caller syncs with updated_since."""
    policy.check_can_read(actor)
    found = paginate(
        db,
        filtered(kind=kind, area=area, npa=npa, from_=from_, to=to),
        id_column=Engagement.id,
        stamp_column=Engagement.updated_at,
        page=page,
        sort=NEWEST_FIRST,
    )
    return Page(items=views(db, actor, list(found.items)), next_cursor=found.next_cursor)


def count_engagements(
    db: Session,
    actor: Actor,
    *,
    kind: EngagementKind | None,
    area: str | None,
    npa: str | None,
    from_: date | None,
    to: date | None,
) -> int:
    policy.check_can_read(actor)
    stmt = filtered(kind=kind, area=area, npa=npa, from_=from_, to=to)
    return int(db.exec(select(func.count()).select_from(stmt.subquery())).one())


def calendar_month(db: Session, actor: Actor, *, month: date) -> list[EngagementRead]:
    """Every engagement in the calendar month of `month`, by date (the reduced view)."""
    policy.check_can_read(actor)
    first = month.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    found = db.exec(
        select(Engagement)
        .where(col(Engagement.held_on) >= first, col(Engagement.held_on) < following)
        .order_by(col(Engagement.held_on), col(Engagement.id))
    ).all()
    lookups = Lookups.load(db)
    counts = _issue_counts(db, [e.id for e in found if e.id is not None])
    return [
        EngagementRead(**_values(e, lookups, counts.get(e.id or 0, 0)))
        for e in found
        if e.id is not None
    ]


def get_engagement_record(db: Session, actor: Actor, engagement_id: int) -> Engagement:
    policy.check_can_read(actor)
    found: Engagement = fetch(db, Engagement, engagement_id, "engagement")
    return found


def engagement_read(db: Session, actor: Actor, engagement: Engagement) -> EngagementRead:
    """The read view of an engagement a change returned (for a response body)."""
    return views(db, actor, [engagement])[0]


def get_engagement(
    db: Session, actor: Actor, engagement_id: int, *, today: date
) -> EngagementDetail:
    """The engagement page: the engagement, its issues and their debrief actions."""
    engagement = get_engagement_record(db, actor, engagement_id)
    issues = _issues_of(db, actor, engagement_id, today)
    values = _values(engagement, Lookups.load(db), len(issues))
    if policy.sees_named_contacts(actor):
        return EngagementDetailForOpcc(
            **values, issues=issues, named_contacts=engagement.named_contacts
        )
    return EngagementDetail(**values, issues=issues)


# Issues and their actions ---------------------------------------------------------------------


def debrief_action_view(
    action: Action, orgs: dict[int, Organisation], today: date
) -> DebriefActionRead:
    org = orgs[action.owner_org_id]
    status = ActionStatus(action.status)
    return DebriefActionRead(
        id=action.id or 0,
        ref=action.ref,
        title=action.title,
        status=status,
        owner_org=org.code,
        owner_org_name=org.name,
        owner_name=action.owner_name,
        due_on=action.due_on,
        overdue=is_overdue(status, action.due_on, today),
        public=action.public,
        told_on=action.told_on,
        line=action.you_said_we_did,
        line_outcome=LineOutcome(action.line_outcome) if action.line_outcome else None,
        line_reason=action.line_reason,
        version=action.version,
    )


def issue_views(
    db: Session, actor: Actor, issues: list[EngagementIssue], today: date
) -> list[EngagementIssueRead]:
    """Issues with their actions: one query for the actions of all of them."""
    ids = [i.id for i in issues if i.id is not None]
    actions: dict[int, list[DebriefActionRead]] = {i: [] for i in ids}
    if ids and policy.sees_actions(actor):
        stmt = (
            select(IssueAction.issue_id, Action)
            .join(Action, col(Action.id) == col(IssueAction.action_id))
            .where(col(IssueAction.issue_id).in_(ids))
            .order_by(col(Action.id))
        )
        visible = action_policy.visible_filter(actor)
        if visible is not None:
            stmt = stmt.where(visible)
        rows = db.exec(stmt).all()
        if rows:
            orgs = {o.id: o for o in db.exec(select(Organisation)).all() if o.id is not None}
            for issue_id, action in rows:
                actions[issue_id].append(debrief_action_view(action, orgs, today))
    topics = {t.id: t for t in db.exec(select(Topic)).all() if t.id is not None} if ids else {}
    return [
        EngagementIssueRead(
            **i.model_dump(exclude={"topic_id"}),
            topic=topics[i.topic_id].code,
            topic_name=topics[i.topic_id].name,
            actions=actions[i.id],
        )
        for i in issues
        if i.id is not None
    ]


def _issues_of(
    db: Session, actor: Actor, engagement_id: int, today: date
) -> list[EngagementIssueRead]:
    issues = db.exec(
        select(EngagementIssue)
        .where(EngagementIssue.engagement_id == engagement_id)
        .order_by(col(EngagementIssue.position), col(EngagementIssue.id))
    ).all()
    return issue_views(db, actor, list(issues), today)


def list_issues(
    db: Session, actor: Actor, engagement_id: int, *, today: date
) -> list[EngagementIssueRead]:
    get_engagement_record(db, actor, engagement_id)
    return _issues_of(db, actor, engagement_id, today)


def issue_read(
    db: Session, actor: Actor, issue: EngagementIssue, *, today: date
) -> EngagementIssueRead:
    """The read view of an issue a change returned (for a response body)."""
    return issue_views(db, actor, [issue], today)[0]


# Coverage and trends --------------------------------------------------------------------------


def _in_range(from_: date, to: date) -> Any:
    return and_(col(Engagement.held_on) >= from_, col(Engagement.held_on) <= to)


def _listed_areas(db: Session, counted: set[int]) -> list[Area]:
    """Every active area by name, and any retired one that still has engagements counted."""
    return [
        a
        for a in db.exec(select(Area).order_by(col(Area.name), col(Area.id))).all()
        if a.active or a.id in counted
    ]


def coverage_counts(db: Session, actor: Actor, *, from_: date, to: date) -> list[CoverageCount]:
    """Engagements per area in the range, every area listed (zeros included), with the
    tile positions of the schematic map."""
    policy.check_can_read(actor)
    rules.check_range(from_, to)
    by_area = {
        area_id: int(n)
        for area_id, n in db.exec(
            select(Engagement.area_id, func.count())
            .where(_in_range(from_, to))
            .group_by(col(Engagement.area_id))
        ).all()
    }
    areas = _listed_areas(db, set(by_area))
    return rules.coverage_rows(
        [(a.code, a.name, a.tile_row, a.tile_col) for a in areas],
        {a.code: by_area[a.id] for a in areas if a.id in by_area},
    )


def coverage(db: Session, actor: Actor, *, from_: date, to: date) -> CoverageRead:
    rows = coverage_counts(db, actor, from_=from_, to=to)
    return CoverageRead(
        from_=from_,
        to=to,
        items=[
            CoverageItem(area_code=r.area_code, area_name=r.area_name, count=r.count) for r in rows
        ],
    )


def topics_over_time(db: Session, actor: Actor, *, from_: date, to: date) -> TopicsOverTime:
    """Issues raised (and the people raising them) per topic per calendar month; only topics
    raised at least once in the range, the most raised first."""
    policy.check_can_read(actor)
    rules.check_range(from_, to)
    year = extract("year", col(Engagement.held_on))
    month = extract("month", col(Engagement.held_on))
    rows = db.execute(
        sql_select(
            col(EngagementIssue.topic_id),
            year,
            month,
            func.count(col(EngagementIssue.id)),
            func.sum(col(EngagementIssue.people_count)),
        )
        .join(Engagement, col(Engagement.id) == col(EngagementIssue.engagement_id))
        .where(_in_range(from_, to))
        .group_by(col(EngagementIssue.topic_id), year, month)
    ).all()
    months = rules.month_keys(from_, to)
    slot = {key: n for n, key in enumerate(months)}
    counts: dict[int, list[int]] = {}
    people: dict[int, list[int]] = {}
    for topic_id, y, m, n, p in rows:
        key = f"{int(y):04d}-{int(m):02d}"
        counts.setdefault(topic_id, [0] * len(months))[slot[key]] = int(n)
        people.setdefault(topic_id, [0] * len(months))[slot[key]] = int(p or 0)
    topics = (
        {t.id: t for t in db.exec(select(Topic).where(col(Topic.id).in_(counts))).all()}
        if counts
        else {}
    )
    shown = [
        TopicCount(
            topic=topics[topic_id].code,
            topic_name=topics[topic_id].name,
            counts=counts[topic_id],
            people=people[topic_id],
            total=sum(counts[topic_id]),
        )
        for topic_id in counts
    ]
    shown.sort(key=lambda t: (-t.total, t.topic_name))
    return TopicsOverTime(from_=from_, to=to, months=months, topics=shown)


def parish_attendance(db: Session, actor: Actor, *, from_: date, to: date) -> ParishAttendanceRead:
    """Parish council surgeries per district in the range: how many were held, councils
    invited and councils attended (summed); every area listed."""
    policy.check_can_read(actor)
    rules.check_range(from_, to)
    rows = db.exec(
        select(
            Engagement.area_id,
            func.count(),
            func.sum(func.coalesce(col(Engagement.councils_invited), 0)),
            func.sum(func.coalesce(col(Engagement.councils_attended), 0)),
        )
        .where(
            _in_range(from_, to),
            Engagement.kind == EngagementKind.PARISH_SURGERY.value,
        )
        .group_by(col(Engagement.area_id))
    ).all()
    by_area = {area_id: (int(n), int(i or 0), int(a or 0)) for area_id, n, i, a in rows}
    items = []
    for area in _listed_areas(db, set(by_area)):
        surgeries, invited, attended = by_area.get(area.id or 0, (0, 0, 0))
        items.append(
            ParishAttendance(
                area_code=area.code,
                area_name=area.name,
                surgeries=surgeries,
                councils_invited=invited,
                councils_attended=attended,
            )
        )
    return ParishAttendanceRead(from_=from_, to=to, items=items)


# The public feed ------------------------------------------------------------------------------


def _line_true() -> Any:
    """The line's outcome still matches the action's status (rules.line_status_matches)."""
    return or_(
        *(
            and_(col(Action.line_outcome) == outcome.value, col(Action.status) == status)
            for outcome, status in OUTCOME_STATUS.items()
        )
    )


def _not_paused(today: date) -> Any:
    """rules.line_hidden in SQL: no pre-election period in force today started on or before
    the day the people were told."""
    return ~exists(
        select(PreElectionPeriod.id).where(
            col(PreElectionPeriod.starts_on) <= today,
            or_(col(PreElectionPeriod.ends_on).is_(None), col(PreElectionPeriod.ends_on) >= today),
            col(PreElectionPeriod.starts_on) <= col(Action.told_on),
        )
    )


def public_lines(db: Session, *, today: date) -> list[PublicLine]:
    """The "you said, we did" lines marked public, newest told first, honouring any
    pre-election period in force. No names: the line, its outcome, the area and topic."""
    rows = db.execute(
        sql_select(
            col(Action.ref),
            col(Action.you_said_we_did),
            col(Action.line_outcome),
            col(Action.line_reason),
            col(Action.told_on),
            col(Area.name),
            col(Topic.name),
        )
        .join(
            Engagement,
            and_(
                col(Action.source_type) == SourceType.ENGAGEMENT.value,
                col(Engagement.id) == col(Action.source_id),
            ),
        )
        .join(Area, col(Area.id) == col(Engagement.area_id))
        .outerjoin(IssueAction, col(IssueAction.action_id) == col(Action.id))
        .outerjoin(EngagementIssue, col(EngagementIssue.id) == col(IssueAction.issue_id))
        .outerjoin(Topic, col(Topic.id) == col(EngagementIssue.topic_id))
        .where(
            col(Action.public) == True,  # noqa: E712
            col(Action.you_said_we_did) != "",
            col(Action.told_on).is_not(None),
            _line_true(),
            _not_paused(today),
        )
        .order_by(col(Action.told_on).desc(), col(Action.id).desc())
    ).all()
    return [
        PublicLine(
            action_ref=ref,
            line=line,
            outcome=LineOutcome(outcome),
            outcome_label=LINE_OUTCOME_LABELS[LineOutcome(outcome)],
            reason=reason if outcome == LineOutcome.NOT_DOING else "",
            told_on=told_on,
            area_name=area_name,
            topic_name=topic_name,
        )
        for ref, line, outcome, reason, told_on, area_name, topic_name in rows
    ]


# Pre-election periods -------------------------------------------------------------------------


def span(period: PreElectionPeriod) -> PeriodSpan:
    return PeriodSpan(starts_on=period.starts_on, ends_on=period.ends_on)


def period_read(period: PreElectionPeriod, *, today: date) -> PreElectionPeriodRead:
    return PreElectionPeriodRead(
        **period.model_dump(), in_force=rules.in_force(span(period), today)
    )


def list_periods(
    db: Session, actor: Actor, *, today: date | None = None
) -> list[PreElectionPeriodRead]:
    """Every period, the latest first (`today` decides which is in force; default: the
    date of the UK today, for callers without a clock of their own)."""
    policy.check_can_read(actor)
    day = today or _uk_today()
    found = db.exec(
        select(PreElectionPeriod).order_by(
            col(PreElectionPeriod.starts_on).desc(), col(PreElectionPeriod.id).desc()
        )
    ).all()
    return [period_read(p, today=day) for p in found]


def get_period_record(db: Session, actor: Actor, period_id: int) -> PreElectionPeriod:
    policy.check_can_read(actor)
    found: PreElectionPeriod = fetch(db, PreElectionPeriod, period_id, "pre-election period")
    return found


def get_period(
    db: Session, actor: Actor, period_id: int, *, today: date | None = None
) -> PreElectionPeriodRead:
    return period_read(get_period_record(db, actor, period_id), today=today or _uk_today())


def period_in_force(db: Session, *, today: date) -> PreElectionPeriodRead | None:
    """The pre-election period in force today, if any (no actor: the public page asks)."""
    found = db.exec(
        select(PreElectionPeriod)
        .where(
            col(PreElectionPeriod.starts_on) <= today,
            or_(col(PreElectionPeriod.ends_on).is_(None), col(PreElectionPeriod.ends_on) >= today),
        )
        .order_by(col(PreElectionPeriod.starts_on), col(PreElectionPeriod.id))
        .limit(1)
    ).first()
    return None if found is None else period_read(found, today=today)


def _uk_today() -> date:
    from domain import clock

    return clock.today()
