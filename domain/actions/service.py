"""Changing actions: create, edit, move along the lifecycle, add updates. Each checks
policy, writes the audit event and commits; reads live in queries.py."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from domain.accounts.rules import Actor
from domain.actions import policy, sources
from domain.actions.queries import load
from domain.actions.rules import ActionStatus, SourceType, check_transition
from domain.actions.schemas import ActionChange, ActionCreate, ActionUpdateCreate
from domain.actions.tables import Action, ActionTransition, ActionUpdate
from domain.audit import service as audit
from domain.errors import FieldError, Forbidden, Invalid, invalid
from domain.reference.tables import Area, Organisation
from domain.refs import next_ref
from domain.versioning import apply_changes, check_version, snapshot


def _org_id(db: Session, code: str) -> int:
    org = db.exec(select(Organisation).where(Organisation.code == code)).first()
    if org is None or not org.active or org.id is None:
        raise invalid("owner_org", f"there is no organisation with code {code!r}")
    return org.id


def _area_id(db: Session, code: str | None) -> int | None:
    if code is None:
        return None
    area = db.exec(select(Area).where(Area.code == code)).first()
    if area is None or area.id is None:
        raise invalid("area", f"there is no area with code {code!r}")
    return area.id


@contextmanager
def _noting(problems: list[FieldError]) -> Iterator[None]:
    """Carry on past an Invalid, keeping its errors, to report every problem at once."""
    try:
        yield
    except Invalid as exc:
        problems.extend(exc.errors)


@dataclass(frozen=True)
class References:
    """The rows an action's codes name, once every one of them is known to exist."""

    owner_org_id: int | None
    area_id: int | None


def check_references(
    db: Session,
    actor: Actor,
    *,
    owner_org: str | None = None,
    area: str | None = None,
    source: tuple[SourceType, int | None] | None = None,
) -> References:
    """Look up the owner, area and source an action names (None: not given) and raise one
    Invalid naming every one that does not exist, so a form can report them all at once."""
    problems: list[FieldError] = []
    owner_org_id = area_id = None
    with _noting(problems):
        owner_org_id = _org_id(db, owner_org) if owner_org is not None else None
    with _noting(problems):
        area_id = _area_id(db, area)
    if source is not None:
        with _noting(problems):
            sources.check_source(db, actor, *source)
    if problems:
        raise Invalid(problems)
    return References(owner_org_id=owner_org_id, area_id=area_id)


def create_action(db: Session, actor: Actor, data: ActionCreate, *, now: datetime) -> Action:
    policy.check_can_edit(actor)
    found = check_references(
        db,
        actor,
        owner_org=data.owner_org,
        area=data.area,
        source=(data.source_type, data.source_id),
    )
    assert found.owner_org_id is not None
    action = Action(
        ref=next_ref(db, "ACT", now.year),
        title=data.title,
        detail=data.detail,
        private_note=data.private_note,
        source_type=data.source_type.value,
        source_id=data.source_id,
        owner_org_id=found.owner_org_id,
        owner_name=data.owner_name,
        area_id=found.area_id,
        created_by=actor.label,
        due_on=data.due_on,
        status=ActionStatus.OPEN.value,
        public=data.public,
        you_said_we_did=data.you_said_we_did,
        told_on=data.told_on,
        created_at=now,
        updated_at=now,
    )
    db.add(action)
    db.flush()
    assert action.id is not None
    db.add(
        ActionTransition(
            action_id=action.id,
            actor=actor.label,
            from_status=None,
            to_status=ActionStatus.OPEN.value,
            note="Action created",
            created_at=now,
            updated_at=now,
        )
    )
    audit.record(
        db,
        actor,
        entity="action",
        entity_id=action.id,
        action="create",
        changes=snapshot(
            action,
            [
                "ref",
                "title",
                "detail",
                "private_note",
                "source_type",
                "source_id",
                "owner_org_id",
                "owner_name",
                "area_id",
                "due_on",
                "status",
                "public",
                "you_said_we_did",
                "told_on",
            ],
        ),
        at=now,
    )
    db.commit()
    return action


def change_action(
    db: Session,
    actor: Actor,
    action_id: int,
    data: ActionChange,
    *,
    expected_version: int,
    now: datetime,
) -> Action:
    """Edit fields. Only OPCC editors: the Force responds through updates and status."""
    action, _ = load(db, actor, action_id, lock=True)
    policy.check_can_edit(actor)
    check_version(action, expected_version)
    values = data.model_dump(exclude_unset=True)
    for required in (
        "title",
        "owner_org",
        "due_on",
        "detail",
        "private_note",
        "outcome",
        "owner_name",
        "public",
        "you_said_we_did",
    ):
        if required in values and values[required] is None:
            raise invalid(required, "cannot be empty")
    found = check_references(db, actor, owner_org=values.get("owner_org"), area=values.get("area"))
    if "owner_org" in values:
        del values["owner_org"]
        values["owner_org_id"] = found.owner_org_id
    if "area" in values:
        del values["area"]
        values["area_id"] = found.area_id
    diff = apply_changes(action, values, now=now)
    if diff:
        audit.record(
            db, actor, entity="action", entity_id=action_id, action="update", changes=diff, at=now
        )
    db.commit()
    return action


def parse_status(value: str) -> ActionStatus:
    try:
        return ActionStatus(value)
    except ValueError:
        names = ", ".join(s.value for s in ActionStatus)
        raise invalid("to", f"must be one of {names}") from None


def transition_action(
    db: Session,
    actor: Actor,
    action_id: int,
    *,
    to: str,
    note: str,
    expected_version: int,
    now: datetime,
    today: date,
) -> Action:
    target = parse_status(to)
    action, lookups = load(db, actor, action_id, lock=True)
    policy.check_can_move(actor, lookups.org_kind(action), target)
    check_version(action, expected_version)
    current = ActionStatus(action.status)
    check_transition(current, target, note)
    changes: dict[str, Any] = {"status": target.value}
    if target is ActionStatus.DONE:
        changes["completed_on"] = today
    elif current is ActionStatus.DONE:
        changes["completed_on"] = None
    diff = apply_changes(action, changes, now=now)
    db.add(
        ActionTransition(
            action_id=action_id,
            actor=actor.label,
            from_status=current.value,
            to_status=target.value,
            note=note,
            created_at=now,
            updated_at=now,
        )
    )
    audit.record(
        db,
        actor,
        entity="action",
        entity_id=action_id,
        action="transition",
        changes={**diff, **({"note": {"before": None, "after": note}} if note else {})},
        at=now,
    )
    db.commit()
    return action


def add_update(
    db: Session, actor: Actor, action_id: int, data: ActionUpdateCreate, *, now: datetime
) -> ActionUpdate:
    action, lookups = load(db, actor, action_id)
    policy.check_can_respond(actor, lookups.org_kind(action))
    if data.internal and not policy.sees_internal_notes(actor):
        raise Forbidden("only OPCC staff can add internal notes")
    update = ActionUpdate(
        action_id=action_id,
        author=actor.label,
        body=data.body,
        evidence_url=data.evidence_url,
        internal=data.internal,
        created_at=now,
        updated_at=now,
    )
    audit.created(
        db,
        actor,
        update,
        entity="action_update",
        fields=["action_id", "body", "evidence_url", "internal"],
        at=now,
    )
    db.commit()
    return update
