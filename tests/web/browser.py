"""The live dashboard of the browser tests: ``uvicorn`` serving a seeded SQLite registry
in a thread, Debian's Chromium through Playwright, and an officer signed in on it.
Shared by tests/web/test_browser*.py and tests/web/test_officer_walk.py."""

from __future__ import annotations

import os
import re
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from laosp import migrate
from laosp.config import Settings
from laosp.db import make_engine
from laosp.server import create_app
from tests.api.conftest import PASSWORD, SECRET, seed

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: The file of the ``server`` fixture's registry in the test's ``tmp_path``.
DATABASE = "browser.db"


def require_chromium() -> None:
    """Skip the test without Chromium (fail it when ``LAOSP_REQUIRE_BROWSER=1``)."""
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    reason = f"{CHROMIUM} is missing (apt-get install -y chromium fonts-lao)"
    if os.environ.get("LAOSP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser test must run: {reason}")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def seeded_registry(path: Path) -> str:
    """The URL of a new SQLite registry at ``path``, migrated and seeded as the API's
    tests seed theirs (tests/api/conftest.py)."""
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    seed(url)
    return url


@contextmanager
def live_server(url: str) -> Iterator[str]:
    """The dashboard on the registry at ``url``, served by ``uvicorn`` in a thread on a
    free port: its base address while open."""
    config = uvicorn.Config(
        create_app(Settings(database_url=url, secret_key=SECRET)),
        host="127.0.0.1",
        port=free_port(),
        log_level="warning",
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{config.port}"
    finally:
        instance.should_exit = True
        thread.join(timeout=10)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """The dashboard on the seeded registry ``tmp_path / DATABASE``."""
    with live_server(seeded_registry(tmp_path / DATABASE)) as base:
        yield base


def signed_in(browser: Any, base_url: str, username: str, lang: str) -> Any:
    """A new page (its own cookies) of ``browser`` where ``username`` signed in, in
    ``lang``, and reached the overview."""
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 1280, "height": 1000}).new_page()
    page.goto(f"{base_url}/lang/{lang}?next=/login")
    page.fill("#username", username)
    page.fill("#password", PASSWORD)
    page.click("#login-submit")
    expect(page).to_have_url(re.compile(r"/overview"))
    return page
