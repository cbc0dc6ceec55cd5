"""The API's error answers: one JSON shape per kind, always serialisable, documented.

A 422 lists every problem as ``{"field", "value", "reason"}`` (the shape of the registry's
``FieldError``), whether FastAPI found it in a parameter or the body, or a service did.
Every other error is ``{"detail": "message"}``. Values echoed back are made JSON-safe
here, once: dates become ISO text, lone surrogates and NaN become text, long or deep
values are cut; the value of a secret field (a password, a token) is never echoed, for
every route and the dashboard's login alike, nor the value of a person already
registered (checked with the household sent): a 422 shows what was sent, no one else's
data.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request, status
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic_core import ErrorDetails

from laosp.registry.errors import ConflictError, FieldError, ValidationFailed
from laosp.registry.validation import field_path, reason_of

#: Echoed text longer than this is cut (a value is shown to name it, not to store it).
MAX_ECHO_CHARS = 200
#: Echoed objects and lists deeper than this are cut.
MAX_ECHO_DEPTH = 6
CUT = "…"
#: A field whose name matches holds a secret: a 422 names it, never shows its value.
SECRET_FIELD = re.compile(r"password|passwd|passphrase|secret|token", re.IGNORECASE)
HIDDEN = "(hidden / ເຊື່ອງໄວ້)"
#: A field of a person registered before (``registry.service`` checks a changed
#: household with its registered members): a 422 names it, never shows its value.
REGISTERED_FIELD = re.compile(r"^registered person ")
#: What a parameter's pattern asks for, in words.
PATTERN_REASONS = {
    r"^\S+$": "must not contain spaces",
    r"^[0-9]{2}$": "must be a province code of two digits PP / ຕ້ອງເປັນລະຫັດແຂວງ 2 ຕົວເລກ",
    r"^[0-9]{4}$": "must be a district code of four digits PPDD / ຕ້ອງເປັນລະຫັດເມືອງ 4 ຕົວເລກ",
}
UNKNOWN_FIELD = "unknown field / ບໍ່ຮູ້ຈັກຊ່ອງນີ້"


class FieldProblem(BaseModel):
    field: str
    value: Any = None
    reason: str


class Problems(BaseModel):
    """422: every problem found in the request."""

    detail: list[FieldProblem]


class Problem(BaseModel):
    detail: str


_DOCUMENTED: dict[int, tuple[type[BaseModel], str]] = {
    400: (Problem, "The body is not readable (not JSON or form data in UTF-8)."),
    401: (Problem, "Sign in first: no valid bearer token or session cookie."),
    403: (Problem, "Your role or area does not allow this."),
    404: (Problem, "Not found (or outside your area)."),
    409: (Problem, "Conflicts with the current state (registered already, decided already)."),
    413: (Problem, "The request body is larger than the setting api_max_body_bytes."),
    422: (Problems, "Invalid input: each field or parameter, the value given and why."),
    429: (Problem, "Too many failed sign-ins: wait the seconds of the Retry-After header."),
    503: (Problem, "The server lacks a resource (e.g. the Lao font for a PDF)."),
}


def documented(*codes: int) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route that may answer ``codes`` (besides success)."""
    return {
        code: {"model": _DOCUMENTED[code][0], "description": _DOCUMENTED[code][1]} for code in codes
    }


def json_safe(value: Any, depth: int = 0) -> Any:
    """``value`` as JSON can carry it (see the module's docstring)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    if isinstance(value, str):
        text = value if len(value) <= MAX_ECHO_CHARS else value[:MAX_ECHO_CHARS] + CUT
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, bytes):
        return json_safe(value.decode("utf-8", "backslashreplace"), depth)
    if isinstance(value, Mapping | list | tuple | set | frozenset):
        if depth >= MAX_ECHO_DEPTH:
            return CUT
        if isinstance(value, Mapping):
            return {json_safe(str(k)): json_safe(v, depth + 1) for k, v in value.items()}
        return [json_safe(item, depth + 1) for item in value]
    return json_safe(str(value), depth)


def without_secrets(field: str, value: Any) -> Any:
    """``value`` of ``field`` with every secret hidden: the whole value if the field is a
    secret, else the secrets among its keys (a body echoed whole)."""
    if value is None:
        return None
    if SECRET_FIELD.search(field) or REGISTERED_FIELD.match(field):
        return HIDDEN
    if isinstance(value, Mapping):
        return {k: without_secrets(str(k), v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [without_secrets("", item) for item in value]
    return value


def problems(errors: Iterable[FieldError]) -> list[dict[str, Any]]:
    """The ``detail`` of a 422 for ``errors``."""
    return [
        {
            "field": json_safe(e.field),
            "value": json_safe(without_secrets(e.field, e.value)),
            "reason": json_safe(e.reason),
        }
        for e in errors
    ]


def unprocessable(errors: Iterable[FieldError]) -> JSONResponse:
    return JSONResponse(
        {"detail": problems(errors)}, status_code=status.HTTP_422_UNPROCESSABLE_CONTENT
    )


def _named(loc: Sequence[str | int], kind: str) -> str:
    """``("query", "date")`` → ``date``; ``("body", "members", 2, "sex")`` →
    ``members[2].sex``; ``("body", 7)`` of unreadable JSON → ``(body)``."""
    where, *path = loc
    if not path or kind == "json_invalid":
        return f"({where})"
    return field_path("", path)


def takes_extra(request: Request) -> bool:
    """Whether the body of ``request``'s route keeps additional data under ``extra``."""
    route = request.scope.get("route")
    if not isinstance(route, APIRoute) or route.body_field is None:
        return False
    model = route.body_field.field_info.annotation
    return (
        isinstance(model, type) and issubclass(model, BaseModel) and "extra" in model.model_fields
    )


def reason(detail: ErrorDetails, *, extra_hint: bool) -> str:
    """The registry's words for a finding, with the API's parameters' own reasons."""
    kind = detail["type"]
    ctx = detail.get("ctx") or {}
    if kind == "string_pattern_mismatch":
        pattern = str(ctx.get("pattern"))
        return PATTERN_REASONS.get(pattern, f"must match the pattern {pattern}")
    if kind == "string_too_short" and int(ctx.get("min_length", 1)) > 1:
        return f"is too short: at least {ctx['min_length']} characters"
    if kind == "extra_forbidden" and not extra_hint:
        return UNKNOWN_FIELD
    return reason_of(detail)


def request_errors(error: RequestValidationError, *, extra_hint: bool) -> list[FieldError]:
    """FastAPI's findings in the parameters and the body, named like the registry's;
    ``extra_hint``: the body keeps additional data under ``extra`` (say so for an
    unknown field)."""
    return [
        FieldError(
            _named(detail["loc"], detail["type"]),
            detail.get("input"),
            reason(detail, extra_hint=extra_hint),
        )
        for detail in error.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    """Answer invalid requests and the registry's refusals with the shapes above."""

    async def invalid_request(request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, RequestValidationError)
        return unprocessable(request_errors(error, extra_hint=takes_extra(request)))

    async def invalid_input(_request: Request, error: Exception) -> JSONResponse:
        assert isinstance(error, ValidationFailed)
        return unprocessable(error.errors)

    async def conflict(_request: Request, error: Exception) -> JSONResponse:
        return JSONResponse({"detail": json_safe(str(error))}, status_code=status.HTTP_409_CONFLICT)

    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(ValidationFailed, invalid_input)
    app.add_exception_handler(ConflictError, conflict)
