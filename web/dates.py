"""Dates typed into pages: GOV.UK date inputs (day, month, year boxes) and the single
date boxes of filter panels, with the design system's error messages, and the example
dates their hints give."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain import clock

EARLIEST = date(2000, 1, 1)
LATEST = date(2100, 12, 31)
PARTS = ("day", "month", "year")
MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}


@dataclass
class DateReading:
    """The date a GOV.UK date input holds, or what is wrong with it and which boxes."""

    value: date | None = None
    error: str | None = None
    faults: tuple[str, ...] = field(default_factory=tuple)


def date_example(days_ahead: int = 0, *, separator: str = " ", today: date | None = None) -> str:
    """A date for a hint, counted from today so an example never looks years out of date:
    "27 3 2027" for the day, month and year boxes, "27/3/2027" with separator "/"."""
    day = (today or clock.today()) + timedelta(days=days_ahead)
    return separator.join(str(part) for part in (day.day, day.month, day.year))


def date_fields(name: str, value: date | None) -> dict[str, str]:
    """The three boxes' values for a date already on record (to fill an edit form)."""
    if value is None:
        return {f"{name}-{part}": "" for part in PARTS}
    return {
        f"{name}-day": str(value.day),
        f"{name}-month": str(value.month),
        f"{name}-year": str(value.year),
    }


def _number(raw: str, part: str) -> int | None:
    if part == "month" and raw.lower() in MONTH_NAMES:
        return MONTH_NAMES[raw.lower()]
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 4 else None


def read_date(
    values: dict[str, Any], name: str, label: str, *, required: bool = True
) -> DateReading:
    """Read `{name}-day`, `{name}-month` and `{name}-year`; `label` names it in messages."""
    raw = {part: str(values.get(f"{name}-{part}") or "").strip() for part in PARTS}
    missing = tuple(part for part in PARTS if not raw[part])
    if len(missing) == len(PARTS):
        if required:
            return DateReading(error=f"Enter the {label.lower()}", faults=PARTS)
        return DateReading()
    if missing:
        return DateReading(error=f"{label} must include a {' and '.join(missing)}", faults=missing)
    numbers = {part: _number(raw[part], part) for part in PARTS}
    wrong = tuple(part for part in PARTS if numbers[part] is None)
    if wrong:
        return DateReading(error=f"{label} must be a real date", faults=wrong)
    if len(raw["year"]) != 4:
        return DateReading(error="Year must include 4 numbers", faults=("year",))
    if not 1 <= (numbers["month"] or 0) <= 12:
        return DateReading(error=f"{label} must be a real date", faults=("month",))
    try:
        value = date(numbers["year"] or 0, numbers["month"] or 0, numbers["day"] or 0)
    except ValueError:  # no such day in that month
        return DateReading(error=f"{label} must be a real date", faults=("day",))
    if value < EARLIEST:
        return DateReading(error=f"{label} must be in 2000 or later", faults=("year",))
    if value > LATEST:
        return DateReading(error=f"{label} must be in 2100 or earlier", faults=("year",))
    return DateReading(value=value)


_SEPARATED = re.compile(r"^(\d{1,2})[/\-. ](\d{1,2})[/\-. ](\d{4})$")
_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_filter_date(text: str) -> date:
    """A date typed into one box: 31/3/2024, 31 3 2024 or 2024-03-31. ValueError if not."""
    text = text.strip()
    iso = _ISO.match(text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        uk = _SEPARATED.match(text)
        if uk is None:
            raise ValueError(text)
        day, month, year = (int(g) for g in uk.groups())
    value = date(year, month, day)
    if not EARLIEST <= value <= LATEST:
        raise ValueError(text)
    return value
