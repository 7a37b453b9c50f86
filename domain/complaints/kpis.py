"""Complaint review KPIs, computed in SQL on SQLite and PostgreSQL alike: periods are
grouped in the database, and the median and 90th percentile are nearest-rank values picked
with window functions (row_number and count over the period), the definition
rules.nearest_rank states. Nothing is computed row by row in Python."""

from __future__ import annotations

from datetime import date
from typing import Any, Literal

from sqlalchemy import Date, Integer, and_, case, cast, extract, func, literal, or_, select
from sqlalchemy.sql.elements import ColumnElement
from sqlmodel import Session, col

from domain import sync
from domain.accounts.rules import Actor
from domain.complaints import policy
from domain.complaints.rules import (
    AGE_BAND_LIMITS,
    MEDIAN,
    NOT_COMPLETED_OUTCOMES,
    P90,
    AgeBand,
    ReviewOutcome,
    ReviewRules,
    period_key,
    period_keys,
    permille,
    suppress,
)
from domain.complaints.schemas import OpenByAge, ReviewStats, ReviewStatsRow
from domain.complaints.tables import ComplaintReview, ReviewHold
from domain.errors import invalid

CR = ComplaintReview
SMALL = 5


def days_between(db: Session, later: Any, earlier: Any) -> ColumnElement[int]:
    """Whole days from `earlier` to `later` (dates): PostgreSQL subtracts dates to an
    integer; SQLite stores ISO text, so it goes through julianday."""
    if db.get_bind().dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    return cast(later - earlier, Integer)


def day_literal(day: date) -> Any:
    return literal(day, type_=Date)


def period_number(day: Any, group: Literal["month", "quarter"]) -> ColumnElement[int]:
    """A sortable integer per period: 202403 for March 2024, or 20234 for the financial
    year 2023-24's fourth quarter (April starts Q1)."""
    year = cast(extract("year", day), Integer)
    month = cast(extract("month", day), Integer)
    if group == "month":
        return year * 100 + month
    start_year = year - case((month < 4, 1), else_=0)
    quarter = (month + 8) % 12 // 3 + 1
    return start_year * 10 + quarter


def period_label(number: int, group: Literal["month", "quarter"]) -> str:
    if group == "month":
        return period_key(date(number // 100, number % 100, 1), "month")
    start_year, quarter = divmod(number, 10)
    return f"{start_year}-{(start_year + 1) % 100:02d}-Q{quarter}"


def _pct(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(100 * part / whole, 1)


def _received(
    db: Session, from_: date, to: date, group: Literal["month", "quarter"]
) -> dict[int, int]:
    inner = (
        select(period_number(col(CR.received_on), group).label("period"))
        .where(col(CR.received_on) >= from_, col(CR.received_on) <= to)
        .subquery()
    )
    rows = db.execute(select(inner.c.period, func.count()).group_by(inner.c.period)).all()
    return {int(p): int(n) for p, n in rows}


def _completed(
    db: Session, from_: date, to: date, group: Literal["month", "quarter"]
) -> dict[int, tuple[int, int, int, int | None, int | None, int | None, int | None]]:
    """Per period: completed, within target, upheld, median and p90 days (elapsed), and
    median and p90 days with the time on hold taken out."""
    held = (
        select(
            func.coalesce(
                func.sum(
                    days_between(
                        db,
                        func.coalesce(col(ReviewHold.ended_on), col(CR.decided_on)),
                        col(ReviewHold.started_on),
                    )
                ),
                0,
            )
        )
        .where(col(ReviewHold.review_id) == col(CR.id))
        .scalar_subquery()
    )
    elapsed = days_between(db, col(CR.decided_on), col(CR.received_on))
    base = (
        select(
            period_number(col(CR.decided_on), group).label("period"),
            elapsed.label("days"),
            (elapsed - held).label("active_days"),
            case((col(CR.decided_on) <= col(CR.target_on), 1), else_=0).label("within"),
            case((col(CR.outcome) == ReviewOutcome.UPHELD.value, 1), else_=0).label("upheld"),
        )
        .where(
            col(CR.decided_on) >= from_,
            col(CR.decided_on) <= to,
            col(CR.outcome).is_not(None),
            col(CR.outcome).not_in([o.value for o in NOT_COMPLETED_OUTCOMES]),
        )
        .subquery()
    )
    ranked = select(
        base.c.period,
        base.c.days,
        base.c.active_days,
        base.c.within,
        base.c.upheld,
        func.row_number()
        .over(partition_by=base.c.period, order_by=(base.c.days, base.c.active_days))
        .label("rn"),
        func.row_number()
        .over(partition_by=base.c.period, order_by=(base.c.active_days, base.c.days))
        .label("rn_active"),
        func.count().over(partition_by=base.c.period).label("n"),
    ).subquery()

    def at_rank(rank: Any, value: Any, pct: float) -> Any:
        # The first value whose 1-based rank reaches ceil(pct·n), in integers.
        return func.min(case((rank * 1000 >= permille(pct) * ranked.c.n, value)))

    rows = db.execute(
        select(
            ranked.c.period,
            func.count(),
            func.sum(ranked.c.within),
            func.sum(ranked.c.upheld),
            at_rank(ranked.c.rn, ranked.c.days, MEDIAN),
            at_rank(ranked.c.rn, ranked.c.days, P90),
            at_rank(ranked.c.rn_active, ranked.c.active_days, MEDIAN),
            at_rank(ranked.c.rn_active, ranked.c.active_days, P90),
        ).group_by(ranked.c.period)
    ).all()

    def num(value: Any) -> int | None:
        return None if value is None else int(value)

    return {
        int(p): (int(n), int(w or 0), int(u or 0), num(m), num(p90), num(ma), num(pa))
        for p, n, w, u, m, p90, ma, pa in rows
    }


def open_by_age_counts(db: Session, as_of: date) -> dict[AgeBand, int]:
    """Cases received by `as_of` and neither decided nor ended by then, by days open."""
    age = days_between(db, day_literal(as_of), col(CR.received_on))
    bands: list[Any] = []
    lower: int | None = None
    for band, limit in AGE_BAND_LIMITS:
        test = age <= limit if lower is None else and_(age > lower, age <= limit)
        bands.append(func.coalesce(func.sum(case((test, 1), else_=0)), 0).label(band.name))
        lower = limit
    bands.append(func.coalesce(func.sum(case((age > lower, 1), else_=0)), 0).label("over"))
    row = db.execute(
        select(*bands).where(
            col(CR.received_on) <= as_of,
            or_(col(CR.decided_on).is_(None), col(CR.decided_on) > as_of),
            or_(col(CR.closed_on).is_(None), col(CR.closed_on) > as_of),
        )
    ).one()
    return {band: int(n) for band, n in zip(AgeBand, row, strict=True)}


def review_stats(
    db: Session,
    actor: Actor,
    *,
    from_: date,
    to: date,
    group: Literal["month", "quarter"],
    rules: ReviewRules,
    today: date,
) -> ReviewStats:
    """Received (by date received), completed (by decision date; withdrawn and passed to
    the IOPC are not completions), completed within target (decided on or before the
    target date), median and 90th-percentile days, % upheld, and the cases open by age
    band on `today` (or `to`, if earlier). Counts of 1–4, and the figures derived from
    them, are hidden from anyone who may not see cases."""
    policy.check_can_read_stats(actor)
    if from_ > to:
        raise invalid("from", "must be on or before the end of the range")
    if group not in ("month", "quarter"):
        raise invalid("group", "must be month or quarter")
    small_ok = policy.sees_small_numbers(actor)
    return _stats.get(
        db,
        (from_, to, group, rules, today, small_ok),
        lambda: _review_stats(db, from_, to, group, rules, today, small_ok),
    )


_stats: sync.KeptUnderGeneration[tuple[date, date, str, ReviewRules, date, bool], ReviewStats] = (
    sync.KeptUnderGeneration()
)
"""The same for everyone on the same side of small-number suppression, so kept under the
database's generation: three aggregate reads over every case were most of the page."""


def _review_stats(
    db: Session,
    from_: date,
    to: date,
    group: Literal["month", "quarter"],
    rules: ReviewRules,
    today: date,
    small_ok: bool,
) -> ReviewStats:
    received = _received(db, from_, to, group)
    completed = _completed(db, from_, to, group)
    by_label = {period_label(p, group): p for p in {*received, *completed}}

    def count(n: int) -> int | str:
        return n if small_ok else suppress(n)

    rows: list[ReviewStatsRow] = []
    for key in period_keys(from_, to, group):
        number = by_label.get(key)
        got = received.get(number, 0) if number is not None else 0
        done, within, upheld, median, p90, median_active, p90_active = (
            completed.get(number, (0, 0, 0, None, None, None, None))
            if number is not None
            else (0, 0, 0, None, None, None, None)
        )
        hidden = not small_ok and 1 <= done < SMALL
        rows.append(
            ReviewStatsRow(
                period=key,
                received=count(got),
                completed=count(done),
                completed_within_target=count(within),
                pct_within_target=None if hidden else _pct(within, done),
                median_days=None if hidden else median,
                p90_days=None if hidden else p90,
                median_days_without_holds=None if hidden else median_active,
                p90_days_without_holds=None if hidden else p90_active,
                pct_upheld=None if hidden else _pct(upheld, done),
            )
        )
    ages = open_by_age_counts(db, min(today, to))
    return ReviewStats(
        from_=from_,
        to=to,
        group=group,
        target_rule=rules.describe_target(),
        rows=rows,
        open_by_age=OpenByAge(
            days_0_14=count(ages[AgeBand.DAYS_0_14]),
            days_15_21=count(ages[AgeBand.DAYS_15_21]),
            days_22_28=count(ages[AgeBand.DAYS_22_28]),
            over_28=count(ages[AgeBand.OVER_28]),
        ),
    )
