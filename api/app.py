"""The application factory: both surfaces, one error dispatcher, security headers, assets."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import structlog
from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.params import Depends as DependsParam
from fastapi.routing import APIRoute, iter_route_contexts
from fastapi.staticfiles import StaticFiles
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import FileResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api import docs
from api.auth import require_actor
from api.head import HeadAsGetMiddleware
from api.middleware import (
    AuthenticateFirstMiddleware,
    BodyLimitMiddleware,
    CachedPageMiddleware,
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
    # Browsers ask for /favicon.ico where a page names no icon (the JSON API, a download).
    icon = PROJECT_ROOT / "web" / "static" / "favicon.svg"
    app.add_api_route(
        "/favicon.ico",
        lambda: FileResponse(icon, media_type="image/svg+xml"),
        include_in_schema=False,
    )


def _include(
    app: FastAPI,
    router: APIRouter,
    *,
    prefix: str = "",
    dependencies: Sequence[DependsParam] = (),
) -> None:
    """`app.include_router`, but each route goes into the app's own flat table.

    FastAPI 0.165 keeps an included router as one nested entry and matches a request
    against every route of every included router before the next top-level entry, twice
    per level of nesting (about 1 ms per request with 200 routes). In one flat table a
    route that does not match costs one regular expression, and the API's routes, added
    first, are matched without walking the pages. Each route keeps exactly what inclusion
    gives it (path, dependencies, tags, responses, ids), so the OpenAPI document and the
    route list are the same as with nested routers (tests/api/test_route_table.py)."""
    holder = APIRouter(prefix=prefix, dependencies=list(dependencies))
    holder.include_router(router)
    for context in iter_route_contexts(holder.routes):
        path, endpoint = context.path, context.endpoint
        if not isinstance(context.original_route, APIRoute) or path is None or endpoint is None:
            raise TypeError(f"{context.path}: only FastAPI routes can be included")
        app.router.add_api_route(
            path,
            endpoint,
            response_model=context.response_model,
            status_code=context.status_code,
            tags=context.tags,
            dependencies=context.dependencies,
            summary=context.summary,
            description=context.description,
            response_description=context.response_description,
            responses=context.responses,
            deprecated=context.deprecated,
            methods=context.methods,
            operation_id=context.operation_id,
            response_model_include=context.response_model_include,
            response_model_exclude=context.response_model_exclude,
            response_model_by_alias=context.response_model_by_alias,
            response_model_exclude_unset=context.response_model_exclude_unset,
            response_model_exclude_defaults=context.response_model_exclude_defaults,
            response_model_exclude_none=context.response_model_exclude_none,
            include_in_schema=context.include_in_schema,
            response_class=context.response_class,
            name=context.name,
            callbacks=context.callbacks,
            openapi_extra=context.openapi_extra,
            generate_unique_id_function=context.generate_unique_id_function,
            strict_content_type=context.strict_content_type,
            max_body_size=context.max_body_size,
        )


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
        try:
            await run_in_threadpool(db.refresh_statistics)
        except SQLAlchemyError as exc:  # the planner then guesses; the app still serves
            log.warning("could not refresh the database's statistics", error=str(exc))
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
    # The API's routes first: the feeds are the busiest paths (see _include).
    protected = [Depends(require_actor), Depends(refuse_nul)]
    for api_router in (
        accounts_api.router,
        audit_api.router,
        reference_api.router,
        actions_api.router,
        plan_api.router,
        board_api.router,
        engagement_api.router,
        complaints_api.router,
    ):
        _include(app, api_router, prefix="/api/v1", dependencies=protected)
    _include(app, protected_pages, dependencies=protected)

    # PUBLIC ROUTES: the only ones that answer without signing in.
    _include(app, health.router)
    _include(app, plan_api.public_router, dependencies=[Depends(refuse_nul)])
    _include(app, board_api.public_router, dependencies=[Depends(refuse_nul)])
    _include(app, engagement_api.public_router, dependencies=[Depends(refuse_nul)])
    _include(app, public_pages, dependencies=[Depends(refuse_nul)])
    _include(app, docs.router)

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
    app.add_middleware(CachedPageMiddleware, application=app)
    app.add_middleware(HeadAsGetMiddleware)  # the access log still sees HEAD
    app.add_middleware(UnexpectedErrorMiddleware, on_error=_on_unexpected)
    app.add_middleware(SecurityHeadersMiddleware)
    app.add_middleware(RequestContextMiddleware)
    return app
