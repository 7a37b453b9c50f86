"""The audit log as an administrator reads it: people and records by name, with links, and
values in words ("In progress → Done", "Yes", "Leicestershire Police"), never ids and codes.

Names come from the kinds registered in domain.audit.record_kinds, fetched with one query
per kind of record on the page (the records, the people who acted, and the records the
changed fields point at), never one per event. Personal data and secrets were never stored
in the events (only that they changed), and stay that way here."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from domain.accounts.rules import Actor, ActorKind
from domain.audit import record_kinds  # noqa: F401  (registers every kind of record)
from domain.audit import service as audit
from domain.audit.names import RecordKind, RecordName, kind_of, label_of, names_of
from domain.audit.schemas import AuditFilter
from domain.audit.tables import AuditEvent
from domain.listing import PageRequest

Shown = str | date | datetime
"""A value in words, or a date the page writes out in its own style."""

PERSONAL = "[personal data]"
REDACTED = "[redacted]"
PERSONAL_WORDS = "Personal data (not shown)"
REDACTED_WORDS = "Hidden"
NOT_SET = "Not set"

ACTION_WORDS = {
    "create": "Created",
    "update": "Changed",
    "delete": "Deleted",
    "transition": "Status changed",
    "revoke": "Revoked",
    "publish": "Published",
    "correct": "Corrected",
    "decide": "Decided",
    "force_response": "Force response recorded",
    "monitor": "Set to be monitored",
    "close_the_loop": "Residents told the outcome",
    "purge_personal_data": "Personal data deleted (retention)",
    "view_personal_data": "Personal data viewed",
    "set_password": "Password set",
    "issue_password_reset": "Password reset link issued",
    "reset_password": "Password changed with a reset link",
    "sign_in": "Signed in",
    "sign_out": "Signed out",
    "sign_out_everywhere": "Signed out on every device",
}


@dataclass(frozen=True)
class Change:
    field: str
    before: Shown | None  # None: the field had no value before (a creation)
    after: Shown


@dataclass(frozen=True)
class Entry:
    id: int
    at: datetime
    who: RecordName
    what: str
    kind: str
    record: RecordName
    changes: list[Change]


@dataclass(frozen=True)
class LogPage:
    entries: list[Entry]
    next_cursor: str | None


def _actor_key(event: AuditEvent) -> tuple[str, int] | None:
    if event.actor_id is None:
        return None
    if event.actor_type == ActorKind.USER.value:
        return ("user", event.actor_id)
    if event.actor_type == ActorKind.TOKEN.value:
        return ("token", event.actor_id)
    return None


def _who(event: AuditEvent, names: dict[tuple[str, int], RecordName]) -> RecordName:
    key = _actor_key(event)
    if key is not None and key in names:
        return names[key]
    if event.actor_type == ActorKind.SYSTEM.value:
        return RecordName("The command line", None)
    if event.actor_type == ActorKind.ANONYMOUS.value:
        return RecordName("Someone not signed in", None)
    return RecordName(event.actor_label, None)  # a person or token since removed


def _referred(kind: RecordKind | None, field: str, changes: dict[str, Any]) -> str | None:
    """The kind of record the field's value is the id of, if it is one."""
    if kind is None:
        return None
    if field in kind.refers_to:
        return kind.refers_to[field]
    naming_field = kind.kind_named_by.get(field)
    if naming_field is None:
        return None
    named = changes.get(naming_field)
    entity = named.get("after") if isinstance(named, dict) else None
    return entity if isinstance(entity, str) and kind_of(entity) else None


def _ids(value: Any) -> list[int]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, int) and not isinstance(v, bool)]
    return []


def _references(event: AuditEvent) -> set[tuple[str, int]]:
    kind = kind_of(event.entity)
    found: set[tuple[str, int]] = set()
    for field, change in event.changes.items():
        entity = _referred(kind, field, event.changes)
        if entity is None or not isinstance(change, dict):
            continue
        for side in ("before", "after"):
            found |= {(entity, record_id) for record_id in _ids(change.get(side))}
    return found


def field_label(kind: RecordKind | None, field: str) -> str:
    """ "owner_org_id" → "Owner" (the kind's own word), else "complainant.name" →
    "Complainant name"."""
    if kind is not None and field in kind.field_labels:
        return kind.field_labels[field]
    words = field.removesuffix("_ids").removesuffix("_id").replace(".", " ").replace("_", " ")
    return words[:1].upper() + words[1:]


class _Words:
    """Turns one event's stored values into words."""

    def __init__(self, kind: RecordKind | None, names: dict[tuple[str, int], RecordName]):
        self.kind = kind
        self.names = names

    def value(self, field: str, value: Any, changes: dict[str, Any]) -> Shown:
        if value is None:
            return NOT_SET
        entity = _referred(self.kind, field, changes)
        if entity is not None and _ids(value):
            return "; ".join(self._name(entity, record_id) for record_id in _ids(value))
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, list):
            return "; ".join(self._text(field, v, changes) for v in value) or NOT_SET
        if isinstance(value, dict):
            return "; ".join(
                f"{field_label(self.kind, k)}: {self._text(k, v, changes)}"
                for k, v in value.items()
            )
        if isinstance(value, str):
            return self._string(field, value)
        return str(value)

    def _text(self, field: str, value: Any, changes: dict[str, Any]) -> str:
        """A value inside a list or a group of values: always plain words."""
        shown = self.value(field, value, changes)
        return f"{shown.day} {shown:%B %Y}" if isinstance(shown, date) else shown

    def _name(self, entity: str, record_id: int) -> str:
        return record_name(entity, record_id, self.names).text

    def _string(self, field: str, value: str) -> Shown:
        if value == PERSONAL:
            return PERSONAL_WORDS
        if value == REDACTED:
            return REDACTED_WORDS
        words = self.kind.value_words.get(field, {}) if self.kind else {}
        if value in words:
            return words[value]
        try:
            if len(value) == 10 and value[4] == "-":
                return date.fromisoformat(value)
            if len(value) >= 19 and value[10] == "T":
                return datetime.fromisoformat(value)
        except ValueError:
            pass
        return value


def record_name(
    entity: str, record_id: int, names: dict[tuple[str, int], RecordName]
) -> RecordName:
    """The record's name, or what can be said of one that has none (or is gone)."""
    found = names.get((entity, record_id))
    if found is not None:
        return found
    gone = " (no longer there)" if kind_of(entity) else ""
    return RecordName(f"{label_of(entity)} {record_id}{gone}", None)


def _changes(
    kind: RecordKind | None, event: AuditEvent, names: dict[tuple[str, int], RecordName]
) -> list[Change]:
    words = _Words(kind, names)
    changes = []
    for field, change in event.changes.items():
        label = field_label(kind, field)
        if not isinstance(change, dict):
            changes.append(Change(label, None, words.value(field, change, event.changes)))
            continue
        before = change.get("before")
        after = words.value(field, change.get("after"), event.changes)
        shown_before = None if before is None else words.value(field, before, event.changes)
        changes.append(Change(label, shown_before, after))
    return changes


def describe(db: Session, events: list[AuditEvent]) -> list[Entry]:
    """Every event in words, with one query per kind of record named."""
    wanted: set[tuple[str, int]] = set()
    for event in events:
        wanted.add((event.entity, event.entity_id))
        actor_key = _actor_key(event)
        if actor_key is not None:
            wanted.add(actor_key)
        wanted |= _references(event)
    names = names_of(db, wanted)
    entries = []
    for event in events:
        assert event.id is not None
        kind = kind_of(event.entity)
        record = record_name(event.entity, event.entity_id, names)
        entries.append(
            Entry(
                id=event.id,
                at=event.at,
                who=_who(event, names),
                what=ACTION_WORDS.get(event.action, event.action.replace("_", " ").capitalize()),
                kind=label_of(event.entity),
                record=record,
                changes=_changes(kind, event, names),
            )
        )
    return entries


def read_log(db: Session, actor: Actor, *, filters: AuditFilter, page: PageRequest) -> LogPage:
    found = audit.list_events(db, actor, filters=filters, page=page)
    return LogPage(describe(db, list(found.items)), found.next_cursor)


def entity_choices(db: Session, actor: Actor) -> list[tuple[str, str]]:
    """(entity, kind in words) for every kind of record the log has events about, by words."""
    return sorted(
        ((entity, label_of(entity)) for entity in audit.entities_present(db, actor)),
        key=lambda choice: choice[1],
    )
