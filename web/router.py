"""The web surface's routers: protected pages, and the few public ones."""

from __future__ import annotations

from fastapi import APIRouter

from web.routes import (
    action_forms,
    action_page,
    actions_list,
    admin_audit,
    admin_reference,
    admin_tokens,
    admin_users,
    board_monitoring,
    board_pages,
    board_reports,
    complaint_case,
    complaint_kpis,
    complaint_list,
    complaint_new,
    engagement_charts,
    engagement_debrief,
    engagement_pages,
    engagement_periods,
    engagement_public,
    escalation_list,
    escalation_page,
    force_inbox,
    home,
    objective_page,
    periods_pages,
    plan_pages,
    session,
)

protected_pages = APIRouter(include_in_schema=False)
protected_pages.include_router(home.router)
protected_pages.include_router(session.router)
protected_pages.include_router(admin_users.router)
protected_pages.include_router(admin_tokens.router)
protected_pages.include_router(admin_reference.router)
protected_pages.include_router(admin_audit.router)
# The forms first: /actions/new must not be taken for the action with id "new".
protected_pages.include_router(action_forms.router)
protected_pages.include_router(actions_list.router)
protected_pages.include_router(action_page.router)
protected_pages.include_router(force_inbox.router)
protected_pages.include_router(plan_pages.router)
protected_pages.include_router(objective_page.router)
protected_pages.include_router(periods_pages.router)
# The board (issue 9): meetings, exception reports, escalations, monitoring items.
protected_pages.include_router(board_pages.router)
protected_pages.include_router(board_reports.router)
protected_pages.include_router(escalation_list.router)
protected_pages.include_router(escalation_page.router)
protected_pages.include_router(board_monitoring.router)
# Complaint reviews (issue 11): /complaint-reviews/kpis and /new before {review_id}.
protected_pages.include_router(complaint_list.router)
protected_pages.include_router(complaint_kpis.router)
protected_pages.include_router(complaint_new.router)
protected_pages.include_router(complaint_case.router)
# Engagement (issue 10): the fixed paths (/engagements/new, /coverage, …) before {engagement_id}.
protected_pages.include_router(engagement_charts.router)
protected_pages.include_router(engagement_debrief.router)
protected_pages.include_router(engagement_pages.router)
protected_pages.include_router(engagement_periods.router)

public_pages = APIRouter(include_in_schema=False)
public_pages.include_router(session.public_router)
public_pages.include_router(engagement_public.public_router)
