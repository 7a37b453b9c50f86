"""The one permission check both surfaces call."""

from __future__ import annotations

from domain.accounts.rules import SCOPE_WORDS, Actor, Scope
from domain.errors import Forbidden, Unauthenticated


def require(actor: Actor, scope: Scope) -> None:
    if not actor.is_authenticated:
        raise Unauthenticated("sign in or send a bearer token")
    if not actor.can(scope):
        raise forbidden(scope)


def forbidden(scope: Scope) -> Forbidden:
    """A refusal that says in words what the role cannot do, and whom to ask."""
    return Forbidden(
        f"Your role does not let you {SCOPE_WORDS[scope]}. If your work needs it, ask an "
        "administrator to change your account.",
        scope=scope.value,
    )


def require_signed_in(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthenticated("sign in or send a bearer token")
