"""The officer's walk, payment cycles (issue #13): the maker creates a cycle of a scheme,
is refused its approval, another central officer approves it, the maker pays it, and the
page shows the amount paid. Elements are chosen by their ids, so it runs in both
languages; the amounts are read as the reader's language writes kip."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from laosp.ledger.cycles import months_per_cycle
from laosp.presentation.i18n import Formatter, pick_lang
from laosp.rules.pack import load_pack


def current_period(scheme: str, today: dt.date | None = None) -> str:
    """``YYYY-MM`` of the cycle of ``scheme`` that holds this month (MECG pays every two
    months, from January: in December the cycle starts in November)."""
    pack = load_pack()
    month = (today or dt.date.today()).replace(day=1)
    every = months_per_cycle(pack, pack.schemes[scheme], month)
    start = month.month - (month.month - 1) % every
    return f"{month.year:04d}-{start:02d}"


def create_approve_pay_cycle(
    maker: Page,
    checker: Page,
    base_url: str,
    lang: str,
    shot: Callable[[Page, str], None],
    *,
    scheme: str = "mecg",
    period: str | None = None,
    expected_paid: int | None = None,
) -> None:
    """Create the cycle of ``scheme`` for ``period`` (default: the one holding this
    month) as ``maker``, approve it as ``checker``, pay it as ``maker`` (today) and check
    the amount paid: ``expected_paid`` kip when given, else the cycle's whole amount (not
    zero)."""
    words = Formatter(pick_lang(lang))
    maker.goto(f"{base_url}/cycles")
    maker.select_option("#cycle-scheme", scheme)
    maker.fill("#cycle-period", period or current_period(scheme))
    shot(maker, f"cycles-new-{lang}")
    maker.click("#cycle-create")
    expect(maker).to_have_url(re.compile(r"/cycles/\d+$"))
    cycle_url = maker.url
    expect(maker.locator("#cycle-status")).to_have_attribute("data-status", "open")
    expect(maker.locator("#approve-by-another")).to_be_visible()
    expect(maker.locator("#cycle-approve")).to_have_count(0)
    total = maker.locator("#cycle-total").inner_text().strip()
    assert total != words.kip(0), f"the cycle pays nothing: {total}"
    shot(maker, f"cycle-created-{lang}")

    checker.goto(cycle_url)
    checker.click("#cycle-approve")
    expect(checker.locator("#cycle-status")).to_have_attribute("data-status", "approved")
    shot(checker, f"cycle-approved-{lang}")

    maker.goto(cycle_url)
    maker.click("#cycle-pay")
    expect(maker.locator("#cycle-status")).to_have_attribute("data-status", "paid")
    paid = words.kip(expected_paid) if expected_paid is not None else total
    expect(maker.locator("#cycle-paid")).to_have_text(paid)
    expect(maker.locator("#cycle-outstanding")).to_have_text(words.kip(0))
    shot(maker, f"cycle-paid-{lang}")
