"""The action lifecycle and its date rules, exhaustively."""

from datetime import date, timedelta
from itertools import product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.actions.rules import (
    ALLOWED,
    NEEDS_REASON,
    ActionStatus,
    check_due_date,
    check_transition,
    is_due_soon,
    is_overdue,
)
from domain.errors import Invalid, InvalidTransition

S = ActionStatus
EXPECTED_ALLOWED = {
    (S.OPEN, S.IN_PROGRESS),
    (S.OPEN, S.DONE),
    (S.OPEN, S.CANCELLED),
    (S.IN_PROGRESS, S.DONE),
    (S.IN_PROGRESS, S.CANCELLED),
    (S.DONE, S.IN_PROGRESS),
}


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_every_transition_pair_is_allowed_or_refused_as_the_table_says(current, target):
    if (current, target) in EXPECTED_ALLOWED:
        check_transition(current, target, "because the board asked")
    else:
        with pytest.raises(InvalidTransition):
            check_transition(current, target, "because the board asked")


def test_the_table_in_rules_is_the_table_in_the_spec():
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == EXPECTED_ALLOWED


@pytest.mark.parametrize(("current", "target"), sorted(NEEDS_REASON))
@pytest.mark.parametrize("note", [None, "", "   "])
def test_cancelling_and_reopening_need_a_reason(current, target, note):
    with pytest.raises(Invalid) as caught:
        check_transition(current, target, note)
    assert caught.value.errors[0].loc == ("note",)


def test_cancelled_is_final():
    assert ALLOWED[S.CANCELLED] == frozenset()


@given(st.sampled_from(list(S)), st.sampled_from(list(S)), st.text(max_size=20))
def test_a_transition_outside_the_table_never_passes(current, target, note):
    if target in ALLOWED[current] and ((current, target) not in NEEDS_REASON or note.strip()):
        check_transition(current, target, note)
    else:
        with pytest.raises((InvalidTransition, Invalid)):
            check_transition(current, target, note)


TODAY = date(2024, 3, 18)


@given(st.sampled_from(list(S)), st.integers(min_value=-400, max_value=400))
def test_overdue_is_open_work_past_its_due_date(status, offset):
    due = TODAY + timedelta(days=offset)
    expected = status in (S.OPEN, S.IN_PROGRESS) and due < TODAY
    assert is_overdue(status, due, TODAY) is expected


def test_due_today_is_not_overdue_but_due_soon():
    assert not is_overdue(S.OPEN, TODAY, TODAY)
    assert is_due_soon(S.OPEN, TODAY, TODAY)


def test_due_soon_means_within_seven_days():
    assert is_due_soon(S.IN_PROGRESS, TODAY + timedelta(days=7), TODAY)
    assert not is_due_soon(S.IN_PROGRESS, TODAY + timedelta(days=8), TODAY)
    assert not is_due_soon(S.DONE, TODAY + timedelta(days=1), TODAY)
    assert not is_due_soon(S.OPEN, TODAY - timedelta(days=1), TODAY)


def test_due_dates_before_2000_are_refused():
    with pytest.raises(Invalid):
        check_due_date(date(1999, 12, 31))
    check_due_date(date(2000, 1, 1))
