"""Who receives a benefit, who contributes, who has health cover — one row per person.

All on whole columns: enrolments, payments and contributions are filtered at the
reference date, reduced to one row per person (or household) and joined to the persons.

- a non-contributory cash benefit = an enrolment of a ``non_contributory_cash`` scheme
  active on the date; a household enrolment counts for every member of the household;
- a social security benefit = a ``paid`` payment, paid in the 12 months up to the date,
  on an enrolment of a ``contributory`` scheme; its series is the payment's function
  (``health`` payments are not cash benefits);
- an active contributor = an active enrolment of a contributory scheme with a
  contribution paid (amount > 0) in the 12 months up to the date;
- health cover = an active enrolment of a scheme serving ``health`` (``nhi``, social
  security), or employment by the army or police (their own health schemes).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import polars as pl

from laosp.indicators.catalogue import SchemeInfo, catalogue_frame
from laosp.indicators.frames import RegistryFrames, Window, active_on

#: Functions that have their own series (``receives_<function>`` columns).
BENEFIT_FUNCTIONS = ("children", "maternity", "disability", "unemployment", "old_age")

STATUS_COLUMNS = (
    "receives_cash",
    "receives_noncontributory",
    *(f"receives_{function}" for function in BENEFIT_FUNCTIONS),
    "contributory_pension",
    "active_contributor",
    "injury_insured",
    "health_covered",
)


def _flags(prefix: str) -> list[pl.Expr]:
    return [
        pl.lit(True).alias(f"{prefix}_any"),
        *(pl.col(f"fn_{f}").any().alias(f"{prefix}_{f}") for f in BENEFIT_FUNCTIONS),
    ]


def _noncontributory(active: pl.LazyFrame, key: str, prefix: str) -> pl.LazyFrame:
    return (
        active.filter((pl.col("kind") == "non_contributory_cash") & pl.col(key).is_not_null())
        .group_by(key)
        .agg(_flags(prefix))
    )


def _social_security_benefits(
    frames: RegistryFrames, contributory: pl.LazyFrame, window: Window
) -> pl.LazyFrame:
    enrolments = frames.enrolments.lazy().select("id", "scheme", "person_id")
    return (
        frames.benefit_payments.lazy()
        .filter(
            (pl.col("status") == "paid")
            & window.contains("paid_on")
            & (pl.col("function") != "health")
        )
        .select("enrolment_id", "function")
        .join(enrolments, left_on="enrolment_id", right_on="id")
        .join(contributory, on="scheme", how="semi")
        .filter(pl.col("person_id").is_not_null())
        .group_by("person_id")
        .agg(
            pl.lit(True).alias("ss_any"),
            *((pl.col("function") == f).any().alias(f"ss_{f}") for f in BENEFIT_FUNCTIONS),
        )
    )


def _contributors(frames: RegistryFrames, active: pl.LazyFrame, window: Window) -> pl.LazyFrame:
    paid = (
        frames.contributions.lazy()
        .filter((pl.col("amount_paid") > 0) & window.contains("paid_on"))
        .select("enrolment_id")
        .unique()
    )
    return (
        active.filter((pl.col("kind") == "contributory") & pl.col("person_id").is_not_null())
        .join(paid, left_on="id", right_on="enrolment_id", how="semi")
        .group_by("person_id")
        .agg(
            pl.lit(True).alias("active_contributor"),
            pl.col("fn_employment_injury").any().alias("injury_insured"),
        )
    )


def _health_enrolled(active: pl.LazyFrame) -> pl.LazyFrame:
    return (
        active.filter(pl.col("fn_health") & pl.col("person_id").is_not_null())
        .select("person_id")
        .unique()
        .with_columns(pl.lit(True).alias("health_enrolled"))
    )


def person_status(
    frames: RegistryFrames, at: dt.date, catalogue: Iterable[SchemeInfo]
) -> pl.LazyFrame:
    """``person_id``, ``household_id`` and the bool columns of :data:`STATUS_COLUMNS`."""
    window = Window.twelve_months_to(at)
    schemes = catalogue_frame(catalogue).lazy()
    active = frames.enrolments.lazy().filter(active_on(at)).join(schemes, on="scheme")
    contributory = schemes.filter(pl.col("kind") == "contributory").select("scheme")

    joined = (
        frames.persons.lazy()
        .select("person_id", "household_id", "employer_type")
        .join(_noncontributory(active, "person_id", "own"), on="person_id", how="left")
        .join(_noncontributory(active, "household_id", "hh"), on="household_id", how="left")
        .join(_social_security_benefits(frames, contributory, window), on="person_id", how="left")
        .join(_contributors(frames, active, window), on="person_id", how="left")
        .join(_health_enrolled(active), on="person_id", how="left")
    )
    flag = [
        "own_any",
        "hh_any",
        "ss_any",
        "active_contributor",
        "injury_insured",
        "health_enrolled",
        *(f"{source}_{f}" for source in ("own", "hh", "ss") for f in BENEFIT_FUNCTIONS),
    ]
    joined = joined.with_columns(pl.col(flag).fill_null(False))
    return joined.select(
        "person_id",
        "household_id",
        (pl.col("own_any") | pl.col("hh_any") | pl.col("ss_any")).alias("receives_cash"),
        (pl.col("own_any") | pl.col("hh_any")).alias("receives_noncontributory"),
        *(
            (pl.col(f"own_{f}") | pl.col(f"hh_{f}") | pl.col(f"ss_{f}")).alias(f"receives_{f}")
            for f in BENEFIT_FUNCTIONS
        ),
        pl.col("ss_old_age").alias("contributory_pension"),
        "active_contributor",
        "injury_insured",
        (
            pl.col("health_enrolled")
            | (pl.col("employer_type") == "military_police").fill_null(False)
        ).alias("health_covered"),
    )
