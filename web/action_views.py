"""What the action pages show: status and due-date tags (words first, colour second), the
timeline that merges status changes with updates, and the words for each status move."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from domain.actions.rules import STATUS_LABELS, ActionStatus, SourceType
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
SOURCE_OPTIONS = [
    (source.value, SOURCE_LABELS[source][:1].upper() + SOURCE_LABELS[source][1:])
    for source in SourceType
]

# The words for a move, by (from, to): the lifecycle spoken as people say it.
MOVE_LABELS = {
    ActionStatus.IN_PROGRESS: "In progress (work has started)",
    ActionStatus.DONE: "Done (the action is complete)",
    ActionStatus.CANCELLED: "Cancelled (it will not be done: give the reason below)",
}
REOPEN_LABEL = "Reopened (back to in progress: give the reason below)"


def reference_options(db: Session) -> dict[str, list[tuple[str, str]]]:
    """The select options for owner organisation and area: active records, by code."""
    return {
        "org_options": [(o.code, o.name) for o in reference.active_records(db, ORGANISATIONS)],
        "area_options": [(a.code, a.name) for a in reference.active_records(db, AREAS)],
    }


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
    history: list[ActionHistoryEntry], updates: list[ActionUpdateRead]
) -> list[TimelineItem]:
    """Newest first. Entries made at the same moment keep the order they were made in."""
    items: list[tuple[datetime, int, TimelineItem]] = []
    for order, step in enumerate(history):
        if step.from_ is None:
            note = "" if step.note == "Action created" else step.note
            item = TimelineItem(step.at, "Action created", step.actor, note)
        else:
            item = TimelineItem(
                step.at,
                f"Status changed to {STATUS_LABELS[step.to].lower()}",
                step.actor,
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
                    update.author,
                    update.body,
                    evidence_url=update.evidence_url,
                    internal=update.internal,
                ),
            )
        )
    items.sort(key=lambda entry: (entry[0], entry[1]), reverse=True)
    return [item for _, _, item in items]
