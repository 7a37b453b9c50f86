"""/admin/users: list, add, change name and role, deactivate and reactivate."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth import CurrentActor, DbSession
from domain import clock
from domain.accounts import service as accounts
from domain.accounts.rules import ROLE_LABELS, Role
from domain.accounts.schemas import UserCreate, UserUpdate
from domain.accounts.tables import User
from domain.errors import Conflict, Invalid, StaleVersion
from web.admin import active_tag, form_version, page_request, require_admin, stale_message
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import render

router = APIRouter(prefix="/admin/users", dependencies=[Depends(require_admin)])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Cursor = Annotated[str | None, Query(max_length=200)]

LABELS = {
    "email": "Email address",
    "display_name": "Display name",
    "role": "Role",
    "password": "Password",
}
ROLE_OPTIONS = [(role.value, ROLE_LABELS[role]) for role in Role]


def _role_label(role: str) -> str:
    try:
        return ROLE_LABELS[Role(role)]
    except ValueError:
        return role


@router.get("")
def list_users(
    request: Request, db: DbSession, actor: CurrentActor, cursor: Cursor = None
) -> Response:
    page = accounts.list_users(db, actor, page=page_request(cursor))
    return render(
        request,
        "admin/users.html",
        {
            "users": page.items,
            "next_cursor": page.next_cursor,
            "role_label_of": _role_label,
            "active_tag": active_tag,
        },
    )


def _new_page(request: Request, form: Form, *, status_code: int = 200) -> Response:
    return render(
        request,
        "admin/user_new.html",
        {"form": form, "errors": form.error_summary, "role_options": ROLE_OPTIONS},
        status_code=status_code,
    )


@router.get("/new")
def new_user(request: Request) -> Response:
    return _new_page(request, Form(labels=LABELS))


@router.post("/new")
def create_user(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    form = Form(values=values, labels=LABELS)
    data = parse(UserCreate, form, {name: values.get(name, "") for name in LABELS})
    if data is None:
        return _new_page(request, form, status_code=422)
    try:
        user = accounts.create_user(db, actor, data, now=clock.now())
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _new_page(request, form, status_code=422)
    response = RedirectResponse(f"/admin/users/{user.id}", status_code=303)
    set_flash(request, response, f"{user.display_name} has been added as a user")
    return response


def _current_values(user: User) -> dict[str, Any]:
    return {"display_name": user.display_name, "role": user.role, "version": user.version}


def _user_page(
    request: Request, actor: CurrentActor, user: User, form: Form, *, status_code: int = 200
) -> Response:
    return render(
        request,
        "admin/user.html",
        {
            "user": user,
            "form": form,
            "errors": form.error_summary,
            "role_options": ROLE_OPTIONS,
            "user_role": _role_label(user.role),
            "status": active_tag(user.active),
            "is_self": actor.user_id == user.id,
        },
        status_code=status_code,
    )


@router.get("/{user_id}")
def show_user(request: Request, db: DbSession, actor: CurrentActor, user_id: Id) -> Response:
    user = accounts.get_user(db, actor, user_id)
    return _user_page(request, actor, user, Form(values=_current_values(user), labels=LABELS))


def _save(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    user_id: int,
    data: UserUpdate,
    form: Form,
    *,
    version: int,
    done: str,
) -> Response:
    """Apply one change; a stale version or a broken rule re-renders the page, unsaved."""
    try:
        user = accounts.update_user(
            db, actor, user_id, data, expected_version=version, now=clock.now()
        )
    except StaleVersion:
        db.rollback()
        user = accounts.get_user(db, actor, user_id)
        fresh = Form(values=_current_values(user), labels=LABELS)
        fresh.add(GENERAL, stale_message("user"))
        return _user_page(request, actor, user, fresh, status_code=409)
    except Conflict as exc:
        db.rollback()
        form.add(GENERAL, exc.detail[:1].upper() + exc.detail[1:])
        return _user_page(
            request, actor, accounts.get_user(db, actor, user_id), form, status_code=409
        )
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _user_page(
            request, actor, accounts.get_user(db, actor, user_id), form, status_code=422
        )
    response = RedirectResponse(f"/admin/users/{user_id}", status_code=303)
    set_flash(request, response, done.format(name=user.display_name))
    return response


@router.post("/{user_id}")
def update_user(
    request: Request, db: DbSession, actor: CurrentActor, user_id: Id, values: FormValues
) -> Response:
    user = accounts.get_user(db, actor, user_id)
    form = Form(values=values, labels=LABELS)
    version = form_version(values)
    data = parse(
        UserUpdate,
        form,
        {"display_name": values.get("display_name", ""), "role": values.get("role", "")},
    )
    if data is None:
        return _user_page(request, actor, user, form, status_code=422)
    return _save(
        request, db, actor, user_id, data, form, version=version, done="Changes to {name} saved"
    )


@router.post("/{user_id}/status")
def change_status(
    request: Request, db: DbSession, actor: CurrentActor, user_id: Id, values: FormValues
) -> Response:
    user = accounts.get_user(db, actor, user_id)
    version = form_version(values)
    if values.get("active") not in ("yes", "no"):
        raise HTTPException(400, "say whether the user should be active")
    active = values.get("active") == "yes"
    form = Form(values={**_current_values(user), "version": version}, labels=LABELS)
    done = "{name} can sign in again" if active else "{name} has been deactivated"
    return _save(
        request,
        db,
        actor,
        user_id,
        UserUpdate(active=active),
        form,
        version=version,
        done=done,
    )
