"""One real browser (Debian's Chromium through Playwright) against ``uvicorn`` on a small
SQLite registry: sign in, switch to Lao, see the overview, search a person."""

from __future__ import annotations

import os
from pathlib import Path

from tests.api.conftest import PASSWORD
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium
from tests.web.browser import server as server  # the fixture


def test_sign_in_switch_to_lao_see_overview_and_search(server: str, tmp_path: Path) -> None:
    require_chromium()
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
