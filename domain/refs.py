"""Human references (ACT-2024-0123, CR-2024-0036, ESC-2024-0007): per prefix and year,
allocated under a row lock so they are unique and never reused."""

from __future__ import annotations

from sqlalchemy import Column, Integer, String
from sqlmodel import Field, Session, SQLModel, select


class RefCounter(SQLModel, table=True):
    __tablename__ = "ref_counters"

    prefix: str = Field(sa_type=String(10), primary_key=True)
    year: int = Field(sa_column=Column(Integer, primary_key=True, autoincrement=False))
    last_number: int = Field(default=0, nullable=False)


def next_ref(db: Session, prefix: str, year: int) -> str:
    return reserve_refs(db, prefix, year, 1)[0]


def reserve_refs(db: Session, prefix: str, year: int, count: int) -> list[str]:
    """A block of consecutive references for bulk generation, in one locked step."""
    counter = db.exec(
        select(RefCounter)
        .where(RefCounter.prefix == prefix, RefCounter.year == year)
        .with_for_update()
    ).first()
    if counter is None:
        counter = RefCounter(prefix=prefix, year=year, last_number=0)
    first = counter.last_number + 1
    counter.last_number += count
    db.add(counter)
    db.flush()
    return [f"{prefix}-{year}-{n:04d}" for n in range(first, first + count)]
