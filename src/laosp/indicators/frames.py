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


def completed_years(birth: str, at: dt.date) -> pl.Expr:
    """Age in completed years at ``at`` (a person is 5 on their fifth birthday)."""
    born = pl.col(birth)
    before_birthday = (born.dt.month() > at.month) | (
        (born.dt.month() == at.month) & (born.dt.day() > at.day)
    )
    return (at.year - born.dt.year() - before_birthday.cast(pl.Int32)).cast(pl.Int32)


def completed_months(birth: str, at: dt.date) -> pl.Expr:
    """Age in completed months at ``at``."""
    born = pl.col(birth)
    months = (at.year - born.dt.year()) * 12 + (at.month - born.dt.month())
    return (months - (born.dt.day() > at.day).cast(pl.Int32)).cast(pl.Int32)


def ages_by_day(birth: pl.Series, at: dt.date) -> pl.DataFrame:
    """``age`` and ``age_months`` (completed, at ``at``) for each birth date: computed once
    per distinct day of the range of birth dates, then gathered (a few tens of thousands
    of date conversions instead of one per person)."""
    exprs = [
        completed_years("birth", at).alias("age"),
        completed_months("birth", at).alias("age_months"),
    ]
    days = birth.cast(pl.Date).to_physical()
    low, high = days.min(), days.max()
    if low is None or high is None or int(high) - int(low) > 400_000:  # type: ignore[arg-type]
        return pl.DataFrame({"birth": birth.cast(pl.Date)}).select(exprs)
    table = pl.DataFrame(
        {"birth": pl.int_range(int(low), int(high) + 1, eager=True).cast(pl.Int32).cast(pl.Date)}  # type: ignore[arg-type]
    ).select(exprs)
    return table.select(pl.all().gather((days - low).cast(pl.UInt32)))
