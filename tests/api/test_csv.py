"""Every list also answers CSV (Accept: text/csv or ?format=csv): a header line, then every
row across all pages, UTF-8."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest

from domain.accounts.rules import SYSTEM, Role
from domain.reference import schemas as ref
from domain.reference import service as reference
from domain.reference.schemas import TopicRead
from domain.reference.service import TOPICS
from tests.conftest import NOW

MANY = 520  # more than one 500-row batch


@pytest.fixture
def many_topics(session) -> list[int]:
    """All but the last three in one transaction (one sync stamp), those three after it."""

    def create(n: int) -> int:
        return reference.create_record(
            session,
            SYSTEM,
            TOPICS,
            ref.TopicCreate(code=f"topic-{n:04d}", name=f"Topic {n}, “quoted” & ünïcode"),
            now=NOW + timedelta(seconds=n),
        ).id

    with session.one_transaction():
        ids = [create(n) for n in range(MANY - 3)]
    return ids + [create(n) for n in range(MANY - 3, MANY)]


def parse(response) -> list[dict[str, str]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    text = response.content.decode("utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def test_csv_has_a_header_and_every_row_across_pages(api_as, many_topics):
    viewer = api_as(Role.VIEWER)
    for url, headers in [
        ("/api/v1/topics", {"Accept": "text/csv"}),
        ("/api/v1/topics?format=csv", {}),
        ("/api/v1/topics?format=csv&limit=3", {"Accept": "application/json"}),
    ]:
        response = viewer.get(url, headers=headers)
        rows = parse(response)
        assert response.content.decode().splitlines()[0] == ",".join(TopicRead.model_fields)
        assert [int(r["id"]) for r in rows] == many_topics, url
        assert rows[7]["name"] == "Topic 7, “quoted” & ünïcode"
        assert rows[7]["active"] == "true"
        assert rows[7]["created_at"] == "2024-03-18T10:00:07Z"
        assert "attachment" in response.headers["content-disposition"]

    since = (NOW + timedelta(seconds=MANY - 3)).isoformat()
    rows = parse(viewer.get("/api/v1/topics", params={"updated_since": since, "format": "csv"}))
    assert [int(r["id"]) for r in rows] == many_topics[-3:]


def test_an_empty_list_is_just_the_header(api_as):
    response = api_as(Role.VIEWER).get("/api/v1/topics?format=csv")
    assert parse(response) == []
    assert response.content.decode().strip() == ",".join(TopicRead.model_fields)


def test_json_is_the_default_and_wins_when_both_are_acceptable(api_as):
    viewer = api_as(Role.VIEWER)
    assert viewer.get("/api/v1/topics").headers["content-type"] == "application/json"
    both = viewer.get("/api/v1/topics", headers={"Accept": "application/json, text/csv"})
    assert both.headers["content-type"] == "application/json"
    assert viewer.get("/api/v1/topics?format=json", headers={"Accept": "text/csv"}).headers[
        "content-type"
    ] == ("application/json")


def test_csv_is_refused_to_those_who_cannot_read_the_list(api_as):
    response = api_as(Role.VIEWER).get("/api/v1/users?format=csv")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"


def test_a_token_list_as_csv_never_holds_a_secret(api_as):
    admin = api_as(Role.ADMIN)
    secret = admin.post(
        "/api/v1/tokens", json={"name": "pbi", "role": "viewer", "scopes": ["read:plan"]}
    ).json()["secret"]
    rows = parse(admin.get("/api/v1/tokens?format=csv"))
    assert len(rows) == 2  # the admin caller's own token and the new one
    assert "secret" not in rows[0]
    assert secret not in admin.get("/api/v1/tokens?format=csv").text
    assert rows[1]["scopes"] == "read:plan"
