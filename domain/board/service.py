"""Use cases of the board context: meetings, exception reports, escalations and their Force
responses, monitoring items, and the public board feed. Every change checks policy, writes
exactly one audit event in the same transaction, and commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from domain.accounts.rules import Actor
from domain.actions import policy as action_policy
from domain.actions.rules import ActionStatus, SourceType
from domain.actions.rules import is_overdue as action_overdue
from domain.actions.tables import Action
from domain.audit import service as audit
from domain.board import policy, registration
from domain.board.rules import (
    EscalationStatus,
    MeetingStatus,
    Recommendation,
    is_overdue,
    path_to,
    review_overdue,
)
from domain.board.schemas import (
    BoardActionSummary,
    EscalateItem,
    EscalationChange,
    EscalationCreate,
    EscalationDetail,
    EscalationHistoryEntry,
    EscalationRead,
    EscalationTransition,
    ExceptionItemIn,
    ExceptionItemRead,
    ExceptionReportChange,
    ExceptionReportCreate,
    ExceptionReportRead,
    ForceResponseCreate,
    ForceResponseRead,
    MeetingChange,
    MeetingCreate,
    MeetingDetail,
    MeetingRead,
    MonitoringChange,
    MonitoringCreate,
    MonitoringRead,
    MonitorItem,
    PublicAction,
    PublicEscalation,
    PublicMeeting,
)
from domain.board.tables import (
    BoardMeeting,
    Escalation,
    EscalationStep,
    ExceptionItem,
    ExceptionReport,
    ForceResponse,
    MonitoringItem,
)
from domain.errors import Conflict, FieldError, Invalid, NotFound, invalid
from domain.listing import Page, PageRequest, SortKey, paginate
from domain.reference.tables import BoardKind, Organisation, Topic
from domain.refs import next_ref
from domain.versioning import Changes, apply_changes, check_version, jsonable, snapshot

registration.register()  # action sources and the inbox provider, once the service is in use

MEETING_FIELDS = [
    "held_on",
    "kind_id",
    "title",
    "status",
    "chair",
    "attendees",
    "agenda",
    "summary",
    "next_meeting_on",
    "published",
]
REPORT_FIELDS = ["reported_on", "prepared_by", "title", "meeting_id"]
ESCALATION_FIELDS = [
    "ref",
    "topic_id",
    "title",
    "reason",
    "request",
    "response_due",
    "target_meeting_id",
    "status",
    "exception_item_id",
    "monitoring_item_id",
]
MONITORING_FIELDS = [
    "topic_id",
    "title",
    "reason",
    "next_review_on",
    "exception_item_id",
    "escalation_id",
    "closed",
]
ESCALATION_SORTS = {
    "response_due": SortKey("response_due", Escalation.response_due),
    "-response_due": SortKey("-response_due", Escalation.response_due, descending=True),
}


# Lookups and checks --------------------------------------------------------------------------


def _fetch(db: Session, table: Any, record_id: int, what: str, *, lock: bool = False) -> Any:
    found = db.get(table, record_id, with_for_update=lock)
    if found is None:
        raise NotFound(f"no {what} with id {record_id}")
    return found


def _topic(db: Session, code: str, loc: tuple[str | int, ...] = ("topic",)) -> Topic:
    topic = db.exec(select(Topic).where(Topic.code == code)).first()
    if topic is None or not topic.active or topic.id is None:
        raise Invalid([FieldError(loc, f"there is no topic with code {code!r}")])
    return topic


def _kind_id(db: Session, code: str) -> int:
    kind = db.exec(select(BoardKind).where(BoardKind.code == code)).first()
    if kind is None or not kind.active or kind.id is None:
        raise invalid("kind", f"there is no board kind with code {code!r}")
    return kind.id


def _check_meeting(db: Session, meeting_id: int | None, field: str) -> None:
    if meeting_id is not None and db.get(BoardMeeting, meeting_id) is None:
        raise invalid(field, f"there is no board meeting with id {meeting_id}")


def _no_nulls(values: dict[str, Any], fields: tuple[str, ...]) -> None:
    for field in fields:
        if field in values and values[field] is None:
            raise invalid(field, "cannot be empty")


@dataclass(frozen=True)
class _Lookups:
    topics: dict[int, Topic]
    kinds: dict[int, BoardKind]

    @classmethod
    def load(cls, db: Session) -> _Lookups:
        return cls(
            topics={t.id: t for t in db.exec(select(Topic)).all() if t.id is not None},
            kinds={k.id: k for k in db.exec(select(BoardKind)).all() if k.id is not None},
        )


def _long_date(day: date) -> str:
    return f"{day.day} {day:%B %Y}"


def _touch(record: Any, now: datetime) -> None:
    """A record whose read view changed through a linked record: a new version."""
    record.updated_at = now
    record.version += 1


def _change(
    db: Session,
    actor: Actor,
    table: Any,
    record_id: int,
    *,
    what: str,
    entity: str,
    expected_version: int,
    now: datetime,
    values_of: Callable[[Any], dict[str, Any]],
) -> Any:
    """The edit of one record: lock it, check the version, apply what `values_of` makes of the
    locked record (checked and converted there), write an `update` event if anything
    changed, and commit."""
    policy.check_can_write(actor)
    record = _fetch(db, table, record_id, what, lock=True)
    check_version(record, expected_version)
    diff = apply_changes(record, values_of(record), now=now)
    if diff:
        audit.record(
            db,
            actor,
            entity=entity,
            entity_id=record_id,
            action="update",
            changes=diff,
            at=now,
        )
    db.commit()
    return record


# Views ---------------------------------------------------------------------------------------


def _meeting_view(meeting: BoardMeeting, lookups: _Lookups) -> MeetingRead:
    kind = lookups.kinds[meeting.kind_id]
    return MeetingRead(
        **meeting.model_dump(exclude={"kind_id", "status"}),
        status=MeetingStatus(meeting.status),
        kind=kind.code,
        kind_name=kind.name,
    )


def _escalation_view(escalation: Escalation, lookups: _Lookups, today: date) -> EscalationRead:
    topic = lookups.topics[escalation.topic_id]
    return EscalationRead(
        **escalation.model_dump(exclude={"topic_id", "status"}),
        status=EscalationStatus(escalation.status),
        topic=topic.code,
        topic_name=topic.name,
        overdue=is_overdue(escalation.status, escalation.response_due, today),
    )


def _monitoring_view(item: MonitoringItem, lookups: _Lookups, today: date) -> MonitoringRead:
    topic = lookups.topics[item.topic_id]
    return MonitoringRead(
        **item.model_dump(exclude={"topic_id"}),
        topic=topic.code,
        topic_name=topic.name,
        overdue_review=review_overdue(item.next_review_on, today, item.closed),
    )


def _report_views(
    db: Session, reports: list[ExceptionReport], lookups: _Lookups
) -> list[ExceptionReportRead]:
    ids = [r.id for r in reports if r.id is not None]
    items: dict[int, list[ExceptionItemRead]] = {i: [] for i in ids}
    if ids:
        for item in db.exec(
            select(ExceptionItem)
            .where(col(ExceptionItem.report_id).in_(ids))
            .order_by(col(ExceptionItem.report_id), col(ExceptionItem.position))
        ).all():
            topic = lookups.topics[item.topic_id]
            items[item.report_id].append(
                ExceptionItemRead(
                    **item.model_dump(exclude={"topic_id", "report_id", "recommendation"}),
                    recommendation=Recommendation(item.recommendation),
                    topic=topic.code,
                    topic_name=topic.name,
                )
            )
    return [
        ExceptionReportRead(**r.model_dump(), items=items[r.id])
        for r in reports
        if r.id is not None
    ]


def _action_summaries(
    db: Session, actor: Actor, sources: list[tuple[SourceType, int]], today: date
) -> list[BoardActionSummary]:
    """Actions captured at a board or about an escalation, limited to what the actor sees."""
    if not sources or not policy.sees_actions(actor):
        return []
    found: list[Action] = []
    for source_type, source_id in sources:
        stmt = select(Action).where(
            Action.source_type == source_type.value, Action.source_id == source_id
        )
        visible = action_policy.visible_filter(actor)
        if visible is not None:
            stmt = stmt.where(visible)
        found.extend(db.exec(stmt.order_by(col(Action.id))).all())
    orgs = {o.id: o.code for o in db.exec(select(Organisation)).all()}
    return [
        BoardActionSummary(
            id=a.id,
            ref=a.ref,
            title=a.title,
            status=a.status,
            due_on=a.due_on,
            owner_org=orgs[a.owner_org_id],
            overdue=action_overdue(ActionStatus(a.status), a.due_on, today),
        )
        for a in found
        if a.id is not None
    ]


# Meetings ------------------------------------------------------------------------------------


def list_meetings(
    db: Session, actor: Actor, *, kind: str | None, page: PageRequest
) -> Page[MeetingRead]:
    """Newest meeting first (by date) unless the caller syncs with updated_since."""
    policy.check_can_read(actor)
    stmt = select(BoardMeeting)
    if kind:
        stmt = stmt.where(
            col(BoardMeeting.kind_id).in_(select(BoardKind.id).where(BoardKind.code == kind))
        )
    found = paginate(
        db,
        stmt,
        id_column=BoardMeeting.id,
        stamp_column=BoardMeeting.updated_at,
        page=page,
        sort=SortKey("-held_on", BoardMeeting.held_on, descending=True),
    )
    lookups = _Lookups.load(db)
    return Page(
        items=[_meeting_view(m, lookups) for m in found.items], next_cursor=found.next_cursor
    )


def get_meeting(db: Session, actor: Actor, meeting_id: int, *, today: date) -> MeetingDetail:
    policy.check_can_read(actor)
    meeting: BoardMeeting = _fetch(db, BoardMeeting, meeting_id, "board meeting")
    lookups = _Lookups.load(db)
    escalations = db.exec(
        select(Escalation)
        .where(Escalation.target_meeting_id == meeting_id)
        .order_by(col(Escalation.id))
    ).all()
    return MeetingDetail(
        **_meeting_view(meeting, lookups).model_dump(),
        escalations=[_escalation_view(e, lookups, today) for e in escalations],
        # Captured at the meeting, or about one of the escalations it took.
        actions=_action_summaries(
            db,
            actor,
            [(SourceType.BOARD_MEETING, meeting_id)]
            + [(SourceType.ESCALATION, e.id) for e in escalations if e.id is not None],
            today,
        ),
    )


def get_meeting_record(db: Session, actor: Actor, meeting_id: int) -> BoardMeeting:
    policy.check_can_read(actor)
    found: BoardMeeting = _fetch(db, BoardMeeting, meeting_id, "board meeting")
    return found


def meeting_read(db: Session, meeting: BoardMeeting) -> MeetingRead:
    """The read view of a meeting a change returned (for the API's response body)."""
    return _meeting_view(meeting, _Lookups.load(db))


def create_meeting(
    db: Session, actor: Actor, data: MeetingCreate, *, now: datetime
) -> BoardMeeting:
    policy.check_can_write(actor)
    values = data.model_dump(exclude={"kind"})
    meeting = BoardMeeting(
        **values, kind_id=_kind_id(db, data.kind), created_at=now, updated_at=now
    )
    audit.created(db, actor, meeting, entity="board_meeting", fields=MEETING_FIELDS, at=now)
    db.commit()
    return meeting


def change_meeting(
    db: Session,
    actor: Actor,
    meeting_id: int,
    data: MeetingChange,
    *,
    expected_version: int,
    now: datetime,
) -> BoardMeeting:

    def values_of(_: BoardMeeting) -> dict[str, Any]:
        values = data.model_dump(exclude_unset=True)
        _no_nulls(
            values,
            (
                "held_on",
                "kind",
                "title",
                "status",
                "chair",
                "attendees",
                "agenda",
                "summary",
                "published",
            ),
        )
        if "kind" in values:
            values["kind_id"] = _kind_id(db, values.pop("kind"))
        if "status" in values:
            values["status"] = MeetingStatus(values["status"]).value
        return values

    meeting: BoardMeeting = _change(
        db,
        actor,
        BoardMeeting,
        meeting_id,
        what="board meeting",
        entity="board_meeting",
        expected_version=expected_version,
        now=now,
        values_of=values_of,
    )
    return meeting


def next_meeting(db: Session, actor: Actor, *, today: date) -> MeetingRead | None:
    """The first planned meeting on or after today, of any kind."""
    policy.check_can_read(actor)
    found = db.exec(
        select(BoardMeeting)
        .where(
            BoardMeeting.status == MeetingStatus.PLANNED.value,
            col(BoardMeeting.held_on) >= today,
        )
        .order_by(col(BoardMeeting.held_on), col(BoardMeeting.id))
        .limit(1)
    ).first()
    return None if found is None else _meeting_view(found, _Lookups.load(db))


# Exception reports -------------------------------------------------------------------------


def list_reports(db: Session, actor: Actor, *, page: PageRequest) -> Page[ExceptionReportRead]:
    policy.check_can_read(actor)
    found = paginate(
        db,
        select(ExceptionReport),
        id_column=ExceptionReport.id,
        stamp_column=ExceptionReport.updated_at,
        page=page,
    )
    return Page(
        items=_report_views(db, list(found.items), _Lookups.load(db)),
        next_cursor=found.next_cursor,
    )


def get_report(db: Session, actor: Actor, report_id: int) -> ExceptionReportRead:
    policy.check_can_read(actor)
    report: ExceptionReport = _fetch(db, ExceptionReport, report_id, "exception report")
    return _report_views(db, [report], _Lookups.load(db))[0]


def _item_topics(db: Session, items: list[ExceptionItemIn]) -> list[int]:
    ids: list[int] = []
    errors: list[FieldError] = []
    for n, item in enumerate(items):
        try:
            topic = _topic(db, item.topic, ("items", n, "topic"))
        except Invalid as exc:
            errors.extend(exc.errors)
            continue
        assert topic.id is not None
        ids.append(topic.id)
    if errors:
        raise Invalid(errors)
    return ids


def _add_items(
    db: Session, report_id: int, items: list[ExceptionItemIn], topic_ids: list[int], now: datetime
) -> list[dict[str, Any]]:
    for position, (item, topic_id) in enumerate(zip(items, topic_ids, strict=True), start=1):
        db.add(
            ExceptionItem(
                report_id=report_id,
                position=position,
                topic_id=topic_id,
                **item.model_dump(exclude={"topic", "recommendation"}),
                recommendation=item.recommendation.value,
                created_at=now,
                updated_at=now,
            )
        )
    return [jsonable_dict(item.model_dump()) for item in items]


def jsonable_dict(values: dict[str, Any]) -> dict[str, Any]:
    return {k: jsonable(v) for k, v in values.items()}


def create_report(
    db: Session, actor: Actor, data: ExceptionReportCreate, *, now: datetime
) -> ExceptionReport:
    policy.check_can_write(actor)
    _check_meeting(db, data.meeting_id, "meeting_id")
    topic_ids = _item_topics(db, data.items)
    report = ExceptionReport(**data.model_dump(exclude={"items"}), created_at=now, updated_at=now)
    db.add(report)
    db.flush()
    assert report.id is not None
    items = _add_items(db, report.id, data.items, topic_ids, now)
    audit.record(
        db,
        actor,
        entity="exception_report",
        entity_id=report.id,
        action="create",
        changes={**snapshot(report, REPORT_FIELDS), "items": {"before": None, "after": items}},
        at=now,
    )
    db.commit()
    return report


def change_report(
    db: Session,
    actor: Actor,
    report_id: int,
    data: ExceptionReportChange,
    *,
    expected_version: int,
    now: datetime,
) -> ExceptionReport:
    """Edit the report; `items` replaces the whole list while none has been acted on."""
    policy.check_can_write(actor)
    report: ExceptionReport = _fetch(db, ExceptionReport, report_id, "exception report", lock=True)
    check_version(report, expected_version)
    values = data.model_dump(exclude_unset=True)
    _no_nulls(values, ("reported_on", "prepared_by", "title", "items"))
    if "meeting_id" in values:
        _check_meeting(db, values["meeting_id"], "meeting_id")
    new_items: list[ExceptionItemIn] | None = data.items if "items" in values else None
    values.pop("items", None)
    topic_ids = _item_topics(db, new_items) if new_items is not None else []
    old_items = list(
        db.exec(
            select(ExceptionItem)
            .where(ExceptionItem.report_id == report_id)
            .order_by(col(ExceptionItem.position))
        ).all()
    )
    if new_items is not None and any(
        i.escalation_id is not None or i.monitoring_item_id is not None for i in old_items
    ):
        raise Conflict(
            "the items cannot be replaced: one has already been escalated or put under monitoring"
        )
    diff = apply_changes(report, values, now=now)
    if new_items is not None:
        before = [
            jsonable_dict(
                {
                    **i.model_dump(
                        include={
                            "kpi_evidence",
                            "value",
                            "target",
                            "baseline",
                            "period",
                            "unit",
                            "recommendation",
                            "reasoning",
                        }
                    ),
                    "topic_id": i.topic_id,
                }
            )
            for i in old_items
        ]
        for item in old_items:
            db.delete(item)
        db.flush()
        after = _add_items(db, report_id, new_items, topic_ids, now)
        if not diff:
            _touch(report, now)
        diff["items"] = {"before": before, "after": after}
    if diff:
        audit.record(
            db,
            actor,
            entity="exception_report",
            entity_id=report_id,
            action="update",
            changes=diff,
            at=now,
        )
    db.commit()
    return report


# Escalations ---------------------------------------------------------------------------------


def _step(
    db: Session,
    escalation_id: int,
    actor: Actor,
    from_status: EscalationStatus | None,
    to_status: EscalationStatus,
    note: str,
    now: datetime,
) -> None:
    db.add(
        EscalationStep(
            escalation_id=escalation_id,
            actor=actor.label,
            from_status=from_status.value if from_status else None,
            to_status=to_status.value,
            note=note,
            at=now,
            created_at=now,
            updated_at=now,
        )
    )


def _new_escalation(
    db: Session,
    actor: Actor,
    *,
    topic_id: int,
    title: str,
    reason: str,
    request: str,
    response_due: date,
    target_meeting_id: int | None,
    exception_item_id: int | None,
    monitoring_item_id: int | None,
    note: str,
    now: datetime,
) -> Escalation:
    _check_meeting(db, target_meeting_id, "target_meeting_id")
    escalation = Escalation(
        ref=next_ref(db, "ESC", now.year),
        topic_id=topic_id,
        title=title[:200],
        reason=reason,
        request=request,
        response_due=response_due,
        target_meeting_id=target_meeting_id,
        status=EscalationStatus.AWAITING_RESPONSE.value,
        exception_item_id=exception_item_id,
        monitoring_item_id=monitoring_item_id,
        created_at=now,
        updated_at=now,
    )
    db.add(escalation)
    db.flush()
    assert escalation.id is not None
    _step(db, escalation.id, actor, None, EscalationStatus.AWAITING_RESPONSE, note, now)
    return escalation


def _audit_escalation(
    db: Session, actor: Actor, escalation: Escalation, action: str, now: datetime
) -> None:
    assert escalation.id is not None
    audit.record(
        db,
        actor,
        entity="escalation",
        entity_id=escalation.id,
        action=action,
        changes=snapshot(escalation, ESCALATION_FIELDS),
        at=now,
    )


def list_escalations(
    db: Session,
    actor: Actor,
    *,
    status: EscalationStatus | None,
    due_before: date | None,
    meeting: int | None,
    page: PageRequest,
    today: date,
    sort: str | None = None,
) -> Page[EscalationRead]:
    policy.check_can_read(actor)
    if sort is not None and sort not in ESCALATION_SORTS:
        raise invalid("sort", f"must be one of {', '.join(ESCALATION_SORTS)}")
    stmt = select(Escalation)
    if status is not None:
        stmt = stmt.where(Escalation.status == EscalationStatus(status).value)
    if due_before is not None:
        stmt = stmt.where(col(Escalation.response_due) < due_before)
    if meeting is not None:
        stmt = stmt.where(Escalation.target_meeting_id == meeting)
    found = paginate(
        db,
        stmt,
        id_column=Escalation.id,
        stamp_column=Escalation.updated_at,
        page=page,
        sort=ESCALATION_SORTS.get(sort or ""),
    )
    lookups = _Lookups.load(db)
    return Page(
        items=[_escalation_view(e, lookups, today) for e in found.items],
        next_cursor=found.next_cursor,
    )


def escalation_read(db: Session, escalation: Escalation, *, today: date) -> EscalationRead:
    """The read view of an escalation a change returned (for the API's response body)."""
    return _escalation_view(escalation, _Lookups.load(db), today)


def get_escalation(
    db: Session, actor: Actor, escalation_id: int, *, today: date
) -> EscalationDetail:
    policy.check_can_read(actor)
    escalation: Escalation = _fetch(db, Escalation, escalation_id, "escalation")
    responses = db.exec(
        select(ForceResponse)
        .where(ForceResponse.escalation_id == escalation_id)
        .order_by(col(ForceResponse.id))
    ).all()
    steps = db.exec(
        select(EscalationStep)
        .where(EscalationStep.escalation_id == escalation_id)
        .order_by(col(EscalationStep.id))
    ).all()
    return EscalationDetail(
        **_escalation_view(escalation, _Lookups.load(db), today).model_dump(),
        force_responses=[
            ForceResponseRead.model_validate(r, from_attributes=True) for r in responses
        ],
        history=[
            EscalationHistoryEntry(
                at=s.at,
                actor=s.actor,
                from_=EscalationStatus(s.from_status) if s.from_status else None,
                to=EscalationStatus(s.to_status),
                note=s.note,
            )
            for s in steps
        ],
        actions=_action_summaries(db, actor, [(SourceType.ESCALATION, escalation_id)], today),
    )


def create_escalation(
    db: Session, actor: Actor, data: EscalationCreate, *, now: datetime
) -> Escalation:
    policy.check_can_write(actor)
    topic = _topic(db, data.topic)
    assert topic.id is not None
    escalation = _new_escalation(
        db,
        actor,
        topic_id=topic.id,
        title=data.title,
        reason=data.reason,
        request=data.request,
        response_due=data.response_due,
        target_meeting_id=data.target_meeting_id,
        exception_item_id=None,
        monitoring_item_id=None,
        note="Escalation created",
        now=now,
    )
    _audit_escalation(db, actor, escalation, "create", now)
    db.commit()
    return escalation


def change_escalation(
    db: Session,
    actor: Actor,
    escalation_id: int,
    data: EscalationChange,
    *,
    expected_version: int,
    now: datetime,
) -> Escalation:

    def values_of(escalation: Escalation) -> dict[str, Any]:
        if escalation.status == EscalationStatus.CLOSED:
            raise Conflict("a closed escalation cannot be changed")
        values = data.model_dump(exclude_unset=True)
        _no_nulls(values, ("title", "reason", "request", "response_due", "pcc_response"))
        if "target_meeting_id" in values:
            _check_meeting(db, values["target_meeting_id"], "target_meeting_id")
        return values

    escalation: Escalation = _change(
        db,
        actor,
        Escalation,
        escalation_id,
        what="escalation",
        entity="escalation",
        expected_version=expected_version,
        now=now,
        values_of=values_of,
    )
    return escalation


def add_force_response(
    db: Session, actor: Actor, escalation_id: int, data: ForceResponseCreate, *, now: datetime
) -> Escalation:
    """The Force's paper: appended, and the escalation moves to response_received."""
    policy.check_can_respond(actor)
    escalation: Escalation = _fetch(db, Escalation, escalation_id, "escalation", lock=True)
    current = EscalationStatus(escalation.status)
    if current is not EscalationStatus.AWAITING_RESPONSE:
        raise Conflict(
            f"escalation {escalation.ref} is not awaiting a response from the Force "
            f"(it is {current.value.replace('_', ' ')})"
        )
    path = path_to(current, EscalationStatus.RESPONSE_RECEIVED)
    db.add(
        ForceResponse(
            escalation_id=escalation_id,
            response=data.response,
            links=list(data.links),
            responded_by=actor.label,
            responded_at=now,
            created_at=now,
            updated_at=now,
        )
    )
    _step(db, escalation_id, actor, current, path[-1], "Force response received", now)
    diff = apply_changes(escalation, {"status": path[-1].value}, now=now)
    audit.record(
        db,
        actor,
        entity="escalation",
        entity_id=escalation_id,
        action="force_response",
        changes={
            **diff,
            "force_response": {
                "before": None,
                "after": {"response": data.response, "links": list(data.links)},
            },
        },
        at=now,
    )
    db.commit()
    return escalation


def transition_escalation(
    db: Session,
    actor: Actor,
    escalation_id: int,
    data: EscalationTransition,
    *,
    expected_version: int,
    now: datetime,
) -> Escalation:
    """discussed, follow_up (back to awaiting_response with a new due date) or closed."""
    policy.check_can_write(actor)
    target = EscalationStatus(data.to)
    escalation: Escalation = _fetch(db, Escalation, escalation_id, "escalation", lock=True)
    check_version(escalation, expected_version)
    current = EscalationStatus(escalation.status)
    path = path_to(current, target)
    changes: dict[str, Any] = {"status": path[-1].value}
    if target is EscalationStatus.FOLLOW_UP:
        if data.response_due is None:
            raise invalid("response_due", "give the date the Force's further response is due")
        changes["response_due"] = data.response_due
        if data.target_meeting_id is not None:
            _check_meeting(db, data.target_meeting_id, "target_meeting_id")
            changes["target_meeting_id"] = data.target_meeting_id
    if target is EscalationStatus.CLOSED:
        if data.outcome is None or not data.outcome.strip():
            raise invalid("outcome", "record the board's outcome before closing the escalation")
        changes["outcome"] = data.outcome
    if data.pcc_response is not None:
        changes["pcc_response"] = data.pcc_response
    previous = current
    for status in path:
        note = data.note
        if previous is EscalationStatus.FOLLOW_UP:
            assert data.response_due is not None
            note = f"Further response due {_long_date(data.response_due)}"
        _step(db, escalation_id, actor, previous, status, note, now)
        previous = status
    diff = apply_changes(escalation, changes, now=now)
    recorded: Changes = {
        **diff,
        "steps": {"before": None, "after": [s.value for s in path]},
        **({"note": {"before": None, "after": data.note}} if data.note else {}),
    }
    audit.record(
        db,
        actor,
        entity="escalation",
        entity_id=escalation_id,
        action="transition",
        changes=recorded,
        at=now,
    )
    db.commit()
    return escalation


def _lock_item(db: Session, item_id: int) -> tuple[ExceptionReport, ExceptionItem]:
    """Lock an item's report, then the item: always report, item, monitoring item, in that
    order, as change_report (report, then its items) does, so two changes cannot deadlock."""
    item: ExceptionItem = _fetch(db, ExceptionItem, item_id, "exception report item")
    report: ExceptionReport = _fetch(
        db, ExceptionReport, item.report_id, "exception report", lock=True
    )
    db.refresh(item, with_for_update=True)
    return report, item


def _escalate(
    db: Session,
    actor: Actor,
    data: EscalateItem,
    *,
    item: ExceptionItem | None,
    monitoring: MonitoringItem | None,
    report: ExceptionReport | None,
    topic_id: int,
    title: str,
    reason: str,
    note: str,
    now: datetime,
) -> Escalation:
    """The escalation of an exception item or a monitoring item (locked, and checked not yet
    escalated, by the caller): it links to the item and the monitoring item, each of them not
    yet escalated links back, and `report`, if given, takes a new version too."""
    escalation = _new_escalation(
        db,
        actor,
        topic_id=topic_id,
        title=title,
        reason=reason,
        request=data.request,
        response_due=data.response_due,
        target_meeting_id=data.target_meeting_id,
        exception_item_id=None if item is None else item.id,
        monitoring_item_id=None if monitoring is None else monitoring.id,
        note=note,
        now=now,
    )
    for linked in (item, monitoring):
        if linked is not None and linked.escalation_id is None:
            linked.escalation_id = escalation.id
            _touch(linked, now)
    if report is not None:
        _touch(report, now)
    _audit_escalation(db, actor, escalation, "escalate", now)
    db.commit()
    return escalation


def escalate_item(
    db: Session, actor: Actor, item_id: int, data: EscalateItem, *, now: datetime
) -> Escalation:
    """Escalate an exception-report item: the new escalation and the item link both ways
    (and a monitoring item made from the item, if any, links to it too)."""
    policy.check_can_write(actor)
    report, item = _lock_item(db, item_id)
    if item.escalation_id is not None:
        raise Conflict("this item has already been escalated")
    topic = db.get(Topic, item.topic_id)
    assert topic is not None
    monitoring = (
        _fetch(db, MonitoringItem, item.monitoring_item_id, "monitoring item", lock=True)
        if item.monitoring_item_id is not None
        else None
    )
    return _escalate(
        db,
        actor,
        data,
        item=item,
        monitoring=monitoring,
        report=report,
        topic_id=item.topic_id,
        title=topic.name,
        reason=item.reasoning or item.kpi_evidence,
        note=f"Escalated from the exception report of {_long_date(report.reported_on)}",
        now=now,
    )


def monitor_item(
    db: Session, actor: Actor, item_id: int, data: MonitorItem, *, now: datetime
) -> MonitoringItem:
    """Keep an exception-report item under monitoring: a monitoring item linked both ways."""
    policy.check_can_write(actor)
    report, item = _lock_item(db, item_id)
    if item.monitoring_item_id is not None:
        raise Conflict("this item is already under monitoring")
    if item.escalation_id is not None:
        raise Conflict("this item has already been escalated")
    topic = db.get(Topic, item.topic_id)
    assert topic is not None
    monitoring = MonitoringItem(
        topic_id=item.topic_id,
        title=topic.name,
        reason=data.reason or item.reasoning or item.kpi_evidence,
        next_review_on=data.next_review_on,
        exception_item_id=item.id,
        created_at=now,
        updated_at=now,
    )
    db.add(monitoring)
    db.flush()
    item.monitoring_item_id = monitoring.id
    _touch(item, now)
    _touch(report, now)
    assert monitoring.id is not None
    audit.record(
        db,
        actor,
        entity="monitoring_item",
        entity_id=monitoring.id,
        action="monitor",
        changes=snapshot(monitoring, MONITORING_FIELDS),
        at=now,
    )
    db.commit()
    return monitoring


# Monitoring items ----------------------------------------------------------------------------


def list_monitoring(
    db: Session, actor: Actor, *, page: PageRequest, today: date
) -> Page[MonitoringRead]:
    policy.check_can_read(actor)
    found = paginate(
        db,
        select(MonitoringItem),
        id_column=MonitoringItem.id,
        stamp_column=MonitoringItem.updated_at,
        page=page,
    )
    lookups = _Lookups.load(db)
    return Page(
        items=[_monitoring_view(m, lookups, today) for m in found.items],
        next_cursor=found.next_cursor,
    )


def get_monitoring(db: Session, actor: Actor, item_id: int, *, today: date) -> MonitoringRead:
    policy.check_can_read(actor)
    item: MonitoringItem = _fetch(db, MonitoringItem, item_id, "monitoring item")
    return _monitoring_view(item, _Lookups.load(db), today)


def monitoring_read(db: Session, item: MonitoringItem, *, today: date) -> MonitoringRead:
    """The read view of a monitoring item a change returned (for the API's response body)."""
    return _monitoring_view(item, _Lookups.load(db), today)


def create_monitoring(
    db: Session, actor: Actor, data: MonitoringCreate, *, now: datetime
) -> MonitoringItem:
    policy.check_can_write(actor)
    topic = _topic(db, data.topic)
    assert topic.id is not None
    item = MonitoringItem(
        **data.model_dump(exclude={"topic"}),
        topic_id=topic.id,
        created_at=now,
        updated_at=now,
    )
    audit.created(db, actor, item, entity="monitoring_item", fields=MONITORING_FIELDS, at=now)
    db.commit()
    return item


def change_monitoring(
    db: Session,
    actor: Actor,
    item_id: int,
    data: MonitoringChange,
    *,
    expected_version: int,
    now: datetime,
) -> MonitoringItem:

    def values_of(_: MonitoringItem) -> dict[str, Any]:
        values = data.model_dump(exclude_unset=True)
        _no_nulls(values, ("title", "reason", "next_review_on", "closed"))
        return values

    item: MonitoringItem = _change(
        db,
        actor,
        MonitoringItem,
        item_id,
        what="monitoring item",
        entity="monitoring_item",
        expected_version=expected_version,
        now=now,
        values_of=values_of,
    )
    return item


def escalate_monitoring(
    db: Session, actor: Actor, item_id: int, data: EscalateItem, *, now: datetime
) -> Escalation:
    """Escalate a monitoring item later, keeping the link (both ways)."""
    policy.check_can_write(actor)
    monitoring: MonitoringItem = _fetch(db, MonitoringItem, item_id, "monitoring item")
    item: ExceptionItem | None = None
    report: ExceptionReport | None = None
    if monitoring.exception_item_id is not None:
        report, item = _lock_item(db, monitoring.exception_item_id)
        if item.escalation_id is not None:
            report = None  # the item links elsewhere already: the report's view is unchanged
    db.refresh(monitoring, with_for_update=True)
    if monitoring.escalation_id is not None:
        raise Conflict("this monitoring item has already been escalated")
    return _escalate(
        db,
        actor,
        data,
        item=item,
        monitoring=monitoring,
        report=report,
        topic_id=monitoring.topic_id,
        title=monitoring.title,
        reason=monitoring.reason,
        note="Escalated from monitoring",
        now=now,
    )


# Public feed ---------------------------------------------------------------------------------


def public_board(db: Session) -> list[PublicMeeting]:
    """Published meetings, newest first: their escalations (topic, request, the Force's
    responses, the PCC's response, outcome) and actions. No internal notes, no names."""
    meetings = db.exec(
        select(BoardMeeting)
        .where(BoardMeeting.published == True)  # noqa: E712
        .order_by(col(BoardMeeting.held_on).desc(), col(BoardMeeting.id).desc())
    ).all()
    if not meetings:
        return []
    lookups = _Lookups.load(db)
    meeting_ids = [m.id for m in meetings if m.id is not None]
    escalations = db.exec(
        select(Escalation)
        .where(col(Escalation.target_meeting_id).in_(meeting_ids))
        .order_by(col(Escalation.id))
    ).all()
    escalation_ids = [e.id for e in escalations if e.id is not None]
    responses: dict[int, list[str]] = {}
    if escalation_ids:
        for r in db.exec(
            select(ForceResponse)
            .where(col(ForceResponse.escalation_id).in_(escalation_ids))
            .order_by(col(ForceResponse.id))
        ).all():
            responses.setdefault(r.escalation_id, []).append(r.response)
    meeting_of_escalation = {e.id: e.target_meeting_id for e in escalations}
    actions = db.exec(
        select(Action)
        .where(
            or_(
                and_(
                    col(Action.source_type) == SourceType.BOARD_MEETING.value,
                    col(Action.source_id).in_(meeting_ids),
                ),
                and_(
                    col(Action.source_type) == SourceType.ESCALATION.value,
                    col(Action.source_id).in_(escalation_ids),
                ),
            )
        )
        .order_by(col(Action.id))
    ).all()

    def meeting_of(action: Action) -> int | None:
        if action.source_type == SourceType.ESCALATION.value:
            return meeting_of_escalation.get(action.source_id)
        return action.source_id

    shown = []
    for meeting in meetings:
        kind = lookups.kinds[meeting.kind_id]
        shown.append(
            PublicMeeting(
                held_on=meeting.held_on,
                kind=kind.code,
                kind_name=kind.name,
                title=meeting.title,
                summary=meeting.summary,
                escalations=[
                    PublicEscalation(
                        topic_name=lookups.topics[e.topic_id].name,
                        title=e.title,
                        request=e.request,
                        force_responses=responses.get(e.id or 0, []),
                        pcc_response=e.pcc_response,
                        outcome=e.outcome,
                    )
                    for e in escalations
                    if e.target_meeting_id == meeting.id
                ],
                actions=[
                    PublicAction(ref=a.ref, title=a.title, status=a.status, due_on=a.due_on)
                    for a in actions
                    if meeting_of(a) == meeting.id
                ],
            )
        )
    return shown
