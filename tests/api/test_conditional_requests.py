"""ETags: a resource's version is its ETag; PATCH needs If-Match and bumps the version;
If-None-Match answers 304 for a resource and for a list while nothing has changed."""

from __future__ import annotations

from domain.accounts.rules import Role

TOPIC = {"code": "asb", "name": "Anti-social behaviour"}


def test_get_returns_the_version_as_a_strong_etag(api_as):
    admin = api_as(Role.ADMIN)
    created = admin.post("/api/v1/topics", json=TOPIC)
    assert created.status_code == 201
    assert created.headers["etag"] == '"1"'
    fetched = admin.get(created.headers["location"])
    assert fetched.headers["etag"] == '"1"'
    assert fetched.json()["version"] == 1


def test_patch_bumps_the_version_and_the_etag(api_as):
    admin = api_as(Role.ADMIN)
    url = admin.post("/api/v1/topics", json=TOPIC).headers["location"]
    first = admin.patch(url, json={"name": "ASB"}, headers={"If-Match": '"1"'})
    assert first.status_code == 200
    assert first.json()["version"] == 2
    assert first.headers["etag"] == '"2"'
    assert first.json()["updated_at"] > first.json()["created_at"]
    second = admin.patch(url, json={"active": False}, headers={"If-Match": 'W/"2"'})
    assert second.json()["version"] == 3
    assert admin.get(url).headers["etag"] == '"3"'


def test_a_patch_that_changes_nothing_keeps_the_version(api_as):
    admin = api_as(Role.ADMIN)
    url = admin.post("/api/v1/topics", json=TOPIC).headers["location"]
    same = admin.patch(url, json={"name": TOPIC["name"]}, headers={"If-Match": '"1"'})
    assert same.status_code == 200
    assert same.json()["version"] == 1


def test_a_resource_answers_304_until_it_changes(api_as):
    admin = api_as(Role.ADMIN)
    url = admin.post("/api/v1/topics", json=TOPIC).headers["location"]
    etag = admin.get(url).headers["etag"]
    unchanged = admin.get(url, headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert unchanged.content == b""
    assert unchanged.headers["etag"] == etag
    assert admin.get(url, headers={"If-None-Match": '"7", ' + etag}).status_code == 304
    admin.patch(url, json={"name": "ASB"}, headers={"If-Match": etag})
    changed = admin.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.json()["name"] == "ASB"


def test_a_list_answers_304_until_something_in_it_changes(api_as):
    admin = api_as(Role.ADMIN)
    url = admin.post("/api/v1/topics", json=TOPIC).headers["location"]
    listing = admin.get("/api/v1/topics")
    etag = listing.headers["etag"]
    assert listing.status_code == 200
    again = admin.get("/api/v1/topics", headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""

    admin.patch(url, json={"name": "ASB"}, headers={"If-Match": '"1"'})
    after_change = admin.get("/api/v1/topics", headers={"If-None-Match": etag})
    assert after_change.status_code == 200
    etag = after_change.headers["etag"]

    admin.post("/api/v1/topics", json={"code": "roads", "name": "Road safety"})
    after_insert = admin.get("/api/v1/topics", headers={"If-None-Match": etag})
    assert after_insert.status_code == 200
    assert len(after_insert.json()["items"]) == 2


def test_different_pages_and_filters_have_different_list_etags(api_as):
    admin = api_as(Role.ADMIN)
    for n in range(3):
        admin.post("/api/v1/topics", json={"code": f"t{n}", "name": f"T{n}"})
    whole = admin.get("/api/v1/topics").headers["etag"]
    first_page = admin.get("/api/v1/topics?limit=1")
    assert first_page.headers["etag"] != whole
    second_page = admin.get(first_page.json()["next"])
    assert second_page.headers["etag"] != first_page.headers["etag"]
    assert admin.get("/api/v1/topics", headers={"If-None-Match": whole}).status_code == 304


def test_an_etag_from_another_caller_role_is_not_a_shortcut_past_permissions(api_as):
    admin = api_as(Role.ADMIN)
    url = admin.post(
        "/api/v1/tokens", json={"name": "x", "role": "viewer", "scopes": ["read:plan"]}
    ).headers["location"]
    etag = admin.get(url).headers["etag"]
    viewer = api_as(Role.VIEWER)
    assert viewer.get(url, headers={"If-None-Match": etag}).status_code == 403
