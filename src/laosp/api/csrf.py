"""Cross-site request forgery: a state-changing request signed in by the session cookie
must prove it comes from one of our pages (double submit).

A browser sends the session cookie with any request to this site, even one a foreign
page makes it send (SameSite is the first defence; this is the second). So every POST,
PUT, PATCH or DELETE that carries the session cookie, and the dashboard's sign-in form
(against login forgery, before any session), must carry the value of the ``laosp_csrf``
cookie again, in the ``X-CSRF-Token`` header or the form field ``csrf_token``; a foreign
page can make the browser send the cookie but cannot read it. A request signed in with
``Authorization: Bearer`` is exempt: a browser never adds that header by itself; so is
the exchange of a password for a bearer token (``/api/auth/token``), whose answer a
foreign page cannot read.

Every answer to a client without the cookie sets one (a random token), and every answer
that signs in or out sets a new one (a token known before the sign-in, e.g. planted by
another site, is worth nothing after it); the token of the request is
``csrf_token_of(request)`` for the forms a page renders.
"""

from __future__ import annotations

import hmac
import re
import secrets

from fastapi import Request, status
from fastapi.responses import JSONResponse
from starlette.datastructures import MutableHeaders
from starlette.formparsers import MultiPartException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

CSRF_COOKIE = "laosp_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: The shape of a token this module makes (``secrets.token_urlsafe(32)``).
TOKEN_SHAPE = re.compile(r"^[A-Za-z0-9_-]{43}$")
REFUSED = (
    "missing or wrong CSRF token: reload the page and try again / "
    "ແບບຟອມນີ້ໝົດອາຍຸ ຫຼື ບໍ່ຖືກຕ້ອງ: ກະລຸນາໂຫຼດໜ້ານີ້ຄືນໃໝ່ ແລ້ວລອງອີກຄັ້ງ"
)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def csrf_token_of(request: Request) -> str:
    """The token the page answering ``request`` puts in its forms."""
    token: str = request.state.csrf_token
    return token


def tokens_match(cookie: str | None, sent: str | None) -> bool:
    if not cookie or not sent:
        return False
    return hmac.compare_digest(cookie.encode(), sent.encode())


def _bearer(request: Request) -> bool:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and bool(value.strip())


class CsrfGuard:
    """ASGI middleware: refuses (403) a state-changing request signed in by the cookie
    ``session_cookie``, or posted to one of ``pre_session_forms``, without the token;
    ``token_exchanges`` (paths) answer a password with a bearer token, cookie or not."""

    def __init__(
        self,
        app: ASGIApp,
        session_cookie: str,
        pre_session_forms: frozenset[str],
        token_exchanges: frozenset[str],
    ) -> None:
        self.app = app
        self.session_cookie = session_cookie
        self.pre_session_forms = pre_session_forms
        self.token_exchanges = token_exchanges

    def needs_token(self, request: Request) -> bool:
        if request.method in SAFE_METHODS or _bearer(request):
            return False
        if request.url.path in self.token_exchanges:
            return False
        return bool(request.cookies.get(self.session_cookie)) or (
            request.url.path in self.pre_session_forms
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        cookie = request.cookies.get(CSRF_COOKIE)
        known = cookie if cookie is not None and TOKEN_SHAPE.match(cookie) else None
        token = known or new_token()
        scope.setdefault("state", {})["csrf_token"] = token
        if self.needs_token(request):
            sent = request.headers.get(CSRF_HEADER)
            if sent is None and request.headers.get("content-type", "").startswith(FORM_TYPES):
                body = await _read_body(receive)
                sent = await _form_token(scope, body)
                receive = _replay(body, receive)
            if not tokens_match(known, sent):
                refusal = JSONResponse({"detail": REFUSED}, status.HTTP_403_FORBIDDEN)
                await refusal(scope, receive, send)
                return
        secure = scope.get("scheme") == "https"

        async def with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                session_changes = any(
                    value.startswith(f"{self.session_cookie}=")
                    for value in headers.getlist("set-cookie")
                )
                if known is None or session_changes:
                    fresh = new_token() if session_changes else token
                    headers.append("set-cookie", _cookie(fresh, secure=secure))
            await send(message)

        await self.app(scope, receive, with_cookie)


def _cookie(token: str, *, secure: bool) -> str:
    return f"{CSRF_COOKIE}={token}; Path=/; SameSite=strict" + ("; Secure" if secure else "")


async def _read_body(receive: Receive) -> bytes:
    """The whole request body (its size is bounded by ``BodySizeLimit``, outside)."""
    chunks = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            break
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def _replay(body: bytes, receive: Receive) -> Receive:
    """A ``receive`` that gives ``body`` once, then waits on the client as before."""
    given = False

    async def replayed() -> Message:
        nonlocal given
        if given:
            return await receive()
        given = True
        return {"type": "http.request", "body": body, "more_body": False}

    return replayed


async def _form_token(scope: Scope, body: bytes) -> str | None:
    """The ``csrf_token`` field of a form ``body`` (``None`` if absent or unreadable)."""
    form_request = Request(scope, _replay(body, _no_more))
    try:
        async with form_request.form() as form:
            value = form.get(CSRF_FIELD)
    except (MultiPartException, ValueError):
        return None
    return value if isinstance(value, str) else None


async def _no_more() -> Message:
    return {"type": "http.disconnect"}
