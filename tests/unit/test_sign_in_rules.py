"""The sign-in wait rule (smart lockout): pure, the clock passed in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from domain.accounts.rules import SignInLimits, sign_in_wait

NOW = datetime(2024, 3, 18, 10, 0, tzinfo=UTC)
LIMITS = SignInLimits(per_account=5, per_ip=20, per_account_all_addresses=50)
S = timedelta(seconds=1)


def wait(pair=(), account=None, address=None, now=NOW):
    return sign_in_wait(
        pair=list(pair),
        account=list(pair if account is None else account),
        address=list(pair if address is None else address),
        now=now,
        limits=LIMITS,
    )


def test_no_failures_no_wait():
    assert wait() is None


def test_one_failure_no_wait_then_the_delay_doubles():
    assert wait([NOW]) is None
    assert wait([NOW, NOW]) == 1 * S
    assert wait([NOW] * 3) == 2 * S
    assert wait([NOW] * 4) == 4 * S
    assert wait([NOW - 10 * S] * 4) is None  # the delay has passed


def test_the_fifth_failure_locks_the_address_until_the_oldest_leaves_the_window():
    failures = [NOW - timedelta(minutes=m) for m in (10, 8, 6, 4, 2)]
    assert wait(failures) == timedelta(minutes=5)
    assert wait(failures, now=NOW + timedelta(minutes=5)) is None


def test_another_address_with_no_failures_is_not_held_back():
    theirs = [NOW] * 5
    assert wait(pair=[], account=theirs, address=[]) is None


def test_a_distributed_attack_locks_the_account_for_everyone():
    assert wait(pair=[], account=[NOW] * 50, address=[]) == LIMITS.window


def test_one_address_guessing_many_accounts_is_locked_out():
    assert wait(pair=[], account=[], address=[NOW] * 20) == LIMITS.window


@given(st.lists(st.integers(min_value=0, max_value=900), max_size=60))
def test_the_wait_is_never_negative_nor_longer_than_the_window(seconds_ago):
    failures = sorted(NOW - timedelta(seconds=s) for s in seconds_ago)
    found = wait(failures)
    assert found is None or timedelta(0) < found <= LIMITS.window
