"""The payment-cycle step of the officer's walk (``walk_cycles``) in a real Chromium, in
Lao and in English, on the example registry with both MECG beneficiaries of Sanamxay
enrolled: the cycles 2024-03+2 and 2024-05+2 each pay 2 × 2 months × 150,000 = 600,000
kip (the daughter, born 2024-01-10, is under 12 months in both)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.api.test_cycles import add_central, enrol
from tests.web.browser import CHROMIUM, CHROMIUM_ARGS, DATABASE, require_chromium, signed_in
from tests.web.browser import server as server  # the fixture

TOTAL = 2 * 2 * 150_000


@pytest.mark.parametrize(("lang", "period"), [("lo", "2024-03"), ("en", "2024-05")])
def test_create_approve_pay_cycle_in_chromium(
    server: str, tmp_path: Path, lang: str, period: str
) -> None:
    require_chromium()
    from playwright.sync_api import Page, sync_playwright

    from tests.web.walk_cycles import create_approve_pay_cycle

    url = f"sqlite:///{tmp_path / DATABASE}"  # the server fixture's registry
    enrol(url, "mecg", "EX-AT-0003-2", "EX-AT-0003-3")
    add_central(url, "central2")
    shots = Path(os.environ.get("LAOSP_SCREENSHOT_DIR", tmp_path))

    def shot(page: Page, name: str) -> None:
        page.screenshot(path=str(shots / f"{name}.png"), full_page=True)

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            pages = [signed_in(browser, server, name, lang) for name in ("central", "central2")]
            create_approve_pay_cycle(
                pages[0], pages[1], server, lang, shot, period=period, expected_paid=TOTAL,
            )  # fmt: skip
            for name in ("cycles", "contributions", "requests"):
                pages[1].goto(f"{server}/{name}")
                assert pages[1].locator("#nav-" + name).get_attribute("class") == "active"
                shot(pages[1], f"{name}-{lang}")
        finally:
            browser.close()
