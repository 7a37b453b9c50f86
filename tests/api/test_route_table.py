"""The app's routes go into one flat table (api/app.py `_include`) rather than FastAPI's
nested included routers, for speed: the OpenAPI document and every route's path, methods,
name and dependencies must be exactly what `include_router` gives, and the API's routes
must come before the pages'."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts
from starlette.routing import Mount, Route

from api import docs
from api.app import _include
from api.auth import require_actor
from api.routes import (
    accounts,
    actions,
    audit,
    board,
    complaints,
    engagement,
    health,
    plan,
    reference,
)
from api.toolkit import refuse_nul
from web.router import protected_pages, public_pages

PROTECTED = [Depends(require_actor), Depends(refuse_nul)]
API_ROUTERS = [
    accounts.router,
    audit.router,
    reference.router,
    actions.router,
    plan.router,
    board.router,
    engagement.router,
    complaints.router,
]
OTHERS = [
    (protected_pages, PROTECTED),
    (health.router, []),
    (plan.public_router, [Depends(refuse_nul)]),
    (board.public_router, [Depends(refuse_nul)]),
    (engagement.public_router, [Depends(refuse_nul)]),
    (public_pages, [Depends(refuse_nul)]),
    (docs.router, []),
]


def _nested() -> FastAPI:
    """The wiring as FastAPI's include_router would have it."""
    app = FastAPI(title="t", version="1")
    api_v1 = APIRouter(prefix="/api/v1", dependencies=PROTECTED)
    for router in API_ROUTERS:
        api_v1.include_router(router)
    app.include_router(api_v1)
    for router, dependencies in OTHERS:
        app.include_router(router, dependencies=dependencies)
    return app


def _flat() -> FastAPI:
    app = FastAPI(title="t", version="1")
    for router in API_ROUTERS:
        _include(app, router, prefix="/api/v1", dependencies=PROTECTED)
    for router, dependencies in OTHERS:
        _include(app, router, dependencies=dependencies)
    return app


def _table(app: FastAPI) -> list[tuple[Any, ...]]:
    return [
        (
            context.path,
            sorted(context.methods or ()),
            context.name,
            [d.dependency for d in context.dependencies],
            context.status_code,
            context.include_in_schema,
        )
        for context in iter_route_contexts(app.routes)
        if isinstance(context.original_route, APIRoute)
    ]


def _document(app: FastAPI) -> dict[str, Any]:
    return get_openapi(title="t", version="1", routes=app.routes)


def test_the_flat_table_is_the_nested_one_route_for_route() -> None:
    assert _table(_flat()) == _table(_nested())


def test_the_openapi_document_is_the_same() -> None:
    assert _document(_flat()) == _document(_nested())


def test_the_api_routes_are_matched_before_any_page(app: FastAPI) -> None:
    """And no route is nested: each costs one match, in this order."""
    assert all(isinstance(route, APIRoute | Mount | Route) for route in app.routes)
    paths = [route.path for route in app.routes if isinstance(route, APIRoute)]
    first_page = next(i for i, path in enumerate(paths) if not path.startswith("/api/"))
    assert not any(
        path.startswith("/api/v1/") for path in paths[first_page:] if "/public/" not in path
    )
