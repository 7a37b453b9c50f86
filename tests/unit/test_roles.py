"""DOMAIN.md §6: what each role may ever do, and that a token never exceeds its role."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.accounts.policy import require, require_signed_in
from domain.accounts.rules import (
    ANONYMOUS,
    ROLE_SCOPES,
    SYSTEM,
    ActorKind,
    Role,
    Scope,
    scopes_beyond_role,
    token_actor,
    user_actor,
)
from domain.errors import Forbidden, Unauthenticated

S = Scope
# Written out from DOMAIN.md §6, not copied from the code: a change to either must be deliberate.
EXPECTED_SCOPES: dict[Role, set[Scope]] = {
    Role.ADMIN: set(Scope),
    Role.OPCC_STAFF: {
        S.READ_PLAN,
        S.WRITE_PLAN,
        S.READ_BOARD,
        S.WRITE_BOARD,
        S.READ_ACTIONS,
        S.WRITE_ACTIONS,
        S.READ_ENGAGEMENT,
        S.WRITE_ENGAGEMENT,
        S.READ_COMPLAINT_STATS,
    },
    Role.COMPLAINTS_REVIEWER: {
        S.READ_PLAN,
        S.WRITE_PLAN,
        S.READ_BOARD,
        S.WRITE_BOARD,
        S.READ_ACTIONS,
        S.WRITE_ACTIONS,
        S.READ_ENGAGEMENT,
        S.WRITE_ENGAGEMENT,
        S.READ_COMPLAINT_STATS,
        S.READ_COMPLAINTS,
        S.WRITE_COMPLAINTS,
    },
    Role.FORCE_LIAISON: {S.READ_BOARD, S.READ_ACTIONS, S.WRITE_FORCE_RESPONSES},
    Role.VIEWER: {
        S.READ_PLAN,
        S.READ_BOARD,
        S.READ_ACTIONS,
        S.READ_ENGAGEMENT,
        S.READ_COMPLAINT_STATS,
    },
}

roles = st.sampled_from(list(Role))
scope_sets = st.frozensets(st.sampled_from(list(Scope)))


@pytest.mark.parametrize("role", list(Role))
def test_each_role_has_exactly_the_scopes_domain_md_gives_it(role):
    assert set(ROLE_SCOPES[role]) == EXPECTED_SCOPES[role]


def test_only_admin_holds_the_admin_scope():
    assert [r for r in Role if Scope.ADMIN in ROLE_SCOPES[r]] == [Role.ADMIN]


def test_only_complaints_roles_hold_complaint_case_scopes():
    for scope in (Scope.READ_COMPLAINTS, Scope.WRITE_COMPLAINTS):
        holders = {r for r in Role if scope in ROLE_SCOPES[r]}
        assert holders == {Role.ADMIN, Role.COMPLAINTS_REVIEWER}


def test_viewer_and_force_liaison_cannot_write_plans_boards_or_engagement():
    writes = {S.WRITE_PLAN, S.WRITE_BOARD, S.WRITE_ENGAGEMENT, S.WRITE_ACTIONS, S.ADMIN}
    assert not writes & ROLE_SCOPES[Role.VIEWER]
    assert not writes & ROLE_SCOPES[Role.FORCE_LIAISON]


@given(role=roles, asked=scope_sets)
def test_a_token_never_exceeds_its_role(role, asked):
    actor = token_actor(token_id=7, label="t", role=role, scopes=asked, user_id=None)
    assert actor.scopes <= ROLE_SCOPES[role]
    assert actor.scopes == asked & ROLE_SCOPES[role]
    for scope in Scope:
        assert actor.can(scope) == (scope in asked and scope in EXPECTED_SCOPES[role])


@given(role=roles, asked=scope_sets)
def test_scopes_beyond_role_names_exactly_what_the_role_lacks(role, asked):
    beyond = scopes_beyond_role(role, asked)
    assert beyond == {s for s in asked if s not in EXPECTED_SCOPES[role]}


def test_a_viewer_token_asking_for_admin_gets_only_what_a_viewer_has():
    actor = token_actor(
        token_id=1,
        label="t",
        role=Role.VIEWER,
        scopes=frozenset({Scope.ADMIN, Scope.READ_PLAN, Scope.WRITE_PLAN}),
        user_id=None,
    )
    assert actor.scopes == {Scope.READ_PLAN}
    with pytest.raises(Forbidden):
        require(actor, Scope.ADMIN)


@pytest.mark.parametrize("role", list(Role))
def test_a_user_has_every_scope_of_their_role_and_no_more(role):
    actor = user_actor(user_id=3, label="u@example.org", role=role)
    assert actor.scopes == ROLE_SCOPES[role]
    assert actor.kind is ActorKind.USER
    assert actor.audit_id == 3


def test_only_admins_and_complaints_reviewers_see_personal_data_and_never_through_a_token():
    seeing = {r for r in Role if user_actor(user_id=1, label="u", role=r).sees_personal_data}
    assert seeing == {Role.ADMIN, Role.COMPLAINTS_REVIEWER}
    for role in Role:
        token = token_actor(token_id=2, label="t", role=role, scopes=ROLE_SCOPES[role], user_id=1)
        assert not token.sees_personal_data


def test_a_token_is_audited_by_its_own_id_not_its_owners():
    actor = token_actor(
        token_id=9, label="t", role=Role.ADMIN, scopes=frozenset({Scope.ADMIN}), user_id=4
    )
    assert actor.audit_id == 9


def test_anonymous_is_refused_as_unauthenticated_before_any_scope_check():
    assert not ANONYMOUS.is_authenticated
    with pytest.raises(Unauthenticated):
        require(ANONYMOUS, Scope.READ_PLAN)
    with pytest.raises(Unauthenticated):
        require_signed_in(ANONYMOUS)


def test_a_signed_in_caller_without_the_scope_is_forbidden():
    viewer = user_actor(user_id=1, label="v", role=Role.VIEWER)
    require(viewer, Scope.READ_PLAN)
    require_signed_in(viewer)
    with pytest.raises(Forbidden, match="does not let you rate objectives") as refused:
        require(viewer, Scope.WRITE_PLAN)
    assert refused.value.scope == "write:plan"  # named for API callers, not on pages


def test_the_command_line_acts_as_an_administrator():
    assert SYSTEM.scopes == frozenset(Scope)
    assert SYSTEM.is_authenticated
    assert SYSTEM.audit_id is None


def test_passwords_are_hashed_with_argon2id_at_a_real_cost():
    from argon2 import Type

    from domain.accounts import service as accounts

    hasher = accounts._hasher
    assert hasher.type is Type.ID
    assert hasher.memory_cost >= 19 * 1024  # OWASP's floor for argon2id, in KiB
    assert hasher.time_cost >= 2
    assert accounts.hash_password("x" * 12).startswith("$argon2id$")


def test_an_unknown_email_costs_as_much_to_check_as_a_wrong_password():
    from argon2 import extract_parameters

    from domain.accounts import service as accounts
    from domain.accounts import sessions

    dummy = extract_parameters(sessions._DUMMY_HASH)
    real = extract_parameters(accounts.hash_password("x" * 12))
    assert (dummy.type, dummy.memory_cost, dummy.time_cost, dummy.parallelism) == (
        real.type,
        real.memory_cost,
        real.time_cost,
        real.parallelism,
    )
