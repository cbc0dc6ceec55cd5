"""The officer's walk of issue #13 in a real browser (Debian's Chromium through
Playwright, as tests/web/test_browser.py), in Lao and in English.

A district officer of Sanamxay finds a household by a Lao-script name (ຄຳລາ, the
example household EX-AT-0003), reads why a member is eligible for the Mother and Early
Childhood Grant (pregnant in the 5th month, in a pilot district: 150,000 kip a month),
enrols her; a central officer approves the enrolment (the district officer cannot).
Then a payment cycle of the grant is created by one central officer, approved by
another and paid (tests/web/walk_cycles.py), and a grievance is opened, escalated when
overdue and resolved (tests/web/walk_grievances.py).

Screenshots of the main pages go to ``LAOSP_SCREENSHOTS`` (or ``LAOSP_SCREENSHOT_DIR``),
else to a folder of the test run (printed), and always to ``test-artifacts/screenshots``
of the repository (git-ignored).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from laosp.access.roles import Role
from laosp.access.users import create_user
from laosp.db import make_engine, unit_of_work
from tests.api.conftest import PASSWORD
from tests.web.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    live_server,
    require_chromium,
    seeded_registry,
    signed_in,
)

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "test-artifacts" / "screenshots"
HOUSEHOLD = "EX-AT-0003"
MOTHER = "EX-AT-0003-2"
LAO_NAME = "ຄຳລາ"
#: The walk's users besides tests/api/conftest.py's ``central``.
WALKERS = {
    "sanamxay": (Role.district_officer, None, "1703"),
    "central2": (Role.central_officer, None, None),
}
#: MECG's grant a month (mecg.yaml, since 18/06/2021): the cycle pays her one month,
#: the month she is enrolled in (the months before her start are not due).
GRANT = 150_000


@pytest.fixture
def walk_server(tmp_path: Path) -> Iterator[str]:
    url = seeded_registry(tmp_path / "walk.db")
    engine = make_engine(url)
    with unit_of_work(engine) as session:
        for name, (role, province, district) in WALKERS.items():
            create_user(session, name, PASSWORD, role, province=province, district=district)
    engine.dispose()
    with live_server(url) as base:
        yield base


@pytest.fixture(scope="session")
def screenshots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    chosen = os.environ.get("LAOSP_SCREENSHOTS") or os.environ.get("LAOSP_SCREENSHOT_DIR")
    folder = Path(chosen) if chosen else tmp_path_factory.mktemp("screenshots")
    folder.mkdir(parents=True, exist_ok=True)
    print(f"\nscreenshots of the officer's walk: {folder} and {ARTIFACTS}")
    return folder


def _shooter(folder: Path) -> Callable[[Any, str], None]:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)

    def shot(page: Any, name: str) -> None:
        path = folder / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        if folder.resolve() != ARTIFACTS.resolve():
            shutil.copyfile(path, ARTIFACTS / path.name)

    return shot


@pytest.mark.parametrize("lang", ["lo", "en"])
def test_the_officers_walk(walk_server: str, screenshots: Path, lang: str) -> None:
    require_chromium()
    from playwright.sync_api import expect, sync_playwright

    from tests.web.walk_cycles import create_approve_pay_cycle
    from tests.web.walk_grievances import open_escalate_resolve_grievance

    shot = _shooter(screenshots)
    base = walk_server
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            officer = signed_in(browser, base, "sanamxay", lang)
            central = signed_in(browser, base, "central", lang)
            central2 = signed_in(browser, base, "central2", lang)

            # find the household by a Lao-script name
            officer.goto(f"{base}/search")
            officer.fill("#q", LAO_NAME)
            officer.click("#search-submit")
            expect(officer.locator("#search-results")).to_contain_text("ຄຳລາ ແສງສຸລິນ")
            shot(officer, f"search-{lang}")
            officer.click(f"#search-results a[href='/household/{HOUSEHOLD}']")
            expect(officer).to_have_url(re.compile(rf"/household/{HOUSEHOLD}$"))

            # why she is eligible: the conditions, met, with the dates of the parameters
            why = officer.locator(f"#why-{MOTHER}-mecg")
            why.locator("summary").click()
            expect(why.locator("li.met")).to_have_count(2)
            expect(why.locator("li.not-met")).to_have_count(0)
            expect(why).to_contain_text("18/06/2021")
            expect(why).to_contain_text("150.000" if lang == "lo" else "150,000")
            shot(officer, f"household-why-{lang}")

            # enrol her; she waits for another officer's approval
            officer.click(f"#enrol-{MOTHER}-mecg")
            expect(officer.locator("#done")).to_be_visible()
            expect(officer.locator(f"#receives-{MOTHER}-mecg")).to_be_visible()
            shot(officer, f"household-enrolled-{lang}")
            officer.goto(f"{base}/enrolments")
            row = officer.locator("#enrolments tbody tr").first
            expect(row).to_have_attribute("data-status", "pending")
            enrolment = (row.get_attribute("id") or "").removeprefix("enrolment-")
            expect(officer.locator(f"#approve-{enrolment}")).to_have_count(0)

            # a second user approves
            central.goto(f"{base}/enrolments")
            shot(central, f"enrolments-pending-{lang}")
            central.click(f"#approve-{enrolment}")
            expect(central.locator("#done")).to_be_visible()
            expect(central.locator(f"#enrolment-{enrolment}")).to_have_attribute(
                "data-status", "active"
            )
            shot(central, f"enrolments-approved-{lang}")

            create_approve_pay_cycle(
                central, central2, base, lang, shot, scheme="mecg", expected_paid=GRANT
            )
            open_escalate_resolve_grievance(central, central2, base, lang, shot)
        finally:
            browser.close()
    assert (ARTIFACTS / f"household-why-{lang}.png").exists()
