"""The one permission check both surfaces call."""

from __future__ import annotations

from domain.accounts.rules import Actor, Scope
from domain.errors import Forbidden, Unauthenticated


def require(actor: Actor, scope: Scope) -> None:
    if not actor.is_authenticated:
        raise Unauthenticated("sign in or send a bearer token")
    if not actor.can(scope):
        raise Forbidden(f"this needs the {scope.value} permission")


def require_signed_in(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise Unauthenticated("sign in or send a bearer token")
