"""/complaint-reviews/kpis: the complaint review KPIs for a date range, by month or by
quarter: an SVG chart drawn here (received and completed as bars, the share completed within
the target as a line) with a title and a text summary, the same figures as a table beside it,
and the open cases by age. The page says which target rule the figures use.

Anyone with the statistics permission may read it (OPCC staff, viewers, reviewers,
administrators); counts from 1 to 4 show as "<5" for everyone who does not see the cases
(the service suppresses them). The force liaison is told, in words, that it is not for them.
With htmx the range form swaps the `results` block of the same template."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date
from typing import Annotated, Any, Literal, cast

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts.rules import Scope
from domain.complaints import policy
from domain.complaints import service as complaints
from domain.complaints.schemas import ReviewStats, ReviewStatsRow
from domain.errors import Invalid
from web.action_views import VARY
from web.forms import Form, filter_date
from web.routes import complaint_common as common
from web.templating import render

router = APIRouter()
Text = Annotated[str | None, Query(max_length=40, pattern=r"^[^\x00]*$")]
LABELS = {"from": "From", "to": "To", "group": "Group by"}
GROUP_OPTIONS = [("month", "Month"), ("quarter", "Quarter (April to March years)")]
MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
SUPPRESSED = "<5"
SUPPRESSED_HEIGHT = 4  # a "<5" bar is drawn as tall as 4: it shows no more than the label


def period_label(key: str, *, short: bool = False) -> str:
    """ "2024-03" → "March 2024" ("Mar 24"); "2023-24-Q4" → "Q4 2023-24" ("Q4 23-24")."""
    parts = key.split("-")
    if len(parts) == 2 and parts[1].isdigit():
        year, month = int(parts[0]), int(parts[1])
        if short:
            return f"{MONTHS[month - 1][:3]} {year % 100:02d}"
        return f"{MONTHS[month - 1]} {year}"
    if len(parts) == 3:
        if short:
            return f"{parts[2]} {int(parts[0]) % 100:02d}-{parts[1]}"
        return f"{parts[2]} {parts[0]}-{parts[1]}"
    return key


def shown(value: int | str | None) -> str:
    return "" if value is None else str(value)


def pct_text(value: float | None) -> str:
    if value is None:
        return "None completed"
    return f"{value:.0f}%" if abs(value - round(value)) < 0.05 else f"{value:.1f}%"


def _height(value: int | str) -> float:
    return SUPPRESSED_HEIGHT if value == SUPPRESSED else float(value)


# ---------------------------------------------------------------------------------------------
# The chart's geometry: everything the template draws, in viewBox units.

WIDTH = 640
HEIGHT = 330
LEFT = 44
RIGHT = 52
TOP = 48
BOTTOM = 44
PLOT_W = WIDTH - LEFT - RIGHT
PLOT_H = HEIGHT - TOP - BOTTOM


@dataclass(frozen=True)
class Bar:
    key: str  # "received" or "completed": its colour class
    x: float
    y: float
    width: float
    height: float
    label: str
    label_x: float
    label_y: float


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str


@dataclass(frozen=True)
class Tick:
    y: float
    label: str


@dataclass(frozen=True)
class XLabel:
    x: float
    y: float
    text: str


@dataclass
class KpiChart:
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    top: int = TOP
    bottom: int = HEIGHT - BOTTOM
    bars: list[Bar] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)  # polyline point lists (gaps split them)
    points: list[Point] = field(default_factory=list)
    count_ticks: list[Tick] = field(default_factory=list)
    pct_ticks: list[Tick] = field(default_factory=list)
    x_labels: list[XLabel] = field(default_factory=list)


def _axis_top(largest: float) -> int:
    """A round top for the count axis: a multiple of 5 (of 10 above 50)."""
    step = 10 if largest > 50 else 5
    return max(step, math.ceil(largest / step) * step)


def kpi_chart(rows: list[ReviewStatsRow]) -> KpiChart:
    chart = KpiChart()
    if not rows:
        return chart
    largest = max(max(_height(r.received), _height(r.completed)) for r in rows)
    top = _axis_top(largest)
    slot = PLOT_W / len(rows)
    bar_w = min(28.0, slot * 0.36)
    label_every = max(1, math.ceil(len(rows) / 12))

    def y_of(value: float) -> float:
        return round(TOP + PLOT_H - PLOT_H * value / top, 2)

    for fraction in (0, 0.5, 1):
        chart.count_ticks.append(Tick(y_of(top * fraction), f"{top * fraction:g}"))
        chart.pct_ticks.append(Tick(round(TOP + PLOT_H - PLOT_H * fraction, 2), f"{fraction:.0%}"))
    segment: list[str] = []
    for i, row in enumerate(rows):
        middle = LEFT + slot * i + slot / 2
        for key, value, x in (
            ("received", row.received, middle - bar_w - 1),
            ("completed", row.completed, middle + 1),
        ):
            height = round(PLOT_H * _height(value) / top, 2)
            chart.bars.append(
                Bar(
                    key,
                    round(x, 2),
                    round(TOP + PLOT_H - height, 2),
                    round(bar_w, 2),
                    height,
                    str(value),
                    round(x + bar_w / 2, 2),
                    round(TOP + PLOT_H - height - 4, 2),
                )
            )
        if i % label_every == 0:
            chart.x_labels.append(
                XLabel(round(middle, 2), HEIGHT - BOTTOM + 20, period_label(row.period, short=True))
            )
        if row.pct_within_target is None:
            if segment:
                chart.lines.append(" ".join(segment))
            segment = []
            continue
        y = round(TOP + PLOT_H - PLOT_H * row.pct_within_target / 100, 2)
        segment.append(f"{round(middle, 2)},{y}")
        chart.points.append(Point(round(middle, 2), y, pct_text(row.pct_within_target)))
    if segment:
        chart.lines.append(" ".join(segment))
    return chart


# ---------------------------------------------------------------------------------------------
# The figures in words


def _total(rows: list[ReviewStatsRow], name: str) -> int | None:
    values = [getattr(r, name) for r in rows]
    if any(not isinstance(v, int) for v in values):
        return None
    return sum(cast(list[int], values))


def summary(stats: ReviewStats) -> str:
    """The chart in words, for everyone (and the SVG's description)."""
    span = f"From {stats.from_.strftime('%-d %B %Y')} to {stats.to.strftime('%-d %B %Y')}"
    rows = stats.rows
    received = _total(rows, "received")
    completed = _total(rows, "completed")
    within = _total(rows, "completed_within_target")
    if received is None or completed is None or within is None:
        text = (
            f"{span}: some counts are below 5 and shown as “<5”, so no totals are given; "
            "see the table for each period."
        )
    else:
        text = f"{span}: {common.plural(received, 'review')} received and {completed} completed"
        if completed:
            text += (
                f", {within} of them ({pct_text(100 * within / completed)}) within "
                f"{stats.target_rule}."
            )
        else:
            text += "."
    with_pct = [r for r in rows if r.pct_within_target is not None]
    if with_pct:
        latest = with_pct[-1]
        text += (
            f" In {period_label(latest.period)}, {pct_text(latest.pct_within_target)} of "
            f"completed reviews were within {stats.target_rule}."
        )
    return text


# ---------------------------------------------------------------------------------------------
# The page


def default_range(today: date) -> tuple[date, date]:
    """The last 12 months: from the first day of the month 11 months back, to today."""
    months = today.year * 12 + today.month - 1 - 11
    return date(months // 12, months % 12 + 1, 1), today


@router.get("/complaint-reviews/kpis")
def kpis(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    from_: Annotated[str | None, Query(alias="from", max_length=40, pattern=r"^[^\x00]*$")] = None,
    to: Text = None,
    group: Text = None,
) -> Response:
    if not actor.can(Scope.READ_COMPLAINT_STATS):
        return render(request, "complaints/kpis_no_access.html", {}, status_code=403)
    today = clock.today()
    rules = common.rules_of(request)
    start, end = default_range(today)
    form = Form(
        values={
            "from": (from_ or "").strip() or start.strftime("%-d/%-m/%Y"),
            "to": (to or "").strip() or end.strftime("%-d/%-m/%Y"),
            "group": (group or "").strip() or "month",
        },
        labels=LABELS,
    )
    chosen_from = filter_date(form, "from", LABELS["from"], form.value("from")) or start
    chosen_to = filter_date(form, "to", LABELS["to"], form.value("to")) or end
    chosen_group = form.value("group")
    if chosen_group not in dict(GROUP_OPTIONS):
        form.add("group", "Choose to group by month or by quarter")
    context: dict[str, Any] = {
        "form": form,
        "group_options": GROUP_OPTIONS,
        "exact": policy.sees_small_numbers(actor),
        "sees_cases": policy.sees_cases(actor),
        "target_words": common.target_words(rules),
        "period_label": period_label,
        "shown": shown,
        "pct_text": pct_text,
        "common": common,
    }
    stats = None
    if not form.errors:
        try:
            stats = complaints.review_stats(
                db,
                actor,
                from_=chosen_from,
                to=chosen_to,
                group=cast(Literal["month", "quarter"], chosen_group),
                rules=rules,
                today=today,
            )
        except Invalid as exc:
            form.add_invalid(exc)
    context["errors"] = form.error_summary
    if stats is not None:
        group_word = "month" if stats.group == "month" else "quarter"
        context |= {
            "stats": stats,
            "chart": kpi_chart(stats.rows),
            "summary": summary(stats),
            "chart_title": (
                f"Complaint reviews received and completed by {group_word}, and the share "
                f"completed within {stats.target_rule}"
            ),
            "age_as_of": min(stats.to, today),
            "ages": [
                ("0 to 14 days", stats.open_by_age.days_0_14),
                ("15 to 21 days", stats.open_by_age.days_15_21),
                ("22 to 28 days", stats.open_by_age.days_22_28),
                ("Over 28 days", stats.open_by_age.over_28),
            ],
        }
    return render(request, "complaints/kpis.html", context, block="results", headers=VARY)
