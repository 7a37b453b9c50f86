"""Every route of the app, read from `app.routes`, and how to fetch each GET one.

The security tests that must reach every route (S2 personal-data canary, S3 CSRF, S7
headers) list the routes from the app itself and look each one up in a table here or in
their own file; a route the app gains without an entry fails their coverage tests, so
nobody can add a page or an operation the checks silently skip.

Sample URLs name records by key, formatted from the ids of `tests.api.test_authorization_matrix
.seed` (one record of every kind, made through the API): `{user}`, `{token}`,
`{organisation}`, `{area}`, `{npa}`, `{topic}`, `{action}`, `{plan}`, `{theme}`,
`{objective}`, `{period}` (a period code), `{board_kind}`, `{meeting}`, `{report}`,
`{escalation}` and `{monitoring_item}`; engagement (tests/api/matrix_engagement.py):
`{engagement}`, `{engagement_issue}`, `{engagement_action}` (its Force-owned debrief action)
and `{pre_election_period}`; complaint reviews (tests/api/matrix_complaints.py):
`{complaint_review}`, `{decided_review}` and `{recommendation_action}` (its Force-owned action).
"""

from __future__ import annotations

from fastapi.routing import iter_route_contexts
from starlette.routing import Mount

from domain.reference.service import KINDS
from tests.api.test_authorization_matrix import Fixture, period_code

UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def operations(app) -> set[str]:  # type: ignore[no-untyped-def]
    """'METHOD /path' for every route the app answers (HEAD aside; static mounts aside)."""
    found: set[str] = set()
    for context in iter_route_contexts(app.routes):
        if isinstance(context.original_route, Mount):
            continue
        methods = set(getattr(context, "methods", None) or ())
        found |= {f"{method} {context.path}" for method in methods - {"HEAD"}}
    return found


def get_routes(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {op.split(" ", 1)[1] for op in operations(app) if op.startswith("GET ")}


def is_api(path: str) -> bool:
    return path.startswith("/api/") or path in ("/healthz", "/readyz")


def listing(path: str) -> tuple[str, str]:
    """A list operation, as JSON and as CSV (a different serialiser, so fetched too)."""
    return (path, f"{path}?format=csv")


def _reference_samples() -> dict[str, tuple[str, ...]]:
    one = {
        "organisations": "organisation",
        "areas": "area",
        "npas": "npa",
        "topics": "topic",
        "board-kinds": "board_kind",
        "allegation-categories": "allegation_category",
    }
    assert set(one) == set(KINDS), "a new reference kind needs its sample record here"
    samples: dict[str, tuple[str, ...]] = {}
    for kind, key in one.items():
        samples[f"/api/v1/{kind}"] = listing(f"/api/v1/{kind}")
        samples[f"/api/v1/{kind}/{{record_id}}"] = (f"/api/v1/{kind}/{{{key}}}",)
    samples["/admin/reference"] = ("/admin/reference", *(f"/admin/reference?kind={k}" for k in one))
    samples["/admin/reference/{kind}/new"] = tuple(f"/admin/reference/{k}/new" for k in one)
    samples["/admin/reference/{kind}/{record_id}"] = tuple(
        f"/admin/reference/{k}/{{{key}}}" for k, key in one.items()
    )
    return samples


# Route path → the URLs that exercise it (query variants included).
GET_SAMPLES: dict[str, tuple[str, ...]] = {
    **_reference_samples(),
    # The JSON API and its document
    "/api/v1/openapi.json": ("/api/v1/openapi.json",),
    "/api/docs": ("/api/docs",),
    "/api/v1/me": ("/api/v1/me",),
    "/api/v1/users": listing("/api/v1/users"),
    "/api/v1/users/{user_id}": ("/api/v1/users/{user}",),
    "/api/v1/tokens": listing("/api/v1/tokens"),
    "/api/v1/tokens/{token_id}": ("/api/v1/tokens/{token}",),
    "/api/v1/audit-events": listing("/api/v1/audit-events"),
    "/api/v1/actions": listing("/api/v1/actions"),
    "/api/v1/actions/{action_id}": (
        "/api/v1/actions/{action}",
        "/api/v1/actions/{recommendation_action}",  # a complaint review's recommendation
    ),
    "/api/v1/actions/{action_id}/updates": listing("/api/v1/actions/{action}/updates"),
    "/api/v1/force-inbox": listing("/api/v1/force-inbox"),
    "/api/v1/plans": listing("/api/v1/plans"),
    "/api/v1/plans/{plan_id}": ("/api/v1/plans/{plan}",),
    "/api/v1/plans/{plan_id}/themes": listing("/api/v1/plans/{plan}/themes"),
    "/api/v1/objectives": listing("/api/v1/objectives"),
    "/api/v1/objectives/{objective_id}": ("/api/v1/objectives/{objective}",),
    "/api/v1/objectives/{objective_id}/assessments": listing(
        "/api/v1/objectives/{objective}/assessments"
    ),
    "/api/v1/periods": listing("/api/v1/periods"),
    "/api/v1/periods/{code}": ("/api/v1/periods/{period}",),
    "/api/v1/public/plan": listing("/api/v1/public/plan"),
    "/api/v1/board-meetings": (
        *listing("/api/v1/board-meetings"),
        "/api/v1/board-meetings?kind=board-0",
    ),
    "/api/v1/board-meetings/{meeting_id}": ("/api/v1/board-meetings/{meeting}",),
    "/api/v1/exception-reports": listing("/api/v1/exception-reports"),
    "/api/v1/exception-reports/{report_id}": ("/api/v1/exception-reports/{report}",),
    "/api/v1/escalations": (
        *listing("/api/v1/escalations"),
        "/api/v1/escalations?status=awaiting_response&sort=response_due",
    ),
    "/api/v1/escalations/{escalation_id}": ("/api/v1/escalations/{escalation}",),
    "/api/v1/monitoring-items": listing("/api/v1/monitoring-items"),
    "/api/v1/monitoring-items/{monitoring_item_id}": (
        "/api/v1/monitoring-items/{monitoring_item}",
    ),
    "/api/v1/public/board": listing("/api/v1/public/board"),
    # Engagement (issue 10)
    "/api/v1/engagements": (
        *listing("/api/v1/engagements"),
        "/api/v1/engagements?kind=community_day&area=area-0&npa=npa-0&from=2024-01-01&to=2024-12-31",
    ),
    "/api/v1/engagements/{engagement_id}": ("/api/v1/engagements/{engagement}",),
    "/api/v1/engagements/{engagement_id}/issues": listing(
        "/api/v1/engagements/{engagement}/issues"
    ),
    "/api/v1/engagements/coverage": (
        "/api/v1/engagements/coverage",
        "/api/v1/engagements/coverage?from=2024-01-01&to=2024-12-31",
    ),
    "/api/v1/engagements/topics": ("/api/v1/engagements/topics?from=2024-01-01&to=2024-12-31",),
    "/api/v1/engagements/parish-attendance": (
        "/api/v1/engagements/parish-attendance?from=2024-01-01&to=2024-12-31",
    ),
    "/api/v1/pre-election-periods": listing("/api/v1/pre-election-periods"),
    "/api/v1/pre-election-periods/{period_id}": (
        "/api/v1/pre-election-periods/{pre_election_period}",
    ),
    "/api/v1/public/you-said-we-did": listing("/api/v1/public/you-said-we-did"),
    # Complaint reviews (issue 11): cases for reviewers only; stats for read:complaint-stats
    "/api/v1/complaint-reviews": (
        *listing("/api/v1/complaint-reviews"),
        "/api/v1/complaint-reviews?status=decided&age_band=0-14&overdue=false",
    ),
    "/api/v1/complaint-reviews/stats": (
        "/api/v1/complaint-reviews/stats",
        "/api/v1/complaint-reviews/stats?from=2024-01-01&to=2024-12-31&group=quarter",
    ),
    "/api/v1/complaint-reviews/{review_id}": (
        "/api/v1/complaint-reviews/{complaint_review}",
        "/api/v1/complaint-reviews/{decided_review}",
    ),
    "/healthz": ("/healthz",),
    "/readyz": ("/readyz",),
    "/favicon.ico": ("/favicon.ico",),  # the page shell's icon, for clients that ask for it
    # Pages
    "/": ("/",),
    "/sign-in": ("/sign-in",),
    "/admin/users": ("/admin/users",),
    "/admin/users/new": ("/admin/users/new",),
    "/admin/users/{user_id}": ("/admin/users/{user}",),
    "/admin/users/{user_id}/deactivate": ("/admin/users/{user}/deactivate",),
    "/admin/users/{user_id}/reset-link": ("/admin/users/{user}/reset-link",),
    "/admin/tokens": ("/admin/tokens",),
    "/admin/tokens/new": ("/admin/tokens/new",),
    "/admin/tokens/{token_id}": ("/admin/tokens/{token}",),
    "/admin/tokens/{token_id}/revoke": ("/admin/tokens/{token}/revoke",),
    # a secret's landing page without its one-time key: "already shown"
    "/admin/tokens/{token_id}/secret": ("/admin/tokens/{token}/secret",),
    "/admin/audit": ("/admin/audit", "/admin/audit?entity=user&sign_ins=yes&actor=admin"),
    "/reset-password/{code}": ("/reset-password/not-a-real-link",),
    "/actions": ("/actions",),
    "/actions/new": ("/actions/new", "/actions/new?source_type=objective&source_id={objective}"),
    "/actions/{action_id}": (
        "/actions/{action}",
        "/actions/{recommendation_action}",  # a complaint review's recommendation
    ),
    "/actions/{action_id}/edit": ("/actions/{action}/edit",),
    "/force-inbox": ("/force-inbox",),
    "/plans": ("/plans",),
    "/plans/{plan_id}": ("/plans/{plan}", "/plans/{plan}?period={period}"),
    "/plans/{plan_id}/changes": ("/plans/{plan}/changes",),
    "/plans/{plan_id}/not-assessed": ("/plans/{plan}/not-assessed",),
    # ?period= is the htmx request for the correction field alone
    "/objectives/{objective_id}": (
        "/objectives/{objective}",
        "/objectives/{objective}?period={period}",
    ),
    "/periods": ("/periods",),
    "/periods/{code}/publish": ("/periods/{period}/publish",),
    # Board pages (issue 9)
    "/board-meetings": ("/board-meetings", "/board-meetings?kind=board-0"),
    "/board-meetings/new": ("/board-meetings/new",),
    "/board-meetings/{meeting_id}": ("/board-meetings/{meeting}",),
    "/board-meetings/{meeting_id}/edit": ("/board-meetings/{meeting}/edit",),
    "/exception-reports": ("/exception-reports",),
    "/exception-reports/new": ("/exception-reports/new",),
    "/exception-reports/{report_id}": ("/exception-reports/{report}",),
    "/exception-reports/{report_id}/items/{exception_item_id}/escalate": (
        "/exception-reports/{report}/items/{exception_item}/escalate",
    ),
    "/exception-reports/{report_id}/items/{exception_item_id}/monitor": (
        "/exception-reports/{report}/items/{exception_item}/monitor",
    ),
    "/escalations": ("/escalations", "/escalations?status=awaiting_response"),
    "/escalations/{escalation_id}": (
        "/escalations/{escalation}",
        "/escalations/{escalation}?from=inbox",  # the Force inbox's link: back to the inbox
    ),
    "/monitoring-items": ("/monitoring-items",),
    "/monitoring-items/{monitoring_item_id}/escalate": (
        "/monitoring-items/{monitoring_item}/escalate",
    ),
    # Engagement pages (issue 10)
    "/engagements": (
        "/engagements",
        "/engagements?kind=community_day&area=area-0&from=1/1/2024&to=31/12/2024",
        "/engagements?view=calendar&month=2024-02",
    ),
    "/engagements/new": ("/engagements/new",),
    "/engagements/coverage": ("/engagements/coverage", "/engagements/coverage?from=1/1/2024"),
    "/engagements/topics": ("/engagements/topics?from=1/1/2024&to=31/12/2024",),
    "/engagements/parish-surgeries": ("/engagements/parish-surgeries",),
    "/engagements/{engagement_id}": ("/engagements/{engagement}",),
    "/engagements/{engagement_id}/edit": ("/engagements/{engagement}/edit",),
    "/engagements/{engagement_id}/issues/new": ("/engagements/{engagement}/issues/new",),
    "/engagements/{engagement_id}/actions/{action_id}/loop": (
        "/engagements/{engagement}/actions/{engagement_action}/loop",
    ),
    "/you-said-we-did": ("/you-said-we-did",),
    "/admin/pre-election-periods": ("/admin/pre-election-periods",),
    "/admin/pre-election-periods/new": ("/admin/pre-election-periods/new",),
    "/admin/pre-election-periods/{period_id}/edit": (
        "/admin/pre-election-periods/{pre_election_period}/edit",
    ),
    "/admin/pre-election-periods/{period_id}/delete": (
        "/admin/pre-election-periods/{pre_election_period}/delete",
    ),
    # Complaint review pages (issue 11)
    "/complaint-reviews": (
        "/complaint-reviews",
        "/complaint-reviews?status=in_review&age_band=0-14&overdue=true",
    ),
    "/complaint-reviews/new": ("/complaint-reviews/new",),
    "/complaint-reviews/kpis": (
        "/complaint-reviews/kpis",
        "/complaint-reviews/kpis?from=1/1/2024&to=31/12/2024&group=quarter",
    ),
    "/complaint-reviews/{review_id}": (
        "/complaint-reviews/{complaint_review}",
        "/complaint-reviews/{decided_review}",
    ),
}


def sample_ids(f: Fixture) -> dict[str, object]:
    ids: dict[str, object] = {**f.ids, "period": period_code(0)}
    if "exception_item" not in ids and "report" in ids:  # the report's first item
        report = f.admin.get(f"/api/v1/exception-reports/{f.ids['report']}").json()
        ids["exception_item"] = report["items"][0]["id"]
    return ids


def get_urls(app, f: Fixture) -> list[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """(route, url) for every GET route of the app; a route with no entry fails here."""
    missing = sorted(get_routes(app) - set(GET_SAMPLES))
    assert not missing, f"GET routes with no sample URL in tests/route_samples.py: {missing}"
    ids = sample_ids(f)
    return [
        (route, url.format(**ids))
        for route in sorted(get_routes(app))
        for url in GET_SAMPLES[route]
    ]
