"""No personal data in the logs: the access log of a search has no query string, an
unhandled error is logged by its type and route only, a 422 shows no one else's data."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from laosp.api.errors import HIDDEN, problems
from laosp.api.security import SecurityHeaders
from laosp.api.unhandled import UNHANDLED, UnhandledErrors
from laosp.registry.errors import FieldError
from laosp.server import WithoutQueryString
from tests.api.conftest import PASSWORD, SECRET
from tests.live_server import LiveServer, sign_in

NAME = "Somphone"
BIRTH = "1984-02-29"


@pytest.fixture
def server(seeded_url: str) -> Iterator[LiveServer]:
    with LiveServer(seeded_url, SECRET) as running:
        yield running


def test_the_access_log_of_a_search_has_no_name(server: LiveServer) -> None:
    admin = sign_in(server.base_url, "admin", PASSWORD)
    with server.client() as client:
        found = client.get(f"/api/registry/persons?name={NAME}&limit=5", headers=admin)
        refused = client.get(f"/api/registry/persons?name={NAME}&limit=0", headers=admin)
        page = client.get(f"/search?q={NAME}", follow_redirects=False)
    assert (found.status_code, refused.status_code, page.status_code) == (200, 422, 303)
    log = server.output()
    assert '"GET /api/registry/persons HTTP/1.1" 200' in log
    assert '"GET /api/registry/persons HTTP/1.1" 422' in log
    assert '"GET /search HTTP/1.1" 303' in log
    assert NAME not in log
    assert "name=" not in log
    assert "q=" not in log


def test_the_filter_cuts_only_the_query() -> None:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", "/search?q=%E0%BA%AA", "1.1", 200),
        None,
    )
    assert WithoutQueryString().filter(record)
    assert record.getMessage() == '127.0.0.1:5000 - "GET /search HTTP/1.1" 200'


def _failing_app() -> FastAPI:
    app = FastAPI()

    @app.post("/people/{person_id}")
    def fail(person_id: str) -> None:
        raise ValueError(f"[parameters: ('{person_id}', '{NAME}', '{BIRTH}')]")

    app.add_middleware(UnhandledErrors)
    app.add_middleware(SecurityHeaders)
    return app


def test_an_unhandled_error_is_logged_by_type_and_route(caplog: pytest.LogCaptureFixture) -> None:
    with (
        caplog.at_level(logging.DEBUG),
        TestClient(_failing_app(), raise_server_exceptions=False) as client,
    ):
        answer = client.post("/people/EX-1", json={"given_name": NAME})
    assert answer.status_code == 500
    assert answer.json() == {"detail": UNHANDLED}
    assert answer.headers["cache-control"] == "no-store"
    assert answer.headers["x-content-type-options"] == "nosniff"
    logged = [
        (r.name, r.levelname, r.getMessage(), r.exc_info)
        for r in caplog.records
        if r.levelno >= logging.WARNING
    ]
    assert logged == [
        ("laosp.api.unhandled", "ERROR", "unhandled ValueError on POST /people/{person_id}", None)
    ]
    assert NAME not in caplog.text
    assert BIRTH not in caplog.text


def test_a_422_hides_the_values_of_persons_registered_before() -> None:
    shown = problems(
        [
            FieldError("members[0].birth_date", dt.date(2030, 1, 1), "is in the future"),
            FieldError("registered person EX-VT-0001-2.birth_date", dt.date(1984, 2, 29), "x"),
        ]
    )
    assert [(p["field"], p["value"]) for p in shown] == [
        ("members[0].birth_date", "2030-01-01"),
        ("registered person EX-VT-0001-2.birth_date", HIDDEN),
    ]


def test_the_live_server_still_answers_after_an_error_page(server: LiveServer) -> None:
    """A refused request (CSRF) is answered with the headers and leaves no name."""
    answer = httpx.post(f"{server.base_url}/login", data={"username": NAME, "password": "whatever"})
    assert answer.status_code == 403
    assert answer.headers["x-frame-options"] == "DENY"
    assert NAME not in server.output()
