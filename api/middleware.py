"""Pure ASGI guards that must run before FastAPI reads a request body, or around
everything so that even an unexpected error leaves with the usual headers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import structlog
from fastapi import FastAPI, HTTPException, Request
from fastapi.dependencies.models import Dependant
from fastapi.routing import iter_route_contexts
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import URL, Headers
from starlette.requests import cookie_parser
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.auth import (
    IDENTITY_STATE,
    SAFE_METHODS,
    SESSION_COOKIE,
    Identity,
    database,
    require_actor,
    resolve_on_loop,
)
from api.response_cache import VISIBILITY_ATTRIBUTE, ResponseCache, Visibility, cache_key
from api.toolkit import cached_page, if_none_match, not_modified
from domain.errors import DomainError, Unauthenticated

log = structlog.get_logger("oversight")

ErrorHandler = Callable[[Request, Exception], Response]


def _needs_actor(dependant: Dependant) -> bool:
    return any(sub.call is require_actor or _needs_actor(sub) for sub in dependant.dependencies)


@dataclass(frozen=True)
class _RouteFacts:
    """What the guards below judge a route by, read once from the app's route table."""

    path_regex: re.Pattern[str]
    methods: frozenset[str]
    endpoint: Callable[..., object] | None
    protected: bool
    """Requires a signed-in caller, by its dependencies (protected-by-default wiring)."""


def _route_facts(application: FastAPI) -> list[_RouteFacts]:
    return [
        _RouteFacts(
            context.path_regex,
            frozenset(context.methods or ()),
            context.endpoint,
            _needs_actor(dependant),
        )
        for context in iter_route_contexts(application.routes)
        if (dependant := getattr(context, "dependant", None)) is not None
    ]


class BodyLimitMiddleware:
    """Refuses a body over `max_bytes` with 413: at once when Content-Length says so, or as
    soon as a streamed (chunked) body passes the limit, on every route."""

    def __init__(self, app: ASGIApp, *, max_bytes: int, on_refusal: ErrorHandler) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.on_refusal = on_refusal

    def _too_large(self) -> HTTPException:
        return HTTPException(413, f"the request body is larger than {self.max_bytes} bytes")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = Headers(scope=scope).get("content-length", "")
        if declared.isdigit() and int(declared) > self.max_bytes:
            request = Request(scope)
            response = await run_in_threadpool(self.on_refusal, request, self._too_large())
            await response(scope, receive, send)
            return
        received = 0

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_bytes:
                raise self._too_large()  # FastAPI re-raises it; the usual handler answers
            return message

        await self.app(scope, counting_receive, send)


class AuthenticateFirstMiddleware:
    """FastAPI reads and parses a body before it runs any dependency, so a protected route
    would parse an anonymous caller's 200 MiB upload before saying 401. For a request that
    may carry a body to a protected route, this resolves the caller first (once: the
    dependency reuses it) and refuses an unknown one without reading a byte of the body."""

    def __init__(self, app: ASGIApp, *, application: FastAPI, on_refusal: ErrorHandler) -> None:
        self.app = app
        self.application = application
        self.on_refusal = on_refusal
        self._routes: list[_RouteFacts] | None = None

    def _is_protected(self, scope: Scope) -> bool:
        """Whether the route this request will reach requires a signed-in caller."""
        if self._routes is None:  # built on first use: every route is in place by then
            self._routes = _route_facts(self.application)
        for route in self._routes:
            if scope["method"] in route.methods and route.path_regex.match(scope["path"]):
                return route.protected
        return False

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] in SAFE_METHODS
            or not self._is_protected(scope)
        ):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            identity = await resolve_on_loop(
                database(request),
                request.headers.get("authorization"),
                request.cookies.get(SESSION_COOKIE),
            )
            if not identity.actor.is_authenticated:
                raise Unauthenticated("sign in or send a bearer token")
        except Unauthenticated as exc:
            response = await run_in_threadpool(self.on_refusal, request, exc)
            await response(scope, receive, send)
            return
        scope.setdefault("state", {})[IDENTITY_STATE] = identity
        await self.app(scope, receive, send)


class UnexpectedErrorMiddleware:
    """Answers an unhandled exception inside the request-id and security-header middlewares
    (Starlette's own last-resort handler sits outside them), so a 500 carries both."""

    def __init__(self, app: ASGIApp, *, on_error: ErrorHandler) -> None:
        self.app = app
        self.on_error = on_error

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            if started:  # too late for a clean answer: let the server close the connection
                raise
            response = await run_in_threadpool(self.on_error, Request(scope, receive), exc)
            await response(scope, receive, send)


class CachedPageMiddleware:
    """Answers a GET of a list page that is already in the response cache, before FastAPI.

    Under polling load most of a cached page's cost was FastAPI resolving the list's
    query parameters and dependencies (README, "Performance"), none of which a stored page
    needs: the same URL passed validation when the page was made, and the key holds all
    else the answer depends on. For a route marked `answered_from_cache` this resolves the
    caller with the same one statement as the route (`api.auth.resolve_on_loop`, which
    reads the change counter too), asks the route's own visibility function (which checks
    read access), and answers 304 or the stored bytes. Anything else (a refusal, CSV, a page
    not stored) goes on to the route with the caller resolved, at no second statement."""

    def __init__(self, app: ASGIApp, *, application: FastAPI) -> None:
        self.app = app
        self.application = application
        self._routes: list[tuple[re.Pattern[str], Visibility, bool]] | None = None

    def _route(self, path: str) -> tuple[Visibility, bool] | None:
        """The marked route this path reaches: its visibility and whether it is protected."""
        if self._routes is None:  # built on first use: every route is in place by then
            self._routes = [
                (route.path_regex, visibility, route.protected)
                for route in _route_facts(self.application)
                if "GET" in route.methods
                and (visibility := getattr(route.endpoint, VISIBILITY_ATTRIBUTE, None))
            ]
        for path_regex, visibility, protected in self._routes:
            if path_regex.match(path):
                return visibility, protected
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        route = self._route(scope["path"]) if scope["type"] == "http" else None
        if route is None or scope["method"] != "GET":
            await self.app(scope, receive, send)
            return
        visibility, protected = route
        headers = Headers(scope=scope)
        try:
            identity = await resolve_on_loop(
                self.application.state.db,
                headers.get("authorization"),
                cookie_parser(headers.get("cookie", "")).get(SESSION_COOKIE),
                freshness=True,
            )
        except Unauthenticated:  # the route refuses it, in its own words
            await self.app(scope, receive, send)
            return
        scope.setdefault("state", {})[IDENTITY_STATE] = identity
        answer = self._stored_answer(scope, headers, identity, visibility, protected)
        if answer is None:
            await self.app(scope, receive, send)
            return
        await answer(scope, receive, send)

    def _stored_answer(
        self,
        scope: Scope,
        headers: Headers,
        identity: Identity,
        visibility: Visibility,
        protected: bool,
    ) -> Response | None:
        actor, freshness = identity.actor, identity.freshness
        if freshness is None or (protected and not actor.is_authenticated):
            return None
        if "text/csv" in headers.get("accept", ""):
            return None  # perhaps a CSV download of the same URL: the route decides
        try:
            visibility_class = visibility(actor)
        except DomainError:
            return None
        key = cache_key(str(URL(scope=scope)), visibility_class, freshness)
        if if_none_match(headers, key):
            return not_modified(key)
        cache: ResponseCache = self.application.state.response_cache
        body = cache.get(key)
        return None if body is None else cached_page(key, body)
