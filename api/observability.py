"""Structured logs with a request id on every line, and the middleware that sets it."""

from __future__ import annotations

import logging
import re
import secrets
import sys
import time

import orjson
import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.config import LogFormat

REQUEST_ID_HEADER = "x-request-id"
_SAFE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


class StandardError:
    """Where structlog writes the service's own lines: whatever `sys.stderr` is at the time
    (a test runner swaps it), one rendered line per call. Every level goes the same way;
    the bound logger has filtered by level already."""

    def __init__(self, name: str = "oversight", *_: object) -> None:
        self.name = name

    def msg(self, line: str) -> None:
        sys.stderr.write(line + "\n")

    debug = info = warning = warn = error = critical = exception = fatal = log = msg


def _add_logger_name(
    logger: StandardError, _: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    event.setdefault("logger", logger.name)
    return event


def _json(event: object, **_: object) -> str:
    return orjson.dumps(event, default=str).decode()


def configure_logging(log_format: LogFormat, level: int = logging.INFO) -> None:
    """One renderer for the service's own lines and the standard library's (uvicorn,
    alembic). The service's own go straight from structlog to stderr: the access line is
    written for every request, and through the standard library's records and formatter it
    cost a fifth of a cached feed page's time (README, "Performance")."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer(serializer=_json)
        if log_format is LogFormat.JSON
        else structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    )
    structlog.configure(
        processors=[*shared, _add_logger_name, structlog.processors.format_exc_info, renderer],
        logger_factory=StandardError,
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=[*shared, structlog.stdlib.add_logger_name],
            processors=[
                structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                structlog.processors.format_exc_info,
                renderer,
            ],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    # Our middleware writes one access line per request, with its request id.
    logging.getLogger("uvicorn.access").disabled = True


class RequestContextMiddleware:
    """Gives every request an id (or keeps a safe incoming one), binds it to the log
    context, echoes it in X-Request-ID and writes one access line when the response ends."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.log = structlog.get_logger("oversight.access")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(REQUEST_ID_HEADER.encode(), b"").decode("latin-1")
        request_id = incoming if _SAFE_REQUEST_ID.match(incoming) else secrets.token_hex(8)
        scope.setdefault("state", {})["request_id"] = request_id
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            self.log.info(
                "request",
                method=scope["method"],
                path=scope["path"],
                status=status,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
