"""Home: what needs attention, for whoever is signed in."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts import service as accounts
from domain.accounts.rules import SCOPE_WORDS, Actor, Scope
from domain.actions import inbox, policy
from domain.actions import queries as action_queries
from domain.actions.rules import DUE_SOON_DAYS
from domain.actions.schemas import ActionReadForForce
from domain.listing import PageRequest
from web import action_views as views
from web import plan_views
from web.routes import complaint_common
from web.templating import render

router = APIRouter()
MY_ACTIONS_SHOWN = 5


@dataclass(frozen=True)
class Count:
    label: str
    number: int
    href: str


@dataclass(frozen=True)
class ActionSummary:
    counts: list[Count]
    mine: list[ActionReadForForce] | None  # None: the actor does not add actions
    mine_total: int
    mine_href: str


def _link(**params: str) -> str:
    return "/actions?" + urlencode(params)


def action_summary(db: Session, actor: Actor, today: date) -> ActionSummary:
    """Overdue and due this week (the next 7 days, as the Due soon tag means), and the open
    actions the actor added; the force liaison gets the inbox's own counts instead."""
    if policy.force_only(actor):
        owed = inbox.inbox_counts(db, actor, today=today)
        return ActionSummary(
            counts=[
                Count("Owed by the Force", owed.total, "/force-inbox"),
                Count("Overdue", owed.overdue, "/force-inbox"),
                Count("Due in the next 7 days", owed.due_soon, "/force-inbox"),
            ],
            mine=None,
            mine_total=0,
            mine_href="",
        )
    week = {
        "outstanding": "true",
        "due_after": today.isoformat(),
        "due_before": (today + timedelta(days=DUE_SOON_DAYS + 1)).isoformat(),
    }
    due_this_week = action_queries.ActionFilters(
        outstanding=True,
        due_after=today,
        due_before=today + timedelta(days=DUE_SOON_DAYS + 1),
    )
    counts = [
        Count(
            "Overdue actions",
            action_queries.count_actions(
                db, actor, action_queries.ActionFilters(overdue=True), today=today
            ),
            _link(overdue="true"),
        ),
        Count(
            "Due in the next 7 days",
            action_queries.count_actions(db, actor, due_this_week, today=today),
            _link(**week, sort="due_on"),
        ),
    ]
    if not policy.can_edit(actor):
        return ActionSummary(counts=counts, mine=None, mine_total=0, mine_href="")
    mine = action_queries.ActionFilters(outstanding=True, created_by=actor.label, sort="due_on")
    page = action_queries.list_actions(
        db, actor, filters=mine, page=PageRequest(limit=MY_ACTIONS_SHOWN), today=today
    )
    return ActionSummary(
        counts=counts,
        mine=page.items,
        mine_total=action_queries.count_actions(db, actor, mine, today=today),
        mine_href=_link(outstanding="true", created_by=actor.label, sort="due_on"),
    )


@router.get("/", include_in_schema=False)
def home(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    admin_summary = (
        accounts.admin_summary(db, actor, now=clock.now()) if actor.can(Scope.ADMIN) else None
    )
    summary = action_summary(db, actor, clock.today()) if actor.can(Scope.READ_ACTIONS) else None
    # Organisations' short names ("OPCC") keep the table of my actions narrow on a phone.
    short_names = views.short_names(db) if summary is not None and summary.mine else {}
    return render(
        request,
        "pages/home.html",
        {
            "admin_summary": admin_summary,
            "action_summary": summary,
            "force_only": policy.force_only(actor),
            "views": views,
            "short_names": short_names,
            "rag_summary": plan_views.home_summary(db, actor),
            "reviews_due": complaint_common.due_this_week(db, actor, request, clock.today()),
            "review_views": complaint_common,
            "abilities": [words for scope, words in SCOPE_WORDS.items() if actor.can(scope)],
        },
    )
