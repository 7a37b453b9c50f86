"""The escalation lifecycle and the board date rules, exhaustively."""

from datetime import date, timedelta
from itertools import pairwise, product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.board.rules import (
    ALLOWED,
    TRANSITION_TARGETS,
    EscalationStatus,
    check_transition,
    is_due_soon,
    is_overdue,
    path_to,
    review_overdue,
)
from domain.errors import Conflict, InvalidTransition

S = EscalationStatus
EXPECTED_ALLOWED = {
    (S.AWAITING_RESPONSE, S.RESPONSE_RECEIVED),
    (S.RESPONSE_RECEIVED, S.DISCUSSED),
    (S.DISCUSSED, S.FOLLOW_UP),
    (S.DISCUSSED, S.CLOSED),
    (S.FOLLOW_UP, S.AWAITING_RESPONSE),
}
TODAY = date(2024, 3, 18)


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_every_transition_pair_is_allowed_or_refused_as_the_table_says(current, target):
    if (current, target) in EXPECTED_ALLOWED:
        check_transition(current, target)
    else:
        with pytest.raises(InvalidTransition) as caught:
            check_transition(current, target)
        assert isinstance(caught.value, Conflict)  # a 409 on both surfaces
        assert current.value.replace("_", " ") in caught.value.detail.lower().replace("-", " ")


def test_the_table_covers_every_status_and_closed_is_final():
    assert set(ALLOWED) == set(S)
    assert {(a, b) for a, targets in ALLOWED.items() for b in targets} == EXPECTED_ALLOWED
    assert ALLOWED[S.CLOSED] == frozenset()


def test_the_api_accepts_only_the_board_steps_as_targets():
    assert {"discussed", "follow_up", "closed"} == TRANSITION_TARGETS
    assert S.RESPONSE_RECEIVED.value not in TRANSITION_TARGETS  # only a force response
    assert S.AWAITING_RESPONSE.value not in TRANSITION_TARGETS  # only through a follow-up


def test_a_follow_up_returns_to_awaiting_response_in_the_same_change():
    assert path_to(S.DISCUSSED, S.FOLLOW_UP) == [S.FOLLOW_UP, S.AWAITING_RESPONSE]
    assert path_to(S.DISCUSSED, S.CLOSED) == [S.CLOSED]
    assert path_to(S.AWAITING_RESPONSE, S.RESPONSE_RECEIVED) == [S.RESPONSE_RECEIVED]
    with pytest.raises(InvalidTransition):
        path_to(S.AWAITING_RESPONSE, S.FOLLOW_UP)


@pytest.mark.parametrize(("current", "target"), list(product(S, S)))
def test_path_to_agrees_with_the_table(current, target):
    if (current, target) in EXPECTED_ALLOWED:
        path = path_to(current, target)
        assert path[0] is target
        for before, after in zip([current, *path], path, strict=False):
            assert after in ALLOWED[before]
    else:
        with pytest.raises(InvalidTransition):
            path_to(current, target)


@pytest.mark.parametrize("status", list(S))
def test_only_an_escalation_awaiting_the_force_is_overdue(status):
    yesterday = TODAY - timedelta(days=1)
    assert is_overdue(status, yesterday, TODAY) is (status is S.AWAITING_RESPONSE)
    assert is_overdue(status, TODAY, TODAY) is False
    assert is_overdue(status.value, yesterday, TODAY) is (status is S.AWAITING_RESPONSE)


def test_due_soon_is_the_next_seven_days_while_awaiting():
    assert is_due_soon(S.AWAITING_RESPONSE, TODAY, TODAY)
    assert is_due_soon(S.AWAITING_RESPONSE, TODAY + timedelta(days=7), TODAY)
    assert not is_due_soon(S.AWAITING_RESPONSE, TODAY + timedelta(days=8), TODAY)
    assert not is_due_soon(S.AWAITING_RESPONSE, TODAY - timedelta(days=1), TODAY)
    assert not is_due_soon(S.DISCUSSED, TODAY, TODAY)


def test_a_review_is_overdue_only_when_open_and_past_its_date():
    assert review_overdue(TODAY - timedelta(days=1), TODAY, closed=False)
    assert not review_overdue(TODAY - timedelta(days=1), TODAY, closed=True)
    assert not review_overdue(TODAY, TODAY, closed=False)
    assert not review_overdue(TODAY + timedelta(days=1), TODAY, closed=False)


@given(st.lists(st.sampled_from(list(S)), max_size=40))
def test_any_sequence_of_attempts_only_passes_through_allowed_states(attempts):
    """Apply random attempted moves the way the service does: a refused move changes
    nothing, an accepted one follows the table; a closed escalation never changes again."""
    status = S.AWAITING_RESPONSE
    visited = [status]
    for target in attempts:
        before = status
        try:
            path = path_to(status, target)
        except InvalidTransition:
            assert status is before
            continue
        assert before is not S.CLOSED
        for step in path:
            assert step in ALLOWED[status]
            status = step
        visited.append(status)
    assert S.FOLLOW_UP not in visited  # never rests in follow_up
    if S.CLOSED in visited:
        assert visited.index(S.CLOSED) == len(visited) - 1
    for earlier, later in pairwise(visited):
        assert later in ALLOWED[earlier] or (earlier, later) == (S.DISCUSSED, S.AWAITING_RESPONSE)


@given(
    st.sampled_from(list(S)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
)
def test_overdue_and_due_soon_never_hold_together(status, due, today):
    assert not (is_overdue(status, due, today) and is_due_soon(status, due, today))
