"""Human references (ACT-2024-0123, CR-2024-0036, ESC-2024-0007): per prefix and year,
allocated under a row lock so they are unique and never reused."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel, select


class RefCounter(SQLModel, table=True):
    __tablename__ = "ref_counters"

    prefix: str = Field(sa_type=String(10), primary_key=True)
    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_number: int = Field(default=0, nullable=False)


def next_ref(db: Session, prefix: str, year: int) -> str:
    return reserve_refs(db, prefix, year, 1)[0]


def reserve_refs(db: Session, prefix: str, year: int, count: int) -> list[str]:
    """A block of consecutive references for bulk generation, in one locked step.

    The year's counter is created with INSERT … ON CONFLICT DO NOTHING before it is locked:
    two first-of-the-year creations at once on PostgreSQL would otherwise both insert it
    and one would fail on the primary key."""
    insert = postgresql_insert if db.get_bind().dialect.name == "postgresql" else sqlite_insert
    db.execute(
        insert(RefCounter).values(prefix=prefix, year=year, last_number=0).on_conflict_do_nothing()
    )
    counter = db.exec(
        select(RefCounter)
        .where(RefCounter.prefix == prefix, RefCounter.year == year)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    first = counter.last_number + 1
    counter.last_number += count
    db.add(counter)
    db.flush()
    return [f"{prefix}-{year}-{n:04d}" for n in range(first, first + count)]
