"""/you-said-we-did: the public page. No sign-in: what the OPCC marked public, newest first,
and nothing dated on or after the start of a pre-election period while one is in force
(domain.engagement.service.public_lines applies the rule; this page only says so)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.engagement import service as engagement
from web.routes import engagement_common as common
from web.templating import render

public_router = APIRouter()


@public_router.get("/you-said-we-did", include_in_schema=False)
def you_said_we_did(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """`actor` is whoever is signed in, or nobody: the layout shows their menu if any."""
    today = clock.today()
    return render(
        request,
        "engagement/public.html",
        {
            "lines": engagement.public_lines(db, today=today),
            "paused": engagement.period_in_force(db, today=today),
            "signed_in": actor.is_authenticated,
            "common": common,
        },
        headers={"Cache-Control": "no-cache"},
    )
