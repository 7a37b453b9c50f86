"""S2: personal-data canary. Unique marker strings are stored in every field that must not
reach the Force, viewers, integration tokens or the public; then every GET route of the app
(API operations, CSV exports, pages; listed from `app.routes` with sample URLs from
tests/route_samples.py, so a new route without one fails) is fetched as each of them, and
no marker may appear in any answer.

CANARY_SOURCES is the registry of such fields. Personal data in the sense of DOMAIN.md §6
(complainants' details, COMPLAINTS.md "Personal data"; named contacts met at engagements,
DOMAIN.md §4) has no table yet: the complaint-review and engagement contexts add their
fields here when they are built. Until then the registry holds the one restricted free text
that exists: internal OPCC notes on actions, which API.md ("never contain complainant
personal data, named members of the public, or internal OPCC notes marked private") and
`domain.actions.policy.sees_internal_notes` keep from the Force, viewers and tokens.

The test cannot pass vacuously: every route must answer each caller without a server error,
a marker meant to be seen (an action's title, a published rating's rationale) must be found
by those allowed to see it, and the canaries themselves must be found by an OPCC officer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from domain.accounts.rules import Role
from tests.api import matrix_engagement
from tests.api.matrix_complaints import plant_complainant
from tests.api.test_authorization_matrix import DUE, Fixture, period_code, seed
from tests.conftest import Caller, csrf_of
from tests.route_samples import get_routes, get_urls


def marker(name: str) -> str:
    return f"CANARY{name.upper()}{uuid.uuid4().hex}"


@dataclass(frozen=True)
class CanarySource:
    why: str  # the rule that keeps it from the callers below
    # stores the marker in the field, as an OPCC officer (signed in, with the CSRF header)
    plant: Callable[[Caller, Fixture, str], None]
    # who must find it afterwards (the proof it was planted): complainants' details are
    # shown to complaints reviewers only
    seen_by: Role = Role.OPCC_STAFF


def _private_note(officer: Caller, f: Fixture, value: str) -> None:
    url = f"/api/v1/actions/{f.ids['action']}"
    response = officer.patch(url, json={"private_note": value}, headers={"If-Match": f.etag(url)})
    assert response.status_code == 200, response.text


def _internal_update(officer: Caller, f: Fixture, value: str) -> None:
    body = {"body": f"{value} said at the meeting", "internal": True}
    response = officer.post(f"/api/v1/actions/{f.ids['action']}/updates", json=body)
    assert response.status_code == 201, response.text


CANARY_SOURCES: dict[str, CanarySource] = {
    "action private note": CanarySource("API.md: internal OPCC notes", _private_note),
    "internal action update": CanarySource("API.md: internal OPCC notes", _internal_update),
    # On the decided case whose recommendation is a Force-owned action (inbox, action page).
    **{
        f"complainant {field}": CanarySource(
            "COMPLAINTS.md: complainants' personal data",
            partial(plant_complainant, field),
            seen_by=Role.COMPLAINTS_REVIEWER,
        )
        for field in ("name", "contact", "narrative")
    },
    "engagement named contacts": CanarySource(
        "DOMAIN.md §4: named contacts are personal data", matrix_engagement.plant_named_contacts
    ),
}


def _seen_by_all(f: Fixture, visible: str, public: str) -> None:
    """A Force-owned action titled with `visible` (so the Force sees the action the canaries
    sit on), and a published rating whose rationale carries `public`."""
    action = {"title": f"{visible} parking", "owner_org": "force", "due_on": DUE}
    f.ids["action"] = f.create("/api/v1/actions", action)["id"]
    f.create(f"/api/v1/actions/{f.ids['action']}/updates", {"body": "Patrols agreed"})
    plan = f"/api/v1/plans/{f.ids['plan']}"
    active = f.admin.patch(plan, json={"status": "active"}, headers={"If-Match": f.etag(plan)})
    assert active.status_code == 200, active.text  # a draft plan is not in the public feed
    rating = {
        "period": period_code(0),
        "rating": "green",
        "delivery_stage": "in_delivery",
        "rationale": f"On track: {public} milestones for the quarter were met.",
    }
    f.create(f"/api/v1/objectives/{f.ids['objective']}/assessments", rating)
    published = f.admin.post(
        f"/api/v1/periods/{period_code(0)}/publish", headers={"If-Match": '"1"'}
    )
    assert published.status_code == 200, published.text


def fetch_everything(app: Any, f: Fixture, caller: Any) -> dict[str, tuple[str, int, str]]:
    """url → (route, status, headers and body) for every GET route's sample URLs."""
    seen = {}
    for route, url in get_urls(app, f):
        response = caller.get(url, follow_redirects=False)
        seen[url] = (route, response.status_code, f"{response.headers}\n{response.text}")
    return seen


def test_no_marker_reaches_the_force_viewers_tokens_or_the_public(app, api_as, web_as, client):
    f = seed(api_as(Role.ADMIN))
    visible, public = marker("visible"), marker("public")
    _seen_by_all(f, visible, public)
    officer_browser = web_as(Role.OPCC_STAFF)
    officer = Caller(officer_browser, {"X-CSRF-Token": csrf_of(officer_browser.get("/").text)})
    canaries = {name: marker(name.replace(" ", "")) for name in CANARY_SOURCES}
    for name, source in CANARY_SOURCES.items():
        source.plant(officer, f, canaries[name])

    callers: dict[str, Any] = {
        "force_liaison": web_as(Role.FORCE_LIAISON),
        "viewer": web_as(Role.VIEWER),
        "force liaison token": api_as(Role.FORCE_LIAISON),
        "viewer token": api_as(Role.VIEWER),
        "anonymous": Caller(client, {}),
    }
    leaks, errors = [], []
    for who, caller in callers.items():
        answers = fetch_everything(app, f, caller)
        fetched = {route for route, _, _ in answers.values()}
        assert fetched == get_routes(app), who
        for url, (_, status, text) in answers.items():
            if status >= 500:
                errors.append(f"{who} GET {url}: {status}")
            leaks += [
                f"{who} GET {url}: {name} ({CANARY_SOURCES[name].why})"
                for name, m in canaries.items()
                if m in text
            ]
        # the scanner sees what it should: the action for the signed-in, the feed for all
        expected = public if who == "anonymous" else visible
        assert any(expected in text for _, _, text in answers.values()), (who, "sees nothing")
    assert not errors, "\n".join(errors)
    assert not leaks, "personal or restricted data shown:\n" + "\n".join(leaks)

    # The canaries are really stored and shown to those who may see them.
    shown_to = {Role.OPCC_STAFF: fetch_everything(app, f, officer_browser)}
    for name, m in canaries.items():
        role = CANARY_SOURCES[name].seen_by
        if role not in shown_to:
            shown_to[role] = fetch_everything(app, f, web_as(role))
        answers = shown_to[role]
        assert any(m in text for _, _, text in answers.values()), f"{name} was never planted"
