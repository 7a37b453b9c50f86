"""HTML answers for errors: the same look as every other page."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import Request
from starlette.responses import RedirectResponse, Response

from api.auth import identify_for_error_page
from web.templating import render

TITLES = {
    400: "There is a problem with the request",
    401: "You need to sign in",
    403: "You do not have permission to see this page",
    404: "Page not found",
    405: "This page cannot do that",
    409: "This cannot be done in the record's current state",
    412: "Someone else changed this record",
    413: "What was sent is too large",
    422: "There is a problem with what was sent",
    428: "This change needs the record's version",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


def error_page(request: Request, status: int, detail: str | None = None) -> Response:
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)
    identify_for_error_page(request)
    title = TITLES.get(status, TITLES[400] if status < 500 else TITLES[500])
    shown = detail if status != 500 else "Try again later. The problem has been logged."
    return render(
        request,
        "pages/error.html",
        {"title": title, "detail": shown, "status": status},
        status_code=status,
    )
