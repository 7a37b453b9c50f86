"""How the audit log names records: each kind of record registers how to name many of its
records at once (title and reference, and the page to open), what its fields are called
and how its stored values read in words. The audit log then names a page of events with one
query per kind of record, never one per event.

Kinds register in domain/audit/record_kinds.py."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlmodel import Session


@dataclass(frozen=True)
class RecordName:
    text: str  # "ACT-2026-0017: Review victim referral rates"
    url: str | None  # the record's page, when it has one


Namer = Callable[[Session, set[int]], dict[int, RecordName]]
"""Names for the records with these ids, in one query; ids no longer there are left out."""


@dataclass(frozen=True)
class RecordKind:
    entity: str  # as audit events name it: "action", "board_meeting"
    label: str  # in words, capitalised: "Action", "Board meeting"
    name: Namer
    field_labels: Mapping[str, str] = field(default_factory=dict)
    value_words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    """field → stored value → words ("in_progress" → "In progress")."""
    refers_to: Mapping[str, str] = field(default_factory=dict)
    """field → the kind of record its id names ("owner_org_id" → "organisation")."""
    kind_named_by: Mapping[str, str] = field(default_factory=dict)
    """field → the field that says what kind of record its id names ("source_id" →
    "source_type", whose value is a kind: "objective")."""


_KINDS: dict[str, RecordKind] = {}


def register(kind: RecordKind) -> None:
    _KINDS[kind.entity] = kind


def kind_of(entity: str) -> RecordKind | None:
    return _KINDS.get(entity)


def label_of(entity: str) -> str:
    """The kind in words, also for a kind nobody registered ("exception_item" → "Exception
    item")."""
    kind = _KINDS.get(entity)
    return kind.label if kind else entity.replace("_", " ").capitalize()


def names_of(db: Session, wanted: set[tuple[str, int]]) -> dict[tuple[str, int], RecordName]:
    """Names for many records of many kinds: one query per kind."""
    by_entity: dict[str, set[int]] = {}
    for entity, record_id in wanted:
        by_entity.setdefault(entity, set()).add(record_id)
    found: dict[tuple[str, int], RecordName] = {}
    for entity, ids in by_entity.items():
        kind = _KINDS.get(entity)
        if kind is None:
            continue
        for record_id, name in kind.name(db, ids).items():
            found[(entity, record_id)] = name
    return found
