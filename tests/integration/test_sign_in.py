"""S4: argon2 hashes, a generic failure message, a rate limit kept in the database, and a
new session on every sign-in; deactivation ends a user's sessions at once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import func, text
from sqlmodel import select

from domain.accounts import service as accounts
from domain.accounts import sessions
from domain.accounts.rules import SYSTEM, Role
from domain.accounts.schemas import UserUpdate
from domain.accounts.tables import SignInAttempt, User, WebSession
from domain.errors import RateLimited, Unauthenticated
from tests.conftest import NOW, PASSWORD, make_user

LIMITS = sessions.SignInLimits(per_account=3, per_ip=5, window=timedelta(minutes=15))
LENGTH = timedelta(hours=12)


def sign_in(session, email, password=PASSWORD, *, ip="192.0.2.1", now=NOW, limits=LIMITS):
    return sessions.sign_in(
        session,
        email=email,
        password=password,
        ip=ip,
        now=now,
        limits=limits,
        session_length=LENGTH,
    )


def attempts(database, **where) -> int:
    with database.session() as fresh:
        stmt = select(func.count()).select_from(SignInAttempt)
        for column, value in where.items():
            stmt = stmt.where(getattr(SignInAttempt, column) == value)
        return int(fresh.exec(stmt).one())


def test_passwords_are_stored_as_argon2id_hashes_only(session, database):
    user = make_user(session, Role.VIEWER)
    with database.session() as fresh:
        stored = fresh.get(User, user.id)
        assert stored.password_hash.startswith("$argon2id$")
        row = (
            fresh.connection()
            .execute(text("SELECT * FROM users WHERE id = :id"), {"id": user.id})
            .one()
        )
    assert all(PASSWORD not in str(value) for value in row)
    assert accounts.verify_password(stored.password_hash, PASSWORD)
    assert not accounts.verify_password(stored.password_hash, PASSWORD + "x")


@pytest.mark.parametrize("case", ["wrong password", "unknown email", "deactivated"])
def test_every_failure_gets_the_same_generic_message(session, case):
    user = make_user(session, Role.VIEWER)
    email, password = user.email, PASSWORD
    if case == "wrong password":
        password = "not the password at all"
    elif case == "unknown email":
        email = "nobody@test.example"
    else:
        accounts.update_user(
            session, SYSTEM, user.id, UserUpdate(active=False), expected_version=1, now=NOW
        )
    with pytest.raises(Unauthenticated) as caught:
        sign_in(session, email, password)
    assert caught.value.detail == sessions.GENERIC_FAILURE


def test_the_account_is_locked_after_too_many_failures_even_with_the_right_password(
    session, database
):
    user = make_user(session, Role.VIEWER)
    for n in range(LIMITS.per_account):
        with pytest.raises(Unauthenticated):
            sign_in(session, user.email, "wrong", ip=f"198.51.100.{n}")
    assert attempts(database, email=user.email) == LIMITS.per_account
    with pytest.raises(RateLimited) as caught:
        sign_in(session, user.email, ip="203.0.113.9")
    assert caught.value.retry_after_seconds == 15 * 60
    assert attempts(database, email=user.email) == LIMITS.per_account  # refusals not counted

    later = NOW + LIMITS.window + timedelta(seconds=1)
    assert sign_in(session, user.email, now=later).user.id == user.id
    assert attempts(database, email=user.email) == 0  # a success clears the account's count


def test_one_address_trying_many_accounts_is_limited(session, database):
    user = make_user(session, Role.VIEWER)
    for n in range(LIMITS.per_ip):
        with pytest.raises(Unauthenticated):
            sign_in(session, f"guess{n}@test.example", "wrong", ip="192.0.2.66")
    assert attempts(database, ip="192.0.2.66") == LIMITS.per_ip
    with pytest.raises(RateLimited):
        sign_in(session, user.email, ip="192.0.2.66")
    assert sign_in(session, user.email, ip="192.0.2.67").user.id == user.id


def test_the_counters_live_in_the_database_so_every_instance_agrees(session, database):
    user = make_user(session, Role.VIEWER)
    for _ in range(LIMITS.per_account):
        with pytest.raises(Unauthenticated):
            sign_in(session, user.email, "wrong")
    with database.session(writing=True) as another_instance, pytest.raises(RateLimited):
        sign_in(another_instance, user.email)


def test_email_case_and_spaces_do_not_dodge_the_limit(session):
    user = make_user(session, Role.VIEWER)
    for variant in ("VIEWER@test.example", " viewer@test.example ", "Viewer@Test.Example"):
        with pytest.raises(Unauthenticated):
            sign_in(session, variant, "wrong")
    with pytest.raises(RateLimited):
        sign_in(session, user.email)


def test_a_nul_in_the_email_is_just_a_failed_attempt(session, database):
    with pytest.raises(Unauthenticated):
        sign_in(session, "viewer\x00@test.example", "wrong")
    assert attempts(database, ip="192.0.2.1") == 1


def test_every_sign_in_gets_a_new_session_and_only_its_hash_is_stored(session, database):
    user = make_user(session, Role.OPCC_STAFF)
    first = sign_in(session, user.email)
    second = sign_in(session, user.email)
    assert first.cookie_secret != second.cookie_secret
    assert first.csrf_token != second.csrf_token
    with database.session() as fresh:
        ids = set(fresh.exec(select(WebSession.id).where(WebSession.user_id == user.id)).all())
    assert ids == {
        hashlib.sha256(first.cookie_secret.encode()).hexdigest(),
        hashlib.sha256(second.cookie_secret.encode()).hexdigest(),
    }
    resolved = sessions.resolve(session, second.cookie_secret, now=NOW)
    assert resolved is not None
    assert resolved.actor.user_id == user.id
    assert resolved.actor.role is Role.OPCC_STAFF
    assert resolved.csrf_token == second.csrf_token


def test_a_session_ends_when_it_expires(session):
    user = make_user(session, Role.VIEWER)
    signed = sign_in(session, user.email)
    assert sessions.resolve(session, signed.cookie_secret, now=NOW + LENGTH - timedelta(seconds=1))
    assert sessions.resolve(session, signed.cookie_secret, now=NOW + LENGTH) is None
    assert sessions.resolve(session, "made-up", now=NOW) is None


def test_deactivating_a_user_ends_all_their_sessions_at_once(session, database):
    make_user(session, Role.ADMIN)
    user = make_user(session, Role.OPCC_STAFF)
    cookies = [sign_in(session, user.email).cookie_secret for _ in range(2)]
    accounts.update_user(
        session, SYSTEM, user.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    with database.session() as fresh:
        assert fresh.exec(select(WebSession).where(WebSession.user_id == user.id)).all() == []
        for cookie in cookies:
            assert sessions.resolve(fresh, cookie, now=NOW) is None


def test_a_new_password_ends_all_sessions(session):
    user = make_user(session, Role.VIEWER)
    cookie = sign_in(session, user.email).cookie_secret
    accounts.set_password(session, SYSTEM, user.id, "a brand new passphrase", now=NOW)
    assert sessions.resolve(session, cookie, now=NOW) is None
    with pytest.raises(Unauthenticated):
        sign_in(session, user.email)
    assert sign_in(session, user.email, "a brand new passphrase").user.id == user.id


def test_signing_out_everywhere_ends_the_other_sessions_too(session):
    user = make_user(session, Role.VIEWER)
    here, there = (sign_in(session, user.email) for _ in range(2))
    actor = sessions.resolve(session, here.cookie_secret, now=NOW).actor
    sessions.sign_out(session, actor, here.cookie_secret, everywhere=True, now=NOW)
    assert sessions.resolve(session, here.cookie_secret, now=NOW) is None
    assert sessions.resolve(session, there.cookie_secret, now=NOW) is None
