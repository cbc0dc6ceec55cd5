"""The officer's walk, grievances (issue #13): the maker opens a grievance received some
days ago (past the time limit of its category, so overdue at once), the checker finds it
in the overdue list, escalates it to the next level and resolves it; it leaves the
overdue list. Elements are chosen by their ids, so it runs in both languages."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from urllib.parse import quote

from playwright.sync_api import Page, expect

from laosp.rules.pack import load_pack

DESCRIPTION = {
    "lo": "ບໍ່ໄດ້ຮັບເງິນອຸດໜູນສອງເດືອນແລ້ວ",
    "en": "The grant has not been paid for two months",
}
RESOLUTION = {
    "lo": "ໄດ້ຈ່າຍເງິນທີ່ຄ້າງໃຫ້ຄົບແລ້ວ",
    "en": "The arrears were paid in full",
}


def open_escalate_resolve_grievance(
    maker: Page,
    checker: Page,
    base_url: str,
    lang: str,
    shot: Callable[[Page, str], None],
    *,
    household: str = "EX-VT-0001",
    category: str = "payment",
    days_over: int = 5,
) -> int:
    """``maker`` (who may open grievances where ``household`` lives) opens one of
    ``category`` received ``days_over`` days past the category's time limit (the days
    of the pack); ``checker`` (who may handle grievances there) sees it overdue by
    ``days_over`` days, escalates it one level and resolves it. The grievance's id."""
    limit = load_pack().grievances.categories[category].days_at(dt.date.today())
    assert limit is not None
    received = dt.date.today() - dt.timedelta(days=limit + days_over)
    maker.goto(f"{base_url}/grievances/new?household={quote(household)}")
    expect(maker.locator("#grievance-household")).to_have_value(household)
    maker.select_option("#grievance-category", category)
    maker.fill("#grievance-received-on", received.isoformat())
    maker.fill("#grievance-description", DESCRIPTION.get(lang, DESCRIPTION["en"]))
    shot(maker, f"grievance-new-{lang}")
    maker.click("#grievance-submit")
    expect(maker).to_have_url(re.compile(r"/grievances/\d+$"))
    grievance_id = int(maker.url.rsplit("/", 1)[1])
    detail = maker.locator("#grievance-detail")
    expect(detail).to_have_attribute("data-status", "open")
    expect(detail).to_have_attribute("data-overdue", "true")

    checker.goto(f"{base_url}/grievances?overdue=true")
    row = checker.locator(f"#grievance-{grievance_id}")
    expect(row).to_have_attribute("data-overdue", "true")
    expect(row.locator(".overdue-days")).to_contain_text(str(days_over))
    shot(checker, f"grievances-overdue-{lang}")
    checker.click(f"#grievance-link-{grievance_id}")
    detail = checker.locator("#grievance-detail")
    first_level = detail.get_attribute("data-level")
    checker.click("#escalate-submit")
    expect(checker).to_have_url(re.compile(rf"/grievances/{grievance_id}$"))
    expect(detail).not_to_have_attribute("data-level", first_level or "")
    shot(checker, f"grievance-escalated-{lang}")
    checker.fill("#resolution", RESOLUTION.get(lang, RESOLUTION["en"]))
    checker.click("#resolve-submit")
    expect(detail).to_have_attribute("data-status", "resolved")
    expect(checker.locator("#grievance-resolution")).to_have_text(
        RESOLUTION.get(lang, RESOLUTION["en"])
    )
    shot(checker, f"grievance-resolved-{lang}")
    checker.goto(f"{base_url}/grievances?overdue=true")
    expect(checker.locator(f"#grievance-{grievance_id}")).to_have_count(0)
    return grievance_id
