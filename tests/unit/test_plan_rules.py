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
    RatedPeriod,
    Rating,
    assessment_faults,
    check_assessment,
    code_order,
    direction,
    parse_period_code,
    plan_has_ended,
    quarter_of,
    rationale_problem,
)

GOOD = "Plans are in place but the new rota has not yet started in every area."
QUARTER = parse_period_code("2023-24-Q3")
START = QUARTER.starts_on  # 1 October 2023
OPEN = RatedPeriod(QUARTER, published=False)
PUBLISHED = RatedPeriod(QUARTER, published=True)


def draft(
    rating: Rating | None = Rating.GREEN,
    rationale=GOOD,
    stage: DeliveryStage | None = DeliveryStage.IN_DELIVERY,
    next_steps="",
    expected=None,
    correction="",
):
    return AssessmentDraft(rating, rationale, stage, next_steps, expected, correction)


def fields_of(exc: Invalid) -> set[str]:
    return {str(e.loc[0]) for e in exc.errors}


def faults(d: AssessmentDraft, period: RatedPeriod | None = OPEN) -> dict[str, str]:
    found = assessment_faults(d, period)
    assert len(found) == len({e.loc for e in found}), "one fault per field"
    return {str(e.loc[0]): e.msg for e in found}


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
        check_assessment(draft(rationale=rationale), OPEN)
    assert fields_of(caught.value) == {"rationale"}


def test_a_real_sentence_is_a_reason():
    assert rationale_problem(GOOD) is None
    check_assessment(draft(), OPEN)


@pytest.mark.parametrize(("rating", "label"), [(Rating.AMBER, "an Amber"), (Rating.RED, "a Red")])
def test_amber_and_red_need_next_steps_and_an_expected_date(rating, label):
    assert faults(draft(rating=rating)) == {
        "next_steps": f"enter the next steps for {label} rating",
        "expected_date": f"enter the expected date for {label} rating",
    }
    check_assessment(
        draft(
            rating=rating,
            next_steps="Recovery plan to the next board",
            expected=START + timedelta(days=90),
        ),
        OPEN,
    )


def test_blank_next_steps_are_no_next_steps():
    found = faults(draft(rating=Rating.RED, next_steps="  \n ", expected=date(2024, 1, 31)))
    assert set(found) == {"next_steps"}


@pytest.mark.parametrize("rating", [Rating.GREEN, Rating.BLUE])
def test_green_and_complete_need_neither(rating):
    stage = DeliveryStage.DELIVERED if rating is Rating.BLUE else DeliveryStage.IN_DELIVERY
    assert faults(draft(rating=rating, stage=stage)) == {}


def test_the_expected_date_must_be_after_the_period_starts():
    found = faults(draft(rating=Rating.AMBER, next_steps="Recovery plan", expected=START))
    assert found == {"expected_date": "must be after 1 October 2023, when 2023-24 Q3 starts"}
    assert (
        faults(draft(rating=Rating.AMBER, next_steps="Plan", expected=START + timedelta(1))) == {}
    )


def test_blue_means_delivered():
    found = faults(draft(rating=Rating.BLUE, stage=DeliveryStage.IN_DELIVERY))
    assert found == {
        "delivery_stage": "select Delivered as the delivery stage for a Complete rating"
    }
    check_assessment(draft(rating=Rating.BLUE, stage=DeliveryStage.DELIVERED), OPEN)


def test_all_problems_are_reported_at_once():
    with pytest.raises(Invalid) as caught:
        check_assessment(draft(rating=Rating.RED, rationale="tbc", correction="oops"), OPEN)
    assert fields_of(caught.value) == {
        "rationale",
        "next_steps",
        "expected_date",
        "correction_reason",
    }


def test_every_fault_of_a_correction_comes_in_one_answer():
    found = faults(draft(rating=Rating.AMBER, rationale=""), PUBLISHED)
    assert found == {
        "rationale": "enter the reason for this rating",
        "next_steps": "enter the next steps for an Amber rating",
        "expected_date": "enter the expected date for an Amber rating",
        "correction_reason": "enter the reason for correcting this rating: 2023-24 Q3 is published",
    }


def test_a_published_period_needs_a_reason_of_a_few_words_and_an_open_one_none():
    assert set(faults(draft(correction="Late"), PUBLISHED)) == {"correction_reason"}
    assert faults(draft(correction="Final figures arrived late"), PUBLISHED) == {}
    assert faults(draft(correction="Final figures arrived late"), OPEN) == {
        "correction_reason": "is only for correcting a published period"
    }


def test_what_was_not_chosen_is_left_to_the_caller_and_the_rest_still_checked():
    """A missing rating, stage or period is the form's to report; every other rule runs."""
    assert faults(draft(rating=None, rationale="n/a", stage=None), None) == {
        "rationale": (
            "give the actual reason for this rating, "
            "not a placeholder such as n/a, tbc or see above"
        )
    }
    # Without a stage, Amber still needs its next steps and date.
    assert set(faults(draft(rating=Rating.AMBER, stage=None))) == {"next_steps", "expected_date"}
    # Without a period, there is no start to compare the date with and no publishing.
    assert (
        faults(
            draft(rating=Rating.RED, next_steps="Plan", expected=date(2001, 1, 1), correction="x"),
            None,
        )
        == {}
    )
    # Complete with no stage chosen: nothing to contradict.
    assert faults(draft(rating=Rating.BLUE, stage=None)) == {}


def test_a_plan_has_ended_once_its_last_day_is_over():
    last = date(2021, 3, 31)
    assert not plan_has_ended(last, today=last)
    assert plan_has_ended(last, today=last + timedelta(days=1))


def test_objective_codes_sort_as_numbers():
    assert sorted(["1.10", "1.2", "2.1", "1.1.3"], key=code_order) == [
        "1.1.3",
        "1.2",
        "1.10",
        "2.1",
    ]


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
