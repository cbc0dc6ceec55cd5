"""Planted duplicates: copies of real persons written the way a second register would,
with the truth (original, copy, kinds of variation) kept apart so that deduplication can
be scored.

A copy gets a new ``person_id``, lives in the same household (40 %,
``SAME_HOUSEHOLD``) or in another household of the same district (60 %: re-registered
after a move; any other household of the district alike, so mostly in another village),
as ``other``; only in a district of a single household does such a copy stay in its
original's household. Its names get another spelling (Lao tone marks dropped, the other
script's romanisation rules, a dropped or swapped letter) and its birth date may slip
(days, year only, day and month swapped).

The copies are appended after the originals (``original_id`` set on them only): the
originals are ``people.head(n)``, a slice that copies nothing.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import numpy.typing as npt
import polars as pl

from laosp.synth.names import DOUBLES
from laosp.synth.sampling import Array, pick

#: share of copies in their original's household; the others move within the district
SAME_HOUSEHOLD = 0.4
PAIR_SCHEMA = {"person_id": pl.String, "duplicate_id": pl.String, "variation": pl.String}


def _typo(name: pl.Expr, position: pl.Expr) -> pl.Expr:
    """Drop the letter at ``position`` (kept within the name)."""
    at = position % name.str.len_chars().clip(lower_bound=2)
    return pl.concat_str([name.str.slice(0, at), name.str.slice(at + 1)])


def other_household(
    rng: np.random.Generator, district: Array, households: Array
) -> npt.NDArray[np.int64]:
    """For each household row in ``households``, another household row of the same
    district drawn uniformly (``district``: a code per household row); the household
    itself when it is its district's only one."""
    codes, district_of = np.unique(district, return_inverse=True)
    order = np.argsort(district_of, kind="stable")  # household rows grouped by district
    position = np.empty_like(order)
    position[order] = np.arange(order.size)
    counts = np.bincount(district_of, minlength=codes.size)
    starts = np.cumsum(counts) - counts
    own = district_of[households]
    others = counts[own] - 1
    drawn = starts[own] + np.floor(rng.random(households.size) * others).astype(np.int64)
    drawn += drawn >= position[households]  # skip the household itself
    inside = order[np.minimum(drawn, order.size - 1)]
    moved: npt.NDArray[np.int64] = np.where(others > 0, inside, households)
    return moved


def chunked_like(frame: pl.DataFrame, *columns: pl.Series) -> list[pl.Series]:
    """``columns`` (one value per row of ``frame``) cut into ``frame``'s chunks, without
    copying: a frame whose columns are chunked alike is not copied whole by the next
    ``select`` (Polars rechunks every column of a frame whose chunks disagree)."""
    lengths = frame.to_series(0).chunk_lengths() if frame.width else []
    if len(lengths) < 2:
        return list(columns)
    starts = np.cumsum([0, *lengths[:-1]])
    cut = []
    for column in columns:
        pieces = column.slice(0, lengths[0])
        for start, length in zip(starts[1:], lengths[1:], strict=True):
            pieces.append(column.slice(int(start), length))  # a chunk more, no copy
        cut.append(pieces)
    return cut


def plant_duplicates(
    rng: np.random.Generator,
    people: pl.DataFrame,
    households: pl.DataFrame,
    rate: float,
    at: dt.date,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``people`` with ``round(rate × n)`` copies appended, and the pairs. ``households``
    is the households frame ``people["hh_index"]`` points into (its ``household_id``,
    ``district_code``, ``urban``, ``poor``).

    The result's columns are ``people``'s chunks followed by the copies' (no rechunk: a
    national frame is not copied whole); ``original_id`` is null on the first ``n`` rows."""
    n = people.height
    k = round(rate * n)
    if k <= 0:
        return people.with_columns(original_id=pl.lit(None, dtype=pl.String)), pl.DataFrame(
            schema=PAIR_SCHEMA
        )
    chosen = np.flatnonzero(pick(rng, np.ones(n), k))
    rng.shuffle(chosen)
    copies = people[chosen]
    same_household = rng.random(k) < SAME_HOUSEHOLD
    own = copies["hh_index"].to_numpy().astype(np.int64)
    district = households["district_code"].rank("dense").to_numpy()  # codes as integers
    moved = other_household(rng, district, own)
    target_hh = np.where(same_household, own, moved)
    target = households.select("household_id", "urban", "poor").gather(target_hh)
    kind = rng.integers(0, 4, k)  # 0 tone/spelling, 1 typo, 2 birth slip, 3 spelling+slip
    slip = rng.integers(0, 3, k)  # 0 days, 1 year only, 2 day<->month
    first = int(people["person_number"].to_numpy().max()) + 1
    number = pl.Series(np.arange(first, first + k))
    given, family = pl.col("given_name"), pl.col("family_name")
    spelled = (
        given.str.replace_all("[\u0ec8-\u0ecb]", "")
        .str.replace_all("ph", "p")
        .str.replace_all("Ph", "P")
        .str.replace_all("x", "s")
        .str.replace_all("X", "S")
        .str.replace_all("ou", "u")
    )
    family_spelled = (
        family.str.replace_all("[\u0ec8-\u0ecb]", "")
        .str.replace_many(DOUBLES, [d[0] for d in DOUBLES])
        .str.replace_all("ou", "u")
    )
    birth = pl.col("birth_date")
    slipped = (
        pl.when(pl.col("slip") == 0)
        .then(birth + pl.duration(days=pl.col("shift")))
        .when(pl.col("slip") == 1)
        .then(pl.date(birth.dt.year(), 1, 1))
        .otherwise(
            pl.when(birth.dt.day() <= 12)
            .then(pl.date(birth.dt.year(), birth.dt.day(), birth.dt.month()))
            .otherwise(birth + pl.duration(days=pl.col("shift")))
        )
    )
    dupes = (
        copies.with_columns(
            kind=pl.Series(kind),
            slip=pl.Series(slip),
            shift=pl.Series(rng.choice([-30, -10, -3, -1, 1, 2, 7, 31], k)),
            pos=pl.Series(rng.integers(0, 50, k)),
            household_id=target["household_id"],
            hh_index=pl.Series(target_hh).cast(people.schema["hh_index"]),
            urban=target["urban"],
            poor=target["poor"],
            person_number=number,
            relationship=pl.lit("other"),
            original_id=pl.col("person_id"),
            person_id=pl.lit("SYN-P") + number.cast(pl.String).str.zfill(9),
        )
        .with_columns(
            given_name=pl.when(pl.col("kind").is_in([0, 3]))
            .then(spelled)
            .when(pl.col("kind") == 1)
            .then(_typo(given, pl.col("pos")))
            .otherwise(given),
            family_name=pl.when(pl.col("kind").is_in([0, 3]))
            .then(family_spelled)
            .otherwise(family),
            birth_date=pl.when(pl.col("kind") >= 2).then(slipped).otherwise(birth),
            birth_date_precision=pl.when((pl.col("kind") >= 2) & (pl.col("slip") == 1))
            .then(pl.lit("year"))
            .otherwise(pl.col("birth_date_precision")),
            # a copy is not the mother of anyone and keeps no programme roles
            pregnant=pl.lit(False),
            pregnancy_month=pl.lit(None, dtype=pl.Int32),
            insured_scheme=pl.lit(None, dtype=pl.String),
            lapsed=pl.lit(None, dtype=pl.String),
            pension_scheme=pl.lit(None, dtype=pl.String),
            pension_monthly=pl.lit(0, dtype=pl.Int64),
            variation=pl.col("kind").replace_strict(
                [0, 1, 2, 3], ["spelling", "typo", "birth_date", "spelling+birth_date"]
            ),
        )
        .with_columns(birth_date=pl.min_horizontal("birth_date", pl.lit(at)))
    )
    pairs = dupes.select(
        pl.col("original_id").alias("person_id"),
        pl.col("person_id").alias("duplicate_id"),
        "variation",
    )
    # the copies in the originals' dtypes, so that the concatenation casts nothing
    schema: dict[str, pl.DataType] = {**people.schema, "original_id": pl.String()}
    dupes = dupes.select(pl.col(name).cast(dtype) for name, dtype in schema.items())
    people = people.with_columns(original_id=pl.lit(None, dtype=pl.String))
    return pl.concat([people, dupes], how="vertical", rechunk=False), pairs
