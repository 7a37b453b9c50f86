"""Who may read, rate and publish (DOMAIN.md §6; publishing is admin and OPCC staff only)."""

from __future__ import annotations

from domain.accounts.policy import require
from domain.accounts.rules import Actor, Role, Scope
from domain.errors import Forbidden

PUBLISHERS = frozenset({Role.ADMIN, Role.OPCC_STAFF})


def can_read(actor: Actor) -> bool:
    return actor.can(Scope.READ_PLAN)


def check_can_read(actor: Actor) -> None:
    require(actor, Scope.READ_PLAN)


def can_write(actor: Actor) -> bool:
    """Rate objectives and add reporting periods: pages offer those forms only then."""
    return actor.can(Scope.WRITE_PLAN)


def check_can_write(actor: Actor) -> None:
    require(actor, Scope.WRITE_PLAN)


def can_publish(actor: Actor) -> bool:
    return actor.can(Scope.WRITE_PLAN) and actor.role in PUBLISHERS


def check_can_publish(actor: Actor) -> None:
    require(actor, Scope.WRITE_PLAN)
    if not can_publish(actor):
        raise Forbidden("only administrators and OPCC staff publish a period")
