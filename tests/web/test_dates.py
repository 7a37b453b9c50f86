"""Dates typed into pages and the examples their hints give: a GOV.UK date input marks only
the box that is wrong, and an example is a date near today, never a fixed year."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from domain import clock
from web.dates import date_example, read_date

TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"
PLAN_TEMPLATES = [
    *sorted((TEMPLATES / "plan").glob("*.html")),
    TEMPLATES / "components" / "plan.html",
]


def test_an_example_date_is_counted_from_today():
    assert date_example(today=date(2026, 12, 30)) == "30 12 2026"
    assert date_example(90, today=date(2026, 12, 30)) == "30 3 2027"
    assert date_example(-1, separator="/", today=date(2027, 1, 1)) == "31/12/2026"
    today = clock.today()
    assert date_example() == f"{today.day} {today.month} {today.year}"


@pytest.mark.parametrize(
    ("boxes", "faults"),
    [
        (("31", "13", "2027"), ("month",)),
        (("31", "0", "2027"), ("month",)),
        (("31", "2", "2027"), ("day",)),
        (("29", "2", "2027"), ("day",)),
        (("x", "2", "2027"), ("day",)),
    ],
)
def test_a_date_that_is_not_real_marks_only_the_box_at_fault(boxes, faults):
    day, month, year = boxes
    values = {"d-day": day, "d-month": month, "d-year": year}
    reading = read_date(values, "d", "Expected date")
    assert (reading.value, reading.error, reading.faults) == (
        None,
        "Expected date must be a real date",
        faults,
    )
    assert read_date({"d-day": "29", "d-month": "2", "d-year": "2028"}, "d", "D").value == date(
        2028, 2, 29
    )


@pytest.mark.parametrize("template", PLAN_TEMPLATES, ids=lambda p: p.name)
def test_no_plan_page_hint_hard_codes_an_example_date(template):
    """Examples come from date_example; a written-in year goes stale (issue 12)."""
    text = template.read_text()
    assert not re.search(r"[Ff]or example,? \d{1,2}[ /]\d{1,2}[ /]\d{4}", text)
