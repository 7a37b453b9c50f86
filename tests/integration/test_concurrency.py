"""R1 in small: two writers holding the same version of a record race; one wins, the other
is told its version is stale. Threads with their own sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from domain.accounts import service as accounts
from domain.accounts.rules import SYSTEM, Role
from domain.accounts.schemas import TokenCreate, UserUpdate
from domain.accounts.tables import User
from domain.audit.tables import AuditEvent
from domain.db import Database
from domain.errors import Conflict, DomainError, StaleVersion
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import AREAS
from tests.conftest import NOW, make_user

ROUNDS = 3


def race(database: Database, *work: Callable[[Session], Any]) -> list[Any]:
    """Run each piece of work in its own thread and session, all starting together."""
    barrier = threading.Barrier(len(work))
    outcomes: list[Any] = [None] * len(work)

    def run(i: int) -> None:
        with database.session(writing=True) as session:
            barrier.wait()
            try:
                outcomes[i] = work[i](session)
            except DomainError as exc:
                outcomes[i] = exc
            except Exception as exc:  # anything else is a failure of the test
                outcomes[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(work))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a writer hung"
    return outcomes


def audit_count(database: Database, entity: str, entity_id: int, action: str) -> int:
    with database.session() as fresh:
        stmt = (
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.entity == entity,
                AuditEvent.entity_id == entity_id,
                AuditEvent.action == action,
            )
        )
        return int(fresh.exec(stmt).one())


def test_two_writers_with_the_same_version_one_wins_one_is_stale(session, database):
    area = reference.create_record(
        session,
        SYSTEM,
        AREAS,
        ref.AreaCreate(code="blaby", name="Blaby", kind="district", tile_row=2, tile_col=2),
        now=NOW,
    )
    for round_ in range(ROUNDS):
        version = round_ + 1

        def rename(to: str, version: int = version) -> Callable[[Session], Any]:
            return lambda s: reference.update_record(
                s,
                SYSTEM,
                AREAS,
                area.id,
                ref.AreaUpdate(name=to),
                expected_version=version,
                now=NOW,
            )

        outcomes = race(database, rename(f"A{round_}"), rename(f"B{round_}"))
        winners = [o for o in outcomes if not isinstance(o, Exception)]
        losers = [o for o in outcomes if isinstance(o, Exception)]
        assert len(winners) == 1, outcomes
        assert len(losers) == 1 and isinstance(losers[0], StaleVersion), outcomes
        assert losers[0].current_version == version + 1
        with database.session() as fresh:
            stored = reference.get_record(fresh, SYSTEM, AREAS, area.id)
        assert stored.version == version + 1
        assert stored.name == winners[0].name
    assert audit_count(database, "area", area.id, "update") == ROUNDS


def test_two_admins_revoking_one_token_revoke_it_once(session, database):
    token, _ = accounts.create_token(
        session, SYSTEM, TokenCreate(name="t", role=Role.VIEWER, scopes=["read:plan"]), now=NOW
    )

    def revoke(s: Session) -> Any:
        return accounts.revoke_token(s, SYSTEM, token.id, expected_version=1, now=NOW)

    outcomes = race(database, revoke, revoke)
    assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
    assert sum(isinstance(o, StaleVersion | Conflict) for o in outcomes) == 1, outcomes
    assert audit_count(database, "token", token.id, "revoke") == 1


def active_admins(database: Database) -> int:
    with database.session() as fresh:
        stmt = (
            select(func.count())
            .select_from(User)
            .where(
                User.role == "admin",
                User.active == True,  # noqa: E712
            )
        )
        return int(fresh.exec(stmt).one())


def test_the_last_administrator_cannot_be_demoted_or_deactivated(session, database):
    only = make_user(session, Role.ADMIN)
    for change in (UserUpdate(role=Role.OPCC_STAFF), UserUpdate(active=False)):
        with pytest.raises(Conflict, match="last active administrator"):
            accounts.update_user(session, SYSTEM, only.id, change, expected_version=1, now=NOW)
        session.rollback()
    second = make_user(session, Role.ADMIN, email="second-admin@test.example")
    accounts.update_user(
        session, SYSTEM, only.id, UserUpdate(role=Role.VIEWER), expected_version=1, now=NOW
    )
    with pytest.raises(Conflict):
        accounts.update_user(
            session, SYSTEM, second.id, UserUpdate(active=False), expected_version=1, now=NOW
        )
    session.rollback()
    assert active_admins(database) == 1


def current_version(database: Database, user_id: int) -> int:
    with database.session() as fresh:
        return accounts.get_user(fresh, SYSTEM, user_id).version


def set_active(user_id: int, active: bool, version: int) -> Callable[[Session], Any]:
    return lambda s: accounts.update_user(
        s, SYSTEM, user_id, UserUpdate(active=active), expected_version=version, now=NOW
    )


def test_two_administrators_deactivating_each_other_at_once_leave_one(session, database):
    ids = [make_user(session, Role.ADMIN, email=f"admin{n}@test.example").id for n in (1, 2)]
    for _ in range(ROUNDS):
        outcomes = race(
            database, *(set_active(i, False, current_version(database, i)) for i in ids)
        )
        assert active_admins(database) == 1, outcomes
        assert sum(isinstance(o, Conflict) for o in outcomes) == 1, outcomes
        assert sum(not isinstance(o, Exception) for o in outcomes) == 1, outcomes
        (gone,) = [o.id for o in outcomes if not isinstance(o, Exception)]
        with database.session(writing=True) as s:
            set_active(gone, True, current_version(database, gone))(s)
