"""HEAD for every GET route: the request runs as GET and the body is dropped on the way out.

FastAPI's APIRoute, unlike Starlette's Route, does not answer HEAD for a GET route. Rather
than add HEAD to every route's methods (which would put `head` operations, with clashing
operation ids, into the OpenAPI document), this pure ASGI middleware runs a HEAD request as
GET — same routing, same dependencies, so the same authentication, authorisation and
conditional-request handling — and passes on the status and headers (Content-Length
included, as RFC 9110 §9.3.2 allows) with an empty body.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

_BODY_MESSAGES = frozenset({"http.response.body", "http.response.pathsend"})


class HeadAsGetMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return
        finished = False

        async def send_without_body(message: Message) -> None:
            nonlocal finished
            if message["type"] not in _BODY_MESSAGES:
                await send(message)  # the response start (and trailers, if any)
            elif not finished and not message.get("more_body", False):
                finished = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})

        # A copy, so middleware outside this one (the access log) still sees HEAD.
        await self.app({**scope, "method": "GET"}, receive, send_without_body)
