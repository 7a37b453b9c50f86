"""Keyset pagination: stable under concurrent inserts, no OFFSET, one opaque cursor.

Lists are ordered by id, or by (updated_at, id) when the caller syncs with updated_since,
so a walk never shows a row twice and never skips one that existed when it began.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import and_, or_
from sqlalchemy.sql import Select
from sqlmodel import Session

from domain.errors import invalid

T = TypeVar("T")
DEFAULT_LIMIT = 50
MAX_LIMIT = 500
MAX_ROW_ID = 2**63 - 1


@dataclass(frozen=True)
class PageRequest:
    limit: int = DEFAULT_LIMIT
    cursor: str | None = None
    updated_since: datetime | None = None
    newest_first: bool = False


@dataclass(frozen=True)
class SortKey:
    """Order a list by one NOT NULL column (then id), still paged by keyset."""

    name: str
    column: Any
    descending: bool = False


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _tag(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    return value


def _untag(value: Any) -> Any:
    if isinstance(value, dict) and set(value) == {"dt"}:
        return datetime.fromisoformat(value["dt"]).astimezone(UTC)
    if isinstance(value, dict) and set(value) == {"d"}:
        return date.fromisoformat(value["d"])
    if isinstance(value, str) and "\x00" not in value:
        return value
    if isinstance(value, int) and -MAX_ROW_ID <= value <= MAX_ROW_ID:
        return value
    if isinstance(value, float) and math.isfinite(value):
        return value
    raise ValueError("unexpected cursor value")


def encode_cursor(mode: str, key: Sequence[Any]) -> str:
    payload = json.dumps([mode, [_tag(k) for k in key]])
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, mode: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        found_mode, key = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if found_mode != mode or not isinstance(key, list):
            raise ValueError(mode)
        if mode == "updated":
            stamp, ident = key
            stamp = _untag(stamp)
            if not isinstance(stamp, datetime):
                raise ValueError("not a timestamp")
            return [stamp, _row_id(ident)]
        if mode.startswith("sort:"):
            value, ident = key
            return [_untag(value), _row_id(ident)]
        (ident,) = key
        return [_row_id(ident)]
    except (ValueError, TypeError, OverflowError, RecursionError, UnicodeDecodeError) as exc:
        raise invalid("cursor", "is not a cursor this list gave out") from exc


def _row_id(value: Any) -> int:
    """A cursor's id is one this list gave out: an int every database can compare with."""
    if type(value) is not int or not 0 <= value <= MAX_ROW_ID:
        raise ValueError("not a row id")
    return value


def paginate(
    db: Session,
    stmt: Select[Any],
    *,
    id_column: Any,
    stamp_column: Any,
    page: PageRequest,
    sort: SortKey | None = None,
) -> Page[Any]:
    """Run `stmt` (already filtered) for one page; the caller maps rows to its schema."""
    if not 1 <= page.limit <= MAX_LIMIT:
        raise invalid("limit", f"must be between 1 and {MAX_LIMIT}")
    if page.updated_since is None and sort is not None:
        mode = f"sort:{sort.name}"
        column = sort.column
        if sort.descending:
            stmt = stmt.order_by(column.desc(), id_column.desc())
        else:
            stmt = stmt.order_by(column, id_column)
        if page.cursor:
            value, ident = decode_cursor(page.cursor, mode)
            if type(value) is not column.type.python_type:
                raise invalid("cursor", "is not a cursor this list gave out")
            if sort.descending:
                stmt = stmt.where(or_(column < value, and_(column == value, id_column < ident)))
            else:
                stmt = stmt.where(or_(column > value, and_(column == value, id_column > ident)))
    elif page.updated_since is not None:
        mode = "updated"
        stmt = stmt.where(stamp_column >= page.updated_since).order_by(stamp_column, id_column)
        if page.cursor:
            stamp, ident = decode_cursor(page.cursor, mode)
            stmt = stmt.where(
                or_(stamp_column > stamp, and_(stamp_column == stamp, id_column > ident))
            )
    else:
        mode = "id-desc" if page.newest_first else "id"
        stmt = stmt.order_by(id_column.desc() if page.newest_first else id_column)
        if page.cursor:
            (ident,) = decode_cursor(page.cursor, mode)
            stmt = stmt.where(id_column < ident if page.newest_first else id_column > ident)
    rows = list(db.exec(stmt.limit(page.limit + 1)).all())  # type: ignore[call-overload]
    more = len(rows) > page.limit
    rows = rows[: page.limit]
    next_cursor = None
    if more and rows:
        last = rows[-1]
        if mode == "updated":
            key = [getattr(last, stamp_column.key), last.id]
        elif sort is not None and mode.startswith("sort:"):
            key = [getattr(last, sort.column.key), last.id]
        else:
            key = [last.id]
        next_cursor = encode_cursor(mode, key)
    return Page(items=rows, next_cursor=next_cursor)


def walk(
    db: Session,
    stmt: Select[Any],
    *,
    id_column: Any,
    stamp_column: Any,
    updated_since: datetime | None = None,
    batch: int = MAX_LIMIT,
) -> Iterator[Any]:
    """Every row, page by page (CSV exports stream this)."""
    cursor: str | None = None
    while True:
        result = paginate(
            db,
            stmt,
            id_column=id_column,
            stamp_column=stamp_column,
            page=PageRequest(limit=batch, cursor=cursor, updated_since=updated_since),
        )
        yield from result.items
        if result.next_cursor is None:
            return
        cursor = result.next_cursor
