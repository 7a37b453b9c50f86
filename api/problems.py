"""RFC 9457 problem details: every API error leaves through here."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import orjson
from pydantic import BaseModel, Field
from starlette.responses import Response

from domain import errors

PROBLEM_MEDIA_TYPE = "application/problem+json"


class ProblemFieldError(BaseModel):
    loc: list[str | int] = Field(description='Where the bad value is, e.g. ["body", "email"].')
    msg: str


class Problem(BaseModel):
    """An error response (RFC 9457)."""

    type: str = Field(description="A URI naming the kind of problem.")
    title: str
    status: int
    detail: str
    errors: list[ProblemFieldError] | None = None


def problem_type(status: int) -> str:
    return f"urn:oversight:problem:{HTTPStatus(status).phrase.lower().replace(' ', '-')}"


def problem_response(
    status: int,
    detail: str,
    *,
    field_errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": problem_type(status),
        "title": HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if field_errors is not None:
        body["errors"] = field_errors
    return Response(
        orjson.dumps(body), status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers
    )


def status_for(exc: errors.DomainError) -> int:
    """The one mapping from domain errors to HTTP statuses."""
    match exc:
        case errors.Invalid():
            return 422
        case errors.NotFound():
            return 404
        case errors.Unauthenticated():
            return 401
        case errors.Forbidden():
            return 403
        case errors.StaleVersion():
            return 412
        case errors.Conflict():
            return 409
        case errors.RateLimited():
            return 429
    return 400


def domain_problem(exc: errors.DomainError, *, body_prefix: str = "body") -> Response:
    status = status_for(exc)
    headers: dict[str, str] = {}
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(exc, errors.RateLimited):
        headers["Retry-After"] = str(exc.retry_after_seconds)
    if isinstance(exc, errors.StaleVersion):
        headers["ETag"] = f'"{exc.current_version}"'
    detail = exc.detail
    if isinstance(exc, errors.Forbidden) and exc.scope:
        detail = f"{detail} (needs the {exc.scope} scope)"
    field_errors = None
    if isinstance(exc, errors.Invalid):
        field_errors = [
            {"loc": [*error_location(e.loc, body_prefix)], "msg": e.msg} for e in exc.errors
        ]
    return problem_response(status, detail, field_errors=field_errors, headers=headers or None)


def error_location(loc: tuple[str | int, ...], body_prefix: str) -> tuple[str | int, ...]:
    """Domain errors name a field; headers and query parameters keep their own prefix."""
    if loc and loc[0] in ("Idempotency-Key", "If-Match"):
        return ("header", *loc)
    if loc and loc[0] in ("cursor", "limit", "updated_since"):
        return ("query", *loc)
    return (body_prefix, *loc)


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI entries for the error statuses an operation can answer."""
    return {
        status: {"model": Problem, "description": HTTPStatus(status).phrase}
        for status in sorted({401, 403, 422, 500, *statuses})
    }


def list_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """A list answers JSON, or CSV of every row (`Accept: text/csv` or `?format=csv`)."""
    return {
        200: {"content": {"text/csv": {"schema": {"type": "string"}}}},
        **problem_responses(*statuses),
    }
