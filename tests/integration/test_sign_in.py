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
from domain.accounts.rules import SYSTEM, Role, SignInLimits
from domain.accounts.schemas import UserUpdate
from domain.accounts.tables import SignInAttempt, User, WebSession
from domain.db import Database
from domain.errors import RateLimited, Unauthenticated
from tests.conftest import NOW, PASSWORD, make_user

LIMITS = SignInLimits(
    per_account=3, per_ip=5, per_account_all_addresses=8, window=timedelta(minutes=15)
)
LENGTH = timedelta(hours=12)
LATER = timedelta(minutes=1)  # past any progressive delay, well inside the window


def sign_in(database, email, password=PASSWORD, *, ip="192.0.2.1", now=NOW, limits=LIMITS):
    return sessions.sign_in(
        database,
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
def test_every_failure_gets_the_same_generic_message(session, database, case):
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
        sign_in(database, email, password)
    assert caught.value.detail == sessions.GENERIC_FAILURE


def test_an_address_is_locked_out_of_an_account_after_too_many_failures(session, database):
    user = make_user(session, Role.VIEWER)
    for n in range(LIMITS.per_account):
        with pytest.raises(Unauthenticated):
            sign_in(database, user.email, "wrong", now=NOW + n * LATER)
    locked_at = NOW + LIMITS.per_account * LATER
    assert attempts(database, email=user.email) == LIMITS.per_account
    with pytest.raises(RateLimited) as caught:
        sign_in(database, user.email, now=locked_at)  # even with the right password
    # Free again when the oldest failure leaves the 15-minute window.
    assert caught.value.retry_after_seconds == (LIMITS.window - LIMITS.per_account * LATER).seconds
    assert attempts(database, email=user.email) == LIMITS.per_account  # refusals not counted

    free_at = NOW + LIMITS.window
    assert sign_in(database, user.email, now=free_at).user.id == user.id
    assert attempts(database, email=user.email) == 0  # a success forgives this address


def test_the_real_user_signs_in_from_an_address_with_no_failures(session, database):
    user = make_user(session, Role.OPCC_STAFF)
    for n in range(LIMITS.per_account):
        with pytest.raises(Unauthenticated):
            sign_in(database, user.email, "guess", ip="203.0.113.66", now=NOW + n * LATER)
    with pytest.raises(RateLimited):
        sign_in(database, user.email, ip="203.0.113.66", now=NOW + LIMITS.per_account * LATER)
    at_desk = sign_in(database, user.email, ip="192.0.2.10", now=NOW + LIMITS.per_account * LATER)
    assert at_desk.user.id == user.id
    # The attacker's failures still count against the attacker's address.
    assert attempts(database, ip="203.0.113.66") == LIMITS.per_account


def test_failures_are_slowed_progressively_before_the_lock(session, database):
    user = make_user(session, Role.VIEWER)
    with pytest.raises(Unauthenticated):
        sign_in(database, user.email, "wrong")
    with pytest.raises(Unauthenticated):  # the second try is not delayed
        sign_in(database, user.email, "wrong")
    with pytest.raises(RateLimited) as caught:  # the third waits a second
        sign_in(database, user.email, "wrong")
    assert caught.value.retry_after_seconds == 1
    assert "Wait 1 second" in caught.value.detail
    with pytest.raises(Unauthenticated):
        sign_in(database, user.email, "wrong", now=NOW + timedelta(seconds=1))
    assert attempts(database, email=user.email) == 3


def test_a_distributed_attack_on_one_account_locks_it_for_everyone(session, database):
    user = make_user(session, Role.VIEWER)
    for n in range(LIMITS.per_account_all_addresses):
        with pytest.raises(Unauthenticated):
            sign_in(database, user.email, "wrong", ip=f"198.51.100.{n}")
    with pytest.raises(RateLimited):
        sign_in(database, user.email, ip="192.0.2.200")


def test_one_address_trying_many_accounts_is_limited(session, database):
    user = make_user(session, Role.VIEWER)
    for n in range(LIMITS.per_ip):
        with pytest.raises(Unauthenticated):
            sign_in(database, f"guess{n}@test.example", "wrong", ip="192.0.2.66")
    assert attempts(database, ip="192.0.2.66") == LIMITS.per_ip
    with pytest.raises(RateLimited):
        sign_in(database, user.email, ip="192.0.2.66")
    assert sign_in(database, user.email, ip="192.0.2.67").user.id == user.id


def test_the_counters_live_in_the_database_so_every_instance_agrees(session, database_url):
    user = make_user(session, Role.VIEWER)
    session.commit()
    one, another = Database(database_url), Database(database_url)
    try:
        for n in range(LIMITS.per_account):
            with pytest.raises(Unauthenticated):
                sign_in(one, user.email, "wrong", now=NOW + n * LATER)
        with pytest.raises(RateLimited):
            sign_in(another, user.email, now=NOW + LIMITS.per_account * LATER)
    finally:
        one.dispose()
        another.dispose()


def test_email_case_and_spaces_do_not_dodge_the_limit(session, database):
    user = make_user(session, Role.VIEWER)
    variants = ("VIEWER@test.example", " viewer@test.example ", "Viewer@Test.Example")
    for n, variant in enumerate(variants):
        with pytest.raises(Unauthenticated):
            sign_in(database, variant, "wrong", now=NOW + n * LATER)
    with pytest.raises(RateLimited):
        sign_in(database, user.email, now=NOW + len(variants) * LATER)


def test_a_nul_in_the_email_is_just_a_failed_attempt(database):
    with pytest.raises(Unauthenticated):
        sign_in(database, "viewer\x00@test.example", "wrong")
    assert attempts(database, ip="192.0.2.1") == 1


def test_signing_in_again_ends_the_session_the_browser_had(session, database):
    user = make_user(session, Role.OPCC_STAFF)
    first = sign_in(database, user.email)
    second = sessions.sign_in(
        database,
        email=user.email,
        password=PASSWORD,
        ip="192.0.2.1",
        now=NOW,
        limits=LIMITS,
        session_length=LENGTH,
        replacing=first.cookie_secret,
    )
    with database.session() as fresh:
        assert sessions.resolve(fresh, first.cookie_secret, now=NOW) is None
        assert sessions.resolve(fresh, second.cookie_secret, now=NOW) is not None


def test_every_sign_in_gets_a_new_session_and_only_its_hash_is_stored(session, database):
    user = make_user(session, Role.OPCC_STAFF)
    first = sign_in(database, user.email)
    second = sign_in(database, user.email)
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


def test_a_session_ends_when_it_expires(session, database):
    user = make_user(session, Role.VIEWER)
    signed = sign_in(database, user.email)
    assert sessions.resolve(session, signed.cookie_secret, now=NOW + LENGTH - timedelta(seconds=1))
    assert sessions.resolve(session, signed.cookie_secret, now=NOW + LENGTH) is None
    assert sessions.resolve(session, "made-up", now=NOW) is None


def test_deactivating_a_user_ends_all_their_sessions_at_once(session, database):
    make_user(session, Role.ADMIN)
    user = make_user(session, Role.OPCC_STAFF)
    cookies = [sign_in(database, user.email).cookie_secret for _ in range(2)]
    accounts.update_user(
        session, SYSTEM, user.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    with database.session() as fresh:
        assert fresh.exec(select(WebSession).where(WebSession.user_id == user.id)).all() == []
        for cookie in cookies:
            assert sessions.resolve(fresh, cookie, now=NOW) is None


def test_a_new_password_ends_all_sessions(session, database):
    user = make_user(session, Role.VIEWER)
    email, user_id = user.email, user.id
    cookie = sign_in(database, email).cookie_secret
    accounts.set_password(session, SYSTEM, user_id, "a brand new passphrase", now=NOW)
    assert sessions.resolve(session, cookie, now=NOW) is None
    session.rollback()  # end the test's own (writing) transaction before signing in
    with pytest.raises(Unauthenticated):
        sign_in(database, email)
    assert sign_in(database, email, "a brand new passphrase").user.id == user_id


def test_signing_out_everywhere_ends_the_other_sessions_too(session, database):
    user = make_user(session, Role.VIEWER)
    here, there = (sign_in(database, user.email) for _ in range(2))
    actor = sessions.resolve(session, here.cookie_secret, now=NOW).actor
    sessions.sign_out(session, actor, here.cookie_secret, everywhere=True, now=NOW)
    assert sessions.resolve(session, here.cookie_secret, now=NOW) is None
    assert sessions.resolve(session, there.cookie_secret, now=NOW) is None
