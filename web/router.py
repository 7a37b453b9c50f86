"""The web surface's routers: protected pages, and the few public ones."""

from __future__ import annotations

from fastapi import APIRouter

from web.routes import admin_audit, admin_reference, admin_tokens, admin_users, home, session

protected_pages = APIRouter(include_in_schema=False)
protected_pages.include_router(home.router)
protected_pages.include_router(session.router)
protected_pages.include_router(admin_users.router)
protected_pages.include_router(admin_tokens.router)
protected_pages.include_router(admin_reference.router)
protected_pages.include_router(admin_audit.router)

public_pages = APIRouter(include_in_schema=False)
public_pages.include_router(session.public_router)
