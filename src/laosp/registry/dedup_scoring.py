"""Scores of candidate pairs: name similarity (RapidFuzz, column-wise) and agreement on
birth date, village, national id, phone and mother, with the reasons in words.

Each pair is scored from the similarity of the normalised names (``name_key`` and the
coarser ``name_fold``, and the given names alone, so that siblings sharing a family name
stay apart) and agreement on birth date (same, a few days apart, day and month swapped,
year only), village, national id, phone and mother; a different national id or mother
counts against. A mother and her child are never paired.

Agreeing on a rare name is stronger evidence than agreeing on a common one (the
term-frequency adjustment of Fellegi-Sunter record linkage): when both persons have the
same blocking name key and at most ``RARE_NAME`` persons of their district have it, the
pair gains ``RARE_NAME_BONUS``. The frequencies are counted (Polars, over the frame) per
district, because the candidates are compared within a district and the namesakes that
can be mistaken for a copy are the district's.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz, process

from laosp.registry.dedup_blocking import blocking_keys
from laosp.registry.names import per_distinct, roman_fold

PAIR_SCHEMA = {
    "person_id": pl.String,
    "duplicate_id": pl.String,
    "score": pl.Float64,
    "reasons": pl.String,
}
_COMPARED = (
    "person_id", "household_id", "village_code", "sex", "birth_date", "national_id", "phone",
    "mother_id",
)  # fmt: skip


def _birth_agreement(a: pl.Expr, b: pl.Expr, same_mother: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Agreement of two birth dates, 0 to 1, and its reason. Day and month swapped (a
    clerical error that a random pair almost never shows) counts like dates a few days
    apart; a date known by its year only (1 January) agrees with the whole year, so it
    counts like dates within a month. Dates more than a month apart count a little, but
    not for two children of the same mother: siblings."""
    days = (a - b).dt.total_days().abs()
    swapped = (a.dt.year() == b.dt.year()) & (a.dt.month() == b.dt.day())
    swapped = swapped & (a.dt.day() == b.dt.month())
    year_only = (a.dt.year() == b.dt.year()) & (
        ((a.dt.month() == 1) & (a.dt.day() == 1)) | ((b.dt.month() == 1) & (b.dt.day() == 1))
    )
    score = (
        pl.when(days == 0)
        .then(1.0)
        .when((days <= 3) | swapped)
        .then(0.85)
        .when(year_only | (days <= 31))
        .then(0.6)
        .when((days <= 366) & ~same_mother)
        .then(0.3)
        .otherwise(0.0)
    )
    reason = (
        pl.when(days == 0)
        .then(pl.lit("same birth date"))
        .when(swapped)
        .then(pl.lit("birth day and month swapped"))
        .when(year_only & (days > 31))
        .then(pl.lit("same birth year, one date is 1 January"))
        .when(days <= 366)
        .then(pl.format("birth dates {} days apart", days))
    )
    return score, reason


def _similarity(values: pl.Series, first: pl.Series, second: pl.Series) -> pl.Series:
    """``fuzz.ratio`` (0 to 100) of ``values[first]`` and ``values[second]``, computed by
    RapidFuzz on both cores once per distinct pair of strings (names repeat a lot)."""
    values = values.fill_null("")
    code = values.rank("dense").cast(pl.UInt64)
    pair = code.gather(first) * (1 << 32) + code.gather(second)
    distinct = pl.DataFrame({"pair": pair}).with_row_index("at").unique("pair", keep="first")
    left = values.gather(first.gather(distinct["at"])).to_list()
    right = values.gather(second.gather(distinct["at"])).to_list()
    scores = process.cpdist(left, right, scorer=fuzz.ratio, workers=-1)
    scored = distinct.select("pair", score=pl.Series(scores, dtype=pl.Float64))
    return pl.DataFrame({"pair": pair}).join(scored, on="pair", maintain_order="left")["score"]


def _oriented(persons: pl.DataFrame, candidates: pl.DataFrame) -> tuple[pl.Series, pl.Series]:
    """The rows of each pair, the smaller ``person_id`` first (so that the output does
    not depend on row order)."""
    ids = persons["person_id"]
    a, b = candidates["a"], candidates["b"]
    a_first = (ids.gather(a) <= ids.gather(b)).fill_null(True)
    first = pl.select(pl.when(a_first).then(a).otherwise(b)).to_series()
    second = pl.select(pl.when(a_first).then(b).otherwise(a)).to_series()
    return first, second


def _same(column: str) -> pl.Expr:
    return pl.col(column).is_not_null() & (pl.col(column) == pl.col(f"{column}_b"))


def _differ(column: str) -> pl.Expr:
    return (pl.col(column) != pl.col(f"{column}_b")).fill_null(False)


def _final(name: pl.Expr) -> pl.Expr:
    """The score from a name similarity (0 to 1) and ``rest``, the other fields'
    part; it grows with ``name``, so a name of 1 bounds it."""
    return (NAME_WEIGHT * name + pl.col("rest")).clip(0.0, 1.0).round(3)


NAME_WEIGHT = 0.6
#: A name key held by at most this many persons of the district is rare (the pair itself
#: is two of them).
RARE_NAME = 6
#: Added to the score of a pair agreeing exactly on a rare name key: enough to lift a pair
#: with nothing but the name, the sex and a birth date within a month (0.83) over 0.85.
RARE_NAME_BONUS = 0.02


def score_pairs(
    persons: pl.DataFrame,
    candidates: pl.DataFrame,
    threshold: float,
    rare_names: bool = False,
) -> pl.DataFrame:
    """The ``candidates`` (row numbers ``a``, ``b`` in ``persons``) scoring at least
    ``threshold``, as ``PAIR_SCHEMA`` rows, unsorted.

    With ``rare_names`` the name keys are counted per district over ``persons``, which
    must then hold whole districts, and a pair agreeing on a rare one gains the bonus;
    without (a frame that is not whole districts) no name counts as rare.

    The fields other than the names are compared first (cheap column comparisons); the
    names only for the pairs that could still reach ``threshold`` with alike names,
    first the given names (the fewest distinct strings), then the whole names."""
    if candidates.is_empty():
        return pl.DataFrame(schema=PAIR_SCHEMA)
    first, second = _oriented(persons, candidates)
    keys = blocking_keys(persons).select("name", "district_code")
    counted = pl.len().over("district_code", "name") if rare_names else pl.lit(None, pl.UInt32)
    keys = keys.select(name_block="name", name_frequency=counted)
    compared = pl.concat([persons.select(_COMPARED), keys], how="horizontal")
    pairs = pl.concat(
        [
            compared[first],
            compared[second].rename(lambda c: f"{c}_b"),
            pl.DataFrame({"first": first, "second": second}),
        ],
        how="horizontal",
    )
    birth, birth_reason = _birth_agreement(
        pl.col("birth_date"), pl.col("birth_date_b"), _same("mother_id")
    )
    frequency = pl.max_horizontal("name_frequency", "name_frequency_b")
    rare = _same("name_block") & (frequency <= RARE_NAME).fill_null(False)
    place = pl.when(_same("household_id")).then(0.05).when(_same("village_code")).then(0.02)
    rest = (
        0.3 * birth
        + place.otherwise(0.0)
        + 0.05 * (pl.col("sex") == pl.col("sex_b")).cast(pl.Float64)
        + RARE_NAME_BONUS * rare.cast(pl.Float64)
        + 0.3 * _same("national_id").cast(pl.Float64)
        + 0.1 * _same("phone").cast(pl.Float64)
        + 0.1 * _same("mother_id").cast(pl.Float64)
        - 0.4 * _differ("national_id").cast(pl.Float64)
        - 0.2 * _differ("mother_id").cast(pl.Float64)
    )
    mother_child = (pl.col("mother_id") == pl.col("person_id_b")).fill_null(False) | (
        pl.col("mother_id_b") == pl.col("person_id")
    ).fill_null(False)
    pairs = pairs.with_columns(rest=rest).filter((_final(pl.lit(1.0)) >= threshold) & ~mother_child)
    given = (
        _similarity(
            per_distinct(persons["given_name"], roman_fold), pairs["first"], pairs["second"]
        )
        / 100
    )
    pairs = pairs.with_columns(given=given).filter(_final(pl.col("given")) >= threshold)
    key = _similarity(persons["name_key"], pairs["first"], pairs["second"])
    fold = persons["name_fold"].fill_null(persons["name_key"])
    fold_score = _similarity(fold, pairs["first"], pairs["second"])
    name = pl.min_horizontal(pl.max_horizontal(key, fold_score) / 100, pl.col("given"))
    pairs = pairs.with_columns(name=name).with_columns(score=_final(pl.col("name")))
    reasons = pl.concat_list(
        pl.format("names {}% alike", (pl.col("name") * 100).round(0).cast(pl.Int64)),
        pl.when(rare).then(pl.format("rare name ({} in the district)", frequency)),
        birth_reason,
        pl.when(_same("village_code")).then(pl.lit("same village")),
        pl.when(_same("household_id")).then(pl.lit("same household")),
        pl.when(_same("national_id")).then(pl.lit("same national_id")),
        pl.when(_differ("national_id")).then(pl.lit("different national_id")),
        pl.when(_same("phone")).then(pl.lit("same phone")),
        pl.when(_same("mother_id")).then(pl.lit("same mother")),
    ).list.drop_nulls()
    return pairs.filter(pl.col("score") >= threshold).select(
        "person_id",
        pl.col("person_id_b").alias("duplicate_id"),
        "score",
        reasons=reasons.list.join("; "),
    )
