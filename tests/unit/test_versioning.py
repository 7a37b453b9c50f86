"""Optimistic concurrency and the before/after record every audit event carries."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from enum import StrEnum

import pytest

from domain.errors import StaleVersion
from domain.records import Record
from domain.versioning import apply_changes, check_version, jsonable, snapshot

T0 = datetime(2024, 3, 18, 10, 0, tzinfo=UTC)
T1 = T0 + timedelta(minutes=5)


class Colour(StrEnum):
    RED = "red"
    GREEN = "green"


class Thing(Record):
    name: str = ""
    colour: Colour = Colour.RED
    due: date | None = None
    tags: list[str] = []


def thing(**kwargs) -> Thing:
    return Thing(id=1, created_at=T0, updated_at=T0, version=3, **kwargs)


def test_changing_fields_bumps_the_version_once_and_stamps_the_time():
    record = thing(name="old", colour=Colour.RED)
    diff = apply_changes(record, {"name": "new", "colour": Colour.GREEN}, now=T1)
    assert record.version == 4
    assert record.updated_at == T1
    assert record.name == "new"
    assert diff == {
        "name": {"before": "old", "after": "new"},
        "colour": {"before": "red", "after": "green"},
    }


def test_unchanged_values_are_left_out_of_the_diff():
    record = thing(name="same", due=date(2024, 4, 1))
    diff = apply_changes(record, {"name": "same", "due": date(2024, 5, 1)}, now=T1)
    assert diff == {"due": {"before": "2024-04-01", "after": "2024-05-01"}}
    assert record.version == 4


def test_a_change_that_changes_nothing_keeps_version_and_time():
    record = thing(name="same", colour=Colour.GREEN)
    assert apply_changes(record, {"name": "same", "colour": "green"}, now=T1) == {}
    assert record.version == 3
    assert record.updated_at == T0


def test_clearing_a_value_is_recorded_as_a_change_to_null():
    record = thing(due=date(2024, 4, 1))
    diff = apply_changes(record, {"due": None}, now=T1)
    assert diff == {"due": {"before": "2024-04-01", "after": None}}
    assert record.due is None


def test_the_expected_version_passes_and_any_other_is_stale():
    record = thing()
    check_version(record, 3)
    for wrong in (0, 2, 4, -1):
        with pytest.raises(StaleVersion) as caught:
            check_version(record, wrong)
        assert caught.value.current_version == 3
        assert "version 3" in caught.value.detail


def test_a_snapshot_records_every_field_as_new():
    record = thing(name="n", colour=Colour.GREEN, due=date(2024, 1, 2), tags=["a", "b"])
    assert snapshot(record, ["name", "colour", "due", "tags"]) == {
        "name": {"before": None, "after": "n"},
        "colour": {"before": None, "after": "green"},
        "due": {"before": None, "after": "2024-01-02"},
        "tags": {"before": None, "after": ["a", "b"]},
    }


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Colour.RED, "red"),
        (date(2024, 2, 29), "2024-02-29"),
        (T0, "2024-03-18T10:00:00+00:00"),
        ((Colour.RED, date(2024, 1, 1)), ["red", "2024-01-01"]),
        ({1, 1}, [1]),
        (None, None),
        (5, 5),
        ("x", "x"),
    ],
)
def test_audit_values_are_plain_json(value, expected):
    assert jsonable(value) == expected
