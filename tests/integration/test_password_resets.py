"""Password reset links, the one-time reveal of new secrets, and a token's last use, through
their services on a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import col, func, select

from domain.accounts import passwords, reveals, sessions
from domain.accounts import service as accounts
from domain.accounts.reveals import RevealKind
from domain.accounts.rules import (
    SECRET_REVEAL_LIFETIME,
    SYSTEM,
    TOKEN_USE_GRAIN,
    ResetLinkState,
    Role,
    Scope,
    user_actor,
)
from domain.accounts.schemas import TokenCreate, UserInvite, UserUpdate
from domain.accounts.tables import ApiToken, PasswordReset, SecretReveal, User, WebSession
from domain.errors import Conflict, Forbidden, Invalid, Unauthenticated
from tests.conftest import NOW, PASSWORD, make_user

LATER = NOW + timedelta(hours=1)
NEW = "three unrelated words"
LIMITS = sessions.SignInLimits()


def _admin(session):  # type: ignore[no-untyped-def]
    user = make_user(session, Role.ADMIN, email="ada@test.example", name="Ada Admin")
    return user_actor(user_id=user.id, label=user.email, role=Role.ADMIN)


def _count(session, table) -> int:  # type: ignore[no-untyped-def]
    return int(session.exec(select(func.count()).select_from(table)).one())


def _signs_in(database, email: str, password: str) -> bool:  # type: ignore[no-untyped-def]
    try:
        sessions.sign_in(
            database,
            email=email,
            password=password,
            ip="192.0.2.9",
            now=LATER,
            limits=LIMITS,
            session_length=timedelta(hours=1),
        )
    except Unauthenticated:
        return False
    return True


def test_only_the_hash_of_a_link_is_stored(session):
    viewer = make_user(session, Role.VIEWER)
    _, secret = passwords.issue_reset_link(session, _admin(session), viewer.id, now=NOW)
    stored = session.exec(select(PasswordReset)).one()
    assert secret not in stored.secret_hash
    assert stored.secret_hash == accounts.hash_secret(secret)
    assert stored.expires_at == NOW + timedelta(hours=24)


def test_a_link_sets_the_password_once_and_ends_every_session(session, database):
    # Read now: reloading it after a rollback would hold the write lock sign_in needs.
    viewer = make_user(session, Role.VIEWER, email="vera@test.example")
    email = viewer.email
    _, secret = passwords.issue_reset_link(session, _admin(session), viewer.id, now=NOW)
    assert _signs_in(database, email, PASSWORD)  # the old one works until it is used
    assert _count(session, WebSession) >= 1
    link = passwords.find_reset_link(session, secret, now=LATER)
    assert (link.state, link.user.id) == (ResetLinkState.USABLE, viewer.id)

    changed = passwords.reset_password(session, secret, password=NEW, confirmation=NEW, now=LATER)
    assert changed.version == 2
    assert (
        session.exec(
            select(func.count()).select_from(WebSession).where(WebSession.user_id == viewer.id)
        ).one()
        == 0
    )
    assert passwords.find_reset_link(session, secret, now=LATER).state is ResetLinkState.USED
    with pytest.raises(Conflict):
        passwords.reset_password(session, secret, password=NEW, confirmation=NEW, now=LATER)
    session.rollback()
    assert _signs_in(database, email, NEW)
    assert not _signs_in(database, email, PASSWORD)


def test_an_expired_link_is_refused_and_changes_nothing(session):
    viewer = make_user(session, Role.VIEWER)
    _, secret = passwords.issue_reset_link(session, _admin(session), viewer.id, now=NOW)
    expired = NOW + timedelta(hours=24)
    assert passwords.find_reset_link(session, secret, now=expired).state is (ResetLinkState.EXPIRED)
    with pytest.raises(Conflict):
        passwords.reset_password(session, secret, password=NEW, confirmation=NEW, now=expired)
    session.rollback()
    assert session.get(User, viewer.id).version == 1


def test_a_new_link_replaces_the_unused_one_but_keeps_used_ones(session):
    viewer = make_user(session, Role.VIEWER)
    admin = _admin(session)
    _, first = passwords.issue_reset_link(session, admin, viewer.id, now=NOW)
    passwords.reset_password(session, first, password=NEW, confirmation=NEW, now=NOW)
    _, second = passwords.issue_reset_link(session, admin, viewer.id, now=LATER)
    _, third = passwords.issue_reset_link(session, admin, viewer.id, now=LATER)
    assert passwords.find_reset_link(session, first, now=LATER).state is ResetLinkState.USED
    assert passwords.find_reset_link(session, second, now=LATER).state is (ResetLinkState.NOT_VALID)
    assert passwords.find_reset_link(session, third, now=LATER).state is ResetLinkState.USABLE
    assert _count(session, PasswordReset) == 2


def test_a_deactivated_person_gets_no_link_and_their_link_stops_working(session):
    viewer = make_user(session, Role.VIEWER)
    admin = _admin(session)
    _, secret = passwords.issue_reset_link(session, admin, viewer.id, now=NOW)
    accounts.update_user(
        session, admin, viewer.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    assert passwords.find_reset_link(session, secret, now=NOW).state is (ResetLinkState.NOT_VALID)
    with pytest.raises(Conflict):
        passwords.reset_password(session, secret, password=NEW, confirmation=NEW, now=NOW)
    session.rollback()
    with pytest.raises(Conflict):
        passwords.issue_reset_link(session, admin, viewer.id, now=NOW)


def test_every_fault_of_a_new_password_is_raised_together(session):
    viewer = make_user(session, Role.VIEWER, email="vera@test.example")
    _, secret = passwords.issue_reset_link(session, _admin(session), viewer.id, now=NOW)
    with pytest.raises(Invalid) as refused:
        passwords.reset_password(session, secret, password="short", confirmation="", now=NOW)
    assert {e.loc[0] for e in refused.value.errors} == {"password", "confirmation"}
    session.rollback()
    assert passwords.find_reset_link(session, secret, now=NOW).state is ResetLinkState.USABLE


def test_an_invited_user_has_no_usable_password_until_they_set_one(session, database):
    admin = _admin(session)
    user, secret = passwords.invite_user(
        session,
        admin,
        UserInvite(email="New@Test.Example", display_name="New Person", role=Role.VIEWER),
        now=NOW,
    )
    assert user.email == "new@test.example"
    assert user.password_hash.startswith("$argon2id$")
    assert passwords.find_reset_link(session, secret, now=NOW).user.id == user.id
    passwords.reset_password(session, secret, password=NEW, confirmation=NEW, now=NOW)
    assert _signs_in(database, user.email, NEW)


def test_only_an_administrator_may_issue_or_invite(session):
    viewer = make_user(session, Role.VIEWER)
    as_viewer = user_actor(user_id=viewer.id, label=viewer.email, role=Role.VIEWER)
    with pytest.raises(Forbidden):
        passwords.issue_reset_link(session, as_viewer, viewer.id, now=NOW)
    with pytest.raises(Forbidden):
        passwords.invite_user(
            session,
            as_viewer,
            UserInvite(email="x@test.example", display_name="X", role=Role.ADMIN),
            now=NOW,
        )
    assert _count(session, PasswordReset) == 0


# The one-time reveal ------------------------------------------------------------------------


def test_a_secret_is_shown_once_to_the_admin_who_holds_the_key(session):
    admin = _admin(session)
    key = reveals.keep(
        session, admin, kind=RevealKind.API_TOKEN, subject_id=7, secret="ovs_abc", now=NOW
    )
    stored = session.exec(select(SecretReveal)).one()
    assert "ovs_abc" not in stored.masked and key not in stored.id
    other = user_actor(
        user_id=make_user(session, Role.ADMIN, email="other@test.example").id,
        label="other@test.example",
        role=Role.ADMIN,
    )
    wrong = dict(kind=RevealKind.API_TOKEN, subject_id=7, key=key, now=NOW)
    assert reveals.take(session, other, **wrong) is None  # another admin
    assert reveals.take(session, admin, **{**wrong, "subject_id": 8}) is None
    assert reveals.take(session, admin, **{**wrong, "kind": RevealKind.PASSWORD_RESET}) is None
    assert reveals.take(session, admin, **{**wrong, "key": "bm90LWl0"}) is None
    assert reveals.take(session, admin, **{**wrong, "key": "%%%"}) is None
    assert _count(session, SecretReveal) == 1  # none of those used it up
    assert reveals.take(session, admin, **wrong) == "ovs_abc"
    assert reveals.take(session, admin, **wrong) is None
    assert _count(session, SecretReveal) == 0


def test_a_reveal_nobody_came_back_for_is_useless_and_cleared(session):
    admin = _admin(session)
    key = reveals.keep(
        session, admin, kind=RevealKind.API_TOKEN, subject_id=1, secret="ovs_old", now=NOW
    )
    later = NOW + SECRET_REVEAL_LIFETIME
    shown = reveals.take(
        session, admin, kind=RevealKind.API_TOKEN, subject_id=1, key=key, now=later
    )
    assert shown is None
    reveals.keep(session, admin, kind=RevealKind.API_TOKEN, subject_id=2, secret="a", now=NOW)
    reveals.keep(session, admin, kind=RevealKind.API_TOKEN, subject_id=3, secret="b", now=later)
    assert session.exec(select(SecretReveal.subject_id)).all() == [3]


def test_a_token_cannot_be_shown_secrets(session):
    _, secret = accounts.create_token(
        session, SYSTEM, TokenCreate(name="a", role=Role.ADMIN, scopes=[Scope.ADMIN]), now=NOW
    )
    as_token = accounts.actor_for_token(session, secret, now=NOW)
    assert as_token is not None and as_token.user_id is None
    with pytest.raises(Forbidden):
        reveals.keep(
            session, as_token, kind=RevealKind.API_TOKEN, subject_id=1, secret="x", now=NOW
        )


# A token's last use -----------------------------------------------------------------------


def test_a_tokens_last_use_is_stamped_at_most_once_per_grain(session):
    token, secret = accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(name="feed", role=Role.VIEWER, scopes=[Scope.READ_PLAN]),
        now=NOW,
    )

    def last_used():  # type: ignore[no-untyped-def]
        return session.exec(select(ApiToken.last_used_at).where(col(ApiToken.id) == token.id)).one()

    assert last_used() is None
    assert accounts.actor_for_token(session, secret, now=NOW) is not None
    assert last_used() == NOW
    soon = NOW + TOKEN_USE_GRAIN - timedelta(seconds=1)
    accounts.actor_for_token(session, secret, now=soon)
    assert last_used() == NOW
    later = NOW + TOKEN_USE_GRAIN
    accounts.actor_for_token(session, secret, now=later)
    assert last_used() == later
    # a use is not a change: the version, and what feeds sync on, stay as they were
    stored = session.get(ApiToken, token.id)
    session.refresh(stored)
    assert (stored.version, stored.updated_at) == (1, NOW)
