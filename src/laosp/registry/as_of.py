"""The registry as it was at a past date, from its history (``laosp.models.history``),
in whole columns: each person's and household's rule fields and each enrolment's status
are replaced by the values of the period that covers the date (an as-of join on the
history rows read for that date).

What is historical: the person fields the rules read, a person's household
(membership), the household fields the rules read, enrolment statuses (and so an
enrolment's end date), enrolments started after the date (left out). What is not: names
and other fields rules do not read; persons and households registered after the date
(the registry does not keep when a record was first registered, so they are counted);
payments and contributions (their own dates — paid, due — already place them in time).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from laosp.models.history import HOUSEHOLD_HISTORY_FIELDS, PERSON_HISTORY_FIELDS

#: The history tables read for a date, each with the SQL condition of "the period
#: that covers the date" (``{at}`` an ISO date literal).
HISTORY_TABLES = {
    "person_history": "(valid_from IS NULL OR valid_from <= {at}) AND valid_to > {at}",
    "household_history": "(valid_from IS NULL OR valid_from <= {at}) AND valid_to > {at}",
    "enrolment_status_history": "valid_from <= {at} AND (valid_to IS NULL OR valid_to > {at})",
}
_HELD = "__history"


def _overlay(
    frame: pl.DataFrame, history: pl.DataFrame, key: str, fields: tuple[str, ...] | list[str]
) -> pl.DataFrame:
    """``frame`` with ``fields`` taken from ``history`` for the keys it has a row for
    (the earliest ending when periods overlap)."""
    columns = [name for name in fields if name in frame.columns and name in history.columns]
    if not history.height or not columns:
        return frame
    periods = (
        history.sort("valid_to", nulls_last=True)
        .unique(key, keep="first", maintain_order=True)
        .select(
            pl.col(key).cast(frame.schema[key]),
            pl.lit(True).alias(_HELD),
            *(pl.col(name).cast(frame.schema[name]).alias(f"{_HELD}.{name}") for name in columns),
        )
    )
    joined = frame.join(periods, on=key, how="left", maintain_order="left")
    held = pl.col(_HELD).fill_null(False)
    return joined.with_columns(
        pl.when(held).then(pl.col(f"{_HELD}.{name}")).otherwise(pl.col(name)).alias(name)
        for name in columns
    ).select(frame.columns)


def persons_at(persons: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    return _overlay(persons, history, "person_id", PERSON_HISTORY_FIELDS)


def households_at(households: pl.DataFrame, history: pl.DataFrame) -> pl.DataFrame:
    return _overlay(households, history, "household_id", HOUSEHOLD_HISTORY_FIELDS)


def enrolments_at(enrolments: pl.DataFrame, history: pl.DataFrame, at: dt.date) -> pl.DataFrame:
    """Enrolments started by ``at``, with the status of the period covering ``at`` and
    no end date yet when they ended after it."""
    started = enrolments.filter(pl.col("start_date") <= at)
    statuses = history.select(pl.col("enrolment_id").alias("id"), "status", "valid_to")
    return _overlay(started, statuses, "id", ["status"]).with_columns(
        pl.when(pl.col("end_date") <= at).then(pl.col("end_date")).alias("end_date")
    )
