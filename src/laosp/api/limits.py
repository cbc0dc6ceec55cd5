"""The request-body size limit (``Settings.api_max_body_bytes``), before anything parses.

A body announced larger by its ``Content-Length`` is refused at once, without reading
it; a body without one (chunked) is counted as it streams in and refused at the first
chunk over the limit. Either way the answer is 413 with a JSON message.
"""

from __future__ import annotations

from fastapi import HTTPException, status
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send


def too_large_message(max_bytes: int) -> str:
    return (
        f"the request body is larger than {max_bytes} bytes (setting api_max_body_bytes) / "
        f"ຂໍ້ມູນທີ່ສົ່ງມາໃຫຍ່ເກີນ {max_bytes} ໄບຕ໌"
    )


class BodyTooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit. An
    ``HTTPException`` so that FastAPI's body parsing passes it on unchanged (it turns
    other errors into a 400)."""

    def __init__(self, max_bytes: int) -> None:
        super().__init__(status.HTTP_413_CONTENT_TOO_LARGE, too_large_message(max_bytes))


def _content_length(scope: Scope) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


class BodySizeLimit:
    """ASGI middleware: at most ``max_bytes`` of request body per HTTP request."""

    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        announced = _content_length(scope)
        if announced is not None and announced > self.max_bytes:
            refusal = JSONResponse(
                {"detail": too_large_message(self.max_bytes)},
                status_code=status.HTTP_413_CONTENT_TOO_LARGE,
                headers={"Connection": "close"},
            )
            await refusal(scope, receive, send)
            return
        received = 0
        started = False

        async def counted_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_bytes:
                    raise BodyTooLarge(self.max_bytes)
            return message

        async def watched_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge as error:
            if started:
                raise
            refusal = JSONResponse({"detail": error.detail}, status_code=error.status_code)
            await refusal(scope, receive, send)
