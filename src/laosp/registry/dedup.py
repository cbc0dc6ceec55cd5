"""Probable duplicate persons: blocking with Polars joins, scoring with RapidFuzz.

Candidate pairs share a district and sex and one of the blocking keys below, so the
work grows with the size of the blocks, not with the square of the registry. Each pair
is scored from the similarity of the normalised names (``name_key`` and the coarser
``name_fold``) and agreement on birth date, village, national id, phone and mother.
"""

from __future__ import annotations

import polars as pl
from rapidfuzz import fuzz, process
from sqlalchemy import select
from sqlalchemy.orm import Session

from laosp.models import Household, Person
from laosp.registry.names import roman_fold

COLUMNS = (
    "person_id", "household_id", "district_code", "village_code", "given_name",
    "family_name", "name_key", "name_fold", "sex", "birth_date", "national_id", "phone",
    "mother_id",
)  # fmt: skip
PAIR_SCHEMA = {
    "person_id": pl.String,
    "duplicate_id": pl.String,
    "score": pl.Float64,
    "reasons": pl.String,
}
DEFAULT_THRESHOLD = 0.85


def load_persons(session: Session, district_code: str | None = None) -> pl.DataFrame:
    """The columns deduplication needs, for a district or the whole registry."""
    query = select(
        *(getattr(Person, c) for c in COLUMNS if c not in ("district_code", "village_code")),
        Household.district_code,
        Household.village_code,
    ).join(Household, Household.household_id == Person.household_id)
    if district_code is not None:
        query = query.where(Household.district_code == district_code)
    schema = {c: (pl.Date if c == "birth_date" else pl.String) for c in COLUMNS}
    # read in the session (it may hold uncommitted rows), column-wise into the frame
    return pl.read_database(query, connection=session, schema_overrides=schema).select(
        pl.col(c).cast(dtype) for c, dtype in schema.items()
    )


def _given_folds(persons: pl.DataFrame) -> pl.Series:
    """The given names alone, folded (``names.roman_fold``) once per distinct name: two
    people who share a family name must also have alike given names."""
    distinct = persons["given_name"].unique()
    folded = pl.Series([roman_fold(name) for name in distinct.to_list()], dtype=pl.String)
    lookup = pl.DataFrame({"given_name": distinct, "given_fold": folded})
    return persons.select("given_name").join(
        lookup, on="given_name", how="left", maintain_order="left"
    )["given_fold"]


def _blocks(persons: pl.DataFrame) -> pl.DataFrame:
    """Candidate pairs ``(a, b)`` with ``a < b`` (row indices), from several keys."""
    fold = pl.col("name_fold").fill_null(pl.col("name_key"))
    family = fold.str.split(" ").list.last()
    keyed = persons.select(
        pl.int_range(pl.len()).alias("i"),
        "district_code",
        "sex",
        year=pl.col("birth_date").dt.year(),
        given1=fold.str.slice(0, 1),
        family1=family.str.slice(0, 1),
        given2=fold.str.slice(0, 2),
        family2=family.str.slice(0, 2),
        national_id=pl.col("national_id"),
    )
    keys = (
        ["district_code", "sex", "year", "given1"],
        ["district_code", "sex", "year", "family1"],
        ["district_code", "sex", "given2", "family2"],
        ["national_id"],
    )
    pairs = []
    for key in keys:
        side = keyed.select("i", *key).drop_nulls()
        joined = side.join(side, on=key, suffix="_b").filter(pl.col("i") < pl.col("i_b"))
        pairs.append(joined.select(a="i", b="i_b"))
    return pl.concat(pairs).unique()


def _birth_agreement(a: pl.Expr, b: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    days = (a - b).dt.total_days().abs()
    swapped = (a.dt.year() == b.dt.year()) & (a.dt.month() == b.dt.day())
    swapped = swapped & (a.dt.day() == b.dt.month())
    year_only = (a.dt.year() == b.dt.year()) & (
        ((a.dt.month() == 1) & (a.dt.day() == 1)) | ((b.dt.month() == 1) & (b.dt.day() == 1))
    )
    score = (
        pl.when(days == 0)
        .then(1.0)
        .when(days <= 3)
        .then(0.85)
        .when(swapped | year_only | (days <= 31))
        .then(0.7)
        .when(days <= 366)
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


def find_duplicates(persons: pl.DataFrame, threshold: float = DEFAULT_THRESHOLD) -> pl.DataFrame:
    """Pairs of ``persons`` (columns ``COLUMNS``) scoring at least ``threshold`` in
    [0, 1], best first, with the reasons in words."""
    if persons.height < 2:
        return pl.DataFrame(schema=PAIR_SCHEMA)
    candidates = _blocks(persons)
    left = persons[candidates["a"]]
    right = persons[candidates["b"]]
    key_score = process.cpdist(
        left["name_key"].to_list(), right["name_key"].to_list(), scorer=fuzz.ratio, workers=-1
    )
    fold_a = left["name_fold"].fill_null(left["name_key"]).to_list()
    fold_b = right["name_fold"].fill_null(right["name_key"]).to_list()
    fold_score = process.cpdist(fold_a, fold_b, scorer=fuzz.ratio, workers=-1)
    given = _given_folds(persons)
    given_score = process.cpdist(
        given[candidates["a"]].to_list(),
        given[candidates["b"]].to_list(),
        scorer=fuzz.ratio,
        workers=-1,
    )
    pairs = pl.concat([left, right.rename(lambda c: f"{c}_b")], how="horizontal").with_columns(
        name=pl.min_horizontal(
            pl.max_horizontal(pl.Series(key_score), pl.Series(fold_score)),
            pl.Series(given_score),
        ).cast(pl.Float64)
        / 100
    )
    birth, birth_reason = _birth_agreement(pl.col("birth_date"), pl.col("birth_date_b"))

    def same(column: str) -> pl.Expr:
        return pl.col(column).is_not_null() & (pl.col(column) == pl.col(f"{column}_b"))

    def differ(column: str) -> pl.Expr:
        return (pl.col(column) != pl.col(f"{column}_b")).fill_null(False)

    score = (
        0.6 * pl.col("name")
        + 0.3 * birth
        + 0.05 * same("village_code").cast(pl.Float64)
        + 0.05 * (pl.col("sex") == pl.col("sex_b")).cast(pl.Float64)
        + 0.3 * same("national_id").cast(pl.Float64)
        + 0.1 * same("phone").cast(pl.Float64)
        + 0.1 * same("mother_id").cast(pl.Float64)
        - 0.4 * differ("national_id").cast(pl.Float64)
        - 0.2 * differ("mother_id").cast(pl.Float64)
    ).clip(0.0, 1.0)
    mother_child = (pl.col("mother_id") == pl.col("person_id_b")).fill_null(False) | (
        pl.col("mother_id_b") == pl.col("person_id")
    ).fill_null(False)
    reasons = pl.concat_list(
        pl.format("names {}% alike", (pl.col("name") * 100).round(0).cast(pl.Int64)),
        birth_reason,
        pl.when(same("village_code")).then(pl.lit("same village")),
        pl.when(same("household_id")).then(pl.lit("same household")),
        pl.when(same("national_id")).then(pl.lit("same national_id")),
        pl.when(differ("national_id")).then(pl.lit("different national_id")),
        pl.when(same("phone")).then(pl.lit("same phone")),
        pl.when(same("mother_id")).then(pl.lit("same mother")),
    ).list.drop_nulls()
    return (
        pairs.with_columns(score=score.round(3), reasons=reasons.list.join("; "))
        .filter((pl.col("score") >= threshold) & ~mother_child)
        .select("person_id", pl.col("person_id_b").alias("duplicate_id"), "score", "reasons")
        .sort(["score", "person_id"], descending=[True, False])
    )
