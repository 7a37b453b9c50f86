"""Keyset cursors: what a list gives out it takes back; anything else is a 422 on `cursor`."""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Invalid
from domain.listing import MAX_ROW_ID, decode_cursor, encode_cursor

row_ids = st.integers(min_value=0, max_value=MAX_ROW_ID)
aware = st.datetimes(
    min_value=datetime(1970, 1, 2), max_value=datetime(2200, 1, 1), timezones=st.just(UTC)
)
offsets = st.sampled_from([UTC, timezone(timedelta(hours=1)), timezone(timedelta(hours=-5))])
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=10,
)
MODES = ["id", "id-desc", "updated", "sort:due"]


def raw_cursor(payload: bytes) -> str:
    return base64.urlsafe_b64encode(payload).decode().rstrip("=")


def assert_rejected(cursor: str, mode: str) -> None:
    with pytest.raises(Invalid) as caught:
        decode_cursor(cursor, mode)
    assert [e.loc for e in caught.value.errors] == [("cursor",)]


@given(ident=row_ids)
def test_an_id_cursor_round_trips(ident):
    assert decode_cursor(encode_cursor("id", [ident]), "id") == [ident]
    assert decode_cursor(encode_cursor("id-desc", [ident]), "id-desc") == [ident]


@given(stamp=aware, offset=offsets, ident=row_ids)
def test_an_updated_cursor_round_trips_to_the_same_instant_in_utc(stamp, offset, ident):
    decoded = decode_cursor(encode_cursor("updated", [stamp.astimezone(offset), ident]), "updated")
    assert decoded == [stamp, ident]
    assert decoded[0].utcoffset() == timedelta(0)


@given(
    value=st.dates() | st.text(max_size=30).filter(lambda s: "\x00" not in s) | st.integers(-5, 5),
    ident=row_ids,
)
def test_a_sorted_cursor_round_trips_its_value_and_type(value, ident):
    decoded = decode_cursor(encode_cursor("sort:due", [value, ident]), "sort:due")
    assert decoded == [value, ident]
    assert type(decoded[0]) is type(value)


def test_a_cursor_is_opaque_url_safe_text():
    cursor = encode_cursor("updated", [datetime(2024, 3, 18, 10, tzinfo=UTC), 12])
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


@pytest.mark.parametrize(
    ("given_for", "used_for"),
    [("id", "updated"), ("updated", "id"), ("id", "id-desc"), ("sort:due", "sort:x")],
)
def test_a_cursor_from_another_ordering_is_refused(given_for, used_for):
    key = [datetime(2024, 1, 1, tzinfo=UTC), 3] if given_for == "updated" else [3]
    if given_for.startswith("sort:"):
        key = [date(2024, 1, 1), 3]
    assert_rejected(encode_cursor(given_for, key), used_for)


@pytest.mark.parametrize(
    "payload",
    [
        b'["id",[Infinity]]',  # json.loads accepts it; int() of it overflowed (was a 500)
        b'["id",[-Infinity]]',
        b'["id",[NaN]]',
        b'["id",[1e400]]',
        b'["id",[1.5]]',
        b'["id",[true]]',
        b'["id",["7"]]',
        b'["id",[-1]]',
        b'["id",[100000000000000000000000000000]]',  # too big for SQLite (was a 500)
        b'["id",[9223372036854775808]]',
        b'["id",[]]',
        b'["id",[1,2]]',
        b'["id",{"a":1}]',
        b'["id"]',
        b'"id"',
        b"42",
        b"null",
        b'["updated",[{"dt":"0001-01-01T00:00:00+01:00"},1]]',  # before year 1 in UTC (was a 500)
        b'["updated",[{"dt":"not a time"},1]]',
        b'["updated",["2024-01-01T00:00:00+00:00",1]]',
        b'["updated",[{"d":"2024-01-01"},1]]',
        b'["sort:due",[{"dt":"2024-01-01T00:00:00+00:00"},1e999]]',
        b'["sort:due",["a\\u0000b",1]]',  # PostgreSQL text cannot hold NUL
        b'["sort:due",[100000000000000000000000000000,1]]',
        b"\xff\xfe",
        b"[" * 2000 + b"]" * 2000,
    ],
)
def test_a_forged_cursor_is_refused_naming_the_cursor(payload):
    mode = json.loads(payload)[0] if payload.startswith(b'["') else "id"
    assert_rejected(raw_cursor(payload), mode)


@pytest.mark.parametrize("cursor", ["", "!!!", "a", "====", "eyJ", "%00", "é", "ab\x00cd"])
def test_text_that_is_not_base64_json_is_refused(cursor):
    assert_rejected(cursor, "id")


@given(text=st.text(max_size=60), mode=st.sampled_from(MODES))
def test_any_text_either_decodes_to_a_valid_key_or_is_refused_as_invalid(text, mode):
    check_decodes_or_refuses(text, mode)


@given(value=json_values, mode=st.sampled_from(MODES))
def test_any_well_formed_json_either_decodes_to_a_valid_key_or_is_refused(value, mode):
    payload = json.dumps(value, allow_nan=True).encode()
    check_decodes_or_refuses(raw_cursor(payload), mode)


@given(value=json_values, mode=st.sampled_from(MODES))
def test_a_forged_key_under_the_right_mode_decodes_or_is_refused(value, mode):
    payload = json.dumps([mode, value], allow_nan=True).encode()
    check_decodes_or_refuses(raw_cursor(payload), mode)


def check_decodes_or_refuses(cursor: str, mode: str) -> None:
    """Only Invalid may escape, and whatever decodes is a key a database can bind."""
    try:
        key = decode_cursor(cursor, mode)
    except Invalid as exc:
        assert [e.loc for e in exc.errors] == [("cursor",)]
        return
    ident = key[-1]
    assert type(ident) is int
    assert 0 <= ident <= MAX_ROW_ID
    if mode == "updated":
        assert isinstance(key[0], datetime)
        assert key[0].tzinfo is not None
