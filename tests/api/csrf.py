"""The anti-forgery token a test client sends like a browser: read from the
``laosp_csrf`` cookie the app set, sent back in a form field or the header."""

from __future__ import annotations

from fastapi.testclient import TestClient

from laosp.api.csrf import CSRF_COOKIE, CSRF_FIELD

CSRF_HEADER = "X-CSRF-Token"


def csrf_token(client: TestClient) -> str:
    """The client's token: the app sets it on the first answer (here: the login page)."""
    token: str | None = client.cookies.get(CSRF_COOKIE)
    if token is None:
        client.get("/login")
        token = client.cookies.get(CSRF_COOKIE)
    assert token is not None
    return token


def csrf_header(client: TestClient) -> dict[str, str]:
    return {CSRF_HEADER: csrf_token(client)}


def with_csrf(client: TestClient, form: dict[str, str]) -> dict[str, str]:
    """``form`` with the client's token in its hidden field, as the page's form has it."""
    return {**form, CSRF_FIELD: csrf_token(client)}
