"""Who may read and change board records (DOMAIN.md §6): OPCC roles write boards,
escalations, outcomes and monitoring; the force liaison writes force responses."""

from __future__ import annotations

from domain.accounts.policy import require
from domain.accounts.rules import Actor, Scope


def can_read(actor: Actor) -> bool:
    return actor.can(Scope.READ_BOARD)


def check_can_read(actor: Actor) -> None:
    require(actor, Scope.READ_BOARD)


def can_write(actor: Actor) -> bool:
    return actor.can(Scope.WRITE_BOARD)


def check_can_write(actor: Actor) -> None:
    require(actor, Scope.WRITE_BOARD)


def can_respond(actor: Actor) -> bool:
    return actor.can(Scope.WRITE_FORCE_RESPONSES)


def check_can_respond(actor: Actor) -> None:
    require(actor, Scope.WRITE_FORCE_RESPONSES)


def sees_actions(actor: Actor) -> bool:
    return actor.can(Scope.READ_ACTIONS)
