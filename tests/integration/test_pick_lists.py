"""Pick-lists (`reference.active_records`) are kept per database under its generation: a
change by another session shows at once, a writing transaction sees its own change, and two
databases never share a list."""

from __future__ import annotations

from datetime import timedelta

from domain.accounts.rules import SYSTEM
from domain.db import Database
from domain.reference import schemas
from domain.reference import service as reference
from domain.reference.service import AREAS
from tests.conftest import NOW


def _add_area(database: Database, code: str, name: str, tile: int = 1) -> int:
    data = schemas.AreaCreate(code=code, name=name, kind="district", tile_row=tile, tile_col=1)
    with database.session(writing=True) as db:
        return int(reference.create_record(db, SYSTEM, AREAS, data, now=NOW).id)


def _names(database: Database) -> list[str]:
    with database.session() as db:
        return [area.name for area in reference.active_records(db, AREAS)]


def test_a_change_by_another_session_shows_on_the_next_read(database):
    _add_area(database, "blaby", "Blaby")
    assert "Blaby" in _names(database)
    assert _names(database) == _names(database)  # kept: the same rows again
    area_id = _add_area(database, "melton", "Melton", tile=2)
    assert "Melton" in _names(database)
    with database.session(writing=True) as db:
        reference.update_record(
            db,
            SYSTEM,
            AREAS,
            area_id,
            schemas.AreaUpdate(active=False),
            expected_version=1,
            now=NOW + timedelta(minutes=1),
        )
    assert "Melton" not in _names(database)
    assert "Blaby" in _names(database)


def test_a_writing_transaction_sees_its_own_change(database):
    _add_area(database, "blaby", "Blaby")
    assert "Blaby" in _names(database)
    data = schemas.AreaCreate(
        code="hinckley", name="Hinckley", kind="district", tile_row=2, tile_col=2
    )
    with database.session(writing=True) as db:
        assert "Blaby" in [area.name for area in reference.active_records(db, AREAS)]
        db.add(AREAS.table(**data.model_dump(), created_at=NOW, updated_at=NOW))
        db.flush()
        assert "Hinckley" in [area.name for area in reference.active_records(db, AREAS)]
        db.rollback()
    assert "Hinckley" not in _names(database)
    _add_area(database, "melton", "Melton", tile=3)  # the generation it would have had
    assert "Hinckley" not in _names(database)


def test_two_databases_never_share_a_list(database, tmp_path, sqlite_template):
    other = Database(f"sqlite:///{tmp_path / 'other.db'}")
    (tmp_path / "other.db").write_bytes(sqlite_template.read_bytes())
    try:
        _add_area(database, "blaby", "Blaby")
        _add_area(other, "blaby", "Blaby District")
        assert "Blaby" in _names(database)
        assert "Blaby District" in _names(other)
        assert "Blaby District" not in _names(database)
    finally:
        other.dispose()
