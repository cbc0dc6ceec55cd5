"""Planted duplicates: copies of real persons written the way a second register would,
with the truth (original, copy, kinds of variation) kept apart so that deduplication can
be scored.

A copy gets a new ``person_id``, lives in the same household (40 %) or in another one
of the same district (re-registered after a move), as ``other``; its names get another
spelling (Lao tone marks dropped, the other script's romanisation rules, a dropped or
swapped letter) and its birth date may slip (days, year only, day and month swapped).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from laosp.synth.names import DOUBLES
from laosp.synth.sampling import pick

PAIR_SCHEMA = {"person_id": pl.String, "duplicate_id": pl.String, "variation": pl.String}


def _typo(name: pl.Expr, position: pl.Expr) -> pl.Expr:
    """Drop the letter at ``position`` (kept within the name)."""
    at = position % name.str.len_chars().clip(lower_bound=2)
    return pl.concat_str([name.str.slice(0, at), name.str.slice(at + 1)])


def plant_duplicates(
    rng: np.random.Generator, people: pl.DataFrame, rate: float, at: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """``people`` with ``round(rate × n)`` copies appended, and the pairs."""
    n = people.height
    k = round(rate * n)
    if k <= 0:
        return people.with_columns(original_id=pl.lit(None, dtype=pl.String)), pl.DataFrame(
            schema=PAIR_SCHEMA
        )
    chosen = np.flatnonzero(pick(rng, np.ones(n), k))
    rng.shuffle(chosen)
    copies = people[chosen]
    same_household = rng.random(k) < 0.4
    # another household of the same district: a random member's household there
    by_district = people.select("district_code", "household_id", "hh_index").with_row_index("row")
    other = by_district.sample(n=k, with_replacement=True, seed=int(rng.integers(2**31)))
    district_match = (other["district_code"] == copies["district_code"]).to_numpy()
    target_row = np.where(same_household | ~district_match, chosen, other["row"].to_numpy())
    target = people.select("household_id", "hh_index").gather(target_row)
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
            hh_index=target["hh_index"],
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
    dupes = dupes.select(*people.columns, "original_id")
    people = people.with_columns(original_id=pl.lit(None, dtype=pl.String))
    return pl.concat(
        [people, dupes.with_columns(pl.col("original_id").cast(pl.String))], how="vertical_relaxed"
    ), pairs
