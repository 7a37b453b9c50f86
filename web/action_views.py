"""What the action pages show: status and due-date tags (words first, colour second), the
timeline that merges status changes with updates, the ways a status can move, and the
pick-lists (owners, areas, sources) a person may choose from."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from domain.accounts.rules import Actor
from domain.actions import policy, sources
from domain.actions.rules import NEEDS_REASON, STATUS_LABELS, ActionStatus, SourceType
from domain.actions.schemas import ActionHistoryEntry, ActionUpdateRead
from domain.actions.sources import SOURCE_LABELS
from domain.reference import service as reference
from domain.reference.service import AREAS, ORGANISATIONS
from web.admin import Tag

VARY = {"Vary": "HX-Request"}  # pages whose answer differs for htmx (a block, not the page)

STATUS_TAGS = {
    ActionStatus.OPEN: Tag("Open", "blue"),
    ActionStatus.IN_PROGRESS: Tag("In progress", "light-blue"),
    ActionStatus.DONE: Tag("Done", "green"),
    ActionStatus.CANCELLED: Tag("Cancelled", "grey"),
}
OVERDUE = Tag("Overdue", "red")
DUE_SOON = Tag("Due soon", "yellow")
INTERNAL = Tag("Internal", "purple")

STATUS_OPTIONS = [(status.value, STATUS_LABELS[status]) for status in ActionStatus]
SOURCE_GROUPS = {
    SourceType.OBJECTIVE: "Plan objectives",
    SourceType.BOARD_MEETING: "Board meetings",
    SourceType.ESCALATION: "Escalations",
    SourceType.ENGAGEMENT: "Engagements",
    SourceType.COMPLAINT_REVIEW: "Complaint reviews",
}
NO_SOURCE = "No source"

# The words for a move, by (from, to): the lifecycle spoken as people say it.
MOVE_LABELS = {
    ActionStatus.IN_PROGRESS: "In progress (work has started)",
    ActionStatus.DONE: "Done (the action is complete)",
    ActionStatus.CANCELLED: "Cancelled (it will not be done: give the reason below)",
}
REOPEN_LABEL = "Reopened (back to in progress: give the reason below)"
MOVE_BUTTONS = {
    ActionStatus.DONE: "Mark as done",
    ActionStatus.IN_PROGRESS: "Mark as in progress",
    ActionStatus.CANCELLED: "Cancel the action",
}
REOPEN_BUTTON = "Reopen the action"


def _sentence(words: str) -> str:
    return words[:1].upper() + words[1:]


def source_options() -> list[tuple[str, str]]:
    """The kinds of source a list may be filtered by: those registered here, and none."""
    kinds = [*sources.registered(), SourceType.NONE]
    return [(kind.value, _sentence(SOURCE_LABELS[kind])) for kind in kinds]


def reference_options(db: Session, actor: Actor) -> dict[str, list[tuple[str, str]]]:
    """The select options for owner organisation and area: active records, by code. The
    owners are only those whose actions this person may see."""
    return {
        "org_options": [
            (o.code, o.name)
            for o in reference.active_records(db, ORGANISATIONS)
            if policy.sees_owner(actor, o.kind)
        ],
        "area_options": [(a.code, a.name) for a in reference.active_records(db, AREAS)],
    }


def short_names(db: Session) -> dict[str, str]:
    """Each organisation's short name ("OPCC") by code, for tables on narrow screens."""
    return {o.code: o.short_name or o.name for o in reference.active_records(db, ORGANISATIONS)}


def source_value(source_type: str, source_id: object) -> str:
    """How the form's source select spells one record: "objective:5"."""
    return f"{source_type}:{source_id}"


def source_name(info: sources.SourceInfo) -> str:
    """ "ESC-2024-0001: 999 performance"; a title that already holds its ref stays as it is."""
    return f"{info.ref}: {info.title}" if info.ref and info.ref not in info.title else info.title


def source_choices(
    db: Session, actor: Actor, keep: tuple[SourceType, int] | None
) -> list[tuple[str, list[tuple[str, str]]]]:
    """The add-action form's source select: (group label, [(value, text)]) by kind."""
    return [
        (
            SOURCE_GROUPS[kind],
            [(source_value(kind.value, choice.id), source_name(choice.info)) for choice in choices],
        )
        for kind, choices in sources.choosable(db, actor, keep=keep)
    ]


def status_tag(status: str) -> Tag:
    return STATUS_TAGS[ActionStatus(status)]


def status_label(status: str) -> str:
    try:
        return STATUS_LABELS[ActionStatus(status)]
    except ValueError:  # another provider's status in the Force inbox: "Awaiting response"
        return status.replace("_", " ").capitalize()


def due_tags(overdue: bool, due_soon: bool) -> list[Tag]:
    return [OVERDUE] if overdue else [DUE_SOON] if due_soon else []


def move_options(current: ActionStatus, moves: tuple[ActionStatus, ...]) -> list[tuple[str, str]]:
    return [
        (
            target.value,
            REOPEN_LABEL
            if current is ActionStatus.DONE and target is ActionStatus.IN_PROGRESS
            else MOVE_LABELS.get(target, STATUS_LABELS[target]),
        )
        for target in moves
    ]


@dataclass(frozen=True)
class StatusForm:
    """How the page offers the moves. With a real choice to make (OPCC staff on an open
    action: start, finish or cancel) it is radios and one button. Otherwise each move is
    its own button, the first the main one: the Force's "Mark as done", or a lone move."""

    radios: list[tuple[str, str]]
    buttons: list[tuple[str, str]]
    note_label: str
    note_hint: str


def status_form(
    current: ActionStatus, moves: tuple[ActionStatus, ...], *, chooses: bool
) -> StatusForm | None:
    """`chooses`: the person may cancel (OPCC staff), so several moves are one choice."""
    if not moves:
        return None
    if chooses and len(moves) > 1:
        return StatusForm(
            radios=move_options(current, moves),
            buttons=[],
            note_label="Reason or note",
            note_hint="Needed when cancelling or reopening",
        )
    ordered = sorted(moves, key=lambda target: target is not ActionStatus.DONE)
    buttons = [
        (
            target.value,
            REOPEN_BUTTON if current is ActionStatus.DONE else MOVE_BUTTONS[target],
        )
        for target in ordered
    ]
    if any((current, target) in NEEDS_REASON for target in moves):
        verb = "reopening" if current is ActionStatus.DONE else "cancelling"
        return StatusForm([], buttons, f"Reason for {verb}", "Say why, for the action's history")
    return StatusForm(
        [],
        buttons,
        "Note (optional)",
        "What was done, or how far it has got. It goes on the action's history",
    )


@dataclass(frozen=True)
class TimelineItem:
    """One entry on the MOJ timeline: a status change or an update."""

    at: datetime
    title: str
    byline: str
    text: str
    change: tuple[str, str] | None = None  # (from, to) words for a status change
    evidence_url: str = ""
    internal: bool = False


def timeline(
    history: list[ActionHistoryEntry],
    updates: list[ActionUpdateRead],
    names: dict[str, str],
) -> list[TimelineItem]:
    """Newest first, each by the person's name (`names`: label → display name). Entries
    made at the same moment keep the order they were made in."""
    items: list[tuple[datetime, int, TimelineItem]] = []
    for order, step in enumerate(history):
        by = names.get(step.actor, step.actor)
        if step.from_ is None:
            note = "" if step.note == "Action created" else step.note
            item = TimelineItem(step.at, "Action created", by, note)
        else:
            item = TimelineItem(
                step.at,
                f"Status changed to {STATUS_LABELS[step.to].lower()}",
                by,
                step.note,
                change=(STATUS_LABELS[step.from_], STATUS_LABELS[step.to]),
            )
        items.append((step.at, order, item))
    for order, update in enumerate(updates, start=len(history)):
        items.append(
            (
                update.created_at,
                order,
                TimelineItem(
                    update.created_at,
                    "Internal note" if update.internal else "Update",
                    names.get(update.author, update.author),
                    update.body,
                    evidence_url=update.evidence_url,
                    internal=update.internal,
                ),
            )
        )
    items.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [item for _, _, item in items]
