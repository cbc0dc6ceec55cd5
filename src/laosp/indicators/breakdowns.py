"""The fields an indicator can be broken down by, as expressions over the population."""

from __future__ import annotations

import polars as pl

AGE_GROUPS = ("0-4", "5-14", "15-24", "25-54", "55-64", "65+")

_age = pl.col("age")

BREAKDOWNS: dict[str, pl.Expr] = {
    "province": pl.col("district_code").str.slice(0, 2),
    "district": pl.col("district_code"),
    "sex": pl.col("sex"),
    "age_group": (
        pl.when(_age <= 4)
        .then(pl.lit("0-4"))
        .when(_age <= 14)
        .then(pl.lit("5-14"))
        .when(_age <= 24)
        .then(pl.lit("15-24"))
        .when(_age <= 54)
        .then(pl.lit("25-54"))
        .when(_age <= 64)
        .then(pl.lit("55-64"))
        .otherwise(pl.lit("65+"))
    ),
    "urban": pl.col("urban"),
    "poor": pl.col("poor"),
    "sector": pl.col("sector"),
    "formal": pl.col("formal"),
    # the registry's Washington Group code: none, moderate, severe (SDG "persons with
    # disability" = moderate + severe, the WG short set's cut-off "a lot of difficulty")
    "disability": pl.col("disability"),
}

#: Their headings, English and Lao, are the ``indicators`` catalogue's
#: ``indicators.column.<field>`` (``laosp.indicators.export.heading``).


def parse_breakdown(text: str | None) -> tuple[str, ...]:
    """``"province,sex"`` → ``("province", "sex")``; unknown or repeated fields raise."""
    if not text:
        return ()
    fields = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [field for field in fields if field not in BREAKDOWNS]
    if unknown:
        raise ValueError(
            f"unknown breakdown field(s) {', '.join(unknown)}; known: {', '.join(BREAKDOWNS)}"
        )
    if len(set(fields)) != len(fields):
        raise ValueError(f"a breakdown field is repeated in {text!r}")
    return fields
