"""Who may see complaint reviews (COMPLAINTS.md "Personal data"): cases only to people in
the complaints_reviewer and admin roles, never tokens; everyone else gets statistics only,
and a case they ask for does not exist for them (404, nothing revealed)."""

from __future__ import annotations

from domain.accounts.policy import forbidden, require
from domain.accounts.rules import Actor, Scope
from domain.errors import Forbidden, NotFound, Unauthenticated


def sees_cases(actor: Actor) -> bool:
    return actor.sees_personal_data and actor.can(Scope.READ_COMPLAINTS)


def can_write(actor: Actor) -> bool:
    return sees_cases(actor) and actor.can(Scope.WRITE_COMPLAINTS)


def _not_found(review_id: int | None) -> NotFound:
    return NotFound("no complaint review" + (f" with id {review_id}" if review_id else ""))


def check_can_see_case(actor: Actor, review_id: int | None = None) -> None:
    """Anyone who may not see cases is told there is no such review."""
    if not actor.is_authenticated:
        raise Unauthenticated("sign in or send a bearer token")
    if not sees_cases(actor):
        raise _not_found(review_id)


def check_can_list(actor: Actor) -> None:
    require(actor, Scope.READ_COMPLAINTS)
    if not sees_cases(actor):
        raise Forbidden("only complaints reviewers can see complaint review cases")


def check_can_write(actor: Actor, review_id: int | None = None) -> None:
    """On a case: 404 unless the actor sees cases, 403 if they see but may not write.
    Without a case (create): 403."""
    if review_id is not None:
        check_can_see_case(actor, review_id)
    else:
        check_can_list(actor)
    if not actor.can(Scope.WRITE_COMPLAINTS):
        raise forbidden(Scope.WRITE_COMPLAINTS)


def check_can_read_stats(actor: Actor) -> None:
    require(actor, Scope.READ_COMPLAINT_STATS)


def sees_small_numbers(actor: Actor) -> bool:
    """Counts below 5 are shown only to people who see the cases themselves."""
    return sees_cases(actor)
