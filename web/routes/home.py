"""Home: what needs attention, for whoever is signed in."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts import service as accounts
from domain.accounts.rules import Scope
from web.templating import render

router = APIRouter()


@router.get("/", include_in_schema=False)
def home(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    admin_summary = (
        accounts.admin_summary(db, actor, now=clock.now()) if actor.can(Scope.ADMIN) else None
    )
    return render(
        request,
        "pages/home.html",
        {"admin_summary": admin_summary, "scopes": sorted(s.value for s in actor.scopes)},
    )
