"""Optimistic concurrency and change capture shared by every mutable record."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from domain.errors import StaleVersion
from domain.records import Record

Changes = dict[str, dict[str, Any]]


def check_version(record: Record, expected_version: int) -> None:
    if record.version != expected_version:
        raise StaleVersion(
            f"the record is at version {record.version}, not {expected_version}; "
            "fetch it again and reapply your change",
            current_version=record.version,
        )


def jsonable(value: Any) -> Any:
    """Audit and history store plain JSON values."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list | tuple | set | frozenset):
        return [jsonable(v) for v in value]
    return value


def apply_changes(record: Record, changes: dict[str, Any], *, now: datetime) -> Changes:
    """Set the changed fields, bump the version, and say what changed (before/after)."""
    diff: Changes = {}
    for field, new in changes.items():
        old = getattr(record, field)
        if old != new:
            diff[field] = {"before": jsonable(old), "after": jsonable(new)}
            setattr(record, field, new)
    if diff:
        record.updated_at = now
        record.version += 1
    return diff


def snapshot(record: Record, fields: list[str]) -> Changes:
    """A creation's audit entry: every field went from nothing to its value."""
    return {f: {"before": None, "after": jsonable(getattr(record, f))} for f in fields}
