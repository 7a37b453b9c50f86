"""Every RAG rule, and the quarter arithmetic around the 1 April year start."""

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import Invalid
from domain.plan.rules import (
    AssessmentDraft,
    DeliveryStage,
    Direction,
    Quarter,
    Rating,
    check_assessment,
    direction,
    parse_period_code,
    quarter_of,
    rationale_problem,
)

GOOD = "Plans are in place but the new rota has not yet started in every area."
START = date(2023, 10, 1)


def draft(
    rating=Rating.GREEN,
    rationale=GOOD,
    stage=DeliveryStage.IN_DELIVERY,
    next_steps="",
    expected=None,
):
    return AssessmentDraft(rating, rationale, stage, next_steps, expected)


def fields_of(exc: Invalid) -> set[str]:
    return {str(e.loc[0]) for e in exc.errors}


@pytest.mark.parametrize(
    "rationale",
    [
        "",
        "   ",
        "n/a",
        "N/A.",
        "tbc",
        "TBC - awaiting data from the force",
        "see above",
        "As above",
        "Good.",
        "On track so far",
    ],
)
def test_a_rating_needs_a_real_reason(rationale):
    assert rationale_problem(rationale) is not None
    with pytest.raises(Invalid) as caught:
        check_assessment(draft(rationale=rationale), period_start=START)
    assert fields_of(caught.value) == {"rationale"}


def test_a_real_sentence_is_a_reason():
    assert rationale_problem(GOOD) is None
    check_assessment(draft(), period_start=START)


@pytest.mark.parametrize("rating", [Rating.AMBER, Rating.RED])
def test_amber_and_red_need_next_steps_and_an_expected_date(rating):
    with pytest.raises(Invalid) as caught:
        check_assessment(draft(rating=rating), period_start=START)
    assert fields_of(caught.value) == {"next_steps", "expected_date"}
    check_assessment(
        draft(
            rating=rating,
            next_steps="Recovery plan to the next board",
            expected=START + timedelta(days=90),
        ),
        period_start=START,
    )


def test_the_expected_date_must_be_after_the_period_starts():
    with pytest.raises(Invalid) as caught:
        check_assessment(
            draft(rating=Rating.AMBER, next_steps="Recovery plan", expected=START),
            period_start=START,
        )
    assert fields_of(caught.value) == {"expected_date"}


def test_blue_means_delivered():
    with pytest.raises(Invalid) as caught:
        check_assessment(
            draft(rating=Rating.BLUE, stage=DeliveryStage.IN_DELIVERY), period_start=START
        )
    assert fields_of(caught.value) == {"delivery_stage"}
    check_assessment(draft(rating=Rating.BLUE, stage=DeliveryStage.DELIVERED), period_start=START)


def test_all_problems_are_reported_at_once():
    with pytest.raises(Invalid) as caught:
        check_assessment(draft(rating=Rating.RED, rationale="tbc"), period_start=START)
    assert fields_of(caught.value) == {"rationale", "next_steps", "expected_date"}


@pytest.mark.parametrize(
    ("previous", "current", "expected"),
    [
        (None, Rating.RED, Direction.NEW),
        (Rating.RED, Rating.AMBER, Direction.IMPROVING),
        (Rating.AMBER, Rating.GREEN, Direction.IMPROVING),
        (Rating.GREEN, Rating.BLUE, Direction.IMPROVING),
        (Rating.GREEN, Rating.GREEN, Direction.STABLE),
        (Rating.BLUE, Rating.GREEN, Direction.DECLINING),
        (Rating.GREEN, Rating.RED, Direction.DECLINING),
    ],
)
def test_direction_of_travel(previous, current, expected):
    assert direction(previous, current) is expected


@pytest.mark.parametrize(
    ("day", "code"),
    [
        (date(2024, 3, 31), "2023-24-Q4"),
        (date(2024, 4, 1), "2024-25-Q1"),
        (date(2023, 6, 30), "2023-24-Q1"),
        (date(2023, 7, 1), "2023-24-Q2"),
        (date(2023, 10, 1), "2023-24-Q3"),
        (date(2023, 12, 31), "2023-24-Q3"),
        (date(2024, 1, 1), "2023-24-Q4"),
        (date(1999, 4, 1), "1999-00-Q1"),
    ],
)
def test_quarter_boundaries(day, code):
    assert quarter_of(day).code == code


def test_2023_24_q3_is_october_to_december():
    q = parse_period_code("2023-24-Q3")
    assert (q.starts_on, q.ends_on) == (date(2023, 10, 1), date(2023, 12, 31))
    assert parse_period_code("2023-24-Q4").ends_on == date(2024, 3, 31)


@pytest.mark.parametrize(
    "code", ["2023-25-Q1", "2023-24-Q5", "2023-Q1", "23-24-Q1", "", "2023-24-q1"]
)
def test_bad_period_codes_are_refused(code):
    with pytest.raises(Invalid):
        parse_period_code(code)


@given(st.dates(min_value=date(1901, 1, 1), max_value=date(9000, 12, 31)))
def test_every_day_is_inside_its_quarter(day):
    q = quarter_of(day)
    assert q.starts_on <= day <= q.ends_on
    assert parse_period_code(q.code) == q
    assert q.next().starts_on == q.ends_on + timedelta(days=1)
    assert q.next().previous() == q


def test_quarters_sort_in_time_order():
    assert Quarter(2023, 4) < Quarter(2024, 1)
