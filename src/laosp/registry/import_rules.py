"""Rules across the fields of one record and across the rows of a file, on typed
columns (``laosp.registry.import_columns``), in the words of
``laosp.registry.validation``."""

from __future__ import annotations

import datetime as dt
import json

import polars as pl

from laosp.reference import dictionary as dd
from laosp.reference.admin_units import district_codes
from laosp.registry.import_columns import PROBLEM_SCHEMA, ROW, first_reason, problems_of
from laosp.registry.import_fields import EXTRA
from laosp.registry.validation import WORKING_AGE, InputLimits, check_extra


def age_on(birth: pl.Expr, day: dt.date) -> pl.Expr:
    """Completed years on ``day`` (``validation.age_on`` over a column)."""
    before_birthday = (birth.dt.month() > day.month) | (
        (birth.dt.month() == day.month) & (birth.dt.day() > day.day)
    )
    return day.year - birth.dt.year() - before_birthday.cast(pl.Int32)


def repeated(id_column: str) -> tuple[pl.Expr, pl.Expr]:
    """``(condition, reason)``: the id appears on an earlier row of the file."""
    first = pl.col(ROW).min().over(id_column)
    return (
        pl.col(id_column).is_not_null() & (pl.col(ROW) != first),
        pl.format("appears twice (first on row {})", first),
    )


def household_problems(households: pl.DataFrame) -> pl.DataFrame:
    district = pl.col("district_code")
    village = pl.col("village_code")
    four_digits = district.str.contains(r"^\d{4}$")
    known = district.is_in(sorted(district_codes()))
    n = len(district_codes())
    twice, twice_reason = repeated("household_id")
    reasons = {
        "household_id": pl.when(twice).then(twice_reason),
        "district_code": first_reason(
            (
                district.is_not_null() & ~four_digits,
                "must be four digits PPDD, one of the district codes",
            ),
        ).fill_null(
            pl.when(four_digits & ~known).then(
                pl.format("'{}' is not one of the " + str(n) + " district codes", district)
            )
        ),
        "village_code": first_reason(
            (
                village.is_not_null() & ~village.str.contains(r"^\d{7}$"),
                "must be seven digits PPDDVVV",
            ),
        ).fill_null(
            pl.when(village.is_not_null() & ~village.str.starts_with(district)).then(
                pl.format("must start with the district code {}", district)
            )
        ),
    }
    return problems_of(households, "households", "household_id", reasons)


def with_precision(persons: pl.DataFrame, implied: pl.Series) -> pl.DataFrame:
    """``birth_date_precision`` as given, else as the date cell implies (``1985`` →
    ``year``), else the dictionary's default (``day``)."""
    default = dd.person("birth_date_precision").default
    return persons.with_columns(
        pl.col("birth_date_precision").fill_null(implied).fill_null(pl.lit(default))
    )


def person_problems(persons: pl.DataFrame, today: dt.date) -> pl.DataFrame:
    """The rules within one person's record (``validation.check_person``) and ids
    unique in the file."""
    birth, precision = pl.col("birth_date"), pl.col("birth_date_precision")
    pregnant, month = pl.col("pregnant"), pl.col("pregnancy_month")
    status, kind = pl.col("employment_status"), pl.col("employment_type")
    employed = status == "employed"
    twice, twice_reason = repeated("person_id")

    def empty_unless_employed(name: str) -> pl.Expr:
        return pl.when(~employed & pl.col(name).is_not_null()).then(
            pl.lit("must be empty when employment_status is not employed")
        )

    reasons = {
        "person_id": pl.when(twice).then(twice_reason),
        "birth_date": first_reason(
            (
                (precision == "year") & ((birth.dt.month() != 1) | (birth.dt.day() != 1)),
                "must be 1 January when birth_date_precision is year",
            ),
            (
                (precision == "month") & (birth.dt.day() != 1),
                "must be the first of the month when birth_date_precision is month",
            ),
        ),
        "mother_id": first_reason(
            (pl.col("mother_id") == pl.col("person_id"), "a person cannot be their own mother")
        ),
        "pregnant": first_reason(
            (pregnant & (pl.col("sex") != "F"), "only a woman (sex F) can be pregnant")
        ),
        "pregnancy_month": first_reason(
            (pregnant & month.is_null(), "required when pregnant is true"),
            (~pregnant & month.is_not_null(), "must be empty when pregnant is false"),
        ),
        "employment_status": first_reason(
            (
                (status != "inactive") & (age_on(birth, today) < WORKING_AGE),
                f"must be inactive for a child under {WORKING_AGE}",
            )
        ),
        "employment_type": first_reason(
            (employed & kind.is_null(), "required when employment_status is employed")
        ).fill_null(empty_unless_employed("employment_type")),
        "sector": first_reason(
            (employed & pl.col("sector").is_null(), "required when employment_status is employed")
        ).fill_null(empty_unless_employed("sector")),
        "employer_type": first_reason(
            (
                employed & (kind == "employee") & pl.col("employer_type").is_null(),
                "required when employment_type is employee",
            ),
            (
                employed & (kind != "employee") & pl.col("employer_type").is_not_null(),
                "only for an employee (employment_type employee)",
            ),
        ).fill_null(empty_unless_employed("employer_type")),
        "formal": first_reason(
            (~employed & pl.col("formal"), "must be false when employment_status is not employed")
        ),
        "earnings_monthly": first_reason(
            (
                ~employed & (pl.col("earnings_monthly") > 0),
                "must be 0 when employment_status is not employed",
            )
        ),
    }
    return problems_of(persons, "persons", "person_id", reasons)


def extra_size_problems(
    typed: pl.DataFrame, table: str, id_column: str, limits: InputLimits
) -> pl.DataFrame:
    """Rows whose ``extra`` is larger than ``limits.max_extra_bytes``, measured as the API
    measures it (``validation.check_extra``: compact JSON). The packed text is never
    smaller than that, so only the rows whose text is over the limit are measured."""
    over = typed.filter(pl.col(EXTRA).str.len_bytes() > limits.max_extra_bytes)
    found = []
    for row, record, text in over.select(ROW, id_column, EXTRA).iter_rows():
        for error in check_extra(json.loads(text), limits):
            found.append((table, row, record, EXTRA, str(error.value), error.reason))
    return pl.DataFrame(found, schema=PROBLEM_SCHEMA, orient="row")
