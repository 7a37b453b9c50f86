"""Remember the first response to a creating request, keyed by caller and Idempotency-Key.

The claim is added to the same session as the creation, so the record and the thing it
created commit together; the response is filled in straight after.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from sqlmodel import Session, select

from domain.errors import Conflict, invalid
from domain.idempotency.tables import IdempotencyRecord


def fingerprint(method: str, path: str, body: bytes) -> str:
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + body).hexdigest()


def find(db: Session, *, caller: str, key: str, fingerprint: str) -> IdempotencyRecord | None:
    """The earlier request with this key, if any; a different body under the same key is refused."""
    if not 1 <= len(key) <= 200 or not key.isprintable():
        raise invalid("Idempotency-Key", "must be 1 to 200 printable characters")
    found = db.exec(
        select(IdempotencyRecord).where(
            IdempotencyRecord.caller == caller, IdempotencyRecord.key == key
        )
    ).first()
    if found is None:
        return None
    if found.fingerprint != fingerprint:
        raise invalid("Idempotency-Key", "was already used for a different request; use a new key")
    if found.status_code is None:
        raise Conflict("a request with this Idempotency-Key is still being processed")
    return found


def claim(
    db: Session, *, caller: str, key: str, fingerprint: str, now: datetime
) -> IdempotencyRecord:
    claimed = IdempotencyRecord(caller=caller, key=key, fingerprint=fingerprint, created_at=now)
    db.add(claimed)
    return claimed


def complete(
    db: Session, claimed: IdempotencyRecord, *, status_code: int, location: str | None, body: str
) -> None:
    claimed.status_code = status_code
    claimed.location = location
    claimed.body = body
    db.add(claimed)
    db.commit()
