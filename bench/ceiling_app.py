"""The ceiling of P1: bare Starlette returning the feed's bytes, no database, no dependency.

Run by the harness as `uvicorn bench.ceiling_app:app` with BENCH_BODY naming a file that holds
the bytes Oversight answered for the page under test.
"""

from __future__ import annotations

import os
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

BODY = Path(os.environ["BENCH_BODY"]).read_bytes()


async def feed(request: Request) -> Response:
    return Response(BODY, media_type="application/json")


app = Starlette(routes=[Route("/{path:path}", feed)])
