"""What the Plan pages show: RAG tags with their words (colour is never the only signal),
the direction of travel as an arrow and a word, counts by theme, the bar chart's geometry,
and the choice of reporting period. Every fact comes from domain.plan's services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal

from sqlmodel import Session

from domain import sync
from domain.accounts.rules import Actor, Scope
from domain.errors import NotFound
from domain.listing import MAX_LIMIT, PageRequest
from domain.plan import policy as plan_policy
from domain.plan import ratings
from domain.plan import service as plan
from domain.plan import standing as standing_of
from domain.plan.rules import (
    NOT_YET_RATED,
    RATING_LABELS,
    DeliveryStage,
    Direction,
    PeriodStatus,
    PlanStatus,
    Quarter,
    Rating,
    code_order,
    parse_period_code,
    plan_has_ended,
)
from domain.plan.schemas import ObjectiveRead
from domain.plan.standing import PlanPeriod, Standing
from domain.plan.tables import Plan, ReportingPeriod, Theme
from domain.reference import service as reference
from domain.reference.service import ORGANISATIONS
from web.admin import Tag

NONE = "none"  # the key for "not yet rated" in counts, the chart and filters
RAG_KEYS: list[str] = [Rating.GREEN, Rating.AMBER, Rating.RED, Rating.BLUE, NONE]
RAG_TAGS: dict[str, Tag] = {
    Rating.GREEN: Tag(RATING_LABELS[Rating.GREEN], "green"),
    Rating.AMBER: Tag(RATING_LABELS[Rating.AMBER], "orange"),
    Rating.RED: Tag(RATING_LABELS[Rating.RED], "red"),
    Rating.BLUE: Tag(RATING_LABELS[Rating.BLUE], "blue"),
    NONE: Tag(NOT_YET_RATED, "grey"),
}
CORRECTION = Tag("Correction", "purple")
REPLACED = Tag("Replaced", "grey")
OPEN = Tag("Open", "blue")
PUBLISHED = Tag("Published", "green")
PLAN_TAGS = {
    PlanStatus.DRAFT: Tag("Draft", "grey"),
    PlanStatus.ACTIVE: Tag("Active", "green"),
    PlanStatus.ARCHIVED: Tag("Archived", "grey"),
}
ENDED = Tag("Ended", "grey")
DIRECTIONS: dict[Direction, tuple[str, str]] = {
    Direction.IMPROVING: ("↑", "Improving"),
    Direction.STABLE: ("→", "Stable"),
    Direction.DECLINING: ("↓", "Declining"),
    Direction.NEW: ("", "New"),
}
RATING_OPTIONS = [
    (Rating.GREEN.value, "Green"),
    (Rating.AMBER.value, "Amber"),
    (Rating.RED.value, "Red"),
    (Rating.BLUE.value, "Complete (blue)"),
]
RATING_HINTS = {
    Rating.GREEN: "On track",
    Rating.AMBER: "At risk, or plans are in place but not yet implemented",
    Rating.RED: "Off track and needs intervention",
    Rating.BLUE: "Delivered in full",
}
STAGE_LABELS = {
    DeliveryStage.NOT_STARTED: "Not started",
    DeliveryStage.PLANNED: "Planned (plans in place, not yet implemented)",
    DeliveryStage.IN_DELIVERY: "In delivery",
    DeliveryStage.DELIVERED: "Delivered",
}
STAGE_OPTIONS = [(stage.value, label) for stage, label in STAGE_LABELS.items()]


def rag_tag(rating: str | None) -> Tag:
    return RAG_TAGS[rating or NONE]


def rag_label(rating: str | None) -> str:
    return rag_tag(rating).text


def period_tag(status: str) -> Tag:
    return PUBLISHED if status == PeriodStatus.PUBLISHED else OPEN


def plan_tag(found: Plan, today: date) -> Tag:
    """Archived, else Ended once its last day has passed (however it is marked), else its
    status. An ended plan's objectives can still be rated for the periods it covered."""
    if found.status != PlanStatus.ARCHIVED and plan_has_ended(found.ends_on, today):
        return ENDED
    return PLAN_TAGS[PlanStatus(found.status)]


def direction_parts(direction: str | None) -> tuple[str, str]:
    """(arrow, word): the arrow is decoration, the word is the meaning."""
    return DIRECTIONS[Direction(direction)] if direction else ("", "")


def period_label(code: str) -> str:
    return parse_period_code(code).label


def quarter_months(quarter: Quarter) -> str:
    """For example: January to March 2021."""
    return f"{quarter.starts_on:%B} to {quarter.ends_on:%B %Y}"


def stage_label(stage: str) -> str:
    return STAGE_LABELS.get(DeliveryStage(stage), stage)


# Counts ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RagCount:
    key: str
    tag: Tag
    number: int


@dataclass
class RagCounts:
    numbers: dict[str, int] = field(default_factory=lambda: dict.fromkeys(RAG_KEYS, 0))

    def add(self, rating: str | None) -> None:
        self.numbers[rating or NONE] += 1

    @property
    def total(self) -> int:
        return sum(self.numbers.values())

    @property
    def items(self) -> list[RagCount]:
        return [RagCount(key, RAG_TAGS[key], self.numbers[key]) for key in RAG_KEYS]

    def sentence(self) -> str:
        """For example: 8 Green, 5 Amber, 2 Red, 3 Complete and 7 Not yet rated."""
        parts = [f"{c.number} {c.tag.text}" for c in self.items if c.number]
        if not parts:
            return "no objectives"
        return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


# One plan in one period ------------------------------------------------------------------


@dataclass(frozen=True)
class ObjectiveRow:
    objective: ObjectiveRead
    theme: Theme
    standing: Standing
    lead_name: str

    @property
    def rating(self) -> str | None:
        return self.standing.rating

    @property
    def tag(self) -> Tag:
        return rag_tag(self.standing.rating)

    @property
    def previous_tag(self) -> Tag:
        return rag_tag(self.standing.previous)

    @property
    def direction(self) -> tuple[str, str]:
        return direction_parts(self.standing.direction)

    @property
    def rationale(self) -> str:
        return self.standing.assessment.rationale if self.standing.assessment else ""

    @property
    def assessed_at(self) -> datetime | None:
        return self.standing.assessment.created_at if self.standing.assessment else None

    @property
    def corrected(self) -> bool:
        return bool(self.standing.assessment and self.standing.assessment.correction_reason)


@dataclass(frozen=True)
class ThemeBlock:
    theme: Theme
    rows: list[ObjectiveRow]
    counts: RagCounts


@dataclass(frozen=True)
class PlanReport:
    plan: Plan
    periods: list[PlanPeriod]
    period: ReportingPeriod | None
    themes: list[ThemeBlock]
    counts: RagCounts

    @property
    def period_label(self) -> str:
        return period_label(self.period.code) if self.period else ""

    @property
    def rows(self) -> list[ObjectiveRow]:
        return [row for block in self.themes for row in block.rows]

    def previous_period(self) -> ReportingPeriod | None:
        earlier = [p.period for p in self.periods if self.period and p.period.id != self.period.id]
        earlier = [p for p in earlier if self.period and p.starts_on < self.period.starts_on]
        return earlier[-1] if earlier else None


def choose_period(
    periods: list[PlanPeriod], code: str | None, prefer: Literal["rated", "open"]
) -> ReportingPeriod | None:
    """The period asked for; else, for "rated", the latest period with any rating, and for
    "open", the latest open period (the one being rated now); else the latest period."""
    if code:
        for choice in periods:
            if choice.period.code == code:
                return choice.period
        raise NotFound(f"there is no reporting period {code} in this plan")
    if prefer == "open":
        wanted = [p for p in periods if p.period.status == PeriodStatus.OPEN]
    else:
        wanted = [p for p in periods if p.rated]
    chosen = wanted or periods
    return chosen[-1].period if chosen else None


def lead_names(db: Session, *, short: bool = False) -> dict[str, str]:
    """Organisations by code: full names, or the short ones ("OPCC") for narrow tables."""
    return {
        o.code: o.short_name if short else o.name
        for o in reference.active_records(db, ORGANISATIONS)
    }


def all_objectives(db: Session, actor: Actor, plan_id: int) -> list[ObjectiveRead]:
    found: list[ObjectiveRead] = []
    cursor: str | None = None
    while True:
        page = ratings.list_objectives(
            db,
            actor,
            filters=ratings.ObjectiveFilters(plan_id=plan_id),
            page=PageRequest(limit=MAX_LIMIT, cursor=cursor),
        )
        found.extend(page.items)
        if page.next_cursor is None:
            return sorted(found, key=lambda o: code_order(o.code))
        cursor = page.next_cursor


def all_themes(db: Session, actor: Actor, plan_id: int) -> list[Theme]:
    found: list[Theme] = []
    cursor: str | None = None
    while True:
        page = plan.list_themes(
            db, actor, plan_id, page=PageRequest(limit=MAX_LIMIT, cursor=cursor)
        )
        found.extend(page.items)
        if page.next_cursor is None:
            return sorted(found, key=lambda t: t.position)
        cursor = page.next_cursor


def all_periods(db: Session, actor: Actor) -> list[ReportingPeriod]:
    found: list[ReportingPeriod] = []
    cursor: str | None = None
    while True:
        page = plan.list_periods(db, actor, page=PageRequest(limit=MAX_LIMIT, cursor=cursor))
        found.extend(page.items)
        if page.next_cursor is None:
            return sorted(found, key=lambda p: p.starts_on)
        cursor = page.next_cursor


_reports: sync.KeptUnderGeneration[tuple[int, str | None, str], PlanReport] = (
    sync.KeptUnderGeneration()
)


def plan_report(
    db: Session,
    actor: Actor,
    plan_id: int,
    code: str | None,
    *,
    prefer: Literal["rated", "open"] = "rated",
) -> PlanReport:
    """The same for everyone who may read the Plan, and it changes only when someone rates,
    so it is kept under the database's generation (domain.sync): six reads and a hundred
    objectives' views were most of the overview's time (README, "Performance")."""
    plan_policy.check_can_read(actor)
    return _reports.get(
        db, (plan_id, code, prefer), lambda: _plan_report(db, actor, plan_id, code, prefer)
    )


def _plan_report(
    db: Session,
    actor: Actor,
    plan_id: int,
    code: str | None,
    prefer: Literal["rated", "open"],
) -> PlanReport:
    found = plan.get_plan(db, actor, plan_id)
    periods = standing_of.plan_periods(db, actor, plan_id)
    period = choose_period(periods, code, prefer)
    standings = standing_of.standings(db, actor, plan_id, period) if period else {}
    themes = all_themes(db, actor, plan_id)
    names = lead_names(db, short=True)
    by_theme: dict[int, list[ObjectiveRow]] = {t.id or 0: [] for t in themes}
    theme_of = {t.id: t for t in themes}
    for objective in all_objectives(db, actor, plan_id):
        by_theme.setdefault(objective.theme_id, []).append(
            ObjectiveRow(
                objective=objective,
                theme=theme_of[objective.theme_id],
                standing=standings.get(objective.id) or Standing(objective.id, None, None, None),
                lead_name=names.get(objective.lead_org, objective.lead_org.upper()),
            )
        )
    total = RagCounts()
    blocks = []
    for theme in themes:
        counts = RagCounts()
        for row in by_theme[theme.id or 0]:
            counts.add(row.rating)
            total.add(row.rating)
        blocks.append(ThemeBlock(theme, by_theme[theme.id or 0], counts))
    return PlanReport(found, periods, period, blocks, total)


def active_plan(db: Session, actor: Actor) -> Plan | None:
    """The first active plan, else the newest plan of any status."""
    plans = plan.list_plans(db, actor, page=PageRequest(limit=MAX_LIMIT)).items
    active = [p for p in plans if p.status == PlanStatus.ACTIVE]
    chosen = active[:1] or plans[-1:]
    return chosen[0] if chosen else None


# The bar chart ---------------------------------------------------------------------------

CHART_WIDTH = 450  # about the width of half the page, so its text is not scaled down
LABEL_HEIGHT = 22
BAR_HEIGHT = 30
ROW_GAP = 14
LEGEND_COLUMNS = 3
LEGEND_ROW = 26
MIN_LABELLED = 22  # a segment narrower than this carries no number (the table has it)


@dataclass(frozen=True)
class Segment:
    key: str
    number: int
    x: float
    width: float

    @property
    def text_x(self) -> float:
        return self.x + self.width / 2

    @property
    def labelled(self) -> bool:
        return self.width >= MIN_LABELLED


@dataclass(frozen=True)
class BarRow:
    label: str
    label_y: int
    bar_y: int
    segments: list[Segment]
    total: int

    @property
    def text_y(self) -> int:
        return self.bar_y + BAR_HEIGHT // 2 + 5


@dataclass(frozen=True)
class LegendItem:
    key: str
    label: str
    x: int
    y: int


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    rows: list[BarRow]
    legend: list[LegendItem]
    bar_height: int = BAR_HEIGHT


def chart(blocks: list[ThemeBlock]) -> Chart:
    """Stacked horizontal bars, one per theme, in the order Green, Amber, Red, Complete,
    Not yet rated; widths scaled to the theme with most objectives."""
    most = max((b.counts.total for b in blocks), default=0) or 1
    usable = CHART_WIDTH - 2
    rows = []
    y = 0
    for block in blocks:
        x = 1.0
        segments = []
        for item in block.counts.items:
            if item.number:
                width = usable * item.number / most
                segments.append(Segment(item.key, item.number, round(x, 2), round(width, 2)))
                x += width
        rows.append(
            BarRow(block.theme.title, y + 16, y + LABEL_HEIGHT, segments, block.counts.total)
        )
        y += LABEL_HEIGHT + BAR_HEIGHT + ROW_GAP
    column = CHART_WIDTH // LEGEND_COLUMNS
    legend = [
        LegendItem(
            key,
            RAG_TAGS[key].text,
            1 + (i % LEGEND_COLUMNS) * column,
            y + 4 + (i // LEGEND_COLUMNS) * LEGEND_ROW,
        )
        for i, key in enumerate(RAG_KEYS)
    ]
    legend_rows = -(-len(RAG_KEYS) // LEGEND_COLUMNS)
    return Chart(CHART_WIDTH, y + 4 + legend_rows * LEGEND_ROW, rows, legend)


def chart_summary(report: PlanReport) -> str:
    """The chart in words, for everyone (and the SVG's description)."""
    if report.period is None:
        return "There are no reporting periods yet, so no objective has a rating."
    text = (
        f"In {report.period_label}, the {report.counts.total} objectives of this plan stand at "
        f"{report.counts.sentence()}."
    )
    reds = sorted((b.counts.numbers[Rating.RED] for b in report.themes), reverse=True)
    if reds and reds[0] and (len(reds) == 1 or reds[0] > reds[1]):
        worst = next(b for b in report.themes if b.counts.numbers[Rating.RED] == reds[0])
        text += f" {worst.theme.title} has the most objectives rated Red ({reds[0]})."
    return text


@dataclass(frozen=True)
class RagSummary:
    """Home's RAG summary: numbers only, so counted in SQL (`standing.rating_counts`)."""

    plan: Plan
    period: ReportingPeriod | None
    counts: RagCounts

    @property
    def period_label(self) -> str:
        return period_label(self.period.code) if self.period else ""


_summaries: sync.KeptUnderGeneration[str, RagSummary | None] = sync.KeptUnderGeneration()


def home_summary(db: Session, actor: Actor) -> RagSummary | None:
    """The active plan in its latest rated period (as the plan's overview opens), for
    those who read the Plan: the same for all of them, so kept under the generation."""
    if not actor.can(Scope.READ_PLAN):
        return None
    return _summaries.get(db, "active plan", lambda: _home_summary(db, actor))


def _home_summary(db: Session, actor: Actor) -> RagSummary | None:
    found = active_plan(db, actor)
    if found is None or found.id is None:
        return None
    period = choose_period(standing_of.plan_periods(db, actor, found.id), None, "rated")
    counts = RagCounts()
    for rating, number in standing_of.rating_counts(db, actor, found.id, period).items():
        counts.numbers[rating or NONE] += number
    return RagSummary(found, period, counts)
