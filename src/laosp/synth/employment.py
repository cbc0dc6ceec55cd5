"""Work: labour force status, sector, status in employment, formality, earnings, and
who is a social security member, a lapsed member or a pensioner.

Counts are exact (weighted draws of a fixed number), so the targets hold at any scale.
"Insured" follows the ILO country profile: the ~354 k are the active members of the
fund, contributors (compulsory and voluntary) and the pensioners it pays. The informal
share follows the ILO definition: employees without social security, contributing family
workers and workers in unregistered enterprises; the registry's ``formal`` flag is the
formal *sector* (registered enterprise or the state), which is wider.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import polars as pl

from laosp.synth import targets as t
from laosp.synth.sampling import Array, coded, pick

SCHEMES = (None, "nssf_public", "nssf_private", "nssf_voluntary")


def _weights(age: Array, low: int, high: int) -> Array:
    return ((age >= low) & (age <= high)).astype(np.float64)


def _lognormal(rng: np.random.Generator, median: Array, sigma: float) -> Array:
    values = np.asarray(median) * np.exp(rng.normal(0.0, sigma, np.shape(median)))
    return (np.round(values / 1000) * 1000).astype(np.int64)


def add_employment(
    rng: np.random.Generator,
    persons: pl.DataFrame,
    s: float,
    retirement_age: Mapping[str, int],
) -> pl.DataFrame:
    """Work columns of the registry plus the generator's own ``insured_scheme``,
    ``lapsed``, ``pension_scheme`` and ``pension_monthly`` (``s`` = the scale; pensions
    from ``retirement_age`` by sex, the pack's ``nssf.retirement_age``)."""
    n = persons.height
    age = persons["age"].to_numpy()
    female = (persons["sex"] == "F").to_numpy()
    urban = persons["urban"].to_numpy()
    capital = (persons["province_code"] == "01").to_numpy()
    monk = persons["monk"].to_numpy()
    severe = (persons["disability"] == "severe").to_numpy()

    if not retirement_age:
        raise ValueError("the policy pack has no retirement age at the reference date")
    retired_age = np.where(female, retirement_age["F"], retirement_age["M"])
    pension_w = (
        (age >= retired_age) * ~monk * np.interp(age, [55, 62, 70, 80, 95], [1, 2, 1.5, 0.5, 0.1])
    )
    pension_w = pension_w * np.where(capital, 7.5, 1.0) * np.where(urban, 2.0, 1.0)
    pensioner = pick(rng, pension_w, round(t.target("pensioners").value * s))

    work_w = np.interp(age, [15, 20, 25, 55, 65, 80], [0.25, 0.8, 1.0, 1.0, 0.5, 0.1]) * (age >= 15)
    work_w = work_w * ~monk * ~pensioner * np.where(female, 0.85, 1.15) * np.where(severe, 0.1, 1.0)
    employed = pick(rng, work_w, round(t.target("employed").value * s))
    seek_w = (~employed & ~monk & ~pensioner) * _weights(age, 15, 64) * np.where(age < 35, 3, 1)
    unemployed = pick(
        rng, seek_w * np.where(urban, 2.0, 1.0), round(t.target("unemployed").value * s)
    )

    e = int(employed.sum())
    agri = pick(
        rng, employed * np.where(urban, 0.25, 3.5), round(t.target("agriculture").value * e)
    )
    industry = pick(
        rng, (employed & ~agri) * np.where(urban, 1.3, 1.0), round(t.target("industry").value * e)
    )
    sector = np.select([~employed, agri, industry], [0, 1, 2], 3)

    nonagri = employed & ~agri
    public_w = nonagri * _weights(age, 20, 59) * np.where(industry, 0.3, 3.0)
    public = pick(
        rng,
        public_w * np.where(capital, 2.5, 1) * np.where(urban, 1.5, 1),
        round(t.PUBLIC_EMPLOYEES * s),
    )
    free = nonagri & ~public
    military = pick(
        rng,
        free * _weights(age, 18, 55) * np.where(female, 0.15, 1.0),
        round(t.MILITARY_POLICE * s),
    )
    free &= ~military
    private_w = (
        free * _weights(age, 18, 60) * np.where(urban, 3.0, 1.0) * np.where(industry, 2.0, 1.0)
    )
    formal_private = pick(rng, private_w, round(t.FORMAL_PRIVATE_EMPLOYEES * s))
    free &= ~formal_private
    formal_employer = pick(
        rng, free * _weights(age, 25, 65) * np.where(urban, 3, 1), round(t.FORMAL_EMPLOYERS * s)
    )
    rest = employed & ~public & ~military & ~formal_private & ~formal_employer
    informal_employee = pick(
        rng,
        rest * _weights(age, 15, 65) * np.where(agri, 0.5, 1.0),
        round(t.INFORMAL_EMPLOYEES * s),
    )
    family_worker = rest & ~informal_employee & (rng.random(n) < np.where(age < 25, 0.7, 0.3))
    employee = public | military | formal_private | informal_employee
    employment_type = np.select(
        [~employed, employee, formal_employer & (rng.random(n) < 0.6), family_worker],
        [0, 1, 2, 3],
        4,
    )
    employer_type = np.select(
        [public, military, formal_private | informal_employee],
        [1, 2, 3],
        0,
    )
    formal = public | military | formal_private | formal_employer

    median = np.select(
        [
            public,
            military,
            formal_private,
            formal_employer,
            informal_employee & agri,
            informal_employee,
            family_worker,
            agri,
        ],
        [3_200_000, 3_400_000, 4_000_000, 9_000_000, 1_400_000, 1_900_000, 0, 1_100_000],
        2_000_000,
    )
    earnings = np.where(employed, _lognormal(rng, median, 0.45), 0)

    state = public | military
    in_public = pick(rng, state.astype(np.float64), round(t.PUBLIC_TAKE_UP * state.sum()))
    in_private = pick(
        rng,
        formal_private * np.where(urban, 1.5, 1.0),
        round(t.PRIVATE_TAKE_UP * formal_private.sum()),
    )
    voluntary_w = employed & ~formal & np.isin(employment_type, [2, 4]) & (age <= 60)
    in_voluntary = pick(
        rng, voluntary_w * np.where(urban, 3.0, 1.0), round(t.target("insured_voluntary").value * s)
    )
    lapsed_w = (formal_private & ~in_private).astype(np.float64)
    compulsory = int(in_public.sum() + in_private.sum())
    suspended = pick(rng, lapsed_w, round(0.04 * compulsory))
    exited = pick(rng, lapsed_w * ~suspended, round(0.05 * compulsory))
    insured_scheme = np.select(
        [in_public, in_private | suspended | exited, in_voluntary],
        [1, 2, 3],
        0,
    )
    declared = np.where(in_voluntary, rng.integers(12, 36, n) * 100_000, 0)
    max_months = np.clip((age - 18) * 12, 1, 300)
    months = np.select(
        [pensioner, in_public | in_private | in_voluntary, suspended | exited],
        [
            rng.integers(180, 421, n),
            1 + np.floor(rng.random(n) * max_months),
            rng.integers(6, 121, n),
        ],
        0,
    )
    pension_scheme = np.where(pensioner, np.where(rng.random(n) < 0.85, 1, 2), 0)
    return persons.with_columns(
        employment_status=coded(
            np.select([employed, unemployed], [0, 1], 2), ("employed", "unemployed", "inactive")
        ),
        employment_type=coded(
            employment_type, (None, "employee", "employer", "contributing_family", "own_account")
        ),
        employer_type=coded(employer_type, (None, "public", "military_police", "private")),
        formal=pl.Series(formal),
        sector=coded(sector, (None, "agriculture", "industry", "services")),
        earnings_monthly=pl.Series(earnings, dtype=pl.Int64),
        declared_income_monthly=pl.Series(declared, dtype=pl.Int64),
        nssf_contribution_months=pl.Series(months, dtype=pl.Int32),
        insured_scheme=coded(insured_scheme, SCHEMES),
        lapsed=coded(np.select([suspended, exited], [1, 2], 0), (None, "suspended", "exited")),
        pension_scheme=coded(pension_scheme, SCHEMES),
        pension_monthly=pl.Series(
            np.where(pensioner, _lognormal(rng, np.full(n, 2_500_000), 0.35), 0)
        ),
    )
