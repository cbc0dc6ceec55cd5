"""The amounts a payment cycle owes: the scheme's amount output (``Scheme.amount`` of the
pack, e.g. ``mecg.benefit_monthly``) by the rules engine at the first day of each month
of the cycle, summed per enrolment, in whole columns.

An enrolment is paid for the months from the month it started in; a month in which
the rules find the unit not eligible adds nothing. The function a payment serves is
the scheme's first function, or ``maternity`` for a pregnant person when the scheme
serves maternity.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from laosp.registry.errors import FieldError, ValidationFailed
from laosp.rules.engine import evaluate
from laosp.rules.fields import HOUSEHOLD
from laosp.rules.pack import Pack, Scheme

MATERNITY = "maternity"


def benefit_output(pack: Pack, scheme: Scheme) -> str:
    """The money output the pack names as the scheme's amount (checked at load)."""
    if "cash" not in scheme.kind or scheme.amount is None:
        raise ValidationFailed(
            [FieldError("scheme", scheme.code, "is not a cash scheme (the pack names no amount)")]
        )
    return scheme.amount


def _function(scheme: Scheme) -> pl.Expr:
    others = [f for f in scheme.functions if f != MATERNITY] or list(scheme.functions)
    default = pl.lit(others[0])
    if scheme.unit == HOUSEHOLD or MATERNITY not in scheme.functions:
        return default
    return pl.when(pl.col("pregnant")).then(pl.lit(MATERNITY)).otherwise(default)


def amounts_due(
    pack: Pack,
    scheme: Scheme,
    enrolments: pl.DataFrame,
    persons: pl.DataFrame,
    households: pl.DataFrame,
    months: list[dt.date],
) -> pl.DataFrame:
    """``enrolment_id, amount, function`` for ``enrolments`` (``id, unit_id,
    start_date``), one row each with a positive amount."""
    output = benefit_output(pack, scheme)
    by_household = scheme.unit == HOUSEHOLD
    key = "household_id" if by_household else "person_id"
    monthly: list[pl.DataFrame] = []
    for month in months:  # one evaluation per month of the cycle (one or two)
        result = evaluate(pack, persons, households, month, [output])
        frame = result.households if by_household else result.persons
        monthly.append(
            frame.select(pl.col(key).alias("unit_id"), pl.col(output).alias("amount")).with_columns(
                month=pl.lit(month)
            )
        )
    due = (
        enrolments.join(pl.concat(monthly), on="unit_id")
        .filter(pl.col("month") >= pl.col("start_date").dt.truncate("1mo"))
        .group_by("id")
        .agg(pl.col("amount").sum().cast(pl.Int64))
        .filter(pl.col("amount") > 0)
    )
    if by_household:
        facts = enrolments.select("id", pregnant=pl.lit(False))
    else:
        facts = enrolments.join(
            persons.select(pl.col("person_id").alias("unit_id"), "pregnant"), on="unit_id"
        ).select("id", "pregnant")
    return (
        due.join(facts, on="id")
        .select(enrolment_id=pl.col("id"), amount=pl.col("amount"), function=_function(scheme))
        .sort("enrolment_id")
    )
