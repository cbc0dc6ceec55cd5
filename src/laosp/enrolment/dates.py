"""The dates operations accept: enrolment and status-change dates, payment and
contribution dates, cycle and dues periods, grievance dates.

A date before ``EARLIEST_OPERATION_DATE`` is refused everywhere; a date after today is
refused for what has happened (a payment, a status change), and a period more than
``MONTHS_AHEAD`` months ahead for what is prepared in advance (a payment cycle, a month
of dues). Today comes from the edge (the CLI passes it in); without it only the floor
is checked.
"""

from __future__ import annotations

import datetime as dt

from laosp.registry.errors import FieldError, ValidationFailed

#: No scheme laosp runs predates the Lao PDR (proclaimed 2 December 1975), so an
#: operation dated earlier is a typing error (``0001-01-01``, ``1025`` for ``2025``).
EARLIEST_OPERATION_DATE = dt.date(1975, 12, 2)
#: A payment cycle or a month of dues is prepared at most a year ahead: beyond that
#: neither the enrolments active today nor the pack's dated parameters say what is due.
MONTHS_AHEAD = 12


def _too_early(field: str, value: dt.date, shown: str) -> FieldError | None:
    if value >= EARLIEST_OPERATION_DATE:
        return None
    return FieldError(
        field,
        shown,
        f"is before {EARLIEST_OPERATION_DATE.isoformat()}, the earliest date operations "
        f"accept (ກ່ອນວັນທີ {EARLIEST_OPERATION_DATE.isoformat()} ທີ່ລະບົບຮັບໄດ້)",
    )


def date_error(field: str, value: dt.date, today: dt.date | None) -> FieldError | None:
    """The problem with ``value`` (a date something happened on): before the floor or
    after today; ``None`` when it is in range."""
    error = _too_early(field, value, value.isoformat())
    if error is None and today is not None and value > today:
        error = FieldError(
            field,
            value.isoformat(),
            f"is in the future (today is {today.isoformat()}) (ເປັນວັນທີໃນອະນາຄົດ)",
        )
    return error


def check_date(field: str, value: dt.date, today: dt.date | None) -> None:
    """Refuse ``value`` (a date something happened on) before the floor or after today."""
    error = date_error(field, value, today)
    if error is not None:
        raise ValidationFailed([error])


def month_index(month: dt.date) -> int:
    return month.year * 12 + month.month - 1


def check_period(field: str, month: dt.date, today: dt.date | None) -> None:
    """Refuse the month ``month`` before the floor's month or more than ``MONTHS_AHEAD``
    months after today's."""
    shown = f"{month.year:04d}-{month.month:02d}"  # strftime leaves years < 1000 unpadded
    error = None
    if month_index(month) < month_index(EARLIEST_OPERATION_DATE):
        error = _too_early(field, month, shown)
    elif today is not None and month_index(month) - month_index(today) > MONTHS_AHEAD:
        error = FieldError(
            field,
            shown,
            f"is more than {MONTHS_AHEAD} months after this month ({today.isoformat()[:7]}) "
            f"(ເກີນ {MONTHS_AHEAD} ເດືອນລ່ວງໜ້າ)",
        )
    if error is not None:
        raise ValidationFailed([error])
