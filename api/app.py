"""The application factory: both surfaces, one error dispatcher, security headers, assets."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import docs
from api.auth import require_actor
from api.head import HeadAsGetMiddleware
from api.middleware import (
    AuthenticateFirstMiddleware,
    BodyLimitMiddleware,
    UnexpectedErrorMiddleware,
)
from api.observability import RequestContextMiddleware, configure_logging
from api.problems import PROBLEM_MEDIA_TYPE, domain_problem, problem_response, status_for
from api.response_cache import ResponseCache
from api.routes import accounts as accounts_api
from api.routes import actions as actions_api
from api.routes import audit as audit_api
from api.routes import board as board_api
from api.routes import complaints as complaints_api
from api.routes import engagement as engagement_api
from api.routes import health
from api.routes import plan as plan_api
from api.routes import reference as reference_api
from api.toolkit import HttpProblem, refuse_nul
from domain.config import PROJECT_ROOT, ConfigurationError, Settings, get_settings
from domain.db import Database
from domain.errors import DomainError, Unauthenticated
from web.errors import error_page
from web.router import protected_pages, public_pages

log = structlog.get_logger("oversight")

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)
MAX_BODY_BYTES = 1024 * 1024
"""No form or JSON body this service takes comes near 1 MiB; a larger one is refused."""
SECURITY_HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"strict-origin-when-cross-origin"),
    (b"x-frame-options", b"DENY"),
    (b"cross-origin-opener-policy", b"same-origin"),
]


class SecurityHeadersMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), *SECURITY_HEADERS]
            await send(message)

        await self.app(scope, receive, send_with_headers)


def wants_json(request: Request) -> bool:
    """API paths answer problem+json; pages answer HTML (Datasette's one-handler idea)."""
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/readyz")


def _on_domain_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, DomainError)
    if wants_json(request):
        return domain_problem(exc)
    return error_page(
        request, 401 if isinstance(exc, Unauthenticated) else status_for(exc), exc.detail
    )


def _on_validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    if not wants_json(request):
        on_path = any(err.get("loc", ("",))[0] == "path" for err in exc.errors())
        return error_page(request, 404 if on_path else 400)
    field_errors = [
        {
            "loc": [str(p) if not isinstance(p, int) else p for p in err.get("loc", ())],
            "msg": str(err.get("msg", "is invalid")),
        }
        for err in exc.errors()
    ]
    names = ", ".join(".".join(str(p) for p in e["loc"][1:] or e["loc"]) for e in field_errors)
    return problem_response(422, f"invalid input: {names}", field_errors=field_errors)


def _on_http_exception(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    detail = str(exc.detail) if exc.detail else ""
    if wants_json(request):
        return problem_response(exc.status_code, detail, headers=dict(exc.headers or {}))
    page = error_page(request, exc.status_code, detail)
    page.headers.update(exc.headers or {})  # e.g. Allow on a 405
    return page


def _on_http_problem(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HttpProblem)
    if wants_json(request):
        errors = [{"loc": exc.loc, "msg": exc.detail}] if exc.loc else None
        return problem_response(exc.status, exc.detail, field_errors=errors)
    return error_page(request, exc.status, exc.detail)


def _on_unexpected(request: Request, exc: Exception) -> Response:
    log.error("unhandled error", exc_info=exc, path=request.url.path)
    if wants_json(request):
        return problem_response(500, "something went wrong on our side; it has been logged")
    return error_page(request, 500)


def _mount_assets(app: FastAPI, settings: Settings) -> None:
    """Front-end packages straight from node_modules (installed by npm ci, never in git)."""
    node = settings.node_modules
    mounts = {
        "/static/govuk": node / "govuk-frontend" / "dist" / "govuk",
        "/static/moj": node / "@ministryofjustice" / "frontend" / "moj",
        "/static/htmx": node / "htmx.org" / "dist",
        "/assets/images": node / "@ministryofjustice" / "frontend" / "moj" / "assets" / "images",
        "/static/app": PROJECT_ROOT / "web" / "static",
        docs.SWAGGER_ASSETS: node / "swagger-ui-dist",
    }
    for path, directory in mounts.items():
        if not directory.is_dir():
            raise ConfigurationError(
                f"OVERSIGHT_NODE_MODULES: {directory} is missing; run `make install`"
            )
        app.mount(path, StaticFiles(directory=directory), name=path.strip("/").replace("/", "-"))


def _bad_body() -> dict[str, Any]:
    return {
        "description": "Bad Request",
        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }


def _problem_media_types(app: FastAPI) -> None:
    """Error responses are problem+json in the document too, not application/json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(
            title=app.title, version=app.version, description=app.description, routes=app.routes
        )
        for operations in schema.get("paths", {}).values():
            for operation in operations.values():
                if "requestBody" in operation:
                    # A body that is not UTF-8 JSON at all: FastAPI answers 400 itself.
                    operation["responses"].setdefault("400", _bad_body())
                for status, response in operation.get("responses", {}).items():
                    content = response.get("content", {})
                    if status[0] in "45" and "application/json" in content:
                        content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None, database: Database | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.effective_log_format)
    db = database or Database(settings.database_url)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        if database is None:
            db.dispose()

    app = FastAPI(
        title="Oversight API",
        version="1",
        description="Plan delivery, governance, complaint reviews and engagement for an OPCC.",
        lifespan=lifespan,
        docs_url=None,  # api/docs.py serves Swagger UI from node_modules
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.state.settings = settings
    app.state.db = db
    app.state.response_cache = ResponseCache()

    # Protected by default: both surfaces' routers go in with require_actor attached.
    api_v1 = APIRouter(prefix="/api/v1", dependencies=[Depends(require_actor), Depends(refuse_nul)])
    api_v1.include_router(accounts_api.router)
    api_v1.include_router(audit_api.router)
    api_v1.include_router(reference_api.router)
    api_v1.include_router(actions_api.router)
    api_v1.include_router(plan_api.router)
    api_v1.include_router(board_api.router)
    api_v1.include_router(engagement_api.router)
    api_v1.include_router(complaints_api.router)
    app.include_router(api_v1)
    app.include_router(protected_pages, dependencies=[Depends(require_actor), Depends(refuse_nul)])

    # PUBLIC ROUTES: the only ones that answer without signing in.
    app.include_router(health.router)
    app.include_router(plan_api.public_router, dependencies=[Depends(refuse_nul)])
    app.include_router(board_api.public_router, dependencies=[Depends(refuse_nul)])
    app.include_router(engagement_api.public_router, dependencies=[Depends(refuse_nul)])
    app.include_router(public_pages, dependencies=[Depends(refuse_nul)])
    app.include_router(docs.router)

    app.add_exception_handler(DomainError, _on_domain_error)
    app.add_exception_handler(RequestValidationError, _on_validation_error)
    app.add_exception_handler(StarletteHTTPException, _on_http_exception)
    app.add_exception_handler(HttpProblem, _on_http_problem)
    _mount_assets(app, settings)
    _problem_media_types(app)
    # Outermost last. Every answer, a refusal or a 500 included, passes the headers and the
    # request id; the body guards run before FastAPI reads a byte of the body.
    app.add_middleware(AuthenticateFirstMiddleware, application=app, on_refusal=_on_domain_error)
    app.add_middleware(BodyLimitMiddleware, max_bytes=MAX_BODY_BYTES, on_refusal=_on_http_exception)
    app.add_middleware(HeadAsGetMiddleware)  # the access log still sees HEAD
    app.add_middleware(UnexpectedErrorMiddleware, on_error=_on_unexpected)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
