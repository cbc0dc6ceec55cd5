"""Person attributes other than work: nationality, disability, monks, pregnancy,
identifiers, health facility and CCT compliance."""

from __future__ import annotations

import numpy as np
import polars as pl

from laosp.synth.sampling import Array, coded, pick
from laosp.synth.targets import MONKS, target

FOREIGN_HOUSEHOLDS = 0.006
NATIONALITIES = ("LA", "VN", "CN", "TH")
MODERATE_DISABILITY = 0.04


def _age_weight(age: Array, points: list[tuple[int, float]]) -> Array:
    ages = np.array([p[0] for p in points], dtype=np.float64)
    weights = np.array([p[1] for p in points], dtype=np.float64)
    result: Array = np.interp(age, ages, weights)
    return result


def add_attributes(
    rng: np.random.Generator, persons: pl.DataFrame, scale_persons: float
) -> pl.DataFrame:
    """Columns ``nationality``, ``disability``, ``monk``, ``pregnant``,
    ``pregnancy_month``, ``national_id``, ``phone``, ``facility_level``,
    ``cct_compliant``; ``scale_persons`` = persons / national persons."""
    n = persons.height
    age = persons["age"].to_numpy()
    female = (persons["sex"] == "F").to_numpy()
    rel = persons["relationship"].to_numpy()
    urban = persons["urban"].to_numpy()
    hh = persons["hh_index"].to_numpy()
    households = int(hh.max()) + 1 if n else 0

    foreign_hh = rng.random(households) < FOREIGN_HOUSEHOLDS
    foreign_pick = rng.integers(0, len(NATIONALITIES) - 1, households)
    nationality = np.where(foreign_hh[hh], 1 + foreign_pick[hh], 0)

    frailty = _age_weight(age, [(0, 0.4), (15, 0.6), (40, 1.0), (60, 3.0), (75, 8.0), (90, 12.0)])
    severe = pick(rng, frailty, round(target("severe_disability").value * n))
    moderate = pick(rng, np.where(severe, 0.0, frailty), round(MODERATE_DISABILITY * n))
    disability = np.select([severe, moderate], [2, 1], 0)

    can_ordain = ~female & np.isin(rel, ["child", "grandchild", "sibling", "other"])
    monk_weight = can_ordain * _age_weight(
        age, [(9, 0), (10, 0.5), (14, 3), (20, 2), (25, 0.4), (70, 0.3), (71, 0)]
    )
    monk = pick(rng, monk_weight, round(MONKS * scale_persons))

    married = np.isin(rel, ["head", "spouse"])
    fertility = (
        female
        * ((age >= 15) & (age <= 49))
        * _age_weight(
            age,
            [
                (15, 0.2),
                (19, 0.8),
                (24, 1.0),
                (30, 0.8),
                (35, 0.5),
                (40, 0.2),
                (45, 0.05),
                (49, 0.02),
            ],
        )
        * np.where(married, 4.0, 0.5)
        * np.where(severe, 0.3, 1.0)
    )
    pregnant = pick(rng, fertility, round(target("pregnant").value * scale_persons))
    pregnancy_month = np.where(pregnant, rng.integers(1, 10, n), 0)

    adult = age >= 15
    national_id = adult & (rng.random(n) < np.where(urban, 0.6, 0.25))
    phone = adult & (rng.random(n) < np.where(urban, 0.8, 0.45))
    facility = np.where(
        urban,
        rng.choice(4, n, p=[0.2, 0.35, 0.3, 0.15]),
        rng.choice(4, n, p=[0.6, 0.3, 0.08, 0.02]),
    )
    number = persons["person_number"]
    return persons.with_columns(
        nationality=coded(nationality, NATIONALITIES),
        disability=coded(disability, ("none", "moderate", "severe")),
        monk=pl.Series(monk),
        pregnant=pl.Series(pregnant),
        pregnancy_month=pl.Series(pregnancy_month).cast(pl.Int32),
        national_id=pl.when(pl.Series(national_id)).then(
            pl.lit("LA") + ((number * 7_919) % 1_000_000_007).cast(pl.String).str.zfill(10)
        ),
        phone=pl.when(pl.Series(phone)).then(
            pl.lit("020") + pl.Series(rng.integers(20_000_000, 99_999_999, n)).cast(pl.String)
        ),
        facility_level=coded(facility, ("health_centre", "district", "provincial", "central")),
        cct_compliant=pl.Series(rng.random(n) >= 0.02),
    ).with_columns(pregnancy_month=pl.when(pl.col("pregnant")).then(pl.col("pregnancy_month")))
