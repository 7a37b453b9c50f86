"""S3: a state-changing request from a signed-in browser without the session's CSRF token is
refused with 403 and changes nothing.

The routes come from `app.routes`: every POST/PUT/PATCH/DELETE outside /api/ (forms and htmx
endpoints alike) must have an entry in FORMS, a request that would succeed with the token,
or `test_the_table_covers_every_state_changing_page_route` fails. Each is sent three ways
without a valid token (none, a made-up one in the form, htmx with another session's real
token in the header); each must answer 403 and leave every table exactly as it was
(`fingerprint`). Then the same request with the session's own token must be accepted and
change something, which shows the request was a real change and the fingerprint sees it.

/sign-in has no session yet: its anonymous CSRF cookie and form token are checked on their
own. The JSON API takes the same session cookie, so it is held to the same rule."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from domain import clock
from domain.accounts.rules import Role
from domain.db import Database
from domain.tables import metadata
from tests.api import matrix_complaints
from tests.api.test_authorization_matrix import (
    Fixture,
    answered_escalation,
    builders,
    escalation_body,
    force_action,
    monitoring_body,
    period_code,
    report_body,
    seed,
)
from tests.conftest import PASSWORD, make_user
from tests.route_samples import UNSAFE_METHODS, get_urls, is_api, operations
from tests.web.conftest import csrf

RATIONALE = "On track: the agreed milestones for the quarter were met."
DUE = clock.today() + timedelta(days=30)
DUE_FIELDS = {
    "due_on-day": str(DUE.day),
    "due_on-month": str(DUE.month),
    "due_on-year": str(DUE.year),
}


def fingerprint(database: Database) -> dict[str, tuple[int, str]]:
    """Every table's row count and a digest of all its rows: any change shows."""
    found = {}
    with database.session() as s:
        for table in metadata.sorted_tables:
            rows = sorted(repr(tuple(row)) for row in s.execute(select(table)).all())
            found[table.name] = (len(rows), hashlib.sha256("\n".join(rows).encode()).hexdigest())
    return found


def changed_tables(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [name for name in after if before.get(name) != after[name]]


def version(f: Fixture, api_url: str) -> str:
    return f.etag(api_url).removeprefix("W/").strip('"')


Form = dict[str, str]


@dataclass(frozen=True)
class Case:
    """How to call one route: (url, form) that succeeds with the token, made fresh."""

    build: Callable[[Fixture], tuple[str, Form]]
    public: bool = False  # no session: /sign-in, checked with its anonymous cookie


def _new_period(f: Fixture) -> str:
    return str(f.create("/api/v1/periods", {"code": period_code(f.fresh())})["code"])


def _new_user(f: Fixture) -> int:
    body = {
        "email": f"reset-{f.fresh()}@test.example",
        "display_name": "Needs a link",
        "role": "viewer",
        "password": "a long enough password",
    }
    return int(f.create("/api/v1/users", body)["id"])


def _new_token(f: Fixture) -> int:
    body = {"name": "to revoke", "role": "viewer", "scopes": ["read:plan"]}
    return int(f.create("/api/v1/tokens", body)["id"])


FORMS: dict[str, Case] = {
    "POST /sign-in": Case(lambda f: ("/sign-in", {}), public=True),
    "POST /sign-out": Case(lambda f: ("/sign-out", {"everywhere": "yes"})),
    "POST /admin/users/new": Case(
        lambda f: (
            "/admin/users/new",
            {
                "email": f"new-{f.fresh()}@test.example",
                "display_name": "New person",
                "role": "viewer",
            },
        )
    ),
    "POST /admin/users/{user_id}/reset-link": Case(
        lambda f: (f"/admin/users/{_new_user(f)}/reset-link", {})
    ),
    "POST /reset-password/{code}": Case(lambda f: ("/reset-password/made-up", {}), public=True),
    "POST /admin/users/{user_id}": Case(
        lambda f: (
            f"/admin/users/{f.ids['user']}",
            {
                "display_name": f"Renamed {f.fresh()}",
                "role": "viewer",
                "version": version(f, f"/api/v1/users/{f.ids['user']}"),
            },
        )
    ),
    "POST /admin/users/{user_id}/status": Case(
        lambda f: (
            f"/admin/users/{f.ids['user']}/status",
            {"active": "no", "version": version(f, f"/api/v1/users/{f.ids['user']}")},
        )
    ),
    "POST /admin/tokens/new": Case(
        lambda f: ("/admin/tokens/new", {"name": "BI", "role": "viewer", "scopes": "read:plan"})
    ),
    "POST /admin/tokens/{token_id}/revoke": Case(
        lambda f: (f"/admin/tokens/{_new_token(f)}/revoke", {"version": "1"})
    ),
    "POST /admin/reference/{kind}/new": Case(
        lambda f: ("/admin/reference/topics/new", {"code": f"t-{f.fresh()}", "name": "Litter"})
    ),
    "POST /admin/reference/{kind}/{record_id}": Case(
        lambda f: (
            f"/admin/reference/topics/{f.ids['topic']}",
            {
                "name": f"Renamed {f.fresh()}",
                "active": "yes",
                "version": version(f, f"/api/v1/topics/{f.ids['topic']}"),
            },
        )
    ),
    "POST /actions/new": Case(
        lambda f: (
            "/actions/new",
            {"title": "Ask about funding", "owner_org": "force", **DUE_FIELDS},
        )
    ),
    "POST /actions/{action_id}/edit": Case(
        lambda f: (
            f"/actions/{force_action(f)}/edit",
            {"title": f"Changed {f.fresh()}", "owner_org": "force", "version": "1", **DUE_FIELDS},
        )
    ),
    "POST /actions/{action_id}/updates": Case(
        lambda f: (f"/actions/{f.ids['action']}/updates", {"body": "Met the commander"})
    ),
    "POST /actions/{action_id}/transitions": Case(
        lambda f: (f"/actions/{force_action(f)}/transitions", {"to": "in_progress", "version": "1"})
    ),
    "POST /objectives/{objective_id}/assessments": Case(
        lambda f: (
            f"/objectives/{f.ids['objective']}/assessments",
            {
                "period": period_code(0),
                "rating": "green",
                "delivery_stage": "in_delivery",
                "rationale": RATIONALE,
            },
        )
    ),
    "POST /periods": Case(lambda f: ("/periods", {"code": period_code(f.fresh())})),
    "POST /periods/{code}/publish": Case(
        lambda f: (f"/periods/{_new_period(f)}/publish", {"version": "1"})
    ),
}


# Board pages (issue 9): each control request works on a record of its own, made fresh.
def _fresh_item(f: Fixture) -> str:
    report = f.create("/api/v1/exception-reports", report_body(f))
    return f"/exception-reports/{report['id']}/items/{report['items'][0]['id']}"


ESCALATE_FIELDS = {
    "request": "A paper on recovery",
    "response_due-day": str(DUE.day),
    "response_due-month": str(DUE.month),
    "response_due-year": str(DUE.year),
}
FORMS |= {
    "POST /board-meetings/new": Case(
        lambda f: (
            "/board-meetings/new",
            {
                "kind": "board-0",
                "title": f"Board {f.fresh()}",
                "status": "planned",
                "held_on-day": "18",
                "held_on-month": "3",
                "held_on-year": "2024",
            },
        )
    ),
    "POST /board-meetings/{meeting_id}/edit": Case(
        lambda f: (
            f"/board-meetings/{f.ids['meeting']}/edit",
            {
                "kind": "board-0",
                "title": f"Board {f.fresh()}",
                "status": "planned",
                "held_on-day": "18",
                "held_on-month": "3",
                "held_on-year": "2024",
                "version": version(f, f"/api/v1/board-meetings/{f.ids['meeting']}"),
            },
        )
    ),
    "POST /board-meetings/{meeting_id}/actions": Case(
        lambda f: (
            f"/board-meetings/{f.ids['meeting']}/actions",
            {"about": "meeting", "title": "Agree the comms", "owner_org": "opcc", **DUE_FIELDS},
        )
    ),
    "POST /exception-reports/new": Case(
        lambda f: (
            "/exception-reports/new",
            {
                "title": f"Report {f.fresh()}",
                "prepared_by": "OPCC Performance Lead",
                "reported_on-day": "7",
                "reported_on-month": "2",
                "reported_on-year": "2024",
                "item-1-topic": "topic-0",
                "item-1-kpi_evidence": "999 calls",
                "item-1-recommendation": "monitor",
                "item-1-reasoning": "Recovering",
            },
        )
    ),
    "POST /exception-reports/{report_id}/items/{exception_item_id}/escalate": Case(
        lambda f: (f"{_fresh_item(f)}/escalate", ESCALATE_FIELDS)
    ),
    "POST /exception-reports/{report_id}/items/{exception_item_id}/monitor": Case(
        lambda f: (
            f"{_fresh_item(f)}/monitor",
            {
                "next_review_on-day": str(DUE.day),
                "next_review_on-month": str(DUE.month),
                "next_review_on-year": str(DUE.year),
            },
        )
    ),
    "POST /escalations/{escalation_id}/force-response": Case(
        lambda f: (
            f"/escalations/{f.create('/api/v1/escalations', escalation_body(f))['id']}"
            "/force-response",
            {"response": "The Force's paper"},
        )
    ),
    "POST /escalations/{escalation_id}/transitions": Case(
        lambda f: (
            f"/escalations/{answered_escalation(f)}/transitions",
            {"to": "discussed", "note": "Discussed at the board", "version": "2"},
        )
    ),
    "POST /monitoring-items/{monitoring_item_id}/escalate": Case(
        lambda f: (
            f"/monitoring-items/{f.create('/api/v1/monitoring-items', monitoring_body(f))['id']}"
            "/escalate",
            ESCALATE_FIELDS,
        )
    ),
}


# Engagement pages (issue 10): the debrief, its edit and issue forms, closing the loop on the
# seed's Force-owned public action, and the pre-election periods admin.
def _day_fields(name: str, day: Any) -> Form:
    return {
        f"{name}-day": str(day.day),
        f"{name}-month": str(day.month),
        f"{name}-year": str(day.year),
    }


def _engagement_fields(f: Fixture) -> Form:
    return {
        "held_on-day": "14",
        "held_on-month": "2",
        "held_on-year": "2024",
        "kind": "community_day",
        "lead": "pcc",
        "area": "area-0",
        "ward": f"Ward {f.fresh()}",
    }


DEBRIEF_DUE = clock.today() + timedelta(days=30)
ENGAGEMENT_ISSUE = {
    "issues-0-topic": "topic-0",
    "issues-0-description": "Speeding on the high street",
    "issues-0-people_count": "3",
    "issues-0-actions-0-title": "Ask the NPA commander about speeding",
    "issues-0-actions-0-owner_org": "force",
    "issues-0-actions-0-due_on-day": str(DEBRIEF_DUE.day),
    "issues-0-actions-0-due_on-month": str(DEBRIEF_DUE.month),
    "issues-0-actions-0-due_on-year": str(DEBRIEF_DUE.year),
}


def _loop_case(f: Fixture) -> tuple[str, Form]:
    engagement, action = f.ids["engagement"], f.ids["engagement_action"]
    told = clock.today() - timedelta(days=1 + f.fresh() % 300)
    return (
        f"/engagements/{engagement}/actions/{action}/loop",
        {"version": version(f, f"/api/v1/actions/{action}"), **_day_fields("told_on", told)},
    )


def _period_case(f: Fixture) -> tuple[str, Form]:
    url = f"/api/v1/pre-election-periods/{f.ids['pre_election_period']}"
    period = f.admin.get(url).json()
    fields = {"label": f"Renamed {f.fresh()}", "version": version(f, url)}
    for name in ("starts_on", "ends_on"):
        if period[name]:
            fields |= _day_fields(name, date.fromisoformat(period[name]))
    return (f"/admin/pre-election-periods/{f.ids['pre_election_period']}/edit", fields)


def _new_period_day(f: Fixture) -> date:
    return date(2040, 1, 1) + timedelta(days=3 * f.fresh())


def _doomed_period(f: Fixture) -> int:
    day = str(_new_period_day(f))
    body = {"label": "To delete", "starts_on": day, "ends_on": day}
    return int(f.create("/api/v1/pre-election-periods", body)["id"])


FORMS |= {
    "POST /engagements/new": Case(
        lambda f: ("/engagements/new", {**_engagement_fields(f), **ENGAGEMENT_ISSUE})
    ),
    "POST /engagements/{engagement_id}/edit": Case(
        lambda f: (
            f"/engagements/{f.ids['engagement']}/edit",
            {
                **_engagement_fields(f),
                "version": version(f, f"/api/v1/engagements/{f.ids['engagement']}"),
            },
        )
    ),
    "POST /engagements/{engagement_id}/issues/new": Case(
        lambda f: (f"/engagements/{f.ids['engagement']}/issues/new", ENGAGEMENT_ISSUE)
    ),
    "POST /engagements/{engagement_id}/actions/{action_id}/loop": Case(_loop_case),
    "POST /admin/pre-election-periods/new": Case(
        lambda f: (
            "/admin/pre-election-periods/new",
            {
                "label": "By-election",
                **_day_fields("starts_on", (day := _new_period_day(f))),
                **_day_fields("ends_on", day),
            },
        )
    ),
    "POST /admin/pre-election-periods/{period_id}/edit": Case(_period_case),
    "POST /admin/pre-election-periods/{period_id}/delete": Case(
        lambda f: (f"/admin/pre-election-periods/{_doomed_period(f)}/delete", {"version": "1"})
    ),
}


# Complaint review pages (issue 11): each form works on a fresh case made by a reviewer.
TODAY_FIELDS = {
    "day": str(clock.today().day),
    "month": str(clock.today().month),
    "year": str(clock.today().year),
}


def _today_fields(name: str) -> Form:
    return {f"{name}-{part}": value for part, value in TODAY_FIELDS.items()}


def _decision_case(f: Fixture) -> tuple[str, Form]:
    review_id, review_version = matrix_complaints.case_in_review(f)
    return (
        f"/complaint-reviews/{review_id}/decision",
        {"version": str(review_version), "outcome": "not_upheld", "reasons": "Proportionate"},
    )


FORMS |= {
    "POST /complaint-reviews/new": Case(
        lambda f: (
            "/complaint-reviews/new",
            {
                "force_ref": f"PSD/{f.fresh()}",
                "name": "Sam Example (invented)",
                "categories": "allegation-0",
                **_today_fields("outcome_sent_on"),
                **_today_fields("received_on"),
            },
        )
    ),
    "POST /complaint-reviews/{review_id}/transitions": Case(
        lambda f: (
            f"/complaint-reviews/{matrix_complaints.new_case(f)}/transitions",
            {"which": "start", "version": "1"},
        )
    ),
    "POST /complaint-reviews/{review_id}/contacts": Case(
        lambda f: (
            f"/complaint-reviews/{matrix_complaints.new_case(f)}/contacts",
            {"method": "email", **_today_fields("contacted_on")},
        )
    ),
    "POST /complaint-reviews/{review_id}/dates": Case(
        lambda f: (
            f"/complaint-reviews/{matrix_complaints.new_case(f)}/dates",
            {"version": "1", **_today_fields("acknowledged_on")},
        )
    ),
    "POST /complaint-reviews/{review_id}/decision": Case(_decision_case),
}
A_MADE_UP_TOKEN = "x" * 43


def page_state_changing(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        op
        for op in operations(app)
        if op.split(" ")[0] in UNSAFE_METHODS and not is_api(op.split(" ", 1)[1])
    }


def api_state_changing(app) -> set[str]:  # type: ignore[no-untyped-def]
    return {
        op
        for op in operations(app)
        if op.split(" ")[0] in UNSAFE_METHODS and op.split(" ", 1)[1].startswith("/api/v1/")
    }


def test_the_table_covers_every_state_changing_page_route(app):
    assert set(FORMS) == page_state_changing(app)


def test_no_page_route_changes_anything_without_the_sessions_csrf_token(
    app, api_as, web_as, database
):
    f = seed(api_as(Role.ADMIN))
    someone_else = csrf(web_as(Role.ADMIN, email="someone-else@test.example"))
    failures: list[str] = []
    checked = 0
    for n, operation in enumerate(sorted(page_state_changing(app))):
        case = FORMS[operation]
        if case.public:
            continue
        method = operation.split(" ")[0]
        # a browser of its own: POST /sign-out ends its session
        browser = web_as(Role.ADMIN, email=f"admin-{n}@test.example")
        url, form = case.build(f)
        without = {
            "no token": (form, {}),
            "a made-up token": ({**form, "csrf_token": A_MADE_UP_TOKEN}, {}),
            "htmx with another session's token": (
                form,
                {"HX-Request": "true", "X-CSRF-Token": someone_else},
            ),
        }
        for how, (data, headers) in without.items():
            before = fingerprint(database)
            response = browser.request(
                method, url, data=data, headers=headers, follow_redirects=False
            )
            changed = changed_tables(before, fingerprint(database))
            if response.status_code != 403 or changed:
                failures.append(
                    f"{operation} with {how}: {response.status_code}, changed {changed or 'nothing'}"
                )
        own = csrf(browser)
        before = fingerprint(database)
        response = browser.request(
            method, url, data={**form, "csrf_token": own}, follow_redirects=False
        )
        if response.status_code >= 400 or not changed_tables(before, fingerprint(database)):
            failures.append(
                f"{operation} with its token (control): {response.status_code}, the sample "
                f"request is not a real change: {response.text[:200]}"
            )
        checked += 1
    assert not failures, "\n".join(failures)
    assert checked == len([c for c in FORMS.values() if not c.public])


def _form_token(html: str) -> str:
    return html.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_sign_in_needs_its_anonymous_csrf_cookie_and_the_matching_token(app, session, database):
    user = make_user(session, Role.VIEWER, email="viewer@test.example")
    credentials = {"email": user.email, "password": PASSWORD}
    with TestClient(app) as browser, TestClient(app) as other, TestClient(app) as cookieless:
        mine = _form_token(browser.get("/sign-in").text)  # sets the browser's cookie
        theirs = _form_token(other.get("/sign-in").text)
        without = {
            "the cookie but no token": (browser, credentials),
            "the cookie and another visitor's token": (
                browser,
                {**credentials, "csrf_token": theirs},
            ),
            "the token but no cookie": (cookieless, {**credentials, "csrf_token": mine}),
        }
        failures = []
        for how, (client, data) in without.items():
            before = fingerprint(database)
            response = client.post("/sign-in", data=data, follow_redirects=False)
            changed = changed_tables(before, fingerprint(database))
            if response.status_code != 403 or changed or "oversight_session" in response.cookies:
                failures.append(f"{how}: {response.status_code}, changed {changed or 'nothing'}")
        assert not failures, "\n".join(failures)
        before = fingerprint(database)
        response = browser.post(
            "/sign-in", data={**credentials, "csrf_token": mine}, follow_redirects=False
        )
        assert response.status_code == 303  # the control: the same form with its token works
        assert {"web_sessions", "audit_events"} <= set(
            changed_tables(before, fingerprint(database))
        )


def test_the_json_api_refuses_a_session_cookie_without_the_token(app, api_as, web_as, database):
    """A signed-in browser carries its cookie to /api/v1 too; builders are S1's."""
    f = seed(api_as(Role.ADMIN))
    browser = web_as(Role.ADMIN, email="browser@test.example")
    token = csrf(browser)
    build = builders()
    failures = []
    for operation in sorted(api_state_changing(app)):
        method, url, body, headers = build[operation](f)
        before = fingerprint(database)
        response = browser.request(method, url, json=body, headers=headers)
        changed = changed_tables(before, fingerprint(database))
        if response.status_code != 403 or changed:
            failures.append(f"{operation}: {response.status_code}, changed {changed or 'nothing'}")
        control = browser.request(
            method, url, json=body, headers={**headers, "X-CSRF-Token": token}
        )
        if not 200 <= control.status_code < 300:
            failures.append(f"{operation} with the token (control): {control.status_code}")
    assert not failures, "\n".join(failures)


def test_every_form_on_every_page_carries_the_csrf_token(app, api_as, web_as):
    f = seed(api_as(Role.ADMIN))
    admin = web_as(Role.ADMIN)
    token = csrf(admin)
    forms = 0
    for route, url in get_urls(app, f):
        if is_api(route):
            continue
        html = admin.get(url).text
        for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S):
            opening = form[: form.index(">")]
            if 'method="post"' not in opening and "hx-post" not in opening:
                continue
            forms += 1
            assert 'name="csrf_token" value="' in form, (url, form[:200])
            if route != "/sign-in":  # sign-in carries the anonymous token, not the session's
                assert _form_token(form) == token, (url, form[:200])
        if re.search(r"\shx-(post|put|patch|delete)=", html):
            # htmx sends the meta tag's token as X-CSRF-Token (web/static/oversight.js)
            assert f'name="csrf-token" content="{token}"' in html, url
    assert forms >= len(FORMS) - 1
