"""/admin/tokens: list, create, look at one, revoke (after a confirmation page).

Creating posts, redirects and shows the secret on the page the browser lands on, once
(domain.accounts.reveals): refreshing that page neither makes a second token nor shows the
secret again."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth import AuditedReadSession, CurrentActor, DbSession
from domain import clock
from domain.accounts import reveals
from domain.accounts import service as accounts
from domain.accounts.reveals import RevealKind
from domain.accounts.rules import ROLE_LABELS, SCOPE_WORDS, Role, Scope, scopes_beyond_role
from domain.accounts.schemas import TokenCreate
from domain.accounts.tables import ApiToken
from domain.audit import log as audit_log
from domain.audit import service as audit
from domain.errors import Conflict, Invalid, StaleVersion
from domain.listing import MAX_LIMIT, PageRequest
from web.admin import (
    drop_reveal_key,
    form_version,
    hold_reveal_key,
    page_request,
    require_admin,
    reveal_key,
    sentence,
    stale_message,
    token_tag,
)
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import render

router = APIRouter(prefix="/admin/tokens", dependencies=[Depends(require_admin)])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Cursor = Annotated[str | None, Query(max_length=200)]
NO_STORE = {"Cache-Control": "no-store"}

LABELS = {
    "name": "Name",
    "role": "Role",
    "scopes": "What it may do",
    "user_id": "User",
    "expires_in_days": "Expires in (days)",
}
ROLE_OPTIONS = [(role.value, ROLE_LABELS[role]) for role in Role]


def scope_words(scope: str) -> str:
    """ "read:plan" → "See the Police and Crime Plan, its objectives and their ratings"."""
    try:
        words = SCOPE_WORDS[Scope(scope)]
    except ValueError:
        return scope
    return words[:1].upper() + words[1:]


SCOPE_OPTIONS = [(scope.value, scope_words(scope.value)) for scope in Scope]


def _role_words(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


def _list_page(
    request: Request, db: DbSession, actor: CurrentActor, cursor: str | None
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
            "role_words": _role_words,
        },
    )


@router.get("")
def list_tokens(
    request: Request, db: DbSession, actor: CurrentActor, cursor: Cursor = None
) -> Response:
    return _list_page(request, db, actor, cursor)


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


def _beyond_the_role(form: Form, data: dict[str, Any]) -> None:
    """Checked with the other fields, so every problem is reported at once (the service
    checks it again)."""
    try:
        role = Role(data["role"])
        scopes = frozenset(Scope(s) for s in data["scopes"])
    except ValueError:
        return
    beyond = sorted(scopes_beyond_role(role, scopes))
    if beyond:
        can_not = " or ".join(SCOPE_WORDS[scope] for scope in beyond)
        form.add("scopes", f"A token with the role {ROLE_LABELS[role]} cannot {can_not}")


def _secret_path(token_id: int) -> str:
    return f"/admin/tokens/{token_id}/secret"


@router.post("/new")
def create_token(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    form = Form(values=values, labels=LABELS)
    data = _token_data(values)
    if not data["scopes"]:
        form.add("scopes", "Select what the token may do")
    _beyond_the_role(form, data)
    parsed = parse(TokenCreate, form, data)
    if parsed is None or form.errors:
        return _new_page(request, db, actor, form, status_code=422)
    now = clock.now()
    try:
        with db.one_transaction():
            token, secret = accounts.create_token(db, actor, parsed, now=now)
            assert token.id is not None
            key = reveals.keep(
                db, actor, kind=RevealKind.API_TOKEN, subject_id=token.id, secret=secret, now=now
            )
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _new_page(request, db, actor, form, status_code=422)
    response = RedirectResponse(_secret_path(token.id), status_code=303)
    hold_reveal_key(request, response, _secret_path(token.id), key)
    return response


def _facts(db: DbSession, actor: CurrentActor, token: ApiToken) -> dict[str, Any]:
    """What the token pages show about a token, in words."""
    owner = accounts.get_user(db, actor, token.user_id) if token.user_id else None
    return {
        "token": token,
        "tag": token_tag(token.revoked_at, token.expires_at, clock.now()),
        "role": _role_words(token.role),
        "may": [scope_words(scope) for scope in token.scopes],
        "owner": owner,
    }


@router.get("/{token_id}/secret")
def show_secret(
    request: Request, db: AuditedReadSession, actor: CurrentActor, token_id: Id
) -> Response:
    """The landing page after creating a token: the secret once, then a page that says it
    was already shown. Reads and deletes, so it takes a writing session."""
    token = accounts.get_token(db, actor, token_id)
    secret = reveals.take(
        db,
        actor,
        kind=RevealKind.API_TOKEN,
        subject_id=token_id,
        key=reveal_key(request),
        now=clock.now(),
    )
    response = render(
        request,
        "admin/token_created.html",
        {**_facts(db, actor, token), "secret": secret},
        headers=NO_STORE,
    )
    drop_reveal_key(request, response, _secret_path(token_id))
    return response


@router.get("/{token_id}")
def show_token(request: Request, db: DbSession, actor: CurrentActor, token_id: Id) -> Response:
    token = accounts.get_token(db, actor, token_id)
    created = audit_log.describe(db, audit.history_of(db, entity="token", entity_id=token_id)[:1])
    return render(
        request,
        "admin/token.html",
        {**_facts(db, actor, token), "history": {"who": created[0].who if created else None}},
    )


def _revoke_page(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    token: ApiToken,
    form: Form,
    *,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "admin/token_revoke.html",
        {**_facts(db, actor, token), "form": form, "errors": form.error_summary},
        status_code=status_code,
    )


@router.get("/{token_id}/revoke")
def confirm_revoke(request: Request, db: DbSession, actor: CurrentActor, token_id: Id) -> Response:
    token = accounts.get_token(db, actor, token_id)
    return _revoke_page(request, db, actor, token, Form())


@router.post("/{token_id}/revoke")
def revoke_token(
    request: Request, db: DbSession, actor: CurrentActor, token_id: Id, values: FormValues
) -> Response:
    version = form_version(values)
    try:
        token = accounts.revoke_token(
            db, actor, token_id, expected_version=version, now=clock.now()
        )
    except (StaleVersion, Conflict) as exc:
        db.rollback()
        form = Form()
        stale = isinstance(exc, StaleVersion)
        form.add(GENERAL, stale_message("token") if stale else sentence(exc.detail))
        current = accounts.get_token(db, actor, token_id)
        return _revoke_page(request, db, actor, current, form, status_code=409)
    response = RedirectResponse(f"/admin/tokens/{token_id}", status_code=303)
    set_flash(request, response, f"The token “{token.name}” has been revoked")
    return response
