"""/admin/users: list, add, change name and role, deactivate (after a confirmation page)
and reactivate, and password reset links.

Nobody types a password for anyone: adding a user, or helping someone who cannot sign in,
gives the administrator a one-time link (domain.accounts.passwords) to pass on, shown once
on the page after the form (domain.accounts.reveals), so a refresh makes no second link."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from starlette.responses import RedirectResponse, Response

from api.auth import AuditedReadSession, CurrentActor, DbSession
from domain import clock
from domain.accounts import passwords, reveals
from domain.accounts import service as accounts
from domain.accounts.reveals import RevealKind
from domain.accounts.rules import ROLE_LABELS, ResetLinkState, Role
from domain.accounts.schemas import UserInvite, UserUpdate, normalise_email
from domain.accounts.tables import User
from domain.errors import Conflict, Invalid, StaleVersion
from web.admin import (
    active_tag,
    drop_reveal_key,
    form_version,
    hold_reveal_key,
    page_request,
    require_admin,
    reveal_key,
    sentence,
    stale_message,
)
from web.flash import set_flash
from web.forms import GENERAL, Form, FormValues, parse
from web.templating import render

router = APIRouter(prefix="/admin/users", dependencies=[Depends(require_admin)])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Cursor = Annotated[str | None, Query(max_length=200)]
NO_STORE = {"Cache-Control": "no-store"}

LABELS = {
    "email": "Email address",
    "display_name": "Display name",
    "role": "Role",
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


def _link_path(user_id: int) -> str:
    return f"/admin/users/{user_id}/reset-link"


def _to_the_link(request: Request, user_id: int, key: str, done: str) -> Response:
    response = RedirectResponse(_link_path(user_id), status_code=303)
    hold_reveal_key(request, response, _link_path(user_id), key)
    set_flash(request, response, done)
    return response


def _email_taken(db: DbSession, form: Form, email: Any) -> None:
    """Checked with the other fields, so every problem is reported at once (the service
    checks it again)."""
    try:
        address = normalise_email(str(email))
    except ValueError:
        return
    if accounts.find_user_by_email(db, address) is not None:
        form.add("email", "A user with this email address already exists")


@router.post("/new")
def create_user(
    request: Request, db: DbSession, actor: CurrentActor, values: FormValues
) -> Response:
    form = Form(values=values, labels=LABELS)
    data = parse(UserInvite, form, {name: values.get(name, "") for name in LABELS})
    _email_taken(db, form, values.get("email", ""))
    if data is None or form.errors:
        return _new_page(request, form, status_code=422)
    now = clock.now()
    try:
        with db.one_transaction():
            user, secret = passwords.invite_user(db, actor, data, now=now)
            assert user.id is not None
            key = reveals.keep(
                db,
                actor,
                kind=RevealKind.PASSWORD_RESET,
                subject_id=user.id,
                secret=secret,
                now=now,
            )
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return _new_page(request, form, status_code=422)
    return _to_the_link(request, user.id, key, f"{user.display_name} has been added as a user")


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


Page = Callable[[User, Form, int], Response]


def _save(
    db: DbSession,
    actor: CurrentActor,
    user_id: int,
    data: UserUpdate,
    form: Form,
    *,
    version: int,
    page: Page,
    done: Callable[[User], Response],
) -> Response:
    """Apply one change; a stale version or a broken rule shows `page` again, unsaved."""
    try:
        user = accounts.update_user(
            db, actor, user_id, data, expected_version=version, now=clock.now()
        )
    except StaleVersion:
        db.rollback()
        user = accounts.get_user(db, actor, user_id)
        fresh = Form(values=_current_values(user), labels=LABELS)
        fresh.add(GENERAL, stale_message("user"))
        return page(user, fresh, 409)
    except Conflict as exc:
        db.rollback()
        form.add(GENERAL, sentence(exc.detail))
        return page(accounts.get_user(db, actor, user_id), form, 409)
    except Invalid as exc:
        db.rollback()
        form.add_invalid(exc)
        return page(accounts.get_user(db, actor, user_id), form, 422)
    return done(user)


def _saved(request: Request, message: str) -> Callable[[User], Response]:
    def respond(user: User) -> Response:
        response = RedirectResponse(f"/admin/users/{user.id}", status_code=303)
        set_flash(request, response, message.format(name=user.display_name))
        return response

    return respond


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
        db,
        actor,
        user_id,
        data,
        form,
        version=version,
        page=lambda u, f, code: _user_page(request, actor, u, f, status_code=code),
        done=_saved(request, "Changes to {name} saved"),
    )


def _deactivate_page(
    request: Request, actor: CurrentActor, user: User, form: Form, *, status_code: int = 200
) -> Response:
    return render(
        request,
        "admin/user_deactivate.html",
        {
            "user": user,
            "form": form,
            "errors": form.error_summary,
            "user_role": _role_label(user.role),
            "is_self": actor.user_id == user.id,
        },
        status_code=status_code,
    )


@router.get("/{user_id}/deactivate")
def confirm_deactivate(
    request: Request, db: DbSession, actor: CurrentActor, user_id: Id
) -> Response:
    user = accounts.get_user(db, actor, user_id)
    return _deactivate_page(request, actor, user, Form(values=_current_values(user)))


@router.post("/{user_id}/status")
def change_status(
    request: Request, db: DbSession, actor: CurrentActor, user_id: Id, values: FormValues
) -> Response:
    """Deactivation is posted from its confirmation page; reactivation from the user's."""
    user = accounts.get_user(db, actor, user_id)
    version = form_version(values)
    if values.get("active") not in ("yes", "no"):
        raise HTTPException(400, "say whether the user should be active")
    active = values.get("active") == "yes"
    form = Form(values={**_current_values(user), "version": version}, labels=LABELS)

    def page(u: User, f: Form, code: int) -> Response:
        if active:
            return _user_page(request, actor, u, f, status_code=code)
        return _deactivate_page(request, actor, u, f, status_code=code)

    done = "{name} can sign in again" if active else "{name} has been deactivated"
    return _save(
        db,
        actor,
        user_id,
        UserUpdate(active=active),
        form,
        version=version,
        page=page,
        done=_saved(request, done),
    )


@router.post("/{user_id}/reset-link")
def create_reset_link(
    request: Request, db: DbSession, actor: CurrentActor, user_id: Id
) -> Response:
    now = clock.now()
    try:
        with db.one_transaction():
            user, secret = passwords.issue_reset_link(db, actor, user_id, now=now)
            key = reveals.keep(
                db,
                actor,
                kind=RevealKind.PASSWORD_RESET,
                subject_id=user_id,
                secret=secret,
                now=now,
            )
    except Conflict as exc:
        db.rollback()
        user = accounts.get_user(db, actor, user_id)
        form = Form(values=_current_values(user), labels=LABELS)
        form.add(GENERAL, sentence(exc.detail))
        return _user_page(request, actor, user, form, status_code=409)
    return _to_the_link(
        request, user_id, key, f"A new password reset link for {user.display_name} is ready"
    )


@router.get("/{user_id}/reset-link")
def show_reset_link(
    request: Request, db: AuditedReadSession, actor: CurrentActor, user_id: Id
) -> Response:
    """The landing page after adding a user or asking for a link: the link once, then a page
    that says it was already shown. Reads and deletes, so it takes a writing session."""
    user = accounts.get_user(db, actor, user_id)
    now = clock.now()
    secret = reveals.take(
        db,
        actor,
        kind=RevealKind.PASSWORD_RESET,
        subject_id=user_id,
        key=reveal_key(request),
        now=now,
    )
    link = passwords.find_reset_link(db, secret, now=now) if secret else None
    usable = link is not None and link.state is ResetLinkState.USABLE
    response = render(
        request,
        "admin/user_reset_link.html",
        {
            "user": user,
            "url": f"{str(request.base_url).rstrip('/')}/reset-password/{secret}"
            if usable
            else None,
            "expires_at": link.expires_at if link else None,
        },
        headers=NO_STORE,
    )
    drop_reveal_key(request, response, _link_path(user_id))
    return response
