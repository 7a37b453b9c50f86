"""Write and read the audit trail. Services call `record` before they commit."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, or_, text
from sqlmodel import Session, col, select

from domain.accounts.policy import require
from domain.accounts.rules import Actor, ActorKind, Scope
from domain.accounts.tables import User
from domain.audit.schemas import AuditFilter
from domain.audit.tables import AuditEvent
from domain.listing import Page, PageRequest, paginate
from domain.records import Record
from domain.versioning import Changes, snapshot

SECRET_FIELDS = frozenset({"password_hash", "secret_hash", "csrf_token"})


def record(
    db: Session,
    actor: Actor,
    *,
    entity: str,
    entity_id: int,
    action: str,
    changes: Changes,
    at: datetime,
) -> AuditEvent:
    safe = {
        field: ({"before": "[redacted]", "after": "[redacted]"} if field in SECRET_FIELDS else v)
        for field, v in changes.items()
    }
    event = AuditEvent(
        at=at,
        actor_type=actor.kind.value,
        actor_id=actor.audit_id,
        actor_label=actor.label,
        entity=entity,
        entity_id=entity_id,
        action=action,
        changes=safe,
    )
    db.add(event)
    return event


def created(
    db: Session, actor: Actor, row: Record, *, entity: str, fields: list[str], at: datetime
) -> AuditEvent:
    """Add a new record and its creation event: the fields it was created with."""
    db.add(row)
    db.flush()
    assert row.id is not None
    return record(
        db,
        actor,
        entity=entity,
        entity_id=row.id,
        action="create",
        changes=snapshot(row, fields),
        at=at,
    )


SIGN_IN_ACTIONS = ("sign_in", "sign_out", "sign_out_everywhere")


def list_events(
    db: Session, actor: Actor, *, filters: AuditFilter, page: PageRequest
) -> Page[AuditEvent]:
    require(actor, Scope.ADMIN)
    stmt = select(AuditEvent)
    if filters.entity:
        stmt = stmt.where(AuditEvent.entity == filters.entity)
    if filters.entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == filters.entity_id)
    if filters.actor:
        # Events keep the label the actor had then (an email address, a token's name);
        # people are also found by the name they have now.
        named = select(User.id).where(col(User.display_name).icontains(filters.actor))
        stmt = stmt.where(
            or_(
                col(AuditEvent.actor_label).icontains(filters.actor),
                and_(
                    col(AuditEvent.actor_type) == ActorKind.USER.value,
                    col(AuditEvent.actor_id).in_(named),
                ),
            )
        )
    if not filters.sign_ins:
        stmt = stmt.where(col(AuditEvent.action).not_in(SIGN_IN_ACTIONS))
    return paginate(db, stmt, id_column=AuditEvent.id, stamp_column=AuditEvent.at, page=page)


_PRESENT = text(
    """
    WITH RECURSIVE present(entity) AS (
        SELECT MIN(entity) FROM audit_events
        UNION ALL
        SELECT (SELECT MIN(entity) FROM audit_events WHERE entity > present.entity)
        FROM present WHERE present.entity IS NOT NULL
    )
    SELECT entity FROM present WHERE entity IS NOT NULL
    """
)


def entities_present(db: Session, actor: Actor) -> list[str]:
    """The kinds of record the log has events about, for the filter's list. A skip scan of
    the (entity, entity_id, id) index: one short look-up per kind, however long the log."""
    require(actor, Scope.ADMIN)
    return [str(entity) for (entity,) in db.execute(_PRESENT).all()]


def history_of(db: Session, *, entity: str, entity_id: int) -> list[AuditEvent]:
    """Every event about one record, oldest first (admin per-record view)."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity == entity, AuditEvent.entity_id == entity_id)
        .order_by(col(AuditEvent.id))
    )
    return list(db.exec(stmt).all())
