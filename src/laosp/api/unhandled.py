"""An error no handler answered: a 500 ``{"detail": ...}``, logged by the exception's
type and the route only.

Left to the server, it would be logged with its message and traceback, which may hold a
SQL statement's parameters (names, birth dates) or the request's body.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from fastapi.responses import JSONResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

UNHANDLED = (
    "internal error: the administrators can find when and where in the log / ເກີດຂໍ້ຜິດພາດພາຍໃນລະບົບ"
)
log = logging.getLogger("laosp.api.unhandled")


def route_of(scope: Scope) -> str:
    """The route template a request matched (``/household/{household_id}``), never the
    path or query it was sent with."""
    route = scope.get("route")
    template = getattr(route, "path", None)
    return f"{scope.get('method', '?')} {template if isinstance(template, str) else '(no route)'}"


class UnhandledErrors:
    """ASGI middleware: an exception no handler answered becomes a 500, logged by its
    type and route only (the server would log its message and traceback); ``page``
    gives the answer of a request that has its own (a dashboard page), else JSON."""

    def __init__(
        self, app: ASGIApp, page: Callable[[Scope], Response | None] | None = None
    ) -> None:
        self.app = app
        self.page = page

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watched_send)
        except Exception as error:  # every error, logged without its data
            log.error("unhandled %s on %s", type(error).__qualname__, route_of(scope))
            if not started:
                answer = self.page(scope) if self.page is not None else None
                if answer is None:
                    answer = JSONResponse({"detail": UNHANDLED}, status_code=500)
                await answer(scope, receive, send)
