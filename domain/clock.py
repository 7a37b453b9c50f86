"""Time as a value passed into rules and services, so tests control it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

UK = ZoneInfo("Europe/London")


def now() -> datetime:
    """The current instant in UTC, to the microsecond."""
    return datetime.now(UTC)


def today() -> date:
    """Today's date in the UK, which is what due dates and targets mean."""
    return datetime.now(UK).date()
