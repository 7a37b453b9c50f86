"""S5: tokens are stored hashed, scoped to their role, expiring and revocable at once."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from sqlalchemy import text

from domain.accounts import service as accounts
from domain.accounts.rules import ROLE_SCOPES, SYSTEM, ActorKind, Role, Scope
from domain.accounts.schemas import TokenCreate, UserUpdate
from domain.accounts.tables import ApiToken
from domain.errors import Conflict, Invalid, StaleVersion
from tests.conftest import NOW, make_user


def new_token(session, role=Role.VIEWER, scopes=None, **extra):
    return accounts.create_token(
        session,
        SYSTEM,
        TokenCreate(
            name="dashboard", role=role, scopes=sorted(scopes or ROLE_SCOPES[role]), **extra
        ),
        now=NOW,
    )


def test_the_secret_is_stored_only_as_its_sha256(session, database):
    token, secret = new_token(session)
    assert secret.startswith("ovs_")
    assert len(secret) > 40
    with database.session() as fresh:
        row = (
            fresh.connection()
            .execute(text("SELECT * FROM api_tokens WHERE id = :id"), {"id": token.id})
            .one()
        )
    assert all(secret not in str(value) for value in row)
    assert row.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret.startswith(row.prefix)
    assert len(row.prefix) < 12


def test_two_tokens_never_share_a_secret(session):
    secrets = {new_token(session)[1] for _ in range(5)}
    assert len(secrets) == 5


def test_a_token_acts_as_its_role_limited_to_its_scopes(session):
    token, secret = new_token(session, Role.OPCC_STAFF, {Scope.READ_ACTIONS})
    actor = accounts.actor_for_token(session, secret, now=NOW)
    assert actor is not None
    assert actor.kind is ActorKind.TOKEN
    assert actor.token_id == token.id
    assert actor.role is Role.OPCC_STAFF
    assert actor.scopes == {Scope.READ_ACTIONS}


def test_a_token_cannot_be_given_scopes_beyond_its_role(session, database):
    with pytest.raises(Invalid) as caught:
        new_token(session, Role.VIEWER, {Scope.READ_PLAN, Scope.ADMIN, Scope.WRITE_PLAN})
    assert [e.loc for e in caught.value.errors] == [("scopes",)]
    assert "admin" in caught.value.detail
    assert "write:plan" in caught.value.detail
    session.rollback()
    with database.session() as fresh:
        assert fresh.connection().execute(text("SELECT count(*) FROM api_tokens")).scalar() == 0


def test_a_stored_scope_beyond_the_role_is_ignored_when_the_token_is_used(session):
    token, secret = new_token(session, Role.VIEWER, {Scope.READ_PLAN})
    token.scopes = ["read:plan", "admin", "write:plan", "no-such-scope"]  # tampered with
    session.add(token)
    session.commit()
    actor = accounts.actor_for_token(session, secret, now=NOW)
    assert actor is not None
    assert actor.scopes == {Scope.READ_PLAN}


def test_a_revoked_token_stops_working_at_once(session, database):
    token, secret = new_token(session)
    assert accounts.actor_for_token(session, secret, now=NOW) is not None
    accounts.revoke_token(session, SYSTEM, token.id, expected_version=1, now=NOW)
    with database.session() as fresh:
        assert accounts.actor_for_token(fresh, secret, now=NOW) is None
        assert fresh.get(ApiToken, token.id).revoked_at == NOW


def test_revoking_twice_is_a_conflict_and_a_stale_version_is_refused(session):
    token, _ = new_token(session)
    with pytest.raises(StaleVersion):
        accounts.revoke_token(session, SYSTEM, token.id, expected_version=2, now=NOW)
    session.rollback()
    revoked = accounts.revoke_token(session, SYSTEM, token.id, expected_version=1, now=NOW)
    assert revoked.version == 2
    with pytest.raises(Conflict):
        accounts.revoke_token(session, SYSTEM, token.id, expected_version=2, now=NOW)


def test_an_expired_token_stops_working_at_its_expiry(session):
    token, secret = new_token(session, expires_in_days=30)
    assert token.expires_at == NOW + timedelta(days=30)
    just_before = token.expires_at - timedelta(microseconds=1)
    assert accounts.actor_for_token(session, secret, now=just_before) is not None
    assert accounts.actor_for_token(session, secret, now=token.expires_at) is None


def test_a_token_of_a_deactivated_user_stops_working(session):
    owner = make_user(session, Role.OPCC_STAFF)
    _, secret = new_token(session, Role.OPCC_STAFF, user_id=owner.id)
    assert accounts.actor_for_token(session, secret, now=NOW).user_id == owner.id
    accounts.update_user(
        session, SYSTEM, owner.id, UserUpdate(active=False), expected_version=1, now=NOW
    )
    assert accounts.actor_for_token(session, secret, now=NOW) is None


@pytest.mark.parametrize(
    "presented", ["", "ovs_", "ovs_made-up", "not-our-format", "Bearer ovs_x", "ovs_\x00"]
)
def test_an_unknown_secret_is_nobody(session, presented):
    new_token(session)
    assert accounts.actor_for_token(session, presented, now=NOW) is None


def test_a_token_for_an_unknown_user_is_refused(session):
    with pytest.raises(Invalid) as caught:
        new_token(session, user_id=999)
    assert [e.loc for e in caught.value.errors] == [("user_id",)]
