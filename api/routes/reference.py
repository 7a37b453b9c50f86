"""/organisations, /areas, /npas, /topics: the same five operations for each kind.

No `from __future__ import annotations` here: the endpoints are built per kind and FastAPI
must see each kind's real schema classes in the signatures.
"""

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import list_responses, problem_responses
from api.toolkit import (
    ExpectedVersion,
    IdempotencyKey,
    ListOf,
    ListQuery,
    created_response,
    list_response,
    resource_response,
)
from domain import clock
from domain.reference import service as reference
from domain.reference.service import KINDS, ReferenceKind

router = APIRouter(tags=["reference data"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _add_routes(kind: ReferenceKind) -> None:
    create_schema: Any = kind.create
    update_schema: Any = kind.update
    read_schema: Any = kind.read
    base = f"/{kind.slug}"

    def list_records(
        request: Request,
        db: DbSession,
        actor: CurrentActor,
        params: ListQuery,
        active: Annotated[bool | None, Query()] = None,
    ) -> Response:
        return list_response(
            request,
            db,
            params,
            lambda session, page: reference.list_records(
                session, actor, kind, page=page, active=active
            ),
            read_schema,
            filename=kind.slug,
        )

    def create_record(
        request: Request,
        db: DbSession,
        actor: CurrentActor,
        body: create_schema,
        idempotency_key: IdempotencyKey = None,
    ) -> Response:
        def create() -> tuple[Any, int, str]:
            found = reference.create_record(db, actor, kind, body, now=clock.now())
            return read_schema.model_validate(found), found.version, f"/api/v1{base}/{found.id}"

        return created_response(request, db, actor, body, idempotency_key, create)

    def get_record(request: Request, db: DbSession, actor: CurrentActor, record_id: Id) -> Response:
        found = reference.get_record(db, actor, kind, record_id)
        return resource_response(request, read_schema.model_validate(found), version=found.version)

    def update_record(
        request: Request,
        db: DbSession,
        actor: CurrentActor,
        record_id: Id,
        body: update_schema,
        version: ExpectedVersion,
    ) -> Response:
        found = reference.update_record(
            db, actor, kind, record_id, body, expected_version=version, now=clock.now()
        )
        return resource_response(request, read_schema.model_validate(found), version=found.version)

    name = kind.entity
    router.add_api_route(
        base,
        list_records,
        methods=["GET"],
        response_model=ListOf[read_schema],
        name=f"list_{kind.slug}",
        summary=f"List {kind.label.lower()}",
        responses=list_responses(),
    )
    router.add_api_route(
        base,
        create_record,
        methods=["POST"],
        status_code=201,
        response_model=read_schema,
        name=f"create_{name}",
        summary=f"Create a {kind.singular}",
        responses=problem_responses(409),
    )
    router.add_api_route(
        f"{base}/{{record_id}}",
        get_record,
        methods=["GET"],
        response_model=read_schema,
        name=f"get_{name}",
        summary=f"Get a {kind.singular}",
        responses=problem_responses(404),
    )
    router.add_api_route(
        f"{base}/{{record_id}}",
        update_record,
        methods=["PATCH"],
        response_model=read_schema,
        name=f"update_{name}",
        summary=f"Change a {kind.singular}",
        responses=problem_responses(404, 409, 412, 428),
    )


for _kind in KINDS.values():
    _add_routes(_kind)
