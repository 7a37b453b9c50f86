"""Idempotency-Key: a repeated create returns the first response and creates nothing new."""

from __future__ import annotations

from domain.accounts.rules import Role
from tests.api.conftest import assert_problem

TOPIC = {"code": "roads", "name": "Road safety"}


def count(caller, path: str) -> int:
    return len(caller.get(f"{path}?limit=500").json()["items"])


def test_the_same_key_and_body_replay_the_first_response(api_as):
    admin = api_as(Role.ADMIN)
    key = {"Idempotency-Key": "4a0f6c1e-create-roads"}
    first = admin.post("/api/v1/topics", json=TOPIC, headers=key)
    again = admin.post("/api/v1/topics", json=TOPIC, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["location"] == first.headers["location"]
    assert again.headers.get("idempotent-replay") == "true"
    assert count(admin, "/api/v1/topics") == 1


def test_a_replayed_token_create_does_not_mint_a_second_token(api_as):
    admin = api_as(Role.ADMIN)
    body = {"name": "pbi", "role": "viewer", "scopes": ["read:plan"]}
    key = {"Idempotency-Key": "token-1"}
    first = admin.post("/api/v1/tokens", json=body, headers=key)
    again = admin.post("/api/v1/tokens", json=body, headers=key)
    assert again.json()["secret"] == first.json()["secret"]
    assert count(admin, "/api/v1/tokens") == 2  # the caller's own and one new


def test_the_same_key_with_a_different_body_is_422_naming_the_header(api_as):
    admin = api_as(Role.ADMIN)
    key = {"Idempotency-Key": "k-1"}
    admin.post("/api/v1/topics", json=TOPIC, headers=key)
    other = admin.post("/api/v1/topics", json={"code": "asb", "name": "ASB"}, headers=key)
    body = assert_problem(other, 422)
    assert body["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert count(admin, "/api/v1/topics") == 1


def test_a_key_is_tied_to_the_path_it_was_first_used_on(api_as):
    admin = api_as(Role.ADMIN)
    key = {"Idempotency-Key": "k-2"}
    admin.post("/api/v1/topics", json=TOPIC, headers=key)
    elsewhere = admin.post("/api/v1/organisations", json={**TOPIC, "kind": "partner"}, headers=key)
    assert_problem(elsewhere, 422)
    assert count(admin, "/api/v1/organisations") == 0


def test_keys_belong_to_their_caller(api_as):
    one, two = api_as(Role.ADMIN), api_as(Role.ADMIN)
    key = {"Idempotency-Key": "shared-key"}
    assert one.post("/api/v1/topics", json=TOPIC, headers=key).status_code == 201
    second = two.post("/api/v1/topics", json={"code": "asb", "name": "ASB"}, headers=key)
    assert second.status_code == 201
    assert "idempotent-replay" not in second.headers
    assert count(one, "/api/v1/topics") == 2


def test_a_refused_create_is_not_remembered(api_as):
    admin = api_as(Role.ADMIN)
    key = {"Idempotency-Key": "k-3"}
    admin.post("/api/v1/topics", json=TOPIC)
    clash = admin.post("/api/v1/topics", json=TOPIC, headers=key)
    assert_problem(clash, 422)
    retry = admin.post("/api/v1/topics", json={"code": "x", "name": "X"}, headers=key)
    assert retry.status_code == 201
    assert count(admin, "/api/v1/topics") == 2


def test_without_a_key_each_post_creates(api_as):
    admin = api_as(Role.ADMIN)
    admin.post("/api/v1/topics", json=TOPIC)
    assert admin.post("/api/v1/topics", json={"code": "b", "name": "B"}).status_code == 201
    assert count(admin, "/api/v1/topics") == 2


def test_an_unusable_key_is_422_naming_the_header(api_as):
    admin = api_as(Role.ADMIN)
    for key in ("", "x" * 201, "tab\there"):
        response = admin.post("/api/v1/topics", json=TOPIC, headers={"Idempotency-Key": key})
        body = assert_problem(response, 422)
        assert body["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    assert count(admin, "/api/v1/topics") == 0
