"""One real browser (Debian's Chromium through Playwright) against ``uvicorn`` on a small
SQLite registry: sign in, switch to Lao, see the overview, search a person."""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

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


def _require_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which("chromium"):
        return
    reason = f"{CHROMIUM} is missing (apt-get install -y chromium fonts-lao)"
    if os.environ.get("LAOSP_REQUIRE_BROWSER") == "1":
        pytest.fail(f"the browser test must run: {reason}")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'browser.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    seed(url)
    port = _free_port()
    config = uvicorn.Config(
        create_app(Settings(database_url=url, secret_key=SECRET)),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    instance = uvicorn.Server(config)
    thread = threading.Thread(target=instance.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not instance.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    instance.should_exit = True
    thread.join(timeout=10)


def test_sign_in_switch_to_lao_see_overview_and_search(server: str, tmp_path: Path) -> None:
    _require_chromium()
    from playwright.sync_api import expect, sync_playwright

    shots = Path(os.environ.get("LAOSP_SCREENSHOT_DIR", tmp_path))
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(f"{server}/lang/en?next=/login")
            expect(page.locator("h1")).to_have_text("Sign in")
            page.fill("#username", "central")
            page.fill("#password", PASSWORD)
            page.click("#login-submit")
            expect(page.locator("h1")).to_have_text("Overview")
            page.click("#lang-lo")
            expect(page.locator("h1")).to_have_text("ພາບລວມ")
            expect(page.locator("#coverage-table tbody tr")).to_have_count(6)
            expect(page.locator("#coverage-table")).to_contain_text("ນະຄອນຫຼວງວຽງຈັນ")
            expect(page.locator("svg.bar-chart rect")).to_have_count(6)
            page.screenshot(path=str(shots / "overview-lo.png"), full_page=True)
            page.click("text=ຄົ້ນຫາທະບຽນ")
            page.fill("#q", "ສົມພອນ")
            page.click("#search-submit")
            expect(page.locator("#search-results")).to_contain_text("ສົມພອນ ພົມມະສອນ")
            page.screenshot(path=str(shots / "search-lo.png"), full_page=True)
            page.click("text=EX-VT-0001")
            expect(page.locator("#members tbody tr")).to_have_count(3)
        finally:
            browser.close()
