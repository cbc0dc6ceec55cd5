"""A synthetic national registry made with NumPy, for the rules benchmarks only (the
project's real synthetic population lives in ``laosp.synth``)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from laosp.reference import codes, dictionary

PERSONS = 7_800_000
HOUSEHOLDS = 1_660_000
AT = dt.date(2025, 6, 30)


def _districts() -> list[str]:
    from importlib.resources import files

    text = files("laosp.reference").joinpath("data/lao_districts.csv").read_text("utf-8")
    return [line.split(",")[0] for line in text.splitlines()[1:] if line]


def population(scale: float = 1.0, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(persons, households) frames with registry column names and types as
    ``load_snapshot`` gives them (coded person columns as ``pl.Enum``)."""
    rng = np.random.default_rng(seed)
    n_h = max(1, round(HOUSEHOLDS * scale))
    n_p = max(n_h, round(PERSONS * scale))
    # every household gets a head, the other persons are spread at random
    household = np.concatenate([np.arange(n_h), rng.integers(0, n_h, n_p - n_h)])
    household.sort()
    head = np.r_[True, household[1:] != household[:-1]]
    districts = np.array(_districts())
    age_days = (rng.exponential(26.0, n_p).clip(0, 95) * 365.25).astype(np.int64)
    age_days[head] = np.maximum(age_days[head], 18 * 365 + rng.integers(0, 40 * 365, head.sum()))
    birth = np.datetime64(AT) - age_days.astype("timedelta64[D]")
    sex = rng.choice(np.array(codes.SEXES), n_p)
    years = age_days / 365.25
    pregnant = (sex == "F") & (years >= 15) & (years < 45) & (rng.random(n_p) < 0.05)
    working = (years >= 15) & (years < 65) & (rng.random(n_p) < 0.75)
    employee = working & (rng.random(n_p) < 0.25)
    employer_type = np.where(
        employee, rng.choice(np.array(codes.EMPLOYER_TYPES), n_p, p=[0.7, 0.25, 0.05]), ""
    )
    earnings = np.where(working, rng.lognormal(14.6, 0.7, n_p), 0).astype(np.int64)
    persons = pl.DataFrame(
        {
            "person_id": pl.int_range(n_p, eager=True).cast(pl.String).str.zfill(9),
            "household_id": pl.Series(household).cast(pl.String).str.zfill(8),
            "relationship": np.where(
                head, "head", rng.choice(np.array(["spouse", "child", "parent", "other"]), n_p)
            ),
            "sex": sex,
            "birth_date": birth,
            "nationality": np.where(rng.random(n_p) < 0.995, "LA", "TH"),
            "pregnant": pregnant,
            "pregnancy_month": pl.Series(np.where(pregnant, rng.integers(1, 10, n_p), 0)),
            "disability": rng.choice(np.array(codes.DISABILITIES), n_p, p=[0.95, 0.035, 0.015]),
            "monk": (sex == "M") & (rng.random(n_p) < 0.01),
            "employment_status": np.where(working, "employed", "inactive"),
            "employment_type": np.where(employee, "employee", np.where(working, "own_account", "")),
            "employer_type": employer_type,
            "formal": employee & (rng.random(n_p) < 0.6),
            "earnings_monthly": earnings,
            "declared_income_monthly": np.where(
                working & ~employee & (rng.random(n_p) < 0.03), earnings, 0
            ),
            "nssf_contribution_months": np.where(employee, rng.integers(0, 400, n_p), 0),
            "cct_compliant": rng.random(n_p) < 0.9,
            "facility_level": rng.choice(np.array(codes.FACILITY_LEVELS), n_p),
        }
    ).with_columns(
        pl.col("birth_date").cast(pl.Date),
        pl.when(pl.col("pregnant")).then(pl.col("pregnancy_month")).cast(pl.Int64),
        # the registry leaves these empty when they do not apply
        pl.col("employment_type", "employer_type").replace("", None),
    )
    persons = persons.with_columns(
        pl.col(name).cast(pl.Enum(values))
        for name, values in dictionary.PERSON_CODED_COLUMNS.items()
        if name in persons.columns
    )
    households = pl.DataFrame(
        {
            "household_id": pl.int_range(n_h, eager=True).cast(pl.String).str.zfill(8),
            "district_code": rng.choice(districts, n_h),
            "urban": rng.random(n_h) < 0.35,
            "poor": rng.random(n_h) < 0.18,
        }
    )
    return persons, households
