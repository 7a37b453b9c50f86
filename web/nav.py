"""Service navigation: only what the caller's role may use."""

from __future__ import annotations

from dataclasses import dataclass

from domain.accounts.rules import Actor, Scope


@dataclass(frozen=True)
class NavItem:
    label: str
    href: str
    scope: Scope | None  # None: any signed-in user
    also: tuple[str, ...] = ()  # other paths under this entry (it is shown as current there)
    unless: Scope | None = None  # hidden from those who hold this scope (they have another way)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    active: bool


NAVIGATION: list[NavItem] = [
    NavItem("Home", "/", None),
    NavItem("Plan", "/plans", Scope.READ_PLAN),
    NavItem("Periods", "/periods", Scope.READ_PLAN),
    NavItem("Actions", "/actions", Scope.READ_ACTIONS),
    NavItem("Force inbox", "/force-inbox", Scope.READ_ACTIONS),
    NavItem(
        "Board",
        "/board-meetings",
        Scope.READ_BOARD,
        also=("/exception-reports", "/escalations", "/monitoring-items"),
    ),
    NavItem("Engagements", "/engagements", Scope.READ_ENGAGEMENT, also=("/you-said-we-did",)),
    NavItem("Complaint reviews", "/complaint-reviews", Scope.READ_COMPLAINTS),
    NavItem(
        "Complaint KPIs",
        "/complaint-reviews/kpis",
        Scope.READ_COMPLAINT_STATS,
        unless=Scope.READ_COMPLAINTS,
    ),
    NavItem("Users", "/admin/users", Scope.ADMIN),
    NavItem("API tokens", "/admin/tokens", Scope.ADMIN),
    NavItem("Reference data", "/admin/reference", Scope.ADMIN),
    NavItem("Pre-election periods", "/admin/pre-election-periods", Scope.ADMIN),
    NavItem("Audit log", "/admin/audit", Scope.ADMIN),
]


def navigation_for(actor: Actor | None, path: str) -> list[NavLink]:
    if actor is None or not actor.is_authenticated:
        return []
    links = []
    for item in NAVIGATION:
        if item.unless is not None and actor.can(item.unless):
            continue
        if item.scope is None or actor.can(item.scope):
            active = (
                path == item.href
                if item.href == "/"
                else any(path.startswith(p) for p in (item.href, *item.also))
            )
            links.append(NavLink(item.label, item.href, active))
    return links
