"""The pure parts of the API toolkit: If-Match parsing, ETag matching and CSV cells."""

from __future__ import annotations

import pytest

from api.toolkit import NO_VERSION, HttpProblem, _csv_cell, _matches, _nul_path, expected_version


def test_no_if_match_is_a_428_naming_the_header():
    with pytest.raises(HttpProblem) as caught:
        expected_version(None)
    assert caught.value.status == 428
    assert caught.value.loc == ["header", "If-Match"]


@pytest.mark.parametrize(
    ("header", "version"), [('"3"', 3), ('W/"3"', 3), ("3", 3), (' "12" ', 12), ('"1"', 1)]
)
def test_if_match_yields_the_version_the_caller_saw(header, version):
    assert expected_version(header) == version


@pytest.mark.parametrize(
    "header",
    ['"abc"', "", '""', '"-1"', '"1.0"', "²", "\u0661", '"' + "9" * 5000 + '"', "*", '"3", "4"'],
)
def test_an_unusable_if_match_matches_no_version_instead_of_failing(header):
    # The service then answers 412 (stale) or 404; never a 500 and never a lucky match.
    assert expected_version(header) == NO_VERSION
    assert NO_VERSION < 1


@pytest.mark.parametrize(
    ("header", "etag", "hit"),
    [
        ('"3"', '"3"', True),
        ('W/"3"', '"3"', True),
        ('"2", "3"', '"3"', True),
        ("*", '"3"', True),
        ('"4"', '"3"', False),
        ("", '"3"', False),
        (None, '"3"', False),
        ('W/"abc"', 'W/"abc"', True),
    ],
)
def test_if_none_match_compares_weakly(header, etag, hit):
    assert _matches(header, etag) is hit


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        (None, ""),
        (True, "true"),
        (False, "false"),
        (["read:plan", "admin"], "read:plan;admin"),
        ({"a": 1}, '{"a":1}'),
        (3, "3"),
        ("x,y", "x,y"),
    ],
)
def test_csv_cells_are_flat_text(value, cell):
    assert _csv_cell(value) == cell


@pytest.mark.parametrize(
    ("value", "where"),
    [
        ({"a": "fine", "b": ["x", {"c": "y\x00"}]}, ["b", 1, "c"]),
        ({"a\x00": 1}, ["a"]),
        (["\x00"], [0]),
        ("\x00", []),
        ({"a": ["fine", 1, None, True, 2.5]}, None),
        ("fine", None),
    ],
)
def test_the_first_nul_in_a_json_body_is_located(value, where):
    assert _nul_path(value) == where
