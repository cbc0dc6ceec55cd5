"""Security headers on every answer of the app: what a browser may load, frame and
sniff, what it sends as referrer, and what it may keep in its cache.

Only the interactive API docs (``/docs``, ``/redoc``: FastAPI's pages load Swagger UI
and ReDoc from a CDN with an inline script, and carry no registry data) get a wider
Content-Security-Policy. Every answer is ``no-store`` (it may name persons, or echo what
was sent) except the successful answers of analytics aggregates, which a browser may
keep privately, and the static files.
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: The dashboard's pages need nothing from elsewhere, no inline script and no inline
#: style; their charts are inline SVG elements.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)
API_DOCS_CDN = "https://cdn.jsdelivr.net"
API_DOCS_POLICY = (
    f"default-src 'self'; script-src 'self' 'unsafe-inline' {API_DOCS_CDN}; "
    f"style-src 'self' 'unsafe-inline' {API_DOCS_CDN}; img-src 'self' data: "
    "https://fastapi.tiangolo.com; worker-src 'self' blob:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
API_DOCS_PATHS = frozenset({"/docs", "/redoc", "/docs/oauth2-redirect"})
NO_STORE = "no-store"
PRIVATE = "private, no-cache"
#: Paths whose successful answers are aggregates only (no person is named).
AGGREGATE_PREFIXES = (
    "/api/indicators",
    "/api/projection",
    "/overview",
    "/province/",
    "/projection",
    "/reports/",
    "/openapi.json",
)
STATIC_PREFIX = "/static/"
ALWAYS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def cache_control(path: str, status_code: int) -> str | None:
    """The ``Cache-Control`` of an answer to ``path`` (``None``: leave it as it is)."""
    if path.startswith(STATIC_PREFIX):
        return None
    if status_code < 300 and path.startswith(AGGREGATE_PREFIXES):
        return PRIVATE
    return NO_STORE


def security_headers(path: str, status_code: int) -> dict[str, str]:
    """Every header this module sets on an answer to ``path`` with ``status_code``."""
    policy = API_DOCS_POLICY if path in API_DOCS_PATHS else CONTENT_SECURITY_POLICY
    headers = {**ALWAYS, "Content-Security-Policy": policy}
    cache = cache_control(path, status_code)
    if cache is not None:
        headers["Cache-Control"] = cache
    return headers


class SecurityHeaders:
    """ASGI middleware: ``security_headers`` on every HTTP answer."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path = str(scope.get("path", ""))

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in security_headers(path, int(message["status"])).items():
                    headers[name] = value
            await send(message)

        await self.app(scope, receive, with_headers)
