"""The grievance step of the officer's walk (``walk_grievances``) in a real Chromium, in
Lao and in English, on the example registry: the district officer of Chanthabouly
(0101) opens a grievance about a household there, received 20 days ago (payment: 15
days, so 5 days overdue); a central officer escalates and resolves it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, signed_in
from tests.web.browser import server as server  # the fixture


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_open_escalate_resolve_grievance_in_chromium(
    server: str, tmp_path: Path, lang: str
) -> None:
    require_chromium()
    from playwright.sync_api import Page, sync_playwright

    from tests.web.walk_grievances import open_escalate_resolve_grievance

    shots = Path(os.environ.get("LAOSP_SCREENSHOT_DIR", tmp_path))

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = [signed_in(browser, server, name, lang) for name in ("vientiane", "central")]
            grievance_id = open_escalate_resolve_grievance(pages[0], pages[1], server, lang, shot)
            assert grievance_id == 1
            assert (shots / f"grievance-resolved-{lang}.png").is_file()
        finally:
            browser.close()
