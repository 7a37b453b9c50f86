"""What the engagement pages share: the words and tags (words first, colour second), the
pick-lists from reference data, the debrief form's rows (issues, each with its actions) read
from a posted form, field names built from a service error's location, and a redirect with
a success message."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError
from sqlmodel import Session, select
from starlette.responses import RedirectResponse, Response

from domain.engagement.rules import (
    KIND_LABELS,
    LEAD_LABELS,
    LINE_OUTCOME_LABELS,
    EngagementKind,
    Lead,
    LineOutcome,
)
from domain.errors import Invalid
from domain.reference import service as reference
from domain.reference.service import AREAS, NPAS, ORGANISATIONS, TOPICS
from web.admin import Tag
from web.dates import read_date
from web.flash import set_flash
from web.forms import GENERAL, Form

M = TypeVar("M", bound=BaseModel)
KIND_OPTIONS = [(kind.value, KIND_LABELS[kind]) for kind in EngagementKind]
LEAD_OPTIONS = [(lead.value, LEAD_LABELS[lead]) for lead in Lead]
OUTCOME_OPTIONS = [(outcome.value, LINE_OUTCOME_LABELS[outcome]) for outcome in LineOutcome]
OUTCOME_TAGS = {
    LineOutcome.DONE: Tag("Done", "green"),
    LineOutcome.NOT_DOING: Tag("Not doing", "grey"),
}
NO_VISITS = Tag("No visits", "orange")
IN_FORCE = Tag("In force", "red")
NOT_IN_FORCE = Tag("Not in force", "grey")
PUBLIC = Tag("Public", "blue")

MAX_ISSUES = 30
MAX_ACTIONS = 20
MAX_LINES = 30

ENGAGEMENT_LABELS = {
    "held_on": "Date",
    "kind": "Kind of engagement",
    "lead": "Led by",
    "lead_name": "Lead's role",
    "area": "Area",
    "ward": "Ward or parish",
    "npa": "Neighbourhood Policing Area",
    "organisations_met": "Organisations met",
    "people_count": "Number of people met",
    "summary": "Summary",
    "named_contacts": "Named contacts",
    "councils_invited": "Councils invited",
    "councils_attended": "Councils attended",
}
ISSUE_FIELDS = {
    "topic": "topic",
    "description": "what was raised",
    "people_count": "number of people",
}
ACTION_FIELDS = {
    "title": "action",
    "owner_org": "owner",
    "owner_name": "owner name or role",
    "due_on": "due date",
    "public": "public",
    "detail": "detail",
}


def kind_label(kind: str) -> str:
    try:
        return KIND_LABELS[EngagementKind(kind)]
    except ValueError:
        return kind


def lead_label(lead: str) -> str:
    try:
        return LEAD_LABELS[Lead(lead)]
    except ValueError:
        return lead


def outcome_tag(outcome: str | None) -> Tag | None:
    if not outcome:
        return None
    try:
        return OUTCOME_TAGS[LineOutcome(outcome)]
    except ValueError:
        return Tag(outcome, "grey")


def period_tag(in_force: bool) -> Tag:
    return IN_FORCE if in_force else NOT_IN_FORCE


def day(value: date | None) -> str:
    return value.strftime("%-d %B %Y") if value else ""


def redirect_with(request: Request, url: str, message: str) -> Response:
    response = RedirectResponse(url, status_code=303)
    set_flash(request, response, message)
    return response


def sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Options:
    """The pick-lists of the engagement pages: active reference records by code."""

    areas: list[tuple[str, str]]
    npas: list[tuple[str, str]]
    topics: list[tuple[str, str]]
    orgs: list[tuple[str, str]]

    def as_context(self) -> dict[str, Any]:
        return {
            "kind_options": KIND_OPTIONS,
            "lead_options": LEAD_OPTIONS,
            "area_options": self.areas,
            "npa_options": self.npas,
            "topic_options": self.topics,
            "org_options": self.orgs,
            "org_names": dict(self.orgs),
        }


def options(db: Session) -> Options:
    def pairs(kind: Any) -> list[tuple[str, str]]:
        return [(r.code, r.name) for r in reference.active_records(db, kind)]

    return Options(pairs(AREAS), pairs(NPAS), pairs(TOPICS), pairs(ORGANISATIONS))


def org_names(db: Session) -> dict[str, str]:
    """Every organisation by code, inactive ones too (an old action may name one)."""
    table: Any = ORGANISATIONS.table
    return {row.code: row.name for row in db.exec(select(table)).all()}


def lines(raw: Any) -> list[str]:
    """A textarea typed one item a line, blank lines dropped."""
    return [line.strip() for line in str(raw or "").splitlines() if line.strip()]


def whole_number(
    values: dict[str, Any], name: str, label: str, form: Form, *, minimum: int = 0
) -> int | None:
    """A whole number box: None when blank; an error on `form` when not a number >= minimum."""
    raw = str(values.get(name, "") or "").strip().replace(",", "")
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 7:
        form.add(name, f"{label} must be a whole number, like 12")
        return None
    number = int(raw)
    if number < minimum:
        form.add(name, f"{label} must be {minimum} or more")
        return None
    return number


# ---------------------------------------------------------------------------------------------
# The debrief's rows: issue i is `issues-{i}-…`, its action j is `issues-{i}-actions-{j}-…`.
# Each row carries a hidden `…-row` marker, so the rows on the page are known even when
# blank; blank rows are left out of what is saved.

_ISSUE = re.compile(r"^issues-(\d{1,3})-")
_ACTION = re.compile(r"^issues-(\d{1,3})-actions-(\d{1,3})-")


@dataclass
class ActionRow:
    index: int
    number: int  # 1, 2, … as the person reads it
    issue_index: int
    issue_number: int
    new: bool = False

    @property
    def prefix(self) -> str:
        return f"issues-{self.issue_index}-actions-{self.index}-"

    @property
    def label(self) -> str:
        return f"Issue {self.issue_number}, action {self.number}"


@dataclass
class IssueRow:
    index: int
    number: int
    actions: list[ActionRow] = field(default_factory=list)
    new: bool = False

    @property
    def prefix(self) -> str:
        return f"issues-{self.index}-"

    @property
    def label(self) -> str:
        return f"Issue {self.number}"

    def next_action(self) -> ActionRow:
        index = max((a.index for a in self.actions), default=-1) + 1
        return ActionRow(index, len(self.actions) + 1, self.index, self.number, new=True)


def rows_of(values: dict[str, Any]) -> list[IssueRow]:
    """The issue and action rows a posted form holds, in order (at most the maximum)."""
    issues: dict[int, set[int]] = {}
    for name in values:
        found = _ISSUE.match(name)
        if found is None:
            continue
        actions = issues.setdefault(int(found.group(1)), set())
        inner = _ACTION.match(name)
        if inner is not None:
            actions.add(int(inner.group(2)))
    rows = []
    for number, index in enumerate(sorted(issues)[:MAX_ISSUES], start=1):
        row = IssueRow(index, number)
        for n, j in enumerate(sorted(issues[index])[:MAX_ACTIONS], start=1):
            row.actions.append(ActionRow(j, n, index, number))
        rows.append(row)
    return rows


def first_rows() -> list[IssueRow]:
    """A blank debrief: one issue with one action row."""
    return [IssueRow(0, 1, [ActionRow(0, 1, 0, 1)])]


def add_issue(rows: list[IssueRow]) -> IssueRow:
    index = max((r.index for r in rows), default=-1) + 1
    row = IssueRow(index, len(rows) + 1, new=True)
    row.actions.append(ActionRow(0, 1, index, row.number))
    return row


def _blank(values: dict[str, Any], prefix: str, names: list[str]) -> bool:
    return not any(str(values.get(prefix + name, "") or "").strip() for name in names)


ACTION_INPUTS = ["title", "owner_org", "owner_name", "due_on-day", "due_on-month", "due_on-year"]
ISSUE_INPUTS = ["topic", "description", "people_count"]


@dataclass
class Debrief:
    """The issues as the schema takes them, and which rows they came from."""

    issues: list[dict[str, Any]]
    issue_rows: list[IssueRow]  # issues[k] came from issue_rows[k]
    action_rows: list[list[ActionRow]]  # issues[k]["actions"][m] came from action_rows[k][m]
    faults: dict[str, tuple[str, ...]]


def read_issues(
    values: dict[str, Any],
    rows: list[IssueRow],
    form: Form,
    *,
    topics: dict[str, str],
    orgs: dict[str, str],
) -> Debrief:
    """Every non-blank row as the schema's input; every problem on `form`, by field name."""
    found = Debrief([], [], [], {})
    for row in rows:
        p = row.prefix
        actions_filled = [
            a
            for a in row.actions
            if not _blank(values, a.prefix, ACTION_INPUTS) or values.get(a.prefix + "public")
        ]
        if _blank(values, p, ISSUE_INPUTS) and not actions_filled:
            continue
        topic = str(values.get(p + "topic", "") or "").strip()
        description = str(values.get(p + "description", "") or "").strip()
        if topic not in topics:
            form.add(p + "topic", f"Select the topic of issue {row.number}")
        if not description:
            form.add(p + "description", f"Enter what was raised in issue {row.number}")
        people = whole_number(
            values, p + "people_count", f"Issue {row.number} number of people", form, minimum=1
        )
        if people is None and p + "people_count" not in form.errors:
            form.add(p + "people_count", f"Enter how many people raised issue {row.number}")
        actions = []
        for action in actions_filled:
            a = action.prefix
            title = str(values.get(a + "title", "") or "").strip()
            owner = str(values.get(a + "owner_org", "") or "").strip()
            if not title:
                form.add(a + "title", f"Enter what will be done for {action.label.lower()}")
            if owner not in orgs:
                form.add(a + "owner_org", f"Select who owns {action.label.lower()}")
            due = read_date(values, a + "due_on", f"{action.label} due date")
            if due.error:
                form.add(a + "due_on", due.error)
                found.faults[a + "due_on"] = due.faults
            actions.append(
                {
                    "title": title,
                    "owner_org": owner,
                    "owner_name": str(values.get(a + "owner_name", "") or "").strip(),
                    "due_on": due.value,
                    "public": values.get(a + "public") == "yes",
                }
            )
        found.issues.append(
            {
                "topic": topic,
                "description": description,
                "people_count": people,
                "actions": actions,
            }
        )
        found.issue_rows.append(row)
        found.action_rows.append(actions_filled)
    return found


def field_name(
    loc: tuple[Any, ...], debrief: Debrief | None, labels: dict[str, str] | None = None
) -> tuple[str, str]:
    """(form field name, its label) for a schema or service error location:
    ("issues", 0, "actions", 1, "due_on") → the row the person typed it in."""
    parts = list(loc)
    if parts and parts[0] == "body":
        parts = parts[1:]
    if not parts:
        return GENERAL, ""
    head = str(parts[0])
    if head == "issues" and debrief is not None and len(parts) >= 2:
        k = parts[1]
        if isinstance(k, int) and 0 <= k < len(debrief.issue_rows):
            row = debrief.issue_rows[k]
            if len(parts) >= 4 and parts[2] == "actions" and isinstance(parts[3], int):
                m = parts[3]
                if 0 <= m < len(debrief.action_rows[k]):
                    action = debrief.action_rows[k][m]
                    name = str(parts[4]) if len(parts) > 4 else "title"
                    return action.prefix + name, f"{action.label} {ACTION_FIELDS.get(name, name)}"
            name = str(parts[2]) if len(parts) > 2 else "description"
            return row.prefix + name, f"{row.label} {ISSUE_FIELDS.get(name, name)}"
        return GENERAL, "Issues"
    words = labels or ENGAGEMENT_LABELS
    return head, words.get(head, head.replace("_", " ").capitalize())


_CONTINUES = (
    "must ",
    "is ",
    "are ",
    "cannot ",
    "can ",
    "should ",
    "has ",
    "does ",
    "needs ",
    "overlaps ",
)


def add_service_errors(
    form: Form,
    exc: Invalid,
    debrief: Debrief | None = None,
    labels: dict[str, str] | None = None,
) -> None:
    """A service's Invalid on the fields it names (row fields included)."""
    for error in exc.errors:
        name, label = field_name(tuple(error.loc), debrief, labels)
        msg = error.msg
        if name != GENERAL and msg.startswith(_CONTINUES):
            form.add(name, f"{label} {msg}")
        else:
            form.add(name, sentence(msg))


def add_schema_errors(
    form: Form, exc: Any, debrief: Debrief | None = None, labels: dict[str, str] | None = None
) -> None:
    """A pydantic ValidationError on the fields it names, in the house's words."""
    for error in exc.errors():
        name, label = field_name(tuple(error["loc"]), debrief, labels)
        kind = error["type"]
        ctx = error.get("ctx") or {}
        if kind == "string_too_long":
            message = f"{label} must be {ctx.get('max_length')} characters or fewer"
        elif kind in ("greater_than_equal", "greater_than"):
            message = f"{label} must be {ctx.get('ge', ctx.get('gt'))} or more"
        elif kind in ("less_than_equal", "less_than"):
            message = f"{label} must be {ctx.get('le', ctx.get('lt'))} or less"
        elif kind == "too_long":
            message = f"{label} has too many rows"
        elif kind == "string_pattern_mismatch":
            message = f"{label} must not contain the nul character"
        elif kind == "missing":
            message = f"Enter {label[0].lower() + label[1:]}" if label else "Something is missing"
        else:
            message = f"{label} is not valid" if label else sentence(str(error["msg"]))
        form.add(name, sentence(message))


def validated(
    schema: type[M],
    data: Any,
    form: Form,
    debrief: Debrief | None = None,
    labels: dict[str, str] | None = None,
) -> M | None:
    """The schema instance, or None with its problems on `form` beside those the page found
    first, so the person sees every problem in one answer, not one stage at a time."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        add_schema_errors(form, exc, debrief, labels)
        return None


def order_errors(form: Form, names: list[str]) -> None:
    """The summary in the order of the page's fields, so it reads top to bottom."""
    rank = {name: n for n, name in enumerate(names)}
    form.errors = dict(sorted(form.errors.items(), key=lambda item: rank.get(item[0], len(rank))))


def field_order(rows: list[IssueRow]) -> list[str]:
    names = list(ENGAGEMENT_LABELS)
    for row in rows:
        names += [row.prefix + n for n in ISSUE_FIELDS]
        for action in row.actions:
            names += [action.prefix + n for n in ACTION_FIELDS]
    return names
