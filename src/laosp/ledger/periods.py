"""Periods of the ledger: months named ``YYYY-MM``, stored as their first day."""

from __future__ import annotations

import datetime as dt

from laosp.registry.errors import FieldError, ValidationFailed


def parse_period(text: str, field: str = "period") -> dt.date:
    """``"2025-03"`` → ``2025-03-01``; a ``ValidationFailed`` naming ``field`` otherwise."""
    try:
        month = dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise ValidationFailed(
            [FieldError(field, text, "must be a month written YYYY-MM")]
        ) from None
    return month


def add_months(month: dt.date, count: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + count
    return dt.date(index // 12, index % 12 + 1, 1)


def months_from(start: dt.date, count: int) -> list[dt.date]:
    """First days of the ``count`` months from ``start``'s month."""
    first = start.replace(day=1)
    return [add_months(first, k) for k in range(count)]


def last_day(month: dt.date, count: int = 1) -> dt.date:
    """The last day of the ``count``-month block starting in ``month``."""
    return add_months(month.replace(day=1), count) - dt.timedelta(days=1)


def cycle_code(start: dt.date, months: int) -> str:
    """``2025-03`` for a monthly cycle, ``2025-03+2`` for one of two months."""
    return f"{start:%Y-%m}" + (f"+{months}" if months > 1 else "")
