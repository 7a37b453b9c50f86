"""Navigation fits the role: every link a role's navigation shows opens (no 403), and no page
it leads to shows a permission code such as `read:actions`: pages say in words what a role
may do. The records come from the authorization matrix's seed (one of every kind, an API
token with its scopes included), so a page that printed a token's or an audit event's raw
scopes would be caught."""

from __future__ import annotations

import html
import re

import pytest

from domain.accounts.rules import Role
from tests.api.test_authorization_matrix import seed

NAV_LINK = re.compile(r'class="govuk-service-navigation__link" href="([^"]+)"')
PAGE_LINK = re.compile(r'<a\b[^>]*\bhref="(/[^"]*)"')
SCOPE_CODE = re.compile(r"\b(?:read|write):[a-z][a-z-]*")
# What each role's navigation leads to: the work of that role, and nothing it is refused.
EXPECTED_NAVIGATION = {
    Role.ADMIN: [
        "/",
        "/plans",
        "/periods",
        "/actions",
        "/force-inbox",
        "/board-meetings",
        "/engagements",
        "/complaint-reviews",
        "/admin/users",
        "/admin/tokens",
        "/admin/reference",
        "/admin/pre-election-periods",
        "/admin/audit",
    ],
    Role.OPCC_STAFF: [
        "/",
        "/plans",
        "/periods",
        "/actions",
        "/force-inbox",
        "/board-meetings",
        "/engagements",
        "/complaint-reviews/kpis",
    ],
    Role.COMPLAINTS_REVIEWER: [
        "/",
        "/plans",
        "/periods",
        "/actions",
        "/force-inbox",
        "/board-meetings",
        "/engagements",
        "/complaint-reviews",
    ],
    Role.FORCE_LIAISON: ["/", "/actions", "/force-inbox", "/board-meetings"],
    Role.VIEWER: [
        "/",
        "/plans",
        "/periods",
        "/actions",
        "/force-inbox",
        "/board-meetings",
        "/engagements",
        "/complaint-reviews/kpis",
    ],
}


def visible_text(page: str) -> str:
    """What a person reads: the text between the tags (attribute values are not shown)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S | re.I)
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


def test_visible_text_finds_a_code_in_the_text_but_not_in_an_attribute():
    page = '<input value="read:plan"><p>Token may <b>write:board</b></p>'
    assert SCOPE_CODE.findall(visible_text(page)) == ["write:board"]


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_every_navigation_link_opens_and_shows_no_permission_code(role, web_as, api_as):
    seed(api_as(Role.ADMIN))
    browser = web_as(role)
    links = NAV_LINK.findall(browser.get("/").text)
    assert links == EXPECTED_NAVIGATION[role]
    problems = []
    for href in links:
        response = browser.get(href, follow_redirects=False)
        if response.status_code != 200:
            problems.append(f"{href} answered {response.status_code}")
            continue
        assert NAV_LINK.findall(response.text) == links, f"{href} has another navigation"
        codes = sorted(set(SCOPE_CODE.findall(visible_text(response.text))))
        if codes:
            problems.append(f"{href} shows permission codes {codes}")
    assert not problems, f"{role.value}:\n" + "\n".join(problems)


@pytest.mark.parametrize("role", list(Role), ids=lambda role: role.value)
def test_no_link_on_the_navigations_pages_leads_to_a_refusal(role, web_as, api_as):
    """A link the role may not follow is not shown: each page offers only what the role
    may open (the forms' pages included), so no link answers 403."""
    seed(api_as(Role.ADMIN))
    browser = web_as(role)
    refused: dict[str, str] = {}
    answers: dict[str, int] = {}
    for page in EXPECTED_NAVIGATION[role]:
        main = browser.get(page).text.split('<main class="govuk-main-wrapper"', 1)[1]
        for href in PAGE_LINK.findall(main.split("</main>", 1)[0]):
            target = html.unescape(href).split("#", 1)[0]
            if not target or target.startswith("/static/"):
                continue
            if target not in answers:
                answers[target] = browser.get(target, follow_redirects=False).status_code
            if answers[target] == 403:
                refused.setdefault(target, page)
    assert answers, "no links were followed"
    assert not refused, f"{role.value}: " + ", ".join(f"{t} (on {p})" for t, p in refused.items())
