"""Compute every indicator at a reference date, per breakdown cell, in one pass.

The population is every person of the registry born on or before the reference date.
One ``group_by`` sums all numerators and denominators; the result is long: one row per
indicator and cell with ``numerator``, ``denominator`` and ``ratio`` (null when the
denominator is 0).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import polars as pl

from laosp.indicators.breakdowns import BREAKDOWNS
from laosp.indicators.catalogue import SchemeInfo, retirement_age, scheme_catalogue
from laosp.indicators.definitions import INDICATORS, INEQUALITY_IDS, Indicator
from laosp.indicators.frames import (
    HOUSEHOLD_COLUMNS,
    RegistryFrames,
    check_columns,
)
from laosp.indicators.inequality import inequality_indicators
from laosp.indicators.status import status_bits, status_columns
from laosp.reference.ages import ages_by_day
from laosp.registry.rowkeys import household_rows
from laosp.rules.pack import Pack

RESULT_VALUE_COLUMNS = ("numerator", "denominator", "ratio")


def _household_index(frames: RegistryFrames, households: pl.DataFrame) -> pl.Series:
    """Each person's row in ``households`` (null for an unknown household)."""
    return household_rows(frames.persons, households)


def population(
    frames: RegistryFrames,
    at: dt.date,
    *,
    catalogue: Iterable[SchemeInfo],
    retirement: Mapping[str, int],
) -> pl.DataFrame:
    """One row per person born on or before ``at``: registry fields, household fields,
    ``age``, ``age_months``, ``retirement_age``, ``has_infant``, the status columns and
    ``household_index`` (the household's row in ``frames.households``, null if none)."""
    check_columns(frames)
    household_columns = [
        column
        for column in (*HOUSEHOLD_COLUMNS, "village_code", "village_name")
        if column in frames.households.columns
    ]
    households = frames.households.select(household_columns)
    household_index = _household_index(frames, households)
    persons = frames.persons.with_columns(
        *ages_by_day(frames.persons["birth_date"], at),
        pl.col("sex")
        .replace_strict(dict(retirement), default=None, return_dtype=pl.Int32)
        .alias("retirement_age"),
    )
    born = (persons["birth_date"] <= at).fill_null(False)
    infant = born & (persons["age_months"] < 12)
    bits = status_bits(frames, at, catalogue, household_index, infant)
    return (
        pl.concat(
            [
                persons.with_columns(
                    pl.Series("status_bits", bits), household_index.alias("household_index")
                ),
                households.drop("household_id").select(pl.all().gather(household_index)),
            ],
            how="horizontal",
        )
        .filter(born)
        .with_columns(status_columns(pl.col("status_bits"), pl.col("employer_type")))
        .with_columns(pl.col("urban", "poor", "formal").fill_null(False))
    )


def _tally(
    people: pl.DataFrame, by: Sequence[str], indicators: Sequence[Indicator]
) -> pl.DataFrame:
    sums: list[pl.Expr] = []
    for number, item in enumerate(indicators):
        within = item.denominator.fill_null(False)
        sums.append(within.sum().cast(pl.Int64).alias(f"d{number}"))
        sums.append(
            (within & item.numerator.fill_null(False)).sum().cast(pl.Int64).alias(f"n{number}")
        )
    cells = people.lazy().with_columns(BREAKDOWNS[field].alias(field) for field in by)
    grouped = cells.group_by(list(by)).agg(sums) if by else cells.select(sums)
    return grouped.collect()


def compute_indicators(
    frames: RegistryFrames,
    at: dt.date,
    by: Sequence[str] = (),
    *,
    pack: Pack,
    indicators: Sequence[Indicator] = INDICATORS,
    inequality: bool = False,
) -> pl.DataFrame:
    """Indicators at ``at`` by the breakdown fields ``by``: columns ``indicator``,
    ``*by``, ``numerator``, ``denominator``, ``ratio``, sorted by indicator then cell.

    ``inequality`` adds the SDG 10.4.2 rows (``laosp.indicators.inequality``: the rules
    engine computes the transfers); they are not counts, so never sum their cells.

    The scheme catalogue and the retirement age come from ``pack``."""
    unknown = [field for field in by if field not in BREAKDOWNS]
    if unknown:
        raise ValueError(f"unknown breakdown field(s): {', '.join(unknown)}")
    people = population(
        frames, at, catalogue=scheme_catalogue(pack), retirement=retirement_age(pack, at)
    )
    tally = _tally(people, by, indicators)
    ids = [item.id for item in indicators] + (list(INEQUALITY_IDS) if inequality else [])
    order = {indicator: number for number, indicator in enumerate(ids)}
    parts = [
        tally.select(
            pl.lit(item.id).alias("indicator"),
            *by,
            pl.col(f"n{number}").alias("numerator"),
            pl.col(f"d{number}").alias("denominator"),
        )
        for number, item in enumerate(indicators)
    ]
    result = pl.concat(parts).with_columns(
        pl.when(pl.col("denominator") > 0)
        .then(pl.col("numerator") / pl.col("denominator"))
        .otherwise(None)
        .alias("ratio")
    )
    if inequality:
        result = pl.concat([result, inequality_indicators(people, frames, at, pack, by)])
    return result.sort(
        [pl.col("indicator").replace_strict(order, return_dtype=pl.Int32), *by],
        nulls_last=True,
    )
