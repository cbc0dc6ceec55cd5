"""Who receives a benefit, who contributes, who has health cover — one row per person.

- a non-contributory cash benefit = an enrolment of a ``non_contributory_cash`` scheme
  active on the date; a household enrolment counts for every member of the household;
- a child or family benefit (a scheme or payment serving ``children``) of any member
  counts for every member of the household (ILO's household reading of SDG 1.3.1
  children: a child whose mother receives the MECG is covered);
- a social security benefit = a ``paid`` payment, paid in the 12 months up to the date,
  on an enrolment of a ``contributory`` scheme; its series is the payment's function
  (``health`` payments are not cash benefits);
- an active contributor = an active enrolment of a contributory scheme with a
  contribution paid (amount > 0) in the 12 months up to the date;
- health cover = an active enrolment of a scheme serving ``health`` (``nhi``, social
  security), or employment by the army or police (their own health schemes).

Each fact is a bit of one integer per person; every source (own enrolments, payments,
contributions, mothers of infants) is matched to the persons by row number (the
snapshot's integer row keys, ``laosp.registry.rowkeys``) and merged with array operations.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import numpy as np
import polars as pl

from laosp.indicators.catalogue import SchemeInfo
from laosp.indicators.frames import RegistryFrames, Window, active_on
from laosp.registry.rowkeys import HOUSEHOLD_ROW, PERSON_ROW, fact_household_rows, person_rows

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
    frames: RegistryFrames,
    at: dt.date,
    window: Window,
    catalogue: Iterable[SchemeInfo],
    enrolments: pl.DataFrame,
) -> pl.DataFrame:
    """Active enrolments with their ``bits`` and the rows of their person or household
    (``enrolments`` is ``frames.enrolments`` with ``person_row`` and ``household_row``)."""
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
        enrolments.lazy()
        .filter(active_on(at))
        .select(
            PERSON_ROW,
            HOUSEHOLD_ROW,
            (_bits_of("scheme", enrolled) | contributor.otherwise(0)).alias("bits"),
        )
        .filter(pl.col("bits") != 0)
        .collect()
    )


def _payment_bits(
    window: Window, contributory: list[str], payments: pl.DataFrame, enrolments: pl.DataFrame
) -> pl.DataFrame:
    """Paid social security benefits of the window, per person row."""
    functions = {f: SOCIAL_SECURITY | bit for f, bit in FUNCTION_BIT.items()}
    functions["old_age"] |= CONTRIBUTORY_PENSION
    return (
        payments.lazy()
        .filter(
            (pl.col("status") == "paid")
            & window.contains("paid_on")
            & (pl.col("function") != "health")
        )
        .join(
            enrolments.lazy().select("id", "scheme", PERSON_ROW),
            left_on="enrolment_id",
            right_on="id",
        )
        .filter(pl.col("scheme").is_in(contributory) & pl.col(PERSON_ROW).is_not_null())
        .select(
            PERSON_ROW,
            pl.col("function")
            .replace_strict(functions, default=SOCIAL_SECURITY, return_dtype=pl.Int64)
            .alias("bits"),
        )
        .collect()
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
    Facts are matched to persons and households by row number: the snapshot's
    ``person_row``/``household_row`` when they check out, else one join on the ids.
    """
    window = Window.twelve_months_to(at)
    schemes = tuple(catalogue)
    contributory = [info.code for info in schemes if info.kind == "contributory"]
    enrolments = frames.enrolments.with_columns(
        person_rows(frames.enrolments, frames.persons),
        fact_household_rows(frames.enrolments, frames.households),
    )
    active = _enrolment_bits(frames, at, window, schemes, enrolments)
    n_persons = frames.persons.height

    household_bits = _bitwise_or_by(
        active.filter(pl.col(HOUSEHOLD_ROW).is_not_null()), HOUSEHOLD_ROW, frames.households.height
    )
    references = pl.concat(
        [
            active.filter(pl.col(PERSON_ROW).is_not_null()).select(PERSON_ROW, "bits"),
            _payment_bits(window, contributory, frames.benefit_payments, enrolments),
        ]
    )
    bits = _bitwise_or_by(references, PERSON_ROW, n_persons)
    index = household_index.to_numpy()
    has_household = ~household_index.is_null().to_numpy()
    rows = index[has_household].astype(np.int64)
    bits[has_household] |= household_bits[rows]

    # a child or family benefit is the household's (ILO's reading of SDG 1.3.1 children):
    # a member's, e.g. a mother's MECG, counts for every member of the household
    children = FUNCTION_BIT["children"]
    with_children_benefit = np.zeros(frames.households.height, dtype=bool)
    with_children_benefit[rows[(bits[has_household] & children) != 0]] = True
    bits[np.flatnonzero(has_household)[with_children_benefit[rows]]] |= children

    # an infant's maternity benefit counts for its mother (found by ``mother_id``)
    infants = (
        frames.persons.select("mother_id")
        .with_row_index("infant_row")
        .filter(pl.Series(infant) & pl.col("mother_id").is_not_null())
    )
    mothers = infants.join(
        frames.persons.select(pl.col("person_id").alias("mother_id")).with_row_index("mother_row"),
        on="mother_id",
    )
    infant_rows = mothers["infant_row"].to_numpy().astype(np.int64)
    mother_rows = mothers["mother_row"].to_numpy().astype(np.int64)
    bits[mother_rows] |= INFANT
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
