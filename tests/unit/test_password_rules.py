"""The password rules people meet when they set their own password, and when a reset link
works."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.accounts.rules import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    PASSWORD_RESET_LIFETIME,
    ResetLinkState,
    password_faults,
    reset_link_state,
)

EMAIL = "vera@test.example"
NOW = datetime(2024, 3, 18, 10, 0, tzinfo=UTC)


def faults(password: str, confirmation: str | None = None) -> dict[str, str]:
    found = password_faults(password, email=EMAIL, confirmation=confirmation)
    return {str(fault.loc[0]): fault.msg for fault in found}


def test_a_long_password_of_plain_words_is_enough():
    assert faults("three unrelated words", "three unrelated words") == {}


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("", "enter a new password"),
        ("x" * (MIN_PASSWORD_LENGTH - 1), "must be 12 characters or more"),
        ("x" * (MAX_PASSWORD_LENGTH + 1), "must be 200 characters or fewer"),
        ("Vera@Test.Example", "must not be your email address"),
    ],
)
def test_a_password_breaking_a_rule_says_which(password, message):
    assert faults(password) == {"password": message}


def test_the_limits_themselves_are_allowed():
    assert faults("x" * MIN_PASSWORD_LENGTH) == {}
    assert faults("x" * MAX_PASSWORD_LENGTH) == {}


def test_every_fault_is_reported_at_once():
    assert faults("short", "") == {
        "password": "must be 12 characters or more",
        "confirmation": "enter the new password again",
    }
    assert faults("three unrelated words", "three unrelated word") == {
        "confirmation": "the passwords do not match"
    }


def test_no_confirmation_asked_for_means_none_checked():
    assert faults("three unrelated words") == {}


def test_a_link_works_once_until_it_expires():
    expires = NOW + PASSWORD_RESET_LIFETIME
    assert timedelta(hours=24) == PASSWORD_RESET_LIFETIME
    assert reset_link_state(used_at=None, expires_at=expires, now=NOW) is ResetLinkState.USABLE
    just_before = expires - timedelta(seconds=1)
    assert reset_link_state(used_at=None, expires_at=expires, now=just_before) is (
        ResetLinkState.USABLE
    )
    assert reset_link_state(used_at=None, expires_at=expires, now=expires) is (
        ResetLinkState.EXPIRED
    )
    # used says used, even once it would have expired: the person knows it worked
    later = expires + timedelta(days=3)
    assert reset_link_state(used_at=NOW, expires_at=expires, now=later) is ResetLinkState.USED
