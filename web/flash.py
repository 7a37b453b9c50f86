"""One-shot success messages carried across a redirect in a signed cookie."""

from __future__ import annotations

import base64
import hashlib
import hmac

from fastapi import Request
from starlette.responses import Response

FLASH_COOKIE = "oversight_flash"


def _sign(secret: str, message: str) -> str:
    mac = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()[:32]
    return base64.urlsafe_b64encode(message.encode()).decode() + "." + mac


def set_flash(request: Request, response: Response, message: str) -> None:
    response.set_cookie(
        FLASH_COOKIE,
        _sign(request.app.state.settings.secret_key, message),
        max_age=60,
        httponly=True,
        samesite="lax",
        secure=not request.app.state.settings.is_development,
    )


def read_flash(request: Request) -> str | None:
    raw = request.cookies.get(FLASH_COOKIE)
    if not raw or "." not in raw:
        return None
    encoded, _, mac = raw.rpartition(".")
    try:
        message = base64.urlsafe_b64decode(encoded.encode()).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    expected = _sign(request.app.state.settings.secret_key, message).rpartition(".")[2]
    return message if hmac.compare_digest(mac, expected) else None
