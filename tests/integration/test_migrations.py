"""R4: upgrade head → downgrade base → upgrade head is clean, and the models and the
migrations agree (autogenerate finds nothing to do). Runs on its own database: a new
SQLite file, or a private schema on PostgreSQL, so the rest of the suite is untouched."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect, text

from domain import migrations
from domain.db import Database
from domain.demo import seed_demo
from domain.tables import metadata
from tests.conftest import NOW, POSTGRES_URL

SCHEMA = "oversight_migration_check"


def _with_search_path(url: str, schema: str) -> str:
    parts = urlsplit(url)
    extra = urlencode({"options": f"-csearch_path={schema}"})
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


@pytest.fixture
def fresh_url(backend: str, tmp_path) -> Iterator[str]:
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'migrations.db'}"
        return
    admin = create_engine(POSTGRES_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {SCHEMA}"))
    try:
        yield _with_search_path(POSTGRES_URL, SCHEMA)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {SCHEMA} CASCADE"))
        admin.dispose()


def _tables(url: str) -> set[str]:
    engine = create_engine(url)
    try:
        return set(inspect(engine).get_table_names())
    finally:
        engine.dispose()


def _drift(url: str) -> list[object]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, metadata))
    finally:
        engine.dispose()


def test_upgrade_downgrade_upgrade_is_clean_and_matches_the_models(fresh_url):
    expected = {t.name for t in metadata.sorted_tables}

    migrations.upgrade(fresh_url)
    assert _tables(fresh_url) == expected | {"alembic_version"}
    engine = create_engine(fresh_url)
    try:
        assert migrations.is_migrated(engine, fresh_url)
    finally:
        engine.dispose()

    migrations.downgrade(fresh_url, "base")
    assert _tables(fresh_url) == {"alembic_version"}

    migrations.upgrade(fresh_url)
    assert _tables(fresh_url) == expected | {"alembic_version"}
    assert _drift(fresh_url) == []


def test_the_suites_own_database_is_still_migrated(database):
    """The check above used a database of its own; the shared one is untouched."""
    assert migrations.is_migrated(database.engine, database.url)


def _row_counts(url: str, tables: set[str]) -> dict[str, int]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {
                t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables
            }
    finally:
        engine.dispose()


def test_each_step_down_and_up_again_keeps_the_data_of_the_tables_it_does_not_touch(fresh_url):
    """R4 with data: the demo data set at head, then every migration taken down and up again
    from the newest: what the step does not own keeps every row, and nothing refuses."""
    migrations.upgrade(fresh_url)
    db = Database(fresh_url)
    try:
        with db.session(writing=True) as session:
            seed_demo(session, now=NOW)
    finally:
        db.dispose()
    everything = {t.name for t in metadata.sorted_tables}
    before = _row_counts(fresh_url, everything)
    assert before["actions"] > 0 and before["assessments"] > 0

    script = ScriptDirectory.from_config(migrations.alembic_config(fresh_url))
    for step in script.walk_revisions():  # newest first
        below = step.down_revision or "base"
        migrations.downgrade(fresh_url, str(below))
        kept = _tables(fresh_url) - {"alembic_version"}
        assert _row_counts(fresh_url, kept) == {t: before[t] for t in kept}, step.revision
        migrations.upgrade(fresh_url)
        kept_after = _row_counts(fresh_url, kept)
        assert kept_after == {t: before[t] for t in kept}, step.revision
        migrations.downgrade(fresh_url, str(below))  # and continue from one step lower
    assert _tables(fresh_url) == {"alembic_version"}
    migrations.upgrade(fresh_url)
    assert _drift(fresh_url) == []
