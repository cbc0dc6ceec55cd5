"""Who receives a benefit, who contributes, who has health cover — one row per person.

- a non-contributory cash benefit = an enrolment of a ``non_contributory_cash`` scheme
  active on the date; a household enrolment counts for every member of the household;
- a social security benefit = a ``paid`` payment, paid in the 12 months up to the date,
  on an enrolment of a ``contributory`` scheme; its series is the payment's function
  (``health`` payments are not cash benefits);
- an active contributor = an active enrolment of a contributory scheme with a
  contribution paid (amount > 0) in the 12 months up to the date;
- health cover = an active enrolment of a scheme serving ``health`` (``nhi``, social
  security), or employment by the army or police (their own health schemes).

Each fact is a bit of one integer per person, so that every source (own enrolments,
payments, contributions, mothers of infants) is matched to the persons in a single join
on ``person_id`` and merged with an integer ``group_by``: string keys are hashed once.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import polars as pl

from laosp.indicators.catalogue import SchemeInfo
from laosp.indicators.frames import RegistryFrames, Window, active_on

#: Functions that have their own series (``receives_<function>`` columns).
BENEFIT_FUNCTIONS = ("children", "maternity", "disability", "unemployment", "old_age")

NONCONTRIBUTORY = 1 << 0
FUNCTION_BIT = {function: 1 << (1 + number) for number, function in enumerate(BENEFIT_FUNCTIONS)}
SOCIAL_SECURITY = 1 << 6
CONTRIBUTORY_PENSION = 1 << 7
CONTRIBUTOR = 1 << 8
INJURY_INSURED = 1 << 9
HEALTH = 1 << 10
INFANT = 1 << 11  # a reference from an infant to its mother

STATUS_COLUMNS = (
    "receives_cash",
    "receives_noncontributory",
    *(f"receives_{function}" for function in BENEFIT_FUNCTIONS),
    "contributory_pension",
    "active_contributor",
    "injury_insured",
    "health_covered",
)


def _scheme_bits(catalogue: Iterable[SchemeInfo]) -> tuple[dict[str, int], dict[str, int]]:
    """Per scheme: the bits an active enrolment gives, and those it gives a contributor."""
    enrolled: dict[str, int] = {}
    contributing: dict[str, int] = {}
    for info in catalogue:
        bits = HEALTH if "health" in info.functions else 0
        if info.kind == "non_contributory_cash":
            bits |= NONCONTRIBUTORY
            bits |= sum(FUNCTION_BIT[f] for f in BENEFIT_FUNCTIONS if f in info.functions)
        enrolled[info.code] = bits
        if info.kind == "contributory":
            injury = INJURY_INSURED if "employment_injury" in info.functions else 0
            contributing[info.code] = CONTRIBUTOR | injury
    return enrolled, contributing


def _bits_of(column: str, mapping: dict[str, int]) -> pl.Expr:
    return pl.col(column).replace_strict(mapping, default=0, return_dtype=pl.Int64)


def _enrolment_bits(
    frames: RegistryFrames, at: dt.date, window: Window, catalogue: Iterable[SchemeInfo]
) -> pl.DataFrame:
    """Active enrolments with their ``bits`` (persons or households)."""
    enrolled, contributing = _scheme_bits(catalogue)
    paid = (
        frames.contributions.lazy()
        .filter((pl.col("amount_paid") > 0) & window.contains("paid_on"))
        .select("enrolment_id")
        .unique()
        .collect()
        .to_series()
    )
    contributor = pl.when(pl.col("id").is_in(paid.implode())).then(_bits_of("scheme", contributing))
    return (
        frames.enrolments.lazy()
        .filter(active_on(at))
        .select(
            "person_id",
            "household_id",
            (_bits_of("scheme", enrolled) | contributor.otherwise(0)).alias("bits"),
        )
        .filter(pl.col("bits") != 0)
        .collect()
    )


def _payment_bits(frames: RegistryFrames, window: Window, contributory: list[str]) -> pl.LazyFrame:
    """Paid social security benefits of the window, per person reference."""
    functions = {f: SOCIAL_SECURITY | bit for f, bit in FUNCTION_BIT.items()}
    functions["old_age"] |= CONTRIBUTORY_PENSION
    enrolments = frames.enrolments.lazy().select("id", "scheme", "person_id")
    return (
        frames.benefit_payments.lazy()
        .filter(
            (pl.col("status") == "paid")
            & window.contains("paid_on")
            & (pl.col("function") != "health")
        )
        .join(enrolments, left_on="enrolment_id", right_on="id")
        .filter(pl.col("scheme").is_in(contributory) & pl.col("person_id").is_not_null())
        .select(
            "person_id",
            pl.col("function")
            .replace_strict(functions, default=SOCIAL_SECURITY, return_dtype=pl.Int64)
            .alias("bits"),
        )
    )


def _bitwise_or_by(frame: pl.DataFrame, key: str, size: int) -> np.ndarray:
    """An array of ``size`` holding, at each ``key`` index, the OR of its ``bits``.

    Rows are taken one distinct ``bits`` value at a time (there are few): within such a
    group a repeated index receives the same value, so plain fancy assignment is exact
    and much faster than a group-by on millions of keys."""
    out = np.zeros(size, dtype=np.int64)
    index = frame[key].to_numpy()
    bits = frame["bits"].to_numpy()
    for value in frame["bits"].unique().to_list():
        out[index[bits == value]] |= value
    return out


def status_bits(
    frames: RegistryFrames,
    at: dt.date,
    catalogue: Iterable[SchemeInfo],
    household_index: pl.Series,
    infant: pl.Series,
) -> np.ndarray:
    """The status bits of every person, in the row order of ``frames.persons``.

    ``household_index`` is each person's row in ``frames.households``; ``infant`` marks
    the persons under 12 months at ``at`` (whose maternity benefit counts for the mother).
    """
    window = Window.twelve_months_to(at)
    schemes = tuple(catalogue)
    contributory = [info.code for info in schemes if info.kind == "contributory"]
    enrolments = _enrolment_bits(frames, at, window, schemes)
    n_persons = frames.persons.height

    households = frames.households.select("household_id").with_row_index("hidx")
    by_household = enrolments.filter(pl.col("household_id").is_not_null()).join(
        households, on="household_id"
    )
    household_bits = _bitwise_or_by(by_household, "hidx", frames.households.height)

    persons = frames.persons.select("person_id", "mother_id").with_row_index("pidx")
    mothers = persons.filter(pl.Series(infant) & pl.col("mother_id").is_not_null()).select(
        pl.col("mother_id").alias("person_id"),
        pl.col("pidx").alias("infant_pidx"),
        pl.lit(INFANT, dtype=pl.Int64).alias("bits"),
    )
    references = pl.concat(
        [
            enrolments.filter(pl.col("person_id").is_not_null()).select(
                "person_id", pl.lit(None, dtype=pl.UInt32).alias("infant_pidx"), "bits"
            ),
            _payment_bits(frames, window, contributory)
            .with_columns(pl.lit(None, dtype=pl.UInt32).alias("infant_pidx"))
            .select("person_id", "infant_pidx", "bits")
            .collect(),
            mothers,
        ]
    ).join(persons.select("person_id", "pidx"), on="person_id")

    bits = _bitwise_or_by(references.select("pidx", "bits"), "pidx", n_persons)
    index = household_index.to_numpy()
    has_household = ~household_index.is_null().to_numpy()
    bits[has_household] |= household_bits[index[has_household].astype(np.int64)]

    infants = references.filter(pl.col("infant_pidx").is_not_null())
    infant_rows = infants["infant_pidx"].to_numpy().astype(np.int64)
    mother_rows = infants["pidx"].to_numpy().astype(np.int64)
    maternity = FUNCTION_BIT["maternity"]
    mothers_of_paid = mother_rows[(bits[infant_rows] & maternity) != 0]
    bits[mothers_of_paid] |= maternity
    return bits


def status_columns(bits: pl.Expr, employer_type: pl.Expr) -> list[pl.Expr]:
    """The bool columns of :data:`STATUS_COLUMNS` (and ``has_infant``) from the bits."""

    def has(mask: int) -> pl.Expr:
        return (bits & mask) != 0

    return [
        has(NONCONTRIBUTORY | SOCIAL_SECURITY).alias("receives_cash"),
        has(NONCONTRIBUTORY).alias("receives_noncontributory"),
        *(has(bit).alias(f"receives_{f}") for f, bit in FUNCTION_BIT.items()),
        has(CONTRIBUTORY_PENSION).alias("contributory_pension"),
        has(CONTRIBUTOR).alias("active_contributor"),
        has(INJURY_INSURED).alias("injury_insured"),
        (has(HEALTH) | (employer_type == "military_police").fill_null(False)).alias(
            "health_covered"
        ),
        has(INFANT).alias("has_infant"),
    ]
