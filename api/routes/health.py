"""Liveness and readiness, for load balancers and the Docker healthcheck."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from api.auth import database
from api.problems import problem_response
from api.toolkit import dumps
from domain import migrations

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: str


@router.get("/healthz", response_model=Health)
async def healthz() -> Health:
    """The process is up: answered on the event loop, so a busy thread pool cannot delay it."""
    return Health(status="ok")


@router.get("/readyz", response_model=Health, responses={503: {"description": "Not ready"}})
async def readyz(request: Request) -> Response:
    """The database answers and is at the latest migration."""
    db = database(request)
    try:
        migrated = await run_in_threadpool(migrations.is_migrated, db.engine, db.url)
    except SQLAlchemyError:
        return problem_response(503, "the database is not reachable")
    if not migrated:
        return problem_response(503, "the database is not migrated; run `oversight migrate`")
    return Response(dumps({"status": "ok"}), media_type="application/json")
