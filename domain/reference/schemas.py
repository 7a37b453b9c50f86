"""Shapes for each kind of reference data."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Code = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=40, pattern=r"^[a-z0-9-]+$"),
]
# No NUL: PostgreSQL text cannot hold it, so it is refused here as a 422, not a 500.
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=r"^[^\x00]*$"),
]
ShortName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=60, pattern=r"^[^\x00]*$"),
]
TileIndex = Annotated[int, Field(ge=0, le=50)]


class OrganisationKind(StrEnum):
    OPCC = "opcc"
    FORCE = "force"
    PARTNER = "partner"


class AreaKind(StrEnum):
    UNITARY = "unitary"
    DISTRICT = "district"
    COUNTY = "county"


class _Write(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Read(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    code: str
    name: str
    active: bool
    created_at: datetime
    updated_at: datetime
    version: int


class OrganisationCreate(_Write):
    code: Code
    name: Name
    short_name: ShortName | None = Field(
        default=None, description="What narrow tables show; the name (cut to 60) when omitted."
    )
    kind: OrganisationKind

    @model_validator(mode="after")
    def _short_name_defaults_to_name(self) -> OrganisationCreate:
        if self.short_name is None:
            self.short_name = self.name[:60].strip()
        return self


class OrganisationUpdate(_Write):
    name: Name | None = None
    short_name: ShortName | None = None
    kind: OrganisationKind | None = None
    active: bool | None = None


class OrganisationRead(_Read):
    short_name: str
    kind: OrganisationKind


class AreaCreate(_Write):
    code: Code
    name: Name
    kind: AreaKind
    tile_row: TileIndex
    tile_col: TileIndex


class AreaUpdate(_Write):
    name: Name | None = None
    kind: AreaKind | None = None
    tile_row: TileIndex | None = None
    tile_col: TileIndex | None = None
    active: bool | None = None


class AreaRead(_Read):
    kind: AreaKind
    tile_row: int
    tile_col: int


class NpaCreate(_Write):
    code: Code
    name: Name
    area_id: int = Field(ge=1, le=2**31 - 1)


class NpaUpdate(_Write):
    name: Name | None = None
    area_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    active: bool | None = None


class NpaRead(_Read):
    area_id: int


class TopicCreate(_Write):
    code: Code
    name: Name


class TopicUpdate(_Write):
    name: Name | None = None
    active: bool | None = None


class TopicRead(_Read):
    pass


class BoardKindCreate(_Write):
    code: Code
    name: Name


class BoardKindUpdate(_Write):
    name: Name | None = None
    active: bool | None = None


class BoardKindRead(_Read):
    pass


class AllegationCategoryCreate(_Write):
    code: Code
    name: Name


class AllegationCategoryUpdate(_Write):
    name: Name | None = None
    active: bool | None = None


class AllegationCategoryRead(_Read):
    pass
