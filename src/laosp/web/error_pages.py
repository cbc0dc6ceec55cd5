"""Errors of the dashboard's pages as styled pages in the reader's language (404, 403,
405, 422 with each bad parameter, 500); the API (``/api/...``) and the pages' JSON twins
(``.json``) keep the API's JSON answers (``laosp.api.errors``)."""

from __future__ import annotations

import inspect
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import Scope

from laosp.access.roles import Principal
from laosp.api.deps import live_session
from laosp.api.errors import json_safe, request_errors, takes_extra, without_secrets
from laosp.db import unit_of_work
from laosp.presentation.i18n import Formatter, words
from laosp.registry.errors import FieldError, ValidationFailed
from laosp.web.views import formatter, render

#: The statuses with words of their own (others read as ``nav.error_other``).
TITLED = frozenset({400, 403, 404, 405, 413, 422, 429, 500})


def is_page(path: str) -> bool:
    """Whether ``path`` is a dashboard page (HTML), not the API (``/api``, and the report
    downloads of ``/reports``, which the OpenAPI schema documents) nor a JSON twin."""
    return not (
        path.startswith(("/api/", "/reports/"))
        or path == "/api"
        or path.endswith(".json")
        or path.startswith("/static/")
        or path in ("/docs", "/redoc")
    )


def in_language(text: str, lang: str) -> str:
    """The part of a bilingual reason ``"English / ລາວ"`` in ``lang`` (the whole text
    when it has no such parts)."""
    english, separator, lao = text.partition(" / ")
    if not separator:
        return text
    return lao if lang == "lo" else english


def field_label(text: Formatter, field: str) -> str:
    """The words for a parameter's name: this catalogue's, the dashboard's, or the name."""
    for key in (f"nav.field.{field}", field):
        if key in words(text.lang):
            return text(key)
    return field


def _signed_in(request: Request) -> Principal | None:
    try:
        with unit_of_work(request.app.state.laosp.engine) as session:
            found = live_session(request, session)
    except Exception:  # an error page answers even when the database does not
        return None
    return found[0] if found is not None and not found[1] else None


def error_page(
    request: Request,
    code: int,
    problems: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
    principal: Principal | None = None,
) -> HTMLResponse:
    """The styled page of status ``code``, listing ``problems`` (a 422's parameters)."""
    text = formatter(request)
    lang = text.lang
    if not hasattr(request.state, "csrf_token"):
        request.state.csrf_token = ""
    data: dict[str, Any] = {
        "status": code,
        "title_key": f"nav.error_{code}" if code in TITLED else "nav.error_other",
        "problems": [
            {
                "field": str(json_safe(problem.field)),
                "label": field_label(text, str(problem.field)),
                "value": json_safe(without_secrets(problem.field, problem.value)),
                "reason": in_language(str(json_safe(problem.reason)), lang),
            }
            for problem in problems or ()
        ],
    }
    answer = render(request, "error.html", data, principal, code)
    for name, value in (headers or {}).items():
        answer.headers[name] = value
    return answer


def crash_page(scope: Scope) -> Response | None:
    """The 500 page of a dashboard page (``None`` for the API: it answers JSON)."""
    if scope.get("type") != "http" or not is_page(str(scope.get("path", ""))):
        return None
    return error_page(Request(scope), status.HTTP_500_INTERNAL_SERVER_ERROR)


def install_error_pages(app: FastAPI) -> None:
    """Answer the pages' errors with styled pages; call after the API's handlers
    (``install_error_handlers``), whose answers the API and the JSON twins keep."""
    api_invalid = app.exception_handlers[RequestValidationError]
    api_failed = app.exception_handlers[ValidationFailed]

    async def api_answer(handler: Any, request: Request, error: Exception) -> Response:
        answer = handler(request, error)
        return await answer if inspect.isawaitable(answer) else answer  # type: ignore[no-any-return]

    def http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, StarletteHTTPException)
        headers = dict(error.headers or {})
        if not is_page(request.url.path):
            if error.status_code in (204, 304):
                return Response(status_code=error.status_code, headers=headers)
            return JSONResponse({"detail": error.detail}, error.status_code, headers)
        return error_page(request, error.status_code, None, headers, _signed_in(request))

    async def invalid_request(request: Request, error: Exception) -> Response:
        if not is_page(request.url.path):
            return await api_answer(api_invalid, request, error)
        assert isinstance(error, RequestValidationError)
        problems = request_errors(error, extra_hint=takes_extra(request))
        principal = await run_in_threadpool(_signed_in, request)
        return error_page(request, 422, problems, None, principal)

    async def invalid_input(request: Request, error: Exception) -> Response:
        if not is_page(request.url.path):
            return await api_answer(api_failed, request, error)
        assert isinstance(error, ValidationFailed)
        principal = await run_in_threadpool(_signed_in, request)
        return error_page(request, 422, list(error.errors), None, principal)

    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(ValidationFailed, invalid_input)
