"""/engagements/coverage, /engagements/topics and /engagements/parish-surgeries: the numbers
behind the Panel's "where have we been and what did people raise", each as a table, a chart
drawn on the server as SVG (role="img", a <title>, a text summary) and, for coverage, a
schematic tile map whose tile positions come from the area reference data (tile_row,
tile_col). Colour is never the only signal: every tile and bar carries its number in words.

The date range form swaps only the `figures` block with htmx; without JavaScript it is an
ordinary GET."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from sqlmodel import Session, select
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.engagement import policy
from domain.engagement import service as engagement
from domain.errors import Invalid
from domain.reference.tables import Area
from web.action_views import VARY
from web.forms import Form, filter_date
from web.routes import engagement_common as common
from web.templating import render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=200, pattern=r"^[^\x00]*$")]
From = Annotated[str | None, Query(alias="from", max_length=200, pattern=r"^[^\x00]*$")]
RANGE_LABELS = {"from": "From", "to": "To"}
CHART_WIDTH = 460


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def _day(value: date) -> str:
    return value.strftime("%-d %B %Y")


@dataclass(frozen=True)
class Range:
    start: date
    end: date
    form: Form

    @property
    def words(self) -> str:
        return f"{_day(self.start)} to {_day(self.end)}"

    @property
    def query(self) -> str:
        return f"from={self.start.isoformat()}&to={self.end.isoformat()}"


def _range(from_: str | None, to: str | None) -> Range:
    """The range asked for, or the last twelve months to today; problems on the form."""
    today = clock.today()
    form = Form(
        values={"from": (from_ or "").strip(), "to": (to or "").strip()}, labels=RANGE_LABELS
    )
    default_start = today - timedelta(days=365)
    values = {}
    for name, raw, default in (("from", from_, default_start), ("to", to, today)):
        values[name] = filter_date(form, name, RANGE_LABELS[name], raw) or default
    if not form.errors and values["from"] > values["to"]:
        form.add("to", "To must be on or after from")
    if not form.values["from"]:
        form.values["from"] = values["from"].strftime("%-d/%-m/%Y")
    if not form.values["to"]:
        form.values["to"] = values["to"].strftime("%-d/%-m/%Y")
    return Range(values["from"], values["to"], form)


def _page(
    request: Request, template: str, found: Range, context: dict[str, Any], section: str
) -> Response:
    return render(
        request,
        template,
        {
            "form": found.form,
            "errors": found.form.error_summary,
            "range": found,
            "section": section,
            "common": common,
            **context,
        },
        block="figures",
        headers=VARY,
    )


# ---------------------------------------------------------------------------------------------
# Coverage: a bar chart and a tile map


@dataclass(frozen=True)
class Bar:
    label: str
    text: str
    label_y: int
    bar_y: int
    width: float
    key: str


@dataclass(frozen=True)
class BarChart:
    width: int
    height: int
    bars: list[Bar]
    bar_height: int = 20


def bar_chart(rows: list[tuple[str, int, str]], *, key: str = "blue") -> BarChart:
    """Horizontal bars, the label and the number in words above each bar."""
    largest = max((n for _, n, _ in rows), default=0) or 1
    usable = CHART_WIDTH - 2
    bars = []
    y = 0
    for label, number, text in rows:
        width = round(usable * number / largest, 2) if number else 0.0
        bars.append(
            Bar(
                label,
                text,
                y + 16,
                y + 22,
                width,
                key if number else "none",
            )
        )
        y += 50
    return BarChart(CHART_WIDTH, max(y, 50), bars)


@dataclass(frozen=True)
class Tile:
    name: str
    count: int
    x: int
    y: int
    lines: list[tuple[str, int]]  # (text, y) of the name, wrapped
    count_text: str
    count_y: int
    level: str  # none, low, mid, high: a shade, with the number written on the tile


@dataclass(frozen=True)
class TileMap:
    width: int
    height: int
    tile_width: int
    tile_height: int
    tiles: list[Tile]


TILE_WIDTH = 112
TILE_HEIGHT = 84
TILE_GAP = 8


def _wrap(name: str, width: int = 13) -> list[str]:
    lines: list[str] = []
    for word in name.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines[:3]


def _level(count: int, largest: int) -> str:
    if count == 0:
        return "none"
    step = math.ceil(3 * count / max(largest, 1))
    return {1: "low", 2: "mid"}.get(step, "high")


def tile_map(items: list[tuple[str, int, int, int]]) -> TileMap:
    """items: (area name, count, tile_row, tile_col): the area reference data's positions."""
    largest = max((count for _, count, _, _ in items), default=0)
    tiles = []
    for name, count, row, col in items:
        x = col * (TILE_WIDTH + TILE_GAP) + 1
        y = row * (TILE_HEIGHT + TILE_GAP) + 1
        wrapped = _wrap(name)
        lines = [(text, y + 20 + 16 * n) for n, text in enumerate(wrapped)]
        count_text = "No visits" if count == 0 else _plural(count, "visit")
        tiles.append(
            Tile(name, count, x, y, lines, count_text, y + TILE_HEIGHT - 10, _level(count, largest))
        )
    columns = max((col for _, _, _, col in items), default=0) + 1
    rows = max((row for _, _, row, _ in items), default=0) + 1
    return TileMap(
        columns * (TILE_WIDTH + TILE_GAP) - TILE_GAP + 2,
        rows * (TILE_HEIGHT + TILE_GAP) - TILE_GAP + 2,
        TILE_WIDTH,
        TILE_HEIGHT,
        tiles,
    )


def _tiles_of(db: Session) -> dict[str, tuple[int, int]]:
    return {a.code: (a.tile_row, a.tile_col) for a in db.exec(select(Area)).all()}


def coverage_summary(items: list[Any], found: Range) -> str:
    total = sum(i.count for i in items)
    visited = [i for i in items if i.count]
    text = (
        f"{_plural(total, 'engagement')} from {found.words}, in {len(visited)} of "
        f"{_plural(len(items), 'area')}."
    )
    if visited:
        most = max(visited, key=lambda i: i.count)
        text += f" Most: {most.area_name} ({most.count})."
    missed = [i.area_name for i in items if not i.count]
    if missed:
        text += f" No visits: {', '.join(missed)}."
    return text


@router.get("/engagements/coverage")
def coverage_page(
    request: Request, db: DbSession, actor: CurrentActor, from_: From = None, to: Text = None
) -> Response:
    policy.check_can_read(actor)
    found = _range(from_, to)
    context: dict[str, Any] = {}
    if not found.form.errors:
        report = _attempt(
            found, lambda: engagement.coverage(db, actor, from_=found.start, to=found.end)
        )
        if report is not None:
            tiles = _tiles_of(db)
            items = list(report.items)
            context = {
                "items": items,
                "chart": bar_chart(
                    [
                        (
                            i.area_name,
                            i.count,
                            _plural(i.count, "engagement") if i.count else "no visits",
                        )
                        for i in items
                    ]
                ),
                "map": tile_map(
                    [
                        (i.area_name, i.count, *tiles.get(i.area_code, (0, n)))
                        for n, i in enumerate(items)
                    ]
                ),
                "summary": coverage_summary(items, found),
                "total": sum(i.count for i in items),
                "api_url": f"/api/v1/engagements/coverage?{found.query}",
            }
    return _page(request, "engagement/coverage.html", found, context, "coverage")


def _attempt(found: Range, call: Any) -> Any:
    try:
        return call()
    except Invalid as exc:
        common.add_service_errors(found.form, exc, labels=RANGE_LABELS)
        return None


# ---------------------------------------------------------------------------------------------
# Topics raised over time: one small bar chart a topic, a bar a month


@dataclass(frozen=True)
class MonthBar:
    x: float
    y: float
    width: float
    height: float
    count: int
    text_y: float


@dataclass(frozen=True)
class TopicRow:
    name: str
    total: int
    label_y: int
    base_y: int
    bars: list[MonthBar]


@dataclass(frozen=True)
class TopicChart:
    width: int
    height: int
    rows: list[TopicRow]
    axis: list[tuple[str, float]]  # (month label, x)
    axis_y: int


ROW_HEIGHT = 92
BAR_AREA = 48


def month_label(key: str, *, long: bool = False) -> str:
    year, month = int(key[:4]), int(key[5:7])
    return date(year, month, 1).strftime("%B %Y" if long else "%b %y")


def topic_chart(months: list[str], topics: list[Any]) -> TopicChart:
    slots = max(len(months), 1)
    slot = (CHART_WIDTH - 2) / slots
    largest = max((max(t.counts, default=0) for t in topics), default=0) or 1
    rows = []
    y = 0
    for topic in topics:
        base = y + 24 + BAR_AREA
        bars = []
        for n, count in enumerate(topic.counts):
            height = round(BAR_AREA * count / largest, 2)
            bars.append(
                MonthBar(
                    round(1 + n * slot + slot * 0.15, 2),
                    round(base - height, 2),
                    round(slot * 0.7, 2),
                    height,
                    count,
                    round(base - height - 3, 2),
                )
            )
        rows.append(TopicRow(topic.topic_name, topic.total, y + 16, base, bars))
        y += ROW_HEIGHT
    every = max(1, math.ceil(44 / slot))
    axis = [
        (month_label(key), round(1 + n * slot + slot / 2, 2))
        for n, key in enumerate(months)
        if n % every == 0
    ]
    return TopicChart(CHART_WIDTH, y + 24, rows, axis, y + 14)


def topics_summary(report: Any, found: Range) -> str:
    raised = [t for t in report.topics if t.total]
    total = sum(t.total for t in raised)
    if not raised:
        return f"No issues were raised from {found.words}."
    top = sorted(raised, key=lambda t: (-t.total, t.topic_name))[:3]
    named = ", ".join(f"{t.topic_name} ({t.total})" for t in top)
    return (
        f"{_plural(total, 'issue')} raised from {found.words}, on "
        f"{_plural(len(raised), 'topic')}. Raised most: {named}."
    )


@router.get("/engagements/topics")
def topics_page(
    request: Request, db: DbSession, actor: CurrentActor, from_: From = None, to: Text = None
) -> Response:
    policy.check_can_read(actor)
    found = _range(from_, to)
    context: dict[str, Any] = {}
    if not found.form.errors:
        report = _attempt(
            found, lambda: engagement.topics_over_time(db, actor, from_=found.start, to=found.end)
        )
        if report is not None:
            topics = [t for t in report.topics if t.total]
            context = {
                "report": report,
                "topics": topics,
                "months": [
                    (key, month_label(key), month_label(key, long=True)) for key in report.months
                ],
                "chart": topic_chart(report.months, topics),
                "summary": topics_summary(report, found),
                "api_url": f"/api/v1/engagements/topics?{found.query}",
            }
    return _page(request, "engagement/topics.html", found, context, "topics")


# ---------------------------------------------------------------------------------------------
# Parish council surgeries: councils attended of those invited, by district


def attendance_text(item: Any) -> str:
    if not item.surgeries:
        return "No surgeries"
    return f"{item.councils_attended} of {item.councils_invited} councils attended"


def parish_summary(items: list[Any], found: Range) -> str:
    held = [i for i in items if i.surgeries]
    if not held:
        return f"No parish council surgeries from {found.words}."
    invited = sum(i.councils_invited for i in held)
    attended = sum(i.councils_attended for i in held)
    return (
        f"{_plural(sum(i.surgeries for i in held), 'surgery', 'surgeries')} in "
        f"{_plural(len(held), 'district')} from {found.words}: {attended} of {invited} "
        "councils invited attended."
    )


@router.get("/engagements/parish-surgeries")
def parish_page(
    request: Request, db: DbSession, actor: CurrentActor, from_: From = None, to: Text = None
) -> Response:
    policy.check_can_read(actor)
    found = _range(from_, to)
    context: dict[str, Any] = {}
    if not found.form.errors:
        report = _attempt(
            found, lambda: engagement.parish_attendance(db, actor, from_=found.start, to=found.end)
        )
        if report is not None:
            items = list(report.items)
            context = {
                "items": items,
                "chart": parish_chart(items),
                "summary": parish_summary(items, found),
                "attendance_text": attendance_text,
                "api_url": f"/api/v1/engagements/parish-attendance?{found.query}",
            }
    return _page(request, "engagement/parish.html", found, context, "parish")


@dataclass(frozen=True)
class ParishBar:
    label: str
    label_y: int
    bar_y: int
    invited_width: float
    attended_width: float


def parish_chart(items: list[Any]) -> dict[str, Any]:
    largest = max((i.councils_invited for i in items), default=0) or 1
    usable = CHART_WIDTH - 2
    bars = []
    y = 0
    for item in items:
        invited = round(usable * item.councils_invited / largest, 2) if item.surgeries else 0.0
        attended = round(usable * item.councils_attended / largest, 2) if item.surgeries else 0.0
        bars.append(
            ParishBar(
                f"{item.area_name}: {attendance_text(item)}", y + 16, y + 22, invited, attended
            )
        )
        y += 50
    return {"width": CHART_WIDTH, "height": max(y, 50), "bars": bars}
