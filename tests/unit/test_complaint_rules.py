"""The complaint review rules: windows, working days, targets, age bands, the lifecycle, the
decision's checks and the KPI definitions, exhaustively and by property."""

from datetime import date, timedelta
from itertools import pairwise, product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.complaints.rules import (
    ALLOWED,
    DEFAULT_RULES,
    IN_PROGRESS_STATUSES,
    OPEN_STATUSES,
    OUTCOME_LABELS,
    STATUS_LABELS,
    TERMINAL_STATUSES,
    AgeBand,
    HoldSpan,
    ReviewOutcome,
    ReviewRules,
    ReviewStatus,
    acknowledgement_due,
    add_working_days,
    age_band,
    application_deadline,
    check_can_close,
    check_dates,
    check_decision,
    check_transition,
    days_left,
    days_on_hold,
    days_open,
    days_open_without_holds,
    is_late,
    is_working_day,
    nearest_rank,
    next_update_due,
    period_key,
    period_keys,
    suppress,
    target_date,
    update_overdue,
)
from domain.config import load_settings
from domain.errors import Conflict, Invalid, InvalidTransition

S = ReviewStatus
EXPECTED_ALLOWED = {
    (S.RECEIVED, S.VALIDITY_CHECK),
    (S.RECEIVED, S.WITHDRAWN),
    (S.VALIDITY_CHECK, S.INVALID),
    (S.VALIDITY_CHECK, S.FORWARDED_TO_IOPC),
    (S.VALIDITY_CHECK, S.IN_REVIEW),
    (S.VALIDITY_CHECK, S.WITHDRAWN),
    (S.IN_REVIEW, S.ON_HOLD),
    (S.IN_REVIEW, S.WITHDRAWN),
    (S.ON_HOLD, S.IN_REVIEW),
    (S.ON_HOLD, S.WITHDRAWN),
    (S.DECIDED, S.CLOSED),
}
TODAY = date(2024, 3, 18)
days = st.dates(min_value=date(2015, 1, 1), max_value=date(2035, 12, 31))


def faults(caught: pytest.ExceptionInfo[Invalid]) -> set[tuple[str | int, ...]]:
    return {e.loc for e in caught.value.errors}


# Lifecycle -----------------------------------------------------------------------------------


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_every_transition_pair_is_allowed_or_refused_as_the_table_says(current, target):
    if (current, target) in EXPECTED_ALLOWED:
        check_transition(current, target, "a reason")
    else:
        with pytest.raises(InvalidTransition) as caught:
            check_transition(current, target, "a reason")
        assert isinstance(caught.value, Conflict)  # a 409 on both surfaces


def test_the_table_covers_every_status_and_the_ends_are_final():
    assert set(ALLOWED) == set(S)
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == EXPECTED_ALLOWED
    assert {S.INVALID, S.FORWARDED_TO_IOPC, S.CLOSED, S.WITHDRAWN} == TERMINAL_STATUSES
    for status in TERMINAL_STATUSES:
        assert ALLOWED[status] == frozenset()
    assert S.DECIDED in OPEN_STATUSES and S.DECIDED not in IN_PROGRESS_STATUSES
    assert set(STATUS_LABELS) == set(S)
    assert set(OUTCOME_LABELS) == set(ReviewOutcome)


@pytest.mark.parametrize("current", list(S))
def test_decided_is_reached_only_through_the_decision(current):
    with pytest.raises(InvalidTransition, match="decision"):
        check_transition(current, S.DECIDED, "note")


@pytest.mark.parametrize(
    ("current", "target"),
    [(S.IN_REVIEW, S.ON_HOLD), (S.RECEIVED, S.WITHDRAWN), (S.ON_HOLD, S.WITHDRAWN)],
)
@pytest.mark.parametrize("note", ["", "   ", None])
def test_a_hold_and_a_withdrawal_must_say_why(current, target, note):
    with pytest.raises(Invalid) as caught:
        check_transition(current, target, note)
    assert faults(caught) == {("note",)}


# Any sequence of attempted moves, with the decision as one more move.
DECIDE = "decide"
moves = st.lists(st.sampled_from([*S, DECIDE]), max_size=40)


@given(moves, st.sampled_from(["", "reason"]))
def test_no_sequence_of_moves_reaches_an_undefined_state(sequence, note):
    status = S.RECEIVED
    seen = [status]
    for move in sequence:
        if move == DECIDE:
            if status is S.IN_REVIEW:  # what decide_review allows
                status = S.DECIDED
                seen.append(status)
            continue
        try:
            check_transition(status, move, note)
        except (InvalidTransition, Invalid):
            continue
        assert move in ALLOWED[status]
        status = move
        seen.append(status)
    assert status in ALLOWED  # a defined state
    for before, after in pairwise(seen):
        assert before not in TERMINAL_STATUSES  # nothing leaves an end
        assert (before, after) in EXPECTED_ALLOWED | {(S.IN_REVIEW, S.DECIDED)}


# Dates ---------------------------------------------------------------------------------------


def test_the_application_window_ends_on_day_28_after_the_outcome_was_sent():
    sent = date(2024, 1, 31)
    assert application_deadline(sent) == date(2024, 2, 28)
    assert not is_late(sent, sent + timedelta(days=28))  # day 28: on time
    assert is_late(sent, sent + timedelta(days=29))  # day 29: late
    assert not is_late(sent, sent)


@given(days, st.integers(min_value=0, max_value=400))
def test_late_means_after_the_28th_day(sent, after):
    assert is_late(sent, sent + timedelta(days=after)) is (after > 28)


def test_working_days_skip_the_easter_2024_bank_holidays():
    # Good Friday 29 March and Easter Monday 1 April 2024 (England and Wales).
    assert not is_working_day(date(2024, 3, 29))
    assert not is_working_day(date(2024, 4, 1))
    assert add_working_days(date(2024, 3, 28), 1) == date(2024, 4, 2)
    assert add_working_days(date(2024, 3, 27), 5) == date(2024, 4, 5)
    assert add_working_days(date(2024, 3, 27), 0) == date(2024, 3, 27)
    # Acknowledgement within 5 working days of a Thursday-before-Easter receipt.
    assert acknowledgement_due(date(2024, 3, 28), DEFAULT_RULES) == date(2024, 4, 8)


def test_working_days_skip_christmas_and_boxing_day():
    assert add_working_days(date(2024, 12, 24), 1) == date(2024, 12, 27)


@given(days, st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_the_nth_working_day(start, n):
    end = add_working_days(start, n)
    assert is_working_day(end)
    between = [start + timedelta(days=i) for i in range(1, (end - start).days + 1)]
    assert sum(is_working_day(d) for d in between) == n


def test_the_target_is_28_calendar_days_or_28_working_days():
    received = date(2024, 3, 20)
    assert target_date(received, DEFAULT_RULES) == date(2024, 4, 17)
    working = ReviewRules(target_rule="working")
    # 28 working days from 20 March 2024, over Easter: 2 bank holidays and 8 weekend days.
    assert target_date(received, working) == date(2024, 5, 1)
    assert DEFAULT_RULES.describe_target() == "28 calendar days"
    assert working.describe_target() == "28 working days"


def test_rules_come_from_the_settings(monkeypatch):
    monkeypatch.setenv("OVERSIGHT_COMPLAINT_TARGET_RULE", "working")
    monkeypatch.setenv("OVERSIGHT_COMPLAINT_TARGET_DAYS", "20")
    monkeypatch.setenv("OVERSIGHT_PERSONAL_DATA_RETENTION_YEARS", "3")
    rules = ReviewRules.from_settings(load_settings())
    assert rules == ReviewRules(target_rule="working", target_days=20, retention_years=3)
    assert ReviewRules.from_settings(load_settings(complaint_target_rule="calendar")).target_rule


def test_the_complainant_hears_every_four_weeks_while_the_review_is_open():
    received = date(2024, 3, 1)
    assert next_update_due(received, None, DEFAULT_RULES) == date(2024, 3, 29)
    assert next_update_due(received, date(2024, 3, 20), DEFAULT_RULES) == date(2024, 4, 17)
    assert update_overdue(S.IN_REVIEW, date(2024, 3, 29), date(2024, 3, 30))
    assert not update_overdue(S.IN_REVIEW, date(2024, 3, 29), date(2024, 3, 29))
    for status in TERMINAL_STATUSES:
        assert not update_overdue(status, date(2024, 3, 29), date(2024, 5, 1))


def test_days_open_with_and_without_holds():
    received = date(2024, 3, 1)
    holds = [HoldSpan(date(2024, 3, 5), date(2024, 3, 10)), HoldSpan(date(2024, 3, 20), None)]
    assert days_open(received, date(2024, 3, 25)) == 24
    assert days_on_hold(holds, date(2024, 3, 25)) == 5 + 5
    assert days_open_without_holds(received, date(2024, 3, 25), holds) == 14
    # A hold is counted only up to the end of the count.
    assert days_on_hold(holds, date(2024, 3, 7)) == 2
    assert days_left(date(2024, 3, 29), date(2024, 3, 25)) == 4
    assert days_left(date(2024, 3, 29), date(2024, 4, 1)) == -3


@pytest.mark.parametrize(
    ("days_open_", "band"),
    [
        (-1, AgeBand.DAYS_0_14),
        (0, AgeBand.DAYS_0_14),
        (14, AgeBand.DAYS_0_14),
        (15, AgeBand.DAYS_15_21),
        (21, AgeBand.DAYS_15_21),
        (22, AgeBand.DAYS_22_28),
        (28, AgeBand.DAYS_22_28),
        (29, AgeBand.OVER_28),
        (400, AgeBand.OVER_28),
    ],
)
def test_age_bands_at_their_edges(days_open_, band):
    assert age_band(days_open_) is band


@given(st.integers(min_value=0, max_value=10_000))
def test_age_bands_are_ordered(n):
    order = list(AgeBand)
    assert order.index(age_band(n)) <= order.index(age_band(n + 1))


# Checks --------------------------------------------------------------------------------------


def test_dates_every_fault_at_once():
    with pytest.raises(Invalid) as caught:
        check_dates(
            outcome_sent_on=TODAY + timedelta(days=3),
            received_on=TODAY + timedelta(days=1),
            today=TODAY,
        )
    assert faults(caught) == {("received_on",), ("outcome_sent_on",)}
    messages = {e.msg for e in caught.value.errors}
    assert "cannot be before the outcome was sent" in messages
    check_dates(outcome_sent_on=TODAY, received_on=TODAY, today=TODAY)


def decide(outcome, reasons="Reasons.", recs=(), no_rec="", decided_on=TODAY):
    check_decision(
        outcome,
        reasons,
        list(recs),
        no_rec,
        decided_on=decided_on,
        received_on=date(2024, 3, 1),
        today=TODAY,
    )


def test_a_decision_reports_every_fault_at_once():
    with pytest.raises(Invalid) as caught:
        decide(
            ReviewOutcome.UPHELD,
            reasons=" ",
            recs=[("", TODAY), ("Reinvestigate", TODAY - timedelta(days=1))],
            decided_on=TODAY + timedelta(days=1),
        )
    assert faults(caught) == {
        ("reasons",),
        ("recommendations", 0, "text"),
        ("recommendations", 0, "response_due"),
        ("recommendations", 1, "response_due"),
        ("decided_on",),
    }


def test_upheld_needs_a_recommendation_or_the_reason_there_is_none():
    with pytest.raises(Invalid) as caught:
        decide(ReviewOutcome.UPHELD)
    assert faults(caught) == {("recommendations",)}
    decide(ReviewOutcome.UPHELD, no_rec="The Force has already apologised.")
    decide(ReviewOutcome.UPHELD, recs=[("Reinvestigate", TODAY)])


@pytest.mark.parametrize("outcome", [o for o in ReviewOutcome if o is not ReviewOutcome.UPHELD])
def test_only_an_upheld_review_makes_recommendations(outcome):
    decide(outcome)
    with pytest.raises(Invalid) as caught:
        decide(outcome, recs=[("Reinvestigate", TODAY)])
    assert faults(caught) == {("recommendations",)}
    assert "only an upheld review" in caught.value.errors[0].msg


def test_a_decision_cannot_come_before_the_application():
    with pytest.raises(Invalid) as caught:
        decide(ReviewOutcome.NOT_UPHELD, decided_on=date(2024, 2, 28))
    assert faults(caught) == {("decided_on",)}


def test_closing_needs_the_letter_and_the_forces_responses():
    with pytest.raises(Invalid) as caught:
        check_can_close(
            letter_sent_on=None, outcome=ReviewOutcome.UPHELD, unanswered_recommendations=2
        )
    assert faults(caught) == {("letter_sent_on",), ("recommendations",)}
    assert "2 recommendation(s)" in caught.value.errors[1].msg
    check_can_close(
        letter_sent_on=TODAY, outcome=ReviewOutcome.UPHELD, unanswered_recommendations=0
    )
    check_can_close(letter_sent_on=TODAY, outcome="not_upheld", unanswered_recommendations=0)


# KPI definitions -----------------------------------------------------------------------------


def test_nearest_rank_examples():
    assert nearest_rank([], 0.5) is None
    assert nearest_rank([7], 0.9) == 7
    assert nearest_rank([4, 1, 3, 2], 0.5) == 2  # rank ceil(2) = 2
    assert nearest_rank([1, 2, 3, 4, 5], 0.5) == 3
    assert nearest_rank(list(range(1, 11)), 0.9) == 9  # rank 9 exactly, no float drift
    assert nearest_rank(list(range(1, 21)), 0.9) == 18
    assert nearest_rank([26, 28, 36], 0.9) == 36


@given(st.lists(st.integers(min_value=0, max_value=400), min_size=1, max_size=60))
def test_nearest_rank_is_the_smallest_value_covering_the_share(values):
    for pct in (0.5, 0.9):
        found = nearest_rank(values, pct)
        at_or_below = sum(v <= found for v in values)
        assert at_or_below * 1000 >= pct * 1000 * len(values)
        smaller = [v for v in values if v < found]
        assert not smaller or sum(v <= max(smaller) for v in values) * 1000 < pct * 1000 * len(
            values
        )


@pytest.mark.parametrize(("n", "shown"), [(0, 0), (1, "<5"), (4, "<5"), (5, 5), (36, 36)])
def test_small_numbers_are_suppressed_but_zero_is_shown(n, shown):
    assert suppress(n) == shown


@pytest.mark.parametrize(
    ("day", "month", "quarter"),
    [
        (date(2024, 3, 31), "2024-03", "2023-24-Q4"),
        (date(2024, 1, 1), "2024-01", "2023-24-Q4"),
        (date(2024, 4, 1), "2024-04", "2024-25-Q1"),
        (date(2024, 7, 15), "2024-07", "2024-25-Q2"),
        (date(2023, 12, 31), "2023-12", "2023-24-Q3"),
        (date(2099, 10, 1), "2099-10", "2099-00-Q3"),
    ],
)
def test_period_keys(day, month, quarter):
    assert period_key(day, "month") == month
    assert period_key(day, "quarter") == quarter


def test_every_period_of_a_range_is_listed():
    assert period_keys(date(2024, 1, 15), date(2024, 4, 2), "month") == [
        "2024-01",
        "2024-02",
        "2024-03",
        "2024-04",
    ]
    assert period_keys(date(2024, 1, 15), date(2024, 4, 2), "quarter") == [
        "2023-24-Q4",
        "2024-25-Q1",
    ]


@given(days, days)
def test_period_keys_are_the_keys_of_the_days_in_range(a, b):
    start, end = min(a, b), max(a, b)
    if (end - start).days > 800:
        end = start + timedelta(days=800)
    for group in ("month", "quarter"):
        keys = period_keys(start, end, group)
        assert keys[0] == period_key(start, group)
        assert keys[-1] == period_key(end, group)
        assert len(keys) == len(set(keys))
