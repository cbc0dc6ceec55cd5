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


#: A cycle's transfers may leave in the month before its period, so that the money is
#: there on the period's first day; a payment dated earlier is a typing error (``1976``
#: for ``2026``), not an advance, and would put the books' dates out of order.
PAID_MONTHS_EARLY = 1


def _paid_too_early(paid_on: dt.date, earliest: dt.date, why: str) -> None:
    if paid_on < earliest:
        raise ValidationFailed([FieldError("paid_on", paid_on.isoformat(), why)])


def check_cycle_paid_on(paid_on: dt.date, code: str, period_start: dt.date) -> None:
    """Refuse a payment of cycle ``code`` dated before the month preceding its period."""
    earliest = add_months(period_start.replace(day=1), -PAID_MONTHS_EARLY)
    _paid_too_early(
        paid_on,
        earliest,
        f"is before {earliest.isoformat()}: a payment of cycle {code} (from "
        f"{period_start.isoformat()}) is made at the earliest in the month before its "
        f"period (ກ່ອນວັນທີ {earliest.isoformat()}, ກ່ອນໄລຍະຂອງຮອບການຈ່າຍ)",
    )


def check_dues_paid_on(paid_on: dt.date, month: dt.date) -> None:
    """Refuse dues for ``month`` paid before that month starts: they are owed on the
    month's wages or income, so an earlier date is a typing error."""
    _paid_too_early(
        paid_on,
        month,
        f"is before {month:%Y-%m}, the month these dues are for: dues are paid at the "
        f"earliest in their month (ກ່ອນເດືອນ {month:%Y-%m} ທີ່ຕ້ອງຈ່າຍ)",
    )
