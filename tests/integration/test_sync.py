"""Issue 8, defect 2: incremental sync is exact. A client that polls while others write,
and passes the newest `updated_at` it has seen as its next `updated_since`, misses no
record. Writers take their time before the write lock, as a request does, so without a
commit-ordered stamp a row stamped earlier can commit later and fall behind the poller."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

from domain.accounts.rules import Role, user_actor
from domain.actions import queries as action_queries
from domain.actions import service as actions
from domain.actions.schemas import ActionCreate
from domain.demo import SeedReport, seed_reference
from domain.listing import PageRequest
from tests.conftest import NOW

STAFF = user_actor(user_id=900, label="staff@test.example", role=Role.OPCC_STAFF)
WRITERS = 6
PER_WRITER = 50


def poll(database, since: datetime | None) -> tuple[set[int], datetime | None]:
    """One sync pass: every page of `updated_since=since`; the ids and the newest stamp."""
    seen: set[int] = set()
    newest = since
    cursor = None
    with database.session() as session:
        while True:
            page = action_queries.list_actions(
                session,
                STAFF,
                filters=action_queries.ActionFilters(),
                page=PageRequest(limit=100, cursor=cursor, updated_since=since),
                today=date.today(),
            )
            for item in page.items:
                seen.add(item.id)
                newest = item.updated_at if newest is None else max(newest, item.updated_at)
            if page.next_cursor is None:
                return seen, newest
            cursor = page.next_cursor


def test_a_poller_passing_the_newest_updated_at_it_saw_misses_nothing(session, database):
    seed_reference(session, SeedReport(created={}), now=NOW)
    session.commit()
    created: set[int] = set()
    guard = threading.Lock()
    writing = threading.Event()
    writing.set()

    def writer(n: int) -> None:
        for i in range(PER_WRITER):
            now = datetime.now(UTC)  # taken before the write lock, as a request does
            with database.session(writing=True) as s:
                action = actions.create_action(
                    s,
                    STAFF,
                    ActionCreate(
                        title=f"Writer {n} action {i}",
                        owner_org="opcc",
                        due_on=date.today() + timedelta(days=30),
                    ),
                    now=now,
                )
            with guard:
                created.add(action.id)

    seen: set[int] = set()
    polls = 0

    def poller() -> None:
        nonlocal polls
        since = None
        while writing.is_set():
            found, since = poll(database, since)
            seen.update(found)
            polls += 1
        found, _ = poll(database, since)  # once more after the last write
        seen.update(found)

    writers = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    watcher = threading.Thread(target=poller)
    watcher.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=300)
    writing.clear()
    watcher.join(timeout=300)

    assert len(created) == WRITERS * PER_WRITER
    assert polls > 10, "the poller hardly ran while the writers wrote"
    missed = created - seen
    print(f"sync poller: {len(created)} written, {polls} polls, {len(missed)} missed")
    assert not missed, f"{len(missed)} of {len(created)} records never reached the poller"
