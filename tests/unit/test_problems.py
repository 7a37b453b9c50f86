"""The one mapping from domain errors to HTTP statuses and RFC 9457 bodies."""

from __future__ import annotations

import orjson
import pytest

from api.problems import PROBLEM_MEDIA_TYPE, domain_problem, problem_type, status_for
from domain import errors
from domain.errors import FieldError, Invalid, invalid

CASES = [
    (invalid("name", "is required"), 422),
    (errors.NotFound("no such thing"), 404),
    (errors.Unauthenticated("sign in"), 401),
    (errors.Forbidden("not you"), 403),
    (errors.StaleVersion("stale", current_version=4), 412),
    (errors.Conflict("clash"), 409),
    (errors.InvalidTransition("cannot go there from here"), 409),
    (errors.RateLimited("slow down", retry_after_seconds=900), 429),
    (errors.DomainError("something else a rule said"), 400),
]


@pytest.mark.parametrize(("error", "status"), CASES, ids=lambda v: type(v).__name__)
def test_each_domain_error_has_its_status(error, status):
    assert status_for(error) == status


@pytest.mark.parametrize(("error", "status"), CASES, ids=lambda v: type(v).__name__)
def test_every_problem_has_the_rfc_9457_members(error, status):
    response = domain_problem(error)
    body = orjson.loads(response.body)
    assert response.status_code == status
    assert response.media_type == PROBLEM_MEDIA_TYPE
    assert body["status"] == status
    assert body["type"] == problem_type(status)
    assert body["type"].startswith("urn:oversight:problem:")
    assert body["title"]
    assert body["detail"] == error.detail


def test_a_validation_problem_names_each_bad_field_under_body():
    error = Invalid(
        [FieldError(("email",), "already in use"), FieldError(("items", 2, "qty"), "too many")]
    )
    body = orjson.loads(domain_problem(error).body)
    assert body["errors"] == [
        {"loc": ["body", "email"], "msg": "already in use"},
        {"loc": ["body", "items", 2, "qty"], "msg": "too many"},
    ]


@pytest.mark.parametrize(
    ("field", "loc"),
    [
        ("cursor", ["query", "cursor"]),
        ("limit", ["query", "limit"]),
        ("updated_since", ["query", "updated_since"]),
        ("Idempotency-Key", ["header", "Idempotency-Key"]),
        ("If-Match", ["header", "If-Match"]),
        ("code", ["body", "code"]),
    ],
)
def test_query_and_header_problems_keep_their_own_location(field, loc):
    body = orjson.loads(domain_problem(invalid(field, "is wrong")).body)
    assert body["errors"] == [{"loc": loc, "msg": "is wrong"}]


def test_a_stale_version_tells_the_caller_the_current_etag():
    response = domain_problem(errors.StaleVersion("stale", current_version=7))
    assert response.headers["etag"] == '"7"'


def test_rate_limiting_says_when_to_try_again():
    response = domain_problem(errors.RateLimited("wait", retry_after_seconds=900))
    assert response.headers["retry-after"] == "900"


def test_unauthenticated_names_the_bearer_scheme():
    assert domain_problem(errors.Unauthenticated("who?")).headers["www-authenticate"] == "Bearer"


def test_only_validation_problems_carry_an_errors_list():
    for error, _ in CASES:
        body = orjson.loads(domain_problem(error).body)
        assert ("errors" in body) == isinstance(error, Invalid)
