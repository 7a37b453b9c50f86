"""Reference tables. Rows are deactivated, never deleted, so history keeps its meaning."""

from __future__ import annotations

from sqlalchemy import Column, Index, String, UniqueConstraint
from sqlmodel import Field

from domain.records import Record


class Organisation(Record, table=True):
    __tablename__ = "organisations"
    __table_args__ = (Index("ix_organisations_updated_at_id", "updated_at", "id"),)

    code: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    name: str = Field(sa_type=String(200), nullable=False)
    short_name: str = Field(sa_type=String(60), nullable=False)  # "OPCC", for narrow tables
    kind: str = Field(sa_type=String(20), nullable=False)
    active: bool = Field(default=True, nullable=False)


class Area(Record, table=True):
    """A local authority area, with its tile position on the schematic coverage map."""

    __tablename__ = "areas"
    __table_args__ = (
        Index("ix_areas_updated_at_id", "updated_at", "id"),
        UniqueConstraint("tile_row", "tile_col", name="uq_areas_tile"),
    )

    code: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    name: str = Field(sa_type=String(200), nullable=False)
    kind: str = Field(sa_type=String(20), nullable=False)
    tile_row: int = Field(nullable=False)
    tile_col: int = Field(nullable=False)
    active: bool = Field(default=True, nullable=False)


class NeighbourhoodPolicingArea(Record, table=True):
    __tablename__ = "npas"
    __table_args__ = (Index("ix_npas_updated_at_id", "updated_at", "id"),)

    code: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    name: str = Field(sa_type=String(200), nullable=False)
    area_id: int = Field(foreign_key="areas.id", nullable=False, index=True)
    active: bool = Field(default=True, nullable=False)


class Topic(Record, table=True):
    """A tag for what residents raise (road safety, ASB, sheep worrying, ...)."""

    __tablename__ = "topics"
    __table_args__ = (Index("ix_topics_updated_at_id", "updated_at", "id"),)

    code: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    name: str = Field(sa_type=String(200), nullable=False)
    active: bool = Field(default=True, nullable=False)


class BoardKind(Record, table=True):
    """A kind of board or panel the OPCC holds (cgb, ethics and transparency panel, ...)."""

    __tablename__ = "board_kinds"
    __table_args__ = (Index("ix_board_kinds_updated_at_id", "updated_at", "id"),)

    code: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    name: str = Field(sa_type=String(200), nullable=False)
    active: bool = Field(default=True, nullable=False)


class AllegationCategory(Record, table=True):
    """A category of allegation a complaint review concerns (use of force, ...)."""

    __tablename__ = "allegation_categories"
    __table_args__ = (Index("ix_allegation_categories_updated_at_id", "updated_at", "id"),)

    code: str = Field(sa_column=Column(String(40), unique=True, nullable=False))
    name: str = Field(sa_type=String(200), nullable=False)
    active: bool = Field(default=True, nullable=False)
