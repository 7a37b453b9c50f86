"""Keyset pagination: following `next` shows every row once, even while rows are added;
`updated_since` returns changes at or after a time in (updated_at, id) order."""

from __future__ import annotations

from datetime import timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest

from domain.accounts.rules import SYSTEM, Role
from domain.listing import encode_cursor
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.service import AREAS, TOPICS
from tests.api.conftest import assert_problem
from tests.conftest import NOW


def add_area(admin, n: int) -> int:
    response = admin.post(
        "/api/v1/areas",
        json={
            "code": f"area-{n}",
            "name": f"Area {n}",
            "kind": "district",
            "tile_row": n // 50,
            "tile_col": n % 50,
        },
    )
    assert response.status_code == 201, response.text
    return response.json()["id"]


def walk(caller, url: str, between=None) -> list[dict]:
    seen: list[dict] = []
    pages = 0
    while url:
        response = caller.get(url)
        assert response.status_code == 200, response.text
        body = response.json()
        seen.extend(body["items"])
        pages += 1
        assert pages < 100, "the walk never ended"
        url = body["next"]
        if url and between:
            between(pages)
    return seen


def test_following_next_shows_every_row_exactly_once_in_id_order(api_as):
    admin = api_as(Role.ADMIN)
    ids = [add_area(admin, n) for n in range(30)]
    first = admin.get("/api/v1/areas?limit=7").json()
    assert len(first["items"]) == 7
    assert first["next"].startswith("http://testserver/api/v1/areas?")
    assert parse_qs(urlsplit(first["next"]).query)["limit"] == ["7"]

    seen = walk(admin, "/api/v1/areas?limit=7")
    assert [a["id"] for a in seen] == ids  # 5 pages: 7, 7, 7, 7, 2
    last = admin.get("/api/v1/areas?limit=30").json()
    assert last["next"] is None


def test_rows_added_during_a_walk_never_make_a_row_appear_twice(api_as):
    admin = api_as(Role.ADMIN)
    original = {add_area(admin, n) for n in range(30)}
    added: list[int] = []

    def insert_more(page: int) -> None:
        added.extend(add_area(admin, 100 + page * 3 + k) for k in range(3))

    seen = [a["id"] for a in walk(admin, "/api/v1/areas?limit=7", between=insert_more)]
    assert len(seen) == len(set(seen)), "a row was shown twice"
    assert original <= set(seen), "a row that existed when the walk began was missed"
    assert set(seen) <= original | set(added)
    assert seen == sorted(seen)


def test_filters_survive_in_next(api_as):
    admin = api_as(Role.ADMIN)
    ids = [add_area(admin, n) for n in range(10)]
    for area_id in ids[::2]:
        admin.patch(f"/api/v1/areas/{area_id}", json={"active": False}, headers={"If-Match": '"1"'})
    seen = walk(admin, "/api/v1/areas?limit=2&active=false")
    assert [a["id"] for a in seen] == ids[::2]


@pytest.mark.parametrize("limit", ["0", "501", "-1", "1000000", "ten"])
def test_a_limit_outside_1_to_500_is_422_naming_limit(api_as, limit):
    body = assert_problem(api_as(Role.VIEWER).get(f"/api/v1/areas?limit={limit}"), 422)
    assert [e["loc"] for e in body["errors"]] == [["query", "limit"]]


def test_the_largest_page_is_500(api_as):
    assert api_as(Role.VIEWER).get("/api/v1/areas?limit=500").status_code == 200


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "eyJmb28iOiAiYmFyIn0",  # {"foo": "bar"}
        "WyJpZCIsIFtJbmZpbml0eV1d",  # ["id", [Infinity]]: was a 500
        "WyJpZCIsIFsxMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDBdXQ",  # a 31-digit id: was a 500
        encode_cursor("updated", [NOW, 1]),  # a cursor for another ordering
    ],
)
def test_a_cursor_this_list_did_not_give_out_is_422_naming_cursor(api_as, cursor):
    body = assert_problem(api_as(Role.VIEWER).get("/api/v1/areas", params={"cursor": cursor}), 422)
    assert [e["loc"] for e in body["errors"]] == [["query", "cursor"]]


def make_topics(session, stamps: list) -> list[int]:
    ids = []
    for n, stamp in enumerate(stamps):
        topic = reference.create_record(
            session, SYSTEM, TOPICS, ref.TopicCreate(code=f"t{n}", name=f"Topic {n}"), now=stamp
        )
        ids.append(topic.id)
    return ids


def test_updated_since_returns_changes_at_or_after_in_updated_at_id_order(api_as, session):
    minute = timedelta(minutes=1)
    # t0..t5 created a minute apart; t4, then t0 and t1 in the same instant (a tie broken by
    # id), are changed later. Stamps follow commit order, so the changes come in time order.
    ids = make_topics(session, [NOW + n * minute for n in range(6)])
    for topic_id, at in (
        (ids[4], NOW + 9 * minute),
        (ids[1], NOW + 10 * minute),
        (ids[0], NOW + 10 * minute),
    ):
        reference.update_record(
            session,
            SYSTEM,
            TOPICS,
            topic_id,
            ref.TopicUpdate(active=False),
            expected_version=1,
            now=at,
        )
    viewer = api_as(Role.VIEWER)
    since = (NOW + 3 * minute).isoformat().replace("+00:00", "Z")
    for limit in (1, 2, 50):  # limit=1 puts the page boundary inside the tie
        seen = walk(viewer, f"/api/v1/topics?limit={limit}&updated_since={since}")
        assert [t["id"] for t in seen] == [ids[3], ids[5], ids[4], ids[0], ids[1]]
    stamps = [(t["updated_at"], t["id"]) for t in seen]
    assert stamps == sorted(stamps)
    assert all(t["updated_at"] >= since for t in seen)

    in_bst = (NOW + 3 * minute).astimezone(timezone(timedelta(hours=1)))
    same = viewer.get("/api/v1/topics", params={"updated_since": in_bst.isoformat()}).json()
    assert [t["id"] for t in same["items"]] == [t["id"] for t in seen]


def test_a_change_made_during_an_incremental_sync_is_picked_up_later_not_lost(api_as, session):
    minute = timedelta(minutes=1)
    ids = make_topics(session, [NOW + n * minute for n in range(4)])
    viewer = api_as(Role.VIEWER)
    first = viewer.get("/api/v1/topics?limit=2&updated_since=2024-01-01T00:00:00Z").json()
    assert [t["id"] for t in first["items"]] == ids[:2]
    reference.update_record(  # an already-synced row changes mid-sync
        session,
        SYSTEM,
        TOPICS,
        ids[0],
        ref.TopicUpdate(name="Changed"),
        expected_version=1,
        now=NOW + 30 * minute,
    )
    rest = walk(viewer, first["next"])
    assert [t["id"] for t in rest] == [ids[2], ids[3], ids[0]]
    assert rest[-1]["name"] == "Changed"


def test_updated_since_without_a_zone_means_utc(api_as, session):
    ids = make_topics(session, [NOW, NOW + timedelta(hours=1)])
    naive = (NOW + timedelta(minutes=30)).replace(tzinfo=None).isoformat()
    items = api_as(Role.VIEWER).get("/api/v1/topics", params={"updated_since": naive}).json()
    assert [t["id"] for t in items["items"]] == ids[1:]


@pytest.mark.parametrize(
    "value",
    [
        "yesterday",
        "318",  # pydantic alone reads a bare number as Unix time
        "1710756000.5",
        "2024-13-01T00:00:00Z",
        "0001-01-01T00:00:00+01:00",  # before year 1 in UTC: was a 500
        "9999-12-31T23:59:59-01:00",  # after year 9999 in UTC: was a 500
    ],
)
def test_an_unusable_updated_since_is_422_naming_it(api_as, value):
    response = api_as(Role.VIEWER).get("/api/v1/topics", params={"updated_since": value})
    body = assert_problem(response, 422)
    assert [e["loc"] for e in body["errors"]] == [["query", "updated_since"]]


def test_areas_added_through_the_service_are_listed_like_any_other(api_as, session):
    reference.create_record(
        session,
        SYSTEM,
        AREAS,
        ref.AreaCreate(code="x", name="X", kind="county", tile_row=9, tile_col=9),
        now=NOW,
    )
    assert [a["code"] for a in api_as(Role.VIEWER).get("/api/v1/areas").json()["items"]] == ["x"]
