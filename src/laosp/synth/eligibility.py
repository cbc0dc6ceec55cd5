"""Eligibility and amounts from the Lao policy pack (``shared/spec/lao-policy.md``).

Stand-in for the rules engine: ``evaluate_eligibility`` returns the same frames and
output names as ``laosp.rules.engine.evaluate(load_pack(), persons, households, at,
outputs=OUTPUTS)`` (``.persons`` keyed by ``person_id``, ``.households`` keyed by
``household_id``). When the engine lands, replace the body of ``evaluate_eligibility``
with that call; nothing else in the generator changes.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

OUTPUTS = (
    "nhi.covered",
    "nssf.scheme",
    "nssf.contribution_employee",
    "nssf.contribution_employer",
    "mecg.eligible",
    "cct.eligible",
    "cct.benefit_monthly",
)

MECG_START = dt.date(2021, 6, 18)
MECG_DISTRICTS = ("1703", "1705", "1306")
MECG_BENEFIT_MONTHLY = 150_000
CCT_START = dt.date(2025, 1, 1)
CCT_PROVINCES = ("06", "08", "12", "13")
CCT_BENEFIT_MONTHLY = 260_000
VOLUNTARY_MIN_INCOME = 1_200_000
#: (from, insured earnings ceiling per month)
NSSF_CEILING = ((dt.date(2017, 1, 1), 4_500_000), (dt.date(2023, 10, 1), 8_000_000),
                (dt.date(2024, 10, 1), 12_500_000))  # fmt: skip
RATES = {"private": (0.055, 0.060), "public": (0.080, 0.085), "voluntary_eligible": (0.09, 0.0)}


def ceiling_at(at: dt.date) -> int:
    value = NSSF_CEILING[0][1]
    for start, amount in NSSF_CEILING:
        if at >= start:
            value = amount
    return value


def age_months(birth: pl.Expr, at: dt.date) -> pl.Expr:
    """Completed months at ``at``."""
    months = (
        (at.year - birth.dt.year().cast(pl.Int32)) * 12 + at.month - birth.dt.month().cast(pl.Int32)
    )
    return months - (birth.dt.day().cast(pl.Int32) > at.day).cast(pl.Int32)


def _round_half_up(value: pl.Expr) -> pl.Expr:
    return (value + 0.5).floor().cast(pl.Int64)


def evaluate_eligibility(
    persons: pl.DataFrame, households: pl.DataFrame, at: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Person and household outputs (see ``OUTPUTS``) at ``at``."""
    hh = households.select("household_id", "district_code", "poor")
    frame = persons.join(hh, on="household_id", how="left", suffix="_hh")
    employed = pl.col("employment_status") == "employed"
    employee = employed & (pl.col("employment_type") == "employee")
    age = (age_months(pl.col("birth_date"), at) // 12).alias("age_years")
    scheme = (
        pl.when(employee & (pl.col("employer_type") == "private") & pl.col("formal"))
        .then(pl.lit("private"))
        .when(employee & pl.col("employer_type").is_in(["public", "military_police"]))
        .then(pl.lit("public"))
        .when(employed & age.is_between(15, 60))
        .then(pl.lit("voluntary_eligible"))
        .otherwise(pl.lit("none"))
    )
    ceiling = ceiling_at(at)
    insured = (
        pl.when(pl.col("nssf.scheme").is_in(["private", "public"]))
        .then(pl.min_horizontal("earnings_monthly", pl.lit(ceiling)))
        .when(
            (pl.col("nssf.scheme") == "voluntary_eligible")
            & (pl.col("declared_income_monthly") > 0)
        )
        .then(pl.col("declared_income_monthly").clip(VOLUNTARY_MIN_INCOME, ceiling))
        .otherwise(0)
    )
    rate_employee = pl.col("nssf.scheme").replace_strict(
        {k: v[0] for k, v in RATES.items()}, default=0.0, return_dtype=pl.Float64
    )
    rate_employer = pl.col("nssf.scheme").replace_strict(
        {k: v[1] for k, v in RATES.items()}, default=0.0, return_dtype=pl.Float64
    )
    months = age_months(pl.col("birth_date"), at)
    mecg = (
        pl.lit(at >= MECG_START)
        & pl.col("district_code").is_in(MECG_DISTRICTS)
        & ((pl.col("pregnant") & (pl.col("pregnancy_month") >= 4)).fill_null(False) | (months < 12))
    )
    out = frame.select(
        "person_id",
        "household_id",
        "cct_compliant",
        (
            (pl.col("nationality") == "LA")
            & (pl.col("employer_type").fill_null("") != "military_police")
        ).alias("nhi.covered"),
        scheme.alias("nssf.scheme"),
        mecg.alias("mecg.eligible"),
        (pl.col("pregnant") | (months < 24)).alias("young_child_or_pregnant"),
        "earnings_monthly",
        "declared_income_monthly",
    ).with_columns(insured.alias("insured"))
    out = out.with_columns(
        _round_half_up(pl.col("insured") * rate_employee).alias("nssf.contribution_employee"),
        _round_half_up(pl.col("insured") * rate_employer).alias("nssf.contribution_employer"),
    )
    members = out.group_by("household_id").agg(
        pl.col("young_child_or_pregnant").any().alias("has_target"),
        pl.col("cct_compliant").all().alias("compliant"),
    )
    households_out = (
        households.select("household_id", "district_code", "poor")
        .join(members, on="household_id", how="left")
        .select(
            "household_id",
            (
                pl.lit(at >= CCT_START)
                & pl.col("poor")
                & pl.col("district_code").str.slice(0, 2).is_in(CCT_PROVINCES)
                & pl.col("has_target").fill_null(False)
            ).alias("cct.eligible"),
            pl.col("compliant").fill_null(True).alias("compliant"),
        )
        .with_columns(
            pl.when(pl.col("cct.eligible") & pl.col("compliant"))
            .then(pl.lit(CCT_BENEFIT_MONTHLY, dtype=pl.Int64))
            .otherwise(pl.lit(0, dtype=pl.Int64))
            .alias("cct.benefit_monthly")
        )
        .drop("compliant")
    )
    person_outputs = [o for o in OUTPUTS if o in out.columns]
    return out.select("person_id", *person_outputs), households_out
