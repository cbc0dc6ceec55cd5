"""The request-body limit (``api_max_body_bytes``) on a real server: a body announced or
streamed larger is refused with 413 before anything parses it, and nothing is written."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from laosp.config import Settings
from tests.api.conftest import PASSWORD, SECRET
from tests.api.test_bad_input import counts, household
from tests.live_server import LiveServer, sign_in

LIMIT = 4096
MESSAGE = f"the request body is larger than {LIMIT} bytes (setting api_max_body_bytes)"


@pytest.fixture
def server_url(seeded_url: str) -> Iterator[str]:
    with LiveServer(seeded_url, SECRET, api_max_body_bytes=str(LIMIT)) as server:
        yield server.base_url


def _padded(size: int) -> bytes:
    """A valid household whose JSON is exactly ``size`` bytes (padding in ``extra``)."""
    bare = json.dumps(household(extra={"pad": ""})).encode()
    body = json.dumps(household(extra={"pad": "x" * (size - len(bare))})).encode()
    assert len(body) == size
    return body


def _refused(answer: httpx.Response) -> None:
    assert answer.status_code == 413, answer.text
    assert answer.headers["content-type"] == "application/json"
    assert answer.json()["detail"].startswith(MESSAGE)


def test_bodies_over_the_limit_are_refused_with_413(server_url: str, seeded_url: str) -> None:
    settings = Settings(database_url=seeded_url, secret_key=SECRET)
    headers = {**sign_in(server_url, "central", PASSWORD), "Content-Type": "application/json"}
    url = f"{server_url}/api/registry/households"
    before = counts(settings)

    _refused(httpx.post(url, content=_padded(LIMIT + 1), headers=headers))

    def chunks() -> Iterator[bytes]:  # no Content-Length: Transfer-Encoding chunked
        body = _padded(LIMIT + 1)
        yield from (body[start : start + 1000] for start in range(0, len(body), 1000))

    _refused(httpx.post(url, content=chunks(), headers=headers))
    form = {"username": "admin", "password": "x" * (LIMIT + 1)}
    _refused(httpx.post(f"{server_url}/api/auth/token", data=form))
    assert counts(settings) == before

    created = httpx.post(url, content=_padded(LIMIT), headers=headers)
    assert created.status_code == 201, created.text


def test_an_announced_body_is_refused_before_it_is_sent(server_url: str) -> None:
    """1 GB announced, none of it sent: the answer comes at once."""
    address = urlsplit(server_url)
    with socket.create_connection((address.hostname, address.port), timeout=10) as connection:
        connection.sendall(
            b"POST /api/registry/households HTTP/1.1\r\nHost: localhost\r\n"
            b"Content-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n"
        )
        received = b""
        while chunk := connection.recv(65536):  # the server closes after its answer
            received += chunk
    answer = received.decode("utf-8")
    assert answer.startswith("HTTP/1.1 413 ")
    assert MESSAGE in answer.partition("\r\n\r\n")[2]
