"""The API's browsable documentation: Swagger UI from the pinned `swagger-ui-dist` npm package,
served by the app itself (mounted at /static/swagger), so the page works under the app's CSP
(`script-src 'self'; style-src 'self'`) and fetches nothing from another host.

The initialiser is an external script (web/static/swagger-init.js) that reads the document's
address from a data attribute: the page has no inline script and no inline style. Public,
like the OpenAPI document it shows.
"""

from __future__ import annotations

from html import escape

from fastapi import APIRouter, Request
from starlette.responses import HTMLResponse

DOCS_PATH = "/api/docs"
SWAGGER_ASSETS = "/static/swagger"

_PAGE = """<!DOCTYPE html>
<html lang="en-GB">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>{title} – documentation</title>
  <link rel="icon" href="/static/app/favicon.svg" type="image/svg+xml">
  <link rel="stylesheet" href="{assets}/swagger-ui.css">
</head>
<body>
  <main id="swagger-ui" data-openapi-url="{openapi_url}"></main>
  <script src="{assets}/swagger-ui-bundle.js"></script>
  <script src="/static/app/swagger-init.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


@router.get(DOCS_PATH, response_class=HTMLResponse)
def api_docs(request: Request) -> HTMLResponse:
    """Swagger UI for the OpenAPI document."""
    page = _PAGE.format(
        title=escape(request.app.title),
        assets=SWAGGER_ASSETS,
        openapi_url=escape(request.app.openapi_url or ""),
    )
    return HTMLResponse(page)
