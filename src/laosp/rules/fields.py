"""The registry fields rules may read (``registry.md``), their types, codes and defaults,
and the normalisation of input frames to exactly those columns."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import polars as pl

from laosp.reference.ages import ages_by_day, completed_months, completed_years
from laosp.reference.codes import PERSON_CODED_COLUMNS as CODED
from laosp.registry.rowkeys import HOUSEHOLD_ROW

PERSON = "person"
HOUSEHOLD = "household"


@dataclass(frozen=True)
class Field:
    """One input field. ``kind`` is one of bool, int, str, date; ``codes`` lists the legal
    values of a coded string; ``default`` fills missing columns and empty cells."""

    name: str
    kind: str
    default: object
    codes: tuple[str, ...] | None = None
    derived: bool = False


def _f(name: str, kind: str, default: object, code_list: Iterable[str] | None = None) -> Field:
    return Field(name, kind, default, tuple(code_list) if code_list is not None else None)


PERSON_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        _f("relationship", "str", "other", CODED["relationship"]),
        _f("sex", "str", "F", CODED["sex"]),
        _f("birth_date", "date", None),
        _f("birth_date_precision", "str", "day", CODED["birth_date_precision"]),
        _f("nationality", "str", "LA"),
        _f("mother_id", "str", ""),
        _f("pregnant", "bool", False),
        _f("pregnancy_month", "int", 0),
        _f("disability", "str", "none", CODED["disability"]),
        _f("monk", "bool", False),
        _f("employment_status", "str", "inactive", CODED["employment_status"]),
        # "" stands for "not applicable" (the registry leaves these empty)
        _f("employment_type", "str", "", CODED["employment_type"]),
        _f("employer_type", "str", "", CODED["employer_type"]),
        _f("formal", "bool", False),
        _f("sector", "str", "", CODED["sector"]),
        _f("earnings_monthly", "int", 0),
        _f("declared_income_monthly", "int", 0),
        _f("nssf_contribution_months", "int", 0),
        _f("cct_compliant", "bool", True),
        _f("facility_level", "str", "district", CODED["facility_level"]),
        Field("age", "int", 0, derived=True),
        Field("age_months", "int", 0, derived=True),
    )
}

HOUSEHOLD_FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        _f("district_code", "str", ""),
        Field("province_code", "str", "", derived=True),
        _f("village_code", "str", ""),
        _f("urban", "bool", False),
        _f("poor", "bool", False),
    )
}

#: Fields a scenario file may set that rules do not read (kept for realism).
PERSON_EXTRA_FIELDS = ("given_name", "family_name", "national_id", "phone")
HOUSEHOLD_EXTRA_FIELDS = ("village_name", "registered_on")

_DTYPES: dict[str, pl.DataType] = {
    "bool": pl.Boolean(),
    "int": pl.Int64(),
    "str": pl.String(),
    "date": pl.Date(),
}


def fields_of(entity: str) -> dict[str, Field]:
    return PERSON_FIELDS if entity == PERSON else HOUSEHOLD_FIELDS


def _column(schema: pl.Schema, field: Field) -> pl.Expr:
    dtype = _DTYPES[field.kind]
    if field.name not in schema:
        return pl.lit(field.default, dtype=dtype).alias(field.name)
    column = pl.col(field.name)
    if field.kind == "date":
        return column.cast(pl.Date).alias(field.name)
    if field.codes is not None and schema[field.name] == pl.Enum(field.codes):
        # as the registry snapshot types it: tests on it compare small integers
        return column.fill_null(pl.lit(field.default)).alias(field.name)
    if field.kind == "bool":
        column = column.cast(pl.Boolean)
    elif field.kind == "int":
        column = column.cast(pl.Int64)
    else:
        column = column.cast(pl.String)
    return column.fill_null(pl.lit(field.default, dtype=dtype)).alias(field.name)


def person_inputs(
    persons: pl.LazyFrame | pl.DataFrame, wanted: Iterable[str], at: dt.date
) -> pl.LazyFrame:
    """``person_id``, ``household_id`` and the ``wanted`` fields (derived ages included),
    typed, with registry defaults for missing columns and empty cells."""
    frame = persons.lazy()
    schema = frame.collect_schema()
    wanted = set(wanted)
    stored = [PERSON_FIELDS[n] for n in sorted(wanted) if not PERSON_FIELDS[n].derived]
    if wanted & {"age", "age_months"} and "birth_date" not in wanted:
        stored.append(PERSON_FIELDS["birth_date"])
    columns = [pl.col("person_id").cast(pl.String), pl.col("household_id").cast(pl.String)]
    if HOUSEHOLD_ROW in schema:  # the snapshot's row key, checked by the engine before use
        columns.append(pl.col(HOUSEHOLD_ROW))
    frame = frame.select(*columns, *(_column(schema, f) for f in stored))
    extra = _ages(persons, at, wanted)
    return frame.with_columns(extra) if extra else frame


def _ages(persons: pl.LazyFrame | pl.DataFrame, at: dt.date, wanted: set[str]) -> list[Any]:
    """``age`` / ``age_months`` as wanted: gathered from the per-day table of
    ``reference.ages`` for a large frame in memory, else as expressions."""
    names = [name for name in ("age", "age_months") if name in wanted]
    if (
        isinstance(persons, pl.DataFrame)
        and persons.height >= 10_000
        and "birth_date" in persons.columns
    ):
        table = ages_by_day(persons["birth_date"], at)
        return [table[name].cast(pl.Int64) for name in names]
    exprs = {
        "age": completed_years("birth_date", at),
        "age_months": completed_months("birth_date", at),
    }
    return [exprs[name].cast(pl.Int64).alias(name) for name in names]


def household_inputs(
    households: pl.LazyFrame | pl.DataFrame, wanted: Iterable[str]
) -> pl.LazyFrame:
    """``household_id`` and the ``wanted`` household fields; ``province_code`` is derived
    from ``district_code``."""
    frame = households.lazy()
    schema = frame.collect_schema()
    wanted = set(wanted)
    stored = [HOUSEHOLD_FIELDS[n] for n in sorted(wanted) if not HOUSEHOLD_FIELDS[n].derived]
    if "province_code" in wanted and "district_code" not in wanted:
        stored.append(HOUSEHOLD_FIELDS["district_code"])
    frame = frame.select(
        pl.col("household_id").cast(pl.String), *(_column(schema, f) for f in stored)
    )
    if "province_code" in wanted:
        frame = frame.with_columns(pl.col("district_code").str.slice(0, 2).alias("province_code"))
    return frame
