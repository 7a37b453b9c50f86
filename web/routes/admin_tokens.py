"""/admin/tokens: list, create (the secret is shown once, never stored) and revoke."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts import service as accounts
from domain.accounts.rules import ROLE_LABELS, Role, Scope
from domain.accounts.schemas import TokenCreate
from domain.accounts.tables import ApiToken
from domain.errors import Conflict, Invalid, StaleVersion
from domain.listing import MAX_LIMIT, PageRequest
from web.admin import form_version, page_request, require_admin, stale_message, token_tag
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import render

router = APIRouter(prefix="/admin/tokens", dependencies=[Depends(require_admin)])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Cursor = Annotated[str | None, Query(max_length=200)]

LABELS = {
    "name": "Name",
    "role": "Role",
    "scopes": "Scopes",
    "user_id": "User",
    "expires_in_days": "Expires in (days)",
}
ROLE_OPTIONS = [(role.value, ROLE_LABELS[role]) for role in Role]
SCOPE_OPTIONS = [(scope.value, scope.value) for scope in Scope]


def _list_page(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    cursor: str | None,
    form: Form,
    *,
    status_code: int = 200,
) -> Response:
    page = accounts.list_tokens(db, actor, page=page_request(cursor))
    now = clock.now()
    return render(
        request,
        "admin/tokens.html",
        {
            "tokens": [
                (token, token_tag(token.revoked_at, token.expires_at, now)) for token in page.items
            ],
            "next_cursor": page.next_cursor,
            "form": form,
            "errors": form.error_summary,
            "role_labels": ROLE_LABELS,
        },
        status_code=status_code,
    )


@router.get("")
def list_tokens(
    request: Request, db: DbSession, actor: CurrentActor, cursor: Cursor = None
) -> Response:
    return _list_page(request, db, actor, cursor, Form())


def _user_options(db: DbSession, actor: CurrentActor) -> list[tuple[int, str]]:
    users = accounts.list_users(db, actor, page=PageRequest(limit=MAX_LIMIT)).items
    return [(user.id or 0, f"{user.display_name} ({user.email})") for user in users]


def _new_page(
    request: Request, db: DbSession, actor: CurrentActor, form: Form, *, status_code: int = 200
) -> Response:
    return render(
        request,
        "admin/token_new.html",
        {
            "form": form,
            "errors": form.error_summary,
            "role_options": ROLE_OPTIONS,
            "scope_options": SCOPE_OPTIONS,
            "user_options": _user_options(db, actor),
        },
        status_code=status_code,
    )


@router.get("/new")
def new_token(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    return _new_page(request, db, actor, Form(labels=LABELS))


def _token_data(values: dict[str, Any]) -> dict[str, Any]:
    """The posted fields as TokenCreate input: optional numbers left empty mean none."""
    scopes = values.get("scopes", [])
    return {
        "name": values.get("name", ""),
        "role": values.get("role", ""),
        "scopes": [scopes] if isinstance(scopes, str) else scopes,
        "user_id": values.get("user_id") or None,
        "expires_in_days": str(values.get("expires_in_days", "")).strip() or None,
    }


@router.post("/new")
def create_token(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    form = Form(values=values, labels=LABELS)
    data = _token_data(values)
    if not data["scopes"]:
        form.add("scopes", "Select at least one scope")
    parsed = parse(TokenCreate, form, data)
    if parsed is None or form.errors:
        return _new_page(request, db, actor, form, status_code=422)
    try:
        token, secret = accounts.create_token(db, actor, parsed, now=clock.now())
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _new_page(request, db, actor, form, status_code=422)
    # Rendered, not redirected: this response is the only place the secret ever appears.
    return render(
        request,
        "admin/token_created.html",
        {"token": token, "secret": secret, "token_role": ROLE_LABELS[Role(token.role)]},
        headers={"Cache-Control": "no-store"},
    )


@router.post("/{token_id}/revoke")
def revoke_token(
    request: Request, db: DbSession, actor: CurrentActor, token_id: Id, values: FormValues
) -> Response:
    version = form_version(values)
    try:
        token: ApiToken = accounts.revoke_token(
            db, actor, token_id, expected_version=version, now=clock.now()
        )
    except StaleVersion:
        db.rollback()
        form = Form()
        form.add(GENERAL, stale_message("token"))
        return _list_page(request, db, actor, None, form, status_code=409)
    except Conflict as exc:
        db.rollback()
        form = Form()
        form.add(GENERAL, exc.detail[:1].upper() + exc.detail[1:])
        return _list_page(request, db, actor, None, form, status_code=409)
    response = RedirectResponse("/admin/tokens", status_code=303)
    set_flash(request, response, f"The token “{token.name}” has been revoked")
    return response
