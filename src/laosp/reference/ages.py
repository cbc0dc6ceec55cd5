"""Ages in completed years and months at a date — one definition for the rules engine
and the indicators (a person is 5 on their fifth birthday)."""

from __future__ import annotations

import datetime as dt

import polars as pl


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
