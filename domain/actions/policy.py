"""Who may see and do what with actions: used by the API, the pages and the inbox alike."""

from __future__ import annotations

from typing import Any

from sqlmodel import col, select

from domain.accounts.policy import require
from domain.accounts.rules import Actor, ActorKind, Role, Scope
from domain.actions.rules import ALLOWED, ActionStatus
from domain.actions.tables import Action
from domain.errors import Forbidden, NotFound
from domain.reference.tables import Organisation

INTERNAL_ROLES = frozenset({Role.ADMIN, Role.OPCC_STAFF, Role.COMPLAINTS_REVIEWER})
FORCE_MAY_MOVE_TO = frozenset({ActionStatus.IN_PROGRESS, ActionStatus.DONE})


def force_only(actor: Actor) -> bool:
    """The force liaison (person or token) sees only what the Force owns."""
    return actor.role is Role.FORCE_LIAISON


def sees_internal_notes(actor: Actor) -> bool:
    """OPCC people only; never the Force, viewers or tokens."""
    return actor.kind is ActorKind.USER and actor.role in INTERNAL_ROLES


def visible_filter(actor: Actor) -> Any | None:
    """A WHERE clause limiting a query to the actions this actor may see (None: all)."""
    require(actor, Scope.READ_ACTIONS)
    if force_only(actor):
        force_orgs = select(Organisation.id).where(Organisation.kind == "force")
        return col(Action.owner_org_id).in_(force_orgs)
    return None


def sees_owner(actor: Actor, owner_kind: str) -> bool:
    """Whether actions owned by an organisation of this kind can reach the actor's lists:
    what a filter may offer as an owner (the same rule as `visible_filter`)."""
    return not force_only(actor) or owner_kind == "force"


def visibility_class(actor: Actor) -> str:
    """The name of what this actor's lists of actions show, shared by every caller who sees
    the same (the response cache keys on it, never on the person). Checks read access."""
    visible_filter(actor)
    rows = "force-owned" if force_only(actor) else "all"
    return f"actions:{rows}:{'internal' if sees_internal_notes(actor) else 'reduced'}"


def check_can_view(actor: Actor, action: Action, owner_kind: str) -> None:
    require(actor, Scope.READ_ACTIONS)
    if force_only(actor) and owner_kind != "force":
        raise NotFound(f"no action with id {action.id}")


def can_edit(actor: Actor) -> bool:
    return actor.can(Scope.WRITE_ACTIONS)


def check_can_edit(actor: Actor) -> None:
    require(actor, Scope.WRITE_ACTIONS)


def can_respond(actor: Actor, owner_kind: str) -> bool:
    """Add updates to, and move, an action: OPCC editors always; the Force on its own."""
    return actor.can(Scope.WRITE_ACTIONS) or (
        actor.can(Scope.WRITE_FORCE_RESPONSES) and owner_kind == "force"
    )


def check_can_respond(actor: Actor, owner_kind: str) -> None:
    if not can_respond(actor, owner_kind):
        require(actor, Scope.WRITE_FORCE_RESPONSES)
        raise Forbidden("only the OPCC can change actions the Force does not own")


def check_can_move(actor: Actor, owner_kind: str, target: ActionStatus) -> None:
    check_can_respond(actor, owner_kind)
    if not actor.can(Scope.WRITE_ACTIONS) and target not in FORCE_MAY_MOVE_TO:
        raise Forbidden("the Force can mark its actions in progress or done, not cancel them")


def allowed_moves(actor: Actor, owner_kind: str, current: ActionStatus) -> tuple[ActionStatus, ...]:
    """The statuses this actor may move an action to now (the lifecycle and the policy)."""
    if not can_respond(actor, owner_kind):
        return ()
    return tuple(
        target
        for target in ActionStatus
        if target in ALLOWED[current]
        and (actor.can(Scope.WRITE_ACTIONS) or target in FORCE_MAY_MOVE_TO)
    )
