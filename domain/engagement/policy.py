"""Who may read and change engagement records (DOMAIN.md §6): OPCC roles record engagements
and close the loop; viewers read without personal data; admins set pre-election periods."""

from __future__ import annotations

from domain.accounts.policy import require
from domain.accounts.rules import Actor, ActorKind, Role, Scope

# Named contacts are members of the public: OPCC people only, never tokens or viewers.
NAMED_CONTACT_ROLES = frozenset({Role.ADMIN, Role.OPCC_STAFF, Role.COMPLAINTS_REVIEWER})


def can_read(actor: Actor) -> bool:
    return actor.can(Scope.READ_ENGAGEMENT)


def check_can_read(actor: Actor) -> None:
    require(actor, Scope.READ_ENGAGEMENT)


def can_write(actor: Actor) -> bool:
    return actor.can(Scope.WRITE_ENGAGEMENT)


def check_can_write(actor: Actor) -> None:
    require(actor, Scope.WRITE_ENGAGEMENT)


def sees_named_contacts(actor: Actor) -> bool:
    """A person (or the command line) in an OPCC role; a token never, whatever its role."""
    return (
        actor.kind in (ActorKind.USER, ActorKind.SYSTEM)
        and actor.role in NAMED_CONTACT_ROLES
        and actor.can(Scope.READ_ENGAGEMENT)
    )


def can_manage_periods(actor: Actor) -> bool:
    return actor.can(Scope.ADMIN)


def check_can_manage_periods(actor: Actor) -> None:
    require(actor, Scope.ADMIN)


def sees_actions(actor: Actor) -> bool:
    return actor.can(Scope.READ_ACTIONS)
