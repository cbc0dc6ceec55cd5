"""The reference dates the analytics compute for: one range for the API, the dashboard
and every CLI (ages, months before a date and policy parameters are only defined
inside it; a date such as 0001-01-01 would crash the date arithmetic)."""

from __future__ import annotations

import datetime as dt
import re

EARLIEST_REFERENCE_DATE = dt.date(1900, 1, 1)
LATEST_REFERENCE_DATE = dt.date(2100, 12, 31)
DATE_RANGE = f"{EARLIEST_REFERENCE_DATE.isoformat()} to {LATEST_REFERENCE_DATE.isoformat()}"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def in_reference_range(value: dt.date) -> dt.date:
    """``value`` if the analytics can compute at it; ``ValueError`` (English and Lao)
    otherwise."""
    if not EARLIEST_REFERENCE_DATE <= value <= LATEST_REFERENCE_DATE:
        raise ValueError(
            f"must be a date from {DATE_RANGE} / ຕ້ອງເປັນວັນທີແຕ່ "
            f"{EARLIEST_REFERENCE_DATE.isoformat()} ຫາ {LATEST_REFERENCE_DATE.isoformat()}"
        )
    return value


def parse_reference_date(text: str) -> dt.date:
    """A reference date written YYYY-MM-DD and inside the range; ``ValueError`` with the
    reason otherwise."""
    if _ISO_DATE.fullmatch(text) is None:
        raise ValueError("is not a date YYYY-MM-DD / ບໍ່ແມ່ນວັນທີ YYYY-MM-DD")
    try:
        value = dt.date.fromisoformat(text)
    except ValueError:
        raise ValueError("is not a date of the calendar / ບໍ່ແມ່ນວັນທີທີ່ມີຢູ່ໃນປະຕິທິນ") from None
    return in_reference_range(value)
