"""The registry frames the indicators read, and the reference-date arithmetic they share.

Any object with the five Polars frames of the snapshot will do (``laosp.registry.snapshot``
or frames built by hand in tests); only the columns listed here are read.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol

import polars as pl

PERSON_COLUMNS = (
    "person_id",
    "household_id",
    "sex",
    "birth_date",
    "disability",
    "employment_status",
    "employer_type",
    "formal",
    "sector",
    "mother_id",
)
HOUSEHOLD_COLUMNS = ("household_id", "district_code", "urban", "poor")
ENROLMENT_COLUMNS = (
    "id",
    "scheme",
    "person_id",
    "household_id",
    "status",
    "start_date",
    "end_date",
)
CONTRIBUTION_COLUMNS = ("enrolment_id", "amount_paid", "paid_on")
PAYMENT_COLUMNS = ("enrolment_id", "function", "status", "paid_on")


class RegistryFrames(Protocol):
    """What a snapshot offers the indicators."""

    @property
    def persons(self) -> pl.DataFrame: ...
    @property
    def households(self) -> pl.DataFrame: ...
    @property
    def enrolments(self) -> pl.DataFrame: ...
    @property
    def contributions(self) -> pl.DataFrame: ...
    @property
    def benefit_payments(self) -> pl.DataFrame: ...


@dataclass(frozen=True)
class Frames:
    """A plain holder of the five frames (tests, benchmarks, other readers)."""

    persons: pl.DataFrame
    households: pl.DataFrame
    enrolments: pl.DataFrame
    contributions: pl.DataFrame
    benefit_payments: pl.DataFrame


def from_snapshot(snapshot: Any) -> Frames:
    """The five frames of a ``laosp.registry.snapshot.Snapshot`` (all must be loaded)."""
    frames = {name: getattr(snapshot, name) for name in Frames.__dataclass_fields__}
    missing = [name for name, frame in frames.items() if frame is None]
    if missing:
        raise ValueError(f"the snapshot lacks the table(s) {', '.join(missing)}")
    return Frames(**frames)


def check_columns(frames: RegistryFrames) -> None:
    """Fail early, naming the frame and the columns missing from it."""
    required = {
        "persons": PERSON_COLUMNS,
        "households": HOUSEHOLD_COLUMNS,
        "enrolments": ENROLMENT_COLUMNS,
        "contributions": CONTRIBUTION_COLUMNS,
        "benefit_payments": PAYMENT_COLUMNS,
    }
    for name, columns in required.items():
        frame: pl.DataFrame = getattr(frames, name)
        missing = [column for column in columns if column not in frame.columns]
        if missing:
            raise ValueError(f"the {name} frame lacks the column(s) {', '.join(missing)}")


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` months earlier, clamped to the end of a shorter month."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(day.day, last))


@dataclass(frozen=True, slots=True)
class Window:
    """The 12 months up to the reference date: ``start`` < day ≤ ``end``."""

    start: dt.date
    end: dt.date

    @classmethod
    def twelve_months_to(cls, at: dt.date) -> Window:
        return cls(start=months_before(at, 12), end=at)

    def contains(self, column: str) -> pl.Expr:
        return (pl.col(column) > self.start) & (pl.col(column) <= self.end)


def active_on(at: dt.date) -> pl.Expr:
    """An enrolment that is ``active`` and whose dates cover ``at`` (end date inclusive)."""
    return (
        (pl.col("status") == "active")
        & (pl.col("start_date") <= at)
        & (pl.col("end_date").is_null() | (pl.col("end_date") >= at))
    )
