"""/audit-events: the admin's read of the accountability record."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import Response

from api.auth import CurrentActor, DbSession
from api.problems import list_responses
from api.toolkit import ListOf, ListQuery, list_response
from domain.audit import service as audit
from domain.audit.schemas import AuditEventRead, AuditFilter

router = APIRouter(tags=["audit"])


@router.get("/audit-events", response_model=ListOf[AuditEventRead], responses=list_responses())
def list_audit_events(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    params: ListQuery,
    entity: Annotated[str | None, Query(max_length=50)] = None,
    entity_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    actor_label: Annotated[str | None, Query(alias="actor", max_length=200)] = None,
) -> Response:
    filters = AuditFilter(entity=entity, entity_id=entity_id, actor=actor_label)
    return list_response(
        request,
        db,
        params,
        lambda session, page: audit.list_events(session, actor, filters=filters, page=page),
        AuditEventRead,
        filename="audit-events",
    )
