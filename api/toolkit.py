"""The API conventions, written once: ETags and If-Match, keyset lists with CSV,
conditional GET and idempotent creation. Every resource router uses these."""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from typing import Annotated, Any, Generic, Literal, TypeVar

import orjson
from fastapi import Depends, Header, Query, Request
from pydantic import BaseModel, BeforeValidator, Field
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.responses import Response, StreamingResponse

from api.auth import database
from api.response_cache import CacheKey, ResponseCache, cache_key
from domain import clock
from domain.accounts.rules import Actor
from domain.db import UnitOfWork
from domain.errors import invalid
from domain.idempotency import service as idempotency
from domain.listing import DEFAULT_LIMIT, MAX_LIMIT, Page, PageRequest
from domain.sync import generation

T = TypeVar("T", bound=BaseModel)


class HttpProblem(Exception):
    """An HTTP-level refusal with no domain meaning (428, 304-style preconditions)."""

    def __init__(self, status: int, detail: str, *, loc: list[str | int] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.loc = loc


NUL_MESSAGE = "must not contain the NUL character"


async def refuse_nul(request: Request) -> None:
    """PostgreSQL text cannot hold NUL, so no query value, form field or JSON string may
    carry one: a 422 naming where it is, for every route of both surfaces, instead of a
    500 from the database."""
    for name, value in request.query_params.multi_items():
        if "\x00" in name or "\x00" in value:
            raise HttpProblem(422, NUL_MESSAGE, loc=["query", name.replace("\x00", "")])
    content_type = request.headers.get("content-type", "")
    if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        for name, field in (await request.form()).multi_items():
            if "\x00" in name or (isinstance(field, str) and "\x00" in field):
                raise HttpProblem(422, NUL_MESSAGE, loc=["body", name.replace("\x00", "")])
        return
    if not _has_body(request):
        return
    body = await request.body()
    if b"\\u0000" not in body:  # raw NUL cannot appear in valid JSON, only this escape
        return
    try:
        where = _nul_path(orjson.loads(body))
    except (orjson.JSONDecodeError, RecursionError):
        return  # FastAPI and the schema refuse such a body themselves
    if where is not None:
        raise HttpProblem(422, NUL_MESSAGE, loc=["body", *where])


def _has_body(request: Request) -> bool:
    """Whether the request says it carries a body (most GETs do not: nothing to read)."""
    headers = request.headers
    return headers.get("content-length", "0") != "0" or "transfer-encoding" in headers


def _nul_path(value: Any) -> list[str | int] | None:
    """Where in a parsed JSON body the first NUL is, or None."""
    if isinstance(value, str):
        return [] if "\x00" in value else None
    pairs: Iterable[tuple[str | int, Any]]
    if isinstance(value, dict):
        pairs = value.items()
    elif isinstance(value, list):
        pairs = enumerate(value)
    else:
        return None
    for key, item in pairs:
        if isinstance(key, str) and "\x00" in key:
            return [key.replace("\x00", "")]
        inner = _nul_path(item)
        if inner is not None:
            return [key, *inner]
    return None


class ListOf(BaseModel, Generic[T]):
    """One page of a list; `next` is the absolute URL of the following page, or null."""

    items: list[T]
    next: str | None = Field(description="URL of the next page, or null on the last page.")


def dumps(value: Any) -> bytes:
    """JSON bytes; aware datetimes end in Z, as pydantic writes them."""
    return orjson.dumps(value, option=orjson.OPT_UTC_Z)


def _json(model: BaseModel) -> Any:
    return model.model_dump(mode="json", by_alias=True)


def etag_for_version(version: int) -> str:
    return f'"{version}"'


def _matches(header: str | None, etag: str) -> bool:
    if not header:
        return False
    candidates = {c.strip().removeprefix("W/") for c in header.split(",")}
    return "*" in candidates or etag.removeprefix("W/") in candidates


def resource_response(
    request: Request,
    model: BaseModel,
    *,
    version: int,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    etag = etag_for_version(version)
    all_headers = {"ETag": etag, **(headers or {})}
    if status_code == 200 and _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(
        dumps(_json(model)),
        status_code=status_code,
        media_type="application/json",
        headers=all_headers,
    )


NO_VERSION = 0  # records start at version 1, so this never matches


def expected_version(
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", description="The ETag from your last GET; required."),
    ] = None,
) -> int:
    """The version the caller last saw, from If-Match. Missing → 428; unusable → a version
    no record has, so the service answers 412 (or 404) after the rest of the request is
    validated, and a bad path or body still gets its 422."""
    header = if_match
    if header is None:
        raise HttpProblem(
            428,
            "send If-Match with the ETag you last fetched, so no one's change is lost",
            loc=["header", "If-Match"],
        )
    value = header.strip().removeprefix("W/").strip('"')
    if not (value.isascii() and value.isdigit() and len(value) <= 18):
        return NO_VERSION
    return int(value)


ExpectedVersion = Annotated[int, Depends(expected_version)]
IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        max_length=200,
        description="Repeat a create safely: the same key and body return the first result.",
    ),
]


def iso_8601_only(value: object) -> object:
    """For date and time query parameters (as a BeforeValidator): pydantic would also read
    a bare number as Unix time; the contract says ISO 8601."""
    if isinstance(value, str) and not re.match(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError("must be an ISO 8601 date or time, like 2024-03-18 or 2024-03-18T10:00Z")
    return value


IsoDate = Annotated[date, BeforeValidator(iso_8601_only)]


class ListParams:
    """Query parameters every list takes (read by `list_params`)."""

    def __init__(self, page: PageRequest, format: Literal["json", "csv"] | None) -> None:
        self.page = page
        self.format = format


async def list_params(
    limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Page size.")] = DEFAULT_LIMIT,
    cursor: Annotated[
        str | None, Query(max_length=500, description="Opaque cursor from `next`.")
    ] = None,
    updated_since: Annotated[
        datetime | None,
        BeforeValidator(iso_8601_only),
        Query(description="Only items changed at or after this time, ordered by (updated_at, id)."),
    ] = None,
    format: Annotated[
        Literal["json", "csv"] | None, Query(description="`csv` for a CSV of every row.")
    ] = None,
) -> ListParams:
    """A coroutine, so FastAPI reads it on the event loop, not on a trip to the thread pool."""
    if updated_since is not None and updated_since.tzinfo is None:
        updated_since = updated_since.replace(tzinfo=UTC)
    if updated_since is not None:
        try:
            updated_since = updated_since.astimezone(UTC)
        except OverflowError:
            raise invalid("updated_since", "is not a time this service can store") from None
    return ListParams(PageRequest(limit=limit, cursor=cursor, updated_since=updated_since), format)


ListQuery = Annotated[ListParams, Depends(list_params)]
Fetch = Callable[[UnitOfWork, PageRequest], Page[Any]]


def wants_csv(request: Request, params: ListParams) -> bool:
    if params.format is not None:
        return params.format == "csv"
    accept = request.headers.get("accept", "")
    return "text/csv" in accept and "application/json" not in accept


def _next_url(request: Request, cursor: str | None) -> str | None:
    if cursor is None:
        return None
    return str(request.url.include_query_params(cursor=cursor))


PUBLIC = "public"
"""The visibility class of the feeds that need no credentials: everyone sees the same."""


def public_feed(_: Actor) -> str:
    """The visibility function of a public feed (`answered_from_cache`)."""
    return PUBLIC


def list_response(
    request: Request,
    db: UnitOfWork,
    params: ListParams,
    fetch: Fetch,
    schema: type[BaseModel],
    *,
    filename: str,
    visibility: str | None = None,
) -> Response:
    """JSON page or CSV of every row; the first page is fetched here so permission
    errors surface before any byte of a stream is sent.

    With `visibility` (the caller's visibility class, after the route has checked the
    caller may read the list) a JSON page is served from the response cache when nothing
    has changed since it was made (`api/response_cache.py`)."""
    if wants_csv(request, params):
        first = fetch(db, PageRequest(limit=MAX_LIMIT, updated_since=params.page.updated_since))
        return _csv_response(request, first, fetch, schema, params, filename)
    if visibility is not None:
        return _cached_page(request, db, params, fetch, schema, visibility)
    body = _page_body(request, db, params, fetch, schema)
    etag = 'W/"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers={"ETag": etag})
    return Response(body, media_type="application/json", headers={"ETag": etag})


def _cached_page(
    request: Request,
    db: UnitOfWork,
    params: ListParams,
    fetch: Fetch,
    schema: type[BaseModel],
    visibility: str,
) -> Response:
    """The ETag comes from the cache key, so a client's If-None-Match is answered before
    any page is looked up or made."""
    key = _cache_key(request, visibility, _freshness(request) or generation(db))
    if _matches(request.headers.get("if-none-match"), key.etag):
        return not_modified(key)
    cache: ResponseCache = request.app.state.response_cache
    body = cache.get(key)
    if body is None:
        body = _page_body(request, db, params, fetch, schema)
        cache.put(key, body)
    return cached_page(key, body)


def not_modified(key: CacheKey) -> Response:
    return Response(status_code=304, headers={"ETag": key.etag})


def cached_page(key: CacheKey, body: bytes) -> Response:
    """A JSON page under its cache key: the same answer from the route and from
    `api.middleware.CachedPageMiddleware`."""
    return Response(body, media_type="application/json", headers={"ETag": key.etag})


def if_none_match(headers: Headers, key: CacheKey) -> bool:
    return _matches(headers.get("if-none-match"), key.etag)


def _freshness(request: Request) -> str | None:
    """The generation read with the caller's credentials (api/auth.py), if it was."""
    stamp: str | None = getattr(request.state, "freshness", None)
    return stamp


def _cache_key(request: Request, visibility: str, freshness: str) -> CacheKey:
    return cache_key(str(request.url), visibility, freshness)


def _read_generation(request: Request) -> str:
    with database(request).session() as session:
        return generation(session)


async def cached_list(
    request: Request,
    params: ListParams,
    fetch: Fetch,
    schema: type[BaseModel],
    *,
    filename: str,
    visibility: str,
) -> Response:
    """`list_response` for the busiest lists, with at most one trip to the thread pool.

    The route is a coroutine and takes no request session: the generation was read with
    the credentials, so If-None-Match and a cached page are answered on the event loop with
    no statement of their own; only a page not yet cached is made, in the pool, in a
    session of its own. `visibility` is the caller's visibility class, from the route once
    it has checked the caller may read the list."""
    if wants_csv(request, params):
        return await run_in_threadpool(
            _csv_in_own_session, request, params, fetch, schema, filename
        )
    freshness = _freshness(request)
    if freshness is None:  # no credentials were read (a public feed)
        freshness = await run_in_threadpool(_read_generation, request)
    key = _cache_key(request, visibility, freshness)
    if _matches(request.headers.get("if-none-match"), key.etag):
        return not_modified(key)
    cache: ResponseCache = request.app.state.response_cache
    body = await cache.get_or_make(
        key, lambda: run_in_threadpool(_page_in_own_session, request, params, fetch, schema)
    )
    return cached_page(key, body)


def _page_in_own_session(
    request: Request, params: ListParams, fetch: Fetch, schema: type[BaseModel]
) -> bytes:
    with database(request).session() as session:
        return _page_body(request, session, params, fetch, schema)


def _csv_in_own_session(
    request: Request, params: ListParams, fetch: Fetch, schema: type[BaseModel], filename: str
) -> Response:
    with database(request).session() as session:
        first = fetch(
            session, PageRequest(limit=MAX_LIMIT, updated_since=params.page.updated_since)
        )
    return _csv_response(request, first, fetch, schema, params, filename)


def _page_body(
    request: Request, db: UnitOfWork, params: ListParams, fetch: Fetch, schema: type[BaseModel]
) -> bytes:
    page = fetch(db, params.page)
    return dumps(
        {
            "items": [_plain(schema, row) for row in page.items],
            "next": _next_url(request, page.next_cursor),
        }
    )


def _plain(schema: type[BaseModel], row: Any) -> Any:
    """A row of plain values read for exactly this schema (`action_rows`) as it is; a
    service's view model exactly of the list's schema dumped as it is (validating it again
    costs as much as making it); anything else, a subclass included, through the schema,
    so a richer view never leaks fields the caller's schema leaves out."""
    if type(row) is dict:
        return row
    return _json(row if type(row) is schema else schema.model_validate(row))


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ";".join(_csv_cell(v) for v in value)
    if isinstance(value, dict):
        return orjson.dumps(value).decode()
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _csv_response(
    request: Request,
    first: Page[Any],
    fetch: Fetch,
    schema: type[BaseModel],
    params: ListParams,
    filename: str,
) -> Response:
    columns = list(schema.model_fields)
    db = database(request)

    def rows() -> Iterator[bytes]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush() -> bytes:
            chunk = buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
            return chunk

        writer.writerow(columns)
        page = first
        with db.session() as session:
            while True:
                for row in page.items:
                    data = _json(schema.model_validate(row))
                    writer.writerow([_csv_cell(data.get(c)) for c in columns])
                yield flush()
                if page.next_cursor is None:
                    return
                page = fetch(
                    session,
                    PageRequest(
                        limit=MAX_LIMIT,
                        cursor=page.next_cursor,
                        updated_since=params.page.updated_since,
                    ),
                )

    return StreamingResponse(
        rows(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}.csv"'},
    )


def caller_key(actor: Actor) -> str:
    return f"{actor.kind.value}:{actor.audit_id}"


def created_response(
    request: Request,
    db: Session,
    actor: Actor,
    payload: BaseModel,
    key: str | None,
    create: Callable[[], tuple[BaseModel, int, str]],
) -> Response:
    """201 with Location; with Idempotency-Key a repeat returns the first response.

    `create` runs the service (which commits) and returns (read model, version, location).
    """
    if key is None:
        model, version, location = create()
        return resource_response(
            request, model, version=version, status_code=201, headers={"Location": location}
        )
    fingerprint = idempotency.fingerprint(
        request.method, request.url.path, payload.model_dump_json().encode()
    )
    caller = caller_key(actor)
    earlier = idempotency.find(db, caller=caller, key=key, fingerprint=fingerprint)
    if earlier is not None:
        return _replay(earlier.status_code or 201, earlier.location, earlier.body or "")
    claimed = idempotency.claim(
        db, caller=caller, key=key, fingerprint=fingerprint, now=clock.now()
    )
    try:
        model, version, location = create()
    except IntegrityError:
        db.rollback()
        earlier = idempotency.find(db, caller=caller, key=key, fingerprint=fingerprint)
        if earlier is None:
            raise
        return _replay(earlier.status_code or 201, earlier.location, earlier.body or "")
    body = dumps(_json(model))
    idempotency.complete(db, claimed, status_code=201, location=location, body=body.decode())
    return Response(
        body,
        status_code=201,
        media_type="application/json",
        headers={"Location": location, "ETag": etag_for_version(version)},
    )


def _replay(status_code: int, location: str | None, body: str) -> Response:
    headers = {"Idempotent-Replay": "true"}
    if location:
        headers["Location"] = location
    return Response(
        body.encode(), status_code=status_code, media_type="application/json", headers=headers
    )
